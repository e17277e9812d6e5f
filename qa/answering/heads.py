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
from dataclasses import dataclass

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
    chunks = [index.chunks[i] for i in index.by_doc[chunk.doc]]
    best, key = None, None
    for h in heads(doc, index):
        share, said = _named(q, doc.text[h.start:h.end])
        if share < NAMED_SHARE:
            continue
        period = next((c.period for c in chunks if c.start >= h.start), "")
        k = (not wanted or not period or period == wanted, said, share, h.start <= chunk.start,
             -abs(chunk.start - h.start))
        if key is None or k > key:
            best, key = h, k
    return best


def body(h: Head, index: Index) -> list[Chunk]:
    """The sentences under a head: after it, up to the next head of its level or above (a heading's body holds its
    leads' paragraphs; a headline's, the sentences up to the next headline or lead)."""
    doc = index.documents[h.doc]
    after = [x for x in heads(doc, index) if x.start > h.start and x.level <= h.level]
    stop = after[0].start if after else len(doc.text)
    return [index.chunks[i] for i in index.by_doc[h.doc] if h.end <= index.chunks[i].start < stop]


def headlines(chunks: list[Chunk]) -> list[Chunk]:
    """The headline sentences among these sentences (a paragraph's lead is an outline node, never a chunk)."""
    return [c for c in chunks if headline(c)]
