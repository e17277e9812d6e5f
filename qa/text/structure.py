"""Section tree and sentences, from a document's own headings.

Headings are recognised from the numbering the report uses (``一、`` … ``十一、``,
``（一）``/``(一)``, ``1.``/``（1）``, ``第一章``), from markup (markdown ``#``, docx styles,
html ``<h1>``–``<h6>``, passed in as ``Paragraph.heading_level``) and from the *lead
sentence* that opens a paragraph as its topic (``高标准推进规划布局。``). Headings become
the section path of the sentences under them and never part of the quoted text.

Text before the first heading gets a label: ``（过去工作回顾）`` when it looks back on past
work (a report whose first heading was lost with an earlier page), else ``（开头部分）``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import Document, Paragraph, heading_marker, is_standalone_heading
from .periods import looks_back
from .punctuation import CLAUSE_END, CLOSE_QUOTES, SENTENCE_END

PREAMBLE_REVIEW = "（过去工作回顾）"
PREAMBLE = "（开头部分）"
LEAD_LEVEL = 9  # lead sentences are the deepest level and last one paragraph
# 。！？!? end a sentence; so does a half-width "." after a letter or hanzi (never inside 7.5)
_SENT_END = re.compile(rf"(?:[{SENTENCE_END}]|(?<=[A-Za-z\)\u3400-\u9fff])\.(?=\s|$|[\u3400-\u9fff“‘(（])|…{{2}})"
                       rf"[{re.escape(CLOSE_QUOTES)}]*")
_CLAUSE_END = re.compile(f"[{CLAUSE_END}]")


@dataclass(frozen=True)
class Section:
    """A node of a document's outline: a heading or a paragraph's lead sentence."""
    title: str  # heading text without its closing punctuation
    level: int
    start: int  # offsets of the heading in the document text
    end: int
    parent: int = -1  # the index of the section it stands under, in the document's list of sections (-1: none)


@dataclass
class Sentence:
    text: str  # verbatim, page-break whitespace removed
    start: int  # offsets in Document.text
    end: int
    path: tuple[str, ...]  # section titles, top level first
    para: int  # paragraph number within the document
    seq: int  # sentence number within the document


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of a paragraph.

    Every sentence holds a word: marks after a sentence end (``完成。。``, ``！」。``, ``。……``)
    stay with the sentence they end instead of becoming a "sentence" of their own.
    """
    spans, i = [], 0
    for end in [m.end() for m in _SENT_END.finditer(text)] + [len(text)]:
        if end <= i:
            continue
        if _has_word(text[i:end]):
            spans.append((i, end))
        elif spans:
            spans[-1] = (spans[-1][0], end)
        else:
            continue  # marks opening the paragraph join the sentence after them
        i = end
    return [(a, b) for a, b in spans if text[a:b].strip()]


def sentence_spans(text: str, max_chars: int = 240) -> list[tuple[int, int]]:
    """The sentences of a passage as the index cuts them (:func:`split_sentences`, long ones cut at clause
    boundaries into pieces of at most ``max_chars``): what the reader is given windows of, in training and in
    validation as at question time."""
    return [p for a, b in split_sentences(text) for p in split_long(text, a, b, max_chars)]


def split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut text[start:end] at clause boundaries into pieces of at most max_chars (where possible)."""
    if end - start <= max_chars:
        return [(start, end)]
    cuts = [m.end() for m in _CLAUSE_END.finditer(text, start, end)]
    pieces, a = [], start
    while end - a > max_chars:
        inside = [c for c in cuts if a < c <= a + max_chars]
        b = inside[-1] if inside else a + max_chars
        if end - b < max_chars // 4:  # avoid a tiny tail: split the remainder evenly
            mid = [c for c in cuts if a + (end - a) // 3 <= c <= end - (end - a) // 3]
            b = mid[len(mid) // 2] if mid else b
        pieces.append((a, b))
        a = b
    pieces.append((a, end))
    return pieces


def _strip_end(title: str) -> str:
    return title.rstrip("。.！!？?；;：:，, ")


def is_lead_sentence(sentence: str, rest: str) -> bool:
    """A short topic sentence that opens a paragraph: ``突出抓好创新主体培育。``."""
    core = _strip_end(sentence)
    return (
        sentence.endswith(("。", "."))
        and 4 <= len(core) <= 24
        and len(rest) >= len(core)
        and not re.search(r"[0-9%]", core)
        and not core.startswith(("各位", "我们", "同志"))
    )


def build_structure(doc: Document, max_chars: int = 240) -> tuple[list[Section], list[Sentence]]:
    """Walk the paragraphs once: maintain the heading stack, emit sentences with paths."""
    sections: list[Section] = []
    sentences: list[Sentence] = []
    stack: list[Section] = []
    heads = [i for i, p in enumerate(doc.paragraphs) if _paragraph_heading(p)[0]]
    body_heads = [i for i in heads if i > 0 or heading_marker(doc.paragraphs[0].text)]
    preamble_label = None
    if body_heads:
        before = "".join(p.text for p in doc.paragraphs[: body_heads[0]])
        preamble_label = PREAMBLE_REVIEW if looks_back(before) else PREAMBLE
    title_taken = False

    for pi, para in enumerate(doc.paragraphs):
        level, head_len = _paragraph_heading(para)
        if level and not title_taken and not sentences and not sections and head_len == len(para.text) \
                and not heading_marker(para.text) and doc.title in ("", _strip_end(para.text), para.text):
            doc.title = doc.title or _strip_end(para.text)  # the first bare line is the title (unless it has one)
            title_taken = True
            continue
        title_taken = True
        body_from = 0
        if level:
            preamble_label = None
            while stack and stack[-1].level >= level:
                stack.pop()
            s = Section(_strip_end(para.text[:head_len]), level, *para.span(0, head_len), _parent(stack, sections))
            stack.append(s)
            sections.append(s)
            body_from = head_len
        while stack and stack[-1].level == LEAD_LEVEL:
            stack.pop()
        spans = [(a, b) for a, b in split_sentences(para.text) if a >= body_from]
        if body_from and spans and spans[0][0] < body_from:
            spans[0] = (body_from, spans[0][1])
        if len(spans) > 1 and not body_from:
            a, b = spans[0]
            if is_lead_sentence(para.text[a:b], para.text[b:]):
                s = Section(_strip_end(para.text[a:b]), LEAD_LEVEL, *para.span(a, b), _parent(stack, sections))
                stack.append(s)
                sections.append(s)
                spans = spans[1:]
        path = ((preamble_label,) if preamble_label else ()) + tuple(x.title for x in stack)
        for a, b in spans:
            for x, y in split_long(para.text, a, b, max_chars):
                piece = para.text[x:y].strip()
                if not _has_word(piece):  # marks only: nothing to quote or to read
                    continue
                sentences.append(Sentence(piece, *para.span(x, y), path, pi, len(sentences)))
    if not doc.title:
        doc.title = _guess_title(doc)
    return sections, sentences


def _parent(stack: list[Section], sections: list[Section]) -> int:
    """The index of the innermost open section (the new one's parent), -1 when none is open."""
    return len(sections) - 1 - sections[::-1].index(stack[-1]) if stack else -1


def _paragraph_heading(para: Paragraph) -> tuple[int, int]:
    """``(level, length of the heading prefix)``; (0, 0) for a body paragraph."""
    text = para.text
    if para.heading_level:
        return para.heading_level, len(text)
    if is_standalone_heading(text):
        marker = heading_marker(text)
        return (marker[0] if marker else 1), len(text)
    marker = heading_marker(text)
    if marker:  # "(一)heading sentence。body…": the first sentence is the heading
        spans = split_sentences(text)
        return marker[0], spans[0][1] if spans else len(text)
    return 0, 0


def _guess_title(doc: Document) -> str:
    stem = doc.doc_id.rsplit(".", 1)[0]
    return stem.replace("_", " ")


def section_string(path: tuple[str, ...]) -> str:
    return " > ".join(path)
