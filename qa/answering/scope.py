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

Several reports in scope (:attr:`Scope.several`) are answered from the most recent that answers
(:func:`answer_in_scope`; a question whose period is relative to a report, 今年 or 去年, from the most recent only),
and what each other report answers is listed beside it (``Answer.others``). One report in the index: the scope is
everything, ``allowed`` is None, and the answer is made exactly as before.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

from ..index.store import Index
from ..text import dictionary
from ..text.periods import period_of
from ..text.tokens import pos_words
from .question import _is_english
from .result import NOT_FOUND, NOT_FOUND_EN, Answer

MAX_OTHERS = 4  # other reports read for Answer.others, most recent first: each costs one more reading (about the
# reading time of a one-report ask())
_LEVEL_WORDS = {"省", "市", "区", "县", "州", "盟", "旗"}
_LEVEL_END = re.compile(r"^[\u4e00-\u9fff]{2,10}(?:自治区|自治州|省|市|区|县|州|盟|旗)$")
_GENERIC = re.compile(r"^[\u4e00-\u9fff](?:省|市|区|县|州|城|镇|乡|村)$")  # 全市 本区 城市 城镇: no names
_YEAR_ZH = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年(?!代)")
_YEAR_EN = re.compile(r"\b((?:19|20)\d\d)\b")
# what the question asks of a year: a five-year goal, the plan, or the result
_SPAN = re.compile(r"到\s*(?:19|20)\d\d\s*年|(?:19|20)\d\d\s*年(?:底)?(?:之)?前|五年|年均|累计|\bby (?:the end of )?(?:19|20)\d\d\b|"
                   r"five.year", re.I)
_PLAN = re.compile(r"目标|计划|预期|预计|力争|争取|打算|安排|拟|(?<![主重需只])要|将|\btarget|\bplan|\bgoal|\bexpect|\bwill\b|"
                   r"\baim|ceiling", re.I)
_RESULT = re.compile(r"(?<![为除])了|实际|完成|已经|\bdid\b|\bwas\b|\bwere\b|achiev|reached|actual|\bgrew\b|\brose\b", re.I)


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
        """More than one report in scope: answered by :func:`answer_in_scope`."""
        return len(self.reports) > 1


def year_asked(question: str) -> tuple[int | None, str]:
    """The one year a question names, and what it asks of it: ``span`` (a five-year goal: 到2027年, 累计),
    ``plan`` (目标, 计划, 要, will), ``result`` (了, 实际, 完成, did) or ``either``. (None, "") when it names none,
    or several."""
    text = unicodedata.normalize("NFKC", question)
    years = {int(y) for y in _YEAR_ZH.findall(text)} or ({int(y) for y in _YEAR_EN.findall(text)}
                                                         if _is_english(text) else set())
    if len(years) != 1:
        return None, ""
    plan, result = bool(_PLAN.search(text)), bool(_RESULT.search(text))
    mode = "span" if _SPAN.search(text) else "plan" if plan and not result else "result" if result and not plan \
        else "either"
    return years.pop(), mode


def _latin_place(alias: str, index: Index) -> bool:
    """A Latin file-name form (``taiyuan``) names a place unless it is an English word (``report``)."""
    found = {zh for _, cands in dictionary.candidates(alias) for zh, _weight in cands}
    return not found or any(found & set(r.aliases) for r in index.reports.values())


def places_named(question: str, index: Index) -> tuple[str, set[str]]:
    """The places of indexed reports a question names: (the words it uses, the reports' places)."""
    text = unicodedata.normalize("NFKC", question)
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


def unknown_place(question: str, index: Index) -> str:
    """A place the question names that no indexed document mentions (``北京``, ``东岭市``), or "".

    A place is a name ending in its level (``东岭市``: one word, or a noun and 市/县/区…), or a word jieba tags
    as a place (``ns``) that opens the question or stands beside a time (``北京今年``, ``去年北京``, ``2023年深圳``)."""
    words = pos_words(unicodedata.normalize("NFKC", question))
    found = []
    for i, (w, flag) in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ("", "")
        prev = words[i - 1] if i else ("", "")
        if len(w) >= 2 and flag[:1] in ("n", "j") and nxt[0] in _LEVEL_WORDS and not _GENERIC.match(w + nxt[0]):
            found.append(w + nxt[0])
        elif flag[:1] == "n" and _LEVEL_END.match(w) and not _GENERIC.match(w):
            found.append(w)
        elif flag == "ns" and len(w) >= 2 and not _GENERIC.match(w) and (
                i == 0 or "t" in (prev[1], nxt[1]) or prev[0] == "年" or nxt[0].isdigit()):
            found.append(w)
    for name in found:
        short = name[:-1] if _LEVEL_END.match(name) else name
        if not any(name in info["text"] or short in info["text"] for info in index.documents.values()):
            return name
    return ""


def _covering(year: int, mode: str, docs: list[str], index: Index) -> list[tuple[str, ...]]:
    """The reports among ``docs`` that speak of ``year`` as asked, in groups, best placed first."""
    r = {d: index.reports[d].year for d in docs}
    tiers: list[list[str]] = []
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
        named = [d for d in docs if f"{year}年" in index.documents[d]["text"]]
        groups = [tuple(d for d in named if r[d] == y) for y in sorted({r[d] for d in named}, reverse=True)]
    return groups


def _by_recency(docs: list[str], index: Index, period: str) -> list[tuple[str, ...]]:
    """Reports grouped by year, most recent first; for a relative period (今后五年) those that speak of it."""
    if period:
        speaking = [d for d in docs if period in index.periods_of(d)]
        docs = speaking or docs
    years = sorted({index.reports[d].year for d in docs}, reverse=True)
    return [tuple(d for d in docs if index.reports[d].year == y) for y in years]


def read(question: str, index: Index, chosen: Sequence[str] | None = None) -> Scope:
    """The scope of a question (``chosen``: the documents picked by hand; None: every indexed one)."""
    docs = [d for d in index.documents if chosen is None or d in set(chosen)]
    everything = chosen is None or set(docs) == set(index.documents)
    asked, places = places_named(question, index)
    if places:
        docs = [d for d in docs if index.reports[d].place in places]
        if not docs:
            return Scope(frozenset(), place=asked, missing=asked)
    elif any(r.place for r in index.reports.values()):
        unknown = unknown_place(question, index)
        if unknown:
            return Scope(frozenset(), place=unknown, missing=unknown)
    year, mode = year_asked(question)
    dated = [d for d in docs if index.reports[d].year]
    extra = tuple(d for d in docs if not index.reports[d].year)
    period = period_of(question)
    if year and dated:
        groups = _covering(year, mode, dated, index)
        if not groups and not extra:
            return Scope(frozenset(), place=asked, year=year, mode=mode, missing=f"{asked}{year}年")
        docs = [d for g in groups for d in g] + list(extra)
    else:
        groups = _by_recency(dated, index, period)
    allowed = None if everything and set(docs) == set(index.documents) else frozenset(docs)
    return Scope(allowed, tuple(groups), extra, bool(period) and not year, asked, year, mode)


def not_covered(scope: Scope, question: str, chosen: bool = False) -> Answer:
    """The answer to a question no indexed report covers: "not found", saying which report is missing."""
    what = scope.missing
    if _is_english(question):
        report = " ".join(x for x in ("report", f"of {scope.place}" if scope.place else "",
                                      f"for {scope.year}" if scope.year else "") if x)
        said = f"none of the chosen documents is a {report}" if chosen else f"no {report} is indexed"
        text = f"{NOT_FOUND_EN[:-1]} ({said})."
    else:
        text = f"{NOT_FOUND[:-1]}（{'所选文档中没有' if chosen else '没有索引'}{what}的报告）。"
    return Answer(question, "", True, [], text, features={"reason": "not covered", "missing": what})


def labelled(answer: Answer, index: Index) -> Answer:
    """The citations (and the other reports' lines) named by their report's place and year."""
    for c in answer.citations + answer.others:
        c.label = index.label(c.doc)
    return answer


def answer_in_scope(scope: Scope, run: Callable[[frozenset[str]], Answer]) -> Answer:
    """Several reports in scope: the answer of the first group that answers (the first group only for a relative
    period), with what each other report answers in ``Answer.others`` (most recent first, at most
    :data:`MAX_OTHERS`). ``run(documents)`` answers the question from those documents alone."""
    done: dict[frozenset[str], Answer] = {}

    def answer(docs: frozenset[str]) -> Answer:
        if docs not in done:
            done[docs] = run(docs)
        return done[docs]

    first = frozenset(scope.groups[0]) | frozenset(scope.extra)
    best = answer(first)
    if best.abstained and not scope.relative:
        for group in scope.groups[1:]:
            found = answer(frozenset(group))
            if not found.abstained:
                best = found
                break
    source = best.citations[0].doc if best.citations and not best.abstained else ""
    others = []
    for doc in [d for d in scope.reports if d != source][:MAX_OTHERS]:
        said = answer(frozenset({doc}))
        if not said.abstained and said.citations:
            others.append(said.citations[0])
    best.others = others
    return best
