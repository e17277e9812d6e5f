"""Fusion (qa.answering.retrieve): dense cosine + normalised BM25 + period agreement, on a stub index. No model."""

from dataclasses import replace

from types import SimpleNamespace

import numpy as np
import pytest


from qa.index.store import Chunk
from qa.answering.question import analyse
from qa.answering.retrieve import FUSION, retrieve


class StubIndex:
    """Four chunks with given cosines and BM25 scores; the dense search finds only the first three."""

    def __init__(self, cosines, bm25, periods):
        self.chunks = [Chunk(i, "report.txt", "报告", "三、2022年工作安排", f"句子{i}。", 10 * i, 10 * i + 4, 0, i, p)
                       for i, p in enumerate(periods)]
        self.documents = {"report.txt": SimpleNamespace(year=2022)}
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


SENTENCES_ONLY = replace(FUSION, paragraph=0.0)  # the stub has no paragraphs: fusion without paragraph evidence


def test_the_fused_score_is_the_documented_weighted_sum():
    index = StubIndex([0.9, 0.8, 0.5, 0.7], [0.0, 4.0, 2.0, 8.0], ["", "", "", ""])
    hits = retrieve(index, analyse("地区生产总值增长多少？"), QVEC, k=4, fusion=SENTENCES_ONLY)
    by_id = {h.chunk.id: h for h in hits}
    assert set(by_id) == {0, 1, 2, 3}  # chunk 3 came from BM25 alone; its cosine is computed from its vector
    assert by_id[3].dense == pytest.approx(0.7) and by_id[3].lexical == 1.0 and by_id[1].lexical == 0.5
    for h in hits:
        f = SENTENCES_ONLY
        assert h.score == pytest.approx(f.dense * h.dense + f.lexical * h.lexical + f.period * h.period_agreement)
    assert [h.chunk.id for h in hits] == sorted(by_id, key=lambda i: -by_id[i].score)


def test_period_agreement_breaks_a_tie_in_favour_of_the_asked_period():
    index = StubIndex([0.8, 0.8, 0.8, 0.0], [1.0, 1.0, 1.0, 0.0], ["past1", "now", "", ""])
    hits = retrieve(index, analyse("今年新增就业多少人？"), QVEC, k=3, fusion=SENTENCES_ONLY)
    assert [(h.chunk.id, h.period_agreement) for h in hits] == [(1, 1), (2, 0), (0, -1)]
    hits = retrieve(index, analyse("去年新增就业多少人？"), QVEC, k=3, fusion=SENTENCES_ONLY)
    assert hits[0].chunk.id == 0 and hits[0].period_agreement == 1


def test_without_lexical_matches_the_order_is_by_meaning():
    index = StubIndex([0.3, 0.9, 0.6, 0.0], [0.0, 0.0, 0.0, 0.0], ["", "", "", ""])
    hits = retrieve(index, analyse("问题"), QVEC, k=10, fusion=SENTENCES_ONLY)
    assert [h.chunk.id for h in hits] == [1, 2, 0] and all(h.lexical == 0 for h in hits)


def test_ties_are_broken_by_chunk_order():
    index = StubIndex([0.5, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0], ["", "", "", ""])
    assert [h.chunk.id for h in retrieve(index, analyse("问题"), QVEC, k=2, fusion=SENTENCES_ONLY)] == [0, 1]


def test_a_sentence_gets_its_paragraphs_evidence(tmp_path):
    """Two identical sentences: the one whose paragraph names the subject asked about ranks first."""
    from qa.answering.pipeline import search
    from qa.api import load_index
    from qa.index.build import build_index
    from qa.model.embedding import get_embedder

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("甲\n\n一、概况\n\n青岛是一座海滨城市，风景很好。该市人口达到一千万。\n", encoding="utf-8")
    (docs / "b.txt").write_text("乙\n\n一、概况\n\n成都是一座内陆城市，风景很好。该市人口达到一千万。\n", encoding="utf-8")
    emb = get_embedder("qa.testing.fakes:HashEmbedder")
    build_index([docs], tmp_path / "index", embedder=emb)
    index = load_index(tmp_path / "index")
    for w, first in ((0.0, "a.txt"), (0.1, "b.txt")):
        hits = search("成都的该市人口达到多少？", index, emb, k=10, fusion=replace(FUSION, paragraph=w))[2]
        same = [h for h in hits if h.chunk.text == "该市人口达到一千万。"]
        assert len(same) == 2 and same[0].chunk.doc == first
