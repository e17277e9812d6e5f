"""The web handlers in-process, on an index built with the fake embedder (fast, no browser)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import gradio as gr
import pytest

import qa.web.chat as web_chat
import qa.web.docs as web_docs
from qa.index.store import IndexCorrupt
from qa.web.admin import UploadError
from qa.web.chat import Chat, Turn
from qa.web.docs import add_documents, public_documents, remove_document
from qa.web.feedback import FeedbackLog

SEED_NAME = "taiyuan_2022_government_work_report.txt"


@pytest.fixture()
def site(tmp_path, fake_index, monkeypatch):
    """A project home with a copy of the fake index, a documents folder and a staging folder."""
    monkeypatch.setenv("QA_MODEL", "qa.testing.fakes:HashEmbedder")
    idx = tmp_path / "index"
    shutil.copytree(fake_index, idx)
    staging = tmp_path / "staging"
    staging.mkdir()

    class Site:
        index_dir, docs, feedback = idx, tmp_path / "documents", FeedbackLog(tmp_path / "fb" / "feedback.jsonl")

        def stage(self, name: str, text: str) -> str:
            d = staging / str(len(list(staging.iterdir())))
            d.mkdir()
            (d / name).write_text(text, encoding="utf-8")
            return str(d / name)

        def add(self, *paths: str, progress=None) -> str:
            return add_documents(list(paths), staging=staging, docs_dir=self.docs, index_dir=idx, progress=progress)

    return Site()


def run_turn(chat: Chat, question: str, turns=None):
    steps = list(chat.turn(question, turns or []))
    return steps, steps[-1]


def test_a_turn_shows_the_question_at_once_then_answer_sources_and_citation(site):
    chat = Chat(site.index_dir, site.feedback)
    steps, (box, history, turns, sources, citation) = run_turn(chat, "今年地区生产总值预期增长多少？")
    assert len(steps) == 2 and "正在查找" in steps[0][1][-1]["content"]
    assert [m["role"] for m in history] == ["user", "assistant"] and box == ""
    assert len(turns) == 1 and turns[0].answer is not None
    assert "qa-answer" in history[1]["content"] and "<details" in sources
    assert not turns[0].answer.abstained and "7%" in turns[0].answer.answer
    assert citation == turns[0].answer.citations[0].as_text()


def test_an_over_long_question_is_refused_with_the_limit(site):
    _, (_, history, turns, _, citation) = run_turn(Chat(site.index_dir, site.feedback), "增长" * 300)
    assert "500" in history[-1]["content"] and "qa-error" in history[-1]["content"]
    assert turns[0].answer is None and citation == ""
    with pytest.raises(gr.Error, match="500"):
        Chat(site.index_dir, site.feedback).api_ask("增长" * 300)


def test_an_empty_question_changes_nothing(site):
    steps, last = run_turn(Chat(site.index_dir, site.feedback), "   ")
    assert len(steps) == 1 and last[2] == []


def test_internal_errors_become_short_messages_without_paths(site, monkeypatch, caplog):
    chat = Chat(site.index_dir, site.feedback)

    def boom(*a, **k):
        raise RuntimeError("secret failure at /srv/private/index/chunks.jsonl")

    monkeypatch.setattr(web_chat, "ask", boom)
    _, (_, history, _, _, _) = run_turn(chat, "今年地区生产总值预期增长多少？")
    assert "内部错误" in history[-1]["content"] and "/srv" not in history[-1]["content"]
    with pytest.raises(gr.Error) as e:
        chat.api_ask("今年地区生产总值预期增长多少？")
    assert "/srv" not in str(e.value) and "Traceback" not in str(e.value)
    assert "secret failure" in caplog.text  # the details are in the server log

    def corrupt(*a, **k):
        raise IndexCorrupt("/srv/private/index/manifest.json is unreadable")

    monkeypatch.setattr(web_chat, "ask", corrupt)
    _, (_, history, _, _, _) = run_turn(chat, "今年地区生产总值预期增长多少？")
    assert "索引暂时无法读取" in history[-1]["content"] and "/srv" not in history[-1]["content"]


def test_api_ask_returns_the_answer_json(site):
    d = Chat(site.index_dir, site.feedback).api_ask("今年地区生产总值预期增长多少？")
    assert set(d) >= {"question", "answer", "abstained", "citations", "message", "answer_start", "answer_end"}
    json.dumps(d, ensure_ascii=False)


def test_feedback_is_logged_for_replies_only(site):
    chat = Chat(site.index_dir, site.feedback)
    _, (_, _, turns, _, _) = run_turn(chat, "今年地区生产总值预期增长多少？")
    like = gr.LikeData(None, {"index": 1, "value": "x", "liked": True})
    assert "有用" in chat.like(turns, like)
    assert "只能" in chat.like(turns, gr.LikeData(None, {"index": 0, "value": "x", "liked": True}))
    assert "只能" in chat.like(turns, gr.LikeData(None, {"index": 7, "value": "x", "liked": False}))
    rows = [json.loads(x) for x in site.feedback.path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["vote"] == "useful"
    assert rows[0]["question"] == "今年地区生产总值预期增长多少？" and rows[0]["answer"] == turns[0].answer.answer


def test_follow_up_questions_are_resolved_against_the_previous_one(site):
    chat = Chat(site.index_dir, site.feedback)
    _, (_, _, turns, _, _) = run_turn(chat, "去年城镇居民人均可支配收入增长多少？")
    _, (_, history, turns, _, _) = run_turn(chat, "那农村呢？", turns)
    assert turns[1].resolved != "那农村呢？" and "农村" in turns[1].resolved and "收入" in turns[1].resolved
    assert "理解为" in history[-1]["content"]


def test_conversation_is_bounded_and_rendered_from_server_state(site):
    chat = Chat(site.index_dir, site.feedback)
    turns = [Turn(f"问题{i}", error="x") for i in range(web_chat.MAX_TURNS)]
    _, (_, history, turns, _, _) = run_turn(chat, "今年地区生产总值预期增长多少？", turns)
    assert len(turns) == web_chat.MAX_TURNS and len(history) == 2 * web_chat.MAX_TURNS
    assert history[0]["content"] == "问题1"


def test_upload_adds_a_document_that_can_then_be_asked_about(site):
    msg = site.add(site.stage("library.txt", "图书馆报告\n\n一、总体\n\n今年全市新建社区图书馆42座。\n"))
    assert "已添加 library.txt" in msg
    assert (site.docs / "library.txt").exists()
    docs = {d["doc_id"]: d for d in public_documents(site.index_dir, site.docs)}
    assert docs["library.txt"]["source"] == "uploaded" and docs[SEED_NAME]["source"] == "seed"
    assert all("path" not in d for d in docs.values())
    answer = Chat(site.index_dir, site.feedback).answer("今年全市新建社区图书馆多少座？", [])
    assert any(c.doc == "library.txt" for c in answer.citations)


def test_name_collisions_get_a_suffix_and_duplicates_are_skipped(site):
    msg = site.add(site.stage(SEED_NAME, "另一份报告\n\n一、其他\n\n全市新增博物馆8座。\n"))
    assert SEED_NAME.replace(".txt", "-2.txt") in msg
    again = site.add(site.stage("copy.txt", "另一份报告\n\n一、其他\n\n全市新增博物馆8座。\n"))
    assert "相同" in again and not (site.docs / "copy.txt").exists()
    ids = {d["doc_id"] for d in public_documents(site.index_dir, site.docs)}
    assert {SEED_NAME, SEED_NAME.replace(".txt", "-2.txt")} <= ids


def test_the_same_content_twice_in_one_upload_is_indexed_once(site):
    text = "图书馆报告\n\n一、总体\n\n今年全市新建社区图书馆42座。\n"
    msg = site.add(site.stage("a.txt", text), site.stage("b.txt", text))
    assert "已添加 a.txt" in msg and "跳过 b.txt：内容与已索引的 a.txt 相同" in msg
    assert (site.docs / "a.txt").exists() and not (site.docs / "b.txt").exists()
    again = site.add(site.stage("a.txt", text))  # same name and content: skipped, no a-2.txt left behind
    assert "跳过 a.txt" in again and "a-2" not in again and sorted(f.name for f in site.docs.iterdir()) == ["a.txt"]


def test_a_file_that_cannot_be_indexed_is_reported_and_not_kept(site):
    msg = site.add(site.stage("empty.txt", "   \n"), site.stage("ok.md", "# 标题\n\n今年新建公园12个。\n"))
    assert "未能索引 empty.txt" in msg and "已添加 ok.md" in msg
    assert not (site.docs / "empty.txt").exists() and (site.docs / "ok.md").exists()
    assert "/" not in msg.replace("50 MB", "")


def test_questions_are_answered_from_the_previous_index_during_a_rebuild(site, monkeypatch):
    chat = Chat(site.index_dir, site.feedback)
    before = chat.answer("今年地区生产总值预期增长多少？", [])
    entered, release = threading.Event(), threading.Event()

    def slow(stage, done, total):
        if stage == "embedding":
            entered.set()
            assert release.wait(30)

    result = {}
    t = threading.Thread(target=lambda: result.setdefault("msg", site.add(
        site.stage("park.txt", "公园报告\n\n一、总体\n\n今年新建口袋公园77个。\n"), progress=slow)))
    t.start()
    try:
        assert entered.wait(30)  # the build is inside its lock, embedding
        during = chat.answer("今年地区生产总值预期增长多少？", [])
        assert during.answer == before.answer
        assert "park.txt" not in {d["doc_id"] for d in public_documents(site.index_dir, site.docs)}
    finally:
        release.set()
        t.join(30)
    assert "已添加 park.txt" in result["msg"]
    assert "park.txt" in {d["doc_id"] for d in public_documents(site.index_dir, site.docs)}


def test_remove_deletes_the_upload_but_only_unindexes_a_seed(site):
    site.add(site.stage("library.txt", "图书馆报告\n\n一、总体\n\n今年全市新建社区图书馆42座。\n"))
    assert "已删除 library.txt" in remove_document("library.txt", docs_dir=site.docs, index_dir=site.index_dir)
    assert not (site.docs / "library.txt").exists()
    seed_path = Path(__file__).resolve().parent.parent / "seeds" / SEED_NAME
    site.add(site.stage("other.txt", "其他报告\n\n一、总体\n\n今年新建学校3所。\n"))
    msg = remove_document(SEED_NAME, docs_dir=site.docs, index_dir=site.index_dir)
    assert "只从索引里移除" in msg and seed_path.exists()
    with pytest.raises(UploadError, match="没有文档"):
        remove_document("../../etc/passwd", docs_dir=site.docs, index_dir=site.index_dir)
    with pytest.raises(UploadError, match="最后一个"):
        remove_document("other.txt", docs_dir=site.docs, index_dir=site.index_dir)


def test_a_failed_rebuild_leaves_nothing_behind(site, monkeypatch):
    def broken(*a, **k):
        raise OSError("disk full at /srv/private/index")

    monkeypatch.setattr(web_docs, "build_index", broken)
    with pytest.raises(UploadError) as e:
        site.add(site.stage("x.txt", "报告\n\n一、总体\n\n今年新建学校3所。\n"))
    assert "/srv" not in str(e.value) and "之前的索引保持不变" in str(e.value)
    assert not (site.docs / "x.txt").exists()
