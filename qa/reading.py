"""Reading the retrieved sentences with the trained reader: windows, spans, ranking.

Each of the top ``READ_TOP`` hits is grown into a window the way the reader was trained
(:func:`qa.model.reader_data.windows_around`): the sentence plus its neighbours in the same
paragraph, up to ``WINDOW_CHARS`` characters. The reader returns each window's best span and its
margin over "no answer"; the span is mapped back onto the sentence (chunk) it lies in and widened
to its clause (the answer shown). Candidates are ranked by a :class:`Logistic` over
:meth:`Candidate.features`, fitted on the tuning split (``benchmarks/fit_reading.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .index.store import Chunk, Index
from .model.reader import Reading
from .model.reader_data import WINDOW_CHARS, windows_around
from .retrieve import Hit

CLAUSE_FLOOR = -20.0  # clause margins below this are this: "the reader sees no answer here" (a clause
# without a token of its own would be -inf; on the tuning data the margins of marked spans lie within ±15)
READ_TOP = 6  # windows read per question at most (in stages, reader.json "stop"; README "The trained reader")


@dataclass
class Window:
    hit: Hit  # the retrieved sentence the window grew from
    chunks: list[Chunk]  # consecutive sentences of one paragraph
    text: str  # their texts joined

    def locate(self, i: int) -> tuple[Chunk, int]:
        """The chunk holding character i of the window, and i's offset inside that chunk's text."""
        for c in self.chunks:
            if i < len(c.text):
                return c, i
            i -= len(c.text)
        return self.chunks[-1], len(self.chunks[-1].text)

    def offset(self, chunk: Chunk) -> int:
        """Where ``chunk``'s text starts in the window's."""
        at = 0
        for c in self.chunks:
            if c.id == chunk.id:
                return at
            at += len(c.text)
        raise ValueError(f"chunk {chunk.id} is not in this window")


@dataclass
class Marked:
    """The reader's span in a window, mapped onto the sentence (chunk) it lies in."""
    window: Window
    chunk: Chunk
    start: int  # span [start, end) inside chunk.text
    end: int
    reading: Reading  # the reader's output for the whole window (scores any other clause too)

    @property
    def margin(self) -> float:
        """The marked span's score minus the window's no-answer score."""
        return self.reading.margin


@dataclass
class Candidate:
    """A possible answer: clauses of one sentence, with what the reader and the rules say of them."""
    chunk: Chunk
    answer_start: int  # the answer [start, end) inside chunk.text
    answer_end: int
    margin: float  # the reader's margin for the window holding the sentence
    reader: bool  # the answer holds the span the reader marked
    rules: float  # the hand-set span score of the first round (qa.rules) for these clauses
    coverage: float  # IDF-weighted share of the question's terms found in the sentence and its section
    focus: bool  # the question's rarest content noun (or a synonym) is in the sentence or its section
    hit: Hit  # the retrieved sentence (the window's, for a neighbour the reader marked)
    score: float = 0.0  # the ranking model's log-odds
    answer_cosine: float = 0.0  # cosine of the answer to the question (computed for the chosen one only)
    clause_margin: float = 0.0  # the reader's best span inside these clauses against "no answer" (CLAUSE_FLOOR at least)
    window: int = 0  # rank of the window it was read in (0: the top hit's)

    @property
    def answer(self) -> str:
        return self.chunk.text[self.answer_start:self.answer_end]

    def features(self) -> dict[str, float]:
        """What ranking and abstention see (one definition, used at fit and at question time)."""
        m = self.margin if self.reader else 0.0
        return {"margin": self.margin, "reader_margin": m, "reader": float(self.reader),
                "clause_margin": self.clause_margin, "rules": self.rules,
                "coverage": self.coverage, "focus": float(self.focus), "retrieval": self.hit.score,
                "dense": self.hit.dense, "answer_cosine": self.answer_cosine, "score": self.score}


@dataclass
class Logistic:
    """A linear model over :meth:`Candidate.features`: ``bias + Σ weight·feature`` (log-odds)."""
    weights: dict[str, float] = field(default_factory=lambda: {"margin": 1.0})
    bias: float = 0.0

    def __call__(self, features: dict[str, float]) -> float:
        return self.bias + sum(w * features[k] for k, w in self.weights.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self(features)))))

    @classmethod
    def from_dict(cls, d: dict | None) -> "Logistic":
        return cls(dict(d["weights"]), float(d["bias"])) if d else cls()

    def to_dict(self) -> dict:
        return {"weights": {k: round(v, 5) for k, v in self.weights.items()}, "bias": round(self.bias, 5)}


@dataclass
class Stages:
    """How many windows are read before the answer is judged: up to ``sizes[0]``, then up to ``sizes[1]``,
    ...; reading stops once the best answer's abstention log-odds reach ``logit``. The default (no
    sizes) reads all windows (``READ_TOP``, what :func:`windows` gives) at once."""
    sizes: tuple[int, ...] = ()
    logit: float = math.inf

    @classmethod
    def from_dict(cls, d: dict | None) -> "Stages":
        return cls(tuple(d["sizes"]), float(d["logit"])) if d else cls()

    def to_dict(self) -> dict:
        return {"sizes": list(self.sizes), "logit": round(self.logit, 5)}


def windows(index: Index, hits: list[Hit], n: int | None = None, limit: int = WINDOW_CHARS) -> list[Window]:
    """Windows around the top ``n`` (default ``READ_TOP``) distinct hits (a hit already inside an earlier
    window is skipped)."""
    n = READ_TOP if n is None else n
    out: list[Window] = []
    seen: set[int] = set()
    for h in hits:
        if len(out) >= n:
            break
        if h.chunk.id in seen:
            continue
        ids = index.by_doc[h.chunk.doc]
        pos = ids.index(h.chunk.id)
        lo = pos
        while lo > 0 and index.chunks[ids[lo - 1]].para == h.chunk.para:
            lo -= 1
        hi = pos
        while hi + 1 < len(ids) and index.chunks[ids[hi + 1]].para == h.chunk.para:
            hi += 1
        para = [index.chunks[i] for i in ids[lo:hi + 1]]
        spans, at = [], 0
        for c in para:
            spans.append((at, at + len(c.text)))
            at += len(c.text)
        a, b = windows_around(spans, pos - lo, limit)
        chunks = [c for c, (x, y) in zip(para, spans) if x >= a and y <= b]
        seen.update(c.id for c in chunks)
        out.append(Window(h, chunks, "".join(c.text for c in chunks)))
    return out


def read(reader, question: str, wins: list[Window]) -> list[Marked]:
    """The reader's best span in each window, mapped onto its sentence (each window is read on its own:
    :meth:`qa.model.reader.Reader.read`)."""
    if not wins:
        return []
    out = []
    for w, r in zip(wins, reader.read(question, [w.text for w in wins])):
        chunk, a = w.locate(r.start)
        b = max(a, min(a + (r.end - r.start), len(chunk.text)))  # a span crossing a sentence end stops there
        out.append(Marked(w, chunk, a, b, r))
    return out


def rank(cands: list[Candidate], model: Logistic) -> list[Candidate]:
    """Candidates best first by ``model`` (their ``score`` set to its log-odds)."""
    for c in cands:
        c.score = model(c.features())
    return sorted(cands, key=lambda c: -c.score)
