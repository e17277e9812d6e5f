"""Admin gate, upload names and limits, bounded feedback and staging (no server, no model)."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qa.web.admin as web_admin
from qa.config.web import WEB_MAX_UPLOAD_FILE_BYTES, WEB_MAX_UPLOAD_FILES
from qa.text.formats import SUPPORTED
from qa.web.admin import (AdminGate, ConfigError, UploadError, check_uploads, is_loopback, load_admin_password,
                          safe_name, scrub, store)
from qa.web.feedback import FeedbackLog
from qa.web.guard import UploadGuard
from qa.web.staging import prune_staging

HOSTILE_NAMES = {
    "../../x.txt": "x.txt",
    "/etc/passwd.txt": "passwd.txt",
    "C:\\Windows\\system32\\evil.md": "evil.md",
    "a\x00b.txt": "ab.txt",
    "\x1b[31mred\x07.txt": "[31mred.txt",
    "line\nbreak\r.txt": "linebreak.txt",
    ".hidden.txt": "hidden.txt",
    "report.TXT": "report.txt",
    "trailing.txt. ": "trailing.txt",
    "<img src=x onerror=alert(1)>.html": "_img src=x onerror=alert(1)_.html",
    "..\\..\\win.txt": "win.txt",
    ".txt": "document.txt",
}


@pytest.mark.parametrize("raw,expected", HOSTILE_NAMES.items())
def test_hostile_names_become_safe_base_names(raw, expected):
    assert safe_name(raw) == expected


def test_very_long_names_are_shortened_keeping_the_extension():
    name = safe_name("长" * 300 + ".txt")
    assert name.endswith(".txt") and len(name.encode()) <= web_admin.MAX_NAME_BYTES + 4


@pytest.mark.parametrize("raw", ["x.exe", "noext", "..", ".", "a.txt.sh", "", "/", "x.php\x00.txt/"])
def test_unsupported_or_empty_names_are_refused(raw):
    with pytest.raises(UploadError):
        safe_name(raw)


@given(st.text(max_size=300), st.sampled_from(sorted(SUPPORTED)))
@settings(max_examples=300, deadline=None)
def test_any_name_stays_inside_the_folder(tmp_path_factory, stem, ext):
    name = safe_name(stem + ext)
    assert name.endswith(ext) and not name.startswith(".")
    assert not any(c in name for c in "/\\\x00") and all(c.isprintable() for c in name)
    assert len(name.encode()) <= 255
    folder = Path("/srv/docs")
    assert (folder / name).parent == folder and (folder / name).name == name


def test_store_never_overwrites_and_adds_a_numeric_suffix(tmp_path):
    docs, src = tmp_path / "documents", tmp_path / "up.txt"
    src.write_text("新内容", encoding="utf-8")
    docs.mkdir()
    (docs / "report.txt").write_text("旧内容", encoding="utf-8")
    taken = {"report.txt", "Seed.TXT"}
    first = store(src, docs, "report.txt", taken)
    second = store(src, docs, "report.txt", taken)
    third = store(src, docs, "seed.txt", taken)  # an indexed document's name, other case
    assert [first.name, second.name, third.name] == ["report-2.txt", "report-3.txt", "seed-2.txt"]
    assert (docs / "report.txt").read_text(encoding="utf-8") == "旧内容"
    assert {p.parent for p in (first, second, third)} == {docs}


def test_uploads_outside_staging_symlinks_and_oversize_files_are_refused(tmp_path):
    staging, docs = tmp_path / "staging", tmp_path / "documents"
    staging.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("秘密", encoding="utf-8")
    (staging / "link.txt").symlink_to(outside)
    big = staging / "big.txt"
    with open(big, "wb") as f:
        f.truncate(WEB_MAX_UPLOAD_FILE_BYTES + 1)
    for paths in ([str(outside)], [str(staging / "link.txt")], [str(staging / ".." / "secret.txt")],
                  [str(staging / "missing.txt")]):
        with pytest.raises(UploadError, match="无效"):
            check_uploads(paths, staging, docs)
    with pytest.raises(UploadError, match="20 MB"):
        check_uploads([str(big)], staging, docs)
    with pytest.raises(UploadError, match="请先选择"):
        check_uploads([], staging, docs)


def test_per_request_total_and_file_count_are_limited(tmp_path):
    parts = []
    for i in range(3):
        p = tmp_path / f"p{i}.txt"
        with open(p, "wb") as f:
            f.truncate(18 * 1024 * 1024)
        parts.append(str(p))
    with pytest.raises(UploadError, match="50 MB"):
        check_uploads(parts, tmp_path, tmp_path / "documents")
    small = []
    for i in range(WEB_MAX_UPLOAD_FILES + 1):
        (tmp_path / f"s{i}.txt").write_text("一句话。", encoding="utf-8")
        small.append(str(tmp_path / f"s{i}.txt"))
    with pytest.raises(UploadError, match=str(WEB_MAX_UPLOAD_FILES)):
        check_uploads(small, tmp_path, tmp_path / "documents")
    assert [u.name for u in check_uploads(small[:2], tmp_path, tmp_path / "documents")] == ["s0.txt", "s1.txt"]


def test_gate_modes_follow_the_bind_address_and_the_password():
    assert AdminGate.create("127.0.0.1", None).mode == "open"
    assert AdminGate.create("localhost", None).mode == "open"
    assert AdminGate.create("::1", None).mode == "open"
    assert AdminGate.create("0.0.0.0", None).mode == "readonly"
    assert AdminGate.create("192.168.1.5", None).mode == "readonly"
    assert AdminGate.create("127.0.0.1", "s3cret").mode == "password"
    assert not is_loopback("example.com") and is_loopback("127.0.0.2")


def test_gate_refuses_missing_and_wrong_passwords_and_accepts_the_right_one(monkeypatch):
    compared = []
    real = web_admin.hmac.compare_digest
    monkeypatch.setattr(web_admin.hmac, "compare_digest", lambda a, b: compared.append(1) or real(a, b))
    gate = AdminGate.create("0.0.0.0", "s3cret-密码")
    for wrong in ("", None, "s3cret", "s3cret-密码 ", "S3CRET-密码"):
        with pytest.raises(UploadError, match="密码"):
            gate.check(wrong)
    gate.check("s3cret-密码")
    assert compared  # constant-time comparison used
    with pytest.raises(UploadError, match="只读"):
        AdminGate.create("0.0.0.0", None).check("anything")
    AdminGate.create("127.0.0.1", None).check(None)


def test_password_comes_from_the_environment_or_a_file(tmp_path):
    assert load_admin_password({}) is None
    assert load_admin_password({"QA_ADMIN_PASSWORD": ""}) is None
    assert load_admin_password({"QA_ADMIN_PASSWORD": "abc"}) == "abc"
    f = tmp_path / "pw"
    f.write_text("from-file\n", encoding="utf-8")
    assert load_admin_password({"QA_ADMIN_PASSWORD_FILE": str(f)}) == "from-file"
    with pytest.raises(ConfigError):
        load_admin_password({"QA_ADMIN_PASSWORD": "a", "QA_ADMIN_PASSWORD_FILE": str(f)})
    with pytest.raises(ConfigError, match="cannot read"):
        load_admin_password({"QA_ADMIN_PASSWORD_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="empty"):
        load_admin_password({"QA_ADMIN_PASSWORD_FILE": str(tmp_path / "empty")})


def test_scrub_removes_server_paths():
    msg = scrub("cannot read /home/qa/index/g1/chunks.jsonl ('/tmp/x/y.txt') or C:\\data\\z.pdf; 3/4 done")
    assert "/home" not in msg and "/tmp" not in msg and "C:\\" not in msg
    assert "chunks.jsonl" in msg and "y.txt" in msg and "z.pdf" in msg and "3/4" in msg


def test_feedback_log_rotates_and_stays_bounded(tmp_path):
    log = FeedbackLog(tmp_path / "feedback" / "feedback.jsonl", max_bytes=2000, backups=2)
    for i in range(200):
        log.append(FeedbackLog.record(f"问题{i}" * 5, "答案" * 20, "引用" * 30, "useful"))
    files = log.files()
    assert len(files) == 3 and sum(f.stat().st_size for f in files) <= 3 * 2000
    last = [json.loads(x) for x in log.path.read_text(encoding="utf-8").splitlines()][-1]
    assert last["question"].startswith("问题199") and last["vote"] == "useful" and "time" in last


def test_feedback_records_are_bounded():
    r = FeedbackLog.record("问" * 5000, "答" * 5000, "引" * 9000, "useful" * 10)
    assert len(r["question"]) == 500 and len(r["answer"]) == 1000 and len(r["citation"]) == 2000
    assert len(r["vote"]) <= 20


def test_staging_prune_deletes_oldest_old_files_and_refuses_when_they_are_recent(tmp_path):
    old = time.time() - 3600
    for i in range(5):
        p = tmp_path / f"h{i}" / "f.txt"
        p.parent.mkdir()
        p.write_bytes(b"x" * 1000)
        os.utime(p, (old + i, old + i))
    assert prune_staging(tmp_path, 1500, limit=5000)
    left = sorted(p.parent.name for p in tmp_path.rglob("f.txt"))
    assert left == ["h2", "h3", "h4"]  # the two oldest went
    fresh = tmp_path / "new.bin"
    fresh.write_bytes(b"y" * 4000)
    assert not prune_staging(tmp_path, 4000, limit=5000, min_age=60)
    assert fresh.exists()


def _call(guard: UploadGuard, path: str, headers: dict[bytes, bytes], method: str = "POST"):
    sent = []

    async def send(msg):
        sent.append(msg)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": method, "path": path, "headers": list(headers.items())}
    asyncio.run(guard(scope, receive, send))
    return sent


def test_upload_guard_refuses_before_gradio_sees_the_upload(tmp_path):
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    ro = UploadGuard(app, tmp_path, read_only=True)
    assert _call(ro, "/gradio_api/upload", {b"content-length": b"10"})[0]["status"] == 403
    rw = UploadGuard(app, tmp_path, read_only=False, max_request=50 * 1024 * 1024)
    assert _call(rw, "/gradio_api/upload", {})[0]["status"] == 411
    too_big = _call(rw, "/gradio_api/upload/", {b"content-length": str(60 * 1024 * 1024).encode()})
    assert too_big[0]["status"] == 413 and b"50 MB" in too_big[1]["body"]
    assert reached == []
    ok = _call(rw, "/gradio_api/upload", {b"content-length": b"1000"})
    assert ok[0]["status"] == 200 and reached == ["/gradio_api/upload"]
    page = _call(ro, "/", {}, method="GET")
    headers = dict(page[0]["headers"])
    assert b"img-src 'self' data: blob:" in headers[b"content-security-policy"]
    assert reached[-1] == "/"
