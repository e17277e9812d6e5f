"""Bounded writes from the web: the feedback log and Gradio's upload staging folder.

- :class:`FeedbackLog` appends JSON lines and rotates the file before it passes
  ``FEEDBACK_MAX_BYTES``, keeping ``FEEDBACK_BACKUPS`` old files: the log never exceeds
  ``(1 + FEEDBACK_BACKUPS) * FEEDBACK_MAX_BYTES`` on disk.
- :class:`UploadGuard` is ASGI middleware in front of Gradio's ``/gradio_api/upload`` route
  (files are staged there before any handler runs): it refuses uploads on a read-only server,
  requests without a length or larger than the per-request limit, and keeps the staging folder
  under ``WEB_STAGING_MAX_BYTES`` by pruning the oldest staged files (or refusing when it cannot).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ..config import (FEEDBACK_BACKUPS, FEEDBACK_MAX_BYTES, WEB_MAX_QUESTION_CHARS,
                     WEB_MAX_UPLOAD_REQUEST_BYTES, WEB_STAGING_MAX_BYTES)

log = logging.getLogger(__name__)
MULTIPART_OVERHEAD = 1024 * 1024  # headers and boundaries on top of the files themselves
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


class UploadGuard:
    """ASGI middleware guarding Gradio's upload route (see the module docstring); it also adds
    :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app, staging: Path, read_only: bool, max_request: int = WEB_MAX_UPLOAD_REQUEST_BYTES,
                 staging_limit: int = WEB_STAGING_MAX_BYTES):
        self.app, self.staging, self.read_only = app, Path(staging), read_only
        self.max_request, self.staging_limit = max_request, staging_limit
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/").endswith("/upload"):
            refusal = self.refusal(dict(scope.get("headers") or []))
            if refusal:
                status, text = refusal
                log.warning("upload refused (%s): %s", status, text)
                body = text.encode("utf-8")
                await send({"type": "http.response.start", "status": status,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def refusal(self, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        if self.read_only:
            return 403, "Uploads are disabled: this server is read-only. 只读模式，不能上传。"
        length = headers.get(b"content-length")
        if length is None or not length.strip().isdigit():
            return 411, "An upload needs a Content-Length. 上传请求缺少长度。"
        limit_mb = self.max_request // (1024 * 1024)
        if int(length) > self.max_request + MULTIPART_OVERHEAD:
            return 413, f"Upload too large: at most {limit_mb} MB per request. 每次上传合计不超过 {limit_mb} MB。"
        with self._lock:
            if not prune_staging(self.staging, int(length), self.staging_limit):
                return 503, "The upload staging area is full; try again in a minute. 上传暂存区已满，请稍后再试。"
        return None
