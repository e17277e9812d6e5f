"""Unit tests for the locks of issue 13 (the same attacks through the real app: test_web_security.py).

The password throttle with a fake clock, and the ASGI guard with a stub app: byte-counted uploads
(chunked or with a lying length), the route allowlist, staged files never served, orphans swept.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from qa.web.admin import AdminGate, Throttle, UploadError, client_key
from qa.web.guard import UploadGuard
from qa.web.staging import sweep_orphans


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_throttle_doubles_the_wait_per_address_and_forgets():
    clock = Clock()
    t = Throttle(base=1, cap=8, forget=100, clock=clock)
    assert t.wait("10.0.0.1") == 0
    assert [t.failed("10.0.0.1") for _ in range(5)] == [1, 2, 4, 8, 8]
    assert t.wait("10.0.0.1") == 8 and t.wait("10.0.0.2") == 0  # only the guesser waits
    clock.now += 8
    assert t.wait("10.0.0.1") == 0
    clock.now += 200  # a quiet while: forgotten, the next wrong one starts at 1 s again
    assert t.wait("10.0.0.1") == 0 and t.failed("10.0.0.1") == 1
    t.succeeded("10.0.0.1")
    assert t.wait("10.0.0.1") == 0


def test_throttle_remembers_a_bounded_number_of_addresses():
    t = Throttle(max_clients=3, clock=Clock())
    for i in range(10):
        t.failed(f"10.0.0.{i}")
    assert len(t._state) == 3 and t.wait("10.0.0.9") > 0 and t.wait("10.0.0.0") == 0


def test_ipv6_clients_are_throttled_by_their_64_network():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7" and client_key("127.0.0.1") == "127.0.0.1"
    assert client_key(None) == "?"


def test_gate_refuses_at_once_while_an_address_waits_and_never_sleeps():
    clock = Clock()
    gate = AdminGate.create("0.0.0.0", "s3cret")
    gate.throttle = Throttle(base=1, cap=60, clock=clock)
    t0 = time.perf_counter()
    assert gate.refusal("wrong", "10.0.0.1").status == 401
    waiting = gate.refusal("s3cret", "10.0.0.1")  # even the right password waits its turn …
    assert waiting.status == 429 and "1 秒后再试" in waiting.message
    assert gate.refusal("s3cret", "10.0.0.2") is None  # … nobody else does
    assert gate.refusal("", "10.0.0.3").status == 401 and gate.throttle.wait("10.0.0.3") == 0  # empty: no guess
    assert time.perf_counter() - t0 < 0.5
    clock.now += 1
    assert gate.refusal("s3cret", "10.0.0.1") is None
    for odd in (123, ["s3cret"], {"p": 1}, None):  # API callers may send anything
        with pytest.raises(UploadError, match="密码"):
            gate.check(odd)


def _run(guard, scope_extra: dict, chunks: list[bytes], app_reads: bool = True):
    """Send one request through the guard to a stub Gradio that reads the whole body (as its upload route does)."""
    sent, seen = [], {"bytes": 0}

    async def app(scope, receive, send):
        if app_reads:
            while True:
                msg = await receive()
                seen["bytes"] += len(msg.get("body", b""))
                if not msg.get("more_body"):
                    break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guard.app = app
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(msg):
        sent.append(msg)

    scope = {"type": "http", "method": "POST", "path": "/gradio_api/upload", "headers": [], "client": ("10.0.0.9", 1)}
    scope.update(scope_extra)
    asyncio.run(guard(scope, receive, send))
    return sent, seen


def test_chunked_and_lying_uploads_are_cut_off_by_the_bytes_received(tmp_path):
    guard = UploadGuard(None, tmp_path, max_request=1000)
    mb = b"x" * 200_000
    chunked = {"headers": [(b"transfer-encoding", b"chunked"), (b"content-length", b"100")]}
    sent, seen = _run(guard, chunked, [mb] * 20)  # 4 MB chunked, declaring 100 bytes
    assert sent[0]["status"] == 413 and b"MB per request" in sent[1]["body"]
    assert seen["bytes"] <= 1000 + 1024 * 1024  # Gradio saw no more than the limit and its overhead
    assert guard.uploads.reserved == 0
    sent, _ = _run(guard, chunked, [b"x" * 500, b""])  # a small chunked upload is fine
    assert sent[0]["status"] == 200


def test_an_upload_stays_within_what_it_declared(tmp_path):
    guard = UploadGuard(None, tmp_path)
    sent, seen = _run(guard, {"headers": [(b"content-length", b"1000")]}, [b"x" * 600, b"x" * 600])
    assert sent[0]["status"] == 413 and seen["bytes"] < 1200


def test_uploads_need_the_password_before_anything_is_read(tmp_path):
    gate = AdminGate.create("0.0.0.0", "s3cret-密码")
    guard = UploadGuard(None, tmp_path, gate=gate)
    length = [(b"content-length", b"10")]
    sent, seen = _run(guard, {"headers": length}, [b"x" * 10])
    assert sent[0]["status"] == 401 and seen["bytes"] == 0
    sent, seen = _run(guard, {"headers": length + [(b"x-qa-admin-password", b"wrong")]}, [b"x" * 10])
    assert sent[0]["status"] == 401 and seen["bytes"] == 0
    sent, _ = _run(guard, {"headers": length + [(b"x-qa-admin-password", b"s3cret-%E5%AF%86%E7%A0%81")]}, [b"x" * 10])
    assert sent[0]["status"] == 429  # this address guessed wrong a moment ago
    guard.gate.throttle.succeeded("10.0.0.9")
    sent, seen = _run(guard, {"headers": length + [(b"x-qa-admin-password", b"s3cret-%E5%AF%86%E7%A0%81")]},
                      [b"x" * 10])
    assert sent[0]["status"] == 200 and seen["bytes"] == 10


def test_only_the_apps_own_routes_take_writes_and_staged_files_are_not_served(tmp_path):
    guard = UploadGuard(None, tmp_path, api_names=["ask", "remove"])
    staged = tmp_path / "abc" / "f.txt"
    staged.parent.mkdir()
    staged.write_text("x")

    def status(method, path):
        sent, _ = _run(guard, {"method": method, "path": path}, [b""], app_reads=False)
        return sent[0]["status"]

    for path in ("/gradio_api/queue/join", "/gradio_api/call/ask", "/gradio_api/call/remove/", "/gradio_api/cancel"):
        assert status("POST", path) == 200, path
    for path in ("/gradio_api/process_recording", "/gradio_api/run/ask", "/gradio_api/call/other", "/login",
                 "/gradio_api/component_server", "/gradio_api/stream/1", "/gradio_api/call/ask/x", "/x/upload"):
        assert status("POST", path) == 404, path
    assert status("PUT", "/gradio_api/queue/join") == 405
    assert status("GET", f"/gradio_api/file={staged}") == 404
    assert status("GET", f"/gradio_api/file={tmp_path}/abc/../abc/f.txt") == 404
    assert status("GET", "/gradio_api/file=/usr/share/elsewhere.txt") == 200  # Gradio's own rules apply there
    assert status("GET", "/") == 200


def test_orphaned_temporary_files_are_swept_unless_open(tmp_path):
    orphan, busy, staged = tmp_path / "tmpdead", tmp_path / "tmpbusy", tmp_path / "hash" / "tmpkeep"
    staged.parent.mkdir()
    for p in (orphan, busy, staged):
        p.write_bytes(b"")
    with open(busy, "rb"):
        assert sweep_orphans(tmp_path, min_age=0) == 1
        assert not orphan.exists() and busy.exists() and staged.exists()
    old = time.time() - 3600
    os.utime(busy, (old, old))
    assert sweep_orphans(tmp_path) == 1 and not busy.exists()
