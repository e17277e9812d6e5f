"""Which period a sentence or a question is about.

Government work reports state the same measures for several periods: last year's
results, the past five years, this year's targets and the next five years' goals
(``新增公共停车位1.3万余个`` / ``5万个`` / ``1万个以上``). The words of such sentences hardly
differ; the section they stand in does. A chunk's period comes from its section path
(``今后五年工作目标任务``, ``2022年工作安排``, the review before the first heading) and from
a cue opening its paragraph (``这五年``, ``过去一年``, ``未来五年``). A question's period comes
from its own words (``去年``, ``今年``, ``五年后``, ``2021年``, "last year"). Retrieval rewards
a chunk whose period matches the question's and penalises one that contradicts it.

Periods: ``past1`` (the year before the report), ``past5`` (the five years before it),
``now`` (the report's year), ``next5`` (the coming five years); ``""`` when unknown.
"""

from __future__ import annotations

import re

from .lexicon import PERIOD_CUES

_CUES = PERIOD_CUES  # (period, pattern) checked in order; first match wins (lexicon.json)
_COMPILED = [(p, re.compile(rx, re.I)) for p, rx in _CUES]
_REVIEW = "回顾"  # a heading or passage that reviews past work
_LOOKS_BACK = re.compile("|".join(rx for p, rx in _CUES if p in ("past1", "past5")) + "|" + _REVIEW, re.I)
# A year, the one pattern (19xx, 20xx) every other is made of: as Chinese text writes it (2022年, not 2020年代), in any
# text (2022年 or a bare 2022), in English.
YEAR = r"(?:19|20)\d\d"
CALENDAR_YEAR = r"(?:1[5-9]|20)\d\d"  # a year of any text, history's too (reading-comprehension questions: 1759年)
CALENDAR_YEAR_ZH = re.compile(rf"(?<![0-9])({CALENDAR_YEAR})(?=\s*年)")  # 1759年, 2022 年
CALENDAR_YEAR_EN = re.compile(rf"(?<![0-9.])\b({CALENDAR_YEAR})\b(?![0-9.%])")  # in 1759 (not 1759.5, 2000%)
YEAR_ZH = re.compile(rf"(?<!\d)({YEAR})\s*年(?!代)")
YEAR_EN = re.compile(rf"\b({YEAR})\b")
_YEAR = re.compile(rf"(?<!\d)({YEAR})(?:\s*年|\b)")


_PLAN_YEAR = re.compile(rf"({YEAR})年(?:工作安排|工作任务|主要任务|工作要点)")  # the year the report plans: its 今年
_TITLE_YEAR = re.compile(rf"({YEAR})年(?:度)?(?:[\u4e00-\u9fff]{{0,6}})?政府工作报告")
# what a question asks of a year: a five-year goal, the plan, or the result
SPAN_WORDS = re.compile(rf"到\s*{YEAR}\s*年|{YEAR}\s*年(?:底)?(?:之)?前|五年|年均|累计|\bby (?:the end of )?{YEAR}\b|"
                        r"five.year", re.I)
PLAN_WORDS = re.compile(r"目标|计划|预期|预计|力争|争取|打算|安排|拟|(?<![主重需只])要|将|\btarget|\bplan|\bgoal|\bexpect|"
                        r"\bwill\b|\baim|ceiling", re.I)
RESULT_WORDS = re.compile(r"(?<![为除])了|实际|完成|已经|\bdid\b|\bwas\b|\bwere\b|achiev|reached|actual|\bgrew\b|\brose\b",
                          re.I)


# Named five-year plan periods: 十三五 is 2016-2020 (the N-th starts in 1951 + 5N from the sixth on, 1981-1985).
_PLAN_NUMBERS = {"十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15, "十六": 16}
PLAN_PERIOD = re.compile(r"“?(十[一二三四五六])五”?(?:规划|时期|期间|计划)?|\b(1[1-6])th [Ff]ive-[Yy]ear [Pp]lan")


def plan_period(text: str) -> tuple[int, int] | None:
    """The years of the first named five-year plan period in ``text`` (十三五: (2016, 2020)), or None."""
    m = PLAN_PERIOD.search(text)
    if not m:
        return None
    n = _PLAN_NUMBERS[m.group(1)] if m.group(1) else int(m.group(2))
    start = 1951 + 5 * n
    return start, start + 4


# a report named by its year (2023年政府工作报告, 2017年的报告, Henan's 2023 government work report): the year is the
# report's, not one the question asks about
REPORT_NAMED = re.compile(rf"({YEAR})\s*年(?:的|度)?《?(?:政府)?工作报告|({YEAR})\s*年的?报告|"
                          rf"\b({YEAR}) (?:government )?work report|\b({YEAR}) report\b", re.I)


def without_report_year(text: str) -> str:
    """The text with a report named by its year taken out (what is left says which period is asked)."""
    return REPORT_NAMED.sub("", text)


def calendar_years(text: str, english: bool) -> set[str]:
    """The calendar years a text names (1759年; in English, 1759): a question's, which a passage must state
    where no report's year places it in time."""
    return set(CALENDAR_YEAR_ZH.findall(text)) | (set(CALENDAR_YEAR_EN.findall(text)) if english else set())


def year_asked(text: str, english: bool) -> tuple[int | None, str]:
    """The one year a question names, and what it asks of it: ``report`` (the report of that year is named:
    2023年政府工作报告), ``span`` (a five-year goal: 到2027年, 累计; a named plan period, 十三五, stands for its last
    year), ``plan`` (目标, 计划, 要, will), ``result`` (了, 实际, 完成, did) or ``either``. (None, "") when it names
    none, or several. ``text``: NFKC-normalized."""
    report = REPORT_NAMED.search(text)
    if report:  # 重庆2023年政府工作报告里，过去五年…: the report is named; the question's other years are inside it
        return int(next(g for g in report.groups() if g)), "report"
    years = {int(y) for y in YEAR_ZH.findall(text)} or ({int(y) for y in YEAR_EN.findall(text)} if english else set())
    named = plan_period(text)
    if not years and named:
        return named[1], "span"
    if len(years) != 1:
        return None, ""
    plan, result = bool(PLAN_WORDS.search(text)), bool(RESULT_WORDS.search(text))
    mode = "span" if SPAN_WORDS.search(text) else "plan" if plan and not result else "result" if result and not plan \
        else "either"
    return years.pop(), mode


def stated_year(texts: list[str]) -> int | None:
    """The year a report says it speaks in, or None: the year of its plan (``三、2022年工作安排``, in any of
    ``texts``), else the year of a title like ``示例市2023年政府工作报告``. The plan wins: a report whose title
    says 2023 and whose plan is ``二、2024年工作安排`` speaks in 2024 (its 今年)."""
    for rx in (_PLAN_YEAR, _TITLE_YEAR):
        for t in texts:
            m = rx.search(t)
            if m:
                return int(m.group(1))
    return None


def document_year(texts: list[str]) -> int | None:
    """The report's year: :func:`stated_year`, else the latest year named in ``texts``."""
    year = stated_year(texts)
    if year:
        return year
    years = [int(y) for t in texts for y in _YEAR.findall(t)]
    return max(years) if years else None


def period_of(text: str, year: int | None = None) -> str:
    """The period a piece of text names, or ``""``: a year it states (relative to ``year``, the report's), a named
    plan period that lies before the report (十三五 in a report of 2021: the past five years), else its words."""
    if year:
        for m in _YEAR.finditer(text):  # a year stated first: 2015年和“十二五”时期工作回顾 reviews 2015 first
            y = int(m.group(1))
            if y == year:
                return "now"
            if y == year - 1:
                return "past1"
            if year < y <= year + 5:
                return "next5"
            if year - 5 <= y < year - 1:
                return "past5"
        named = plan_period(text)
        if named and named[1] < year:
            return "past5"
    for period, rx in _COMPILED:
        if rx.search(text):
            return period
    return ""


def section_period(path: tuple[str, ...], year: int | None) -> str:
    """Period given by the headings (deepest first); the review before the first heading is ``past1``."""
    for title in reversed(path):
        p = period_of(title, year)
        if p:
            return p
        if _REVIEW in title:
            return "past1"
    return ""


def looks_back(text: str) -> bool:
    """Does the text speak of past work anywhere (过去一年, 这五年, 回顾…)? Labels the text before a
    report's first heading as its review of past work (:mod:`qa.text.structure`)."""
    return bool(_LOOKS_BACK.search(text))


def compatible(question: str, chunk: str) -> int:
    """+1 when the periods agree, -1 when they contradict, 0 when either is unknown."""
    if not question or not chunk:
        return 0
    return 1 if question == chunk else -1


_POINT_YEAR = re.compile(rf"(?<![到至\d])({YEAR})\s*年(?!代|以来|起|之前|前)")  # 2022年达到…: a result or plan of that year
_YEARS_OF = re.compile(r"年均|累计|五年来|这五年|\d+年来")  # a figure over several years


def chunk_period(sentence: str, paragraph: str, path: tuple[str, ...], year: int | None) -> str:
    """A sentence's period: a cue opening the sentence, else a year the sentence states (2022年达到1.2万亿元: the
    result of 2022, whatever its section), else a cue opening its paragraph, else its section's; a figure over
    several years (年均, 累计) in a review of the past year is the past five years'."""
    own = period_of(sentence[:8], year)
    if own:
        return own
    stated = _POINT_YEAR.search(sentence)
    if stated and year:
        p = period_of(stated.group(0), year)
        if p:
            return p
    p = period_of(paragraph[:12], year) or section_period(path, year)
    return "past5" if p == "past1" and _YEARS_OF.search(sentence) else p
