"""Follow-up resolution (qa.answering.followup) and the terminal chat built on it (``qa chat``). Fake embedder."""

import io

import numpy as np
import pytest

from qa.answering.followup import resolve, subject_of_followup
from qa.testing.fakes import HashEmbedder

PREV = "去年城镇居民人均可支配收入增长多少？"


@pytest.mark.parametrize("text, subject", [
    ("那农村呢？", "农村"), ("农村呢", "农村"), ("那么农村居民的呢？", "农村居民"), ("还有农村怎么样？", "农村"),
    ("what about rural residents?", "rural residents"), ("And how about tourism", "tourism"),
    ("今年地区生产总值预期增长多少？", None), ("呢", None), ("", None),
])
def test_subject_of_followup(text, subject):
    assert subject_of_followup(text) == subject


def test_the_closest_word_of_the_previous_question_is_swapped_by_shape():
    assert resolve("那农村居民呢？", [PREV]) == "去年农村居民人均可支配收入增长多少？"  # shares 居民 with 城镇居民
    assert resolve("那农村居民呢？", ["今年地区生产总值预期增长多少？", PREV]) == resolve("那农村居民呢？", [PREV])
    assert resolve("那农村呢？", [PREV]).startswith("去年")  # a period word is never the one swapped
    assert resolve("What about rural residents?", ["What was the growth of urban incomes last year?"]) != \
        "What about rural residents?"


def test_the_closest_word_by_meaning_when_an_embedder_is_given():
    def embed(texts):  # 农村 is "close" only to 城镇
        return np.array([[1.0, 0.0] if t in ("农村", "城镇") else [0.0, 1.0] for t in texts], np.float32)

    assert resolve("那农村呢？", [PREV], embed=embed) == "去年农村居民人均可支配收入增长多少？"
    emb = HashEmbedder()
    assert "农村" in resolve("那农村呢？", [PREV], embed=emb.encode_queries)


def test_the_new_subject_replaces_the_old_one_not_a_verb():
    def embed(texts):  # nothing is close to anything: the noun filter alone decides
        return np.array([[1.0, 0.0] if t == "固定资产投资" else [0.0, 1.0] for t in texts], np.float32)

    # GDP is found though the tokenizer lower-cases it, and the verb 要涨 stays
    assert resolve("那固定资产投资呢？", ["今年GDP要涨多少？"], embed=embed) == "今年固定资产投资要涨多少？"
    assert resolve("那固定资产投资呢？", ["今年GDP要涨多少？"]) == "今年固定资产投资要涨多少？"


def test_an_english_phrase_replaces_a_phrase():
    def embed(texts):
        return np.array([[1.0, 0.0] if t in ("rural residents", "urban residents") else [0.0, 1.0] for t in texts],
                        np.float32)

    assert resolve("what about rural residents?", ["How much did urban residents' income grow last year?"],
                   embed=embed) == "How much did rural residents' income grow last year?"


def test_questions_that_are_not_follow_ups_are_left_alone():
    assert resolve("今年新增就业多少人？", [PREV]) == "今年新增就业多少人？"
    assert resolve("那农村呢？", []) == "那农村呢？"  # nothing to refer to
    assert resolve("那农村呢？", ["？？"]) == "那农村呢？"  # no word to swap


def test_qa_chat_keeps_the_conversation(fake_index, monkeypatch, capsys):
    from qa.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PREV}\n那农村呢？\n:sources\n\n   \n:help\n:quit\n今年？\n"))
    assert main(["chat", "--index", str(fake_index)]) == 0
    out = capsys.readouterr().out
    assert out.count("问> ") == 5  # the transcript repeats each line it reads; nothing after :quit
    assert "（理解为：去年农村居民人均可支配收入增长多少？）" in out
    assert "来源：\n  [" in out and out.count("答案：") == 2


def test_qa_chat_sources_before_any_answer_and_end_of_input(fake_index, monkeypatch, capsys):
    from qa.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(":sources\n？？？\n"))
    assert main(["chat", "--index", str(fake_index)]) == 0
    out = capsys.readouterr().out
    assert "还没有回答" in out and "qa: the question is empty" in out
