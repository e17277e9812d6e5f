"""Which indexed reports may answer a question: the place and the year it names (issue 24).

Each report knows its place and the year it speaks in (:mod:`qa.text.reports`, read at build time). A question is
scoped by what it names:

- **a place** that is some report's (``太原``, ``示例市``, ``Qingshi`` by the file name's Latin form): only that
  place's reports; a place no indexed text mentions (``北京``, ``东岭市``) when the index holds reports: nothing;
- **a year** ``Y`` maps through each report's own periods: the plan for ``Y`` is in the report whose 今年 is ``Y``
  (its 工作安排), the result for ``Y`` in the report of ``Y+1`` (its 过去一年); a question that says neither
  (``2023年GDP增长多少``) may use both, the review first; five-year goals (``到2027年``, ``累计``) go to the reports
  whose 今后五年 spans ``Y``; a report whose text names ``Y`` otherwise comes last. A year no report covers: nothing.

What no report covers is an honest "not found" that says so (:func:`not_covered`: ``没有索引太原2023年的报告``),
never another report's figure. Documents whose year could not be read are not placed in time: they stay in every
year's scope, and a question is never refused for a year while one of them is in scope.

Several reports in scope (:attr:`Scope.several`): the pipeline answers from the first group that answers, in
:attr:`Scope.order` (a question whose period is relative to a report, 今年 or 去年, from the most recent only), and
lists what each other report answers beside it (``Answer.others``). One report in the index: the scope is
everything, ``allowed`` is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..index.store import Index
from ..text import dictionary
from ..text.reports import GENERIC, LEVEL_CHARS, NAME_WITH_LEVEL, NATIONAL_ALIASES
from ..text.tokens import pos_words
from .question import Question

MAX_OTHERS = 4  # other reports listed in Answer.others at most, most recent first (their candidates are read with
# the answer's, in one pass: listing more costs no reading, only room on the screen)


@dataclass(frozen=True)
class Scope:
    """The documents that may answer a question, and why."""
    allowed: frozenset[str] | None  # the documents retrieval may use; None: all (nothing was scoped away)
    groups: tuple[tuple[str, ...], ...] = ()  # the reports in scope with a year, in the order they answer: most
    # recent (or, for a year asked, best placed) first; reports of one year (two places) form one group
    extra: tuple[str, ...] = ()  # documents in scope without a year as reports: searched with the first group
    relative: bool = False  # the question's period is relative to a report (今年, 去年, 今后五年): the first group only
    place: str = ""  # the place the question names, as it names it
    year: int | None = None  # the year it names
    mode: str = ""  # plan / result / span / either, when a year is named
    missing: str = ""  # what no indexed report covers ("太原2023年"); the question is not answered

    @property
    def reports(self) -> tuple[str, ...]:
        return tuple(d for g in self.groups for d in g)

    @property
    def several(self) -> bool:
        """More than one report in scope: answered group by group (:attr:`order`), the others listed beside."""
        return len(self.reports) > 1

    @property
    def order(self) -> tuple[frozenset[str] | None, ...]:
        """The document sets to answer from, in turn, until one answers: everything allowed for one report; for
        several, the first group with the documents that are no dated reports, then (unless the period is
        relative) each later group."""
        if not self.several:
            return (self.allowed,)
        first = frozenset(self.groups[0]) | frozenset(self.extra)
        return (first,) if self.relative else (first, *(frozenset(g) for g in self.groups[1:]))

    def others(self, source: str) -> tuple[str, ...]:
        """The other reports whose answers may be listed beside one from ``source`` (most recent first; the
        pipeline lists the first :data:`MAX_OTHERS` that answer)."""
        return tuple(d for d in self.reports if d != source) if self.several else ()


def _latin_place(alias: str, index: Index) -> bool:
    """A Latin file-name form (``taiyuan``) names a place unless it is an English word (``report``); the nation's
    English names (China, national) always do."""
    if alias in NATIONAL_ALIASES:
        return True
    found = {zh for _, cands in dictionary.candidates(alias) for zh, _weight in cands}
    return not found or any(found & set(r.aliases) for r in index.reports.values())


def places_named(text: str, index: Index) -> tuple[str, set[str]]:
    """The places of indexed reports a question names (``text``: its NFKC form): (the words it uses, the reports'
    places)."""
    asked, places = [], set()
    for report in index.reports.values():
        for alias in sorted(report.aliases, key=len, reverse=True):
            if alias.isascii():
                m = re.search(rf"\b{re.escape(alias)}\b", text, re.I)
                if m and _latin_place(alias, index):
                    asked.append(m.group(0))  # as the question spells it
                    places.add(report.place)
                    break
            elif alias in text:
                asked.append(alias)
                places.add(report.place)
                break
    return "、".join(dict.fromkeys(sorted(asked, key=text.find))), places


def unknown_place(text: str, index: Index) -> str:
    """A place the question names that no indexed document mentions (``北京``, ``东岭市``), or "".

    A place is a name ending in its level (``东岭市``: one word, or a noun and 市/县/区…), or a word jieba tags
    as a place (``ns``) that opens the question or stands beside a time (``北京今年``, ``去年北京``, ``2023年深圳``)."""
    words = pos_words(text)
    found = []
    for i, (w, flag) in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ("", "")
        prev = words[i - 1] if i else ("", "")
        if len(w) >= 2 and flag[:1] in ("n", "j") and nxt[0] in LEVEL_CHARS and not GENERIC.match(w + nxt[0]):
            found.append(w + nxt[0])
        elif flag[:1] == "n" and NAME_WITH_LEVEL.match(w) and not GENERIC.match(w):
            found.append(w)
        elif flag == "ns" and len(w) >= 2 and not GENERIC.match(w) and (
                i == 0 or "t" in (prev[1], nxt[1]) or prev[0] == "年" or nxt[0].isdigit()):
            found.append(w)
    for name in found:
        short = name[:-1] if NAME_WITH_LEVEL.match(name) else name
        if not any(name in info.text or short in info.text for info in index.documents.values()):
            return name
    return ""


def _covering(year: int, mode: str, docs: list[str], index: Index) -> list[tuple[str, ...]]:
    """The reports among ``docs`` that speak of ``year`` as asked, in groups, best placed first."""
    r = {d: index.documents[d].year for d in docs}
    tiers: list[list[str]] = []
    if mode == "report":  # the report of that year, named
        tiers.append([d for d in docs if r[d] == year])
    if mode in ("result", "either"):
        tiers.append([d for d in docs if r[d] == year + 1])
    if mode in ("plan", "either"):
        tiers.append([d for d in docs if r[d] == year])
    if mode == "span":
        spans = [d for d in docs if (r[d] <= year <= r[d] + 5 and "next5" in index.periods_of(d))
                 or (r[d] - 5 <= year < r[d] and "past5" in index.periods_of(d))]
        tiers += [[d for d in spans if r[d] == y] for y in sorted({r[d] for d in spans}, reverse=True)]
    groups = [tuple(t) for t in tiers if t]
    if not groups:  # the year named in a report's text (这五年的回顾: 2020年…)
        named = [d for d in docs if f"{year}年" in index.documents[d].text]
        groups = [tuple(d for d in named if r[d] == y) for y in sorted({r[d] for d in named}, reverse=True)]
    return groups


def _by_recency(docs: list[str], index: Index, period: str) -> list[tuple[str, ...]]:
    """Reports grouped by year, most recent first; for a relative period (今后五年) those that speak of it."""
    if period:
        speaking = [d for d in docs if period in index.periods_of(d)]
        docs = speaking or docs
    years = sorted({index.documents[d].year for d in docs}, reverse=True)
    return [tuple(d for d in docs if index.documents[d].year == y) for y in years]


def read(q: Question, index: Index, chosen: Sequence[str] | None = None) -> Scope:
    """The scope of a question (``chosen``: the documents picked by hand; None: every indexed one)."""
    docs = [d for d in index.documents if chosen is None or d in set(chosen)]
    everything = chosen is None or set(docs) == set(index.documents)
    asked, places = places_named(q.normalized, index)
    if places:
        docs = [d for d in docs if index.reports[d].place in places]
        if not docs:
            return Scope(frozenset(), place=asked, missing=asked)
    elif any(r.place for r in index.reports.values()):
        unknown = unknown_place(q.normalized, index)
        if unknown:
            return Scope(frozenset(), place=unknown, missing=unknown)
    year, mode = q.year, q.year_mode
    dated = [d for d in docs if index.documents[d].dated]
    extra = tuple(d for d in docs if not index.documents[d].dated)
    period = q.period_for(None)
    if year and dated:
        groups = _covering(year, mode, dated, index)
        if not groups and not extra:
            return Scope(frozenset(), place=asked, year=year, mode=mode, missing=f"{asked}{year}年")
        docs = [d for g in groups for d in g] + list(extra)
    else:
        groups = _by_recency(dated, index, period)
    allowed = None if everything and set(docs) == set(index.documents) else frozenset(docs)
    return Scope(allowed, tuple(groups), extra, bool(period) and not year, asked, year, mode)
