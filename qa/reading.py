"""Reading the retrieved sentences with the trained reader: windows, spans, reranking.

Each of the top ``READ_TOP`` hits is grown into a window the way the reader was trained
(:func:`qa.model.reader_data.windows_around`): the sentence plus its neighbours in the same
paragraph, up to ``WINDOW_CHARS`` characters. The reader returns each window's best span and its
margin over "no answer"; windows are ranked by that margin (or by a weighted sum of margin and
retrieval score when weights are given; none are fitted yet), and the span is mapped back onto
the sentence (chunk) it lies in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .index.store import Chunk, Index
from .model.reader_data import WINDOW_CHARS, windows_around
from .retrieve import Hit

READ_TOP = 6  # windows read per question, in one batch (146 ms p50 on the report: README "The trained reader")


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


@dataclass
class Candidate:
    window: Window
    chunk: Chunk  # the sentence the span lies in
    start: int  # span [start, end) inside chunk.text
    end: int
    margin: float  # reader: span score minus no-answer score
    score: float  # the combination windows are ranked by

    @property
    def span(self) -> str:
        return self.chunk.text[self.start:self.end]


def windows(index: Index, hits: list[Hit], n: int = READ_TOP, limit: int = WINDOW_CHARS) -> list[Window]:
    """Windows around the top ``n`` distinct hits (a hit already inside an earlier window is skipped)."""
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


def read(reader, question: str, wins: list[Window], weights: dict[str, float]) -> list[Candidate]:
    """The reader's best span in each window, best first by ``weights`` (margin, retrieval, bias)."""
    if not wins:
        return []
    out = []
    for w, r in zip(wins, reader.read(question, [w.text for w in wins])):
        chunk, a = w.locate(r.start)
        b = min(a + (r.end - r.start), len(chunk.text))  # a span crossing a sentence end stops there
        score = weights.get("margin", 1.0) * r.margin + weights.get("retrieval", 0.0) * w.hit.score
        out.append(Candidate(w, chunk, a, max(a, b), r.margin, score))
    out.sort(key=lambda c: -c.score)
    return out
