"""Periods (qa.text.periods): which period a question, a heading or a sentence is about. No model."""

import pytest

from qa.text.periods import (chunk_period, compatible, document_year, looks_back, period_of, section_period)


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
