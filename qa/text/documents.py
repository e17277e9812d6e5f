"""Documents and their cleaning.

A document is decoded once (:mod:`qa.text.decode`) into ``text`` (the "original decoded file" every citation
offset refers to) and cleaned into :class:`Paragraph` objects whose characters each keep
their offset in ``text``. Cleaning never rewrites characters; it only drops some:

- whitespace inside a line (kept as one space between two Latin letters/digits),
- newspaper continuation markers such as ``(上接第1版)``,
- a block printed twice (scans repeat the lines around a page break): a line already
  seen earlier in the document is dropped,
- page breaks inside a paragraph: a line that ends without closing punctuation is
  joined to the next one (``…抢抓机遇、倒`` + ``逼提速…``).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from .decode import DocumentError, decode, read_bytes, sha256_bytes
from .punctuation import CLAUSE_END, CLOSERS, COLONS, SENTENCE_END


@dataclass
class Paragraph:
    """Cleaned text with, for each character, its offset in the source text."""

    text: str
    offsets: array = field(repr=False)
    heading_level: int = 0  # >0 when the source format marks it as a heading (md #, docx, html)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Source offsets [start, end) of text[i:j] (j > i)."""
        return self.offsets[i], self.offsets[j - 1] + 1


@dataclass
class Document:
    doc_id: str  # file name
    path: str
    text: str  # the decoded source text; all offsets point into it
    sha256: str
    paragraphs: list[Paragraph]
    title: str = ""
    notes: list[str] = field(default_factory=list)  # what cleaning did, for the build report
    pages: list[int] = field(default_factory=list)  # paged sources (PDF, images): offset where each page starts

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset`` (None for a source without pages)."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


# ---------------------------------------------------------------- cleaning

_MARKER = re.compile(r"[（(]\s*(?:上接|下转|接上|转下|紧接|续)\s*第?\s*[0-9一二三四五六七八九十]+\s*版\s*[）)]")
_WORDCH = re.compile(r"[0-9A-Za-z\u00C0-\u024F]")
_CLAUSE_OR_SENTENCE = re.compile(f"[{CLAUSE_END}{COLONS}{SENTENCE_END}]")
_CN_NUM = "一二三四五六七八九十百零〇"
HEADING_RES = [  # (level, pattern) for numbered headings at the start of a line
    (1, re.compile(rf"^第[{_CN_NUM}0-9]+[章编部篇]")),
    (1, re.compile(rf"^[{_CN_NUM}]+[、，,．.]")),
    (2, re.compile(rf"^第[{_CN_NUM}0-9]+节")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"^[0-9]{1,2}[、．.](?![0-9])")),
    (3, re.compile(r"^[（(][0-9]{1,2}[）)]")),
]


def heading_marker(text: str) -> tuple[int, str] | None:
    """``(level, marker)`` when the text opens with a numbering such as ``十一、`` or ``（三）``."""
    for level, pat in HEADING_RES:
        m = pat.match(text)
        if m:
            return level, m.group(0)
    return None


def is_standalone_heading(text: str) -> bool:
    """A line that is a heading on its own: numbered and short, or short with no punctuation."""
    if len(text) > 40 or (text and text[-1] in SENTENCE_END + "；;"):
        return False
    if heading_marker(text):
        return True
    return len(text) <= 30 and not _CLAUSE_OR_SENTENCE.search(text)


def _squeeze(text: str, start: int, end: int) -> Paragraph | None:
    """One source line → Paragraph: markers and needless whitespace dropped."""
    skip = [(m.start(), m.end()) for m in _MARKER.finditer(text, start, end)]
    chars: list[str] = []
    offs = array("l")
    pending_space = -1
    k = 0
    i = start
    while i < end:
        if k < len(skip) and i == skip[k][0]:
            i = skip[k][1]
            k += 1
            continue
        ch = text[i]
        if ch.isspace() or ch == "\u3000":
            if chars:
                pending_space = i
        else:
            if pending_space >= 0 and _WORDCH.match(chars[-1]) and _WORDCH.match(ch):
                chars.append(" ")
                offs.append(pending_space)
            pending_space = -1
            chars.append(ch)
            offs.append(i)
        i += 1
    if not chars:
        return None
    return Paragraph("".join(chars), offs)


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _join_continued(paras: list[Paragraph], continues) -> tuple[list[Paragraph], int]:
    """Join each paragraph to the one before it when ``continues(prev, p)``; returns them and the join count."""
    out: list[Paragraph] = []
    joins = 0
    for p in paras:
        if out and continues(out[-1], p):
            out[-1] = join(out[-1], p)
            joins += 1
        else:
            out.append(p)
    return out, joins


def clean_text(text: str, notes: list[str] | None = None) -> list[Paragraph]:
    """Plain text → cleaned paragraphs (see the module docstring)."""
    notes = notes if notes is not None else []
    lines = [p for m in re.finditer(r"[^\r\n]+", text) if (p := _squeeze(text, m.start(), m.end()))]
    # 1. drop lines printed twice (long enough not to be a legitimately repeated heading)
    seen: set[str] = set()
    kept: list[Paragraph] = []
    dropped = 0
    for p in lines:
        key = _fold(p.text)
        if len(key) >= 30 and key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(p)
    if dropped:
        notes.append(f"removed {dropped} line(s) printed twice")
    # 2. join lines split by a page break
    out, joins = _join_continued(kept, lambda prev, p: _continues(prev.text, p.text))
    if joins:
        notes.append(f"joined {joins} paragraph(s) split across page breaks")
    if out and out[-1].text[-1] not in CLOSERS and not is_standalone_heading(out[-1].text):
        notes.append("the text ends in mid-sentence (truncated?)")
    return out


def clean_layout(text: str, lines: list, notes: list[str] | None = None, ocr: bool = False) -> list[Paragraph]:
    """Laid-out lines (:class:`qa.text.layout.LayoutLine`: offsets in ``text``, paragraph starts and display
    headings read from the page) → cleaned paragraphs. The lines of a paragraph are joined (the layout wrapped
    them); then the seed's cleaning: a paragraph printed twice is kept once (for OCR'd text, also when the two
    readings differ by a few characters), and one cut without closing punctuation is joined to the next (a
    page or column break the layout could not see)."""
    notes = notes if notes is not None else []
    paras: list[Paragraph] = []
    pending = True  # the next line starts a paragraph (a line that squeezed to nothing passes its start on)
    wraps = 0
    for ln in lines:
        pending = pending or ln.new_paragraph
        p = _squeeze(text, ln.start, ln.end)
        if p is None:
            continue
        p.heading_level = ln.heading_level
        if pending or not paras or paras[-1].heading_level != p.heading_level:
            paras.append(p)
        else:
            paras[-1] = join(paras[-1], p)
            wraps += 1
        pending = False
    if wraps:
        notes.append(f"rejoined {wraps} line(s) wrapped by the layout")
    seen: set[str] = set()
    ends: dict[tuple[str, str], list[str]] = {}  # OCR: earlier long paragraphs by their first / last characters
    kept: list[Paragraph] = []
    for p in paras:
        key = _fold(p.text)
        if len(key) >= 30 and key in seen:
            continue
        if ocr and len(key) >= OCR_TWICE_MIN:
            near = ends.get(("a", key[:8]), []) + ends.get(("z", key[-8:]), [])
            if any(_alike(key, other) for other in near):
                continue
            ends.setdefault(("a", key[:8]), []).append(key)
            ends.setdefault(("z", key[-8:]), []).append(key)
        seen.add(key)
        kept.append(p)
    if len(kept) < len(paras):
        notes.append(f"removed {len(paras) - len(kept)} paragraph(s) printed twice")
    out, joins = _join_continued(kept, lambda prev, p: not prev.heading_level and not p.heading_level
                                 and _continues(prev.text, p.text))
    if joins:
        notes.append(f"joined {joins} paragraph(s) cut without closing punctuation")
    return out


OCR_TWICE_MIN = 30  # OCR'd paragraphs this long (as long as an exact repeat must be) …
OCR_TWICE_SIMILAR = 0.95  # … and this alike (difflib ratio), starting or ending alike, were printed twice


def _alike(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= OCR_TWICE_SIMILAR and m.quick_ratio() >= OCR_TWICE_SIMILAR \
        and m.ratio() >= OCR_TWICE_SIMILAR


def _continues(prev: str, nxt: str) -> bool:
    """Does ``nxt`` continue ``prev`` (a paragraph cut by a page or line break)?"""
    if prev[-1] in CLOSERS or is_standalone_heading(prev) or heading_marker(nxt):
        return False
    return len(prev) >= 30 or bool(re.search(r"[，,。；;、]", prev))


def join(a: Paragraph, b: Paragraph) -> Paragraph:
    """Concatenate two paragraphs; a space is kept between two Latin words."""
    offs = array("l", a.offsets)
    text = a.text
    if _WORDCH.match(a.text[-1]) and _WORDCH.match(b.text[0]):
        text += " "
        offs.append(a.offsets[-1] + 1)
    offs.extend(b.offsets)
    return Paragraph(text + b.text, offs, a.heading_level)


def load_text_document(path: Path, data: bytes | None = None) -> Document:
    """Read a plain-text (or markdown) file into a cleaned :class:`Document`."""
    data = read_bytes(path) if data is None else data
    text, encoding = decode(data, path.name)
    notes = [f"decoded as {encoding}"]
    paragraphs = clean_text(text, notes)
    if not paragraphs:
        raise DocumentError(f"{path.name}: no text after cleaning")
    return Document(path.name, str(path), text, sha256_bytes(data), paragraphs, notes=notes)
