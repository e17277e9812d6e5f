
import pytest

from qa.text.decode import DocumentError, decode
from qa.text.documents import clean_text, load_text_document
from qa.text.structure import build_structure
from qa.text.tokens import fold


def sentences_of(path):
    doc = load_text_document(path)
    return doc, build_structure(doc)[1]


def test_page_break_words_are_joined(seed_path):
    _, sents = sentences_of(seed_path)
    texts = [s.text for s in sents]
    assert any("抢抓机遇、倒逼提速" in t for t in texts)
    assert any("转化一流科技成果" in t for t in texts)
    assert not any(t.endswith("、倒") or t.endswith("转化一流") for t in texts)


def test_block_printed_twice_is_kept_once_and_text_after_belongs_to_section_three(seed_path):
    doc, sents = sentences_of(seed_path)
    heading = "真抓实干,全力推动太原一体化经济区建设"
    assert sum(heading in p.text for p in doc.paragraphs) == 1
    assert sum("建设太原一体化经济区是引领山西中部城市群高质量发展的关键之举" in s.text for s in sents) == 1
    after = next(s for s in sents if "推行企业开办极简审批" in s.text)
    assert after.path[1].startswith("(三)精准施策")
    assert any("removed 2 line(s) printed twice" in n for n in doc.notes)


def test_offsets_point_into_the_original_file(seed_path, seed_text):
    doc, sents = sentences_of(seed_path)
    assert doc.text == seed_text
    for s in sents:
        assert "".join(seed_text[s.start:s.end].split()) == "".join(s.text.split()), s
    # a sentence that spans the page break contains the break in the file, not in the quote
    s = next(s for s in sents if "抢抓机遇、倒逼提速" in s.text)
    assert "\n" in seed_text[s.start:s.end] and "\n" not in s.text


def test_half_and_full_width_punctuation_alike():
    text = "一、总体情况\n\n（一）全角标题，说明。正文第一句！正文第二句？\n\n(二)半角标题,说明.正文句子!另一句?\n"
    doc_pars = clean_text(text)
    assert [p.text[:2] for p in doc_pars] == ["一、", "（一", "(二"]
    from qa.text.documents import Document
    doc = Document("t.txt", "t.txt", text, "x", doc_pars)
    sections, sents = build_structure(doc)
    titles = [s.title for s in sections]
    assert "（一）全角标题，说明" in titles and "(二)半角标题,说明.正文句子" not in titles
    assert any(t.startswith("(二)半角标题") for t in titles)
    assert "正文第一句！" in [s.text for s in sents] and "正文第二句？" in [s.text for s in sents]


def test_newspaper_continuation_marker_is_dropped(seed_path):
    _, sents = sentences_of(seed_path)
    assert not any("上接第1版" in s.text for s in sents)
    assert sents[0].text.startswith("方特、晋阳里正式开业")


def test_truncated_end_is_noted(seed_path):
    doc, _ = sentences_of(seed_path)
    assert any("truncated" in n for n in doc.notes)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_decodes_common_chinese_encodings(encoding):
    text = "政府工作报告：地区生产总值增长7%，力争实现7.5%。"
    decoded, enc = decode(text.encode(encoding))
    assert decoded.lstrip("\ufeff") == text


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"   \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(128, 256)) * 20, "not valid"),
])
def test_bad_bytes_are_refused_with_a_reason(data, message):
    with pytest.raises(DocumentError, match=message):
        decode(data, "x.txt")


def test_fold_unifies_width_quotes_and_space():
    assert fold("（一）“六稳” ,７％") == fold("(一)\"六稳\",7%")
