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

ROOT = Path(__file__).resolve().parent.parent
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
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("QA_", "GRADIO_")) or k in ("QA_CACHE_DIR",)}
    full = clean | {"QA_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                    "PYTHONUNBUFFERED": "1"} | (env or {})
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


def post_upload(url: str, name: str, data: bytes, extra_headers: dict | None = None) -> tuple[int, str]:
    """A raw multipart POST to Gradio's upload route, with any file name (as a hostile client would)."""
    boundary = "----qa-test-boundary"
    safe = name.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8", "surrogatepass")
    body = (f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="files"; filename="' + safe
            + b'"\r\nContent-Type: text/plain\r\n\r\n' + data + f"\r\n--{boundary}--\r\n".encode())
    req = urllib.request.Request(url.rstrip("/") + "/gradio_api/upload", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                          **(extra_headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def file_data(server_path: str) -> dict:
    return {"path": server_path, "meta": {"_type": "gradio.FileData"}}
