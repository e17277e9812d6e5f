"""Bounds on the work one document may cause: a small file must not cost minutes or gigabytes.

Each check raises :class:`~qa.text.decode.DocumentError` naming the bound, so the file is skipped with
its reason like any other bad file (the other files are still indexed). The numbers live in
:mod:`qa.config.limits`, with what they were measured on.

- :func:`check_docx`: the parts of a .docx decompressed (``MAX_DOCX_UNZIPPED_BYTES``) and its paragraph
  elements, empty ones included (``MAX_DOC_PARAGRAPHS``), counted before python-docx parses anything.
- :func:`check_pdf`: pages in the page tree (``MAX_PDF_PAGES``, walked with a budget, never trusting
  ``/Count``) and the page content streams decompressed (``MAX_PDF_CONTENT_BYTES`` in all,
  ``MAX_PDF_PAGE_CONTENT_BYTES`` a page), before any text is extracted; the decoded streams stay cached
  in the reader, so extraction does not decode them again.
- :func:`check_html`: tags (``MAX_HTML_TAGS``) before BeautifulSoup builds its tree.
- :func:`within_bounds`: the extracted text's characters (``MAX_DOC_CHARS``) and paragraphs
  (``MAX_DOC_PARAGRAPHS``), for every format.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..config.limits import (MAX_DOC_CHARS, MAX_DOC_PARAGRAPHS, MAX_DOCX_UNZIPPED_BYTES, MAX_HTML_TAGS,
                             MAX_PDF_CONTENT_BYTES, MAX_PDF_PAGE_CONTENT_BYTES, MAX_PDF_PAGES)
from .decode import DocumentError

_MB = 1024 * 1024
# a paragraph element in any namespace prefix: <w:p>, <w:p/>, <w:p w:rsidR="…">, <a:p> (text boxes)
_XML_PARAGRAPH = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
_HTML_TAG = re.compile(r"<[A-Za-z]")


def _mb(n: int) -> str:
    return f"{n / _MB:g} MB"


def check_docx(data: bytes, name: str) -> None:
    """Refuse a .docx whose parts decompress past the bound or that holds too many paragraphs.

    Reading a zip member never yields more than its declared size (a member that lies fails its CRC),
    so summing the declared sizes bounds the bytes python-docx can inflate.
    """
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        members = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: python-docx refuses it with its own reason
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNZIPPED_BYTES:
        raise DocumentError(f"{name}: the .docx decompresses to {_mb(total)}, over the "
                            f"{_mb(MAX_DOCX_UNZIPPED_BYTES)} limit")
    paragraphs = 0
    for m in members:
        if m.filename.lower().endswith(".xml") and not m.is_dir():
            try:
                xml = z.read(m)
            except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
                return  # damaged or encrypted member: python-docx refuses the file with its own reason
            for _ in _XML_PARAGRAPH.finditer(xml):
                paragraphs += 1
                if paragraphs > MAX_DOC_PARAGRAPHS:
                    raise DocumentError(f"{name}: the .docx holds more than {MAX_DOC_PARAGRAPHS:,} paragraphs "
                                        "(empty ones included), over the limit")


def check_pdf(reader, name: str) -> None:
    """Refuse a PDF (an opened ``pypdf.PdfReader``) with too many pages or too much page content."""
    from pypdf import apply_configuration
    from pypdf.errors import LimitReachedError

    pages = _pdf_pages(reader, name)
    total = 0
    for page in pages:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = list(contents) if isinstance(contents, list) else [contents] if contents is not None else []
        on_page = 0
        for s in streams:
            s = s.get_object()
            if not hasattr(s, "get_data"):
                continue
            room = min(MAX_PDF_PAGE_CONTENT_BYTES - on_page, MAX_PDF_CONTENT_BYTES - total) + 1
            try:  # inflate at most what is still allowed (and one byte to tell)
                with apply_configuration(zlib_maximum_output_length=room, lzw_maximum_output_length=room,
                                         run_length_maximum_output_length=room,
                                         array_based_stream_maximum_output_length=room):
                    n = len(s.get_data())
            except LimitReachedError:
                n = room
            on_page += n
            total += n
            if on_page > MAX_PDF_PAGE_CONTENT_BYTES:
                raise DocumentError(f"{name}: a page's content decompresses to more than "
                                    f"{_mb(MAX_PDF_PAGE_CONTENT_BYTES)}, over the limit")
            if total > MAX_PDF_CONTENT_BYTES:
                raise DocumentError(f"{name}: the pages' content decompresses to more than "
                                    f"{_mb(MAX_PDF_CONTENT_BYTES)}, over the limit")


def _pdf_pages(reader, name: str) -> list:
    """The page dictionaries, walking the page tree with a budget (``/Count`` may lie)."""
    too_many = DocumentError(f"{name}: the PDF has more than {MAX_PDF_PAGES:,} pages, over the limit")
    try:
        declared = int(reader.trailer["/Root"]["/Pages"].get("/Count", 0))
    except Exception:  # noqa: BLE001 - a broken tree is pypdf's to report
        return []
    if declared > MAX_PDF_PAGES:
        raise too_many
    root = reader.trailer["/Root"]["/Pages"]
    pages, stack, seen, budget = [], [root], set(), 4 * MAX_PDF_PAGES + 100
    while stack:
        budget -= 1
        if budget < 0:
            raise too_many
        node = stack.pop()
        ref = getattr(node, "indirect_reference", None)
        key = (ref.idnum, ref.generation) if ref is not None else id(node)
        if key in seen:
            continue  # a cycle or a shared node: pypdf deals with it
        seen.add(key)
        node = node.get_object()
        kids = node.get("/Kids")
        if kids is None or node.get("/Type") == "/Page":
            pages.append(node)
            if len(pages) > MAX_PDF_PAGES:
                raise too_many
            continue
        kids = kids.get_object()
        if len(kids) > MAX_PDF_PAGES:
            raise too_many
        stack.extend(reversed([k for k in kids]))
    return pages


def check_html(source: str, name: str) -> None:
    """Refuse HTML with more tags than BeautifulSoup should build a tree for."""
    n = 0
    for n, _ in enumerate(_HTML_TAG.finditer(source), 1):
        if n > MAX_HTML_TAGS:
            raise DocumentError(f"{name}: the HTML has more than {MAX_HTML_TAGS:,} tags, over the limit")


def within_bounds(doc):
    """The document itself when its text is within the character and paragraph bounds."""
    if len(doc.text) > MAX_DOC_CHARS:
        raise DocumentError(f"{doc.doc_id}: {len(doc.text):,} characters of text, over the "
                            f"{MAX_DOC_CHARS:,} limit; split the document")
    if len(doc.paragraphs) > MAX_DOC_PARAGRAPHS:
        raise DocumentError(f"{doc.doc_id}: {len(doc.paragraphs):,} paragraphs, over the "
                            f"{MAX_DOC_PARAGRAPHS:,} limit; split the document")
    return doc
