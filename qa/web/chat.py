"""The chat handlers and the question API behind the web page.

A conversation lives on the server (a ``gr.State`` list of turns); the chat window is rendered
from it every time, never from what the browser sends back. Every error becomes one short
message (no trace, no path); the details go to the server log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from ..api import Answer, IndexUnusable, QuestionError, UnknownDocument, ask, context
from ..config.web import WEB_MAX_QUESTION_CHARS
from .feedback import FeedbackLog
from .render import answer_html, context_html, error_html, esc, sources_html

log = logging.getLogger(__name__)
MAX_TURNS = 20  # turns kept per conversation (older ones scroll away)
MAX_PICKED = 200  # documents one question may be scoped to by the picker (a bound on what the browser may send)


class TooLong(QuestionError):
    pass


def friendly(e: BaseException) -> str:
    """A short message for the user; unexpected errors are logged with their trace."""
    if isinstance(e, TooLong):
        return str(e)
    if isinstance(e, UnknownDocument):
        return "所选的文档已不在索引中：请刷新页面后重新选择。"
    if isinstance(e, QuestionError):
        return "请输入一个关于文档的问题。"
    log.exception("question failed", exc_info=e)
    if isinstance(e, IndexUnusable):
        return "索引暂时无法读取，请稍后再试或联系管理员。"
    return "服务器内部错误，已记录。请稍后再试。"


def check_question(question: object) -> str:
    if not isinstance(question, str):
        raise QuestionError("not a string")
    q = question.strip()
    if len(q) > WEB_MAX_QUESTION_CHARS:
        raise TooLong(f"问题太长（{len(q)} 字）：请把问题限制在 {WEB_MAX_QUESTION_CHARS} 字以内。")
    return q


def check_documents(picked: object) -> list[str] | None:
    """The documents picked to scope a question (ids; None: all). The browser sends them: anything but a short
    list of strings is refused (an id that is not indexed is refused by ask())."""
    if picked is None or picked == [] or picked == "":
        return None
    if not isinstance(picked, list) or len(picked) > MAX_PICKED or not all(isinstance(d, str) for d in picked):
        raise QuestionError("documents must be a list of document ids")
    return picked


@dataclass
class Turn:
    question: str
    resolved: str = ""
    answer: Answer | None = None
    error: str = ""

    def citation_text(self) -> str:
        if self.answer and not self.answer.abstained and self.answer.citations:
            return self.answer.citations[0].as_text()
        return ""


class Chat:
    def __init__(self, index_dir: Path, feedback: FeedbackLog):
        self.index_dir, self.feedback = Path(index_dir), feedback

    def answer(self, question: str, previous: list[Answer], documents: object = None) -> Answer:
        """The answer to a (possibly follow-up) question; ``Answer.resolved`` is the standalone question.
        ``documents``: the picker's documents (None or empty: all)."""
        return ask(check_question(question), self.index_dir, history=previous, documents=check_documents(documents))

    # ---------------------------------------------------------------- the page

    def history(self, turns: list[Turn], pending: str | None = None) -> list[dict]:
        msgs = []
        for t in turns:
            msgs.append({"role": "user", "content": esc(t.question)})
            reply = error_html(t.error) if t.error else answer_html(t.answer, t.question, t.resolved)
            msgs.append({"role": "assistant", "content": reply})
        if pending is not None:
            msgs.append({"role": "user", "content": esc(pending)})
            msgs.append({"role": "assistant", "content": '<div class="qa-reply qa-wait">正在查找…</div>'})
        return msgs

    def panel(self, turn: Turn | None) -> tuple[str, str]:
        """The sources panel and the copyable citation for one turn."""
        if turn is None or turn.answer is None:
            return sources_html(None), ""
        contexts = []
        for c in turn.answer.citations:
            try:
                contexts.append(context_html(context(c.doc, c.start, self.index_dir), c))
            except (KeyError, IndexUnusable):
                contexts.append("")
        return sources_html(turn.answer, contexts), turn.citation_text()

    def turn(self, question: str, turns: list[Turn] | None, documents: list[str] | None = None):
        """Chat submit: show the question at once, then the answer with its sources (``documents``: the
        picker's, None or empty: all)."""
        turns = list(turns or [])
        shown = (question or "").strip()
        if not shown:
            yield gr.skip(), self.history(turns), turns, gr.skip(), gr.skip()
            return
        if len(shown) > 200:
            shown = shown[:200] + "…"
        yield "", self.history(turns, pending=shown), turns, gr.skip(), gr.skip()
        previous = [t.answer for t in turns if t.answer is not None]
        try:
            answer = self.answer(question, previous, documents)
            t = Turn(shown, answer.resolved, answer)
        except Exception as e:  # noqa: BLE001 - every failure becomes a short message
            t = Turn(shown, error=friendly(e))
        turns = (turns + [t])[-MAX_TURNS:]
        sources, citation = self.panel(t)
        yield "", self.history(turns), turns, sources, citation

    def select(self, turns: list[Turn] | None, evt: gr.SelectData):
        """Clicking a reply shows its sources and citation."""
        turns = turns or []
        i = evt.index if isinstance(evt.index, int) else (evt.index or [0])[0]
        if not isinstance(i, int) or not 0 <= i // 2 < len(turns):
            return gr.skip(), gr.skip()
        return self.panel(turns[i // 2])

    def like(self, turns: list[Turn] | None, evt: gr.LikeData) -> str:
        """Feedback on a reply: appended to the feedback log."""
        turns = turns or []
        i = evt.index if isinstance(evt.index, int) else (evt.index or [0])[0]
        if not isinstance(i, int) or not 0 <= i // 2 < len(turns) or i % 2 == 0:
            return "只能对回答进行评价。"
        t = turns[i // 2]
        vote = {True: "useful", False: "not useful"}.get(evt.liked, "cleared")
        answer = t.answer.answer if t.answer else ""
        try:
            self.feedback.append(FeedbackLog.record(t.resolved or t.question, answer, t.citation_text(), vote))
        except Exception:  # noqa: BLE001
            log.exception("could not write feedback")
            return "反馈未能保存，请稍后再试。"
        return {"useful": "谢谢！已记录：有用。", "not useful": "谢谢！已记录：没有用。"}.get(vote, "已取消评价。")

    # ---------------------------------------------------------------- the API

    def api_ask(self, question: str) -> dict:
        """Answer one question from the indexed documents: the answer, verbatim, with its citations
        (the JSON of qa.answer.Answer; ``others``: what the other reports in scope answer). Questions over the
        length limit are refused with an error."""
        try:
            answer = ask(check_question(question), self.index_dir)
        except Exception as e:  # noqa: BLE001
            raise gr.Error(friendly(e), print_exception=False) from None
        return answer.to_dict()

    def api_context(self, doc: str, start: int) -> list[dict]:
        """The sentences around a cited passage: [{text, quote, section}], the cited one with quote=true."""
        try:
            return context(str(doc), int(start), self.index_dir)
        except (KeyError, ValueError, TypeError, OverflowError):  # OverflowError: start = Infinity
            raise gr.Error("没有这个段落。", print_exception=False) from None
        except Exception as e:  # noqa: BLE001
            raise gr.Error(friendly(e), print_exception=False) from None
