"""Candidate answers: what the reader marks in the windows around the top hits, and the clauses around it.

For every retrieved sentence in a window, and for the sentence the reader marked in it, the candidates are the
best run of clauses by the span features (:func:`qa.answering.features.best_span`) and the clauses around the
reader's span (:func:`qa.text.clauses.widen`; a quantity keeps the clause qualifying its figure:
增长7%,力争实现7.5%). Windows are read in stages (:func:`staged_candidates`), so that reading can stop early.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..index.store import Index
from ..text.clauses import extend_qualifier, has_figure, widen
from ..text.periods import calendar_years
from ..text.reports import CEREMONY
from .features import (CLAUSE_FLOOR, Candidate, Subject, best_span, cue_words, focus_of, mentions, missing,
                       question_weights, span_score, stated, subjects_of, ties)
from .measure import check
from .question import Question
from .result import NotFound
from .retrieve import Hit
from .windows import Marked, read_windows, windows


def candidates(q: Question, hits: list[Hit], index: Index, reader) -> list[Candidate]:
    """The possible answers in the windows around the top hits, unranked (all windows read at once)."""
    return [c for part in staged_candidates(q, hits, index, reader) for c in part]


def staged_candidates(q: Question, hits: list[Hit], index: Index, reader, stages: tuple[int, ...] = ()
                      ) -> Iterator[list[Candidate]]:
    """The possible answers, one list per stage of reading: the windows around the top hits are read in
    order, up to ``stages[0]`` windows, then up to ``stages[1]``, ... (each stage reads only new ones;
    no stages: all windows at once, up to :data:`~.windows.READ_TOP`). Each candidate records its window's rank
    (``Candidate.window``), so a fit can replay fewer stages."""
    wins = windows(index, hits, stages[-1] if stages else None)
    if not wins:
        return
    weights, total = question_weights(q, index.bm25)
    focus = None if q.english else focus_of(q, index.bm25, index.place_words)  # a lexical check: not across languages
    subjects = subjects_of(q, index.bm25, index.place_words)
    cues = cue_words(q, subjects, index.place_words)
    by_id = {h.chunk.id: h for h in hits}
    years = calendar_years(q.normalized, q.english)
    done = 0
    for upto in stages or (len(wins),):
        if done >= len(wins):
            return
        out: list[Candidate] = []
        for k, m in enumerate(read_windows(reader, q.reader_text, wins[done:upto]), start=done):
            dated = _dated(years, m.window.chunks[0], index)
            out += _window_candidates(q, m, k, by_id, weights, total, focus, subjects, cues, dated)
        done = upto
        yield out


def _dated(years: set[str], chunk, index: Index) -> bool:
    """Whether a passage may answer a question naming ``years``: its document is a report placed in time (the
    scope and the periods answer for its years), or its paragraph, section or title states each of them (a
    passage about 1759 does not answer a question about 1766)."""
    if not years or index.documents[chunk.doc].dated:
        return True
    text = chunk.title + chunk.section + "".join(c.text for c in index.paragraph(chunk))
    return all(y in text for y in years)


def _window_candidates(q: Question, m: Marked, k: int, by_id: dict, weights, total, focus, subjects, cues,
                       dated: bool = True) -> list[Candidate]:
    out = []
    for n, chunk in enumerate(m.window.chunks):
        marked = chunk.id == m.chunk.id and m.end > m.start
        if chunk.id not in by_id and not marked or CEREMONY.search(chunk.text):
            continue
        h = by_id.get(chunk.id) or replace(m.window.hit, chunk=chunk)  # a neighbour: its window's scores
        s = best_span(q, h, weights, total)
        if s is None:
            continue  # marks only: no clause to answer with
        named = mentions(focus, chunk)
        before = m.window.chunks[n - 1].text if n else ""  # the sentence it may continue
        context = f"{chunk.section} {before} {chunk.text}"
        in_context = stated(subjects, context)
        cued = ties(cues, context)
        spans = {(s.start, s.end): (s.score, marked and s.start <= m.start and m.end <= s.end)}
        if marked:
            a, b = widen(chunk.text, m.start, m.end)
            if q.kind == "quantity":
                b = extend_qualifier(chunk.text, b)
            spans[(a, b)] = (span_score(q, h, a, b, weights, total), True)
        at = m.window.offset(chunk)
        for (a, b), (rules, holds) in spans.items():
            clause = max(CLAUSE_FLOOR, m.reading.margin_within(at + a, at + b))
            out.append(Candidate(chunk, a, b, m.margin, holds, rules, s.sentence_coverage, named, h, window=k,
                                 clause_margin=clause, subject_answer=stated(subjects, chunk.text[a:b]),
                                 subject_context=in_context, context=context, english=q.english,
                                 cued=cued, dated=dated))
    return out


def usable(q: Question, ranked: list[Candidate], subjects: list[Subject] | None = None
           ) -> tuple[list[Candidate], NotFound | None]:
    """The candidates that may answer, best first, or none and the reason.

    A sentence about another period than the question's (去年 asked, 今年 told), or in a paragraph that states
    none of the calendar years the question names where no report's year places it (``Candidate.dated``: 1766
    asked, 1759 told), never answers; a
    quantity question is answered only by clauses that hold a figure, in the unit it asks for
    (多少公里) when it names one, and (with ``subjects``, what the question asks about) in a passage tied to the
    question by one of its content words (``Candidate.cued``: 旅游总收入 asked, 社会消费品零售总额 told is not), a figure
    that is not the question's own, of a measure that can be the one asked, belonging to the subject asked
    (:mod:`.measure`).
    """
    out = [c for c in ranked if c.hit.period_agreement >= 0 and c.dated]
    if not out:
        return [], NotFound("period", q.english)
    if q.kind == "quantity":
        out = [c for c in out if has_figure(c.answer, q.unit)]
        if not out:
            return [], NotFound("figure", q.english)
        if subjects:  # a passage that shares no content word with the question is about something else
            tied = [c for c in out if c.cued]
            if not tied:
                return [], NotFound("subject", q.english, missing(subjects, out[0].context))
            out = tied
        if subjects is not None:
            judged = [(c, check(q, c, subjects)) for c in out]
            out = [c for c, why in judged if why is None]
            if not out:
                told = [why for _, why in judged if why.kind != "figure"]
                return [], (told or [judged[0][1]])[0]
    return out, None
