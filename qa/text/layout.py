"""Laid-out pages → text: page furniture dropped, lines in reading order, paragraph breaks and display headings.

Every paged source goes through here: a PDF's text layer (:mod:`qa.text.pdf`) and the OCR of scans and page
images (:mod:`qa.text.ocr`). A page is a list of :class:`Line` objects with their boxes (y grows downwards).

- **Page furniture** (:func:`find_furniture`): among the few lines at the top and bottom of each page, a page
  number in its usual forms (``— 3 —``, ``- 3 -``, ``第3页``, ``3/12``, ``第3页 共12页``, ``Page 3``, a bare
  ``3``; OCR reads the dashes as ``一``) and a line that recurs at the same place on other pages (a running
  header or footer, digits ignored so ``2022年`` and the page number may change, OCR variants alike), or a
  short line at the top set smaller than the body (a header even on a one-page document; text layers only,
  OCR line sizes are too rough for it), are furniture:
  dropped from the text, never indexed or taken for a heading.
- **Paragraphs** (:func:`assemble`): a layout line starts a paragraph when it is indented (first-line indent),
  when the line before it stopped short of the right margin, after a vertical gap, or where the font changes
  between body text and a display line. Margins and the body font are measured per page (scans shift).
- **Display headings**: lines set larger than the body, bold, or (short ones) in another font, get a heading
  level: their numbering's (``二、`` → 1, ``（三）`` → 2) or else their rank among the display sizes.

The text built here holds each page's body lines (``\\n`` between lines, ``\\f`` between pages), so a citation's
offsets give back its words (up to whitespace) and its page (:meth:`qa.text.documents.Document.page_at`).
"""

from __future__ import annotations

import re
from collections import Counter
import statistics
import unicodedata
from dataclasses import dataclass, field

from .documents import heading_marker


@dataclass
class Line:
    """One line of a page: its text and box (page units, y downwards)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float = 0.0  # font size (text layer) or box height (OCR)
    bold: bool = False
    font: str = ""

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1e-6)


@dataclass
class Page:
    number: int  # 1-based, as a PDF viewer counts
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    ocr: bool = False  # the lines come from OCR of the rendered page


@dataclass
class LayoutLine:
    """A body line of the assembled text: where it lies, and what the layout says about it."""

    start: int
    end: int
    new_paragraph: bool
    heading_level: int = 0  # >0 when set apart as a heading by its font (size, weight, face)
    page: int = 1


# ---------------------------------------------------------------- reading order

def reading_order(lines: list[Line]) -> list[Line]:
    """Lines sorted top to bottom; pieces of one printed line (same row) merged left to right."""
    rows: list[list[Line]] = []
    for ln in sorted((l for l in lines if l.text.strip()), key=lambda l: (l.top, l.x0)):
        row = rows[-1] if rows else None
        if row and _same_row(row, ln):
            row.append(ln)
        else:
            rows.append([ln])
    return [_merge(sorted(r, key=lambda l: l.x0)) for r in rows]


def _same_row(row: list[Line], ln: Line) -> bool:
    top, bottom = min(l.top for l in row), max(l.bottom for l in row)
    overlap = min(bottom, ln.bottom) - max(top, ln.top)
    return overlap >= 0.5 * min(bottom - top, ln.height)


def _merge(row: list[Line]) -> Line:
    if len(row) == 1:
        return row[0]
    text = row[0].text
    for a, b in zip(row, row[1:]):
        gap = b.x0 - a.x1
        text += (" " if gap > 0.3 * max(a.size, b.size, 1e-6) else "") + b.text
    main = max(row, key=lambda l: len(l.text))
    return Line(text, row[0].x0, min(l.top for l in row), max(l.x1 for l in row), max(l.bottom for l in row),
                main.size, sum(len(l.text) for l in row if l.bold) * 2 > len(text), main.font)


# ---------------------------------------------------------------- page furniture

_DASH = r"[-—–―‒~_·•一]"
PAGE_NUMBER = re.compile(
    rf"""^(?:
        {_DASH}*\d{{1,4}}{_DASH}*                            # 3, -3-, —3—, 一3一 (OCR's reading of the dashes)
      | 第\d{{1,4}}页(?:[,，/]?共\d{{1,4}}页)?              # 第3页, 第3页共12页
      | 共\d{{1,4}}页[,，]?第\d{{1,4}}页                     # 共12页第3页
      | \d{{1,4}}/\d{{1,4}}                                  # 3/12
      | (?:page|p\.?)\d{{1,4}}(?:(?:of|/)\d{{1,4}})?         # Page 3, page 3 of 12
      | 第[一二三四五六七八九十百零〇]{{1,4}}页               # 第三页
    )$""", re.X | re.I)
EDGE_LINES = 3  # lines from the top and the bottom of a page that may be furniture
EDGE_BAND = 0.2  # … and only within this share of the page height from its edge
SAME_PLACE = 0.04  # a running header recurs within this share of the page height
SMALL_HEADER = 0.85  # a line at the top set at most this size relative to the body is a header
SIMILAR = 0.8  # OCR readings of one running header have at least this share of their character pairs in common


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER.match(_compact(text)))


def _key(text: str) -> str:
    """What stays the same in a running header: no digits, spaces or punctuation."""
    return re.sub(r"[\d\W_]+", "", _compact(text).lower())


def find_furniture(pages: list[Page]) -> tuple[set[tuple[int, int]], list[str]]:
    """``{(page index, line index)}`` of the running headers, footers and page numbers, and notes on them."""
    cands: list[tuple[int, int, str, float, str]] = []  # (page, line, band, relative position, key)
    numbers: set[tuple[int, int]] = set()
    small: set[tuple[int, int]] = set()
    body_size = {False: _body_style([l for p in pages if not p.ocr for l in p.lines])[0]}
    for i, p in enumerate(pages):
        n = len(p.lines)
        for j in sorted(set(range(min(EDGE_LINES, n))) | set(range(max(0, n - EDGE_LINES), n))):
            ln = p.lines[j]
            top, bottom = ln.top / p.height, ln.bottom / p.height
            band = "top" if j < EDGE_LINES and bottom <= EDGE_BAND else \
                "bottom" if j >= n - EDGE_LINES and top >= 1 - EDGE_BAND else None
            if band is None:
                continue
            if is_page_number(ln.text):
                numbers.add((i, j))
                continue
            cands.append((i, j, band, (top + bottom) / 2, _key(ln.text)))
            if band == "top" and not p.ocr and n > 1 and 0 < ln.size <= SMALL_HEADER * body_size[False] \
                    and len(_compact(ln.text)) <= 40 and not heading_marker(_compact(ln.text)):
                small.add((i, j))  # a header set smaller than the body, above it (even on a single page)
    need = max(2, -(-len(pages) * 3 // 10))  # on at least 30 % of the pages, and on two
    repeated: set[tuple[int, int]] = set()
    shown: dict[str, int] = {}
    for k, on in enumerate(_recurrences(cands)):
        if len(on) >= need:
            i, j = cands[k][0], cands[k][1]
            repeated.add((i, j))
            text = pages[i].lines[j].text.strip()
            shown[text] = shown.get(text, 0) + 1
    for i, j in small - repeated:
        text = pages[i].lines[j].text.strip()
        shown[text] = shown.get(text, 0) + 1
    notes = []
    if numbers:
        notes.append(f"dropped page numbers on {len({i for i, _ in numbers})} page(s)")
    for text, k in sorted(shown.items(), key=lambda kv: -kv[1])[:3]:
        notes.append(f"dropped the running header/footer {text[:40]!r} ({k} page(s))")
    return numbers | repeated | small, notes


def _recurrences(cands: list[tuple[int, int, str, float, str]]) -> list[set[int]]:
    """For each candidate, the pages where a like line (same band, same height on the page, text alike:
    equal, or for OCR readings at least :data:`SIMILAR` of their character pairs shared) stands.
    Candidates are found through an index of character pairs, so a long document costs no pairwise scan."""
    grams = [Counter(key[n:n + 2] for n in range(len(key) - 1)) if len(key) > 1 else Counter([key]) for *_, key in cands]
    by_gram: dict[str, list[int]] = {}
    for k, g in enumerate(grams):
        for gram in g:
            by_gram.setdefault(gram, []).append(k)
    out = []
    for k, (i, _, band, pos, key) in enumerate(cands):
        if not key:
            out.append(set())
            continue
        shared: Counter = Counter()
        for gram, count in grams[k].items():
            for other in by_gram[gram]:
                shared[other] += min(count, grams[other][gram])
        size = sum(grams[k].values())
        on = set()
        for other, common in shared.items():
            i2, _, band2, pos2, key2 = cands[other]
            if band2 == band and abs(pos2 - pos) <= SAME_PLACE and \
                    2 * common >= SIMILAR * (size + sum(grams[other].values())):
                on.add(i2)
        out.append(on)
    return out


# ---------------------------------------------------------------- paragraphs and display lines

INDENT_EM = 1.0  # a first-line indent of at least this many characters starts a paragraph
SHORT_EM = 1.5  # a line ending this far before the right margin ends its paragraph
GAP_PITCH = 1.6  # a vertical step this many times the usual line pitch separates paragraphs
DISPLAY_SIZE = 1.15  # set at least this much larger than the body: a display line (heading)
DISPLAY_SIZE_OCR = 1.2  # the same for OCR line heights (they vary by about ±10 % within the body)
DISPLAY_MAX_CHARS = 60  # longer display runs are emphasis in the body, not headings


@dataclass
class _Metrics:
    size: float  # body font size (or OCR line height)
    font: str
    bold: bool
    left: float
    right: float
    pitch: float


def _weighted_median(values: list[tuple[float, int]]) -> float:
    values = sorted(values)
    total = sum(w for _, w in values)
    acc = 0
    for v, w in values:
        acc += w
        if acc * 2 >= total:
            return v
    return values[-1][0] if values else 0.0


def _body_style(lines: list[Line]) -> tuple[float, str, bool]:
    size = _weighted_median([(round(l.size, 1), len(l.text)) for l in lines if l.size > 0]) or 1.0
    fonts: dict[str, int] = {}
    bold = 0
    for l in lines:
        fonts[l.font] = fonts.get(l.font, 0) + len(l.text)
        bold += len(l.text) if l.bold else 0
    font = max(fonts, key=fonts.get) if fonts else ""
    return size, font, bold * 2 > sum(len(l.text) for l in lines)


def _margins(lines: list[Line], size: float) -> tuple[float, float, float] | None:
    body = [l for l in lines if abs(l.size - size) <= 0.15 * size and len(l.text) >= 4]
    if len(body) < 4:
        return None
    xs0 = sorted(l.x0 for l in body)
    xs1 = sorted(l.x1 for l in body)
    steps = [b.top - a.top for a, b in zip(body, body[1:]) if 0 < b.top - a.top < 4 * size]
    return xs0[len(xs0) // 5], xs1[(len(xs1) * 4) // 5], statistics.median(steps) if steps else 1.5 * size


def _is_display(l: Line, m: _Metrics, ocr: bool) -> bool:
    """Set apart from the body: larger (OCR line heights vary, so by more, and never a full-measure line),
    or a short line in bold or another face."""
    full = l.x1 >= m.right - SHORT_EM * m.size and l.x0 <= m.left + INDENT_EM * m.size
    if l.size >= (DISPLAY_SIZE_OCR if ocr else DISPLAY_SIZE) * m.size and not (ocr and full):
        return True
    short = len(_compact(l.text)) <= 40
    return short and ((l.bold and not m.bold) or bool(l.font and m.font and l.font != m.font))


def assemble(pages: list[Page]) -> tuple[str, list[int], list[LayoutLine], list[str]]:
    """Pages → ``(text, page starts, body lines, notes)``: furniture out, paragraph breaks and headings marked."""
    pages = [Page(p.number, p.width, p.height, reading_order(p.lines), p.ocr) for p in pages]
    furniture, notes = find_furniture(pages)
    body = [[ln for j, ln in enumerate(p.lines) if (i, j) not in furniture] for i, p in enumerate(pages)]
    # the body style and margins: per kind of source (text layer / OCR), margins per page where it has enough lines
    metrics: dict[int, _Metrics] = {}
    for kind in (False, True):
        idx = [i for i, p in enumerate(pages) if p.ocr == kind and body[i]]
        if not idx:
            continue
        all_lines = [l for i in idx for l in body[i]]
        size, font, bold = _body_style(all_lines)
        whole = _margins(all_lines, size) or (min(l.x0 for l in all_lines), max(l.x1 for l in all_lines), 1.5 * size)
        for i in idx:
            left, right, pitch = _margins(body[i], size) or whole
            metrics[i] = _Metrics(size, font, bold, left, right, pitch)
    # display lines and their levels
    display: dict[tuple[int, int], float] = {}
    for i, lines in enumerate(body):
        for j, l in enumerate(lines):
            if _is_display(l, metrics[i], pages[i].ocr):
                display[(i, j)] = round(l.size / metrics[i].size, 1)
    ranks = {s: r for r, s in enumerate(sorted(set(display.values()), reverse=True), 1)}

    text_parts: list[str] = []
    starts: list[int] = []
    out: list[LayoutLine] = []
    pos = 0
    prev: tuple[int, Line, _Metrics, bool] | None = None
    for i, lines in enumerate(body):
        if i:
            text_parts.append("\f")
            pos += 1
        starts.append(pos)
        for j, l in enumerate(lines):
            if j:
                text_parts.append("\n")
                pos += 1
            m = metrics[i]
            disp = (i, j) in display
            new = prev is None
            if prev is not None:
                pi, pl, pm, pdisp = prev
                new = (disp != pdisp or (disp and abs(pl.size - l.size) > 0.1 * m.size)
                       or l.x0 - m.left >= INDENT_EM * m.size
                       or pm.right - pl.x1 >= SHORT_EM * pm.size
                       or (pi == i and l.top - pl.top > GAP_PITCH * m.pitch))
            level = 0
            if disp and len(_compact(l.text)) <= DISPLAY_MAX_CHARS:
                marker = heading_marker(_compact(l.text))
                level = marker[0] if marker else ranks[display[(i, j)]]
            out.append(LayoutLine(pos, pos + len(l.text), new, level, pages[i].number))
            text_parts.append(l.text)
            pos += len(l.text)
            prev = (i, l, m, disp)
    if display:
        notes.append(f"{len(display)} display line(s) (larger, bold or another face) read as headings")
    return "".join(text_parts), starts, out, notes
