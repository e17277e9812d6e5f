"""Reading a question: what kind of answer it wants, its terms, its period.

- ``kind``: ``quantity`` (多少/几/how many: the answer holds a figure), ``list`` (哪些/哪几/哪两…:
  every item), ``entity`` (哪个/什么/which: a name), ``yesno`` (有没有/是否), else ``fact``.
- ``unit``: the measure word a quantity question names (``多少公里`` → 公里), used to check that
  a figure answers it.
- ``terms``: BM25 tokens, with domain synonyms and, for English words, their Chinese candidates from the
  dictionary (:mod:`qa.text.dictionary`, weighted ``1/sqrt(n)``: the embedding model is cross-lingual but weak
  at ranking Chinese sentences for English questions);
- ``reader_text``: what the reader reads: the question, with its English words' best Chinese candidates
  appended (:func:`qa.text.dictionary.gloss`, as the reader was trained);
- ``shape``: the shape of the answer (:func:`shape_of`): ``span`` (a figure, a name, a fact: one short span),
  ``list`` (every item of an enumeration), ``outline`` (the members of a structure the report names or counts:
  十方面工作, 四个高地, 哪几个方面), ``definition`` (是什么, 总体要求, what is: the defining words) or ``measures``
  (有哪些举措, 怎么做, how will: the lead clauses of the passage that matches);
- ``year`` and ``year_mode``: the one year it names and whether it asks the plan, the result or a five-year goal
  of it (:func:`qa.text.periods.year_asked`), which the scope reads (:mod:`.scope`).

Analysed once a question (:func:`analyse`); every later stage reads the :class:`Question`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..config import MAX_QUESTION_CHARS
from ..text import dictionary, measures
from ..text.lexicon import PERIOD_CUES, QUESTION_WORDS, STOPWORDS, SYNONYMS  # noqa: F401 (re-exported)
from ..text.periods import period_of, without_report_year, year_asked
from ..text.tokens import NOUN_FLAGS, pos_words, tokenize, words

_QUANTITY = re.compile(r"多少|几[个家项座条所万千百亿名人户辆次年倍成大]|几+$|多大|多长|多高|多远|多久|多重|比例|比重|"
                       r"百分之|幅度|增速|排名|第几|how many|how much|what share|what percentage|what proportion|"
                       r"what per-capita|what rate|ceiling|\bhow (?:high|large|long|big)", re.I)
_LIST = re.compile(r"哪些|哪几|哪[两三四五六七八九十]|几[座条家个项类大]?(?:是|分别)|有什么|包括什么|哪[个项]?.{0,4}分别|"
                   r"what are|which (?:new|two|three|four|five)|which \w+ (?:sources|counties|cities|industries)",
                   re.I)
_WHEN = re.compile(rf"哪一?年|何年|何时|什么时候|什么时间|哪个时候|几月|哪一?天|{measures.WHEN_ASKED}|what year|which year", re.I)
_ENTITY = re.compile(r"哪[个座家条位种项所处里儿]|什么|谁|\bwhich\b|\bwhat\b|\bwho\b|\bwhere\b", re.I)
_YESNO = re.compile(r"有没有|是不是|是否|吗[?？]?$|did .* (?:cause|happen)", re.I)
# measure words that pin down what a figure counts; 个/项/名/人 are too general to check
# The shape of the answer a question asks for, checked in order (the first that matches wins); a quantity is a span.
_COUNTED = r"[一二两三四五六七八九十几]+(?:个|大|项|次|条)?"
# what a measures question asks to be listed: done or to be done (举措, 成绩…)
_DONE = "举措|措施|办法|做法|工作|进展|成绩|成效|成果|成就|行动|事|实事|好事|安排|打算|部署|动作|考虑"
_MEASURES = re.compile(rf"(?:哪些|什么|哪几项)(?:具体|主要|重要|重点|新的?)?(?:{_DONE})|怎么做|怎样做|"
              r"采取了|做了哪些|做了什么|做了些|取得了哪些|有什么进展|"
              r"(?:怎么|如何|怎样)(?:推进|推动|打造|建设|发展|抓|办|保障|落实|提升|加强|实现|做|抢险|应对|改善|优化|培育)|"
              r"\bhow (?:will|did|does|do|is|are|can|has|have)\b|\bwhat (?:measures|steps|actions|progress|"
              r"achievements|was done|has been done|did\b.{0,40}\b(?:do|achieve|accomplish)\b|will\b.{0,40}\bdo\b)", re.I)
_SHAPES = [
    ("definition", re.compile(r"指的是|是指|指什么|什么意思|意味着什么|什么是|\bwhat does\b.{0,60}\bmean\b", re.I)),
    ("outline", re.compile(r"哪几(?:个|项|大|条)?(?:方面|部分|领域|板块|类|块|项|大|个“)|哪些方面|几个方面|几大(?:方面|任务|领域)|"
                           rf"分为哪|分成哪|哪[两三四五六七八九十]+(?:个|项|大|条|类|块|方面)|“{_COUNTED}[\u4e00-\u9fff]{{1,6}}”|"
                           r"\b(?:which|what) (?:main |key |major )?(?:areas|aspects|fields|parts|priorities|pillars)\b|"
                           r"\binto which\b|\bwhich (?:two|three|four|five|six|seven|eight|nine|ten|\d+) (?:[a-z-]+ )?[a-z-]+s\b|\bwhat are the (?:main|key|major) (?:tasks|areas|priorities)\b", re.I)),
    ("measures", _MEASURES),
    ("definition", re.compile(r"是什么|指的是|指什么|是指|意味着什么|什么是|什么样的?|包括(?:哪些|什么)(?:内容)?|总体要求|总体思路|主要内容|"
                              r"面临(?:哪些|什么|着)(?:困难|挑战|问题)|(?:目标|任务|要求|思路|定位)是|"
                              r"什么(?:目标|作用|角色|地位|定位|理念|要求|原则|思路|方向)|\bwhat is\b|\bwhat role\b|"
                              r"\bwhat does\b.{0,60}\bmean\b|\bwhat are the (?:[a-z-]+ ){0,3}(?:goals|targets|requirements|challenges|difficulties|"
                              r"problems)\b|\bwhat (?:challenges|difficulties|problems)\b", re.I)),
]


_PINPOINT = re.compile(rf"哪里|哪儿|何地|谁|哪一?年|何时|什么时候|多少|哪个(?!方面)|哪一[个项条]|\b(?:where|who)\b|{measures.WHEN_ASKED}|"
                       r"\bwhat (?:is|was|are|were) the "
                       r"(?:[\w-]+ ){0,4}(?:target|rate|growth|number|amount|share|percentage|total|figure|gdp|income|"
                       r"output|level|value|size|population|name)\b", re.I)  # one thing asked: a place, a person, a figure
_PLURAL = re.compile(r"\b(?:which|what)\s+(?:[a-z-]+\s+){0,3}[a-z-]{3,}s\b(?!\s+(?:is|was)\b)", re.I)


def shape_of(text: str, kind: str) -> str:
    """The shape of the answer: ``span`` for a quantity, a yes/no or one thing pinpointed (a place, a person, a
    figure); else the first of outline, measures, definition whose words the question uses; else ``list`` for a
    list question (in English: which/what and a plural), ``span`` otherwise. A measures question about nothing
    but a period (过去一年取得了哪些成绩？) asks for the outline of that part of the report: what it did or will do,
    in the report's own heads."""
    if kind in ("quantity", "yesno") or _PINPOINT.search(text):
        return "span"
    for shape, rx in _SHAPES:
        if rx.search(text):
            return "outline" if shape == "measures" and whole_part(text) else shape
    return "list" if kind == "list" or _PLURAL.search(text) else "span"


_SPEAKER = {"政府", "市政府", "我市", "全市", "本市", "我省", "全省", "我国", "全国", "government"}  # a report's own voice
_TOPIC_FLAGS = ("n", "v", "a", "l", "j", "eng")


def whole_part(text: str) -> bool:
    """A measures question about nothing but a period (过去一年取得了哪些成绩？, What did Taiyuan achieve last year?):
    besides its measures words it names no topic, no content word that is no period (去年, 过去五年), place (jieba's
    ns) or the report's own voice (政府, 全市)."""
    return bool(_MEASURES.search(text)) and not _topic(_MEASURES.sub(" ", text))


def _topic(rest: str) -> bool:
    for _, rx in PERIOD_CUES:
        rest = re.sub(rx, " ", rest, flags=re.I)
    rest = re.sub(_DONE, " ", rest)
    return any(len(w) >= 2 and f.startswith(_TOPIC_FLAGS) and f != "ns" and w.lower() not in STOPWORDS
               and w not in QUESTION_WORDS and w.lower() not in _SPEAKER and not period_of(w)
               for w, f in pos_words(rest))


_UNITS = {"年", "元", "亿元", "万元", "美元", "万美元", "公里", "千米", "米", "亩", "万亩", "户", "万户", "辆", "套", "所",
          "座", "张", "吨", "万吨", "千瓦", "平方米", "倍", "天", "家"}
_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
          "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass(frozen=True)
class Question:
    text: str
    kind: str
    english: bool
    terms: list[str]  # BM25 query tokens (the question's own, then expansions)
    weights: dict[str, float] = field(default_factory=dict)  # per-term BM25 weight (<1 for expansions)
    unit: str = ""  # measure word of a quantity question (多少公里 → 公里), when it pins down the figure
    count: int = 0  # number of items a list question asks for (0: unknown)
    embed_text: str = ""  # what is embedded
    nouns: list[str] = field(default_factory=list)  # content nouns: what the question is about
    quoted: list[str] = field(default_factory=list)  # phrases the question puts in quotes
    reader_text: str = ""  # what the reader reads (English words glossed: qa.text.dictionary.gloss)
    normalized: str = ""  # NFKC: what places and years are read from
    shape: str = "span"  # span / list / outline / definition / measures (shape_of)
    measure: str = ""  # what a quantity question asks to be measured: money, area, count… (qa.text.measures.asked)
    year: int | None = None  # the one year it names (None: none, or several)
    year_mode: str = ""  # what it asks of that year: plan, result, span (a five-year goal) or either
    whole: bool = False  # a measures question about nothing but its period (whole_part): its part's outline
    _periods: dict = field(default_factory=dict, repr=False, compare=False)

    def period_for(self, year: int | None) -> str:
        """The question's period relative to a document's year (去年 means year - 1)."""
        if year not in self._periods:
            self._periods[year] = period_of(without_report_year(self.text), year)
        return self._periods[year]


def prepare(text: str) -> str:
    """Normalize a raw question: control characters out, whitespace collapsed, length bounded."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUESTION_CHARS]


def is_english(text: str) -> bool:
    """Latin letters outnumber twice the Chinese characters."""
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin > 2 * len(re.findall(r"[\u3400-\u9fff]", text))


# BM25 weight of a dictionary candidate, times 1/sqrt(n) for a word with n candidates. Retrieval doc@1 of XQuAD's
# English questions, articles 0-23 (632; the 160 paragraphs as documents): no bridge 0.568, 0.5: 0.655, 1.0: 0.720,
# 1.5: 0.726, 2.0: 0.729, 3.0: 0.725, 5.0: 0.714. The embedded question stays as asked (its candidates appended to
# it: 0.703 at 1.0). docs/measurements.md
BRIDGE_WEIGHT = 2.0
SYNONYM_WEIGHT = 0.6  # BM25 weight of a domain synonym of a question word (set by hand in the first round, on dev)
_LATIN_WORD = re.compile(r"[A-Za-z]{2}")


def analyse(text: str, bridge: bool = True) -> Question:
    """What a question asks for. ``bridge``: English words reach Chinese text through the dictionary (off: for
    the ablation)."""
    english = is_english(text)
    normalized = unicodedata.normalize("NFKC", text)
    year, year_mode = year_asked(normalized, is_english(normalized))
    when = _WHEN.search(text)
    kind = ("yesno" if _YESNO.search(text) else "list" if _LIST.search(text) else
            "quantity" if _QUANTITY.search(text) or when else "entity" if _ENTITY.search(text) else "fact")
    count_m = re.search(r"哪([两二三四五六七八九十])|(two|three|four|five) ", text, re.I)
    count = _COUNT.get((count_m.group(1) or count_m.group(2) or "").lower(), 0) if count_m else 0
    ws = words(text)
    unit = next((ws[i + 1] for i, w in enumerate(ws[:-1]) if w == "多少" and ws[i + 1] in _UNITS), "")
    if when and re.search(r"年", when.group(0)) or re.search(r"what year|which year", text, re.I):
        unit = "年"  # a year is asked: the figure must be one
    terms = tokenize(text)
    weights = {t: 1.0 for t in terms}
    extra: list[str] = []

    def expand(phrases: list[str], weight: float) -> None:
        for z in phrases:
            for tok in tokenize(z):
                if tok not in weights:
                    weights[tok] = weight
                    extra.append(tok)

    bridged: list[str] = []
    if bridge and _LATIN_WORD.search(text):
        for _, cands in dictionary.candidates(text):
            for z, w in cands:
                expand([z], BRIDGE_WEIGHT * w)
                bridged.append(z)
    for w in ws:  # synonyms of whole words only (not of jieba's search-mode sub-words)
        expand(SYNONYMS.get(w, []), SYNONYM_WEIGHT)
    embed = text
    quoted = re.findall(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]", text)
    reader = dictionary.gloss(text) if bridged else text
    shape = shape_of(normalized, kind)
    return Question(text, kind, english, terms + extra, weights, unit, count, embed, nouns(text), quoted, reader,
                    normalized, shape, measures.asked(normalized) if kind == "quantity" else "", year, year_mode,
                    shape == "outline" and whole_part(normalized))


# "how big/long/…": set apart before tagging, or jieba glues it to the noun that follows (多大面积 → 多 / 大面积)
_HOW = re.compile(r"(多[大长高远久重宽深少])")


def nouns(text: str) -> list[str]:
    """Content nouns of a question (jieba POS tags n*, vn, l, eng…), minus question words."""
    return [w for w, flag in pos_words(_HOW.sub(r" \1 ", text)) if len(w) >= 2 and flag != "ng"
            and flag.startswith(NOUN_FLAGS) and w not in QUESTION_WORDS and not period_of(w)]
