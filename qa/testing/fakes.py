"""Deterministic stand-ins for the two models, for tests: passed in (``embedder=``, ``reader=``) or named by the
settings that choose a model (``QA_MODEL=qa.testing.fakes:HashEmbedder``, ``QA_READER=qa.testing.fakes:OverlapReader``),
which child processes inherit. Never chosen by the program itself."""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from qa.model.embedding import Progress

EMBEDDER = "qa.testing.fakes:HashEmbedder"
READER = "qa.testing.fakes:OverlapReader"


class HashEmbedder:
    """A small deterministic embedder for tests: character n-grams hashed to seeded random vectors.

    Texts sharing characters get similar vectors, which is enough to exercise the pipeline
    without a model. Not for real use.
    """

    model_id = EMBEDDER  # QA_MODEL may name it (tests of the CLI and the web app)

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.calls = 0  # how many texts were embedded (tests count re-embedding)
        self._cache: dict[str, np.ndarray] = {}

    def _gram(self, g: str) -> np.ndarray:
        v = self._cache.get(g)
        if v is None:
            seed = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
            v = self._cache[g] = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v

    def _one(self, text: str) -> np.ndarray:
        grams = [text[i : i + 2] for i in range(max(1, len(text) - 1))] + list(text)
        v = np.sum([self._gram(g) for g in grams], axis=0) if text else np.ones(self.dim, np.float32)
        return v / (np.linalg.norm(v) or 1.0)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        return np.stack([self._one(t) for t in texts]).astype(np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_documents(texts)

    def prepare(self) -> None:
        pass

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = self.encode_queries(texts) if texts else np.zeros((0, self.dim), np.float32)
        if progress:
            progress(len(texts), len(texts))
        return out


class OverlapReader:
    """A deterministic stand-in for the trained reader: in each passage it marks the clause sharing the
    most characters with the question (margin: shared characters minus 3). Its models are fixed, not the
    shipped ones (those are fitted on the real reader and the real embedder's cosines): candidates rank
    by the rules' score plus the coverage of the question, and it abstains when its margin is negative."""

    def heads(self):
        from qa.model.heads import Heads, Logistic

        return Heads(rank=Logistic({"rules": 1.0, "coverage": 1.0, "retrieval": 1.0, "reader": 0.1}),
                     abstain=Logistic({"margin": 1.0}, 0.0))

    def read(self, question, passages):
        from qa.model.reader import Reading
        from qa.text.clauses import clause_spans, trim

        asked = {ch for ch in question if ch.isalnum()}
        out = []
        for p in passages:
            spans = [trim(p, a, b) for a, b in clause_spans(p)] or [(0, len(p))]
            a, b = max(spans, key=lambda ab: (len(asked & set(p[ab[0]:ab[1]])), -ab[0]))
            shared = len(asked & set(p[a:b]))
            out.append(Reading(a, b, float(shared), 3.0))
        return out


class SlowHashEmbedder(HashEmbedder):
    """:class:`HashEmbedder`'s vectors (the same model id), each document batch after a pause: a build that is
    certainly still embedding when a test stops it (``QA_MODEL=qa.testing.fakes:SlowHashEmbedder``)."""

    PAUSE = 20.0  # seconds: far longer than a test takes to see the embedding start and kill the build

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        import sys
        import time

        print(f"{type(self).__name__}: embedding {len(texts)} texts after a pause", file=sys.stderr, flush=True)
        time.sleep(self.PAUSE)
        return super().encode_documents(texts, progress)
