"""Incremental rebuilds, removal, duplicates and crash safety."""

import os
import shutil
import signal
import subprocess
import sys

import pytest

from conftest import ROOT
from qa.api import ask
from qa.index.build import build_index, remove_documents
from qa.testing.fakes import HashEmbedder
from qa.index.store import Index, read_manifest

DOC_A = "一、总体\n\n今年新建学校12所，新增学位8000个。\n"
DOC_B = "一、交通\n\n今年新开通公交线路20条，新建充电桩500个。\n"
DOC_C = "一、环境\n\n今年植树造林3万亩，空气优良天数达到280天。\n"


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture()
def two_docs(tmp_path):
    """A folder with a.txt and b.txt, indexed with a fake embedder: (docs, index, embedder)."""
    docs, idx, emb = tmp_path / "docs", tmp_path / "idx", HashEmbedder()
    write(docs, "a.txt", DOC_A)
    write(docs, "b.txt", DOC_B)
    build_index([docs], idx, embedder=emb)
    return docs, idx, emb


def test_adding_a_document_embeds_only_that_document(two_docs):
    docs, idx, emb = two_docs
    before = emb.calls
    write(docs, "c.txt", DOC_C)
    s = build_index([docs], idx, embedder=emb)
    c_chunks = len([c for c in Index.load(idx).chunks if c.doc == "c.txt"])
    assert emb.calls - before == c_chunks, "unchanged documents were embedded again"
    assert s.added == ["c.txt"] and sorted(s.unchanged) == ["a.txt", "b.txt"] and s.embedded == c_chunks


def test_new_word_lists_make_a_rebuild_read_everything_again(two_docs, monkeypatch):
    """An index whose tokens and periods came from another lexicon version keeps none of them."""
    import qa.index.build

    docs, idx, emb = two_docs
    assert read_manifest(idx)["lexicon"] == qa.index.build.LEXICON_VERSION
    monkeypatch.setattr(qa.index.build, "LEXICON_VERSION", qa.index.build.LEXICON_VERSION + 1)
    s = build_index([docs], idx, embedder=emb)
    assert s.reused == 0 and sorted(s.added) == ["a.txt", "b.txt"]
    assert read_manifest(idx)["lexicon"] == qa.index.build.LEXICON_VERSION


def test_changed_document_is_read_again_and_removed_one_disappears(two_docs):
    docs, idx, emb = two_docs
    write(docs, "a.txt", DOC_A.replace("12所", "15所"))
    (docs / "b.txt").unlink()
    s = build_index([docs], idx, embedder=emb)
    assert s.added == ["a.txt"] and s.removed == ["b.txt"]
    index = Index.load(idx)
    assert {c.doc for c in index.chunks} == {"a.txt"}
    assert any("15所" in c.text for c in index.chunks) and not any("12所" in c.text for c in index.chunks)


def test_keep_existing_adds_without_removing(tmp_path):
    idx, emb = tmp_path / "idx", HashEmbedder()
    build_index([write(tmp_path / "d1", "a.txt", DOC_A)], idx, embedder=emb)
    s = build_index([write(tmp_path / "d2", "b.txt", DOC_B)], idx, embedder=emb, keep_existing=True)
    assert s.documents == 2 and s.removed == [] and s.unchanged == ["a.txt"]


def test_remove_documents_without_reembedding(two_docs):
    _, idx, emb = two_docs
    calls = emb.calls
    s = remove_documents(["b.txt", "nope.txt"], idx)
    assert s.removed == ["b.txt"] and s.skipped == [("nope.txt", "not in the index")]
    assert emb.calls == calls
    index = Index.load(idx)
    assert {c.doc for c in index.chunks} == {"a.txt"} and list(index.documents) == ["a.txt"]
    assert [c.id for c in index.chunks] == list(range(len(index.chunks)))


def test_same_content_under_two_names_is_indexed_once(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", DOC_A)
    write(docs, "copy-of-a.txt", DOC_A)
    s = build_index([docs], tmp_path / "idx", embedder=HashEmbedder())
    assert s.documents == 1 and s.duplicates == [("copy-of-a.txt", "a.txt")]
    assert "same content as a.txt" in s.report()


def test_leftovers_of_a_crashed_build_are_harmless(tmp_path, seed_path):
    idx = tmp_path / "idx"
    build_index([seed_path], idx, embedder=HashEmbedder())
    gen = read_manifest(idx)["generation"]
    shutil.copytree(idx / gen, idx / "g9999999999999-1.tmp")  # killed while writing files
    shutil.copytree(idx / gen, idx / "g9999999999999-2")  # killed before the manifest swap
    (idx / "manifest.json.tmp").write_text("{half a manifest")  # killed while writing the manifest
    assert Index.load(idx).manifest["generation"] == gen
    build_index([seed_path], idx, embedder=HashEmbedder())
    names = {p.name for p in idx.iterdir()}
    assert not any(n.endswith(".tmp") and n.startswith("g") for n in names)
    assert "g9999999999999-2" not in names


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["killed while embedding", "finished"])
def test_a_build_killed_mid_way_leaves_the_old_index_answering(tmp_path, seed_path, stop):
    """Killed while it embeds (its embedder pauses there: qa.testing.fakes.SlowHashEmbedder), a rebuild leaves the
    old index whole and answering; let finish, the new one. (Kills inside the writing are the leftovers above.)"""
    idx = tmp_path / "idx"
    env = dict(os.environ, QA_MODEL="qa.testing.fakes:HashEmbedder")
    subprocess.run([sys.executable, "-m", "qa.cli", "build", str(seed_path), "--index", str(idx)],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    before = ask("今年城镇新增就业人数多少？", index_dir=idx)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(40):
        shutil.copy(seed_path, big / f"report_{i:02d}.txt")
        with open(big / f"report_{i:02d}.txt", "a", encoding="utf-8") as f:
            f.write(f"\n\n附记第{i}号。\n")
    slow = dict(env, QA_MODEL="qa.testing.fakes:SlowHashEmbedder") if stop != "finished" else env
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "build", str(big), "--index", str(idx)],
                            env=slow, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stop == "finished":
        assert proc.wait(timeout=300) == 0
    else:
        seen = b""
        while b"embedding" not in seen:  # the slow embedder says it is pausing: the build is inside embedding
            chunk = proc.stderr.read1(256)
            assert chunk, f"the build ended before embedding: {seen[-400:]!r}"
            seen += chunk
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
    proc.stderr.close()
    index = Index.load(idx)  # verifies every checksum
    after = ask("今年城镇新增就业人数多少？", index_dir=idx)
    if stop == "finished":
        assert sorted(index.documents) == [f"report_{i:02d}.txt" for i in range(40)]
        assert after.answer == before.answer and after.citations[0].doc.startswith("report_")
    else:
        assert list(index.documents) == [seed_path.name]
        assert after.to_dict() | {"seconds": 0} == before.to_dict() | {"seconds": 0}


def test_many_small_documents_name_the_right_document(tmp_path):
    from qa.testing.corpus import encyclopedia

    probes = encyclopedia(tmp_path / "enc", 300)
    summary = build_index([tmp_path / "enc"], tmp_path / "idx", embedder=HashEmbedder())
    assert summary.documents == 300
    for fname, question, expected in probes[::37]:
        a = ask(question, index_dir=tmp_path / "idx")
        assert a.citations[0].doc == fname, (question, a.citations[0].doc)
        assert a.citations[0].title.endswith("号")
        assert not a.abstained and expected in a.answer


def test_adding_known_content_under_a_new_name_keeps_the_old_document(tmp_path):
    idx, emb = tmp_path / "idx", HashEmbedder()
    build_index([write(tmp_path / "d1", "a.txt", DOC_A)], idx, embedder=emb)
    s = build_index([write(tmp_path / "d2", "renamed.txt", DOC_A)], idx, embedder=emb, keep_existing=True)
    assert s.duplicates == [("renamed.txt", "a.txt")] and s.unchanged == ["a.txt"]
    assert list(Index.load(idx).documents) == ["a.txt"]
