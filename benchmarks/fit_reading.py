"""Fit how the reader's output is used: the ranking of candidate answers, the abstention, and the
stages of reading.

    python benchmarks/fit_reading.py            # fits and writes reader.json's "use" (about 5 min on 2 cores)
    python benchmarks/fit_reading.py --dry-run  # fits and prints, writes nothing

Tuning data only, never DRCD test (the validation set) nor eval/report_qa_extra.jsonl:

* DRCD dev's last ``TUNE_ARTICLES`` articles (kept out of the reader's training) as a corpus of
  one document per paragraph; each question is asked once over the corpus (answerable) and once
  with its own article's sentences taken out of the hits (no answer left, unless another article
  holds it: then it is not counted as unanswerable);
* the report's dev set (``eval/report_qa_dev.jsonl``), its unanswerable questions included.

The ranking model is a conditional logit over each question's candidates (the right ones are those
holding a gold answer); the abstention model a logistic regression on the chosen candidate, answerable
against unanswerable questions, classes weighted equally. Both use :meth:`qa.reading.Candidate.features`.
The stages (:class:`qa.reading.Stages`) are chosen last, by replaying each question's candidates window
by window: the schedule and stopping log-odds that read the fewest windows while changing the outcome of
at most ``STOP_LOSS`` of each source's questions against reading all of them at once.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import build_index  # noqa: E402
from qa.answer import candidates, usable as _usable  # noqa: E402
from qa.api import load_index, search  # noqa: E402
from qa.evaluate import answer_hits, load_gold  # noqa: E402
from qa.model.embedding import get_embedder  # noqa: E402
from qa.model.reader import Reader  # noqa: E402
from qa.model.reader_data import TUNE_ARTICLES, load_squad  # noqa: E402
from qa.mrc_eval import normalize, write_corpus  # noqa: E402
from qa.reading import Logistic, Stages, rank  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "mrc"
RANK_FEATURES = ("margin", "reader_margin", "reader", "clause_margin", "rules", "coverage", "focus", "retrieval", "dense")
ABSTAIN_FEATURES = ("score", "margin", "clause_margin", "rules", "coverage", "focus", "dense", "answer_cosine")
L2 = 0.001  # ridge on both models' standardized weights
WRONGLY_ABSTAINED = 0.04  # the abstention may refuse at most this share of answerable tuning questions
SCHEDULES = ((1, 6), (1, 2, 6), (1, 3, 6), (2, 6), (2, 4, 6), (3, 6), (1, 2, 4, 6), (6,))  # reading stages tried (windows read by each)
STOP_LOSS = 0.005  # reading in stages may change the outcome of at most this share of each source's questions
STAGE_COST = 0.25  # an extra stage costs about a quarter of a window's reading (an embedding of the answer, one more run)


def usable(q, cands):
    """The candidates ``qa.answer.choose`` may pick (same filters, before abstention)."""
    return _usable(q, cands)[0]


def with_cosines(cands, qvec, emb):
    """Sets each candidate's answer cosine (at question time only the chosen one's is computed)."""
    if cands:
        for c, cos in zip(cands, emb.encode_passages([c.answer for c in cands]) @ qvec):
            c.answer_cosine = float(cos)
    return cands


@contextmanager
def tuning_corpus():
    """The tuning split as an index of one document per paragraph: (index, examples, qid → document,
    document → article title)."""
    exs = [e for e in load_squad(DATA / "drcd_dev.json", articles=slice(-TUNE_ARTICLES, None)) if e.answers]
    with tempfile.TemporaryDirectory() as tmp:
        where = write_corpus(exs, Path(tmp) / "docs")
        build_index(sources=[Path(tmp) / "docs"], index_dir=Path(tmp) / "index")
        yield load_index(Path(tmp) / "index"), exs, where, {where[e.qid]: e.title for e in exs}


def retrieval_grid(values=(0.0, 0.05, 0.1, 0.2, 0.3)) -> None:
    """doc@1 on the tuning split and cite@1 on the report dev set for values of ``W_PARAGRAPH``."""
    import qa.retrieve
    from qa.evaluate import quote_supports

    report = load_index(None)
    emb = get_embedder(report.model_id)
    gold = [g for g in load_gold(ROOT / "eval" / "report_qa_dev.jsonl") if g["type"] != "unanswerable"]
    with tuning_corpus() as (index, exs, where, _):
        for w in values:
            qa.retrieve.W_PARAGRAPH = w
            doc1 = sum(search(e.question, index, emb, k=1)[2][0].chunk.doc == where[e.qid] for e in exs) / len(exs)
            cite1 = sum(quote_supports(search(g["question"], report, emb, k=1)[2][0].chunk.text, g["evidence"],
                                       g["answers"]) for g in gold) / len(gold)
            print(f"W_PARAGRAPH {w}: tuning doc@1 {doc1:.4f}, report dev retrieval cite@1 {cite1:.4f}", flush=True)


def groups(reader, progress=print):
    """Per question: (source, answerable, question, candidates, labels)."""
    out = []
    report = load_index(None)
    emb = get_embedder(report.model_id)
    for g in load_gold(ROOT / "eval" / "report_qa_dev.jsonl"):
        q, qvec, hits = search(g["question"], report, emb)
        cands = with_cosines(usable(q, candidates(q, hits, report, reader)), qvec, emb)
        ok = g["type"] != "unanswerable"
        out.append(("report", ok, q, cands, [ok and answer_hits(c.answer, g["answers"], g["type"]) for c in cands]))
    progress(f"report dev: {len(out)} questions")
    with tuning_corpus() as (index, exs, where, article):
        for n, e in enumerate(exs):
            golds = [normalize(t) for t, _ in e.answers]
            q, qvec, hits = search(e.question, index, emb, k=30)
            for answerable in (True, False):
                hs = hits[:10] if answerable else [h for h in hits if article[h.chunk.doc] != e.title][:10]
                cands = with_cosines(usable(q, candidates(q, hs, index, reader)), qvec, emb)
                labels = [any(g in normalize(c.answer) for g in golds) for c in cands]
                if not answerable and any(labels):
                    continue  # another article answers it
                out.append(("drcd", answerable, q, cands, labels if answerable else [False] * len(cands)))
            if (n + 1) % 50 == 0:
                progress(f"drcd tuning: {n + 1}/{len(exs)}")
    return out


def _source_weights(gs) -> dict[str, float]:
    """Each source (the report, DRCD) weighs as much as the other in total, whatever its size."""
    n = {src: sum(g[0] == src for g in gs) for src in {g[0] for g in gs}}
    return {src: 1.0 / (len(n) * k) for src, k in n.items()}


def _standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mu, sd = x.mean(0), x.std(0)
    sd[sd == 0] = 1.0
    return (x - mu) / sd, mu, sd


def _raw(w: np.ndarray, b: float, mu: np.ndarray, sd: np.ndarray, names) -> Logistic:
    """Weights fitted on standardized features, back on the raw features."""
    return Logistic(dict(zip(names, map(float, w / sd))), float(b - (w / sd) @ mu))


def fit_rank(gs, features=RANK_FEATURES) -> Logistic:
    """Conditional logit: maximise the probability mass the softmax over candidates puts on right ones."""
    from scipy.optimize import minimize

    kept = [g for g in gs if g[1] and any(g[4]) and not all(g[4])]
    weight = _source_weights(kept)
    allx = np.array([[c.features()[f] for f in features] for g in kept for c in g[3]])
    _, mu, sd = _standardize(allx)
    data = [((np.array([[c.features()[f] for f in features] for c in cands]) - mu) / sd,
             np.array(labels, bool), weight[src]) for src, _, _, cands, labels in kept]

    def loss(w):
        total, grad = L2 * w @ w, 2 * L2 * w
        for x, y, k in data:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            py = p[y].sum()
            total -= k * np.log(py + 1e-12)
            grad -= k * ((p[y] @ x[y]) / (py + 1e-12) - p @ x)
        return total, grad

    w = minimize(loss, np.zeros(len(features)), jac=True, method="L-BFGS-B").x
    return _raw(w, 0.0, mu, sd, features)


def fit_abstain(gs, ranker: Logistic, features=ABSTAIN_FEATURES) -> Logistic:
    """Logistic regression, answerable against not; then the bias is moved so that no more than
    ``WRONGLY_ABSTAINED`` of the answerable questions of each source are abstained on."""
    from sklearn.linear_model import LogisticRegression

    x, y, w = [], [], []
    kept = [g for g in gs if g[3]]
    weight = _source_weights(kept)
    for src, ok, _, cands, _ in kept:
        best = rank(list(cands), ranker)[0]
        f = best.features()
        x.append([f[k] for k in features])
        y.append(ok)
        w.append(weight[src] / sum(g[1] == ok and g[0] == src for g in kept) * sum(g[0] == src for g in kept) / 2)
    x, y, w = np.array(x), np.array(y), np.array(w)
    xs, mu, sd = _standardize(x)
    m = LogisticRegression(C=1 / L2).fit(xs, y, sample_weight=w * len(w))
    z = xs[y] @ m.coef_[0]  # answerable questions' log-odds without the bias
    order = np.argsort(z)
    src = np.array([g[0] for g in kept])[y][order]
    cut = min(z[order][src == s][int(WRONGLY_ABSTAINED * (src == s).sum())] for s in set(src))  # abstain below
    bias = max(float(m.intercept_[0]), -float(cut))
    return _raw(m.coef_[0], bias, mu, sd, features)


def replay(g, ranker: Logistic, abstain: Logistic, stages: Stages):
    """What ``qa.answer.read_in_stages`` picks for a tuning question: (candidate or None, windows read,
    stages read)."""
    cands = g[3]
    n = max((c.window for c in cands), default=0) + 1
    best, z, upto, k = None, -math.inf, n, 0
    for k, upto in enumerate(stages.sizes or (n,), start=1):
        part = [c for c in cands if c.window < upto]
        if part:
            best = rank(list(part), ranker)[0]
            z = abstain(best.features())
            if z >= stages.logit:
                break
        if upto >= n:
            break
    return (best if z >= 0 else None), min(upto, n), k


def _correct(g, pick) -> bool:
    return bool(pick is not None and g[4][g[3].index(pick)]) if g[1] else pick is None


def fit_stages(gs, ranker: Logistic, abstain: Logistic) -> tuple[Stages, dict]:
    """The schedule of reading and the stopping log-odds that read the fewest windows while changing
    the outcome (right answer, or abstention on an unanswerable question) of at most ``STOP_LOSS`` of
    each source's tuning questions, against reading every window at once."""
    full = {id(g): _correct(g, replay(g, ranker, abstain, Stages())[0]) for g in gs}
    sources = {g[0] for g in gs}
    zs = sorted({z for g in gs for c in g[3] for z in [round(abstain(c.features()), 3)] if z >= 0})
    best, table = None, {}
    for sizes in SCHEDULES:
        chosen = None
        for logit in [0.0] + zs[::max(1, len(zs) // 400)] + [math.inf]:
            st = Stages(sizes, logit)
            runs = [(g, replay(g, ranker, abstain, st)) for g in gs]
            lost = {src: sum(full[id(g)] and not _correct(g, r[0]) for g, r in runs if g[0] == src) for src in sources}
            if all(lost[src] <= STOP_LOSS * sum(g[0] == src for g in gs) for src in sources):
                cost = float(np.mean([r[1] + STAGE_COST * (r[2] - 1) for _, r in runs]))
                chosen = (cost, st, float(np.mean([r[1] for _, r in runs])))
                break
        table[str(sizes)] = {"logit": chosen[1].logit, "windows": round(chosen[2], 3), "cost": round(chosen[0], 3)}
        if best is None or chosen[0] < best[0]:
            best = chosen
    return best[1], table


def _figures(gs, picks: list) -> dict:
    """Per source: right answers, answerable and unanswerable questions abstained on, for the picks
    (a candidate or None) made for each tuning question."""
    out = {}
    for src in ("report", "drcd"):
        ans = [i for i, g in enumerate(gs) if g[0] == src and g[1]]
        una = [i for i, g in enumerate(gs) if g[0] == src and not g[1]]
        out[src] = {"right": round(sum(_correct(gs[i], picks[i]) for i in ans) / max(1, len(ans)), 4),
                    "answerable_abstained": round(sum(picks[i] is None for i in ans) / max(1, len(ans)), 4),
                    "unanswerable_abstained": round(sum(picks[i] is None for i in una) / max(1, len(una)), 4)}
    return out


def report(gs, ranker: Logistic, abstain: Logistic, stages: Stages | None = None) -> dict:
    """In-sample figures per source: right answer chosen, unanswerable abstained, answerable abstained."""
    runs = [replay(g, ranker, abstain, stages or Stages()) for g in gs]
    out = _figures(gs, [r[0] for r in runs])
    for src, fig in out.items():
        ans = [g for g in gs if g[0] == src and g[1]]
        first = sum(bool(g[3] and g[4][g[3].index(rank(list(g[3]), ranker)[0])]) for g in ans)
        fig |= {"answerable": len(ans), "unanswerable": sum(g[0] == src and not g[1] for g in gs),
                "right_before_abstention": round(first / max(1, len(ans)), 4),
                "right_somewhere": round(sum(any(g[4]) for g in ans) / max(1, len(ans)), 4),
                "windows_read": round(float(np.mean([r[1] for g, r in zip(gs, runs) if g[0] == src])), 3)}
    return out


FOLDS = 5


def cross_validate(gs, variants: dict[str, tuple[tuple, tuple]]) -> dict:
    """Out-of-fold figures of feature sets (name → (rank features, abstention features)): the tuning
    questions in ``FOLDS`` folds (a question's answerable and unanswerable askings in the same fold),
    each fold judged by models fitted on the others. In-sample figures always favour more features;
    these do not, so a feature stays only if it helps here."""
    import zlib

    fold = [zlib.crc32(g[2].text.encode()) % FOLDS for g in gs]
    out = {}
    for name, (rank_f, abstain_f) in variants.items():
        picks = [None] * len(gs)
        for k in range(FOLDS):
            train = [g for g, f in zip(gs, fold) if f != k]
            ranker = fit_rank(train, rank_f)
            abstain = fit_abstain(train, ranker, abstain_f)
            for i, g in enumerate(gs):
                if fold[i] == k:
                    picks[i] = replay(g, ranker, abstain, Stages())[0]
        out[name] = fig = _figures(gs, picks)
        print(name, json.dumps(fig), flush=True)
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reader", default=None, help="reader weights folder (default: the shipped ones)")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--cache", default=None, help="keep the read candidates in this file (refits skip reading)")
    ap.add_argument("--retrieval", action="store_true", help="only measure W_PARAGRAPH values")
    ap.add_argument("--read-top", type=int, default=0, help="windows read per question (default: READ_TOP)")
    ap.add_argument("--cv", action="store_true", help="only print out-of-fold figures of feature sets")
    a = ap.parse_args(argv)
    if a.read_top:
        import qa.reading

        qa.reading.READ_TOP = a.read_top
    if a.retrieval:
        return retrieval_grid()
    reader = Reader(a.reader)
    if a.cache and Path(a.cache).exists():
        gs = pickle.loads(Path(a.cache).read_bytes())
    else:
        gs = groups(reader)
        if a.cache:
            Path(a.cache).write_bytes(pickle.dumps(gs))
    if a.cv:
        without = tuple(f for f in RANK_FEATURES if f != "clause_margin")
        return cross_validate(gs, {
            "all features": (RANK_FEATURES, ABSTAIN_FEATURES),
            "clause_margin in ranking only": (RANK_FEATURES, tuple(f for f in ABSTAIN_FEATURES if f != "clause_margin")),
            "without clause_margin": (without, tuple(f for f in ABSTAIN_FEATURES if f != "clause_margin"))})
    ranker = fit_rank(gs)
    abstain = fit_abstain(gs, ranker)
    stop, schedules = fit_stages(gs, ranker, abstain)
    print(json.dumps({"schedules": schedules, "all_at_once": report(gs, ranker, abstain)}, indent=2))
    figures = report(gs, ranker, abstain, stop)
    use = {"rank": ranker.to_dict(), "abstain": abstain.to_dict(), "stop": stop.to_dict(), "tuning_figures": figures,
           "fitted_on": f"report dev set + DRCD dev's last {TUNE_ARTICLES} articles (benchmarks/fit_reading.py)"}
    print(json.dumps(use, indent=2, ensure_ascii=False))
    if not a.dry_run:
        path = reader.weights_dir / "reader.json"
        record = json.loads(path.read_text())
        record["use"] = use
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return use


if __name__ == "__main__":
    main()
