"""Hybrid retrieval: dense (FAISS) and BM25 (jieba) over the same sentences, fused.

The fused score of a chunk is a weighted sum, measured on the dev set to beat rank fusion
(RRF) here because it keeps the size of a lead, which the abstention rule needs::

    score = dense * cosine + lexical * bm25 / max(bm25) + period * period_agreement
            + paragraph * (paragraph cosine + paragraph bm25 / max(paragraph bm25)) / 2

with the weights of :class:`Fusion` (``FUSION``, the default; ``qa fit-reader --paragraph-weights`` measures others).

The paragraph terms give a sentence its paragraph's evidence (a sentence alone often lacks the
subject its paragraph names: 该市, 他): the cosine of the question to the paragraph's mean sentence
vector, and BM25 over whole paragraphs.

``period_agreement`` is +1/-1/0 as the question's period (去年, 今年, 未来五年…) agrees with,
contradicts or is unrelated to the period of the chunk's section (see :mod:`qa.text.periods`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..index.store import Chunk, Index
from ..text.periods import compatible
from .question import Question


@dataclass(frozen=True)
class Fusion:
    """The weights of the fused score (set on the report's dev set in the first round, ``paragraph`` on the tuning
    split of DRCD dev)."""
    dense: float = 0.5
    lexical: float = 0.1
    period: float = 0.03
    paragraph: float = 0.1  # DRCD tuning split doc@1 0.945 → 0.957 (0.3: 0.964, but report dev cite@1 0.96 → 0.92)
    candidates: int = 100  # taken from each of the dense and the BM25 rankings before fusion


FUSION = Fusion()


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused
    dense: float  # cosine between question and chunk
    lexical: float  # BM25 divided by the best BM25 score of the query
    period_agreement: int  # +1 the question's period agrees with the chunk's, -1 contradicts it, 0 unknown


def retrieve(index: Index, question: Question, qvec: np.ndarray, k: int = 10, fusion: Fusion = FUSION,
             allowed: frozenset[str] | None = None) -> list[Hit]:
    """The k best chunks for a question, best first. ``allowed``: the documents that may answer (None: all); their
    chunks are scored as if the index held nothing else (BM25 and paragraph scores divided by their best there)."""
    n = len(index.chunks)
    if n == 0:
        return []
    among = None
    if allowed is not None:
        among = np.array(sorted(i for d in allowed for i in index.by_doc.get(d, ())), np.int64)
        if not len(among):
            return []
    ids, cos = index.dense_search(qvec, min(n, fusion.candidates), among) if among is not None else \
        index.dense_search(qvec, min(n, fusion.candidates))
    dense = dict(zip(ids.tolist(), cos.tolist()))
    bm = index.bm25.scores(question.terms, question.weights)
    if among is not None:
        inside = np.zeros(n, bool)
        inside[among] = True
        bm = np.where(inside, bm, 0.0)
    top_bm = np.argsort(-bm)[:fusion.candidates]
    best_bm = float(bm[top_bm[0]]) if len(top_bm) else 0.0
    candidates = set(dense) | {int(i) for i in top_bm if bm[i] > 0}
    missing = [i for i in candidates if i not in dense]
    if missing:
        dense.update(zip(missing, (index.vectors_of(missing) @ qvec).tolist()))
    para_score = None
    if fusion.paragraph:
        of, para_bm25, para_vecs = index.paragraphs()
        pb = para_bm25.scores(question.terms, question.weights)
        best_pb = float(pb.max()) if among is None else float(pb[of[among]].max())
        para_score = (para_vecs @ qvec + pb / max(best_pb, 1e-9)) / 2
    hits = []
    for i in candidates:
        chunk = index.chunks[i]
        lex = float(bm[i]) / best_bm if best_bm > 0 else 0.0
        agree = compatible(question.period_for(index.documents[chunk.doc].year), chunk.period)
        score = fusion.dense * dense[i] + fusion.lexical * lex + fusion.period * agree
        if para_score is not None:
            score += fusion.paragraph * float(para_score[of[i]])
        hits.append(Hit(chunk, score, dense[i], lex, agree))
    hits.sort(key=lambda h: (-h.score, h.chunk.id))
    return hits[:k]
