"""Only the right people change the documents, uploads are bounded, nothing leaks, hostile text is inert.

Two app instances bound to 0.0.0.0 (reached through 127.0.0.1): one locked with an admin password
(real model), one without a password, hence read-only (fake embedder, fast).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import time

import pytest

from web_app_support import (SEED_NAME, ask_in_page, file_data, make_home, open_app,
                             post_upload, shot, start_app)

pytestmark = pytest.mark.browser
PASSWORD = "pw-" + secrets.token_hex(8)
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
    app = start_app(make_home(tmp_path_factory.mktemp("web-locked")), host="0.0.0.0",
                    env={"QA_ADMIN_PASSWORD": PASSWORD})
    yield app
    app.stop()


@pytest.fixture(scope="module")
def readonly(tmp_path_factory):
    app = start_app(make_home(tmp_path_factory.mktemp("web-readonly"), copy_index=False), host="0.0.0.0",
                    env={"QA_MODEL": "test/hash-embedder"})
    yield app
    app.stop()


def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False)


def doc_ids(app) -> list[str]:
    return sorted(d["doc_id"] for d in client(app).predict(api_name="/documents"))


def staged(app, name: str, data: bytes) -> str:
    status, body = post_upload(app.url, name, data)
    assert status == 200, (status, body)
    return json.loads(body)[0]


def test_read_only_without_a_password_refuses_every_change(readonly, guarded):
    page = open_app(guarded, readonly)
    page.get_by_role("tab", name="文档").click()
    assert "只读" in page.locator("#qa-lock").inner_text()
    assert page.locator("#qa-upload").count() == 0 or not page.locator("#qa-upload").is_visible()
    status, body = post_upload(readonly.url, "new.txt", "新文档。".encode())
    assert status == 403 and "read-only" in body
    c, before = client(readonly), doc_ids(readonly)
    assert "只读" in c.predict(files=[], password="", api_name="/upload")[0]
    assert "只读" in c.predict(doc_id=SEED_NAME, password="anything", api_name="/remove")[0]
    assert doc_ids(readonly) == before == [SEED_NAME]
    log = readonly.log_text()  # this instance started without an index: it was built first, with progress
    assert "No index yet: building it from" in log and "embedding" in log and "1 documents" in log
    assert c.predict("今年地区生产总值预期增长多少？", api_name="/ask")["question"]  # asking needs no password


def test_anonymous_and_wrong_passwords_are_refused_on_a_locked_server(locked):
    c, before = client(locked), doc_ids(locked)
    for password in ("", "wrong", PASSWORD.upper(), PASSWORD + " "):
        path = staged(locked, "intruder.txt", f"入侵文档{password}。".encode())
        assert "密码" in c.predict(files=[file_data(path)], password=password, api_name="/upload")[0]
        assert "密码" in c.predict(doc_id=SEED_NAME, password=password, api_name="/remove")[0]
    assert doc_ids(locked) == before and not list(locked.home.glob("documents/intruder*"))


def test_hostile_file_names_stay_inside_the_documents_folder(locked):
    seed_before = hashlib.sha256((locked.home / "seeds" / SEED_NAME).read_bytes()).hexdigest()
    outside_before = sorted(p.name for p in locked.home.parent.iterdir())
    names = ["../../escape.txt", "/etc/passwd.txt", "..\\..\\win.txt", "a\x00b.txt", "\x1b[31mred\x07.txt",
             "长" * 200 + ".txt", SEED_NAME, ".hidden.md"]
    paths = []
    for i, name in enumerate(names):
        status, body = post_upload(locked.url, name, f"文件{i}\n\n一、内容\n\n第{i}号测试句，编号Q{i}X。\n".encode())
        if status == 200:
            paths.append(json.loads(body)[0])
        else:  # Gradio's own upload route may refuse a name outright; then nothing was written
            assert status == 400, (name, status, body)
    assert len(paths) >= 6
    result = client(locked).predict(files=[file_data(p) for p in paths], password=PASSWORD, api_name="/upload")[0]
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
    assert str(tmp_path) not in str(e.value)
    assert doc_ids(locked) == [SEED_NAME]


def raw_call(app, api: str, data: list):
    """Call an endpoint through Gradio's REST route without the client's own file handling."""
    import urllib.request

    from gradio_client.exceptions import AppError

    req = urllib.request.Request(f"{app.url}gradio_api/call/{api}", data=json.dumps({"data": data}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    event = json.loads(urllib.request.urlopen(req, timeout=30).read())["event_id"]
    stream = urllib.request.urlopen(f"{app.url}gradio_api/call/{api}/{event}", timeout=60).read().decode()
    if "event: error" in stream:
        raise AppError(stream)
    return stream


def test_oversize_uploads_are_refused_naming_the_limit(locked, guarded, tmp_path):
    status, body = post_upload(locked.url, "big.txt", b"a" * (20 * 1024 * 1024 + 10))
    assert status == 413 and "maximum" in body
    with socket.create_connection(("127.0.0.1", int(locked.url.rsplit(":", 1)[1].strip("/")))) as s:
        s.sendall(b"POST /gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
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
    uploader = client(locked)
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
    c = client(locked)
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
