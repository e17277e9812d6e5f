"""Extractive answers: the verbatim span that answers, its citations, or an honest "not found".

The trained reader (:mod:`qa.model.reader`) reads windows around the best retrieved sentences
(:mod:`qa.reading`): it marks a span in each and scores it against "no answer". Windows are ranked,
and the answer is abstained from, by logistic combinations of the reader's margin and the
retrieval scores, fitted on the tuning split (``benchmarks/fit_reading.py``, stored with the
weights). The answer shown is the clause around the marked span (:func:`qa.text.clauses.widen`).
Rules stay only where they hold beyond the questions they were written for: a passage about
another period than the question's never answers, a quantity is answered by a figure, and a
figure keeps the clause that qualifies it (增长7%,力争实现7.5%).

``QA_ANSWERER=rules`` answers with the first round's hand-set rules instead (:mod:`qa.rules`),
for comparison.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

from .index.store import Index
from .question import Question
from .result import NOT_FOUND, NOT_FOUND_EN, Answer, Citation, citation  # noqa: F401 (re-exported)
from .reading import CLAUSE_FLOOR, Candidate, Logistic, Marked, Stages, rank, read, windows
from .rules import best_span, focus_of, mentions, question_weights, span_score
from .retrieve import Hit
from .text.clauses import extend_qualifier, has_figure, widen

_WHY = {
    "period": ("the documents give this only for another period", "文档只给出了其他时期的情况"),
    "figure": ("the closest passages give no figure for it", "最接近的段落里没有所问的数字"),
    "reader": ("the closest passages do not answer it", "最接近的段落没有回答这个问题"),
}


def _message(q: Question, reason: str) -> str:
    en, zh = _WHY[reason]
    return f"{NOT_FOUND_EN[:-1]} ({en})." if q.english else f"{NOT_FOUND[:-1]}（{zh}）。"


def candidates(q: Question, hits: list[Hit], index: Index, reader) -> list[Candidate]:
    """The possible answers in the windows around the top hits, unranked (all windows read at once)."""
    return [c for part in staged_candidates(q, hits, index, reader) for c in part]


def staged_candidates(q: Question, hits: list[Hit], index: Index, reader, stages: tuple[int, ...] = ()
                      ) -> Iterator[list[Candidate]]:
    """The possible answers, one list per stage of reading: the windows around the top hits are read in
    order, up to ``stages[0]`` windows, then up to ``stages[1]``, ... (each stage reads only new ones;
    no stages: all windows at once).

    For every retrieved sentence in a window, and for the sentence the reader marked in it: the
    rules' best clauses of that sentence, and the clauses around the reader's span. Each candidate
    records its window's rank (``Candidate.window``), so a fit can replay fewer stages.
    """
    wins = windows(index, hits)
    if not wins:
        return
    weights, total = question_weights(q, index.bm25)
    focus = None if q.english else focus_of(q, index.bm25)  # a lexical check: not across languages
    by_id = {h.chunk.id: h for h in hits}
    done = 0
    for upto in stages or (len(wins),):
        if done >= len(wins):
            return
        out: list[Candidate] = []
        for k, m in enumerate(read(reader, reader_question(q), wins[done:upto]), start=done):
            out += _window_candidates(q, m, k, by_id, weights, total, focus)
        done = upto
        yield out


def _window_candidates(q: Question, m: Marked, k: int, by_id: dict, weights, total, focus) -> list[Candidate]:
    out = []
    for chunk in m.window.chunks:
        marked = chunk.id == m.chunk.id and m.end > m.start
        if chunk.id not in by_id and not marked:
            continue
        h = by_id.get(chunk.id) or replace(m.window.hit, chunk=chunk)  # a neighbour: its window's scores
        s = best_span(q, h, weights, total)
        if s is None:
            continue  # marks only: no clause to answer with
        named = mentions(focus, chunk)
        spans = {}
        spans[(s.start, s.end)] = (s.score, marked and s.start <= m.start and m.end <= s.end)
        if marked:
            a, b = widen(chunk.text, m.start, m.end)
            if q.kind == "quantity":
                b = extend_qualifier(chunk.text, b)
            spans[(a, b)] = (span_score(q, h, a, b, weights, total), True)
        at = m.window.offset(chunk)
        for (a, b), (rules, holds) in spans.items():
            clause = max(CLAUSE_FLOOR, m.reading.margin_within(at + a, at + b))
            out.append(Candidate(chunk, a, b, m.margin, holds, rules, s.sentence_coverage, named, h, window=k,
                                 clause_margin=clause))
    return out


def usable(q: Question, ranked: list[Candidate]) -> tuple[list[Candidate], str]:
    """The candidates that may answer, best first, or none and the reason.

    A sentence about another period than the question's (去年 asked, 今年 told) never answers; a
    quantity question is answered only by clauses that hold a figure, in the unit it asks for
    (多少公里) when it names one.
    """
    out = [c for c in ranked if c.hit.period_agreement >= 0]
    if not out:
        return [], "period"
    if q.kind == "quantity":
        out = [c for c in out if has_figure(c.answer, q.unit)]
        if not out:
            return [], "figure"
    return out, ""


def choose(q: Question, ranked: list[Candidate], abstain: Logistic, similarity=None) -> tuple[Candidate | None, str]:
    """The best usable candidate, or None and the reason there is none: the abstention model decides
    on the best usable candidate (its log-odds of answering must be positive). ``similarity(texts)``
    gives the cosines of texts to the question (the answer's is one of the model's features)."""
    out, reason = usable(q, ranked)
    if not out:
        return None, reason
    best = out[0]
    if similarity is not None and "answer_cosine" in abstain.weights:
        best.answer_cosine = float(similarity([best.answer])[0])
    if abstain(best.features()) < 0:
        return None, "reader"
    return best, ""


def read_in_stages(q: Question, hits: list[Hit], index: Index, reader, models: dict, similarity=None
                   ) -> tuple[list[Candidate], Candidate | None, str]:
    """Read window batches (``models["stop"]``'s stages) until the answer is sure enough; returns all
    candidates read (ranked), the chosen one (or None) and the reason for none.

    After each stage the candidates so far are ranked and the abstention model judges the best; at a
    log-odds of ``stop.logit`` or more, no further windows are read. The stages and that level are
    fitted with the other models (``benchmarks/fit_reading.py``) so that the answers chosen on the
    tuning data stay those of reading every window, at a fraction of the reading time.
    """
    stop: Stages = models.get("stop") or Stages()
    read_so_far: list[Candidate] = []
    ranked, best, reason = [], None, "reader"
    for part in staged_candidates(q, hits, index, reader, stop.sizes):
        read_so_far += part
        ranked = rank(read_so_far, models["rank"])
        if not ranked:
            continue
        best, reason = choose(q, ranked, models["abstain"], similarity)
        if best is not None and models["abstain"](best.features()) >= stop.logit:
            break
    return ranked, best, reason


def answer_from(q: Question, hits: list[Hit], index: Index, top_k: int, offsets, similarity, reader=None) -> Answer:
    """Build the :class:`Answer` from retrieval hits: the reader reads windows around the top hits.

    ``offsets(chunk, i)`` maps an index in a quote to its document offset; ``similarity(texts)``
    gives the cosines of texts to the question (the chosen answer's, for the abstention model).
    """
    if os.environ.get("QA_ANSWERER", "reader") == "rules":
        from .rules import answer_by_rules

        return answer_by_rules(q, hits, index.bm25, top_k, offsets, similarity)
    if reader is None:
        from .model.reader import get_reader

        reader = get_reader()
    models = reader.models()
    ranked, best, reason = read_in_stages(q, hits, index, reader, models, similarity)
    if not ranked:
        return Answer(q.text, "", True, [], _message(q, "reader"), kind=q.kind)
    cites, seen = [], set()
    for chunk, score in ([(best.chunk, best.hit.score)] if best else []) + [(c.chunk, c.hit.score) for c in ranked] \
            + [(h.chunk, h.score) for h in hits]:
        if chunk.id not in seen:
            seen.add(chunk.id)
            cites.append((chunk, score))
    top = best or ranked[0]
    feats = {k: round(v, 4) for k, v in top.features().items()} | {
        "answer_logit": round(models["abstain"](top.features()), 4)}
    if reason:
        out = [citation(ch, sc) for ch, sc in cites[:top_k]]
        return Answer(q.text, "", True, out, _message(q, reason), kind=q.kind, features=feats | {"reason": reason})
    a, b = best.answer_start, best.answer_end
    out = [citation(ch, sc, (a, b) if k == 0 else None) for k, (ch, sc) in enumerate(cites[:top_k])]
    start, end = offsets(best.chunk, a), offsets(best.chunk, b - 1) + 1
    return Answer(q.text, best.answer, False, out, "", start, end, q.kind, features=feats)


def reader_question(q: Question) -> str:
    """What the reader is asked: the question (English ones with their glossary terms, as embedded)."""
    return q.embed_text or q.text
