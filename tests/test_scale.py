"""Approximate search for large indexes: HNSW recall against flat search, and the switch itself."""

import numpy as np
import pytest

import qa.index.store as index_mod
from qa.index.build import build_index
from qa.testing.fakes import HashEmbedder
from qa.index.store import Index, make_faiss


def clustered(n, dim=384, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((n // 100, dim)).astype(np.float32)
    x = centers[rng.integers(0, len(centers), n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.slow  # builds an HNSW graph over 20,000 vectors
def test_hnsw_recall_against_flat():
    x = clustered(20_000)
    q = x[:200] + 0.1 * np.random.default_rng(1).standard_normal((200, 384)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    flat, hnsw = make_faiss(x, hnsw_threshold=10**9), make_faiss(x, hnsw_threshold=0)
    assert type(flat).__name__ == "IndexFlatIP" and type(hnsw).__name__ == "IndexHNSWFlat"
    _, f = flat.search(q, 10)
    _, h = hnsw.search(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(f, h)])
    assert recall >= 0.95, recall


def test_large_index_switches_to_hnsw_and_still_answers(tmp_path, seed_path, monkeypatch):
    monkeypatch.setattr(index_mod, "HNSW_THRESHOLD", 50)
    idx = tmp_path / "idx"
    build_index([seed_path], idx, embedder=HashEmbedder())
    loaded = Index.load(idx)
    assert type(loaded.faiss).__name__ == "IndexHNSWFlat"
    ids, scores = loaded.dense_search(HashEmbedder().encode_queries(["新增公共停车位"])[0], 5)
    assert len(ids) == 5 and scores[0] >= scores[-1]
    assert loaded.vectors_of([0, 1]).shape == (2, 64)
