"""Report files as they come: laid-out PDFs (page furniture, wrapped lines, display headings) and scans (OCR).

Every fixture is made here: the seed report typeset with reportlab's built-in STSong-Light (A4, 11 pt,
38 characters a line, running header, ``— N —`` footer), small typeset pages for the OCR tests and their
scans rendered with pypdfium2. OCR tests read a few small pages only (a few seconds each on 2 cores).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.testing.pdf_fixtures import HEADER, mixed, page_images, scan, seed_paragraphs, typeset
from qa.api import Citation
from qa.index.build import build_index
from qa.index.store import Index
from qa.testing.fakes import HashEmbedder
from qa.text.decode import DocumentError
from qa.text.formats import SUPPORTED, load_document
from qa.text.layout import is_page_number
from qa.text.structure import build_structure

FURNITURE = re.compile(r"太原市人民政府工作报告|—\s*\d+\s*—|第\d+页|\d+/\d+")


def _squash(s: str) -> str:
    return "".join(s.split())


@pytest.fixture(scope="module")
def seed_doc(seed_path):
    return load_document(seed_path)


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory, seed_text) -> Path:
    """The whole seed typeset as a government PDF: 8 A4 pages."""
    return typeset(seed_paragraphs(seed_text), tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.fixture(scope="module")
def report_doc(report_pdf):
    return load_document(report_pdf)


# ---------------------------------------------------------------- page furniture


@pytest.mark.parametrize("text", ["— 3 —", "- 3 -", "-3-", "第3页", "第 3 页", "3/12", "第3页 共12页", "共12页 第3页",
                                  "Page 3", "page 3 of 12", "3", "一3一", "—12—", "第三页", "－ 3 －"])
def test_page_number_forms(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["三、2022年工作安排", "2022年", "3月", "第3章", "(3)", "3.5%", "第一节", "一、"])
def test_not_page_numbers(text):
    assert not is_page_number(text)


def test_laid_out_pdf_reads_as_the_text_file(report_doc, seed_doc):
    doc = report_doc
    assert len(doc.pages) == 8 and doc.pages[0] == 0
    assert [p.text for p in doc.paragraphs] == [p.text for p in seed_doc.paragraphs]  # wrapped lines rejoined
    assert any("page numbers on 8 page(s)" in n for n in doc.notes)
    assert any(HEADER in n and "(8 page(s))" in n for n in doc.notes)
    secs, sents = build_structure(doc)
    seed_secs, seed_sents = build_structure(seed_doc)
    assert [s.title for s in secs] == [s.title for s in seed_secs]
    assert [(s.text, s.path) for s in sents] == [(s.text, s.path) for s in seed_sents]
    assert doc.title == seed_doc.title == "政府工作报告"


def test_furniture_is_never_text_nor_heading(report_doc):
    secs, sents = build_structure(report_doc)
    assert not any(FURNITURE.search(s.title) for s in secs)
    assert not any(FURNITURE.search(s.text) for s in sents)
    assert not FURNITURE.search(report_doc.text)  # dropped from the text citations point into


def test_offsets_and_pages_check_against_the_extracted_pages(report_doc, report_pdf):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(report_pdf))
    raw = [_squash(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    pdf.close()
    doc = report_doc
    pages = doc.text.split("\f")
    assert len(pages) == 8
    for i, page in enumerate(pages):  # each page's text is that page's extracted text, furniture left out
        assert doc.pages[i] == sum(len(p) + 1 for p in pages[:i])
        assert _squash(page) in raw[i]
    _, sents = build_structure(doc)
    for s in sents:
        assert _squash(doc.text[s.start:s.end]) == _squash(s.text)
        on_first_page = doc.text[s.start:s.end].split("\f")[0]
        assert _squash(on_first_page) in raw[doc.page_at(s.start) - 1]
    across = [s for s in sents if "\f" in doc.text[s.start:s.end]]
    assert across, "some sentence runs over a page break"
    for s in across:  # a sentence over a page break starts on one page and ends on the next
        assert doc.page_at(s.end - 1) == doc.page_at(s.start) + 1


@pytest.mark.parametrize("footer", ["- {n} -", "第{n}页", "{n}/{total}", "第{n}页 共{total}页", "{n}"])
def test_footer_forms_and_header_are_dropped(tmp_path, seed_text, footer):
    paras = seed_paragraphs(seed_text)[18:30]
    doc = load_document(typeset(paras, tmp_path / "r.pdf", footer=footer, header="示例市政府工作报告"))
    assert len(doc.pages) >= 2
    assert "示例市" not in doc.text and not any(is_page_number(line) for line in re.split(r"[\n\f]", doc.text))
    assert [p.text for p in doc.paragraphs] == [p.text for p in load_document(_txt(tmp_path, paras)).paragraphs]


def _txt(tmp_path: Path, paras: list[str]) -> Path:
    p = tmp_path / "same.txt"
    p.write_text("\n\n".join(re.sub(r"^#+\s*", "", x) for x in paras), encoding="utf-8")
    return p


def test_headings_from_font_size(tmp_path):
    """Unnumbered headings with commas (no text rule takes them) are headings when set larger."""
    body = "今年全市新建城市公园12个，新增绿地面积300公顷，城市绿化覆盖率达到45%。" * 3
    paras = ["# 示例市政府工作报告", "## 生态优先，绿色发展", body, "## 民生为本，共建共享", "今年新增城镇就业5万人以上。" * 4]
    doc = load_document(typeset(paras, tmp_path / "h.pdf", chars=30))
    secs, sents = build_structure(doc)
    assert doc.title == "示例市政府工作报告"
    assert [s.title for s in secs if s.level < 9] == ["生态优先，绿色发展", "民生为本，共建共享"]
    assert sents[0].path[0] == "生态优先，绿色发展" and sents[-1].path[0] == "民生为本，共建共享"


def test_a_pdf_with_nothing_to_read_says_so(tmp_path):
    from fixtures import write_scanned_pdf

    with pytest.raises(DocumentError, match="no text layer"):
        load_document(write_scanned_pdf(tmp_path / "s.pdf"))


def test_ocr_page_limit_refuses_before_reading(tmp_path, monkeypatch, report_pdf):
    scanned = scan(report_pdf, tmp_path / "scan.pdf", dpi=50, pages=[0, 1, 2])
    monkeypatch.setenv("QA_OCR_MAX_PAGES", "2")
    with pytest.raises(DocumentError, match=r"3 of its 3 page\(s\).*limit of 2 pages.*QA_OCR_MAX_PAGES"):
        load_document(scanned, progress=lambda d, t: pytest.fail("no page may be OCR'd over the limit"))


def test_image_types_are_supported():
    assert {".png", ".jpg", ".jpeg", ".tif", ".tiff"} <= SUPPORTED


def test_index_of_a_pdf_names_pages_and_answers(tmp_path, report_pdf, seed_text):
    summary = build_index([report_pdf], tmp_path / "idx", embedder=HashEmbedder())
    assert summary.documents == 1 and summary.sections == 33
    index = Index.load(tmp_path / "idx")
    text = index.document_text("report.pdf")
    assert {c.page for c in index.chunks} == set(range(1, 9))
    assert index.documents["report.pdf"].pages == 8
    for c in index.chunks:
        assert 1 + text.count("\f", 0, c.start) == c.page
        assert _squash(text[c.start:c.end]) == _squash(c.text)
    from qa.api import ask

    a = ask("今年城镇新增就业人数多少？", index_dir=tmp_path / "idx")
    assert not a.abstained and "8万人" in a.answer
    c = a.citations[0]
    assert c.section == "三、2022年工作安排" and c.doc == "report.pdf"
    chunk = next(ch for ch in index.chunks if ch.start == c.start)
    assert chunk.page == 4  # the expected indicators paragraph: page 4 of the typeset report
    assert c.page == chunk.page
    assert _squash(text[a.answer_start:a.answer_end]) == _squash(a.answer)


def test_citation_page_is_shown(capsys):
    from qa.api import Answer
    from qa.cli import print_answer, print_sources
    from qa.web.render import answer_html, sources_html

    c = Citation("report.pdf", "政府工作报告", "三、2022年工作安排", "城镇新增就业人数8万人。", 100, 112, 0.9, (0, 11), page=5)
    a = Answer("问", "城镇新增就业人数8万人", False, [c])
    assert c.to_dict()["page"] == 5
    assert "第5页" in answer_html(a, "问") and "第5页" in sources_html(a)
    print_answer(a)
    print_sources(a)
    out = capsys.readouterr().out
    assert "report.pdf 第5页 第100–112字" in out and out.count("第5页") == 2
    plain = Citation("a.txt", "t", "s", "q", 1, 2, 0.5)
    assert plain.page is None and "页" not in answer_html(Answer("问", "q", False, [plain]), "问")


# ---------------------------------------------------------------- OCR: scans and page images (slow: a few pages)

SMALL_PAGE = (360, 380)  # points: a small page keeps each OCR'd page to a few seconds


def _small_report(seed_text: str) -> list[str]:
    """Three seed paragraphs under two headings, cut (at a sentence end) to fit two small pages."""
    lines = [l.strip() for l in seed_text.splitlines() if l.strip()]

    def pick(start: str, n: int) -> str:
        line = next(l for l in lines if l.startswith(start))[:n]
        return line[:line.rindex("。") + 1]

    return ["# 政府工作报告", "## 三、2022年工作安排", pick("统筹考虑各方面因素", 142),
            pick("(一)真抓实干", 80), pick("高标准推进规划布局", 100)]


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory, seed_text) -> Path:
    out = typeset(_small_report(seed_text), tmp_path_factory.mktemp("small") / "small.pdf", chars=24,
                  leading=17, pagesize=SMALL_PAGE)
    return out


@pytest.fixture(scope="module")
def scanned(small_pdf):
    """The small report scanned (image-only PDF, 200 dpi) and read by OCR once for the module."""
    path = scan(small_pdf, small_pdf.with_name("scanned.pdf"))
    calls = []
    doc = load_document(path, progress=lambda d, t: calls.append((d, t)))
    return path, doc, calls


@pytest.mark.slow
def test_scanned_pdf_is_read_by_ocr(scanned, small_pdf):
    path, doc, calls = scanned
    typeset_doc = load_document(small_pdf)
    assert len(typeset_doc.pages) == len(doc.pages) == 2
    assert calls == [(1, 2), (2, 2)]  # progress after each page
    assert any(n.startswith("OCR of all pages") for n in doc.notes)
    assert any("page numbers on 2 page(s)" in n for n in doc.notes) and any(HEADER in n for n in doc.notes)
    assert not FURNITURE.search(doc.text)
    from difflib import SequenceMatcher

    from qa.text.tokens import fold

    ocr_text = fold("".join(p.text for p in doc.paragraphs))
    layer_text = fold("".join(p.text for p in typeset_doc.paragraphs))
    assert SequenceMatcher(None, ocr_text, layer_text, autojunk=False).ratio() >= 0.95
    assert len(doc.paragraphs) == len(typeset_doc.paragraphs)  # wrapped lines rejoined the same way
    secs, sents = build_structure(doc)
    assert [fold(s.title) for s in secs] == [fold(s.title) for s in build_structure(typeset_doc)[0]]
    assert [s.level for s in secs] == [1, 2, 9]  # 三、 > (一) > the lead sentence 高标准推进规划布局
    for s in sents:
        assert _squash(doc.text[s.start:s.end]) == _squash(s.text)


@pytest.mark.slow
def test_scanned_pdf_answers_with_pages(scanned, tmp_path):
    path, _, _ = scanned
    idx = tmp_path / "idx"
    summary = build_index([path], idx, embedder=HashEmbedder())
    assert summary.documents == 1 and summary.ok
    from qa.api import ask

    a = ask("今年地区生产总值预期增长多少？", index_dir=idx)
    assert not a.abstained and "7%" in a.answer.replace("％", "%")
    chunk = next(ch for ch in Index.load(idx).chunks if ch.start == a.citations[0].start)
    assert chunk.page == 1 and a.citations[0].section.startswith("三、")


@pytest.mark.slow
def test_partial_text_layer_is_ocrd_only_where_it_lacks_text(small_pdf, tmp_path):
    path = mixed(small_pdf, tmp_path / "mixed.pdf", scanned_pages={1})
    calls = []
    doc = load_document(path, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 1)]
    assert any("OCR of page(s) 2 " in n for n in doc.notes)
    typeset_doc = load_document(small_pdf)
    assert doc.text.split("\f")[0] == typeset_doc.text.split("\f")[0]  # page 1 from its text layer, verbatim
    assert len(doc.paragraphs) == len(typeset_doc.paragraphs)
    assert not FURNITURE.search(doc.text)


@pytest.mark.slow
def test_page_image_is_read_by_ocr_even_upside_down(small_pdf, tmp_path):
    png = tmp_path / "page1.png"
    page_images(small_pdf, dpi=200)[0].rotate(180).save(png)  # scanned the wrong way round
    doc = load_document(png)
    assert doc.pages == [0] and "地区生产总值增长7" in _squash(doc.text)
    secs, _ = build_structure(doc)
    assert "三、2022年工作安排" in [s.title for s in secs]  # (one page: its running header is not known as one)
    with pytest.raises(DocumentError, match="not a readable image"):
        load_document(tmp_path / "bad.png", data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
