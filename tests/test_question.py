"""Question analysis (qa.answering.question): what a question asks for, its terms and its period. No model."""

import pytest

from qa.answering.question import analyse, prepare


@pytest.mark.parametrize("text, kind", [
    ("今年地区生产总值预期增长多少？", "quantity"),
    ("城市轨道交通2号线哪一年开通？", "quantity"),  # a when-question asks for a year: a figure
    ("太原要和周边哪四个市建立常态化对接合作机制？", "list"),
    ("太原的市花是什么？", "entity"),
    ("报告有没有提到5G？", "yesno"),
    ("简要说明营商环境改革", "fact"),
    ("How many new public parking spaces will Taiyuan add in 2022?", "quantity"),
])
def test_kind(text, kind):
    assert analyse(text).kind == kind


@pytest.mark.parametrize("text, kind, measure", [
    ("When did the metro line open?", "quantity", "time"),
    ("How and when did the plague reach Europe?", "quantity", "time"),
    ("Who was the leader when the Franks entered the valley?", "entity", ""),  # a conjunction, not a time asked
    ("Which industries does the plan single out when it talks about industry?", "entity", ""),
])
def test_when_asks_a_time_only_as_the_question_word(text, kind, measure):
    q = analyse(text)
    assert (q.kind, q.measure) == (kind, measure)


def test_a_which_question_with_when_inside_asks_for_a_list():
    assert analyse("Which industries does the plan single out when it talks about industry?").shape == "list"


def test_unit_and_count():
    assert analyse("今年要新建多少公里道路？").unit == "公里"
    assert analyse("今年地区生产总值预期增长多少？").unit == ""  # no measure word: any figure
    assert analyse("城市轨道交通2号线哪一年开通？").unit == "年"
    assert analyse("太原要和周边哪四个市建立常态化对接合作机制？").count == 4
    assert analyse("今年新建哪些学校？").count == 0


def test_synonyms_are_added_with_a_lower_weight():
    q = analyse("经济涨了多少")
    assert q.weights["经济"] == 1.0 and q.weights["生产总值"] == 0.6 and q.weights["增长"] == 0.6
    assert q.terms[:2] == ["经济", "涨"]  # the question's own tokens come first
    assert q.embed_text == q.reader_text == "经济涨了多少"  # Chinese questions are embedded and read as asked


def test_english_words_reach_chinese_through_the_dictionary():
    from qa.answering.question import BRIDGE_WEIGHT
    from qa.text.dictionary import candidates

    q = analyse("How many new public parking spaces will Taiyuan add in 2022?")
    assert q.english and "停车" in q.terms and "公共" in q.terms  # parking, public
    parking = dict(dict(candidates("parking"))["parking"])
    assert q.weights["停车"] == pytest.approx(BRIDGE_WEIGHT * parking["停车"])
    assert q.weights["停车"] < BRIDGE_WEIGHT  # ambiguous: less
    assert q.embed_text == q.text  # the dense side embeds the question as asked
    assert q.reader_text.startswith(q.text + " (") and "公共" in q.reader_text  # the reader reads it glossed
    gdp = analyse("今年GDP要涨多少？")  # a capitalised word may be an acronym, in a Chinese question too
    assert not gdp.english and "生产总值" in gdp.terms and "国内生产总值" in gdp.reader_text
    assert analyse("How many new public parking spaces?", bridge=False).reader_text == "How many new public parking spaces?"


def test_period_is_relative_to_the_document_year():
    assert analyse("今年地区生产总值预期增长多少？").period_for(2022) == "now"
    assert analyse("去年城镇居民人均可支配收入增长多少？").period_for(2022) == "past1"
    q = analyse("2021年新增就业多少人？")
    assert q.period_for(2022) == "past1" and q.period_for(2021) == "now"
    assert analyse("太原的市花是什么？").period_for(2022) == ""


def test_nouns_leave_out_question_words_and_periods():
    assert analyse("今年要新建多少公里道路？").nouns == ["新建", "道路"]
    assert "今年" not in analyse("今年地区生产总值预期增长多少？").nouns


def test_how_big_is_not_glued_to_the_noun_after_it():  # jieba alone tags 多 / 大面积 (大面积: "large-scale")
    assert analyse("去年植树造林完成了多大面积？").nouns == ["植树造林", "面积"]
    assert "面积" in analyse("新建公园多大面积？").nouns


def test_quoted_phrases():
    assert analyse("报告里的“六个突破”指什么？").quoted == ["六个突破"]


def test_prepare_collapses_whitespace_and_control_characters():
    assert prepare("  今年\t GDP\x00要涨\n多少？ ") == "今年 GDP 要涨 多少？"
