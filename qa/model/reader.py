"""The trained extractive reader at question time: onnxruntime only, no torch.

Given a question and a few passages (a retrieved sentence with its neighbours), it returns for each
passage the best span (character offsets inside the passage), that span's score and the passage's
no-answer score. The shipped graph (``weights/reader.int8.onnx``, made by :mod:`qa.model.reader_train`)
starts after the word-embedding lookup, so the 250k-row table is not shipped twice: rows are read
from the converted e5 model's ``model.safetensors`` through a memory map shared with the query
encoder (:mod:`qa.model.vocab`), as is the tokenizer.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .reader_data import PAD, encode
from .vocab import embed

WEIGHTS_DIR = Path(__file__).parent / "weights"
MAX_ANSWER_TOKENS = 30  # longest span considered; DRCD answers are a median of 4 characters, CMRC's 19


@dataclass
class Reading:
    start: int  # answer span [start, end) in the passage's characters
    end: int
    score: float  # start + end logit of the span
    null: float  # start + end logit of "no answer"

    @property
    def margin(self) -> float:
        """How much the span beats "no answer" (> 0: the reader answers)."""
        return self.score - self.null


class ReaderError(RuntimeError):
    """The reader's weights are missing or unreadable; the message says what to do."""


class Reader:
    """Reads passages for a question. Loads lazily (:meth:`warm_up`), once; thread-safe."""

    def __init__(self, weights_dir: str | Path | None = None, model_dir: str | Path | None = None,
                 threads: int | None = None):
        self.weights_dir = Path(weights_dir or os.environ.get("QA_READER") or WEIGHTS_DIR)
        self.model_dir = Path(model_dir) if model_dir else None
        self.threads = threads
        self._session = None
        self._info: dict | None = None
        self._models: dict | None = None
        self._lock = threading.Lock()

    @property
    def info(self) -> dict:
        """The weights' record: training data, settings, time (``reader.json``), read once."""
        if self._info is None:
            path = self.weights_dir / "reader.json"
            self._info = json.loads(path.read_text()) if path.exists() else {}
        return self._info

    def models(self) -> dict:
        """How the reader is used (fitted with these weights, ``reader.json``'s ``use``): ``rank`` and
        ``abstain``, each a :class:`qa.reading.Logistic` (by the margin alone where none was fitted)."""
        if self._models is None:
            from ..reading import Logistic

            use = self.info.get("use", {})
            self._models = {k: Logistic.from_dict(use.get(k)) for k in ("rank", "abstain")}
        return self._models

    def warm_up(self) -> "Reader":
        with self._lock:
            if self._session is not None:
                return self
            from .onnx_backend import cpu_session
            from .vocab import shared_tokenizer, word_table

            path = self.weights_dir / "reader.int8.onnx"
            if not path.exists():
                raise ReaderError(f"no reader weights at {path}: reinstall the package or run `qa train-reader`")
            if self.model_dir is None:
                from .e5convert import converted_model_dir

                self.model_dir = converted_model_dir()
            self._words = word_table(self.model_dir)
            self._tokenizer = shared_tokenizer(self.model_dir)  # the query encoder's (one copy)
            self._session = cpu_session(path, self.threads)
        return self

    def read(self, question: str, passages: list[str]) -> list[Reading]:
        """The best span of each passage (one batch)."""
        if not passages:
            return []
        self.warm_up()
        encs = [encode(self._tokenizer, question, p) for p in passages]
        n = max(len(ids) for ids, _, _ in encs)
        ids = np.full((len(encs), n), PAD, np.int64)
        mask = np.zeros((len(encs), n), np.int64)
        for r, (x, _, _) in enumerate(encs):
            ids[r, : len(x)] = x
            mask[r, : len(x)] = 1
        embeds = embed(self._words, ids)
        logits = self._session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]
        return [_best(logits[r], off0, offsets, passages[r]) for r, (_, off0, offsets) in enumerate(encs)]


_shared: Reader | None = None
_shared_lock = threading.Lock()


def get_reader() -> Reader:
    """The process-wide reader (shipped weights, or ``QA_READER``); loads on first read."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Reader()
        return _shared


def _best(logits: np.ndarray, off0: int, offsets: list[tuple[int, int]], passage: str) -> Reading:
    """The highest-scoring span (start ≤ end < start + MAX_ANSWER_TOKENS) among the passage tokens."""
    null = float(logits[0, 0] + logits[0, 1])
    m = len(offsets)
    if m == 0:
        return Reading(0, 0, float("-inf"), null)
    s = logits[off0:off0 + m, 0].astype(np.float64)
    e = logits[off0:off0 + m, 1].astype(np.float64)
    # score[i, k] = s[i] + e[i + k] for k < MAX_ANSWER_TOKENS
    width = min(MAX_ANSWER_TOKENS, m)
    grid = np.full((m, width), -np.inf)
    for k in range(width):
        grid[: m - k, k] = s[: m - k] + e[k:]
    i, k = np.unravel_index(int(np.argmax(grid)), grid.shape)
    a, b = offsets[i][0], offsets[i + k][1]
    while a < b and passage[a].isspace():
        a += 1
    while b > a and passage[b - 1].isspace():
        b -= 1
    return Reading(int(a), int(b), float(grid[i, k]), null)
