"""The decision: candidates ranked, the best usable one answered or abstained on, windows read in stages.

Ranking and abstention are the fitted models of :class:`qa.model.heads.Heads` (``qa fit-reader``) over
:meth:`qa.answering.features.Candidate.features`; :func:`read_in_stages` reads the windows around the top hits
batch by batch and stops once the abstention model is sure enough.
"""

from __future__ import annotations

from typing import Sequence

from ..index.bm25 import BM25
from ..index.store import Index
from ..model.heads import Heads, Logistic
from ..text.clauses import FIGURE, items
from ..text.tokens import fold
from .candidates import staged_candidates, usable
from .features import Candidate, missing, question_weights, subjects_of
from .measure import fits
from .question import Question
from .result import NotFound
from .retrieve import Hit

def rank(cands: list[Candidate], model: Logistic) -> list[Candidate]:
    """Candidates best first by ``model`` (their ``score`` set to its log-odds)."""
    for c in cands:
        c.score = model(c.features())
    return sorted(cands, key=lambda c: -c.score)


def choose(q: Question, ranked: list[Candidate], abstain: Logistic, similarity=None, subjects=None
           ) -> tuple[Candidate | None, NotFound | None]:
    """The best usable candidate, or None and the reason there is none: the abstention model decides
    on the best usable candidate (its log-odds of answering must be positive). ``similarity(texts)``
    gives the cosines of texts to the question (the answer's is one of the model's features)."""
    out, reason = usable(q, ranked, subjects)
    if reason:
        return None, reason
    best = out[0]
    if similarity is not None and "answer_cosine" in abstain.weights:
        best.answer_cosine = float(similarity([best.answer])[0])
    if abstain(best.features()) < 0:
        return None, NotFound("reader", q.english)
    return best, None


def read_in_stages(q: Question, hits: list[Hit], index: Index, reader, heads: Heads, similarity=None,
                   groups: Sequence[frozenset[str]] = (), stages: tuple[int, ...] = ()
                   ) -> tuple[list[Candidate], Candidate | None, NotFound | None]:
    """Read window batches (``heads.stop``'s stages) until the answer is sure enough; returns all
    candidates read (ranked), the chosen one (or None) and the reason for none: where the reader does not
    answer, the subject of the question the best candidate's context does not mention, when there is one.

    After each stage the candidates so far are ranked and the abstention model judges the best; at a
    log-odds of ``stop.logit`` or more, no further windows are read. The stages and that level are
    fitted with the other models (``qa fit-reader``) so that the answers chosen on the tuning data stay
    those of reading every window, at a fraction of the reading time.

    ``groups``: the hits come from several reports, and the answer from the first of these document sets whose
    candidates answer (:func:`choose_in_order`); none: from any. ``stages``: other stages than ``heads.stop``'s
    (:func:`.windows.answer_first`).
    """
    read_so_far: list[Candidate] = []
    ranked, best, reason = [], None, NotFound("reader", q.english)
    subjects = subjects_of(q, index.bm25, index.place_words)
    for part in staged_candidates(q, hits, index, reader, stages or heads.stop.sizes):
        read_so_far += part
        ranked = rank(read_so_far, heads.rank)
        if not ranked:
            continue
        best, reason = choose_in_order(q, ranked, heads.abstain, similarity, subjects, groups)
        if best is not None and heads.abstain(best.features()) >= heads.stop.logit:
            break
    if ranked and reason and reason.kind == "reader":
        gone = missing(subjects, ranked[0].context)
        if gone:
            reason = NotFound("subject", q.english, gone)
    return ranked, best, reason


def choose_in_order(q: Question, ranked: list[Candidate], abstain: Logistic, similarity=None, subjects=None,
                    groups: Sequence[frozenset[str]] = ()) -> tuple[Candidate | None, NotFound | None]:
    """:func:`choose` over the candidates of each document set of ``groups`` in turn: the first that answers; none
    answering, the reason of the first that had candidates. No groups: :func:`choose` over all."""
    if not groups:
        return choose(q, ranked, abstain, similarity, subjects)
    first = None
    for docs in groups:
        among = [c for c in ranked if c.chunk.doc in docs]
        if not among:
            continue
        best, reason = choose(q, among, abstain, similarity, subjects)
        if best is not None:
            return best, None
        first = first or reason
    return None, first or NotFound("reader", q.english)


def item_asked(q: Question, best: Candidate, bm25: BM25) -> tuple[int, int]:
    """The answer's span narrowed to the item the question names: in a list of items each with its own subject
    and figure (``……甲增长x%,乙增长y%……``, ``培育甲x家、乙y家``), the one holding most of the question's terms
    (IDF-weighted), with its qualifier (增长7%,力争实现7.5%), among those whose figure can be the measure asked
    (the only one, when one is); a pair joined by 分别 stays whole. Unchanged for a list question, when fewer than
    two items hold a figure, or when no item leads."""
    a, b = best.answer_start, best.answer_end
    if q.kind == "list":
        return a, b
    text = best.chunk.text
    figured = [(x, y) for x, y in items(text, a, b) if FIGURE.search(text[x:y])]
    if len(figured) < 2:
        return a, b
    fitting = [(x, y) for x, y in figured if fits(q, text, x, y)]  # 年均增长5.4% for 增长多少, not 达到2.91万亿元
    if len(fitting) == 1:
        return fitting[0]
    figured = fitting or figured
    weights, _ = question_weights(q, bm25)
    scores = [sum(w for t, w in weights.items() if t in fold(text[x:y])) for x, y in figured]
    top = max(scores)
    if top <= 0 or scores.count(top) > 1:
        return a, b
    return figured[scores.index(top)]
