"""A small file cannot make the build do unbounded work: past a bound it is refused with its reason.

The hostile files come from ``tests/bombs.py``; the same files go through the web app in
``test_web_attacks.py``.
"""

from __future__ import annotations

import time

import pytest

import bombs
from fixtures import write_docx
from qa.config.limits import MAX_DOC_CHARS, MAX_DOC_PARAGRAPHS
from qa.index.build import build_index
from qa.testing.fakes import HashEmbedder
from qa.text.decode import DocumentError
from qa.text.formats import load_document

SENTENCE = "今年全市新建学校3所，新增学位5000个。"


@pytest.mark.parametrize("name, make, reason", [
    ("paragraphs.docx", lambda: bombs.docx_paragraph_bomb(1_000_000), "more than 20,000 paragraphs"),
    ("inflated.docx", lambda: bombs.docx_zip_bomb(100), r"decompresses to .* over the 64 MB limit"),
    ("pages.pdf", lambda: bombs.pdf_page_bomb(30_000), "more than 2,000 pages"),
    ("stream.pdf", lambda: bombs.pdf_stream_bomb(100), "decompresses to more than 2 MB"),
    ("tags.html", lambda: bombs.html_nesting_bomb(100_000), "more than 100,000 tags"),
    ("nested.html", lambda: bombs.html_nesting_bomb(3_000), "nested too deeply"),
])
def test_bombs_are_refused_quickly_with_the_bound(tmp_path, name, make, reason):
    data = make()
    assert len(data) < 4 * 1024 * 1024  # small files …
    t = time.perf_counter()
    with pytest.raises(DocumentError, match=reason):
        load_document(tmp_path / name, data)
    assert time.perf_counter() - t < 10  # … refused in seconds (before: 14-64 s and 1.5 GB)


def test_a_pdf_whose_count_lies_is_still_bounded(tmp_path):
    data = bombs.pdf_page_bomb(2_500).replace(b"/Count 2500", b"/Count 1   ")
    with pytest.raises(DocumentError, match="more than 2,000 pages"):
        load_document(tmp_path / "liar.pdf", data)


def test_text_past_the_character_and_paragraph_bounds_is_refused(tmp_path):
    chars = tmp_path / "long.txt"
    chars.write_text("标题\n\n" + (SENTENCE * 200 + "\n\n") * (MAX_DOC_CHARS // (len(SENTENCE) * 200) + 1),
                     encoding="utf-8")
    with pytest.raises(DocumentError, match="characters of text, over the 2,000,000 limit"):
        load_document(chars)
    paras = tmp_path / "many.md"
    paras.write_text("\n\n".join(f"第{i}段。" for i in range(MAX_DOC_PARAGRAPHS + 5)), encoding="utf-8")
    with pytest.raises(DocumentError, match="paragraphs, over the 20,000 limit"):
        load_document(paras)


def test_ordinary_documents_stay_well_within_the_bounds(tmp_path, seed_path):
    assert load_document(write_docx(tmp_path / "d.docx")).paragraphs
    assert load_document(seed_path).paragraphs
    ok = tmp_path / "ok.docx"
    ok.write_bytes(bombs.docx_paragraph_bomb(5_000))  # 5,000 paragraphs: fine
    assert SENTENCE in load_document(ok).text


def test_the_build_skips_a_bomb_with_its_reason_and_indexes_the_rest(tmp_path, seed_path):
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(bombs.docx_paragraph_bomb(1_000_000))
    summary = build_index([seed_path, bomb], tmp_path / "idx", embedder=HashEmbedder())
    assert summary.documents == 1 and summary.added == [seed_path.name]
    (name, why), = summary.skipped
    assert name.endswith("bomb.docx") and "more than 20,000 paragraphs" in why
