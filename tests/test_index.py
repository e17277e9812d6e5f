import json

import numpy as np
import pytest

from qa.config import INDEX_FORMAT_VERSION
from qa.index.build import build_index
from qa.testing.fakes import HashEmbedder
from qa.index.store import Index, IndexCorrupt, IndexMismatch, IndexNotFound, read_manifest


def test_index_folder_layout(fake_index):
    manifest = read_manifest(fake_index)
    assert manifest["model"] == HashEmbedder.model_id
    assert manifest["chunking"] == {"unit": "sentence", "max_chars": 240, "context": "section-titles"}
    assert manifest["format_version"] == INDEX_FORMAT_VERSION == 3  # 3: documents record their place, year, outline
    src = manifest["sources"]["taiyuan_2022_government_work_report.txt"]
    assert len(src["sha256"]) == 64
    assert src["label"] == "太原市 · 2022年政府工作报告"
    gen = fake_index / manifest["generation"]
    assert {p.name for p in gen.iterdir()} == {"index.faiss", "chunks.jsonl", "documents.jsonl"}
    first = (gen / "chunks.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert "方特" in first and "\\\\u" not in first  # ensure_ascii=False
    assert json.loads(first)["section"].startswith("（过去工作回顾）")


def test_index_built_with_another_model_is_refused(fake_index):
    with pytest.raises(IndexMismatch, match="built with model 'qa.testing.fakes:HashEmbedder'"):
        Index.load(fake_index, model_id="some/other-model")


def test_other_format_version_is_refused(fake_index, copy_index):
    idx = copy_index(fake_index)
    m = json.loads((idx / "manifest.json").read_text())
    m["format_version"] = 99
    (idx / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexMismatch, match="rebuild"):
        Index.load(idx)


@pytest.mark.parametrize("name", ["index.faiss", "chunks.jsonl"])
def test_corrupted_file_is_detected(fake_index, copy_index, name):
    idx = copy_index(fake_index)
    target = idx / read_manifest(idx)["generation"] / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Index.load(idx)


def test_garbled_manifest_is_detected(fake_index, copy_index):
    idx = copy_index(fake_index)
    (idx / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Index.load(idx)


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexNotFound, match="qa build"):
        Index.load(tmp_path / "nothing")


def test_rebuild_reuses_unchanged_documents(tmp_path, seed_path):
    emb = HashEmbedder()
    first = build_index([seed_path], tmp_path / "i", embedder=emb)
    before = Index.load(tmp_path / "i")
    calls = emb.calls
    again = build_index([seed_path], tmp_path / "i", embedder=emb)
    assert emb.calls == calls, "an unchanged document was embedded again"
    assert again.reused == first.chunks and again.embedded == 0
    after = Index.load(tmp_path / "i")
    assert after.manifest["generation"] != before.manifest["generation"]  # a new generation, same content
    assert [c.to_json() for c in after.chunks] == [c.to_json() for c in before.chunks]
    ids = list(range(len(after.chunks)))
    assert np.array_equal(after.vectors_of(ids), before.vectors_of(ids))


def test_embedded_text_carries_short_headings_but_the_quote_does_not(fake_index):
    from qa.index.build import embed_text

    c = next(c for c in Index.load(fake_index).chunks if "新建高标准农田" in c.text)
    assert embed_text(c) == "三、2022年工作安排 > (二)坚定转型 > 以特优发展为路径：" + c.text
    assert c.section.startswith("三、2022年工作安排 > (二)坚定转型,三次产业协同发力")
