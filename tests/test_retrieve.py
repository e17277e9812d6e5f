"""Fusion (qa.retrieve): dense cosine + normalised BM25 + period agreement, on a stub index. No model."""

import numpy as np
import pytest

from qa.index.store import Chunk
from qa.question import analyse
from qa.retrieve import W_DENSE, W_LEXICAL, W_PERIOD, retrieve


class StubIndex:
    """Four chunks with given cosines and BM25 scores; the dense search finds only the first three."""

    def __init__(self, cosines, bm25, periods):
        self.chunks = [Chunk(i, "report.txt", "报告", "三、2022年工作安排", f"句子{i}。", 10 * i, 10 * i + 4, 0, i, p)
                       for i, p in enumerate(periods)]
        self.years = {"report.txt": 2022}
        self._cos, self._bm = np.array(cosines, np.float32), np.array(bm25, np.float32)
        self.bm25 = self

    def scores(self, terms, weights):
        return self._bm

    def dense_search(self, qvec, k):
        ids = np.argsort(-self._cos[:3])[:k]
        return ids, self._cos[ids]

    def vectors_of(self, ids):  # unit vectors whose dot with qvec (e0) is the stub cosine
        out = np.zeros((len(ids), 2), np.float32)
        out[:, 0] = self._cos[ids]
        return out


QVEC = np.array([1.0, 0.0], np.float32)


def test_the_fused_score_is_the_documented_weighted_sum():
    index = StubIndex([0.9, 0.8, 0.5, 0.7], [0.0, 4.0, 2.0, 8.0], ["", "", "", ""])
    hits = retrieve(index, analyse("地区生产总值增长多少？"), QVEC, k=4)
    by_id = {h.chunk.id: h for h in hits}
    assert set(by_id) == {0, 1, 2, 3}  # chunk 3 came from BM25 alone; its cosine is computed from its vector
    assert by_id[3].dense == pytest.approx(0.7) and by_id[3].lexical == 1.0 and by_id[1].lexical == 0.5
    for h in hits:
        assert h.score == pytest.approx(W_DENSE * h.dense + W_LEXICAL * h.lexical + W_PERIOD * h.period_agreement)
    assert [h.chunk.id for h in hits] == sorted(by_id, key=lambda i: -by_id[i].score)


def test_period_agreement_breaks_a_tie_in_favour_of_the_asked_period():
    index = StubIndex([0.8, 0.8, 0.8, 0.0], [1.0, 1.0, 1.0, 0.0], ["past1", "now", "", ""])
    hits = retrieve(index, analyse("今年新增就业多少人？"), QVEC, k=3)
    assert [(h.chunk.id, h.period_agreement) for h in hits] == [(1, 1), (2, 0), (0, -1)]
    hits = retrieve(index, analyse("去年新增就业多少人？"), QVEC, k=3)
    assert hits[0].chunk.id == 0 and hits[0].period_agreement == 1


def test_without_lexical_matches_the_order_is_by_meaning():
    index = StubIndex([0.3, 0.9, 0.6, 0.0], [0.0, 0.0, 0.0, 0.0], ["", "", "", ""])
    hits = retrieve(index, analyse("问题"), QVEC, k=10)
    assert [h.chunk.id for h in hits] == [1, 2, 0] and all(h.lexical == 0 for h in hits)


def test_ties_are_broken_by_chunk_order():
    index = StubIndex([0.5, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0], ["", "", "", ""])
    assert [h.chunk.id for h in retrieve(index, analyse("问题"), QVEC, k=2)] == [0, 1]
