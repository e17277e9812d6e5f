"""Does a candidate's figure answer the figure asked? The measure, and the subject the figure belongs to.

A quantity question asks for a measure (:func:`qa.text.measures.asked`: money, area, length, people, a count, a
share…) of a subject (:func:`qa.answering.features.subjects_of`). A candidate answers it only with a figure

- that is not the question's own (``31个消防站总投资多少？`` is not answered by ``31个消防站加快建设``);
- whose measure can be the one asked (:func:`qa.text.measures.compatible`: ``多少钱`` is not answered by
  ``新建改造社区食堂140个``; a measure either side leaves unknown is left to the fitted models);
- that belongs to the subject asked: the clause holding the figure (with the clauses that continue it,
  :func:`qa.text.clauses.items`) states the most specific subject the sentence names, unless that clause has no
  subject of its own (then the figure continues another clause's). In
  ``完成雨污分流改造149.3公里,汾河四期工程建成投用`` the 149.3 km are 雨污分流改造's, and
  ``汾河四期工程全长多少公里？`` is not answered by them.

:func:`check` says which, with the :class:`~qa.answering.result.NotFound` that tells the user what the passage does
give (报告给出了新建5G基站的数量（3000座以上），没有给出金额).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..text import measures
from ..text.clauses import items
from ..text.tokens import fold
from .features import Candidate, Subject, stated
from .question import Question
from .result import NotFound


def own_figures(q: Question) -> set[str]:
    """The figures the question itself states (folded)."""
    return {fold(q.normalized[f.start:f.end]) for f in measures.figures(q.normalized)}


def check(q: Question, c: Candidate, subjects: list[Subject]) -> NotFound | None:
    """None when the candidate's figures may answer the quantity question; else why not."""
    text, a, b = c.chunk.text, c.answer_start, c.answer_end
    own = own_figures(q)
    figs = [f for f in measures.figures(text[a:b]) if fold(text[a + f.start:a + f.end]) not in own]
    if not figs:
        return NotFound("figure", q.english, cited=c.chunk.id)
    asked = q.measure
    fitting = [f for f in figs if _may_answer(q, text, a, f)]
    named = [s for s in subjects if fold(s.name) in fold(text) and s.name not in measures.MEASURE_WORDS]  # named
    # here in full: what the question asks about (a measure's own noun, 比例 or 面积, is no subject)
    counted = counted_subject(q, subjects)
    focus = counted if counted in named else None
    if not fitting:
        told = focus or (max(named, key=lambda s: s.weight) if named else None)
        if told is None:  # another measure of something else: no figure for it here
            return NotFound("figure", q.english, cited=c.chunk.id)
        f = figs[0]
        given = "change" if asked != "change" and _other_direction(q, text, a, f) else f.measure
        return NotFound("measure", q.english, told.name, asked=asked, given=given,
                        figure=text[a + f.start:a + f.end], cited=c.chunk.id)
    if focus is None:
        return None
    clauses = _joined(text, items(text, 0, len(text)))
    holding = [(x, y) for x, y in clauses if any(x <= a + f.start < y for f in fitting)]
    if any(stated(named, text[x:y]) or _close(focus.name, text[x:y]) for x, y in holding):  # the figure's clause
        return None  # names what was asked (or nearly: 救助车 for 救护车)
    elsewhere = [(x, y) for x, y in clauses if (x, y) not in holding and stated([focus], text[x:y])]
    if elsewhere and holding and all(_own_subject(text[x:y]) for x, y in holding):
        return NotFound("figure subject", q.english, focus.name, asked=asked, cited=c.chunk.id)
    return None


def fits(q: Question, text: str, x: int, y: int) -> bool:
    """``text[x:y]`` holds a figure that may answer the measure asked (not the question's own, a compatible
    measure, the direction asked); True when the question asks no measure."""
    if not q.measure:
        return True
    own = own_figures(q)
    return any(fold(text[x + f.start:x + f.end]) not in own and _may_answer(q, text, x, f)
               for f in measures.figures(text[x:y]))


def _may_answer(q: Question, text: str, a: int, f: measures.Figure) -> bool:
    """A figure of ``text[a:]`` (offsets relative to ``a``) of a measure, and a direction, that may be the ones
    asked."""
    return measures.compatible(q.measure, f.measure) is not False and not _other_direction(q, text, a, f)


def _other_direction(q: Question, text: str, a: int, f: measures.Figure) -> bool:
    """A level given where a change is asked (增长了多少 / 达到99.1万亿元; a share may state either), or a change
    where a level is asked (城镇化率达到了多少 / 提高1.3个百分点)."""
    way = measures.direction(text, replace(f, start=a + f.start, end=a + f.end))
    if q.measure == "change":  # a rate may state a change as a level (增速达到8%); the share of a whole does not
        return way == "level" and f.measure != "share" or measures.proportion(text, replace(f, start=a + f.start,
                                                                                           end=a + f.end))
    return way == "change" and measures.level_asked(q.normalized)


_ASKING = re.compile(r"多少|几[个座家所项套辆条台张处批件种大]?|多[大长高远久重]|\bhow (?:many|much|long|large|big)\b|"
                     r"\bwhat (?:share|percentage|rate|area)\b", re.I)


def counted_subject(q: Question, subjects: list[Subject]) -> Subject | None:
    """What the figure asked is of: the subject right after the asking words (多少受灾的老百姓 → 老百姓), else the
    nearest before them (汾河四期工程全长多少公里 → 汾河四期工程); None without subjects or asking words."""
    text = q.normalized.lower()
    m = _ASKING.search(text)
    if not m or not subjects:
        return None
    subjects = [s for s in subjects if s.name not in measures.MEASURE_WORDS]  # 全长, 覆盖率: the measure itself
    at = {s.name: text.find(s.name.lower()) for s in subjects}
    after = [s for s in subjects if m.end() <= at[s.name] <= m.end() + 8]
    if after:
        return min(after, key=lambda s: at[s.name])
    before = [s for s in subjects if 0 <= at[s.name] < m.start()]
    return max(before, key=lambda s: at[s.name] + len(s.name)) if before else None


def _joined(text: str, clauses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The items, a clause whose only noun before its figure names a measure (全长21公里, 面积46万亩) joined to the
    one before: it continues that clause's subject (地铁1号线建成通车，全长21公里)."""
    out: list[tuple[int, int]] = []
    for x, y in clauses:
        if out and not _own_subject(text[x:y]):
            out[-1] = (out[-1][0], y)
        else:
            out.append((x, y))
    return out


def _own_subject(piece: str) -> bool:
    from ..text.tokens import NOUN_FLAGS, pos_words

    figs = measures.figures(piece)
    head = piece[: figs[0].start] if figs else piece
    return any(len(w) >= 2 and f.startswith(NOUN_FLAGS) and f != "ng" and w not in measures.MEASURE_WORDS
               for w, f in pos_words(head))


def _close(name: str, text: str) -> bool:
    """Most of the name's characters are in the text: a variant or a typo of it (救助车, 救护车)."""
    chars = set(name)
    return len(chars) >= 2 and len(chars & set(text)) >= 0.6 * len(chars)
