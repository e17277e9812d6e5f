"""Upload metering: who may upload, and how many bytes reach Gradio's staging folder.

Gradio stages an upload's files before any handler runs, so :class:`qa.web.guard.UploadGuard` checks
``/gradio_api/upload`` with an :class:`UploadMeter` first:

- an upload is refused on a read-only server; on a locked one it needs the admin password in the
  ``X-QA-Admin-Password`` header (URL-encoded; :data:`UPLOAD_PASSWORD_JS` makes the page send the password
  field's value), checked before a byte is staged and throttled per client address like every admin password;
- it needs a length (``Content-Length``, or chunked framing); the bytes are counted as they arrive
  (:class:`Metered`), so neither a small ``Content-Length`` nor chunked framing gets past the per-request limit:
  past it the upload is cut off (:class:`UploadTooLarge`: 413) and Gradio deletes what it had staged;
- the staging folder stays under ``WEB_STAGING_MAX_BYTES`` counting the room reserved by uploads in flight,
  pruning the oldest staged files (or refusing with 503); temporary files left behind by a failed or interrupted
  upload are deleted (:mod:`qa.web.staging`).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from urllib.parse import unquote

from starlette.formparsers import MultiPartException

from ..config.web import WEB_MAX_UPLOAD_REQUEST_BYTES, WEB_STAGING_MAX_BYTES
from .staging import prune_staging, sweep_orphans

log = logging.getLogger("qa.web.guard")  # the request guard's log: its lines keep the name they had
MULTIPART_OVERHEAD = 1024 * 1024  # headers and boundaries on top of the files themselves
PASSWORD_HEADER = "x-qa-admin-password"
STAGING_FULL = 503, "The upload staging area is full; try again in a minute. 上传暂存区已满，请稍后再试。"
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


class UploadMeter:
    """Who may upload (``gate``, a :class:`qa.web.admin.AdminGate`, or ``read_only``) and the bytes uploads may
    bring: ``max_request`` a request, ``staging_limit`` in ``staging`` with what uploads in flight have reserved."""

    def __init__(self, staging: Path, read_only: bool = False, gate=None,
                 max_request: int = WEB_MAX_UPLOAD_REQUEST_BYTES, staging_limit: int = WEB_STAGING_MAX_BYTES):
        self.staging, self.gate = Path(staging), gate
        self.read_only = read_only or (gate is not None and gate.mode == "readonly")
        self.max_request, self.staging_limit = max_request, staging_limit
        self._lock = threading.Lock()
        self.reserved = 0  # staging bytes promised to uploads in flight

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
            return 413, self.too_large_text()
        return None

    def too_large_text(self) -> str:
        limit_mb = self.max_request // (1024 * 1024)
        return (f"Upload too large: at most {limit_mb} MB per request (maximum allowed size). "
                f"每次上传合计不超过 {limit_mb} MB。")

    def reserve(self, headers: dict[bytes, bytes]) -> int | None:
        """Room in the staging folder for the most this upload may bring (what it declares, and never more than
        the per-request limit), pruning old staged files; the bytes reserved, or None when they do not fit
        (:data:`STAGING_FULL`). An upload that passed :meth:`refusal` only; :meth:`release` them after."""
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        allowed = self.max_request + MULTIPART_OVERHEAD
        if not chunked:
            allowed = min(allowed, int(headers[b"content-length"]))
        with self._lock:
            if not prune_staging(self.staging, allowed + self.reserved, self.staging_limit):
                return None
            self.reserved += allowed
        return allowed

    def release(self, allowed: int, status: int) -> None:
        """An upload is over (answered with ``status``): its reserved room goes back, its orphans are swept."""
        with self._lock:
            self.reserved -= allowed
        # a refused upload's own temporary files are closed by now (open ones belong to other uploads);
        # after a good one, files Gradio may still be moving are left alone for a minute
        sweep_orphans(self.staging, min_age=0 if status != 200 else 60)

    def metered(self, receive, send, allowed: int, client: str | None = None) -> Metered:
        return Metered(receive, send, allowed, client, self.too_large_text)


class Metered:
    """One upload's ``receive`` and ``send`` as Gradio gets them: the bytes counted as they arrive (past
    ``allowed``: :class:`UploadTooLarge`; the client leaving before the end: :class:`UploadInterrupted`), and
    the answer watched (``started``, ``status``; one past the limit or refused closes the connection)."""

    def __init__(self, receive, send, allowed: int, client: str | None, too_large_text):
        self._receive, self._send, self._too_large_text = receive, send, too_large_text
        self.allowed, self.client = allowed, client
        self.received, self.finished, self.started, self.status = 0, False, False, 0

    async def receive(self):
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.finished = not message.get("more_body", False)
            if self.received > self.allowed:
                log.warning("upload from %s cut off past %d bytes", self.client, self.allowed)
                raise UploadTooLarge(self._too_large_text())
        elif message["type"] == "http.disconnect" and not self.finished:
            raise UploadInterrupted("The upload was interrupted.")
        return message

    async def send(self, message) -> None:
        if message["type"] == "http.response.start":
            self.started, self.status = True, message.get("status", 200)
            if self.received > self.allowed or message.get("status", 200) >= 400:
                message = dict(message, headers=[(k, v) for k, v in message.get("headers", [])
                                                 if k.lower() != b"connection"] + [(b"connection", b"close")])
        await self._send(message)
