"""Fixture documents written by the tests themselves (docx, PDF, HTML, encodings, bad files)."""

from __future__ import annotations

from pathlib import Path

REPORT_MD = """# 示例市2023年政府工作报告

## 一、过去一年工作回顾

过去一年，全市地区生产总值增长6.5%。新建城市公园12个，新增绿地面积300公顷。

## 二、2024年工作安排

今年全市新增城镇就业5万人以上。新建保障性住房8000套。
"""


# Four short fictional reports, two places × two years, in the seed's structure (the review of the past year before
# the first heading, 二、今后五年… in the first year of a term only, then the year's 工作安排 with its targets sentence).
# Every figure is written once, so a figure names its report and its period. 青石市's 2024 title has no place (read
# from the opening); eval/multi_report_qa.jsonl asks about them (with the seed as 太原's 2022 report).
REPORTS = {
    "shili_2023_report.md": """# 示例市2023年政府工作报告

——2023年1月12日在示例市第十六届人民代表大会第二次会议上

各位代表：

现在，我代表市人民政府，向大会报告政府工作，请予审议，并请市政协委员和其他列席人员提出意见。

过去一年，全市地区生产总值增长5.8%，一般公共预算收入增长4.1%。城镇新增就业4.6万人，城镇居民人均可支配收入增长5.2%。

过去一年，新建城市公园9个，建成保障性住房5400套，完成植树造林3.2万亩。地铁1号线建成通车，全长21公里。

## 二、今后五年工作目标任务

今后五年，全市地区生产总值年均增长6%以上，城镇新增就业累计25万人。到2027年，建成地铁线路4条，森林覆盖率达到31%。

## 三、2023年工作安排

今年经济社会发展主要预期指标是:地区生产总值增长6.5%左右，一般公共预算收入增长5.3%，城镇新增就业5.1万人以上，城镇居民人均可支配收入增长6.4%，居民消费价格涨幅控制在3%左右。

今年将新建城市公园12个，新建保障性住房6000套，植树造林4万亩，开工建设地铁2号线。
""",
    "shili_2024_report.md": """# 示例市2024年政府工作报告

——2024年1月15日在示例市第十六届人民代表大会第三次会议上

各位代表：

现在，我代表市人民政府，向大会报告政府工作，请予审议，并请市政协委员和其他列席人员提出意见。

过去一年，全市地区生产总值增长6.2%，一般公共预算收入增长5.9%。城镇新增就业5.4万人，城镇居民人均可支配收入增长6.8%。

过去一年，新建城市公园13个，建成保障性住房6300套，完成植树造林4.5万亩。地铁2号线开工建设。

## 二、2024年工作安排

今年经济社会发展主要预期指标是:地区生产总值增长6%左右，一般公共预算收入增长4.8%，城镇新增就业5.6万人以上，城镇居民人均可支配收入增长6.1%，居民消费价格涨幅控制在3%左右。

今年将新建城市公园7个，新建保障性住房7000套，植树造林3.6万亩，建成地铁2号线一期。
""",
    "qingshi_2023_report.md": """# 青石市2023年政府工作报告

——2023年1月9日在青石市第十五届人民代表大会第二次会议上

各位代表：

现在，我代表市人民政府，向大会报告政府工作，请予审议，并请市政协委员和其他列席人员提出意见。

过去一年，全市地区生产总值增长4.3%，一般公共预算收入增长3.6%。城镇新增就业2.1万人，城镇居民人均可支配收入增长4.7%。

过去一年，新建城市公园5个，建成保障性住房2800套，完成植树造林1.6万亩。港口集装箱吞吐量达到86万标箱。

## 二、今后五年工作目标任务

今后五年，全市地区生产总值年均增长5%以上，城镇新增就业累计12万人。到2027年，港口集装箱吞吐量突破150万标箱，森林覆盖率达到42%。

## 三、2023年工作安排

今年经济社会发展主要预期指标是:地区生产总值增长5.5%左右，一般公共预算收入增长4.4%，城镇新增就业2.3万人以上，城镇居民人均可支配收入增长5.6%，居民消费价格涨幅控制在3%左右。

今年将新建城市公园6个，新建保障性住房3000套，植树造林2万亩，港口集装箱吞吐量达到100万标箱。
""",
    "qingshi_2024_report.md": """# 2024年政府工作报告

——2024年1月10日在青石市第十五届人民代表大会第三次会议上

各位代表：

现在，我代表市人民政府，向大会报告政府工作，请予审议，并请市政协委员和其他列席人员提出意见。

过去一年，全市地区生产总值增长4.9%，一般公共预算收入增长3.9%。城镇新增就业2.7万人，城镇居民人均可支配收入增长5.1%。

过去一年，新建城市公园8个，建成保障性住房3300套，完成植树造林2.4万亩。港口集装箱吞吐量达到104万标箱。

## 二、2024年工作安排

今年经济社会发展主要预期指标是:地区生产总值增长5.2%左右，一般公共预算收入增长4.2%，城镇新增就业2.8万人以上，城镇居民人均可支配收入增长5.4%，居民消费价格涨幅控制在3%左右。

今年将新建城市公园4个，新建保障性住房3500套，植树造林1.8万亩，港口集装箱吞吐量达到115万标箱。
""",
}


def write_reports(folder: Path) -> list[Path]:
    """The four fictional reports of :data:`REPORTS`, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
        out.append(folder / name)
    return out


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
