"""ask() end to end with the fake embedder (no model)."""

import pytest

from qa.api import QuestionError, ask


def test_answer_shape_and_offsets(fake_index, seed_text):
    a = ask("今年城镇新增就业人数多少？", index_dir=fake_index, top_k=5)
    assert isinstance(a.answer, str) and isinstance(a.abstained, bool)
    assert len(a.citations) == 5
    for c in a.citations:
        assert c.doc == "taiyuan_2022_government_work_report.txt" and c.title == "政府工作报告"
        assert "".join(seed_text[c.start:c.end].split()) == "".join(c.quote.split())
    assert not a.abstained and "8万人" in a.answer
    assert a.answer in a.citations[0].quote
    hs, he = a.citations[0].highlight
    assert a.citations[0].quote[hs:he] == a.answer
    assert "".join(seed_text[a.answer_start:a.answer_end].split()) == "".join(a.answer.split())
    assert a.resolved == a.question == "今年城镇新增就业人数多少？"
    d = a.to_dict()
    assert d["citations"][0]["quote"] == a.citations[0].quote


def test_a_follow_up_is_answered_as_the_previous_question_with_its_new_subject(fake_index):
    first = ask("去年城镇居民人均可支配收入增长多少？", index_dir=fake_index)
    a = ask("那农村呢？", index_dir=fake_index, history=[first])
    assert a.question == "那农村呢？" and a.resolved == "去年农村居民人均可支配收入增长多少？"
    assert ask("那农村呢？", index_dir=fake_index, history=["去年城镇居民人均可支配收入增长多少？"]).resolved == a.resolved
    assert a.to_dict()["resolved"] == a.resolved
    # a question that is no follow-up is answered as asked, whatever came before
    b = ask("今年城镇新增就业人数多少？", index_dir=fake_index, history=[first, a])
    assert b.resolved == b.question and "8万人" in b.answer
    # the follow-up after a follow-up refers to the question actually answered last
    c = ask("城镇呢？", index_dir=fake_index, history=[first, a])
    assert c.resolved.startswith("去年城镇") and c.resolved.endswith("人均可支配收入增长多少？")


@pytest.mark.parametrize("q", ["", "   ", "？？？", "\n\t"])
def test_empty_question_is_an_error(fake_index, q):
    with pytest.raises(QuestionError, match="empty"):
        ask(q, index_dir=fake_index)


def test_import_loads_no_model():
    import subprocess
    import sys

    code = ("import sys, qa; assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules "
            "and 'faiss' not in sys.modules, sorted(m for m in sys.modules if 'torch' in m)[:5]")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_index_builds_from_seeds_first(tmp_path, monkeypatch, seed_path):
    import shutil

    home = tmp_path / "home"
    (home / "seeds").mkdir(parents=True)
    shutil.copy(seed_path, home / "seeds")
    monkeypatch.setenv("QA_HOME", str(home))
    monkeypatch.setenv("QA_MODEL", "qa.testing.fakes:HashEmbedder")
    monkeypatch.delenv("QA_INDEX", raising=False)
    a = ask("固定资产投资增长多少？")
    assert (home / "index" / "manifest.json").exists()
    assert a.citations


def test_no_index_and_no_seeds_says_how_to_build(tmp_path, monkeypatch):
    from qa.index.store import IndexNotFound

    monkeypatch.setenv("QA_HOME", str(tmp_path))
    with pytest.raises(IndexNotFound, match="qa build"):
        ask("问题", index_dir=tmp_path / "index")


def test_asking_with_another_model_than_the_index_is_refused(fake_index, copy_index, monkeypatch):
    from qa.index.store import IndexMismatch

    ask("今年新建多少座5G基站？", index_dir=fake_index)  # loaded and cached with its own model
    with pytest.raises(IndexMismatch, match="built with model"):  # a model asked for by the call
        ask("今年新建多少座5G基站？", index_dir=fake_index, model="some/other-model")
    monkeypatch.setenv("QA_MODEL", "some/other-model")  # a process whose model is another one (checked on loading)
    with pytest.raises(IndexMismatch, match="built with model"):
        ask("今年新建多少座5G基站？", index_dir=copy_index(fake_index))
