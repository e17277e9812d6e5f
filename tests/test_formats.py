import pytest

from fixtures import HTML, REPORT_MD, mixed_folder, write_docx, write_pdf, write_scanned_pdf
from qa.index.build import build_index
from qa.text.decode import DocumentError
from qa.testing.fakes import HashEmbedder
from qa.text.formats import load_document
from qa.text.structure import build_structure


def sents(doc):
    return build_structure(doc)[1]


def check_offsets(doc):
    for s in sents(doc):
        assert "".join(doc.text[s.start:s.end].split()) == "".join(s.text.split())


def test_markdown_headings_feed_the_section_tree(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(REPORT_MD, encoding="utf-8")
    doc = load_document(p)
    assert doc.title == "示例市2023年政府工作报告"
    s = next(x for x in sents(doc) if "保障性住房8000套" in x.text)
    assert s.path == ("二、2024年工作安排",)
    assert not any(x.text.startswith("#") for x in sents(doc))
    check_offsets(doc)


def test_docx_heading_styles_and_title(tmp_path):
    doc = load_document(write_docx(tmp_path / "d.docx"))
    assert doc.title == "示例区工作报告"
    s = next(x for x in sents(doc) if "高新技术企业20家" in x.text)
    assert s.path == ("一、经济运行", "（一）工业")
    check_offsets(doc)


def test_pdf_text_layer(tmp_path):
    doc = load_document(write_pdf(tmp_path / "e.pdf"))
    texts = [x.text for x in sents(doc)]
    assert any("42 new schools" in t for t in texts)
    check_offsets(doc)


def test_pdf_without_text_layer_says_so(tmp_path):
    with pytest.raises(DocumentError, match="no text layer"):
        load_document(write_scanned_pdf(tmp_path / "s.pdf"))


def test_html_readable_text_only(tmp_path):
    p = tmp_path / "n.html"
    p.write_text(HTML, encoding="utf-8")
    doc = load_document(p)
    body = " ".join(x.text for x in sents(doc))
    assert "地铁3号线" in body and "45公里" in body
    assert "alert" not in doc.text and "color:red" not in doc.text and "首页" not in doc.text
    s = next(x for x in sents(doc) if "地铁3号线" in x.text)
    assert s.path == ("一、交通建设",) and doc.title == "示例新闻稿"
    check_offsets(doc)


def test_gb18030_and_utf16_files(tmp_path):
    a = tmp_path / "a.txt"
    a.write_bytes("今年新建停车场15个。\n".encode("gb18030"))
    b = tmp_path / "b.txt"
    b.write_bytes("今年植树造林2万亩。\n".encode("utf-16"))
    assert "停车场15个" in sents(load_document(a))[0].text
    assert any("gb18030" in n for n in load_document(a).notes)
    assert "植树造林2万亩" in sents(load_document(b))[0].text


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty"),
    ("bin.txt", bytes(range(256)) * 4, "binary"),
    ("x.gif", b"GIF89a", "unsupported"),
    ("x.png", b"\x89PNG", "not a readable image"),
    ("broken.docx", b"PK\x03\x04 nope", "not a readable .docx"),
    ("broken.pdf", b"%PDF-1.4 garbage", "not a readable PDF"),
])
def test_bad_files_are_refused_with_a_reason(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(DocumentError, match=reason):
        load_document(p)


def test_file_over_the_size_limit_names_the_limit(tmp_path, monkeypatch):
    import qa.text.decode as documents

    p = tmp_path / "big.txt"
    p.write_text("很长的文件。" * 1000, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"over the 0 MB limit"):
        documents.read_bytes(p, max_bytes=100)


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    p = tmp_path / "secret.txt"
    p.write_text("今年新建学校3所。", encoding="utf-8")
    real = type(p).read_bytes

    def deny(self):
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(type(p), "read_bytes", deny)  # tests run as root, where chmod 000 still reads
    summary = build_index([p, tmp_path / "nothing-here.txt"], tmp_path / "idx", embedder=HashEmbedder())
    assert summary.documents == 0 and any("permission denied" in why for _, why in summary.skipped)


def test_mixed_folder_indexes_the_good_and_reports_the_bad(tmp_path):
    folder = mixed_folder(tmp_path / "docs")
    summary = build_index([folder], tmp_path / "idx", embedder=HashEmbedder())
    assert sorted(summary.added) == ["district.docx", "english.pdf", "gbk.txt", "news.html", "report.md", "utf16.txt"]
    skipped = {p.rsplit("/", 1)[-1]: why for p, why in summary.skipped}
    assert "empty" in skipped["empty.txt"] and "binary" in skipped["binary.txt"]
    assert "no text layer" in skipped["scanned.pdf"] and "not a readable image" in skipped["image.png"]
    assert "docx" in skipped["broken.docx"]
    assert not summary.ok
    report = summary.report()
    assert "skipped    " in report and "6 documents" in report


def test_folder_with_nothing_usable(tmp_path):
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "a.gif").write_bytes(b"GIF89a")
    summary = build_index([folder], tmp_path / "idx", embedder=HashEmbedder())
    assert summary.documents == 0
    assert any("no supported documents" in why for _, why in summary.skipped)
    assert not (tmp_path / "idx" / "manifest.json").exists()
