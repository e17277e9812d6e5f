"""Paged fixtures made by the tests themselves: a report typeset the way government PDFs are, and its scan.

:func:`typeset` sets text with reportlab's built-in ``STSong-Light`` CID font (no font files needed): A4,
11 pt, lines 38 characters wide and justified, paragraphs indented two characters, standalone headings
larger and centred, a running header with a rule and a ``— N —`` page number in the footer.
:func:`scan` renders every page with pypdfium2 and writes an image-only PDF (no text layer), as a
scanner would; :func:`page_images` gives the rendered pages themselves (for ``.png``/``.tif`` files).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

FONT = "STSong-Light"
HEADER = "太原市人民政府工作报告（2022年）"
NO_LINE_START = "，,。.、；;：:！!？?”’）)》」』%"  # kinsoku: these hang at the end of the line instead


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _heading(line: str) -> bool:
    """A seed line set as a heading: short, no sentence punctuation."""
    return len(line) <= 30 and not re.search(r"[，,。；;！!？?]", line)


def _wrap(text: str, width: float, first_indent: float, size: float) -> list[tuple[str, float]]:
    """Greedy width-based line breaking, closing punctuation never starting a line: [(line, indent)]."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, cur, indent = [], "", first_indent
    for ch in text:
        if cur and stringWidth(cur + ch, FONT, size) > width - indent and ch not in NO_LINE_START:
            lines.append((cur, indent))
            cur, indent = "", 0.0
        cur += ch
    if cur:
        lines.append((cur, indent))
    return lines


def typeset(paragraphs: list[str], path: Path, size: float = 11, chars: int = 38, leading: float = 18.0,
            header: str | None = HEADER, footer: str | None = "— {n} —", title: str = "", pagesize=None) -> Path:
    """Typeset paragraphs into a laid-out PDF at ``path``; returns the path.

    A paragraph ``"# text"`` is a title (16 pt, centred), ``"## text"`` a heading (14 pt, centred); any other
    is body text: indented two characters, justified, wrapped at ``chars`` characters of ``size`` pt.
    ``footer`` may use ``{n}`` (the page) and ``{total}`` (the pages)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    _register()
    pw, ph = pagesize or A4
    width = chars * size
    left = (pw - width) / 2
    top, bottom = ph - 90, 80
    # 1. lay out: pages of (x, baseline, text, font size, char space, centred)
    pages: list[list[tuple]] = [[]]
    y = top

    def need(h: float) -> None:
        nonlocal y
        if y - h < bottom:
            pages.append([])
            y = top

    for para in paragraphs:
        para = para.strip()
        if not para:
            continue
        m = re.match(r"^(#{1,2})\s+", para)
        if m:
            hs = 16 if len(m.group(1)) == 1 else 14
            need(hs * 2.2)
            y -= hs * 0.6
            pages[-1].append((pw / 2, y - hs, para[m.end():], hs, 0.0, True))
            y -= hs * 1.6
            continue
        lines = _wrap(para, width, 2 * size, size)
        for k, (line, indent) in enumerate(lines):
            need(leading)
            last = k == len(lines) - 1
            slack = width - indent - stringWidth(line, FONT, size)
            space = slack / (len(line) - 1) if not last and len(line) > 1 and slack > 0 else 0.0
            pages[-1].append((left + indent, y - size, line, size, space, False))
            y -= leading
    # 2. draw, with the running header and the page number
    c = canvas.Canvas(str(path), pagesize=(pw, ph), invariant=True)
    if title:
        c.setTitle(title)
    for n, ops in enumerate(pages, 1):
        if header:
            c.setFont(FONT, 9)
            c.drawCentredString(pw / 2, ph - 56, header)
            c.setLineWidth(0.5)
            c.line(left, ph - 62, left + width, ph - 62)
        for x, base, text, fs, space, centred in ops:
            if centred:
                c.setFont(FONT, fs)
                c.drawCentredString(x, base, text)
            else:
                t = c.beginText(x, base)
                t.setFont(FONT, fs)
                t.setCharSpace(space)
                t.textLine(text)
                c.drawText(t)
        if footer:
            c.setFont(FONT, 10.5)
            c.drawCentredString(pw / 2, 48, footer.format(n=n, total=len(pages)))
        c.showPage()
    c.save()
    return Path(path)


def seed_paragraphs(text: str) -> list[str]:
    """The seed's lines as paragraphs, its standalone headings marked (the first as the title)."""
    out = []
    for line in (l.strip() for l in text.splitlines()):
        if line:
            out.append(("## " if out else "# ") + line if _heading(line) else line)
    return out


def page_images(pdf: Path, dpi: int = 200, gray: bool = True) -> list:
    """The PDF's pages rendered as PIL images."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for i in range(len(doc)):
            img = doc[i].render(scale=dpi / 72, grayscale=gray).to_pil()
            out.append(img.convert("L") if gray else img)
        return out
    finally:
        doc.close()


def scan(pdf: Path, out: Path, dpi: int = 200, pages: list[int] | None = None) -> Path:
    """An image-only PDF of ``pdf``'s pages (all, or the 0-based ``pages``), rendered at ``dpi``."""
    images = page_images(pdf, dpi)
    if pages is not None:
        images = [images[i] for i in pages]
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return Path(out)


def mixed(pdf: Path, out: Path, scanned_pages: set[int], dpi: int = 200) -> Path:
    """``pdf`` with the 0-based ``scanned_pages`` replaced by their scans (a partial text layer)."""
    from pypdf import PdfReader, PdfWriter

    images = page_images(pdf, dpi)
    reader = PdfReader(str(pdf))
    writer = PdfWriter()
    for i, page in enumerate(reader.pages):
        if i in scanned_pages:
            buf = io.BytesIO()
            images[i].save(buf, "PDF", resolution=dpi)
            writer.add_page(PdfReader(io.BytesIO(buf.getvalue())).pages[0])
        else:
            writer.add_page(page)
    with open(out, "wb") as f:
        writer.write(f)
    return Path(out)
