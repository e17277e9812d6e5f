"""Reading windows: the retrieved sentences grown into the passages the reader reads, and its spans mapped back.

Each of the top ``READ_TOP`` hits is grown into a window the way the reader was trained
(:func:`qa.model.passages.windows_around`): the sentence plus its neighbours in the same
paragraph, up to ``WINDOW_CHARS`` characters. The reader returns each window's best span and its
margin over "no answer" (:func:`read_windows`); the span is mapped back onto the sentence (chunk) it
lies in (:class:`Marked`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..index.store import Chunk, Index
from ..model.reader import Reading
from ..model.passages import WINDOW_CHARS, windows_around
from .retrieve import Hit

READ_TOP = 6  # windows read per question at most, in the stages reader.json's "stop" gives (docs/measurements.md)
READ_K = 10  # retrieval hits a question's windows and neighbours are taken from: what the fit read (qa fit-reader);
# more citations than this (top_k) come from further hits and never change what is read


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


def answer_first(index: Index, hits: list[Hit], own: list[Hit], docs: frozenset[str], sizes: tuple[int, ...]
                 ) -> tuple[list[Hit], tuple[int, ...]]:
    """What to read when only ``docs`` may answer but other reports are in scope too (a period relative to the
    most recent report, 今年 or 去年, over several reports; their answers are only listed beside): the hits and the
    stages of reading. The first stage reads the windows of the best ``sizes[0]`` hits of all (``hits``: what
    the other reports answer is chosen from them); the later stages only windows of ``docs`` (their own hits,
    ``own``), in the stages they would have alone (``sizes``, counting those the first stage read), so the other
    reports neither crowd the answer's report out nor are read further for it."""
    lead = windows(index, hits, sizes[0])
    seen = {c.id for w in lead for c in w.chunks}
    had = sum(w.hit.chunk.doc in docs for w in lead)
    plan = [h for h in hits if h.chunk.id in seen] + [h for h in own if h.chunk.id not in seen]
    return plan, (len(lead), *(len(lead) + n - had for n in sizes if n > had))  # then the stages alone reads


class ReadOnce:
    """A reader that reads each passage once for one question: a passage read again (the first report's windows
    read alone after reading them among several reports) gives the reading it gave. Exact, since every window is
    read on its own (:meth:`qa.model.reader.Reader.read`): its reading does not depend on what is read with it."""

    def __init__(self, reader):
        self.reader = reader
        self._read: dict[tuple[str, str], object] = {}

    def heads(self):
        return self.reader.heads()

    def read(self, question: str, passages: list[str]) -> list:
        new = list(dict.fromkeys(p for p in passages if (question, p) not in self._read))
        for p, r in zip(new, self.reader.read(question, new) if new else ()):
            self._read[question, p] = r
        return [self._read[question, p] for p in passages]


def read_windows(reader, question: str, wins: list[Window]) -> list[Marked]:
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
