"""The web chat: ask questions about the indexed reports, see the quoted answer, manage documents.

``python app.py`` starts it (see app.py for the options). Layout: a 问答 tab (chat, example
questions, a sources panel whose passages open in their context, the copyable citation) and a
文档 tab (the indexed documents; upload and removal, guarded by :class:`qa.web.admin.AdminGate`).
Named API endpoints: ``/ask`` (question → Answer JSON), ``/documents``, ``/context``,
``/upload`` and ``/remove`` (the latter two need the admin password when the app is locked).
Every question route shares one concurrency id (:data:`ASK`): answered ``QA_WEB_ASK_CONCURRENCY`` at a time,
at most ``QA_WEB_ASK_PER_CLIENT`` per client address (:class:`qa.web.fair.FairShare`).
"""

from __future__ import annotations

from ..config.environment import library_environment

library_environment()  # before gradio is imported: no analytics, nothing downloaded

import logging  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from ..api import SUPPORTED, IndexNotFound, ask, ensure_index  # noqa: E402
from ..config.environment import default_index_dir, default_seeds_dir, project_home  # noqa: E402
from ..config.web import (WEB_MAX_QUESTION_CHARS, WEB_MAX_UPLOAD_FILE_BYTES, forwarding_environment,  # noqa: E402
                          web_ask_concurrency, web_ask_per_client, web_queue_size)
from .admin import LIMITS_TEXT, AdminGate, UploadError  # noqa: E402
from .chat import Chat, friendly  # noqa: E402
from .docs import STAGES, add_documents, public_documents, remove_document  # noqa: E402
from .fair import FairShare  # noqa: E402
from .feedback import FeedbackLog  # noqa: E402
from .render import CSS, documents_html, error_html, sources_html  # noqa: E402

log = logging.getLogger(__name__)
API_NAMES = ("ask", "documents", "context", "upload", "remove")  # the named endpoints (/gradio_api/call/<name>)
ASK = "ask"  # the concurrency id of every question route (the chat's submit and examples, the API's /ask)
EXAMPLES = ["今年地区生产总值预期增长多少？", "去年城镇居民人均可支配收入增长多少？", "未来五年要培育多少家新型研发机构？",
            "太原要和周边哪四个市建立常态化对接合作机制？", "How many new public parking spaces will Taiyuan add in 2022?"]
THEME_FONTS = [gr.themes.LocalFont("IBM Plex Sans"), "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
               "WenQuanYi Micro Hei", "ui-sans-serif", "system-ui", "sans-serif"]


# what each mode of the admin gate (qa.web.admin.AdminGate) means, said once at start-up
DOCUMENT_MODES = {
    "open": "anyone on this machine may add and remove them (the app listens on this machine only)",
    "password": "adding and removing them needs the admin password; asking does not",
    "readonly": "read-only (the app listens beyond this machine and no admin password is set)",
}


def prepare_index(index_dir: Path, docs_dir: Path) -> None:
    """Build the index from ``seeds/`` and the managed documents when there is none (progress on stdout)."""

    def note(stage: str, done: int, total: int) -> None:
        print(f"\r  {stage:<10} {done}/{total}   ", end="" if done < total else "\n", flush=True)

    try:
        ensure_index(index_dir, [default_seeds_dir(), docs_dir], progress=note)
    except IndexNotFound as e:
        raise SystemExit(f"Nothing to serve: {e}") from None


class WebApp:
    def __init__(self, index_dir: str | Path | None, gate: AdminGate, staging: Path | None):
        self.index_dir = Path(index_dir or default_index_dir())
        self.home = project_home()
        self.docs_dir = self.home / "documents"
        self.feedback = FeedbackLog(self.home / "feedback" / "feedback.jsonl")
        self.gate, self.staging = gate, staging
        self.chat = Chat(self.index_dir, self.feedback)

    def warm_up(self) -> None:
        """Load the index and the model now, so the first visitor does not wait."""
        try:
            ask(EXAMPLES[0], self.index_dir)
        except Exception as e:  # noqa: BLE001 - the page shows a short message; the log has the details
            log.error("warm-up failed: %s", e)

    # ---------------------------------------------------------------- documents tab

    def doc_views(self):
        try:
            docs = public_documents(self.index_dir, self.docs_dir)
        except Exception as e:  # noqa: BLE001
            return error_html(friendly(e)), gr.update(choices=[], value=None), gr.update(choices=[], value=[])
        choices = [(f"{d.get('label') or d['title'] or d['doc_id']}（{d['doc_id']}）", d["doc_id"]) for d in docs]
        return documents_html(docs), gr.update(choices=choices, value=None), gr.update(choices=choices, value=[])

    def api_documents(self) -> list[dict]:
        """The indexed documents: doc_id, title, sections, chunks, built, notes, source (seed/uploaded), and as a
        report place, year and label (empty where they could not be read)."""
        try:
            return public_documents(self.index_dir, self.docs_dir)
        except Exception as e:  # noqa: BLE001
            raise gr.Error(friendly(e), print_exception=False) from None

    def _discard_staged(self, paths: list[str]) -> None:
        if not self.staging:
            return
        root = self.staging.resolve()
        for p in paths:
            real = Path(p).resolve()
            if real.is_relative_to(root) and real.is_file():
                real.unlink(missing_ok=True)

    def admin_validator(self, target, password, request: gr.Request):
        """Checks the admin password before an upload or a removal enters the queue: refused callers hold
        no queue place and no admin slot, and wrong passwords are throttled per client address."""
        try:
            why = self.gate.refusal(password, client_host(request))
            message = why.message if why else ""
        except Exception:  # noqa: BLE001 - refuse; Gradio would echo the exception's text to the caller
            log.exception("checking the admin password failed")
            why, message = True, "服务器内部错误，已记录；文档没有改动。"
        return gr.validate(True, ""), gr.validate(not why, message)

    def on_upload(self, files, password: str, request: gr.Request, progress=gr.Progress()):
        paths = [str(f) for f in (files or []) if f] if isinstance(files, list) else []
        try:
            self.gate.check(password, client_host(request))
            progress(0, desc="检查文件")

            def note(stage: str, done: int, total: int) -> None:
                progress((done, total) if total else None, desc=f"{STAGES.get(stage, stage)} {done}/{total}")

            message = add_documents(paths, staging=self.staging, docs_dir=self.docs_dir,
                                    index_dir=self.index_dir, progress=note)
        except UploadError as e:
            message = str(e)
        except Exception:  # noqa: BLE001
            log.exception("upload failed")
            message = "服务器内部错误，已记录；文档没有改动。"
        finally:
            self._discard_staged(paths)
        table, choices, scoped = self.doc_views()
        return message, table, choices, scoped, None

    def on_remove(self, doc_id: str, password: str, request: gr.Request):
        try:
            self.gate.check(password, client_host(request))
            message = remove_document(doc_id, docs_dir=self.docs_dir, index_dir=self.index_dir)
        except UploadError as e:
            message = str(e)
        except Exception:  # noqa: BLE001
            log.exception("removal failed")
            message = "服务器内部错误，已记录；文档没有改动。"
        table, choices, scoped = self.doc_views()
        return message, table, choices, scoped

    # ---------------------------------------------------------------- the page

    def blocks(self) -> gr.Blocks:
        chat, locked, at_once = self.chat, self.gate.mode, web_ask_concurrency()
        with gr.Blocks(title="政府工作报告问答", delete_cache=(600, 3600)) as demo:
            turns = gr.State([])
            gr.HTML('<div class="qa-head"><span class="qa-title">政府工作报告问答</span><span class="qa-sub">'
                    '答案逐字引自报告原文，并注明出处（章节与字符位置）。Answers are quoted verbatim.</span></div>')
            with gr.Tabs():
                with gr.Tab("问答", id="chat"):
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3, min_width=420):
                            bot = gr.Chatbot(label="对话", show_label=False, height=370, latex_delimiters=[],
                                             sanitize_html=True, buttons=[], elem_id="qa-chat",
                                             group_consecutive_messages=False,
                                             placeholder="请在下方输入问题，或点击示例问题。")
                            with gr.Row():
                                question = gr.Textbox(label="问题", show_label=False, scale=5, lines=1, max_lines=4,
                                                      elem_id="qa-question",
                                                      placeholder=f"输入问题（不超过 {WEB_MAX_QUESTION_CHARS} 字），回车提问")
                                send = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="qa-send")
                            scope = gr.Dropdown(label="只问这些报告（不选则全部：问题里的地方和年份会选出报告）",
                                                choices=[], value=[], multiselect=True, elem_id="qa-doc-pick")
                            examples = gr.Dataset(components=[question], samples=[[q] for q in EXAMPLES],
                                                  label="示例问题（点击即问）", elem_id="qa-examples")
                            note = gr.Markdown("", elem_id="qa-feedback-note")
                        with gr.Column(scale=2, min_width=320):
                            gr.Markdown("**来源**　点开一条查看上下文")
                            sources = gr.HTML(sources_html(None), elem_id="qa-sources-panel", max_height=400)
                            citation = gr.Textbox(label="引用（可复制）", buttons=["copy"], interactive=False,
                                                  lines=3, elem_id="qa-citation")
                with gr.Tab("文档", id="docs"):
                    gr.Markdown(self.gate.status, elem_id="qa-lock")
                    table = gr.HTML(elem_id="qa-docs")
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3, visible=locked != "readonly"):
                            password = gr.Textbox(label="管理员密码", type="password", visible=locked == "password",
                                                  elem_id="qa-password")
                            files = gr.File(label="上传文档", file_count="multiple", type="filepath", height=150,
                                            file_types=sorted(SUPPORTED), elem_id="qa-files")
                            gr.Markdown(LIMITS_TEXT)
                            upload = gr.Button("添加并重建索引", variant="primary", elem_id="qa-upload")
                        with gr.Column(scale=2):
                            status = gr.Textbox(label="结果", lines=5, interactive=False, elem_id="qa-progress")
                            with gr.Column(visible=locked != "readonly"):
                                pick = gr.Dropdown(label="删除文档", choices=[], allow_custom_value=True,
                                                   elem_id="qa-remove-pick")
                                remove = gr.Button("删除所选文档", variant="stop", elem_id="qa-remove")

            ask_io = dict(inputs=[question, turns, scope], outputs=[question, bot, turns, sources, citation],
                          api_visibility="private", concurrency_id=ASK, concurrency_limit=at_once)
            question.submit(chat.turn, **ask_io)
            send.click(chat.turn, **ask_io)
            examples.click(self.example_turn, inputs=[examples, turns, scope], outputs=ask_io["outputs"],
                           api_visibility="private", concurrency_id=ASK, concurrency_limit=at_once)
            bot.select(chat.select, [turns], [sources, citation], api_visibility="private")
            bot.like(chat.like, [turns], [note], api_visibility="private")
            bot.clear(lambda: ([], sources_html(None), "", ""), None, [turns, sources, citation, note],
                      api_visibility="private")
            upload.click(self.on_upload, [files, password], [status, table, pick, scope, files], api_name="upload",
                         concurrency_id="admin", concurrency_limit=1, show_progress_on=[status],
                         validator=self.admin_validator)
            remove.click(self.on_remove, [pick, password], [status, table, pick, scope], api_name="remove",
                         concurrency_id="admin", concurrency_limit=1, validator=self.admin_validator)
            demo.load(self.doc_views, None, [table, pick, scope], api_visibility="private")
            gr.api(chat.api_ask, api_name="ask", concurrency_id=ASK, concurrency_limit=at_once)
            gr.api(self.api_documents, api_name="documents")
            gr.api(chat.api_context, api_name="context")
        return demo

    def example_turn(self, sample, turns, documents=None):
        text = sample[0] if isinstance(sample, (list, tuple)) and sample else sample
        yield from self.chat.turn(text if isinstance(text, str) else "", turns, documents)


def client_host(request: gr.Request | None) -> str | None:
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or ("?" if request is not None else None)


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="blue", font=THEME_FONTS,
                          font_mono=[gr.themes.LocalFont("IBM Plex Mono"), "ui-monospace", "monospace"])


def serve(host: str = "127.0.0.1", port: int | None = None, index_dir: str | Path | None = None,
          staging: Path | None = None) -> None:
    """Prepare the index, warm the model up and serve the app (blocks until stopped)."""
    from gradio.utils import get_upload_folder
    from starlette.middleware import Middleware

    from .admin import ConfigError, load_admin_password
    from .guard import UploadGuard
    from .uploads import UPLOAD_PASSWORD_JS

    staging = Path(staging or get_upload_folder())  # where Gradio stages uploads

    try:
        gate = AdminGate.create(host, load_admin_password())
    except ConfigError as e:
        raise SystemExit(f"Admin password: {e}") from None
    try:  # the web settings (qa.config.web), checked before anything is loaded
        queue_size, per_client, proxies = web_queue_size(), web_ask_per_client(), forwarding_environment()
        web_ask_concurrency()
    except ValueError as e:
        raise SystemExit(f"Web settings: {e}") from None
    app = WebApp(index_dir, gate, staging)
    prepare_index(app.index_dir, app.docs_dir)
    print(f"Loading the index and the model … Documents: {DOCUMENT_MODES[gate.mode]}. Questions: at most {per_client} "
          f"at a time from one client address" + (f" (forwarded by {', '.join(proxies)})." if proxies else "."),
          flush=True)
    app.warm_up()
    demo = app.blocks()
    demo.queue(default_concurrency_limit=1, max_size=queue_size, api_open=False)  # no /run/<name>: all queued
    fair = FairShare(per_client, ASK).attach(demo)  # a client's excess questions are refused before the queue
    guard = Middleware(UploadGuard, staging=staging, gate=gate, api_names=API_NAMES, fair=fair)
    demo.launch(server_name=host, server_port=port, share=False, show_error=False, quiet=True, prevent_thread_lock=True,
                max_file_size=WEB_MAX_UPLOAD_FILE_BYTES, theme=theme(), css=CSS, footer_links=["api"],
                run_history=False, enable_monitoring=False, mcp_server=False, ssr_mode=False, pwa=False,
                state_session_capacity=1000, app_kwargs={"middleware": [guard]},
                head=UPLOAD_PASSWORD_JS if gate.mode == "password" else None,
                blocked_paths=[str(app.docs_dir), str(app.index_dir), str(app.home / "feedback")])
    print(f"Serving the chat on {demo.local_url} (bound to {host}; Ctrl+C stops it).", flush=True)
    demo.block_thread()
