"""PDF files and page images → text, paragraphs and page starts (:class:`Paged`; :mod:`qa.text.formats` makes
the :class:`~qa.text.documents.Document`).

A PDF's text layer is read with pypdfium2, line by line with each line's box, font size, weight and face.
A page without text (fewer than :data:`MIN_TEXT_CHARS` letters) that shows something — a scan, or text drawn
as outlines — is rendered at :data:`~qa.text.ocr.OCR_DPI` and OCR'd; a PDF with a partial text layer is OCR'd
only on the pages that lack one. Page images (``.png .jpg .jpeg .tif .tiff``, a multi-page TIFF being one page
a frame) are OCR'd. Either way the pages then go through :mod:`qa.text.layout` (page furniture dropped, wrapped
lines rejoined, display headings) and :func:`~qa.text.documents.clean_layout` (the seed's cleaning).

``progress(done, total)`` is called after each OCR'd page. The text of the document holds the pages' body lines
(``\\f`` between pages); ``Paged.pages`` records where each page starts, so citations name their page.
"""

from __future__ import annotations

import ctypes
import io
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .decode import DocumentError
from .documents import Paragraph, clean_layout
from .layout import Line, Page, assemble
from .ocr import OCR_DPI, max_ocr_pages, ocr_lines

log = logging.getLogger(__name__)

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
MIN_TEXT_CHARS = 10  # a page whose text layer has fewer letters or digits than this is read by OCR
MAX_IMAGE_PIXELS = 60_000_000  # a page image larger than this is refused (a 600 dpi A4 scan is 35 Mpx)
PageProgress = Callable[[int, int], None]
_WORD = re.compile(r"\w")


# ---------------------------------------------------------------- PDF


def read_pdf(path: Path, data: bytes, progress: PageProgress | None = None) -> Paged:
    """A PDF (text layer, OCR where a page lacks one) → :class:`Paged`; DocumentError says why it cannot."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise DocumentError(f"{path.name}: the PDF is password-protected")
        raise DocumentError(f"{path.name}: not a readable PDF ({e})")
    try:
        n = len(pdf)
        if not n:
            raise DocumentError(f"{path.name}: the PDF has no pages")
        pages: list[Page] = []
        blank: list[int] = []
        to_ocr: list[int] = []
        for i in range(n):
            page = pdf[i]
            try:
                width, height = page.get_size()
                lines = _text_lines(page, height)
                pages.append(Page(i + 1, width, height, lines))
                if sum(len(_WORD.findall(ln.text)) for ln in lines) < MIN_TEXT_CHARS:
                    (to_ocr if _shows_something(page) else blank).append(i)
            finally:
                page.close()
        title = _meta_title(pdf.get_metadata_dict().get("Title") or "", path)
        notes = [f"{n} PDF page(s)"]
        if to_ocr:
            _check_ocr_limit(path, len(to_ocr), n)
            t0 = time.perf_counter()
            for k, i in enumerate(to_ocr, 1):
                page = pdf[i]
                try:
                    image = page.render(scale=OCR_DPI / 72, grayscale=True, may_draw_forms=True).to_pil()
                finally:
                    page.close()
                pages[i] = Page(i + 1, pages[i].width, pages[i].height, ocr_lines(image, 72 / OCR_DPI), ocr=True)
                log.info("%s: OCR page %d (%d/%d)", path.name, i + 1, k, len(to_ocr))
                if progress:
                    progress(k, len(to_ocr))
            seconds = time.perf_counter() - t0
            which = "all pages" if len(to_ocr) == n else f"page(s) {_ranges([i + 1 for i in to_ocr])}"
            notes.append(f"OCR of {which} without a text layer ({seconds / len(to_ocr):.1f} s a page)")
    finally:
        pdf.close()
    if blank:
        notes.append(f"{len(blank)} blank page(s)")
    return _paged(path, pages, notes, title, scanned=len(to_ocr))


def _meta_title(title: str, path: Path) -> str:
    """The PDF's Title entry, unless it is a placeholder (``untitled``, ``Microsoft Word - a.docx``, a file name)."""
    title = title.strip()
    if title.lower() == path.stem.lower() or re.fullmatch(r"(?i)untitled|无标题|anonymous|title|.+\.(?:docx?|pdf|wps|txt|indd|rtf|xlsx?|pptx?)", title) or \
            re.match(r"(?i)microsoft (word|powerpoint|excel) - ", title):
        return ""
    return title


def _text_lines(page, height: float) -> list[Line]:
    """The page's text layer as lines (pdfium's own line breaks), y measured from the top."""
    import pypdfium2.raw as raw

    tp = page.get_textpage()
    try:
        count = tp.count_chars()
        if count <= 0:
            return []
        text = tp.get_text_range(0, count)
        if len(text) != count:  # pdfium did not map characters one to one: no per-character style
            return [Line(t, 0, k, 1, k + 1) for k, t in enumerate(text.splitlines()) if t.strip()]
        fonts: dict[bytes, tuple[str, bool]] = {}  # font name → (face, bold by name)
        buf = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        lines: list[Line] = []
        cur: list[tuple[str, tuple, float, bool, str]] = []

        def flush():
            if cur and "".join(c[0] for c in cur).strip():
                boxes = [c[1] for c in cur if c[1][2] > c[1][0]]
                if not boxes:
                    boxes = [cur[0][1]]
                sizes = sorted(c[2] for c in cur if c[2] > 0)
                x0 = min(b[0] for b in boxes)
                x1 = max(b[2] for b in boxes)
                top = height - max(b[3] for b in boxes)
                bottom = height - min(b[1] for b in boxes)
                size = sizes[len(sizes) // 2] if sizes else bottom - top
                bold = sum(c[3] for c in cur) * 2 > len(cur)
                face = max({c[4] for c in cur}, key=lambda f: sum(c[4] == f for c in cur))
                lines.append(Line("".join(c[0] for c in cur).rstrip(), x0, top, x1, bottom, size, bold, face))
            cur.clear()

        for i, ch in enumerate(text):
            if ch in "\r\n":
                flush()
                continue
            if raw.FPDFText_IsGenerated(tp.raw, i) == 1 and ch == " " and not cur:
                continue
            box = tp.get_charbox(i)
            size = raw.FPDFText_GetFontSize(tp.raw, i)
            weight = raw.FPDFText_GetFontWeight(tp.raw, i)
            k = raw.FPDFText_GetFontInfo(tp.raw, i, buf, len(buf), ctypes.byref(flags))
            name = buf.raw[:max(0, k - 1)] if k else b""
            font = fonts.get(name)
            if font is None:
                decoded = name.decode("latin-1", "replace")
                font = fonts[name] = (_face(decoded), bool(re.search(r"bold|black|heavy", decoded, re.I)))
            face = font[0]
            bold = font[1] or weight >= 600 or bool(flags.value & 0x40000)
            cur.append((ch, box, size, bold, face))
        flush()
        return lines
    finally:
        tp.close()


def _face(name: str) -> str:
    """A font's face without its subset prefix and style suffix: ``ABCDEF+SimHei,Bold`` → ``SimHei``."""
    name = name.split("+", 1)[-1]
    return re.split(r"[,-](?:Bold|Italic|Regular|Light|Medium|Black|Heavy)", name, 1, flags=re.I)[0]


def _shows_something(page) -> bool:
    """Does the page draw anything (an image, paths, a form)? A truly blank page is not worth OCR."""
    try:
        return any(True for _ in page.get_objects(max_depth=2))
    except Exception:  # noqa: BLE001 - an odd page: let OCR look at it
        return True


def _check_ocr_limit(path: Path, pages: int, total: int) -> None:
    limit = max_ocr_pages()
    if pages > limit:
        raise DocumentError(
            f"{path.name}: {pages} of its {total} page(s) have no text layer and need OCR, over the limit of {limit} "
            f"pages a document (OCR takes several seconds a page; raise QA_OCR_MAX_PAGES or split the file)")


def _ranges(numbers: list[int]) -> str:
    out, start = [], None
    for k, n in enumerate(numbers):
        if start is None:
            start = n
        if k + 1 == len(numbers) or numbers[k + 1] != n + 1:
            out.append(f"{start}" if start == n else f"{start}-{n}")
            start = None
    return ", ".join(out)


# ---------------------------------------------------------------- page images


def read_image(path: Path, data: bytes, progress: PageProgress | None = None) -> Paged:
    """A page image (a multi-page TIFF: a page a frame) → OCR → :class:`Paged`."""
    from PIL import Image, ImageOps, ImageSequence

    try:
        img = Image.open(io.BytesIO(data))
        frames = getattr(img, "n_frames", 1)
        if img.width * img.height > MAX_IMAGE_PIXELS:
            raise DocumentError(f"{path.name}: the image is {img.width}×{img.height} pixels, over the limit of "
                                f"{MAX_IMAGE_PIXELS / 1e6:.0f} million")
        _check_ocr_limit(path, frames, frames)
        pages: list[Page] = []
        t0 = time.perf_counter()
        for k, frame in enumerate(ImageSequence.Iterator(img), 1):
            if frame.width * frame.height > MAX_IMAGE_PIXELS:
                raise DocumentError(f"{path.name}: page {k} is over the limit of {MAX_IMAGE_PIXELS / 1e6:.0f} "
                                    "million pixels")
            page = ImageOps.exif_transpose(frame.copy()).convert("L")
            pages.append(Page(k, page.width, page.height, ocr_lines(page), ocr=True))
            if progress:
                progress(k, frames)
    except DocumentError:
        raise
    except Exception as e:  # noqa: BLE001 - PIL raises many kinds (truncated, bomb, unknown format)
        raise DocumentError(f"{path.name}: not a readable image ({type(e).__name__}: {e})")
    notes = [f"OCR of {len(pages)} page image(s) ({(time.perf_counter() - t0) / max(1, len(pages)):.1f} s a page)"]
    return _paged(path, pages, notes, "", scanned=len(pages))


# ---------------------------------------------------------------- both


@dataclass
class Paged:
    """What a paged file reads as: its text (pages' body lines), cleaned paragraphs, notes, title, page starts."""

    text: str
    paragraphs: list[Paragraph]
    notes: list[str]
    title: str
    pages: list[int]


def _paged(path: Path, pages: list[Page], notes: list[str], title: str, scanned: int) -> Paged:
    text, starts, lines, layout_notes = assemble(pages)
    notes += layout_notes
    if not re.search(r"\w", text):
        if scanned:
            raise DocumentError(f"{path.name}: the PDF has no text layer, and OCR found no text on its "
                                f"{len(pages)} page(s)" if path.suffix.lower() == ".pdf" else
                                f"{path.name}: OCR found no text in the image")
        raise DocumentError(f"{path.name}: the PDF has no text layer and nothing to OCR ({len(pages)} blank page(s))")
    return Paged(text, clean_layout(text, lines, notes, ocr=any(p.ocr for p in pages)), notes, title, starts)
