"""Fixture documents written by the tests themselves (docx, PDF, HTML, encodings, bad files)."""

from __future__ import annotations

from pathlib import Path

REPORT_MD = """# 示例市2023年政府工作报告

## 一、过去一年工作回顾

过去一年，全市地区生产总值增长6.5%。新建城市公园12个，新增绿地面积300公顷。

## 二、2024年工作安排

今年全市新增城镇就业5万人以上。新建保障性住房8000套。
"""


def write_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = "示例区工作报告"
    d.add_heading("一、经济运行", level=1)
    d.add_paragraph("全区规模以上工业增加值增长8.2%，固定资产投资增长12%。")
    d.add_heading("（一）工业", level=2)
    d.add_paragraph("新增规上工业企业45家，其中高新技术企业20家。")
    d.add_heading("二、民生保障", level=1)
    d.add_paragraph("新建幼儿园6所，新增学位2700个。")
    d.save(path)
    return path


def _pdf(stream_text: bytes | None) -> bytes:
    """A minimal one-page PDF; with ``stream_text`` None the page has no text layer."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    if stream_text is None:
        content = b"0 0 1 rg 50 50 200 200 re f"  # a filled rectangle, like a scanned image: no text
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>")
    else:
        content = b"BT /F1 12 Tf 72 720 Td (" + stream_text + b") Tj 0 -20 Td (Fiscal revenue grew 6 percent.) Tj ET"
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 5 0 R >> >> >>")
    objs.append(b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream")
    if stream_text is not None:
        objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def write_pdf(path: Path, text: bytes = b"The city built 42 new schools in 2023.") -> Path:
    path.write_bytes(_pdf(text))
    return path


def write_scanned_pdf(path: Path) -> Path:
    path.write_bytes(_pdf(None))
    return path


HTML = """<!doctype html><html><head><title>示例新闻稿</title><style>p{color:red}</style>
<script>alert('x')</script></head><body><nav>首页 | 关于</nav>
<h1>示例新闻稿</h1><h2>一、交通建设</h2><p>今年将开通地铁3号线，新建公交站台120个。</p>
<div><p>全年改造道路<b>45公里</b>。</p></div><footer>版权所有</footer></body></html>"""


def mixed_folder(root: Path) -> Path:
    """A folder of every format plus every kind of bad file."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "report.md").write_text(REPORT_MD, encoding="utf-8")
    write_docx(root / "district.docx")
    write_pdf(root / "english.pdf")
    write_scanned_pdf(root / "scanned.pdf")
    (root / "news.html").write_text(HTML, encoding="utf-8")
    (root / "gbk.txt").write_bytes("二、今年安排\n\n今年新建停车场15个，新增车位3000个。\n".encode("gb18030"))
    (root / "utf16.txt").write_bytes("今年植树造林2万亩。\n".encode("utf-16"))
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return root
