"""Periods (qa.text.periods): which period a question, a heading or a sentence is about. No model."""

import pytest

from qa.text.periods import (chunk_period, compatible, document_year, looks_back, period_of, plan_period, section_period,
                             without_report_year, year_asked)


@pytest.mark.parametrize("text, period", [
    ("今年地区生产总值预期增长多少", "now"),
    ("去年新增就业多少人", "past1"),
    ("过去五年累计完成投资", "past5"),
    ("这五年我们坚持改善民生", "past5"),
    ("未来五年要培育多少家新型研发机构", "next5"),
    ("“十四五”时期", "next5"),
    ("What was the growth last year?", "past1"),
    ("城市轨道交通建设", ""),
])
def test_period_of_cues(text, period):
    assert period_of(text) == period


def test_years_are_read_against_the_report_year():
    assert period_of("2022年工作安排", 2022) == "now"
    assert period_of("2021年完成投资", 2022) == "past1"
    assert period_of("到2025年达到", 2022) == "next5"
    assert period_of("2018年以来", 2022) == "past5"
    assert period_of("2010年", 2022) == ""  # too far back to name a period


def test_document_year():
    assert document_year(["政府工作报告", "三、2022年工作安排"]) == 2022
    assert document_year(["2021年统计公报", "2020年回顾"]) == 2021  # else the latest year named
    assert document_year(["没有年份"]) is None


def test_section_period_reads_the_deepest_heading_first():
    assert section_period(("二、今后五年工作目标任务", "（一）2022年重点"), 2022) == "now"
    assert section_period(("二、今后五年工作目标任务", "（一）产业"), 2022) == "next5"
    assert section_period(("一、过去五年工作回顾",), 2022) == "past5"
    assert section_period(("（过去工作回顾）",), 2022) == "past1"  # the review label before the first heading
    assert section_period(("（开头部分）",), 2022) == ""


def test_chunk_period_sentence_then_paragraph_then_section():
    path = ("三、2022年工作安排",)
    assert chunk_period("过去一年，新增就业8万人。", "过去一年，新增就业8万人。", path, 2022) == "past1"
    assert chunk_period("新增就业8万人。", "这五年，我们……新增就业8万人。", path, 2022) == "past5"
    assert chunk_period("新增就业8万人。", "新增就业8万人。", path, 2022) == "now"


def test_compatible():
    assert compatible("now", "now") == 1
    assert compatible("now", "past1") == -1
    assert compatible("", "past1") == compatible("now", "") == 0


def test_looks_back_is_the_same_cues_as_the_periods():
    assert looks_back("过去一年，全市经济稳中有进") and looks_back("五年来，我们") and looks_back("工作回顾")
    assert not looks_back("今年经济社会发展主要预期指标是") and not looks_back("未来五年")


def test_named_plan_periods_are_their_years():
    assert plan_period("“十三五”时期") == (2016, 2020) and plan_period("十一五期间") == (2006, 2010)
    assert plan_period("the 11th Five-Year Plan period") == (2006, 2010)
    assert plan_period("五年规划") is None
    assert period_of("“十三五”时期主要成就", 2021) == "past5"  # it ended before the report
    assert period_of("2015年和“十二五”时期主要工作回顾", 2016) == "past1"  # a stated year first
    assert year_asked("沈阳“十二五”时期地区生产总值年均增长多少？", False) == (2015, "span")


def test_a_year_in_the_sentence_decides_its_period():
    review = ("一、过去五年工作回顾",)
    assert chunk_period("2021年地区生产总值达到1.2万亿元。", "五年来……", review, 2022) == "past1"
    assert chunk_period("新增就业8万人。", "新增就业8万人。", review, 2022) == "past5"
    past_year = ("一、2021年工作回顾",)
    assert chunk_period("地区生产总值年均增长6.2%。", "地区生产总值年均增长6.2%。", past_year, 2022) == "past5"
    assert chunk_period("2018年以来累计投资", "", past_year, 2022) == "past5"  # 以来: no point in time


def test_a_report_named_by_its_year_is_the_reports_year():
    assert year_asked("重庆2023年政府工作报告里，过去五年地区生产总值年均增长多少？", False) == (2023, "report")
    assert year_asked("长沙2017年政府工作报告里，2013年以来新增上市公司多少家？", False) == (2017, "report")
    assert year_asked("In Ningbo's 2012 government work report, what did exports reach?", True) == (2012, "report")
    assert period_of(without_report_year("重庆2023年政府工作报告里，过去五年地区生产总值"), 2023) == "past5"


def test_calendar_years_a_question_names():
    from qa.text.periods import calendar_years

    assert calendar_years("乾隆1766年修建了什么？", False) == {"1766"}
    assert calendar_years("2022 年和2023年分别增长多少？", False) == {"2022", "2023"}
    assert calendar_years("What was built in 1766?", True) == {"1766"}
    assert calendar_years("1766 seats and 19.5% growth", False) == set()  # Chinese: only a year written with 年
    assert calendar_years("a 1766.5 figure, 2000% more", True) == set()


def test_a_passage_answers_a_named_year_only_if_it_states_it(tmp_path):
    """Undated documents (no report's year places them): a question naming a calendar year is answered only from a
    paragraph that states it; 1766 asked, 1759 told is no answer. A dated report is the scope's and the periods'."""
    from qa.api import ask
    from qa.index.build import build_index
    from qa.testing.fakes import HashEmbedder, OverlapReader

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "temple.txt").write_text("古寺\n\n古寺始建于1759年，由当地商人捐资修建大殿三座。\n", encoding="utf-8")
    build_index([docs], tmp_path / "index", embedder=HashEmbedder())
    asked = dict(index_dir=tmp_path / "index", embedder=HashEmbedder(), reader=OverlapReader())
    told = ask("古寺1759年由谁捐资修建大殿？", **asked)
    assert not told.abstained and "商人" in told.answer
    other = ask("古寺1766年由谁捐资修建大殿？", **asked)
    assert other.abstained and other.reason.kind == "period"
