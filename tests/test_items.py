"""The answer is the item asked: a list's items (qa.text.clauses.items) and the narrowing of an answer to the item
the question names (qa.answering.decide.item_asked). No model."""

from __future__ import annotations

import pytest

from qa.answering.decide import item_asked
from qa.answering.features import Candidate
from qa.answering.question import analyse
from qa.answering.retrieve import Hit
from qa.index.bm25 import BM25
from qa.index.store import Chunk
from qa.text.clauses import items
from qa.text.tokens import tokenize

TARGETS = ("今年经济社会发展主要预期指标是:地区生产总值增长7%,力争实现7.5%,固定资产投资增长9%,社会消费品零售总额增长7.5%,"
           "城镇和农村居民人均可支配收入分别增长7.5%、8%,城镇新增就业人数8万人。")


def test_items_keep_qualifiers_and_pairs_and_split_counts():
    assert [TARGETS[a:b] for a, b in items(TARGETS, 0, len(TARGETS))] == [
        "今年经济社会发展主要预期指标是", "地区生产总值增长7%,力争实现7.5%", "固定资产投资增长9%", "社会消费品零售总额增长7.5%",
        "城镇和农村居民人均可支配收入分别增长7.5%、8%", "城镇新增就业人数8万人"]
    text = "培育新型研发机构350家、高新技术企业4500家以上。"
    assert [text[a:b] for a, b in items(text, 0, len(text))] == ["培育新型研发机构350家", "高新技术企业4500家以上"]


def _narrow(question: str, text: str, a: int, b: int) -> str:
    chunk = Chunk(0, "d", "t", "", text, 0, len(text), 0, 0)
    cand = Candidate(chunk, a, b, 1.0, True, 0.0, 0.0, True, Hit(chunk, 1.0, 1.0, 1.0, 0))
    bm25 = BM25([tokenize(text), tokenize("其他句子"), tokenize("别的内容")])
    x, y = item_asked(analyse(question), cand, bm25)
    return text[x:y]


@pytest.mark.parametrize("question, span, expected", [
    ("今年固定资产投资预计增长多少？", "力争实现7.5%,固定资产投资增长9%", "固定资产投资增长9%"),
    ("今年地区生产总值预期增长多少？", "地区生产总值增长7%,力争实现7.5%", "地区生产总值增长7%,力争实现7.5%"),
    ("今年农村居民人均可支配收入增长多少？", "城镇和农村居民人均可支配收入分别增长7.5%、8%",
     "城镇和农村居民人均可支配收入分别增长7.5%、8%"),
    ("今年社会消费品零售总额增长多少？", "固定资产投资增长9%,社会消费品零售总额增长7.5%", "社会消费品零售总额增长7.5%"),
])
def test_the_answer_is_narrowed_to_the_item_asked(question, span, expected):
    a = TARGETS.index(span)
    assert _narrow(question, TARGETS, a, a + len(span)) == expected


def test_counts_separated_by_a_comma_mark_are_items_too():
    text = "培育新型研发机构350家、高新技术企业4500家以上。"
    assert _narrow("要培育多少家高新技术企业？", text, 0, len(text) - 1) == "高新技术企业4500家以上"


def test_a_clause_without_a_subject_of_its_own_stays_with_the_item_before():
    text = "河37号是一处位于示例省第4区的历史遗迹,始建于1759年。"
    assert [text[a:b] for a, b in items(text, 0, len(text))] == ["河37号是一处位于示例省第4区的历史遗迹,始建于1759年"]
    assert _narrow("河37号始建于哪一年？", text, 0, len(text) - 1) == text[:-1]


def test_no_narrowing_without_a_leading_item_or_for_a_list_question():
    span = "固定资产投资增长9%,社会消费品零售总额增长7.5%"
    a = TARGETS.index(span)
    assert _narrow("今年有哪些预期指标？", TARGETS, a, a + len(span)) == span  # a list question wants them all
    assert _narrow("今年要增长多少？", TARGETS, a, a + len(span)) == span  # both items name 增长 alone: no lead


def test_the_subjects_asked_are_looked_for_in_the_answer_and_its_context():
    from qa.answering.features import missing, stated, subjects_of

    bm25 = BM25([tokenize(TARGETS), tokenize("固定资产投资的其他情况"), tokenize("别的内容")])
    subjects = subjects_of(analyse("今年规模以上工业增加值预期增长多少？"), bm25)
    assert {s.name for s in subjects} >= {"工业", "增加值"}
    assert stated(subjects, "规模以上工业增加值增长6%") == 1.0
    assert stated(subjects, "地区生产总值增长7%") < 0.5  # the neighbouring target names another subject
    assert missing(subjects, TARGETS) in {"规模", "工业", "增加值"}  # the most specific one missing is named
    english = subjects_of(analyse("How much will fixed-asset investment grow this year?"), bm25)
    assert stated(english, "固定资产投资增长9%") > stated(english, "社会消费品零售总额增长7.5%")  # across languages
    assert stated([], "任何文字") == 1.0


def test_a_not_found_message_names_the_missing_subject():
    from qa.answering.result import NotFound

    assert NotFound("subject", analyse("今年规模以上工业增加值预期增长多少？").english, "工业增加值").message == \
        "文档中没有找到这个问题的答案（最接近的段落没有提到“工业增加值”）。"
    assert NotFound("subject", analyse("What is the target?").english, "target").message == \
        "The documents do not answer this question (the closest passages do not mention “target”)."
