"""What a figure measures, and what a question asks to be measured: one table of units and question words.

A figure is a number (digits, half- or full-width, with inner spaces as web text has them: ``4112.8 亿元``; or
Chinese numerals: ``十二件``) with its multiplier (万, 亿…), an approximation (1.3万余个) and its unit. Its *measure* comes from the unit:
money (元, 万元, 亿元, 美元), area (亩, 平方公里, 公顷), length (公里, 米), mass (吨, 斤), people (人, 名, 人次),
count (个, 座, 家, 所, 项, 套, 辆…), share (%, 个百分点, 倍, 成), time (年, 月, 天, 小时), rank (第N, N名 after 第).

A question's measure comes from its words (``多少钱``, ``投资``, ``面积``, ``多长``, ``多少人``, ``多少个``, ``比重``,
``多久``, ``第几``; in English ``how much money``, ``what area``, ``how many people``, ``what share``, ``when``,
``which place``). ``change`` (增长多少, by how much) asks for a change, which a share or any amount states.

:func:`compatible` says whether a figure of one measure can answer a question asking another: the same measure
does; people and count stand in for each other (``多少家企业`` / ``3000户``, ``多少名医生`` / ``1200人``); an unknown
measure on either side is not judged here (the fitted models weigh it, :mod:`qa.answering.features`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .periods import YEAR

# unit -> measure. Longest units first when matched (平方公里 before 公里, 万亿元 before 元).
UNITS: dict[str, str] = {
    **{u: "money" for u in ("元", "万元", "亿元", "万亿元", "千元", "美元", "万美元", "亿美元", "欧元", "港元", "块钱")},
    **{u: "area" for u in ("亩", "万亩", "平方公里", "平方千米", "平方米", "万平方米", "公顷", "万公顷")},
    **{u: "length" for u in ("公里", "千米", "米", "万公里", "km")},
    **{u: "mass" for u in ("吨", "万吨", "亿吨", "千克", "公斤", "斤", "万斤", "亿斤")},
    **{u: "people" for u in ("人", "万人", "人次", "万人次", "名", "位")},
    **{u: "count" for u in ("个", "座", "家", "所", "项", "套", "辆", "条", "台", "张", "处", "批", "件", "艘", "架", "栋",
                            "间", "户", "万户", "种", "部", "场", "支", "只", "头", "棵", "株", "万个", "万辆", "万套", "大")},
    **{u: "share" for u in ("%", "个百分点", "百分点", "倍", "成")},
    **{u: "time" for u in ("年", "个月", "月", "天", "日", "小时", "分钟", "周")},
}
MEASURES = ("money", "area", "length", "mass", "people", "count", "share", "time", "rank")
_MULT = "[万亿千百十]*"
_DIGITS = r"[0-9０-９]+(?:\s?[.．]\s?[0-9０-９]+)?"  # 4112.8, ４.５, and the web's 4112 .8
_ZH_NUM = "[一二两三四五六七八九十百千万亿]+"
_UNIT_RX = "|".join(re.escape(u) for u in sorted((u for u in UNITS if u), key=len, reverse=True))
# a figure: a number, its multiplier and unit (spaces allowed between, as web text has them)
FIGURE_UNIT = re.compile(rf"(?P<num>{_DIGITS}|{_ZH_NUM})\s*(?P<mult>{_MULT})(?:余|多)?\s*(?P<unit>{_UNIT_RX})?")
_RANK = re.compile(rf"第\s*(?:{_DIGITS}|{_ZH_NUM})")
# question words -> measure, checked in order (the first that matches wins); Chinese, then English
WHEN_ASKED = r"^\W*when\b|\b(?:and|or|since|until) when\b"  # "when" asks a time as the question word; mid-question
# it is a conjunction (Who was the leader when the Franks entered…: a name; XQuAD en holds 17 such of 826)
_ASKED = [
    ("rank", r"第几|排名第?几|名次|排第几|\bwhat (?:place|rank)|\bwhich place|\branked?\b"),
    # a change asked (增长多少) wins over the subject's own measure (一般公共预算收入增长多少: a rate, not money)
    ("change", r"(?:增长|增加|增幅|上涨|涨|下降|降低|降|减少|提高|提升|回落|下跌)(?:了)?(?:多少|几)(?![个人座家所项套辆条台张处批件"
               r"艘架栋间户种部场支只元亩吨米])|多了多少|少了多少|\bby how much|\bhow much (?:did|will|does|has|is) .* "
               r"(?:grow|rise|increase|fall|drop|decrease)"),
    ("money", r"多少钱|多少资金|多少经费|多少[亿万千]?元|多少美元|[投花]入?了?多少|(?:资金|经费|补贴|预算|费用|成本|造价|投资额?|"
              r"收入|金额)(?:总额|规模)?(?:是|为|有|达到|要)?多少(?![个人座家所项套])|"
              r"how much money|\bhow much\b.{0,40}\b(?:cost|invest|spend|spent|fund|budget)|"
              r"\bwhat (?:is|was|will be) the (?:total )?(?:cost|investment|budget|funding)\b"),
    ("area", r"面积|多少平方|多少亩|多少公顷|\bwhat area|\bhow large an area|\bsquare (?:kilo)?met|\bhectares?\b|\bacres?\b"),
    ("length", r"多长(?!时间)|全长|长度|里程|多少公里|多少千米|多少米|\bhow many (?:kilomet|km|met)|\blength\b|\bhow long is\b"),
    ("mass", r"多少吨|多少斤|多少公斤|产量多少|\bhow many (?:tons|tonnes)|\bhow much grain"),
    ("time", r"多久|多长时间|几年(?!来)|哪一?年|什么时候|何时|几月|哪一?天|多少(?:天|年(?!来)|个?月|周|小时)|几(?:天|个月|周|小时)|"
             rf"{WHEN_ASKED}|\bwhat year|\bwhich year|\bhow long (?:will|did|does|has|have|ago)|"
             r"\bhow many (?:days|weeks|months|years|hours)\b"),
    ("share", r"比重|比例|占比|百分之|百分点|[覆普]盖率|\w率(?:是|为|达到|要达到|多少|有多)|增速|幅度|增幅|降幅|"
              r"\bwhat (?:share|percentage|proportion|rate)|\bpercent|\bhow fast\b|\brate\b"),
    ("people", r"多少人|多少名|几个人|多少位|人次|人数|\bhow many (?:people|persons|residents|workers|students|"
               r"employees|jobs|households)"),
    ("count", r"多少[个座家所项套辆条台张处批件艘架栋间户种部场支只]|几[个座家所项套辆条台张处批件艘架栋间户种部场]|"
              r"\bhow many\b"),
]
_ASKED_RX = [(m, re.compile(rx, re.I)) for m, rx in _ASKED]
# else the unit a question counts in (多少千克, 几斤, 多少分钟): the table's own measure of it; 成 and 大 begin words
# more often than they count (多少成员, 多少大学)
_UNIT_ASKED = re.compile(rf"(?:多少|几)\s*({_UNIT_RX})")
_NOT_COUNTING = ("成", "大")
# what a near miss asks instead (qa.training.augment): the noun of each measure (…的投资额是多少？), in English the
# question phrase
NOUNS = {"money": ("投资额", "资金", "花费"), "area": ("面积", "占地面积"), "length": ("长度", "里程"), "mass": ("重量",),
         "people": ("人数",), "count": ("数量",), "share": ("比重", "占比"), "time": ("时间", "年份")}
PHRASES_EN = {"money": ("how much money",), "area": ("what area",), "length": ("how many kilometres",),
              "people": ("how many people",), "share": ("what share",), "time": ("in what year",)}


# nouns that name a measure, not a subject (比例 in 污水处理后重新利用的比例要提高到多少 is what is measured)
MEASURE_WORDS = frozenset({"比例", "比重", "占比", "面积", "长度", "里程", "投资", "资金", "经费", "金额", "人数", "数量",
                           "总量", "规模", "增速", "增幅", "幅度", "速度", "产值", "总额", "花费", "费用", "成本", "预算",
                           "全长", "总面积", "覆盖率", "年均", "目标"})
# how a message names a measure: "the report gives the 数量 (3000座), not the 金额"
NAME_ZH = {"money": "金额", "area": "面积", "length": "长度", "mass": "重量", "people": "人数", "count": "数量",
           "share": "比例或增幅", "time": "时间", "rank": "名次", "change": "变化", "": "数字"}
NAME_EN = {"money": "cost", "area": "area", "length": "length", "mass": "weight", "people": "number of people",
           "count": "number", "share": "share or rate", "time": "date", "rank": "rank", "change": "change",
           "": "figure"}


@dataclass(frozen=True)
class Figure:
    """A figure in a text: [start, end) its characters (number, multiplier and unit), what it measures."""
    start: int
    end: int
    measure: str  # one of MEASURES, or "" when its unit says nothing (a bare number)
    unit: str


def figures(text: str) -> list[Figure]:
    """The figures of a text, with their measures. Numbers inside names (5G, 2号线, 十三五) are not figures of a
    measure; a Chinese numeral counts only with a unit (一批 is not 一)."""
    out: list[Figure] = []
    taken: set[int] = set()
    for m in _RANK.finditer(text):
        out.append(Figure(m.start(), m.end(), "rank", "第"))
        taken.update(range(m.start(), m.end()))
    for m in FIGURE_UNIT.finditer(text):
        if m.start() in taken:
            continue
        num, unit = m.group("num"), m.group("unit") or ""
        zh = not re.match(r"[0-9０-９]", num)
        if zh and not unit:
            continue
        before, after = text[m.start() - 1:m.start()], text[m.end():m.end() + 1]
        if re.match(r"[A-Za-z]", after) and not unit or re.match(r"[A-Za-z]", before):
            continue  # 5G, G20
        if unit == "年" and re.fullmatch(YEAR, unicodedata.normalize("NFKC", num.replace(" ", ""))):
            out.append(Figure(m.start(), m.end(), "time", unit))  # a year
            continue
        out.append(Figure(m.start(), m.end(), UNITS.get(unit, ""), unit))
    out.sort(key=lambda f: f.start)
    return out


# Whether a figure states a level or a change, read from the words right before it: 达到99.1万亿元, 提高到85% and
# 从2017年的2.01万亿元 are levels, 增长6.1% and 提高1.3个百分点 changes (percentage points always change).
_CHANGE_BEFORE = re.compile(r"(?:增长|增加|提高|提升|上升|下降|降低|减少|上涨|回落|下跌|扩大|缩小|增|减|降|涨)了?"
                            r"(?:约|近|超|超过|逾)?\s*$")
_LEVEL_BEFORE = re.compile(r"(?:达到|达|突破|超过|实现|完成|总额|总量|规模|[到至为是从的]|共|合计)(?:约|近|超|逾)?\s*$")
_POINTS = ("个百分点", "百分点")
# a question that asks a level (城镇化率达到了多少, 总额是多少), not how much it changed
LEVEL_ASKED = re.compile(r"达到了?多少|[到至]多少|是多少|为多少|有多少|总额|总量|规模")
CHANGE_WORDS = re.compile(r"增长|增速|增幅|涨幅|降幅|幅度|提高|提升|上升|下降|降低|减少|增加|上涨|回落|下跌|变化|"
                          r"\b(?:grow|growth|rise|rose|increase|fall|fell|drop|decrease)", re.I)


# a share of a whole (民生支出占…的比重稳定在80%左右, 覆盖率达到91%): a level, never the change of anything; a rate of
# change (增长率, 增速) is no such share
_PROPORTION_BEFORE = re.compile(r"(?:比重|占比|比例|(?<!增长)(?<!增)率)(?:稳定在|保持在|达到|达|提高到|提升到|为|是|在)?"
                                r"(?:约|近|超|超过|逾)?\s*$")


def proportion(text: str, f: Figure) -> bool:
    """The figure is the share of a whole its words name right before it (…的比重稳定在80%)."""
    return f.measure == "share" and f.unit not in _POINTS and bool(
        _PROPORTION_BEFORE.search(text[max(0, f.start - 8):f.start]))


def level_asked(question: str) -> bool:
    """The question asks what a figure stands at, not how it changed (城镇化率达到了多少; not 增长率是多少)."""
    return bool(LEVEL_ASKED.search(question)) and not CHANGE_WORDS.search(question)


def direction(text: str, f: Figure) -> str:
    """``change`` (增长6.1%, 提高1.3个百分点), ``level`` (达到99.1万亿元, 提高到85%) or "" (the words do not say)."""
    if f.unit in _POINTS:
        return "change"
    before = text[max(0, f.start - 6):f.start]
    if _CHANGE_BEFORE.search(before):
        return "change"
    return "level" if _LEVEL_BEFORE.search(before) else ""


def asked(question: str) -> str:
    """The measure a question asks for: one of MEASURES, ``change``, or "" when its words do not say."""
    text = unicodedata.normalize("NFKC", question)
    for measure, rx in _ASKED_RX:
        if rx.search(text):
            return measure
    unit = _UNIT_ASKED.search(text)
    return UNITS[unit.group(1)] if unit and unit.group(1) not in _NOT_COUNTING else ""


def compatible(asked_measure: str, figure_measure: str) -> bool | None:
    """Whether a figure of ``figure_measure`` can answer a question asking ``asked_measure``: True, False, or None
    when either is unknown (left to the fitted models)."""
    if not asked_measure or not figure_measure:
        return None
    if asked_measure == "change":
        return figure_measure not in ("time", "rank")
    if asked_measure == figure_measure:
        return True
    return {asked_measure, figure_measure} == {"people", "count"}


def answers_measure(asked_measure: str, text: str) -> bool | None:
    """Whether ``text`` holds a figure that can answer the measure asked: True (one does), False (it holds figures
    of a measure, none compatible), None (the measure or the figures' measures are unknown)."""
    if not asked_measure:
        return None
    verdicts = [compatible(asked_measure, f.measure) for f in figures(text)]
    if any(v for v in verdicts):
        return True
    if verdicts and all(v is False for v in verdicts):
        return False
    return None
