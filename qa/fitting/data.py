"""The tuning questions of the fit, each read once: retrieval, the reader's windows, the candidates.

Never DRCD test, XQuAD's validation articles or ``eval/report_qa_extra.jsonl`` (the validation sets):

* ``report``: the report's dev set (``eval/report_qa_dev.jsonl``) over the project's index, its unanswerable
  questions included;
* ``drcd``: DRCD dev's last ``TUNE_ARTICLES`` articles (kept out of the reader's training) as a corpus of one
  document per paragraph; each question is asked once over the corpus (answerable), once with its own
  article's sentences taken out of the hits (no answer left, unless another article holds it: then it is not
  counted as unanswerable), and once as a near miss (:func:`qa.training.augment.near_miss`: its subject, unit or
  period changed; unanswerable);
* ``xquad``: XQuAD's articles ``XQUAD_TUNE`` (20-23, kept out of the reader's training), English and Chinese
  questions over the paragraphs of articles 0-23 as documents, answerable and with their own article out.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..answering.candidates import candidates, usable
from ..answering.features import Candidate, subjects_of
from ..answering.pipeline import search
from ..answering.question import Question
from ..answering.retrieve import FUSION, Fusion
from ..api import build_index, load_index
from ..evaluation.mrc import normalize, write_corpus
from ..evaluation.report import answer_hits, load_gold
from ..model.embedding import get_embedder
from ..training.augment import near_miss, noun_pool
from ..training.data import TUNE_ARTICLES, XQUAD_TUNE, Example, load_squad, load_xquad


@dataclass
class Asked:
    """One tuning question as read: where it comes from, whether it has an answer, its usable candidates and
    which of them hold a gold answer."""
    source: str
    answerable: bool
    question: Question
    candidates: list[Candidate]
    labels: list[bool] = field(default_factory=list)


def _usable(q: Question, cands: list[Candidate], qvec, embedder, index) -> list[Candidate]:
    """The candidates the decision may pick (same filters, before abstention), each with its answer's cosine
    (at question time only the chosen one's is computed)."""
    out = usable(q, cands, subjects_of(q, index.bm25, index.place_words))[0]
    if out:
        for c, cos in zip(out, embedder.encode_passages([c.answer for c in out]) @ qvec):
            c.answer_cosine = float(cos)
    return out


def report_questions(reader, gold: Path, index_dir: Path | None = None, fusion: Fusion = FUSION) -> list[Asked]:
    """The report's dev set over the report's index."""
    index = load_index(index_dir)
    emb = get_embedder(index.model_id)
    out = []
    for g in load_gold(gold):
        q, qvec, hits = search(g["question"], index, emb, fusion=fusion)
        cands = _usable(q, candidates(q, hits, index, reader), qvec, emb, index)
        ok = g["type"] != "unanswerable"
        out.append(Asked("report", ok, q, cands, [ok and answer_hits(c.answer, g["answers"], g["type"]) for c in cands]))
    return out


@contextmanager
def corpus(exs: list[Example]):
    """Paragraphs as an index of one document each: (index, qid → document, document → article title)."""
    with tempfile.TemporaryDirectory() as tmp:
        where = write_corpus(exs, Path(tmp) / "docs")
        build_index(sources=[Path(tmp) / "docs"], index_dir=Path(tmp) / "index")
        yield load_index(Path(tmp) / "index"), where, {where[e.qid]: e.title for e in exs}


def drcd_tuning(data_dir: Path) -> list[Example]:
    """DRCD dev's tuning split (its last ``TUNE_ARTICLES`` articles), answerable questions."""
    return [e for e in load_squad(Path(data_dir) / "drcd_dev.json", articles=slice(-TUNE_ARTICLES, None)) if e.answers]


def _ask(source: str, exs: list[Example], asked: list[Example], reader, index, where, article, fusion, progress,
         near_misses: bool = False, seed: int = 0) -> list[Asked]:
    """Each question of ``asked`` over the corpus (answerable), with its own article out (unanswerable unless
    another article answers it) and, with ``near_misses``, as a near miss (unanswerable)."""
    import random

    out = []
    emb = get_embedder(index.model_id)
    rng, pool = random.Random(seed), noun_pool([e.question for e in exs])
    for n, e in enumerate(asked):
        golds = [normalize(t) for t, _ in e.answers]
        q, qvec, hits = search(e.question, index, emb, k=30, fusion=fusion)
        for answerable in (True, False):
            hs = hits[:10] if answerable else [h for h in hits if article[h.chunk.doc] != e.title][:10]
            cands = _usable(q, candidates(q, hs, index, reader), qvec, emb, index)
            labels = [any(g in normalize(c.answer) for g in golds) for c in cands]
            if not answerable and any(labels):
                continue  # another article answers it
            out.append(Asked(source, answerable, q, cands, labels if answerable else [False] * len(cands)))
        miss = near_misses and near_miss(e.question, e.context, rng, pool)
        if miss:
            q, qvec, hits = search(miss[0], index, emb, k=10, fusion=fusion)
            cands = _usable(q, candidates(q, hits, index, reader), qvec, emb, index)
            out.append(Asked(source, False, q, cands, [False] * len(cands)))
        if (n + 1) % 50 == 0:
            progress(f"{source} tuning: {n + 1}/{len(asked)}")
    return out


def drcd_questions(reader, data_dir: Path, fusion: Fusion = FUSION, progress=print, near_misses: bool = True
                   ) -> list[Asked]:
    """DRCD dev's tuning split: each question answerable, unanswerable (its article out) and as a near miss."""
    exs = drcd_tuning(data_dir)
    with corpus(exs) as (index, where, article):
        return _ask("drcd", exs, exs, reader, index, where, article, fusion, progress, near_misses)


def xquad_questions(reader, data_dir: Path, fusion: Fusion = FUSION, progress=print) -> list[Asked]:
    """XQuAD's tuning articles, English and Chinese questions, over the paragraphs of articles 0-23."""
    paragraphs = load_xquad(data_dir, slice(0, XQUAD_TUNE.stop), english=False)
    asked = load_xquad(data_dir, XQUAD_TUNE, english=True) + load_xquad(data_dir, XQUAD_TUNE, english=False)
    with corpus(paragraphs) as (index, where, article):
        return _ask("xquad", paragraphs, asked, reader, index, where, article, fusion, progress)


SOURCES = ("report", "drcd", "xquad")


def tuning_questions(reader, data_dir: Path, gold: Path, index_dir: Path | None = None, fusion: Fusion = FUSION,
                     progress=print, sources=SOURCES, near_misses: bool = True) -> list[Asked]:
    """All tuning questions of the sources, read."""
    out = []
    if "report" in sources:
        out += report_questions(reader, gold, index_dir, fusion)
        progress(f"report dev: {len(out)} questions")
    if "drcd" in sources:
        out += drcd_questions(reader, data_dir, fusion, progress, near_misses)
    if "xquad" in sources:
        out += xquad_questions(reader, data_dir, fusion, progress)
    return out


def paragraph_weights(data_dir: Path, gold: Path, values=(0.0, 0.05, 0.1, 0.2, 0.3), index_dir: Path | None = None,
                      progress=print) -> dict[float, tuple[float, float]]:
    """doc@1 on the DRCD tuning split and retrieval cite@1 on the report dev set for values of the paragraph
    weight of :class:`qa.answering.retrieve.Fusion`."""
    from dataclasses import replace

    from ..evaluation.report import quote_supports

    report = load_index(index_dir)
    emb = get_embedder(report.model_id)
    gold_qs = [g for g in load_gold(gold) if g["type"] != "unanswerable"]
    out = {}
    exs = drcd_tuning(data_dir)
    with corpus(exs) as (index, where, _):
        for w in values:
            fusion = replace(FUSION, paragraph=w)
            doc1 = sum(search(e.question, index, emb, k=1, fusion=fusion)[2][0].chunk.doc == where[e.qid]
                       for e in exs) / len(exs)
            cite1 = sum(quote_supports(search(g["question"], report, emb, k=1, fusion=fusion)[2][0].chunk.text,
                                       g["evidence"], g["answers"]) for g in gold_qs) / len(gold_qs)
            out[w] = (doc1, cite1)
            progress(f"paragraph weight {w}: tuning doc@1 {doc1:.4f}, report dev retrieval cite@1 {cite1:.4f}")
    return out
