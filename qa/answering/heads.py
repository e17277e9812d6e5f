"""The heads a question may name inside a document, and what stands under each.

A report announces what it will say before it says it, at every depth: a heading ((二)坚定转型,三次产业协同发力…), a
paragraph's lead sentence (以特优发展为路径,推动农业稳产增产。) and, inside a paragraph, a headline sentence
(坚决守牢粮食安全底线。: short, no clause of its own, followed by the sentences that carry it out). An open question
names one of them (农业稳产增产,今年主要抓哪几项?); its answer is what stands under that head: the nodes under it
in the outline, else the headline sentences of its body, else the lead clause of each sentence of its body.

A head is named when half of the content words of one of its clauses are the question's (the core of a heading is
often its last clause: 以特优发展为路径 | 推动农业稳产增产).
"""

from __future__ import annotations

import re
import threading
import weakref
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from ..index.store import Chunk, Document, Index
from ..text.clauses import clause_spans
from ..text.lexicon import STOPWORDS
from ..text.punctuation import SENTENCE_END
from ..text.structure import LEAD_LEVEL
from ..text.tokens import fold, pos_words
from .question import Question

HEADLINE_CHARS = 24  # the seed's headline sentences inside paragraphs run 9-16 characters (坚决守牢粮食安全底线); a
# sentence stating a measure or a figure runs longer, and always has a clause break
HEADLINE_LEVEL = LEAD_LEVEL + 1  # below a paragraph's lead
NAMED_SHARE = 0.5  # half of a clause's content words: as the paragraph-lead rule of qa.answering.shapes had it
SHARE_WEIGHT = 0.2  # what naming a head adds to its body's cosine (matched): the open set's measures questions
# (tuned on: 20) within budget 0.30 at 0, 0.35 at 0.1 to 0.5; docs/measurements.md "2026-12-04, second round"
OUTLINED = 2  # a document with at least this many headings and leads has a report's structure, whose heads stand for
# what is under them; in running text (DRCD's paragraphs: 255 of 300 have none, 45 one) a short sentence heads nothing
_CLAUSE_BREAK = re.compile(r"[，,、；;：:]")


@dataclass(frozen=True)
class Head:
    """A heading, a lead or a headline sentence: its level, its text's offsets in the document, and the chunk that
    holds it (a headline) or its outline node's index (a heading or lead; -1 for a headline)."""
    doc: str
    level: int
    start: int
    end: int
    node: int = -1
    chunk: Chunk | None = None


def headline(c: Chunk) -> bool:
    """A sentence that announces what follows: short, no clause break, no figure of its own beyond its name."""
    body = c.text.strip().rstrip(SENTENCE_END + " ")
    return 4 <= len(body) <= HEADLINE_CHARS and not _CLAUSE_BREAK.search(body)


def named_share(q: Question, title: str) -> float:
    """The largest share, over the title's clauses, of content words (two characters or more) the question says."""
    return _named(q, title)[0]


def _named(q: Question, title: str) -> tuple[float, int]:
    """The largest share of a clause's content words the question says, and how many words of the title it says."""
    asked = fold(q.text)
    best, said = 0.0, 0
    for x, y in clause_spans(title) or [(0, len(title))]:
        words = [w for w, _ in pos_words(title[x:y]) if len(w) >= 2 and w not in STOPWORDS]
        if words:
            n = sum(fold(w) in asked for w in words)
            best, said = max(best, n / len(words)), said + n
    return best, said


def heads(doc: Document, index: Index) -> list[Head]:
    """The document's heads in order: its outline nodes and the headline sentences inside its paragraphs."""
    out = [Head(doc.doc_id, s.level, s.start, s.end, node=k) for k, s in enumerate(doc.outline)]
    leads = {s.start for s in doc.outline}
    chunks = [index.chunks[i] for i in index.by_doc.get(doc.doc_id, ())]
    out += [Head(doc.doc_id, HEADLINE_LEVEL, c.start, c.end, chunk=c) for c in headlines(chunks)
            if c.start not in leads]
    return sorted(out, key=lambda h: h.start)


def named_head(q: Question, chunk: Chunk, index: Index) -> Head | None:
    """The head of the chunk's document the question names best, None when it names none: of the heads whose
    period is the question's, the one that says most of its words, then the larger share, then the one the chunk
    stands under (or the nearest before it)."""
    doc = index.documents[chunk.doc]
    wanted = q.period_for(doc.year)
    outline = _outline(chunk.doc, index)
    best, key = None, None
    for h in outline.heads:
        share, said = _named(q, doc.text[h.start:h.end])
        if share < NAMED_SHARE:
            continue
        after = bisect_left(outline.starts, h.start)  # the period of the first sentence at or after it
        period = index.chunks[outline.ids[after]].period if after < len(outline.ids) else ""
        k = (not wanted or not period or period == wanted, said, share, h.start <= chunk.start,
             -abs(chunk.start - h.start))
        if key is None or k > key:
            best, key = h, k
    return best


def body(h: Head, index: Index) -> list[Chunk]:
    """The sentences under a head: after it, up to the next head of its level or above (a heading's body holds its
    leads' paragraphs; a headline's, the sentences up to the next headline or lead)."""
    found = _outline(h.doc, index).bodies.get(h.start)
    return list(found.chunks) if found else []


def headlines(chunks: list[Chunk]) -> list[Chunk]:
    """The headline sentences among these sentences (a paragraph's lead is an outline node, never a chunk)."""
    return [c for c in chunks if headline(c)]


@dataclass(frozen=True)
class Body:
    """A head with the sentences under it (:func:`body`) and their mean vector (normalized)."""
    head: Head
    chunks: tuple[Chunk, ...]
    vector: np.ndarray
    period: str  # the period of its first sentence ("" when unknown)
    leaf: bool  # no heading or lead stands under it (headline sentences may)


@dataclass(frozen=True)
class _Outline:
    """A document's heads and their bodies (by the head's start: a document's heads start apart), with its chunk
    ids and their starts in order."""
    heads: tuple[Head, ...]
    bodies: dict[int, Body]
    ids: tuple[int, ...]
    starts: tuple[int, ...]


_cache: "weakref.WeakKeyDictionary[Index, dict[str, _Outline]]" = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def sections(doc: str, index: Index) -> list[Body]:
    """The heads of a document that have a body, with it, in order."""
    return list(_outline(doc, index).bodies.values())


def _outline(doc: str, index: Index) -> _Outline:
    """Made once an index and document (an index never changes)."""
    with _cache_lock:
        per = _cache.setdefault(index, {})
        if doc not in per:
            hs = heads(index.documents[doc], index)
            ids = tuple(index.by_doc.get(doc, ()))
            starts = tuple(index.chunks[i].start for i in ids)
            bodies: dict[int, Body] = {}
            for b in _sections(hs, ids, starts, index):
                bodies.setdefault(b.head.start, b)
            per[doc] = _Outline(tuple(hs), bodies, ids, starts)
        return per[doc]


def _sections(hs: list[Head], ids: tuple[int, ...], starts: tuple[int, ...], index: Index) -> list[Body]:
    out = []
    for k, h in enumerate(hs):
        stop = next((x.start for x in hs[k + 1:] if x.level <= h.level), len(index.documents[h.doc].text))
        chunks = tuple(index.chunks[i] for i in ids[bisect_left(starts, h.end):bisect_left(starts, stop)])
        if not chunks:
            continue
        v = index.vectors_of([c.id for c in chunks]).mean(0)
        leaf = not any(x.node >= 0 for x in hs[k + 1:] if x.start < stop)
        out.append(Body(h, chunks, v / max(float(np.linalg.norm(v)), 1e-9), chunks[0].period, leaf))
    return out


@dataclass(frozen=True)
class Match:
    """The head a question is about: its body, the cosine of the question to the body, the share of its title named."""
    body: Body
    cosine: float
    share: float


def matched(q: Question, qvec: np.ndarray, index: Index, docs) -> Match | None:
    """The head whose body the question is about, among the heads of the outlined ``docs`` (:data:`OUTLINED`) with
    no heading or lead under them (a measures answer is one passage's key sentences, not a part's outline) whose
    period is the question's: the highest cosine of the question to its body's mean sentence vector, plus :data:`SHARE_WEIGHT` × the share of
    its title the question names (:func:`named_share`). None when no head has a body.

    The body's vector carries what the head is about in any language the embedder reads (an English question
    names no Chinese title word); the title's words break ties between a section and its own sub-heads."""
    best, key = None, None
    for d in docs:
        doc = index.documents[d]
        if len(doc.outline) < OUTLINED:
            continue
        wanted = q.period_for(doc.year)
        for s in sections(d, index):
            if not s.leaf or wanted and s.period and s.period != wanted:
                continue
            share, cos = named_share(q, doc.text[s.head.start:s.head.end]), float(s.vector @ qvec)
            k = cos + SHARE_WEIGHT * share
            if key is None or k > key:
                best, key = Match(s, cos, share), k
    return best
