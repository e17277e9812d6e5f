"""Answering a question, start to end, one stage after another::

    text ─ followup.resolve ─ question.analyse ─ scope.read ─ retrieve ─ windows ─ candidates ─ decide ─ Answer

The question is resolved against the conversation and analysed once; the scope says which reports may answer
(a place or year no report covers ends here, "not found"); the reports in scope are retrieved from and read
together, in one pass (where only the most recent reports may answer, the others only in its first stage:
:func:`.windows.answer_first`); the decision takes the first document set of :attr:`.scope.Scope.order` whose
candidates answer, and what each other report's candidates answer is listed beside it; the :class:`Answer` is
then built once, with its citations labelled by their reports.

:func:`answer` is what :func:`qa.api.ask` runs once it has the index, the embedder and the reader.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from ..index.store import Index
from ..model.reader import get_reader
from ..text.tokens import fold
from . import scope as scoping
from .decide import choose, item_asked, read_in_stages
from .features import Candidate, check_heads, subjects_of
from .heads import NAMED_SHARE, Match, matched
from .followup import resolve
from .question import Question, analyse
from .result import PARTS_JOIN, Answer, Citation, NotFound, Part, citation
from .shapes import Piece, pieces, under
from .retrieve import FUSION, Fusion, Hit, retrieve
from .windows import READ_K, READ_TOP, ReadOnce, answer_first

ITEM_ASKED = True  # the answer is narrowed to the list item the question names (decide.item_asked; docs/measurements.md)
_checked: set[int] = set()  # readers whose fitted models were checked against the features (once each)
_checked_lock = threading.Lock()


def search(question: str, index: Index, embedder, k: int = READ_K, fusion: Fusion = FUSION, bridge: bool = True,
           allowed: frozenset[str] | None = None) -> tuple[Question, np.ndarray, list[Hit]]:
    """The analysed question, its vector and its k best hits (what :func:`read` reads). ``bridge``: English
    words reach Chinese text through the dictionary (off: for the ablation); ``allowed``: the documents that may
    answer (None: all)."""
    q = analyse(question, bridge)
    qvec = embedder.encode_queries([q.embed_text])[0]
    return q, qvec, retrieve(index, q, qvec, k=k, fusion=fusion, allowed=allowed)


@dataclass(frozen=True)
class Found:
    """What reading one document set gave: the chosen candidate and its span (None: no answer, and why), the
    passages to cite (chunk, score) best first, and what the decision saw."""
    best: Candidate | None
    span: tuple[int, int]  # the answer inside best.chunk.text
    cites: tuple
    reason: NotFound | None
    features: dict
    read: tuple = ()  # every candidate read, ranked (several reports: what the others answer is chosen from them)

    @property
    def answered(self) -> bool:
        return self.best is not None and self.reason is None

    @property
    def source(self) -> str:
        return self.best.chunk.doc if self.answered else ""


def answer(text: str, index: Index, embedder, top_k: int = 5, history: Sequence[str | Answer] = (),
           reader=None, item_rule: bool = ITEM_ASKED, bridge: bool = True,
           documents: Sequence[str] | None = None) -> Answer:
    """Answer a prepared question (:func:`qa.answering.question.prepare`) from ``index``.

    ``history`` holds the conversation's earlier questions, oldest first: strings or their :class:`Answer`; a
    follow-up that names only a new subject is answered as the previous question with that subject
    (``Answer.resolved``). ``item_rule`` and ``bridge`` are on by default; off, they give the ablations of
    docs/measurements.md. ``documents``: the documents picked by hand (ids; None: all); within them the place and
    year the question names choose the reports (:mod:`.scope`)."""
    previous = [h.resolved or h.question if isinstance(h, Answer) else str(h) for h in history]
    previous = [p for p in previous if p][-1:]  # a follow-up refers to the question just before it
    resolved = resolve(text, previous, embed=embedder.encode_queries) if previous else text
    q = analyse(resolved, bridge)
    where = scoping.read(q, index, documents)
    if where.missing:
        why = NotFound("not covered", q.english, where.missing, where.place, where.year, documents is not None)
        return Answer(resolved, "", True, (), why.message, kind=q.kind, resolved=resolved,
                      features={"reason": why.kind, "missing": why.what}, reason=why)
    qvec = embedder.encode_queries([q.embed_text])[0]
    reader = reader or get_reader()
    _check(reader)
    reader = ReadOnce(reader)  # a window read twice (the first report alone, below) is read once

    def similarity(texts: list[str]) -> np.ndarray:
        """Cosines of passages to the question."""
        return embedder.encode_passages(texts) @ qvec

    k = max(top_k, READ_K)
    hits = retrieve(index, q, qvec, k=k, allowed=where.allowed)
    groups = where.order if where.several else ()
    stages: tuple[int, ...] = ()
    if len(groups) == 1:  # only the first reports answer, the others are listed beside: read as deep as alone
        sizes = reader.heads().stop.sizes or (READ_TOP,)
        hits, stages = answer_first(index, hits, retrieve(index, q, qvec, k=k, allowed=groups[0]), groups[0], sizes)
    found = read(q, hits, index, similarity, reader, item_rule, groups, stages)
    if len(groups) > 1 and not found.answered:  # the other reports' passages may have crowded the first's out: it alone
        # (dev questions over the seed and 18 reports: read for 30 of 82, 29 of them with none of the first report's
        # passages among the 6 read; reading only its first stage here loses real-report r081)
        alone = read(q, retrieve(index, q, qvec, k=k, allowed=groups[0]), index, similarity, reader, item_rule)
        found = alone if alone.answered else found
    others = _others(q, found, where, index, reader, similarity, item_rule) if where.several else ()
    return _answer(q, resolved, found, index, top_k, others, _head(q, qvec, found, where, index))


def _head(q: Question, qvec: np.ndarray, found: Found, where: scoping.Scope, index: Index) -> Match | None:
    """A measures question's head (:func:`.heads.matched`): what its answer stands under, in the report that answers
    (none does: the first in scope). A question no candidate answers is answered from the head only when it names
    it (:data:`~.heads.NAMED_SHARE` of a clause of its title) and its title or body says each of the question's
    subjects: the reader looks for a span, and a measures question has none, but a head named by generic words
    (发展, 产业) may be a neighbour's topic (现代种业)."""
    if q.shape != "measures":
        return None
    docs = [found.source] if found.answered else sorted(where.order[0] or index.documents)
    got = matched(q, qvec, index, docs)
    if got is None or found.answered:
        return got
    doc = index.documents[got.body.head.doc]
    said = fold(doc.text[got.body.head.start:got.body.head.end] + "".join(c.text for c in got.body.chunks))
    subjects = subjects_of(q, index.bm25, index.place_words)
    return got if got.share >= NAMED_SHARE and all(any(w in said for w in s.words) for s in subjects) else None


def _others(q: Question, found: Found, where: scoping.Scope, index: Index, reader, similarity, item_rule: bool
            ) -> tuple[Citation, ...]:
    """What each other report in scope answers, from the candidates read with the answer's (the first
    :data:`~.scope.MAX_OTHERS` that answer, most recent first)."""
    subjects = subjects_of(q, index.bm25, index.place_words)
    out = []
    for doc in where.others(found.source):
        best, _ = choose(q, [c for c in found.read if c.chunk.doc == doc], reader.heads().abstain, similarity,
                         subjects)
        if best is not None:
            span = item_asked(q, best, index.bm25) if item_rule else (best.answer_start, best.answer_end)
            out.append(citation(best.chunk, best.hit.score, span, index.label(doc)))
        if len(out) == scoping.MAX_OTHERS:
            break
    return tuple(out)


def _check(reader) -> None:
    """Refuse a reader whose fitted models were fitted on other features (once a reader)."""
    with _checked_lock:
        if id(reader) not in _checked:
            check_heads(reader.heads().features, str(getattr(reader, "weights_dir", "the reader")))
            _checked.add(id(reader))


def read(q: Question, hits: list[Hit], index: Index, similarity, reader, item_rule: bool = ITEM_ASKED,
         groups: Sequence[frozenset[str]] = (), stages: tuple[int, ...] = ()) -> Found:
    """Read the windows around the first :data:`READ_K` hits and decide: the best candidate, or why there is none.

    ``similarity(texts)`` gives the cosines of texts to the question (the chosen answer's, for the abstention
    model); ``groups``: the document sets that may answer, in turn (several reports; the passages cited are those
    of the set that answers, or of the first); ``stages``: a reading planned by :func:`.windows.answer_first`
    (every hit given is read in these stages)."""
    heads = reader.heads()
    ranked, best, reason = read_in_stages(q, hits if stages else hits[:READ_K], index, reader, heads, similarity,
                                          groups, stages)
    if groups:
        docs = next((g for g in groups if best is not None and best.chunk.doc in g), groups[0])
        hits = [h for h in hits if h.chunk.doc in docs]
    if not ranked:
        return Found(None, (0, 0), (), NotFound("reader", q.english), {})
    cited = [c for c in ranked if not groups or c.chunk.doc in docs]
    cites, seen = [], set()
    for chunk, score in ([(best.chunk, best.hit.score)] if best else []) + [(c.chunk, c.hit.score) for c in cited] \
            + [(h.chunk, h.score) for h in hits]:
        if chunk.id not in seen:
            seen.add(chunk.id)
            cites.append((chunk, score))
    top = best or (cited or ranked)[0]
    feats = {k: round(v, 4) for k, v in top.features().items()} | {"answer_logit": round(heads.abstain(top.features()), 4)}
    if reason:
        if reason.cited >= 0:  # the passage that says what there is, cited first
            cites.sort(key=lambda cs: cs[0].id != reason.cited)
        return Found(None, (0, 0), tuple(cites), reason, feats | {"reason": reason.kind, "missing": reason.what},
                     tuple(ranked))
    span = item_asked(q, best, index.bm25) if item_rule else (best.answer_start, best.answer_end)
    return Found(best, span, tuple(cites), None, feats, tuple(ranked))


def _cited(found: Found, index: Index) -> Citation:
    """The first passage a reading cites, its answer highlighted."""
    chunk, score = found.cites[0]
    return citation(chunk, score, found.span if found.answered else None, index.label(chunk.doc))


def _answer(q: Question, resolved: str, found: Found, index: Index, top_k: int, others: tuple[Citation, ...],
            head: Match | None = None) -> Answer:
    """The :class:`Answer` of a reading, built once; ``head``: what a measures question is about (:func:`_head`)."""
    cites = tuple(citation(ch, sc, found.span if k == 0 and found.answered else None, index.label(ch.doc))
                  for k, (ch, sc) in enumerate(found.cites[:top_k]))
    if found.answered:
        score = found.cites[0][1]
        grown = pieces(q, found.best.chunk, found.span, index, head.body.head if head else None)
    else:
        score = head.cosine if head else 0.0
        grown = under(head.body.head, index, q) if head else []
    if not grown:
        return Answer(q.text, "", True, cites, found.reason.message, kind=q.kind, resolved=resolved,
                      features=found.features, others=others, reason=found.reason)
    parts = tuple(_part(p, index, score) for p in grown)
    features = found.features
    if not found.answered:  # a head answers: its first part cited first, then the passages read
        cites = (parts[0].citation,) + cites[:top_k - 1]
        features = {k: v for k, v in features.items() if k not in ("reason", "missing")} | {
            "head_cosine": round(head.cosine, 4), "head_share": round(head.share, 4)}
    elif len(parts) == 1 and parts[0].citation.highlight != cites[0].highlight:  # the span was grown or moved
        cites = (parts[0].citation,) + cites[1:]
    elif all(p.citation.highlight and p.citation.same_passage(cites[0]) for p in parts):  # one sentence's items:
        run = (min(p.citation.highlight[0] for p in parts), max(p.citation.highlight[1] for p in parts))  # their run
        cites = (replace(cites[0], highlight=run),) + cites[1:]
    same_doc = {p.doc for p in parts} == {parts[0].doc}
    start, end = (min(p.start for p in parts), max(p.end for p in parts)) if same_doc else (parts[0].start, parts[0].end)
    return Answer(q.text, PARTS_JOIN.join(p.text for p in parts), False, cites, "", start, end, q.kind,
                  resolved=resolved, features=features, others=others, parts=parts, shape=q.shape)


def _part(p: Piece, index: Index, score: float) -> Part:
    """A piece made a part: its text and offsets in the document, and its citation."""
    if p.chunk is None:  # an outline node: the heading or lead itself is quoted
        doc = index.documents[p.doc]
        text = doc.text[p.start:p.end].replace("\n", "")
        parent = doc.outline[p.node.parent].title if p.node.parent >= 0 else ""
        c = Citation(p.doc, doc.title, parent, text, p.start, p.end, round(float(score), 4), (0, len(text)),
                     label=index.label(p.doc))
        return Part(text, p.doc, p.start, p.end, c)
    chunk = p.chunk
    start, end = index.file_offset(chunk, p.start), index.file_offset(chunk, p.end - 1) + 1
    return Part(chunk.text[p.start:p.end], chunk.doc, start, end,
                citation(chunk, score, (p.start, p.end), index.label(chunk.doc)))
