"""Reading a question: what kind of answer it wants, its terms, its period.

- ``kind``: ``quantity`` (多少/几/how many: the answer holds a figure), ``list`` (哪些/哪几/哪两…:
  every item), ``entity`` (哪个/什么/which: a name), ``yesno`` (有没有/是否), else ``fact``.
- ``unit``: the measure word a quantity question names (``多少公里`` → 公里), used to check that
  a figure answers it.
- ``terms``: BM25 tokens, with domain synonyms and, for English questions, Chinese equivalents
  from a small glossary of report vocabulary (the embedding model is cross-lingual but weak
  at ranking Chinese sentences for English questions).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .config import MAX_QUESTION_CHARS
from .text.tokens import tokenize
from .text.periods import period_of

# Everyday words in questions → the words reports use for them (weight 0.6 in BM25). A general
# list of colloquial/formal pairs for government reports, not tied to any one question.
SYNONYMS = {
    "gdp": ["地区生产总值"], "经济": ["地区生产总值", "经济总量"], "涨": ["增长", "提高"], "增加": ["增长", "新增"],
    "多出": ["新增"], "新": ["新增", "新建"], "降": ["下降", "降低"], "少": ["下降", "减少"], "提高": ["提升", "增长"],
    "农民": ["农村居民"], "城里人": ["城镇居民"], "市民": ["居民"], "老百姓": ["群众", "居民"], "钱": ["收入", "资金"],
    "工资": ["收入"], "车位": ["停车位"], "平均": ["年均", "人均"], "每年": ["年均"], "建": ["建设", "新建"],
    "修": ["建设", "改造", "修缮"], "盖": ["建设", "新建"], "旧": ["老旧"], "动工": ["开工"], "开工": ["新开工"],
    "年轻": ["青年"], "挑选": ["选拔"], "牌子": ["品牌"], "房子": ["住房", "房屋"], "老人": ["老年", "养老"],
    "孩子": ["幼儿", "儿童"], "看病": ["医疗"], "上学": ["教育", "学校"], "地铁": ["轨道交通"], "公交": ["公共交通"],
    "公共交通": ["公交"], "空气": ["空气质量"], "工厂": ["企业"], "公司": ["企业"], "外贸": ["进出口", "货物贸易"], "游客": ["旅游"],
    "污水": ["雨污", "污水处理"], "树": ["造林", "绿化"], "种": ["种植", "播种"], "死": ["死亡"], "伤": ["伤亡"],
}

# English words and phrases of questions → report vocabulary (weight 0.8 in BM25)
GLOSSARY = {
    "gdp": ["地区生产总值"], "per capita": ["人均"], "per-capita": ["人均"], "dollar": ["美元"],
    "cpi": ["居民消费价格指数"], "consumer price": ["居民消费价格", "消费价格"], "price": ["价格"],
    "consumer": ["消费"], "retail": ["零售"], "fixed asset": ["固定资产"], "fixed-asset": ["固定资产"],
    "investment": ["投资"], "disposable income": ["可支配收入"], "income": ["收入"], "urban": ["城镇"],
    "rural": ["农村"], "resident": ["居民"], "employment": ["就业"], "job": ["就业"], "revenue": ["收入"],
    "budget": ["预算"], "public": ["公共"], "expenditure": ["支出"], "spending": ["支出"],
    "livelihood": ["民生"], "growth": ["增长"], "grow": ["增长"], "increase": ["增长", "提高"],
    "rise": ["涨幅", "增长"], "decrease": ["下降"], "fall": ["下降"], "ceiling": ["控制在"], "cap": ["控制在"],
    "bus": ["公交车", "公交"], "electric": ["电动"], "replace": ["更换"], "parking": ["停车位"],
    "space": ["车位"], "poverty": ["脱贫", "贫困"], "poor": ["贫困"], "county": ["县"], "counties": ["县"],
    "green": ["绿色"], "energy": ["能源"], "new energy": ["新能源"], "wind": ["风电"], "solar": ["光伏"],
    "hydrogen": ["氢能"], "biomass": ["生物质能"], "industry": ["产业"], "industrial": ["工业"],
    "enterprise": ["企业"], "company": ["企业"], "companies": ["企业"], "high-tech": ["高新技术"],
    "research": ["研发"], "r&d": ["研发"], "innovation": ["创新"], "talent": ["人才"],
    "kindergarten": ["幼儿园"], "hospital": ["医院"], "bed": ["床位"], "elderly": ["养老", "老年"],
    "pension": ["养老"], "housing": ["住房"], "residential": ["小区"], "community": ["社区"],
    "old": ["老旧"], "renovate": ["改造"], "renovation": ["改造"], "road": ["道路"], "metro": ["地铁", "轨道交通"],
    "subway": ["地铁"], "rail": ["轨道交通", "铁路"], "railway": ["铁路"], "airport": ["机场"],
    "bridge": ["桥"], "river": ["河"], "water": ["水"], "air quality": ["空气质量"], "air": ["空气"],
    "pollution": ["污染"], "forest": ["森林", "造林"], "afforestation": ["营造林", "造林"], "tree": ["造林"],
    "sewage": ["污水", "雨污"], "farmland": ["农田"], "grain": ["粮食"], "vegetable": ["蔬菜"],
    "tourism": ["旅游"], "tourist": ["旅游", "游客"], "tourists": ["旅游", "游客"], "scenic": ["景区"],
    "culture": ["文化"], "market entities": ["市场主体"], "market": ["市场"], "business environment": ["营商环境"],
    "service": ["服务"], "government": ["政府"], "municipal": ["市政"], "facility": ["设施"],
    "facilities": ["设施"], "power": ["供电"], "electricity": ["供电"], "heating": ["供暖"], "gas": ["燃气"],
    "5g": ["5G"], "base station": ["基站"], "charging": ["充电桩"], "export": ["出口"], "import": ["进口"],
    "trade": ["贸易"], "foreign": ["外资", "对外"], "logistics": ["物流"], "finance": ["金融"],
    "fund": ["基金"], "safety": ["安全"], "accident": ["事故"], "death": ["死亡"], "flood": ["防汛", "汛"],
    "disaster": ["受灾", "灾"], "rescue": ["救援"], "casualties": ["伤亡"], "ambulance": ["救护车"],
    "population": ["人口"], "people": ["人口", "群众"], "target": ["目标"], "goal": ["目标"],
    "five years": ["五年"], "next five years": ["未来五年"], "last year": ["去年"], "this year": ["今年"],
    "three-zero": ["三零"], "zero": ["零"], "cluster": ["集群"], "park": ["园区", "产业园", "公园"],
    "apartment": ["公寓"], "place": ["学位"], "academician": ["院士"], "workstation": ["工作站"],
    "engineer": ["工程师"], "craftsman": ["工匠"], "childcare": ["托育", "托位"], "nursery": ["托育"],
    "canteen": ["食堂"], "subsidy": ["补贴"], "loan": ["贷款"], "tax": ["税"], "reform": ["改革"], "pilot": ["试点"],
    "demonstration": ["示范"], "highway": ["公路"], "expressway": ["高速"], "high-speed rail": ["高铁"],
    "station": ["站"], "museum": ["博物馆"], "library": ["图书馆"], "stadium": ["体育场"], "village": ["村"],
    "town": ["镇"], "medical insurance": ["医保"], "doctor": ["医生"], "patent": ["专利"], "startup": ["创业"],
    "graduate": ["毕业生"], "unemployment": ["失业"], "wage": ["工资"], "subsistence": ["低保"], "coal": ["煤"],
    "steel": ["钢"], "carbon": ["碳"], "emission": ["排放"], "water quality": ["水质"], "garbage": ["垃圾"],
    "waste": ["垃圾", "废"], "recycling": ["回收"], "shantytown": ["棚户区"], "affordable housing": ["保障性住房"],
    "sports": ["体育"], "hospital bed": ["床位"], "school": ["学校", "中小学"], "teacher": ["教师"],
    "student": ["学生"], "elderly care": ["养老"], "nursing": ["护理"], "food safety": ["食品安全"],
    "consumption": ["消费"], "retail sales": ["零售总额"], "exports": ["出口"], "listed companies": ["上市公司"],
    "digital": ["数字"], "data": ["数据"], "big data": ["大数据"], "artificial intelligence": ["人工智能"],
    "semiconductor": ["半导体"], "new materials": ["新材料"], "equipment": ["装备"], "manufacturing": ["制造"],
    "agriculture": ["农业"], "farmer": ["农民", "农村居民"], "grain output": ["粮食产量"], "heritage": ["遗产", "文物"],
}

_QUANTITY = re.compile(r"多少|几[个家项座条所万千百亿名人户辆次年倍成大]|几+$|多大|多长|多高|多远|多久|多重|比例|比重|"
                       r"百分之|幅度|增速|排名|第几|how many|how much|what share|what percentage|what proportion|"
                       r"what per-capita|what rate|ceiling|\bhow (?:high|large|long|big)", re.I)
_LIST = re.compile(r"哪些|哪几|哪[两三四五六七八九十]|几[座条家个项类大]?(?:是|分别)|有什么|包括什么|哪[个项]?.{0,4}分别|"
                   r"what are|which (?:new|two|three|four|five)|which \w+ (?:sources|counties|cities|industries)",
                   re.I)
_WHEN = re.compile(r"哪一?年|何年|何时|什么时候|什么时间|哪个时候|几月|哪一?天|\bwhen\b|what year|which year", re.I)
_ENTITY = re.compile(r"哪[个座家条位种项所处里儿]|什么|谁|\bwhich\b|\bwhat\b|\bwho\b|\bwhere\b", re.I)
_YESNO = re.compile(r"有没有|是不是|是否|吗[?？]?$|did .* (?:cause|happen)", re.I)
# measure words that pin down what a figure counts; 个/项/名/人 are too general to check
_UNITS = {"年", "元", "亿元", "万元", "美元", "万美元", "公里", "千米", "米", "亩", "万亩", "户", "万户", "辆", "套", "所",
          "座", "张", "吨", "万吨", "千瓦", "平方米", "倍", "天", "家"}
_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
          "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass
class Question:
    text: str
    kind: str
    english: bool
    terms: list[str]  # BM25 query tokens (the question's own, then expansions)
    weights: dict[str, float] = field(default_factory=dict)  # per-term BM25 weight (<1 for expansions)
    unit: str = ""  # measure word of a quantity question (多少公里 → 公里), when it pins down the figure
    count: int = 0  # number of items a list question asks for (0: unknown)
    embed_text: str = ""  # what is embedded (English questions get their glossary terms appended)
    nouns: list[str] = field(default_factory=list)  # content nouns: what the question is about
    quoted: list[str] = field(default_factory=list)  # phrases the question puts in quotes
    _periods: dict = field(default_factory=dict, repr=False)

    def period_for(self, year: int | None) -> str:
        """The question's period relative to a document's year (去年 means year - 1)."""
        if year not in self._periods:
            self._periods[year] = period_of(self.text, year)
        return self._periods[year]


def prepare(text: str) -> str:
    """Normalize a raw question: control characters out, whitespace collapsed, length bounded."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUESTION_CHARS]


def _is_english(text: str) -> bool:
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin > 2 * len(re.findall(r"[\u3400-\u9fff]", text))


def analyse(text: str) -> Question:
    from .text.tokens import words

    english = _is_english(text)
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

    if english:
        lowered = text.lower()
        for phrase, zh in GLOSSARY.items():
            if re.search(rf"(?<![a-z]){re.escape(phrase)}s?(?![a-z])", lowered):
                expand(zh, 0.8)
    for w in ws:  # synonyms of whole words only (not of jieba's search-mode sub-words)
        expand(SYNONYMS.get(w, []), 0.6)
    embed = text + " (" + " ".join(dict.fromkeys(extra)) + ")" if english and extra else text
    quoted = re.findall(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]", text)
    return Question(text, kind, english, terms + extra, weights, unit, count, embed, nouns(text), quoted)


# words that say how a question is asked, not what it is about
QUESTION_WORDS = frozenset("""报告 文件 文中 提法 说法 表述 评价 比作 比喻 意思 含义 内容 情况 方面 措施 举措 目标 要求 称号 多长 多大
    多高 多远 多少 数字 数量 总数 具体 时候 时间 问题 计划 预计 预期 打算 一共 总共 大约 大概 方面""".split())
_NOUN_FLAGS = ("n", "vn", "l", "eng", "nz", "nr", "ns", "nt", "j")


def nouns(text: str) -> list[str]:
    """Content nouns of a question (jieba POS tags n*, vn, l, eng…), minus question words."""
    from .text.tokens import pos_words

    return [w for w, flag in pos_words(text) if len(w) >= 2 and flag != "ng" and flag.startswith(_NOUN_FLAGS)
            and w not in QUESTION_WORDS and not period_of(w)]
