"""Bounded writes from the web: the feedback log, Gradio's routes and its upload staging folder.

- :class:`FeedbackLog` appends JSON lines and rotates the file before it passes
  ``FEEDBACK_MAX_BYTES``, keeping ``FEEDBACK_BACKUPS`` old files: the log never exceeds
  ``(1 + FEEDBACK_BACKUPS) * FEEDBACK_MAX_BYTES`` on disk.
- :class:`UploadGuard` is ASGI middleware in front of all of Gradio:

  * only the routes this app writes through are reachable with anything but GET/HEAD: the queue
    (``/gradio_api/queue/join``, ``/cancel``, ``/reset``), the named API (``/gradio_api/call/<name>``)
    and ``/gradio_api/upload``. Gradio's other built-ins (``/process_recording``, ``/run/…``,
    ``/component_server``, ``/stream/…``, ``/login`` …) answer 404; websockets are refused;
  * files in the staging folder are never served back (``/gradio_api/file=…``): 404;
  * an upload (files are staged before any handler runs) is refused on a read-only server; on a
    locked one it needs the admin password in the ``X-QA-Admin-Password`` header (URL-encoded; the
    page sends the password field's value), checked before a byte is staged and throttled per client
    address like every admin password; it needs a length (``Content-Length``, or chunked framing);
    the bytes are counted as they arrive, so neither a small ``Content-Length`` nor chunked framing
    gets past the per-request limit: past it the upload is cut off with 413 and Gradio deletes what
    it had staged; the staging folder stays under ``WEB_STAGING_MAX_BYTES`` counting the room
    reserved by uploads in flight, pruning the oldest staged files (or refusing with 503);
    temporary files left behind by a failed or interrupted upload are deleted;
  * with a :class:`qa.web.fair.FairShare`, a question (a queue/join of a question event, or
    ``/gradio_api/call/ask``) from an address that has its share answering or waiting already is refused
    with 429 before Gradio sees it (the body of a queue/join, at most ``MAX_JOIN_BYTES``, is read here to
    tell which event it joins, then handed on as it came).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from urllib.parse import unquote

from starlette.formparsers import MultiPartException

from ..config import (FEEDBACK_BACKUPS, FEEDBACK_MAX_BYTES, WEB_MAX_QUESTION_CHARS,
                     WEB_MAX_UPLOAD_REQUEST_BYTES, WEB_STAGING_MAX_BYTES)

log = logging.getLogger(__name__)
MULTIPART_OVERHEAD = 1024 * 1024  # headers and boundaries on top of the files themselves
# A queue/join's JSON body: the page's for a 500-character question measured 1,575 bytes (under 4 KB even with
# every character \u-escaped); an upload's lists at most 10 staged files, a few hundred bytes each. A larger one
# is refused (413) before Gradio parses it.
MAX_JOIN_BYTES = 256 * 1024
# Defence in depth for untrusted text: even if some markup slipped through escaping, the page may
# load nothing from another host, and cannot be framed by another site.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
     b"worker-src 'self' blob:; object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
     b"form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class _BytesRotatingHandler(RotatingFileHandler):
    """Rotates by bytes written (the stock handler counts characters; feedback is mostly Chinese)."""

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        size = len((self.format(record) + self.terminator).encode(self.encoding))
        self.stream.seek(0, 2)
        return self.stream.tell() > 0 and self.stream.tell() + size > self.maxBytes


class FeedbackLog:
    """Feedback lines in JSON, written through a rotating file handler (bounded on disk)."""

    def __init__(self, path: Path, max_bytes: int = FEEDBACK_MAX_BYTES, backups: int = FEEDBACK_BACKUPS):
        if backups < 1:
            raise ValueError("keep at least one rotated feedback file")
        self.path, self.max_bytes, self.backups = Path(path), max_bytes, backups
        self._handler: RotatingFileHandler | None = None
        self._lock = threading.Lock()

    @staticmethod
    def record(question: str, answer: str, citation: str, vote: str) -> dict:
        """One feedback line, every field bounded."""
        return {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "vote": vote[:20],
                "question": question[:WEB_MAX_QUESTION_CHARS], "answer": answer[:1000], "citation": citation[:2000]}

    def append(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False)
        if len(line.encode("utf-8")) + 1 > self.max_bytes:
            raise ValueError("feedback record too large")
        with self._lock:
            if self._handler is None:  # opened on the first vote, not when the app starts
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handler = _BytesRotatingHandler(self.path, maxBytes=self.max_bytes, backupCount=self.backups,
                                                      encoding="utf-8")
            self._handler.handle(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))
            self._handler.flush()

    def files(self) -> list[Path]:
        return sorted(p for p in self.path.parent.glob(self.path.name + "*") if p.is_file())


def folder_size(folder: Path) -> int:
    total = 0
    for root, _, names in os.walk(folder):
        for n in names:
            try:
                total += os.lstat(os.path.join(root, n)).st_size
            except OSError:
                pass
    return total


def prune_staging(folder: Path, need: int, limit: int = WEB_STAGING_MAX_BYTES, min_age: float = 60.0) -> bool:
    """Delete the oldest staged files (older than ``min_age`` s) until ``need`` more bytes fit under ``limit``."""
    if not folder.is_dir():
        return need <= limit
    size = folder_size(folder)
    if size + need <= limit:
        return True
    files = []
    for root, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(root, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, p))
    now = time.time()
    for mtime, fsize, p in sorted(files):
        if size + need <= limit:
            break
        if now - mtime < min_age:
            break  # in use by a recent upload; refuse instead
        try:
            os.unlink(p)
            size -= fsize
        except OSError:
            pass
    return size + need <= limit


API = "/gradio_api"
UPLOAD_ROUTE = f"{API}/upload"
JOIN_ROUTE = f"{API}/queue/join"
QUEUE_ROUTES = frozenset({JOIN_ROUTE, f"{API}/cancel", f"{API}/reset"})  # what the page's client posts to
PASSWORD_HEADER = "x-qa-admin-password"
# The page sends the password field's value with every upload (Gradio's client posts files with fetch).
UPLOAD_PASSWORD_JS = """<script>(() => {
  const send = window.fetch;
  window.fetch = function (input, init) {
    try {
      const url = new URL(typeof input === "string" ? input : input.url, location.href);
      if (url.pathname.endsWith("/gradio_api/upload") && init && init.method === "POST") {
        const field = document.querySelector("#qa-password input");
        if (field && field.value) {
          const headers = new Headers(init.headers || {});
          headers.set("X-QA-Admin-Password", encodeURIComponent(field.value));
          init = Object.assign({}, init, {headers});
        }
      }
    } catch (e) { /* leave the request as it was */ }
    return send.call(this, input, init);
  };
})();</script>"""


class UploadTooLarge(MultiPartException):
    """Raised from ``receive`` inside Gradio's multipart parser, which then deletes the files it had staged
    and answers 413 (its own rule: a message naming the "maximum allowed size")."""


class UploadInterrupted(MultiPartException):
    """The client went away mid-upload: raised the same way, so the partial files are deleted too."""


def sweep_orphans(folder: Path, min_age: float = 60.0) -> int:
    """Delete temporary files Gradio left at the top of the staging folder (``tmp…``, from a failed
    or interrupted upload) that no upload has open and that are older than ``min_age`` seconds."""
    try:
        names = [e for e in os.scandir(folder) if e.name.startswith("tmp") and e.is_file(follow_symlinks=False)]
    except OSError:
        return 0
    if not names:
        return 0
    open_now = set()
    try:
        for fd in os.listdir("/proc/self/fd"):
            try:
                open_now.add(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass
    except OSError:
        min_age = max(min_age, 3600.0)  # cannot tell which are open: only very old ones
    removed, now = 0, time.time()
    for e in names:
        try:
            if e.path in open_now or now - e.stat(follow_symlinks=False).st_mtime < min_age:
                continue
            os.unlink(e.path)
            removed += 1
        except OSError:
            pass
    return removed


def _respond(status: int, text: str, extra: list | None = None):
    body = text.encode("utf-8")
    return ({"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close")] + (extra or [])},
            {"type": "http.response.body", "body": body})


async def _read_body(receive, limit: int) -> bytes | None:
    """A request's body, read up to just past ``limit`` bytes (longer: cut there); None when the client left."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that hands on ``body`` once, as one message, then waits on the connection as before."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


BAD_REQUEST = json.dumps({"detail": "Invalid request. 请求无效。"}).encode()


def _short_bad_requests(send):
    """Gradio answers a call it refuses before the queue (an input it cannot read, say) with 400 and the
    exception's text, which may repeat paths; this sends a short fixed message instead."""
    replacing = False

    async def wrapped(message):
        nonlocal replacing
        if message["type"] == "http.response.start" and message.get("status") == 400:
            replacing = True
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in (b"content-length",
                                                                                          b"content-type")]
            message = dict(message, headers=headers + [(b"content-type", b"application/json"),
                                                       (b"content-length", str(len(BAD_REQUEST)).encode())])
        elif message["type"] == "http.response.body" and replacing:
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": BAD_REQUEST}
        await send(message)

    return wrapped


class UploadGuard:
    """ASGI middleware guarding Gradio's routes and its upload staging (see the module docstring); it also
    adds :data:`SECURITY_HEADERS` to every HTTP response.

    ``gate`` (a :class:`qa.web.admin.AdminGate`) decides who may upload; without one, ``read_only``
    does. ``api_names`` are the named endpoints reachable at ``/gradio_api/call/<name>`` (None: any).
    ``fair`` (a :class:`qa.web.fair.FairShare`, attached to the app's Blocks) bounds each address's questions.
    """

    def __init__(self, app, staging: Path, read_only: bool = False, max_request: int = WEB_MAX_UPLOAD_REQUEST_BYTES,
                 staging_limit: int = WEB_STAGING_MAX_BYTES, gate=None, api_names=None, fair=None):
        self.app, self.staging, self.gate, self.fair = app, Path(staging), gate, fair
        self.read_only = read_only or (gate is not None and gate.mode == "readonly")
        self.max_request, self.staging_limit = max_request, staging_limit
        self.api_names = frozenset(api_names) if api_names is not None else None
        self._lock = threading.Lock()
        self._reserved = 0  # staging bytes promised to uploads in flight

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "websocket":  # this app uses none: refuse the handshake
            await send({"type": "websocket.close", "code": 1008})
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        method, path = scope["method"], scope["path"]
        route = path.rstrip("/") or "/"
        if method in ("GET", "HEAD"):
            if self._is_staged_file(route):
                await self._refuse(send_with_headers, 404, "Not found.", f"{method} staged file")
                return
            await self.app(scope, receive, send_with_headers)
            return
        if method != "POST":
            await self._refuse(send_with_headers, 405, "Method not allowed.", f"{method} {path[:80]}")
            return
        if route == UPLOAD_ROUTE:
            await self._upload(scope, receive, send_with_headers)
            return
        if route in QUEUE_ROUTES or self._is_api_call(route):
            if self.fair is not None and (route == JOIN_ROUTE or self._is_api_call(route)):
                await self._question(scope, receive, _short_bad_requests(send_with_headers), route)
                return
            await self.app(scope, receive, _short_bad_requests(send_with_headers))
            return
        await self._refuse(send_with_headers, 404, "Not found.", f"POST {path[:80]}")

    def _is_api_call(self, route: str) -> bool:
        prefix = f"{API}/call/"
        if not route.startswith(prefix):
            return False
        name = route[len(prefix):]
        return "/" not in name and (self.api_names is None or name in self.api_names)

    def _is_staged_file(self, route: str) -> bool:
        for prefix in (f"{API}/file=", f"{API}/file/", "/file="):
            if route.startswith(prefix):
                target = route[len(prefix):]
                break
        else:
            return False
        try:
            real = Path(os.path.abspath(target)).resolve()
            return real.is_relative_to(self.staging.resolve())
        except (OSError, ValueError, RuntimeError):
            return True  # cannot tell: do not serve it

    @staticmethod
    async def _refuse(send, status: int, text: str, what: str = "", extra: list | None = None) -> None:
        log.warning("refused %s (%s): %s", what or "request", status, text)
        start, body = _respond(status, text, extra)
        await send(start)
        await send(body)

    # ---------------------------------------------------------------- questions

    async def _question(self, scope, receive, send, route: str) -> None:
        """A call that may queue an event: a question past its address's share is refused (429) here."""
        client = (scope.get("client") or (None,))[0]
        if route == JOIN_ROUTE:
            body = await _read_body(receive, MAX_JOIN_BYTES)
            if body is None:  # the client went away
                return
            if len(body) > MAX_JOIN_BYTES:
                await self._refuse(send, 413, "Request too large.", "queue/join")
                return
            receive = _replay(body, receive)
            try:
                joined = json.loads(body)
                question = self.fair.is_question_event(joined.get("fn_index") if isinstance(joined, dict) else None)
            except (ValueError, RecursionError):  # not JSON (or nested past the parser's depth)
                question = False  # Gradio answers it (422)
        else:
            question = self.fair.is_question_api(route.rsplit("/", 1)[1])
        if not question:
            await self.app(scope, receive, send)
            return
        if why := self.fair.refusal(client):
            body = json.dumps({"detail": why.message}, ensure_ascii=False).encode("utf-8")
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", str(why.wait_s).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        release = self.fair.admit(client)

        async def released_send(message):
            if message["type"] == "http.response.start":
                release()  # Gradio has answered the call: its event is in the queue now (or was not queued)
            await send(message)

        try:
            await self.app(scope, receive, released_send)
        finally:
            release()

    # ---------------------------------------------------------------- uploads

    def refusal(self, headers: dict[bytes, bytes], client: str | None = None) -> tuple[int, str] | None:
        """Why an upload is refused before a byte of it is read (status, message), or None."""
        if self.read_only:
            return 403, "Uploads are disabled: this server is read-only. 只读模式，不能上传。"
        if self.gate is not None and self.gate.mode == "password":
            given = headers.get(PASSWORD_HEADER.encode())
            password = unquote(given.decode("latin-1"), errors="replace") if given else ""
            why = self.gate.refusal(password, client)
            if why and why.status == 401:
                return 401, (f"{why.message}请先填写管理员密码，再选择文件。 Uploading needs the admin password "
                             f"(header X-QA-Admin-Password).")
            if why:
                return why.status, f"{why.message} Too many wrong admin passwords from this address: wait."
        return self._framing(headers)

    def _framing(self, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        length = headers.get(b"content-length")
        if not chunked and (length is None or not length.strip().isdigit()):
            return 411, "An upload needs a Content-Length. 上传请求缺少长度。"
        if not chunked and int(length) > self.max_request + MULTIPART_OVERHEAD:
            return 413, self._too_large_text()
        return None

    def _too_large_text(self) -> str:
        limit_mb = self.max_request // (1024 * 1024)
        return (f"Upload too large: at most {limit_mb} MB per request (maximum allowed size). "
                f"每次上传合计不超过 {limit_mb} MB。")

    async def _upload(self, scope, receive, send) -> None:
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        client = (scope.get("client") or (None,))[0]
        refusal = self.refusal(headers, client)
        if refusal:
            await self._refuse(send, *refusal, what="upload")
            return
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        # the most this request may bring: what it declares, and never more than the per-request limit
        allowed = self.max_request + MULTIPART_OVERHEAD
        if not chunked:
            allowed = min(allowed, int(headers[b"content-length"]))
        with self._lock:
            if not prune_staging(self.staging, allowed + self._reserved, self.staging_limit):
                status, text = 503, "The upload staging area is full; try again in a minute. 上传暂存区已满，请稍后再试。"
            else:
                status, text = 0, ""
                self._reserved += allowed
        if status:
            await self._refuse(send, status, text, what="upload")
            return
        received, finished, started, status = 0, False, False, 0

        async def counted_receive():
            nonlocal received, finished
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
                if received > allowed:
                    log.warning("upload from %s cut off past %d bytes", client, allowed)
                    raise UploadTooLarge(self._too_large_text())
            elif message["type"] == "http.disconnect" and not finished:
                raise UploadInterrupted("The upload was interrupted.")
            return message

        async def watched_send(message):
            nonlocal started, status
            if message["type"] == "http.response.start":
                started, status = True, message.get("status", 200)
                if received > allowed or message.get("status", 200) >= 400:
                    message = dict(message, headers=[(k, v) for k, v in message.get("headers", [])
                                                     if k.lower() != b"connection"] + [(b"connection", b"close")])
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except (UploadTooLarge, UploadInterrupted) as e:  # in case Gradio did not turn it into its answer
            if not started:
                status = 413 if isinstance(e, UploadTooLarge) else 400
                await self._refuse(send, status, e.message, what="upload")
        finally:
            with self._lock:
                self._reserved -= allowed
            # a refused upload's own temporary files are closed by now (open ones belong to other uploads);
            # after a good one, files Gradio may still be moving are left alone for a minute
            sweep_orphans(self.staging, min_age=0 if status != 200 else 60)
