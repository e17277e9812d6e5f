"""The hand-set answer rules of the first round, kept for the ablation (``QA_ANSWERER=rules``).

A sentence is cut into clauses; every run of one to three clauses is scored by how much of the
question it covers (IDF-weighted terms), by whether it holds what the question asks for (a figure
for 多少, an enumeration for 哪些) and by its length; sentences are reranked by retrieval score
plus their best span's score, and :func:`should_abstain` decides abstention. These weights were
set on the dev set and do not transfer (issue 12): the default is the trained reader
(:mod:`qa.answer`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .index.bm25 import BM25
from .question import SYNONYMS, Question
from .retrieve import Hit
from .text.periods import period_of
from .text.tokens import fold, tokenize
from .result import NOT_FOUND, NOT_FOUND_EN, Answer, citation
from .text.clauses import FIGURE as _FIGURE, clause_spans, extend_qualifier, has_figure, trim as _trim

READ_TOP = 8  # sentences the rules examine
W_READER = 0.25  # weight of the best span's score when reranking sentences


@dataclass
class Span:
    hit: Hit
    start: int  # inside hit.chunk.text
    end: int
    score: float  # the span's own score
    coverage: float  # share of question term weight found in the span
    sentence_coverage: float  # … found in the sentence and its section path
    figure: bool  # holds a figure
    unit: bool  # holds a figure with the asked unit (True when none asked)


def _weights(q: Question, bm25: BM25) -> dict[str, float]:
    """IDF weight of each question term (folded); words naming a period are left to the period match."""
    out: dict[str, float] = {}
    for t in dict.fromkeys(q.terms):
        if not period_of(t):
            out[fold(t)] = max(out.get(fold(t), 0.0), bm25.term_idf(t) * q.weights.get(t, 1.0))
    return out


def _coverage(folded: str, weights: dict[str, float], total: float) -> float:
    return sum(w for t, w in weights.items() if t in folded) / total if total else 0.0


def question_weights(q: Question, bm25: BM25) -> tuple[dict[str, float], float]:
    """The IDF weight of each question term and the total a span's coverage is divided by."""
    weights = _weights(q, bm25)
    own = {fold(t) for t in q.terms if q.weights.get(t, 1.0) >= 1.0}
    return weights, sum(w for t, w in weights.items() if t in own) or sum(weights.values())


def _run(q: Question, hit: Hit, spans, i: int, j: int, weights, total: float, sent_cov: float) -> Span | None:
    """The score of clauses i..j of the hit's sentence (None when they trim to nothing)."""
    text = hit.chunk.text
    a, b = _trim(text, spans[i][0], spans[j][1])
    if b <= a:
        return None
    piece = text[a:b]
    folded = fold(piece)
    cov = _coverage(folded, weights, total)
    figure = bool(_FIGURE.search(piece))
    unit = not q.unit or has_figure(piece, q.unit)
    items = len(re.findall(r"[、]", piece)) + 1
    score = cov - (0.2 if q.kind == "quantity" else 0.12) * (j - i) - 0.002 * max(0, len(piece) - 25)
    # an introducer ("指标是:") is context, not answer
    score -= 0.25 * sum(text[spans[k][1] - 1] in "：:" for k in range(i, j))
    if q.quoted and any(fold(x) in folded for x in q.quoted):
        score += 0.3
    if q.kind == "quantity":
        score += (0.45 if unit else 0.1) if figure else 0.0  # a figure in another unit barely counts
    elif q.kind == "list":
        score += 0.1 * min(items - 1, 3) + (0.2 if q.count and items >= q.count else 0)
    return Span(hit, a, b, score, cov, sent_cov, figure, unit)


def best_span(q: Question, hit: Hit, weights: dict[str, float], total: float) -> Span | None:
    """The best run of 1-3 clauses of a sentence for the question; None when it has none (marks only)."""
    text = hit.chunk.text
    sent_cov = _coverage(fold(hit.chunk.section + text), weights, total)
    spans = clause_spans(text) or [(0, len(text))]
    runs = (_run(q, hit, spans, i, j, weights, total, sent_cov)
            for i in range(len(spans)) for j in range(i, min(i + 3, len(spans))))
    best = max((r for r in runs if r is not None), key=lambda r: r.score, default=None)
    if best is None:  # marks only ("。"): indexes built before split_sentences kept marks with their sentence
        return None
    if best.figure and q.kind == "quantity":
        best.end = extend_qualifier(text, best.end)
    return best


def span_score(q: Question, hit: Hit, a: int, b: int, weights: dict[str, float], total: float) -> float:
    """The rules' score of the clauses of the hit's sentence that hold [a, b) (0 when none)."""
    text = hit.chunk.text
    spans = clause_spans(text) or [(0, len(text))]
    i = max((k for k, (x, _) in enumerate(spans) if x <= a), default=0)
    j = min((k for k, (_, y) in enumerate(spans) if y >= b), default=len(spans) - 1)
    sent_cov = _coverage(fold(hit.chunk.section + text), weights, total)
    r = _run(q, hit, spans, i, max(i, j), weights, total, sent_cov)
    return r.score if r else 0.0


def read(q: Question, hits: list[Hit], bm25: BM25) -> list[Span]:
    """Best span of each of the top sentences, reranked: retrieval score + W_READER × span score."""
    weights, total = question_weights(q, bm25)
    spans = [s for s in (best_span(q, h, weights, total) for h in hits[:READ_TOP]) if s is not None]
    # a sentence that holds what a quantity question asks for (a figure, in the asked unit) comes first
    spans.sort(key=lambda s: (q.kind == "quantity" and not (s.figure and s.unit), -(s.hit.score + W_READER * s.score)))
    return spans


MIN_SPAN_COSINE = 0.895  # below it, an answer whose key word is missing from the passage is refused


def focus_of(q: Question, bm25: BM25) -> tuple[list[str], str] | None:
    """The question's most specific noun (highest IDF; a word absent from the corpus is the most
    specific of all) and its tokens; None when the question has no content noun."""
    if not q.nouns:
        return None
    groups = [tokenize(n) or [n] for n in q.nouns]
    return max(zip(groups, q.nouns), key=lambda gn: max(bm25.term_idf(t) for t in gn[0]))


def mentions(focus: tuple[list[str], str] | None, chunk) -> bool:
    """Whether a sentence or its section names the focus (a part of it, or a synonym); True without a focus."""
    if focus is None:
        return True
    group, noun = focus
    text = fold(chunk.section + chunk.text)
    return any(fold(t) in text for t in group if len(t) >= 2) or any(
        fold(z) in text for t in group + [noun] for z in SYNONYMS.get(t, []))


def missing_focus(q: Question, best: Span, bm25: BM25) -> str:
    """The question's most specific noun when none of its parts occur in the cited passage, else ""."""
    focus = focus_of(q, bm25)
    return "" if mentions(focus, best.hit.chunk) else focus[1]


def should_abstain(q: Question, best: Span, bm25: BM25, similarity) -> tuple[bool, dict]:
    """Abstain when the best passage does not answer; returns (decision, features).

    Rule, calibrated on the dev set (10 unanswerable, 72 answerable questions):
    1. a quantity question whose best passage holds no figure, or no figure in the asked
       unit (``多少公里`` answered by a percentage), is not answered;
    2. a question about a period (``2021年``, 今年, 未来五年) whose best passage is about
       another period is not answered (the report does not cover that year);
    3. when the question's most specific noun (highest IDF; a word absent from the corpus is
       the most specific of all) is absent from the cited passage, the answer must still be
       close in meaning: the cosine between question and answer span must reach
       ``MIN_SPAN_COSINE``. This catches topics the documents never mention while keeping
       paraphrased questions (植树造林 for 营造林), whose spans stay close to the question.
    Weak lexical overlap alone is not a reason: paraphrases and English questions have little.
    """
    h = best.hit
    f = {"dense": round(h.dense, 4), "score": round(h.score, 4), "coverage": round(best.sentence_coverage, 3),
         "span_coverage": round(best.coverage, 3), "figure": best.figure, "unit": best.unit, "period": h.period_agreement}
    if q.kind == "quantity" and (not best.figure or not best.unit):
        return True, f | {"reason": "no figure of the asked kind", "why": ("the closest passages give no such figure",
                                                                          "最接近的段落里没有所问的数字")}
    if h.period_agreement < 0:
        return True, f | {"reason": "the passage is about another period", "why": (
            "the documents give this only for another period", "文档只给出了其他时期的情况")}
    if not q.english:
        focus = missing_focus(q, best, bm25)
        if focus:
            cos = float(similarity([best.hit.chunk.text[best.start:best.end]])[0])
            f |= {"missing": focus, "span_cosine": round(cos, 4)}
            if cos < MIN_SPAN_COSINE:
                return True, f | {"reason": f"the passage does not mention {focus!r}",
                                  "why": (f"the documents do not mention “{focus}”", f"文档没有提到“{focus}”")}
    return False, f


ENGLISH_CLAUSES = 5  # clauses compared by meaning (one encoder batch)


def refine_english(q: Question, best: Span, similarity) -> Span:
    """English questions: choose the clause by meaning (the lexical cover is thin across languages).

    The ``ENGLISH_CLAUSES`` clauses nearest the lexical choice are encoded in one batch; a run of
    two neighbouring clauses is scored by the sum of their vectors (mean pooling makes that a
    fair stand-in for encoding the run, at no extra cost). For a quantity only runs with a
    figure count; a clause that qualifies the chosen figure (``力争实现7.5%``) is kept with it.
    """
    text = best.hit.chunk.text
    spans = [_trim(text, a, b) for a, b in clause_spans(text) or [(0, len(text))]]
    spans = [(a, b) for a, b in spans if b > a]
    near = sorted(sorted(range(len(spans)), key=lambda k: abs(spans[k][0] - best.start))[:ENGLISH_CLAUSES])
    if len(near) < 2:
        return best
    vecs = similarity([text[a:b] for a, b in (spans[k] for k in near)], vectors=True)
    qvec = vecs[-1]
    runs = [((spans[k][0], spans[k][1]), vecs[n]) for n, k in enumerate(near)]
    runs += [((spans[k][0], spans[near[n + 1]][1]), vecs[n] + vecs[n + 1])
             for n, k in enumerate(near[:-1]) if near[n + 1] == k + 1]
    runs = [(ab, v) for ab, v in runs if q.kind != "quantity" or _FIGURE.search(text[ab[0]:ab[1]])]
    if not runs:
        return best
    score = lambda r: float(r[1] @ qvec / max(np.linalg.norm(r[1]), 1e-9)) - 0.001 * (r[0][1] - r[0][0])  # noqa: E731
    best.start, best.end = max(runs, key=score)[0]
    if q.kind == "quantity":
        best.end = extend_qualifier(text, best.end)
    return best


def answer_by_rules(q: Question, hits: list[Hit], bm25: BM25, top_k: int, offsets, similarity) -> Answer:
    """Build the :class:`Answer` from retrieval hits.

    ``offsets(chunk, i)`` maps an index in a quote to its document offset; ``similarity(texts)``
    embeds passages and returns their cosines to the question (only called when needed).
    """
    spans = read(q, hits, bm25)
    if not spans:
        return Answer(q.text, "", True, [], NOT_FOUND_EN if q.english else NOT_FOUND, kind=q.kind)
    best = spans[0]
    abstain, feats = should_abstain(q, best, bm25, similarity)
    if q.english and not abstain:
        best = refine_english(q, best, similarity)
    ordered = [s.hit for s in spans] + [h for h in hits[READ_TOP:]]
    cites = []
    for rank, h in enumerate(ordered[:top_k]):
        hl = (best.start, best.end) if rank == 0 and not abstain else None
        cites.append(citation(h.chunk, h.score + (W_READER * spans[rank].score if rank < len(spans) else 0), hl))
    if abstain:
        en, zh = feats.pop("why")
        message = f"{NOT_FOUND_EN[:-1]} ({en})." if q.english else f"{NOT_FOUND[:-1]}（{zh}）。"
        return Answer(q.text, "", True, cites, message, kind=q.kind, features=feats)
    text = best.hit.chunk.text
    a_start, a_end = offsets(best.hit.chunk, best.start), offsets(best.hit.chunk, best.end - 1) + 1
    return Answer(q.text, text[best.start : best.end], False, cites, "", a_start, a_end, q.kind, features=feats)
