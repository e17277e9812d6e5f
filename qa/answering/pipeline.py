"""Answering a question, start to end: the question read (a follow-up resolved against the conversation),
retrieval, reading in stages, the decision, the :class:`Answer` with its citations.

    question ─ followup.resolve ─ question.analyse ─ retrieve ─ windows ─ candidates ─ decide ─ Answer

:func:`answer` is what :func:`qa.api.ask` runs once it has the index, the embedder and the reader.
"""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from ..index.store import Index
from ..model.reader import get_reader
from .decide import item_asked, message, read_in_stages
from .features import check_heads, missing, subjects_of
from .followup import resolve
from .question import Question, analyse
from .result import Answer, citation
from .retrieve import FUSION, Fusion, Hit, retrieve
from . import scope

HISTORY_TURNS = 3  # earlier questions a follow-up may refer to
ITEM_ASKED = True  # the answer is narrowed to the list item the question names (decide.item_asked; docs/measurements.md)
_checked: set[int] = set()  # readers whose fitted models were checked against the features (once each)
_checked_lock = threading.Lock()


def search(question: str, index: Index, embedder, k: int = 10, fusion: Fusion = FUSION, bridge: bool = True,
           allowed: frozenset[str] | None = None) -> tuple[Question, np.ndarray, list[Hit]]:
    """The analysed question, its vector and its k best hits (what :func:`answer_from` reads). ``bridge``: English
    words reach Chinese text through the dictionary (off: for the ablation); ``allowed``: the documents that may
    answer (None: all)."""
    q = analyse(question, bridge)
    qvec = embedder.encode_queries([q.embed_text])[0]
    return q, qvec, retrieve(index, q, qvec, k=k, fusion=fusion, allowed=allowed)


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
    previous = [p for p in previous if p][-HISTORY_TURNS:]
    resolved = resolve(text, previous, embed=embedder.encode_queries) if previous else text
    where = scope.read(resolved, index, documents)
    if where.missing:
        result = scope.not_covered(where, resolved, chosen=documents is not None)
        result.kind, result.resolved = analyse(resolved, bridge).kind, resolved
        return result
    q = analyse(resolved, bridge)
    qvec = embedder.encode_queries([q.embed_text])[0]

    def similarity(texts: list[str]) -> np.ndarray:
        """Cosines of passages to the question."""
        return embedder.encode_passages(texts) @ qvec

    def answer_among(docs: frozenset[str] | None) -> Answer:
        return answer_from(q, retrieve(index, q, qvec, k=max(top_k, 10), allowed=docs), index, top_k, similarity,
                           reader, item_rule)

    if where.several:  # several reports: the most recent that answers, the others' answers beside it
        result = scope.answer_in_scope(where, answer_among)
    else:
        result = answer_among(where.allowed)
    result.resolved = resolved
    return scope.labelled(result, index)


def answer_from(q: Question, hits: list[Hit], index: Index, top_k: int, similarity, reader=None,
                item_rule: bool = ITEM_ASKED) -> Answer:
    """Build the :class:`Answer` from retrieval hits: the reader reads windows around the top hits.

    ``similarity(texts)`` gives the cosines of texts to the question (the chosen answer's, for the abstention
    model)."""
    reader = reader or get_reader()
    heads = reader.heads()
    with _checked_lock:
        if id(reader) not in _checked:
            check_heads(heads.features, str(getattr(reader, "weights_dir", "the reader")))
            _checked.add(id(reader))
    ranked, best, reason = read_in_stages(q, hits, index, reader, heads, similarity)
    if not ranked:
        return Answer(q.text, "", True, [], message(q, "reader"), kind=q.kind)
    cites, seen = [], set()
    for chunk, score in ([(best.chunk, best.hit.score)] if best else []) + [(c.chunk, c.hit.score) for c in ranked] \
            + [(h.chunk, h.score) for h in hits]:
        if chunk.id not in seen:
            seen.add(chunk.id)
            cites.append((chunk, score))
    top = best or ranked[0]
    feats = {k: round(v, 4) for k, v in top.features().items()} | {"answer_logit": round(heads.abstain(top.features()), 4)}
    if reason:
        out = [citation(ch, sc) for ch, sc in cites[:top_k]]
        gone = missing(subjects_of(q, index.bm25), top.context) if reason == "reader" else ""
        text = message(q, "subject", gone) if gone else message(q, reason)
        return Answer(q.text, "", True, out, text, kind=q.kind, features=feats | {"reason": reason, "missing": gone})
    a, b = item_asked(q, best, index.bm25) if item_rule else (best.answer_start, best.answer_end)
    out = [citation(ch, sc, (a, b) if k == 0 else None) for k, (ch, sc) in enumerate(cites[:top_k])]
    start, end = index.file_offset(best.chunk, a), index.file_offset(best.chunk, b - 1) + 1
    return Answer(q.text, best.chunk.text[a:b], False, out, "", start, end, q.kind, features=feats)
