"""Okapi BM25 over token lists (the tokenizer is the caller's, the same for corpus and query).

Postings are numpy arrays per term, so scoring a query touches only the documents that
contain its terms. IDF is the Lucene form ``log(1 + (N - df + 0.5) / (df + 0.5))``, which
stays positive for terms found in most documents.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Callable, Iterable, Sequence

import numpy as np


class BM25:
    def __init__(self, corpus: Iterable[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        docs: dict[str, list[int]] = defaultdict(list)
        tfs: dict[str, list[int]] = defaultdict(list)
        lengths = []
        for i, tokens in enumerate(corpus):
            lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                docs[term].append(i)
                tfs[term].append(tf)
        self.n = len(lengths)
        self.lengths = np.asarray(lengths, dtype=np.float32)
        avg = float(self.lengths.mean()) if self.n else 1.0
        self.norm = (k1 * (1 - b + b * self.lengths / max(avg, 1e-9))).astype(np.float32)
        self.postings = {t: (np.asarray(docs[t], np.int32), np.asarray(tfs[t], np.float32)) for t in docs}
        self.idf = {t: math.log(1 + (self.n - len(d) + 0.5) / (len(d) + 0.5)) for t, d in docs.items()}

    def scores(self, query: Sequence[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """BM25 score of every document for the query tokens (optionally weighted per term)."""
        out = np.zeros(self.n, dtype=np.float32)
        for term, qtf in Counter(query).items():
            post = self.postings.get(term)
            if post is None:
                continue
            ids, tf = post
            w = self.idf[term] * (weights.get(term, 1.0) if weights else 1.0)
            out[ids] += w * tf * (self.k1 + 1) / (tf + self.norm[ids])
        return out

    def term_idf(self, term: str) -> float:
        """IDF of a term; an unseen term gets the IDF of a term found in no document."""
        return self.idf.get(term, math.log(1 + (self.n + 0.5) / 0.5))


def build(texts: Iterable[str], tokenizer: Callable[[str], list[str]], **kw) -> BM25:
    return BM25((tokenizer(t) for t in texts), **kw)
