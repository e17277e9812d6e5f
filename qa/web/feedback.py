"""The feedback log: votes on answers as JSON lines, bounded on disk.

:class:`FeedbackLog` appends JSON lines and rotates the file before it passes ``FEEDBACK_MAX_BYTES``, keeping
``FEEDBACK_BACKUPS`` old files: the log never exceeds ``(1 + FEEDBACK_BACKUPS) * FEEDBACK_MAX_BYTES`` on disk.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ..config.web import FEEDBACK_BACKUPS, FEEDBACK_MAX_BYTES, WEB_MAX_QUESTION_CHARS


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
