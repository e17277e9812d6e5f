"""File formats → :class:`~qa.text.documents.Document`.

``.txt`` and ``.md`` are decoded (UTF-8/16 with BOM, GB18030) and cleaned as text;
``.docx`` (python-docx) and ``.html``/``.htm`` (the readable text, BeautifulSoup) are extracted
into a text whose offsets citations use. ``.pdf`` (its text layer, OCR for pages without one) and
page images ``.png .jpg .jpeg .tif .tiff`` (OCR) are paged: :mod:`qa.text.pdf` reads them page by
page, drops page furniture and rejoins wrapped lines (:mod:`qa.text.layout`), and the document
records where each page starts.
Headings from markdown ``#``, docx heading styles and ``<h1>``–``<h6>`` become
``Paragraph.heading_level`` and feed the same section tree as numbered Chinese headings.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from .decode import DocumentError, decode, read_bytes, sha256_bytes
from .documents import Document, Paragraph, _squeeze, join, load_text_document
from .limits import check_docx, check_html, check_pdf, within_bounds
from .pdf import IMAGE_TYPES, PageProgress, Paged, read_image, read_pdf

SUPPORTED = {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"} | IMAGE_TYPES


def unsupported(path: str | Path) -> str | None:
    """Why a file's type cannot be indexed (the one message for it), or None when it can."""
    ext = Path(path).suffix.lower()
    if ext in SUPPORTED:
        return None
    return f"unsupported file type {ext or '(none)'!r}; supported: {', '.join(sorted(SUPPORTED))}"


def reader_version(path: str | Path) -> int:
    """The version of the reader of this file type; an index re-reads a document read by an older one."""
    ext = Path(path).suffix.lower()
    return 2 if ext == ".pdf" or ext in IMAGE_TYPES else 1  # 2: paged reading (layout, furniture, OCR, pages)


def load_document(path: Path, data: bytes | None = None, progress: PageProgress | None = None) -> Document:
    """Read any supported file; raises :class:`DocumentError` with a reason when it cannot.

    ``progress(done, total)`` is called after each page read by OCR (scans, page images)."""
    path = Path(path)
    ext = path.suffix.lower()
    if why := unsupported(path):
        raise DocumentError(f"{path.name}: {why}")
    data = read_bytes(path) if data is None else data
    if not data.strip():
        raise DocumentError(f"{path.name}: the file is empty")
    if ext == ".txt":
        return within_bounds(load_text_document(path, data))
    if ext in (".md", ".markdown"):
        text, enc = decode(data, path.name)
        return _finish(path, data, text, _markdown_paragraphs(text), [f"decoded as {enc}"])
    if ext == ".pdf":
        return _pdf(path, data, progress)
    if ext in IMAGE_TYPES:
        return _paged(path, data, read_image(path, data, progress))
    if ext == ".docx":
        return _docx(path, data)
    text, enc = decode(data, path.name)
    return _html(path, data, text)


def _finish(path: Path, data: bytes, text: str, paragraphs: list[Paragraph], notes: list[str],
            title: str = "") -> Document:
    paragraphs = [p for p in paragraphs if p.text.strip()]
    if not paragraphs:
        raise DocumentError(f"{path.name}: no text found in the document")
    first = paragraphs[0]
    lone_top = first.heading_level == 1 and sum(p.heading_level == 1 for p in paragraphs) == 1
    if lone_top and (not title or title.strip() == first.text.strip()):
        title, paragraphs = first.text, paragraphs[1:]  # a lone top heading is the title
    return within_bounds(Document(path.name, str(path), text, sha256_bytes(data), paragraphs, title=title.strip(),
                                  notes=notes))


def _blocks_to_text(blocks: list[tuple[str, int]]) -> tuple[str, list[Paragraph]]:
    """Blocks of (text, heading level) → one text ("\\n\\n" between blocks) and its paragraphs."""
    kept = [(b.strip(), level) for b, level in blocks if b.strip()]
    text = "\n\n".join(b for b, _ in kept)
    paragraphs, pos = [], 0
    for block, level in kept:
        p = _squeeze(text, pos, pos + len(block))
        if p:
            p.heading_level = level
            paragraphs.append(p)
        pos += len(block) + 2
    return text, paragraphs


_MD_HEAD = re.compile(r"^(#{1,6})[ \t]+")
_MD_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)]|>)[ \t]+")


def _markdown_paragraphs(text: str) -> list[Paragraph]:
    """Markdown: ``#`` headings; blank lines separate paragraphs; bullets start their own."""
    out: list[Paragraph] = []
    current: Paragraph | None = None
    in_code = False
    for m in re.finditer(r"[^\r\n]*", text):
        line, start = m.group(0), m.start()
        if line.lstrip().startswith("```"):
            in_code = not in_code
            current = None
            continue
        if not line.strip() or in_code:
            current = None
            continue
        head = _MD_HEAD.match(line)
        bullet = _MD_BULLET.match(line)
        skip = head.end() if head else bullet.end() if bullet else 0
        p = _squeeze(text, start + skip, m.end())
        if p is None:
            continue
        if head:
            p.text = p.text.rstrip("#").rstrip() or p.text
            p.offsets = p.offsets[: len(p.text)]
            p.heading_level = len(head.group(1))
            out.append(p)
            current = None
        elif current is not None and not bullet:
            out[-1] = current = join(current, p)
        else:
            out.append(p)
            current = p
    return out


def _pdf(path: Path, data: bytes, progress: PageProgress | None) -> Document:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise DocumentError(f"{path.name}: the PDF is password-protected")
        check_pdf(reader, path.name)  # pages and decompressed content, before any extraction
    except DocumentError:
        raise
    except Exception as e:
        raise DocumentError(f"{path.name}: not a readable PDF ({type(e).__name__}: {e})")
    return _paged(path, data, read_pdf(path, data, progress))  # text layer, OCR where a page has none


def _paged(path: Path, data: bytes, paged: Paged) -> Document:
    doc = _finish(path, data, paged.text, paged.paragraphs, paged.notes, title=paged.title)
    doc.pages = paged.pages
    return doc


def _docx(path: Path, data: bytes) -> Document:
    check_docx(data, path.name)  # decompressed size and paragraph count, before python-docx parses it
    try:
        import docx

        d = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise DocumentError(f"{path.name}: not a readable .docx file ({type(e).__name__})")
    blocks = []
    for para in d.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        m = re.match(r"(?:Heading|标题)\s*(\d)", style)
        level = int(m.group(1)) if m else (1 if style == "Title" else 0)
        blocks.append((para.text, level))
    for table in d.tables:
        for row in table.rows:
            blocks.append((" | ".join(c.text.strip() for c in row.cells), 0))
    text, paragraphs = _blocks_to_text(blocks)
    title = (d.core_properties.title or "").strip()
    return _finish(path, data, text, paragraphs, ["extracted from .docx"], title=title)


_HTML_DROP = ["script", "style", "noscript", "template", "svg", "iframe", "object", "head", "nav", "footer", "form"]
_HTML_BLOCKS = {"p", "div", "li", "td", "th", "tr", "pre", "blockquote", "section", "article", "main", "dd", "dt",
                "figcaption", "caption", "ul", "ol", "table", "body", "header", "aside"}


def _html(path: Path, data: bytes, source: str) -> Document:
    from bs4 import BeautifulSoup, NavigableString

    check_html(source, path.name)
    soup = BeautifulSoup(source, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_HTML_DROP):
        tag.decompose()
    blocks: list[tuple[str, int]] = []
    buf: list[str] = []

    def flush():
        if buf:
            blocks.append(("".join(buf), 0))
            buf.clear()

    def walk(node):
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None:
                if type(child) is NavigableString:  # not a comment, doctype or CDATA
                    buf.append(str(child))
            elif re.fullmatch(r"h[1-6]", name):
                flush()
                blocks.append((child.get_text(" ", strip=True), int(name[1])))
            elif name == "br":
                buf.append("\n")
            elif name in _HTML_BLOCKS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    try:
        walk(soup)
    except RecursionError:
        raise DocumentError(f"{path.name}: the HTML is nested too deeply to read") from None
    flush()
    split: list[tuple[str, int]] = []
    for text, level in blocks:
        split += [(t, level) for t in re.split(r"\n\s*\n", text)] if not level else [(text, level)]
    text, paragraphs = _blocks_to_text([(re.sub(r"[ \t\r\n]+", " ", t), lv) for t, lv in split])
    if not title:
        title = next((p.text for p in paragraphs if p.heading_level == 1), "")
    return _finish(path, data, text, paragraphs, ["extracted from HTML"], title=title)
