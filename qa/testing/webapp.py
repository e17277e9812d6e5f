"""Helpers for the tests that drive the real app: start ``app.py`` in its own home, a browser, uploads.

Each app instance gets a private project home (``QA_HOME``) with a copy of the seeds and, when the
checkout has a built index, a copy of it (saves building it again), so the shared index, documents
and feedback folders of the checkout are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..config.environment import child_environment, project_home

ROOT = project_home()  # the checkout: app.py, seeds/, the built index
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SEED_NAME = "taiyuan_2022_government_work_report.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_home(base: Path, copy_index: bool = True) -> Path:
    home = base / "home"
    (home / "seeds").mkdir(parents=True)
    shutil.copy(ROOT / "seeds" / SEED_NAME, home / "seeds" / SEED_NAME)
    if copy_index and (ROOT / "index" / "manifest.json").exists():
        shutil.copytree(ROOT / "index", home / "index", ignore=shutil.ignore_patterns(".build.lock", "*.tmp"))
    return home


@dataclass
class RunningApp:
    proc: subprocess.Popen
    url: str
    home: Path
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def start_app(home: Path, host: str = "127.0.0.1", env: dict | None = None, timeout: float = 240) -> RunningApp:
    port = free_port()
    full = child_environment(QA_HOME=str(home), GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1",
                             PYTHONUNBUFFERED="1", **(env or {}))
    log = home.parent / f"app-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", host, "--port", str(port)],
                                cwd=str(home), env=full, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    app = RunningApp(proc, f"http://127.0.0.1:{port}/", home, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{app.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(app.url, timeout=2) as r:
                if r.status == 200:
                    return app
        except OSError:
            time.sleep(0.3)
    app.stop()
    raise RuntimeError(f"app.py did not answer within {timeout} s:\n{app.log_text()[-3000:]}")


def launch_browser(playwright):
    if not Path(CHROMIUM).exists():
        import pytest

        pytest.skip("Debian chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)


class Guarded:
    """A page that records dialogs and aborts (and records) every request leaving the machine."""

    def __init__(self, browser, width: int = 1366, height: int = 768):
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def open_app(guarded: Guarded, app: RunningApp):
    page = guarded.page
    page.goto(app.url, wait_until="load")
    page.wait_for_selector("#qa-question textarea", timeout=30000)
    return page


def ask_in_page(page, question: str, timeout: float = 60000) -> None:
    """Type a question, press Enter and wait for its reply (the number of finished replies grows)."""
    n = page.locator(".qa-reply:not(.qa-wait)").count()
    page.fill("#qa-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.qa-reply:not(.qa-wait)').length > {n}", timeout=timeout)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def post_upload(url: str, name: str, data: bytes, extra_headers: dict | None = None,
                source: str = "127.0.0.1") -> tuple[int, str]:
    """A raw multipart POST to Gradio's upload route, with any file name (as a hostile client would)."""
    boundary = "----qa-test-boundary"
    safe = name.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8", "surrogatepass")
    body = (f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="files"; filename="' + safe
            + b'"\r\nContent-Type: text/plain\r\n\r\n' + data + f"\r\n--{boundary}--\r\n".encode())
    return raw_request(url, "POST", "/gradio_api/upload", body,
                       {"Content-Type": f"multipart/form-data; boundary={boundary}", **(extra_headers or {})},
                       source=source, timeout=30)


def file_data(server_path: str) -> dict:
    return {"path": server_path, "meta": {"_type": "gradio.FileData"}}


# ---------------------------------------------------------------- raw HTTP from a chosen loopback address
# The app throttles wrong admin passwords per client address; tests that guess send from their own
# 127.0.0.x address (all of 127/8 is this machine), so the other tests' right passwords are not slowed.

def raw_request(app: RunningApp | str, method: str, path: str, body: bytes = b"", headers: dict | None = None,
                source: str = "127.0.0.1", timeout: float = 60) -> tuple[int, str]:
    """One request to the app (``app`` or its URL; loopback only), from ``source``: (status, body text)."""
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    port = urlsplit(app if isinstance(app, str) else app.url).port
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        try:
            conn.request(method, path, body=body, headers=headers or {})
        except OSError:  # the server answered (and closed) before the whole body was sent
            pass
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def api_call(app: RunningApp, api: str, data: list | None = None, source: str = "127.0.0.1",
             raw: bytes | None = None) -> tuple[int, str]:
    """A named endpoint through Gradio's REST route (``/gradio_api/call/<api>``), as curl would call it.

    Returns (status of the call, the event stream when it was queued, else the refusal's body);
    ``raw`` sends that JSON text as it is (for values JSON encoders refuse, like ``Infinity``).
    """
    import json

    body = raw if raw is not None else json.dumps({"data": data}).encode()
    status, text = raw_request(app, "POST", f"/gradio_api/call/{api}", body, {"Content-Type": "application/json"},
                               source)
    if status != 200:
        return status, text
    event = json.loads(text)["event_id"]
    return raw_request(app, "GET", f"/gradio_api/call/{api}/{event}", source=source, timeout=120)


def chunked_upload(app: RunningApp, files: int, file_mb: int, password: str | None = None,
                   source: str = "127.0.0.1", declared: int = 100, block: int = 256 * 1024) -> tuple[int, int, str]:
    """A multipart upload sent with ``Transfer-Encoding: chunked`` and a small ``Content-Length`` (as an
    attacker would), ``files`` files of ``file_mb`` MB each, until the server stops reading.

    Returns (bytes of file data sent, the answer's status or 0, the answer's text).
    """
    import threading
    from urllib.parse import urlsplit

    boundary = b"----qa-chunked-boundary"
    head = (b"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary="
            + boundary + b"\r\nTransfer-Encoding: chunked\r\nContent-Length: %d\r\n" % declared)
    if password is not None:
        head += b"X-QA-Admin-Password: " + password.encode() + b"\r\n"
    head += b"Connection: close\r\n"
    sent, data, reply = 0, b"x" * block, bytearray()
    with socket.create_connection(("127.0.0.1", urlsplit(app.url).port), timeout=60,
                                  source_address=(source, 0)) as s:
        def read() -> None:  # read the answer as soon as it comes, before the server resets the connection
            try:
                while part := s.recv(65536):
                    reply.extend(part)
            except OSError:
                pass

        reader = threading.Thread(target=read, daemon=True)
        reader.start()

        def chunk(payload: bytes) -> None:
            s.sendall(b"%x\r\n" % len(payload) + payload + b"\r\n")

        try:
            s.sendall(head + b"\r\n")
            for i in range(files):
                chunk(b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="f%d.txt"\r\n'
                      b"Content-Type: text/plain\r\n\r\n" % i)
                for _ in range(file_mb * 1024 * 1024 // block):
                    if reply:
                        raise ConnectionAbortedError  # answered: stop sending
                    chunk(data)
                    sent += len(data)
                chunk(b"\r\n")
            chunk(b"--" + boundary + b"--\r\n")
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed the connection while we were still sending
        reader.join(60)
    reply = bytes(reply)
    text = reply.decode("utf-8", "replace")
    first = text.split("\r\n", 1)[0].split()
    status = int(first[1]) if len(first) > 1 and first[1].isdigit() else 0
    return sent, status, text.split("\r\n\r\n", 1)[-1]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


# ---------------------------------------------------------------- many clients from one process, through a proxy
# The app counts each address's questions (QA_WEB_ASK_PER_CLIENT). Tests and benchmarks that play many clients
# at once with gradio_client (which cannot choose its source address) start the app trusting this machine as a
# proxy (PROXY_ENV) and give each client an address of its own in X-Forwarded-For (client_headers).
PROXY_ENV = {"QA_WEB_TRUSTED_PROXY": "127.0.0.1"}


def client_headers(c: int) -> dict:
    """The headers that make client ``c`` a client of its own (198.18.0.0/15 is set aside for benchmarks)."""
    return {"X-Forwarded-For": f"198.18.{c // 250}.{c % 250 + 1}"}
