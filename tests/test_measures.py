"""The measure asked and the measure answered, and the figure's own subject (issue 29)."""

from __future__ import annotations

import pytest

from qa.answering.features import Candidate, Subject
from qa.answering.measure import check, counted_subject
from qa.answering.question import analyse
from qa.answering.retrieve import Hit
from qa.index.store import Chunk
from qa.text.measures import answers_measure, asked, compatible, direction, figures, level_asked


@pytest.mark.parametrize("text, found", [
    ("新建5G基站3000座以上", [("3000座", "count")]),  # 5G is a name, not a figure
    ("完成雨污分流改造149.3公里", [("149.3公里", "length")]),
    ("全市生产总值4112.8 亿元", [("4112.8 亿元", "money")]),  # web text: a space inside the figure
    ("２０２２年实现１２３亿元", [("２０２２年", "time"), ("１２３亿元", "money")]),  # full-width digits
    ("新增公共停车位1.3万余个", [("1.3万余个", "count")]),
    ("荣列全国热门商圈第二名", [("第二", "rank")]),
    ("聚焦七大产业集群", [("七大", "count")]),
    ("城镇新增就业8万人", [("8万人", "people")]),
    ("“十四五”规划", []),
])
def test_figures_and_what_they_measure(text, found):
    assert [(text[f.start:f.end], f.measure) for f in figures(text)] == found


@pytest.mark.parametrize("question, measure", [
    ("新建改造社区食堂花了多少钱？", "money"),
    ("31个消防站总投资多少？", "money"),
    ("新增公共停车位的总面积是多少？", "area"),
    ("汾河四期工程全长多少公里？", "length"),
    ("新建5G基站的覆盖率要达到多少？", "share"),
    ("今年一般公共预算收入预期增长多少？", "change"),  # a growth asked, not the revenue's money
    ("去年一次性增补了多少辆救护车？", "count"),  # 增补 is no growth
    ("城镇新增就业多少人？", "people"),
    ("柳巷排到了第几？", "rank"),
    ("How much money will the new kindergartens cost?", "money"),
    ("What share of budget spending went to livelihoods?", "share"),  # spending names the subject here
    ("When was the bridge built?", "time"),
    ("仅用多少天就实现了清零？", "time"),  # days are a time, not a count of things
    ("In 2020, how many days did it take Xiamen to bring its cases to zero?", "time"),
    ("太原一体化经济区的产业基金盘子有多大？", ""),  # 多大: a size, not an area
    ("梅艳芳病逝的时候，享年几斤?", "mass"),  # no question word says it: the unit counted in, from the units' table
    ("全程需要多少分钟?", "time"),
    ("这个组织有多少成员?", ""),  # 成 begins a word here; it counts nothing
])
def test_the_measure_a_question_asks(question, measure):
    assert asked(question) == measure


def test_compatible_measures():
    assert compatible("money", "count") is False and compatible("area", "count") is False
    assert compatible("people", "count") is True  # 多少家企业 / 3000户
    assert compatible("change", "share") is True and compatible("change", "money") is True
    assert compatible("", "count") is None and compatible("money", "") is None
    assert answers_measure("money", "新建改造社区食堂140个") is False
    assert answers_measure("count", "新建改造社区食堂140个") is True
    assert answers_measure("money", "建成投用") is None


def _candidate(text: str, answer: str) -> Candidate:
    a = text.index(answer)
    chunk = Chunk(0, "r.txt", "报告", "（过去工作回顾）", text, 0, len(text), 0, 0, "past1")
    return Candidate(chunk, a, a + len(answer), 1.0, True, 0.5, 0.5, True, Hit(chunk, 0.5, 0.5, 0.5, 0))


def _subjects(*names: str) -> list[Subject]:
    return [Subject(n, [n], 1.0) for n in names]


def test_money_asked_and_a_count_given_is_no_answer_and_says_what_there_is():
    q = analyse("新建5G基站要投资多少钱？")
    why = check(q, _candidate("新建5G基站3000座以上,实现重点场所全覆盖。", "新建5G基站3000座以上"), _subjects("基站"))
    assert why.kind == "measure" and (why.given, why.figure, why.asked) == ("count", "3000座", "money")
    assert why.message == "文档中没有找到这个问题的答案（报告给出了基站的数量（3000座），没有给出金额）。"
    en = check(analyse("How much money will the new base stations cost?"),
               _candidate("新建5G基站3000座以上。", "新建5G基站3000座以上"), _subjects("基站"))
    assert en.message == ("The documents do not answer this question (the report gives the number of 基站 (3000座), "
                          "not the cost).")


def test_the_questions_own_figure_is_no_answer():
    q = analyse("31个消防站总投资多少？")
    assert check(q, _candidate("31个消防站加快建设。", "31个消防站加快建设"), _subjects("消防站")).kind == "figure"


def test_a_figure_belongs_to_the_subject_of_its_clause():
    text = "完成雨污分流改造149.3公里,汾河四期工程建成投用。"
    q = analyse("汾河四期工程全长多少公里？")
    subjects = _subjects("汾河", "工程")
    assert counted_subject(q, subjects).name == "工程"  # the nearest subject before the asking words
    why = check(q, _candidate(text, "完成雨污分流改造149.3公里,汾河四期工程建成投用"), subjects)
    assert why.kind == "figure subject" and why.what == "工程"
    assert "没有给出它的长度" in why.message
    right = analyse("雨污分流改造完成了多少公里？")
    assert check(right, _candidate(text, "完成雨污分流改造149.3公里"), _subjects("雨污", "改造")) is None


def test_a_figure_of_the_measure_asked_answers():
    q = analyse("去年新建改造了多少个社区食堂？")
    assert check(q, _candidate("新建改造社区食堂140个。", "新建改造社区食堂140个"), _subjects("社区", "食堂")) is None


@pytest.mark.parametrize("text, way", [
    ("国内生产总值达到99.1万亿元", ["level"]),
    ("城镇化率提高1.3个百分点", ["change"]),  # percentage points always state a change
    ("地区生产总值增长6.1%", ["change"]),
    ("城镇化率提高到85%", ["level"]),  # 提高到: where it stands
    ("从2017年的2.01万亿元增加到2.91万亿元", ["level", "level", "level"]),  # from and to: levels
    ("新增就业1352万人", [""]),
])
def test_a_figure_states_a_level_or_a_change(text, way):
    assert [direction(text, f) for f in figures(text)] == way


def test_a_level_does_not_answer_a_change_nor_a_change_a_level():
    change = analyse("2019年国内生产总值增长了多少？")
    why = check(change, _candidate("国内生产总值达到99.1万亿元。", "国内生产总值达到99.1万亿元"), _subjects("国内生产总值"))
    assert why is not None and why.kind == "measure" and why.given == "money"
    rate = "国内生产总值达到99.1万亿元,增长6.1%。"
    assert check(change, _candidate(rate, "国内生产总值达到99.1万亿元,增长6.1%"), _subjects("国内生产总值")) is None
    level = analyse("2007年城镇化率达到了多少？")
    why = check(level, _candidate("城镇化率提高1.3个百分点。", "城镇化率提高1.3个百分点"), _subjects("城镇化率"))
    assert why is not None and why.given == "change"
    assert level_asked("城镇化率达到了多少") and not level_asked("地区生产总值增长率是多少")  # a rate of change asked


def test_the_item_that_fits_the_measure_asked():
    from qa.answering.measure import fits

    q = analyse("过去五年全市地区生产总值年均增长多少？")
    text = "全市地区生产总值从2017年的2.01万亿元增加到2.91万亿元、年均增长5.4%。"
    level, rate = text.index("全市"), text.index("年均")
    assert not fits(q, text, level, rate - 1) and fits(q, text, rate, len(text) - 1)
    assert fits(analyse("过去五年全市地区生产总值达到多少？"), text, level, rate - 1)


def test_a_figure_whose_passage_shares_no_content_word_with_the_question_is_no_answer():
    """Issue 29, the figure's own subject: 旅游总收入 asked, a passage about retail sales (no word of the question's
    but its place) does not answer, whatever the reader says; a modifier ties too (贫困群众 / 贫困人口)."""
    from qa.answering.candidates import usable
    from qa.answering.features import cue_words, ties

    q = analyse("青岛2023年旅游总收入是多少？")
    subjects = _subjects("旅游", "总收入")  # subjects_of leaves the report's place out, and so do the cues
    cues = cue_words(q, subjects, frozenset({"青岛", "青岛市"}))
    assert "旅游" in cues and "青岛" not in cues and "2023" not in cues
    text = "大力开展“亿惠青岛消费年”促消费活动,社会消费品零售总额超过6300亿元。"
    assert not ties(cues, text)
    c = _candidate(text, "社会消费品零售总额超过6300亿元")
    c.cued = ties(cues, text)
    out, why = usable(q, [c], subjects)
    assert out == [] and why.kind == "subject"
    c.cued = True
    assert usable(q, [c], subjects)[0] == [c]
    poor = analyse("这五年里一共有多少贫困群众摆脱了贫困?")
    assert ties(cue_words(poor, _subjects("群众")), "55992名贫困人口全部脱贫。")
    assert cue_words(analyse("How much did tourism earn?"), _subjects("旅游")) == []  # English: the subjects decide


def test_the_share_of_a_whole_does_not_answer_a_change():
    """一般公共预算支出增长多少？ is not answered by 民生支出占一般公共预算支出的比重稳定在80%左右 (a share of the whole, a
    level), while a rate stated as a level (增速达到8%) still may answer it."""
    from qa.text.measures import proportion

    share = "全市财政民生支出占一般公共预算支出的比重稳定在80%左右"
    assert [proportion(share, f) for f in figures(share)] == [True]
    assert [proportion(t, f) for t in ("增速达到8%", "增长率为6%", "增长6.1%", "提高1.3个百分点") for f in figures(t)] == \
        [False] * 4
    q = analyse("去年全市一般公共预算支出增长多少？")
    why = check(q, _candidate(share + "。", share), _subjects("一般公共预算支出"))
    assert why is not None and why.kind == "measure"
    assert check(q, _candidate("一般公共预算支出增速达到8%。", "一般公共预算支出增速达到8%"),
                 _subjects("一般公共预算支出")) is None
