"""Which place issued a report and which year it speaks in, read from its own words at build time.

A government work report names its place and year in a few set phrases; nothing here knows any place's name:

- the title: ``示例市2023年政府工作报告``, ``青石市人民政府工作报告`` (years taken out, the name ends with its level:
  省 市 区 县 州 自治区…);
- the opening: ``——2024年1月10日在青石市第十五届人民代表大会第三次会议上``, ``青石市人民政府市长 …``;
- the speaker's line ``我代表市人民政府`` gives the level; when neither the title nor the opening names the place,
  the name is the place the report's text names most often (jieba's place tag ``ns``), far more often than any
  other: the seed's first page was lost, and it names 太原 42 times, 山西 23;
- the State Council's report (its title or opening: 国务院政府工作报告, 国务院总理, 全国人民代表大会第N次会议) is
  the nation's, place ``全国``;
- the file name, as a last resort (``示例市_2023.md``); a Latin name before the year (``taiyuan_2022_….txt``) is
  kept as another form of a place read otherwise, one an English question may use.

The year is :func:`qa.text.periods.stated_year` (the year of its ``20XX年工作安排``, else of its title), else the
date of the opening (``2024年1月10日在…人民代表大会``). What cannot be read stays empty, and the build says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import PurePath

from .documents import Document
from .periods import YEAR, stated_year

# a place's level, as its name ends (the one table: reports read here, questions in qa.answering.scope)
LEVELS = ("自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "州", "盟", "旗")
_LEVELS = "|".join(LEVELS)
LEVEL_CHARS = frozenset(x for x in LEVELS if len(x) == 1)
NAME_WITH_LEVEL = re.compile(rf"^[\u4e00-\u9fff]{{2,10}}(?:{_LEVELS})$")  # 东岭市, 内蒙古自治区
# 全市 本区 城市 城镇 省市: a level after a word that names no place (广州, 苏州, 沛县 are names, 州 and 县 their levels)
GENERIC = re.compile(rf"^[全本该各我此其外跨省市县区城乡州镇](?:{_LEVELS}|城|镇|乡|村)$")
_NAME = rf"[\u4e00-\u9fff]{{2,10}}?(?:{_LEVELS})"
_TITLE = re.compile(rf"^({_NAME})(?:人民)?(?:政府|工作报告)")
_CONGRESS = re.compile(rf"在({_NAME})第[一二三四五六七八九十]+届人民代表大会")
_HEAD = re.compile(rf"({_NAME})人民政府(?:代理)?(?:省长|市长|区长|县长|州长|主席|盟长|旗长)")
_SPEAKER = re.compile(rf"我代表({_LEVELS})人民政府")
_OPENING_DATE = re.compile(rf"({YEAR})年\d{{1,2}}月\d{{1,2}}日在[^，。]{{0,20}}人民代表大会")
_YEARS = re.compile(rf"{YEAR}年度?")
_FILE_NAME = re.compile(rf"^({_NAME})")
_FILE_CHINESE = re.compile(r"^([\u4e00-\u9fff]{2,6})(?=\d|_|-|\s|政府|工作|$)")
_FILE_LATIN = re.compile(rf"^([A-Za-z]{{3,}})[ _\-.]*{YEAR}")
# The State Council's report is the nation's: its place is 全国, named by these words in a question (国家 and 中国
# are left out: 国家级, 国家物流枢纽, 中国醋都 name no place); read from its title or its opening.
NATIONAL = "全国"
NATIONAL_ALIASES = ("全国", "我国", "国内", "国务院", "china", "nationwide", "state council")
_NATIONAL = re.compile(r"国务院(?:总理|政府工作报告)|我代表国务院|^(?:\d{4}年)?国务院|全国人民代表大会第[一二三四五六七八九十]+次会议")
# The ceremony around a report's opening: its dateline (——2026年1月28日在重庆市第六届人民代表大会第四次会议上; 2017年1月9日
# 长沙市第十五届人民代表大会第一次会议通过) and the salutation that closes the speaker's line (…市长胡衡华各位代表:). A
# sentence of it answers nothing a reader of the report asks (its date and speaker compete as figures and names).
CEREMONY = re.compile(r"^[—\-－\s]*(?:\d{4}年)?\d{1,2}月\d{1,2}日[^。]{0,24}人民代表大会第[一二三四五六七八九十]+次会议"
                      r"(?:上|通过)|各位代表[:：]\s*$")
OPENING_CHARS = 600  # the opening read for the congress line and the date (the fixtures' run to about 120)
NAMED_CHARS = 30_000  # the text read for the place it names most (the seed: 10,184 characters in all)
# the name read from the text: mentioned at least this often, and this many times as often as the next place;
# the seed (its title and opening lost): 太原 42, 山西 23 (1.8×); the four fictional reports of tests/fixtures.py
# name their place in the title or the opening and are not counted
NAME_MENTIONS = 10
NAME_LEAD = 1.5


@dataclass(frozen=True)
class ReportIdentity:
    """A report's place and year, as read from it (empty when they could not be read)."""
    place: str = ""  # as the report names it, with its level: 示例市, 太原市
    aliases: tuple[str, ...] = ()  # the forms a question may use: 示例市, 示例; a Latin file-name form: taiyuan
    year: int | None = None  # the year the report speaks in (its 今年): its plan's year, its title's, its date's
    label: str = ""  # how citations name it: 示例市 · 2023年政府工作报告
    place_from: str = ""  # title, opening, text or file name

    def to_dict(self) -> dict:
        return asdict(self) | {"aliases": list(self.aliases)}

    @classmethod
    def from_dict(cls, d: dict | None) -> "ReportIdentity":
        d = d or {}
        return cls(d.get("place", ""), tuple(d.get("aliases", ())), d.get("year"), d.get("label", ""),
                   d.get("place_from", ""))

    def missing(self) -> list[str]:
        """Notes for the build summary: what could not be read."""
        out = []
        if not self.place:
            out.append("place not found (title, opening, file name)")
        if not self.year:
            out.append("year not found (工作安排 heading, title, opening)")
        return out


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _short(name: str) -> str:
    """The name without its level (示例市 → 示例), when two characters or more remain."""
    m = re.match(rf"^(.{{2,}}?)(?:{_LEVELS})$", name)
    return m.group(1) if m else name


def _most_named(text: str) -> str:
    """The place the text names far more often than any other (jieba ``ns`` words), or ""."""
    from .tokens import pos_words

    counts: Counter[str] = Counter()
    for word, flag in pos_words(text[:NAMED_CHARS]):
        if flag == "ns" and len(word) >= 2 and not GENERIC.match(word):
            counts[_short(word)] += 1
    top = counts.most_common(2)
    if not top or top[0][1] < NAME_MENTIONS or (len(top) > 1 and top[0][1] < NAME_LEAD * top[1][1]):
        return ""
    return top[0][0]


def read_place(title: str, opening: str, text: str, file_name: str) -> tuple[str, str, str]:
    """(place, where it was read, a Latin file-name form or "")."""
    title, opening = _clean(title), _clean(opening)
    stem = PurePath(file_name).stem
    latin = _FILE_LATIN.match(stem)
    latin_form = latin.group(1).lower() if latin else ""
    if _NATIONAL.search(title) or _NATIONAL.search(opening):
        return NATIONAL, "title" if _NATIONAL.search(title) else "opening", ""
    m = _TITLE.match(_YEARS.sub("", title))
    if m:
        return m.group(1), "title", latin_form
    m = _CONGRESS.search(opening) or _HEAD.search(opening)
    if m:
        return m.group(1), "opening", latin_form
    speaker = _SPEAKER.search(_clean(text[:20_000]))
    if speaker:  # a government's report that does not name itself: the place its text names most
        name = _most_named(text)
        if name:
            return name + speaker.group(1), "text", latin_form
    bare = _YEARS.sub("", stem)
    m = _FILE_NAME.match(bare) or _FILE_CHINESE.match(bare)
    if m:
        return m.group(1), "file name", latin_form
    return "", "", latin_form


def identify(doc: Document, headings: list[str]) -> ReportIdentity:
    """Place, year and label of a report (``headings``: its section titles)."""
    title, opening = doc.title, " ".join(p.text for p in doc.paragraphs[:8])[:OPENING_CHARS]
    place, where, latin = read_place(title, opening, doc.text, doc.doc_id)
    year = stated_year([title] + headings)
    if not year:
        m = _OPENING_DATE.search(_clean(opening))
        year = int(m.group(1)) if m else None
    # a Latin file-name form names the place read otherwise, never a place of its own (cmrc2018_trial-p0000.txt)
    aliases = NATIONAL_ALIASES if place == NATIONAL else \
        tuple(dict.fromkeys(a for a in (place, _short(place), latin) if a)) if place else ()
    return ReportIdentity(place, aliases, year, label(title, place, year), where)


def label(title: str, place: str, year: int | None) -> str:
    """``示例市 · 2023年政府工作报告``: the place, then the title without it (the report's year put before a title that
    names none); the title alone when the place is unknown."""
    title = (title or "").strip()
    rest = title.replace(place, "", 1).strip(" ·-—_") if place else title
    if year and not _YEARS.search(rest) and rest:
        rest = f"{year}年{rest}"
    if not place:
        return rest
    return f"{place} · {rest}" if rest else place
