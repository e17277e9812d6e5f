"""Only the right people change the documents, uploads are bounded, nothing leaks, hostile text is inert.

Two app instances bound to 0.0.0.0 (reached through 127.0.0.1): one locked with an admin password
(real model), one without a password, hence read-only (fake embedder, fast). The attacks of issue 13
(chunked uploads, password guessing, document bombs, odd inputs, Gradio's built-in routes) are sent
over HTTP to 127.0.0.x only; guesses come from their own loopback addresses, since wrong passwords
slow down the address that sends them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

import bombs
from qa.config.web import WEB_ASK_PER_CLIENT
from qa.testing.webapp import (ARTIFACTS, SEED_NAME, api_call, ask_in_page, chunked_upload, file_data, folder_bytes,
                             make_home, open_app, post_upload, raw_request, shot, start_app)

pytestmark = pytest.mark.browser
PASSWORD = "pw-" + secrets.token_hex(8)
ADMIN = {"X-QA-Admin-Password": quote(PASSWORD)}  # uploads to a locked server carry the password
QUESTION = "今年地区生产总值预期增长多少？"
HOSTILE_TXT = """恶意测试报告

一、测试章节<script>alert('heading')</script>

本市今年新建<img src=x onerror=alert(2)>公园12个。点击<a href="javascript:alert(3)">这里</a>查看详情。
报告图片![追踪](http://evil.example.com/pixel.png)显示，图书馆达到30座。
模板注入${alert(4)}和{{constructor.constructor('alert(5)')()}}测试，博物馆有8座。
链接[点我](javascript:alert(6))和<iframe src="http://evil.example.com/"></iframe>\
以及<img src="http://evil.example.com/t.gif">统计，体育馆新增5座。
"""
HOSTILE_MD = """# 恶意标题<img src=http://evil.example.com/md.png>

## 二、图片章节

今年新建游泳馆![x](http://evil.example.com/swim.png)9座，详见<http://evil.example.com/>和[链接](javascript:alert(7))。
"""
HOSTILE_HTML = """<html><head><title>网页报告<script>alert(8)</script></title></head><body>
<h1>网页报告</h1><h2>一、设施</h2>
<p>今年新建滑冰场&lt;img src=http://evil.example.com/esc.png onerror=alert(9)&gt;4座。</p>
<p>溜冰场<img src="http://evil.example.com/real.png">另有2座。<script>alert(10)</script></p>
</body></html>
"""


@pytest.fixture(scope="module")
def locked(tmp_path_factory):
    staging = tmp_path_factory.mktemp("web-locked-staging")
    app = start_app(make_home(tmp_path_factory.mktemp("web-locked")), host="0.0.0.0",
                    env={"QA_ADMIN_PASSWORD": PASSWORD, "GRADIO_TEMP_DIR": str(staging)})
    app.staging = staging
    yield app
    app.stop()


@pytest.fixture(scope="module")
def readonly(tmp_path_factory):
    staging = tmp_path_factory.mktemp("web-readonly-staging")
    app = start_app(make_home(tmp_path_factory.mktemp("web-readonly"), copy_index=False), host="0.0.0.0",
                    env={"QA_MODEL": "qa.testing.fakes:HashEmbedder", "GRADIO_TEMP_DIR": str(staging)})
    app.staging = staging
    yield app
    app.stop()


def client(app, password: str | None = None):
    """A gradio_client; with the admin password it can also upload files to a locked server."""
    from gradio_client import Client

    return Client(app.url, verbose=False, headers={"X-QA-Admin-Password": quote(password)} if password else None)


def doc_ids(app) -> list[str]:
    return sorted(d["doc_id"] for d in client(app).predict(api_name="/documents"))


def staged(app, name: str, data: bytes) -> str:
    status, body = post_upload(app.url, name, data, ADMIN)
    assert status == 200, (status, body)
    return json.loads(body)[0]


def event_data(stream: str):
    """The data of the last event in a ``/gradio_api/call`` stream (JSON-decoded)."""
    return json.loads([line for line in stream.splitlines() if line.startswith("data:")][-1][5:])


def test_read_only_without_a_password_refuses_every_change(readonly, guarded):
    page = open_app(guarded, readonly)
    page.get_by_role("tab", name="文档").click()
    assert "只读" in page.locator("#qa-lock").inner_text()
    assert page.locator("#qa-upload").count() == 0 or not page.locator("#qa-upload").is_visible()
    status, body = post_upload(readonly.url, "new.txt", "新文档。".encode())
    assert status == 403 and "read-only" in body
    from gradio_client.exceptions import ValidationError

    c, before = client(readonly), doc_ids(readonly)
    with pytest.raises(ValidationError, match="只读"):  # refused before the queue
        c.predict(files=[], password="", api_name="/upload")
    with pytest.raises(ValidationError, match="只读"):
        c.predict(doc_id=SEED_NAME, password="anything", api_name="/remove")
    assert doc_ids(readonly) == before == [SEED_NAME]
    log = readonly.log_text()  # this instance started without an index: it was built first, with progress
    assert "No index yet: building it from" in log and "embedding" in log and "1 documents" in log
    assert c.predict("今年地区生产总值预期增长多少？", api_name="/ask")["question"]  # asking needs no password


def test_anonymous_and_wrong_passwords_are_refused_on_a_locked_server(locked):
    before, staging = doc_ids(locked), folder_bytes(locked.staging)
    for i, headers in enumerate(({}, {"X-QA-Admin-Password": "wrong"})):  # nothing is staged without the password
        status, body = post_upload(locked.url, "intruder.txt", "入侵文档。".encode(), headers, source=f"127.0.0.{20 + i}")
        assert status == 401 and "admin password" in body, (status, body)
    assert folder_bytes(locked.staging) == staging
    path = staged(locked, "intruder.txt", "入侵文档。".encode())  # staged by the admin, used by the guessers
    n = 30
    for password in ("", "wrong", PASSWORD.upper(), PASSWORD + " "):
        for api, target in (("upload", [file_data(path)]), ("remove", SEED_NAME)):
            n += 1  # each guess from an address of its own: refused for the password, not for the rate
            status, body = api_call(locked, api, [target, password], source=f"127.0.0.{n}")
            assert status == 422 and "管理员密码不正确" in body, (password, status, body)
    assert doc_ids(locked) == before and not list(locked.home.glob("documents/intruder*"))


def test_hostile_file_names_stay_inside_the_documents_folder(locked):
    seed_before = hashlib.sha256((locked.home / "seeds" / SEED_NAME).read_bytes()).hexdigest()
    outside_before = sorted(p.name for p in locked.home.parent.iterdir())
    names = ["../../escape.txt", "/etc/passwd.txt", "..\\..\\win.txt", "a\x00b.txt", "\x1b[31mred\x07.txt",
             "长" * 200 + ".txt", SEED_NAME, ".hidden.md"]
    paths = []
    for i, name in enumerate(names):
        status, body = post_upload(locked.url, name, f"文件{i}\n\n一、内容\n\n第{i}号测试句，编号Q{i}X。\n".encode(), ADMIN)
        if status == 200:
            paths.append(json.loads(body)[0])
        else:  # Gradio's own upload route may refuse a name outright; then nothing was written
            assert status == 400, (name, status, body)
    assert len(paths) >= 6
    result = client(locked, PASSWORD).predict(files=[file_data(p) for p in paths], password=PASSWORD, api_name="/upload")[0]
    stored = sorted(p.name for p in (locked.home / "documents").iterdir())
    assert len(stored) == len(paths), (result, stored)
    for name in stored:
        assert "/" not in name and "\\" not in name and name.isprintable() and not name.startswith(".")
        assert len(name.encode()) <= 255
    assert SEED_NAME.replace(".txt", "-2.txt") in stored  # collision with the indexed seed: renamed
    assert hashlib.sha256((locked.home / "seeds" / SEED_NAME).read_bytes()).hexdigest() == seed_before
    assert sorted(p.name for p in locked.home.parent.iterdir()) == outside_before
    assert set(stored) <= set(doc_ids(locked))
    for name in stored:  # leave the index as it was for the other tests
        assert "已删除" in client(locked).predict(doc_id=name, password=PASSWORD, api_name="/remove")[0]
    assert doc_ids(locked) == [SEED_NAME]


def test_a_server_file_cannot_be_passed_off_as_an_upload(locked, tmp_path):
    secret = tmp_path / "private.txt"
    secret.write_text("私有文件\n\n一、秘密\n\n编号778899。\n", encoding="utf-8")
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as e:  # the client would upload a local file: send the raw request instead
        raw_call(locked, "upload", [[file_data(str(secret))], PASSWORD])
    assert "private.txt" not in str(e.value)
    assert doc_ids(locked) == [SEED_NAME]


def raw_call(app, api: str, data: list):
    """Call an endpoint through Gradio's REST route without the client's own file handling."""
    import urllib.request

    from gradio_client.exceptions import AppError

    req = urllib.request.Request(f"{app.url}gradio_api/call/{api}", data=json.dumps({"data": data}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        event = json.loads(urllib.request.urlopen(req, timeout=30).read())["event_id"]
    except urllib.error.HTTPError as e:  # refused before the queue (the validator)
        raise AppError(e.read().decode("utf-8", "replace")) from None
    stream = urllib.request.urlopen(f"{app.url}gradio_api/call/{api}/{event}", timeout=60).read().decode()
    if "event: error" in stream:
        raise AppError(stream)
    return stream


def test_oversize_uploads_are_refused_naming_the_limit(locked, guarded, tmp_path):
    status, body = post_upload(locked.url, "big.txt", b"a" * (20 * 1024 * 1024 + 10), ADMIN)
    assert status == 413 and "maximum" in body
    with socket.create_connection(("127.0.0.1", int(locked.url.rsplit(":", 1)[1].strip("/")))) as s:
        s.sendall(b"POST /gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  b"X-QA-Admin-Password: " + ADMIN["X-QA-Admin-Password"].encode() + b"\r\n"
                  b"Content-Length: 60000000\r\n\r\n")
        chunks = []
        while chunk := s.recv(4096):  # the server closes the connection after its answer
            chunks.append(chunk)
        reply = b"".join(chunks).decode()
    assert " 413 " in reply.splitlines()[0] and "50 MB" in reply
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(20 * 1024 * 1024 + 10)
    page = open_app(guarded, locked)
    page.get_by_role("tab", name="文档").click()
    page.set_input_files("#qa-files input[type=file]", str(big))
    toast = page.get_by_text("maximum allowed size")
    toast.wait_for(timeout=10000)
    assert "20" in toast.inner_text()
    shot(page, "web_oversize")
    assert not list(locked.home.glob("documents/big*"))


def test_right_password_upload_in_the_browser_then_ask_and_remove(locked, guarded, tmp_path):
    doc = tmp_path / "library.txt"
    doc.write_text("图书馆建设报告\n\n一、总体情况\n\n今年全市新建社区图书馆42座，总藏书达到860万册。\n", encoding="utf-8")
    page = open_app(guarded, locked)
    page.get_by_role("tab", name="文档").click()
    assert "需要管理员密码" in page.locator("#qa-lock").inner_text()
    staged_before = folder_bytes(locked.staging)
    page.set_input_files("#qa-files input[type=file]", str(doc))  # no password yet: nothing is staged
    page.get_by_text("请先填写管理员密码").first.wait_for(timeout=10000)
    assert folder_bytes(locked.staging) == staged_before
    page.reload()
    page.get_by_role("tab", name="文档").click()
    page.fill("#qa-password input", PASSWORD)
    page.set_input_files("#qa-files input[type=file]", str(doc))
    page.locator("#qa-files").get_by_text("library.txt").wait_for()
    page.click("#qa-upload")
    page.wait_for_function("document.querySelector('#qa-progress textarea').value.includes('已添加 library.txt')",
                           timeout=60000)
    assert "图书馆建设报告" in page.locator("#qa-docs").inner_text()
    shot(page, "web_documents")
    page.get_by_role("tab", name="问答").click()
    ask_in_page(page, "今年全市新建社区图书馆多少座？")
    reply = page.locator(".qa-reply").last
    assert "42座" in reply.locator(".qa-answer").inner_text() and "图书馆建设报告" in reply.inner_text()
    page.get_by_role("tab", name="文档").click()
    page.locator("#qa-remove-pick input").click()
    page.get_by_role("option", name="图书馆建设报告（library.txt）").click()
    page.click("#qa-remove")
    page.wait_for_function("document.querySelector('#qa-progress textarea').value.includes('已删除 library.txt')")
    assert not (locked.home / "documents" / "library.txt").exists() and doc_ids(locked) == [SEED_NAME]


def test_questions_are_answered_while_a_rebuild_runs(locked, tmp_path):
    from gradio_client import handle_file

    doc = tmp_path / "green.txt"
    doc.write_text("城市绿化报告\n\n一、总体情况\n\n" + "".join(
        f"第{i}项工作中，全市完成绿化面积{100 + i}公顷，新建口袋公园{i % 50 + 1}个。\n" for i in range(600)), encoding="utf-8")
    uploader = client(locked, PASSWORD)
    job = uploader.submit(files=[handle_file(str(doc))], password=PASSWORD, api_name="/upload")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the build is embedding
        progress = job.status().progress_data or []
        if any("计算向量" in (p.desc or "") for p in progress):
            break
        assert not job.done(), job.result()
        time.sleep(0.1)
    else:
        pytest.fail("the rebuild never reported its embedding stage")
    answer = client(locked).predict("今年地区生产总值预期增长多少？", api_name="/ask")
    assert not job.done(), "the rebuild finished before the question was answered: the test proves nothing"
    assert "7%" in answer["answer"] and all(c["doc"] == SEED_NAME for c in answer["citations"])
    assert "已添加 green.txt" in job.result(timeout=120)[0]
    assert "已删除" in client(locked).predict(doc_id="green.txt", password=PASSWORD, api_name="/remove")[0]


def test_hostile_documents_and_questions_render_inert(locked, guarded):
    c = client(locked, PASSWORD)
    paths = [staged(locked, n, t.encode()) for n, t in
             (("hostile.txt", HOSTILE_TXT), ("hostile.md", HOSTILE_MD), ("hostile.html", HOSTILE_HTML))]
    result = c.predict(files=[file_data(p) for p in paths], password=PASSWORD, api_name="/upload")[0]
    assert result.count("已添加") == 3, result
    page = open_app(guarded, locked)
    for q in ("公园有多少个？", "体育馆新增多少座？", "今年新建游泳馆几座？", "今年新建滑冰场多少座？",
              "<img src=http://evil.example.com/q.png>![x](http://evil.example.com/m.png)博物馆有几座？"):
        ask_in_page(page, q)
        for summary in page.locator("#qa-sources-panel summary").all():
            summary.click()
    text = page.locator("body").inner_text()
    assert "<img src=x onerror=alert(2)>" in text and "[追踪](http://evil.example.com/pixel.png)" in text
    assert "<img src=http://evil.example.com/q.png>" in text  # the question, shown as text
    shot(page, "web_hostile")
    page.get_by_role("tab", name="文档").click()
    page.locator("#qa-docs table").wait_for()
    assert "恶意测试报告" in page.locator("#qa-docs").inner_text()
    remote = page.evaluate("""() => [...document.querySelectorAll('img,iframe,script,object,embed,a')]
        .map(e => e.src || e.href || e.data || '').filter(u => u && !u.startsWith('http://127.0.0.1')
        && !u.startsWith('data:') && !u.startsWith('blob:'))""")
    assert remote == []
    for name in ("hostile.txt", "hostile.md", "hostile.html"):
        c.predict(doc_id=name, password=PASSWORD, api_name="/remove")
    assert doc_ids(locked) == [SEED_NAME]


def test_a_broken_index_shows_a_short_message_without_trace_or_path(readonly, guarded):
    from gradio_client.exceptions import AppError

    manifest = readonly.home / "index" / "manifest.json"
    good = manifest.read_bytes()
    try:
        manifest.write_text("{ not json", encoding="utf-8")
        page = open_app(guarded, readonly)
        ask_in_page(page, "今年地区生产总值预期增长多少？")
        error = page.locator(".qa-reply.qa-error").last.inner_text()
        assert "索引暂时无法读取" in error
        body = page.locator("body").inner_text()
        for leak in ("Traceback", str(readonly.home), "manifest.json", "/tmp/", 'File "'):
            assert leak not in body
        shot(page, "web_broken_index")
        for call in (lambda c: c.predict("今年地区生产总值预期增长多少？", api_name="/ask"),
                     lambda c: c.predict(api_name="/documents")):
            with pytest.raises(AppError) as e:
                call(client(readonly))
            assert "索引暂时无法读取" in str(e.value) and str(readonly.home) not in str(e.value)
        assert "manifest.json" in readonly.log_text()  # the details went to the server log
    finally:
        manifest.write_bytes(good)


# ---------------------------------------------------------------- the attacks of issue 13, through the real app

def test_chunked_uploads_are_counted_not_trusted(locked):
    """1. ``Transfer-Encoding: chunked`` with a small ``Content-Length``, 12 files of 19 MB: cut off at the
    50 MB per-request limit, staged bytes deleted, the staging area never full for the next upload."""
    before = folder_bytes(locked.staging)
    sent, status, body = chunked_upload(locked, files=12, file_mb=19, source="127.0.0.40")  # no password
    assert status == 401 and sent < 8 * 1024 * 1024, (status, sent, body)
    assert folder_bytes(locked.staging) == before  # nothing staged before the password was checked
    peak = [0]
    done = threading.Event()

    def watch():  # the staging folder never grows past one request's allowance
        while not done.is_set():
            peak[0] = max(peak[0], folder_bytes(locked.staging))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        sent, status, body = chunked_upload(locked, files=12, file_mb=19, password=quote(PASSWORD),
                                            source="127.0.0.41")
    finally:
        done.set()
        watcher.join()
    assert status == 413 and "50 MB" in body, (status, body)
    assert sent < 60 * 1024 * 1024  # cut off near the limit, not after 228 MB
    assert peak[0] <= before + 52 * 1024 * 1024
    assert folder_bytes(locked.staging) == before  # the partial files were deleted
    assert not [p for p in locked.staging.iterdir() if p.name.startswith("tmp")]
    for _ in range(3):  # the attack, repeated, never fills the staging area for an honest upload
        assert chunked_upload(locked, files=12, file_mb=19, password=quote(PASSWORD), source="127.0.0.41")[1] == 413
    status, body = post_upload(locked.url, "honest.txt", "正常上传。".encode(), ADMIN)
    assert status == 200, (status, body)


def test_wrong_passwords_slow_the_guesser_and_nobody_else(locked):
    """2. 105 wrong passwords in a burst from one address: each is refused before the queue (no queue place,
    no admin slot); after the first, the address must wait; questions and the admin elsewhere are not slowed."""
    guesser, admin = "127.0.0.50", "127.0.0.51"

    def guess(i):
        return api_call(locked, "remove", [SEED_NAME, f"guess-{i}"], source=guesser)

    with ThreadPoolExecutor(16) as pool:
        guessed = [pool.submit(guess, i) for i in range(105)]
        asked = [pool.submit(api_call, locked, "ask", [QUESTION], "127.0.0.52") for _ in range(WEB_ASK_PER_CLIENT)]
        answers = [f.result() for f in guessed]
        # even the right password waits (asked at once: the questions may take longer than the first wait)
        status, body = api_call(locked, "remove", [SEED_NAME, PASSWORD], source=guesser)
        asks = [f.result() for f in asked]
    assert status == 422 and "错误次数过多" in body
    assert all(status == 422 for status, _ in answers), {s for s, _ in answers}  # none was queued
    compared = [b for _, b in answers if "管理员密码不正确" in b]
    waited = [b for _, b in answers if "错误次数过多" in b]
    assert len(compared) + len(waited) == 105 and 1 <= len(compared) <= 4, len(compared)  # compared: 1 s, 2 s …
    assert all(status == 200 and "7%" in event_data(body)[0]["answer"] for status, body in asks)
    status, body = api_call(locked, "remove", ["no-such-document.txt", PASSWORD], source=admin)
    assert status == 200 and "索引中没有文档" in event_data(body)[0]  # the admin elsewhere: not slowed
    assert doc_ids(locked) == [SEED_NAME]


def test_asking_takes_the_usual_time_while_guesses_and_a_chunked_upload_are_in_flight(locked):
    """The figure the issue asks for: /ask while 100 wrong-password requests and a chunked 200 MB upload
    (10 files of 20 MB, small Content-Length) are in flight; written to artifacts/attack_ask_timing.json."""
    def ask_once() -> float:
        t = time.perf_counter()
        status, body = api_call(locked, "ask", [QUESTION], source="127.0.0.62")
        assert status == 200 and "7%" in event_data(body)[0]["answer"], (status, body[:300])
        return time.perf_counter() - t

    def guess(i):  # as the attacker sent them: join the queue and do not wait for the outcome
        body = json.dumps({"data": [SEED_NAME, f"guess-{i}"]}).encode()
        return raw_request(locked, "POST", "/gradio_api/call/remove", body, {"Content-Type": "application/json"},
                           source="127.0.0.61")

    quiet = [ask_once() for _ in range(10)]
    with ThreadPoolExecutor(12) as pool:
        t0 = time.perf_counter()
        upload = pool.submit(chunked_upload, locked, 10, 20, quote(PASSWORD), "127.0.0.60")
        guesses = [pool.submit(guess, i) for i in range(100)]
        busy = []
        while len(busy) < 10 or not all(f.done() for f in guesses + [upload]):
            busy.append(ask_once())
            assert len(busy) < 500 and time.perf_counter() - t0 < 300, "the attack did not finish"
        attack_s = time.perf_counter() - t0
    assert upload.result()[1] == 413 and all(f.result()[0] == 422 for f in guesses)  # none joined the queue
    figures = {"quiet_ask_s": {"median": statistics.median(quiet), "max": max(quiet)},
               "under_attack_ask_s": {"median": statistics.median(busy), "max": max(busy), "n": len(busy)},
               "attack_s": attack_s, "guesses": 100, "chunked_upload_mb": 200}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "attack_ask_timing.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps(figures))
    assert max(busy) < 10 and statistics.median(busy) < 3  # no 503, no waiting behind the admin slot


def test_document_bombs_are_refused_with_their_reason(locked):
    """3. A 10 KB .docx of a million empty paragraphs and a 30,000-page PDF: refused in seconds, each with
    its reason, nothing indexed or stored."""
    paths = [staged(locked, "paragraphs.docx", bombs.docx_paragraph_bomb(1_000_000)),
             staged(locked, "pages.pdf", bombs.pdf_page_bomb(30_000)),
             staged(locked, "inflated.docx", bombs.docx_zip_bomb(100))]
    t = time.perf_counter()
    result = client(locked, PASSWORD).predict(files=[file_data(p) for p in paths], password=PASSWORD,
                                              api_name="/upload")[0]
    assert time.perf_counter() - t < 60, result
    assert "未能索引 paragraphs.docx" in result and "more than 20,000 paragraphs" in result, result
    assert "未能索引 pages.pdf" in result and "more than 2,000 pages" in result, result
    assert "未能索引 inflated.docx" in result and "over the 64 MB limit" in result, result
    assert doc_ids(locked) == [SEED_NAME] and not list((locked.home / "documents").glob("*"))


def test_odd_inputs_get_short_messages_and_log_no_trace(locked):
    """4. /context with start Infinity or 1e400, /remove with a doc id of 123 or ["x.txt"], and other odd
    values: a short message each, and no traceback in the server log."""
    traces = locked.log_text().count("Traceback")
    for raw in (b'{"data": ["%s", Infinity]}' % SEED_NAME.encode(), b'{"data": ["%s", 1e400]}' % SEED_NAME.encode(),
                b'{"data": ["x", -Infinity]}', b'{"data": ["x", NaN]}', b'{"data": [["x"], {"a": 1}]}',
                b'{"data": [null, null]}'):
        status, body = api_call(locked, "context", raw=raw)
        assert status == 200 and "event: error" in body and event_data(body)["error"] == "没有这个段落。", body
    for doc in (123, ["x.txt"], {"doc": "x.txt"}, 1.5, "长" * 5000):
        status, body = api_call(locked, "remove", [doc, PASSWORD])
        assert status == 200 and "文档名无效" in event_data(body)[0], (doc, body[:300])
    for question in (123, ["q"], None, {"q": 1}):
        status, body = api_call(locked, "ask", [question])
        assert status == 200 and "event: error" in body and event_data(body)["error"] == "请输入一个关于文档的问题。"
    for files in (123, "x", [123], {"path": "x"}):
        status, body = api_call(locked, "upload", [files, PASSWORD])
        assert status == 400 and json.loads(body) == {"detail": "Invalid request. 请求无效。"}, body
    time.sleep(0.5)
    assert locked.log_text().count("Traceback") == traces, locked.log_text()[-3000:]
    assert doc_ids(locked) == [SEED_NAME]


def test_gradio_built_in_routes_are_closed(readonly):
    """5. On the read-only server Gradio's other writing routes (process_recording, run, component_server,
    stream …) answer 404 and stage nothing; only the app's own routes work."""
    boundary = "----qa-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.wav"\r\n'
            f"Content-Type: audio/wav\r\n\r\n").encode() + b"\0" * (5 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    before = folder_bytes(readonly.staging)
    for path in ("/gradio_api/process_recording", "/gradio_api/run/ask", "/gradio_api/api/ask",
                 "/gradio_api/run/predict", "/gradio_api/component_server", "/gradio_api/stream/x",
                 "/gradio_api/call/v2/ask", "/gradio_api/call/upload_nothing", "/login", "/gradio_api/vibe-edit",
                 "/gradio_api/upload/../process_recording", "//gradio_api/upload"):
        status, text = raw_request(readonly, "POST", path, body, form)
        assert status == 404, (path, status, text[:200])
    for method in ("PUT", "DELETE", "PATCH"):
        assert raw_request(readonly, method, "/gradio_api/upload", body, form)[0] == 405
    assert raw_request(readonly, "POST", "/gradio_api/upload", body, form)[0] == 403
    assert folder_bytes(readonly.staging) == before
    status, text = api_call(readonly, "ask", [QUESTION])
    assert status == 200 and event_data(text)[0]["question"]


def test_staged_files_are_never_served_back(locked):
    """5. A staged file cannot be fetched from /gradio_api/file= (the server is no file host), and a refused
    upload leaves no temporary file behind."""
    path = staged(locked, "hosted.txt", "公开文件托管测试。".encode())
    rel = path.split(str(locked.staging), 1)[1].lstrip("/")
    for url in (f"/gradio_api/file={path}", f"/gradio_api/file/{path}", f"/gradio_api/file={quote(path)}",
                f"/gradio_api/file={locked.staging}/./{rel}", f"/gradio_api/file={locked.staging}//{rel}"):
        status, text = raw_request(locked, "GET", url)
        assert status == 404 and "公开文件" not in text, (url, status)
    status, _ = post_upload(locked.url, "..", b"x" * 1000, ADMIN)  # a name Gradio refuses after staging it
    assert status == 400
    deadline = time.monotonic() + 10  # the guard sweeps once Gradio has let go of its files
    while (left := [p.name for p in locked.staging.iterdir() if p.is_file()]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left  # no empty tmpXXXX files stay behind
