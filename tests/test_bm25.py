import numpy as np

from qa.index.bm25 import BM25
from qa.text.tokens import tokenize


def test_bm25_scores_chinese_and_ranks_the_right_sentence():
    docs = ["新建高标准农田7.45万亩", "新增公共停车位1万个以上", "城镇新增就业人数8万人", "推进轨道交通1号线建设"]
    bm = BM25([tokenize(d) for d in docs])
    scores = bm.scores(tokenize("今年新增多少公共停车位？"))
    assert scores.max() > 0, "BM25 gave every Chinese sentence 0.0"
    assert int(np.argmax(scores)) == 1
    assert scores[3] == 0


def test_same_tokenizer_for_corpus_and_query():
    assert set(tokenize("公共停车位")) <= set(tokenize("新增公共停车位1万个以上"))
    assert "的" not in tokenize("城市的发展") and "?" not in tokenize("多少?")


def test_idf_of_unseen_term_is_highest():
    bm = BM25([["a", "b"], ["a"]])
    assert bm.term_idf("zzz") > bm.term_idf("b") > bm.term_idf("a") > 0
