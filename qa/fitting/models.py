"""The fits: ranking (a conditional logit over each question's candidates, the right ones being those that hold a
gold answer), abstention (a logistic regression on the chosen candidate, answerable against unanswerable
questions, each source weighing the same), and the stages of reading (chosen last, by replaying each question's
candidates window by window). All over :meth:`qa.answering.features.Candidate.features`."""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field

import numpy as np

from ..answering.decide import rank
from ..model.heads import Logistic, Stages
from .data import Asked

RANK_FEATURES = ("margin", "reader_margin", "reader", "clause_margin", "rules", "coverage", "focus", "retrieval", "dense",
                 "subject_answer", "subject_context")
# the subject features by language, and the language itself: English questions' subjects are found through the
# dictionary, and their margins run higher on passages that do not answer (`qa fit-reader --cv`, docs/measurements.md)
ABSTAIN_FEATURES = ("score", "margin", "clause_margin", "rules", "coverage", "focus", "dense", "answer_cosine",
                    "subject_answer_zh", "subject_context_zh", "subject_answer_en", "subject_context_en", "english")
SUBJECT_FEATURES = ("subject_answer", "subject_context", "subject_answer_zh", "subject_context_zh",
                    "subject_answer_en", "subject_context_en")  # the subject check, for its ablation


def _setting(default, text: str):
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class FitSettings:
    l2: float = _setting(0.001, "ridge on both models' standardized weights")
    lost_right: float = _setting(0.02, "largest share of the right answers the abstention may refuse (each source "
                                       "weighing the same); refusing an answer that would be wrong is its purpose")
    # reading stages tried (windows read by each)
    schedules: tuple[tuple[int, ...], ...] = ((1, 6), (1, 2, 6), (1, 3, 6), (2, 6), (2, 4, 6), (3, 6), (1, 2, 4, 6), (6,))
    stop_loss: float = _setting(0.0, "largest share of each source's outcomes reading in stages may change (0.005 "
                                     "stopped at log-odds 1.819: one English answer of the extra set lost)")
    stage_cost: float = _setting(0.4, "cost of an extra stage, in rounds of reading (the answer's embedding and a "
                                      "ranking, about 6 ms, against 14 ms a round)")
    threads: int = _setting(2, "windows read side by side, one a core (a round reads this many): the 2 cores shipped for")
    folds: int = _setting(5, "folds of --cv")


def _source_weights(gs: list[Asked]) -> dict[str, float]:
    """Each source weighs as much as any other in total, whatever its size."""
    n = {src: sum(g.source == src for g in gs) for src in {g.source for g in gs}}
    return {src: 1.0 / (len(n) * k) for src, k in n.items()}


def _standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mu, sd = x.mean(0), x.std(0)
    sd[sd == 0] = 1.0
    return (x - mu) / sd, mu, sd


def _raw(w: np.ndarray, b: float, mu: np.ndarray, sd: np.ndarray, names) -> Logistic:
    """Weights fitted on standardized features, back on the raw features."""
    return Logistic(dict(zip(names, map(float, w / sd))), float(b - (w / sd) @ mu))


def fit_rank(gs: list[Asked], features=RANK_FEATURES, s: FitSettings = FitSettings()) -> Logistic:
    """Conditional logit: maximise the probability mass the softmax over candidates puts on right ones."""
    from scipy.optimize import minimize

    kept = [g for g in gs if g.answerable and any(g.labels) and not all(g.labels)]
    weight = _source_weights(kept)
    allx = np.array([[c.features()[f] for f in features] for g in kept for c in g.candidates])
    _, mu, sd = _standardize(allx)
    data = [((np.array([[c.features()[f] for f in features] for c in g.candidates]) - mu) / sd,
             np.array(g.labels, bool), weight[g.source]) for g in kept]

    def loss(w):
        total, grad = s.l2 * w @ w, 2 * s.l2 * w
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


def fit_abstain(gs: list[Asked], ranker: Logistic, features=ABSTAIN_FEATURES, s: FitSettings = FitSettings()) -> Logistic:
    """Logistic regression, answerable against not; then the bias is moved so that no more than ``s.lost_right``
    of the questions it would answer right are abstained on, each source weighing the same.

    Out of fold on the tuning questions (``qa fit-reader --cv``; docs/measurements.md): a cap on all answerable
    questions of each source let the hardest source (English questions) set the bias for all, and kept wrong
    answers the cap counted as losses: DRCD's near misses abstained 0.11; pooled over the sources, 0.30; capping
    the right answers lost at 0.02 instead, 0.33, at the same right answers on every source."""
    from sklearn.linear_model import LogisticRegression

    x, y, w, right = [], [], [], []
    kept = [g for g in gs if g.candidates]
    weight = _source_weights(kept)
    for g in kept:
        best = rank(list(g.candidates), ranker)[0]
        f = best.features()
        x.append([f[k] for k in features])
        y.append(g.answerable)
        right.append(g.answerable and g.labels[g.candidates.index(best)])
        same = sum(h.answerable == g.answerable and h.source == g.source for h in kept)
        w.append(weight[g.source] / same * sum(h.source == g.source for h in kept) / 2)
    x, y, w, right = np.array(x), np.array(y), np.array(w), np.array(right, bool)
    xs, mu, sd = _standardize(x)
    m = LogisticRegression(C=1 / s.l2, max_iter=1000).fit(xs, y, sample_weight=w * len(w))
    z = xs[right] @ m.coef_[0]  # right answers' log-odds without the bias
    src = np.array([g.source for g in kept])[right]
    share = np.array([1.0 / (src == k).sum() for k in src]) / len(set(src))  # each source weighs the same
    order = np.argsort(z)
    cut = z[order][min(len(z) - 1, int(np.searchsorted(np.cumsum(share[order]), s.lost_right)))]  # abstain below
    bias = max(float(m.intercept_[0]), -float(cut))
    return _raw(m.coef_[0], bias, mu, sd, features)


def replay(g: Asked, ranker: Logistic, abstain: Logistic, stages: Stages, threads: int = 2):
    """What :func:`qa.answering.decide.read_in_stages` picks for a tuning question: (candidate or None, windows
    read, stages read, rounds of reading: a stage reading n new windows, ``threads`` side by side, takes
    ceil(n / threads) rounds)."""
    cands = g.candidates
    n = max((c.window for c in cands), default=0) + 1
    best, z, upto, k, rounds, done = None, -math.inf, n, 0, 0, 0
    for k, upto in enumerate(stages.sizes or (n,), start=1):
        rounds += math.ceil(max(0, min(upto, n) - done) / threads)
        done = min(upto, n)
        part = [c for c in cands if c.window < upto]
        if part:
            best = rank(list(part), ranker)[0]
            z = abstain(best.features())
            if z >= stages.logit:
                break
        if upto >= n:
            break
    return (best if z >= 0 else None), min(upto, n), k, rounds


def correct(g: Asked, pick) -> bool:
    """A right answer to an answerable question, or none to an unanswerable one."""
    return bool(pick is not None and g.labels[g.candidates.index(pick)]) if g.answerable else pick is None


def fit_stages(gs: list[Asked], ranker: Logistic, abstain: Logistic, s: FitSettings = FitSettings()
               ) -> tuple[Stages, dict]:
    """The schedule of reading and the stopping log-odds that take the fewest rounds of reading (windows are read
    ``s.threads`` side by side: two windows cost what one does) while changing the outcome (right answer, or
    abstention on an unanswerable question) of at most ``s.stop_loss`` of each source's tuning questions, against
    reading every window at once."""
    full = {id(g): correct(g, replay(g, ranker, abstain, Stages())[0]) for g in gs}
    sources = {g.source for g in gs}
    zs = sorted({z for g in gs for c in g.candidates for z in [round(abstain(c.features()), 3)] if z >= 0})
    best, table = None, {}
    for sizes in s.schedules:
        chosen = None
        for logit in [0.0] + zs[::max(1, len(zs) // 400)] + [math.inf]:
            st = Stages(sizes, logit)
            runs = [(g, replay(g, ranker, abstain, st, s.threads)) for g in gs]
            lost = {src: sum(full[id(g)] and not correct(g, r[0]) for g, r in runs if g.source == src) for src in sources}
            if all(lost[src] <= s.stop_loss * sum(g.source == src for g in gs) for src in sources):
                cost = float(np.mean([r[3] + s.stage_cost * (r[2] - 1) for _, r in runs]))
                chosen = (cost, st, float(np.mean([r[1] for _, r in runs])))
                break
        if chosen is None:  # a schedule that never reads every window can lose more than stop_loss
            table[str(sizes)] = {"logit": None, "windows": None, "cost": None}
            continue
        table[str(sizes)] = {"logit": chosen[1].logit, "windows": round(chosen[2], 3), "cost": round(chosen[0], 3)}
        if best is None or chosen[0] < best[0]:
            best = chosen
    return best[1], table


def figures(gs: list[Asked], picks: list) -> dict:
    """Per source: right answers, answerable and unanswerable questions abstained on, for the picks (a candidate
    or None) made for each tuning question."""
    out = {}
    for src in sorted({g.source for g in gs}):
        ans = [i for i, g in enumerate(gs) if g.source == src and g.answerable]
        una = [i for i, g in enumerate(gs) if g.source == src and not g.answerable]
        out[src] = {"right": round(sum(correct(gs[i], picks[i]) for i in ans) / max(1, len(ans)), 4),
                    "answerable_abstained": round(sum(picks[i] is None for i in ans) / max(1, len(ans)), 4),
                    "unanswerable_abstained": round(sum(picks[i] is None for i in una) / max(1, len(una)), 4)}
    return out


def report(gs: list[Asked], ranker: Logistic, abstain: Logistic, stages: Stages | None = None) -> dict:
    """In-sample figures per source: right answer chosen, unanswerable abstained, answerable abstained."""
    runs = [replay(g, ranker, abstain, stages or Stages()) for g in gs]
    out = figures(gs, [r[0] for r in runs])
    for src, fig in out.items():
        ans = [g for g in gs if g.source == src and g.answerable]
        first = sum(bool(g.candidates and g.labels[g.candidates.index(rank(list(g.candidates), ranker)[0])]) for g in ans)
        fig |= {"answerable": len(ans), "unanswerable": sum(g.source == src and not g.answerable for g in gs),
                "right_before_abstention": round(first / max(1, len(ans)), 4),
                "right_somewhere": round(sum(any(g.labels) for g in ans) / max(1, len(ans)), 4),
                "windows_read": round(float(np.mean([r[1] for g, r in zip(gs, runs) if g.source == src])), 3)}
    return out


def cross_validate(gs: list[Asked], variants: dict[str, tuple[tuple, tuple]], s: FitSettings = FitSettings(),
                   progress=print) -> dict:
    """Out-of-fold figures of feature sets (name → (rank features, abstention features)): the tuning questions in
    ``s.folds`` folds (a question's answerable and unanswerable askings in the same fold), each fold judged by
    models fitted on the others. In-sample figures always favour more features; these do not, so a feature
    stays only if it helps here."""
    fold = [zlib.crc32(g.question.text.encode()) % s.folds for g in gs]
    out = {}
    for name, (rank_f, abstain_f) in variants.items():
        picks = [None] * len(gs)
        for k in range(s.folds):
            train = [g for g, f in zip(gs, fold) if f != k]
            ranker = fit_rank(train, rank_f, s)
            abstain = fit_abstain(train, ranker, abstain_f, s)
            for i, g in enumerate(gs):
                if fold[i] == k:
                    picks[i] = replay(g, ranker, abstain, Stages())[0]
        out[name] = fig = figures(gs, picks)
        progress(f"{name} {json.dumps(fig)}")
    return out
