"""The trained extractive reader at question time: onnxruntime only, no torch.

Given a question and a few passages (a retrieved sentence with its neighbours), it returns for each
passage the best span (character offsets inside the passage), that span's score and the passage's
no-answer score. The shipped graph (``weights/reader.int8.onnx``)
starts after the word-embedding lookup, so the 250k-row table is not shipped twice: rows are read
from the converted e5 model's ``model.safetensors`` through a memory map shared with the query
encoder (:mod:`qa.model.vocab`), as is the tokenizer. The graph is made by ``qa train-reader``
(:mod:`qa.training`), in the int8 form of :mod:`qa.model.quantize`.
"""

from __future__ import annotations

import json
import os
import threading
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ..config import reader_setting, reader_weights_dir
from .heads import Heads
from .named import is_named, named
from .passages import encode
from .vocab import embed

WEIGHTS_DIR = Path(__file__).parent / "weights"
GRAPH = "reader.int8.onnx"
MAX_ANSWER_TOKENS = 30  # longest span considered; DRCD answers are a median of 4 characters, CMRC's 19


@dataclass
class Reading:
    start: int  # answer span [start, end) in the passage's characters
    end: int
    score: float  # start + end logit of the span
    null: float  # start + end logit of "no answer"
    starts: np.ndarray | None = None  # start logit of each passage token (None: a stand-in reader)
    ends: np.ndarray | None = None  # end logit of each passage token
    offsets: list[tuple[int, int]] = field(default_factory=list)  # each passage token's characters

    @property
    def margin(self) -> float:
        """How much the span beats "no answer" (> 0: the reader answers)."""
        return self.score - self.null

    def margin_within(self, a: int, b: int) -> float:
        """How much the best span inside passage characters [a, b) beats "no answer": what the reader
        thinks of a clause other than the one it marked (``-inf``: no token starts there)."""
        if self.starts is None:  # only the marked span is known
            return self.margin if a <= self.start and self.end <= b else 0.0
        firsts = self._token_starts
        i0, i1 = bisect_left(firsts, a), bisect_left(firsts, b)  # tokens starting in [a, b)
        while i1 > i0 and self.offsets[i1 - 1][1] > b:  # and ending there
            i1 -= 1
        if i1 == i0:
            return float("-inf")
        return _best_span(self.starts[i0:i1], self.ends[i0:i1])[2] - self.null

    @cached_property
    def _token_starts(self) -> list[int]:
        return [x for x, _ in self.offsets]


class ReaderError(RuntimeError):
    """The reader's weights are missing or unreadable; the message says what to do."""


class Reader:
    """Reads passages for a question. Loads lazily (:meth:`warm_up`), once; thread-safe."""

    def __init__(self, weights_dir: str | Path | None = None, model_dir: str | Path | None = None,
                 threads: int | None = None, graph: str = GRAPH):
        self.weights_dir = Path(weights_dir or reader_weights_dir() or WEIGHTS_DIR)
        self.graph = graph
        self.model_dir = Path(model_dir) if model_dir else None
        self.threads = threads
        self._session = None
        self._info: dict | None = None
        self._heads: Heads | None = None
        self._lock = threading.Lock()

    @property
    def info(self) -> dict:
        """The weights' record: training data, settings, time (``reader.json``), read once."""
        if self._info is None:
            path = self.weights_dir / "reader.json"
            self._info = json.loads(path.read_text()) if path.exists() else {}
        return self._info

    def heads(self) -> Heads:
        """How the reader is used, fitted with these weights (``reader.json``'s ``use``, :mod:`.heads`): the
        ranking and abstention models (by the margin alone where none was fitted) and the stages of reading."""
        if self._heads is None:
            self._heads = Heads.from_dict(self.info.get("use"))
        return self._heads

    def warm_up(self) -> "Reader":
        with self._lock:
            if self._session is not None:
                return self
            from .onnx_backend import cpu_session
            from .vocab import shared_tokenizer, word_table

            path = self.weights_dir / self.graph
            if not path.exists():
                raise ReaderError(f"no reader weights at {path}: reinstall the package or run `qa train-reader`")
            if self.model_dir is None:
                from .e5convert import converted_model_dir

                self.model_dir = converted_model_dir()
            self._words = word_table(self.model_dir)
            self._tokenizer = shared_tokenizer(self.model_dir)  # the query encoder's (one copy)
            self._session = cpu_session(path, 1)  # one thread a window; windows run side by side
            self._pool = ThreadPoolExecutor(self.threads or max(1, os.cpu_count() or 1), "qa-reader")
        return self

    def read(self, question: str, passages: list[str]) -> list[Reading]:
        """The best span of each passage, each read on its own.

        Not one padded batch: the int8 graph quantizes its activations with one scale per run, so in a
        batch a passage's scores would depend on the others read with it (and on their padding); read
        alone, a window scores the same whether two or six are read, which reading in stages
        (:func:`qa.answering.decide.read_in_stages`) and its fit rely on.

        Windows run side by side, one core each (onnxruntime releases the GIL while it runs): a
        100-token window takes 13.9 ms on one thread and 15.0 ms on two (2 cores; waking the second
        thread costs what it saves), so two windows take the time of one."""
        if not passages:
            return []
        self.warm_up()
        return list(self._pool.map(lambda p: self._read_one(question, p), passages))

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """The start/end scores of every token of one encoded window (:func:`qa.model.passages.encode`'s ids)."""
        self.warm_up()
        return self._session.run(None, {"inputs_embeds": embed(self._words, ids[None]),
                                        "attention_mask": np.ones((1, len(ids)), np.int64)})[0][0]

    def _read_one(self, question: str, passage: str) -> Reading:
        ids, off0, offsets = encode(self._tokenizer, question, passage)
        return _best(self.logits(ids), off0, offsets, passage)


_shared: dict[str, Reader] = {}
_shared_lock = threading.Lock()


def get_reader() -> Reader:
    """The process-wide reader for ``QA_READER`` as set (:func:`qa.config.reader_setting`: the shipped weights, a
    folder of others, or a reader class named by its import path); one per setting, loaded on first read."""
    spec = reader_setting()
    with _shared_lock:
        if spec not in _shared:
            _shared[spec] = named(spec) if is_named(spec) else Reader()
        return _shared[spec]


def _best_span(s: np.ndarray, e: np.ndarray) -> tuple[int, int, float]:
    """The best (first token, last token, score) with start ≤ end < start + MAX_ANSWER_TOKENS."""
    m = len(s)
    width = min(MAX_ANSWER_TOKENS, m)
    grid = np.full((m, width), -np.inf)
    for k in range(width):  # score[i, k] = s[i] + e[i + k]
        grid[: m - k, k] = s[: m - k] + e[k:]
    i, k = np.unravel_index(int(np.argmax(grid)), grid.shape)
    return int(i), int(i + k), float(grid[i, k])


def _best(logits: np.ndarray, off0: int, offsets: list[tuple[int, int]], passage: str) -> Reading:
    """The highest-scoring span among the passage tokens, with all their logits (for :meth:`Reading.margin_within`)."""
    null = float(logits[0, 0] + logits[0, 1])
    m = len(offsets)
    if m == 0:
        return Reading(0, 0, float("-inf"), null)
    s = logits[off0:off0 + m, 0].astype(np.float64)
    e = logits[off0:off0 + m, 1].astype(np.float64)
    i, j, score = _best_span(s, e)
    a, b = offsets[i][0], offsets[j][1]
    while a < b and passage[a].isspace():
        a += 1
    while b > a and passage[b - 1].isspace():
        b -= 1
    return Reading(int(a), int(b), score, null, s, e, list(offsets))
