"""One client cannot crowd out the others: fair shares per client address on the question routes.

The accounting of :class:`qa.web.fair.FairShare` against a stand-in for Gradio's queue (fast), the settings, and
the real app over HTTP from distinct loopback addresses (as test_web_security.py does): one address floods
``/ask`` while another asks; the other's answers stay complete and right, the flooder's excess is refused with
the message, nothing is lost, the flooder's share comes back, and only a named proxy may forward addresses.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from qa.config import web as web_config
from qa.web.fair import FairShare
from qa.web.guard import MAX_JOIN_BYTES

ASK = "ask"
REFUSED = "too many questions from this address"


# ---------------------------------------------------------------- the check, in front of a stand-in for Gradio

class Fn:  # a BlockFunction: hashable, with its concurrency id and API name
    def __init__(self, concurrency_id: str, api_name: str | None = None):
        self.concurrency_id, self.api_name = concurrency_id, api_name


class StubGradio:
    """What the guard and FairShare see of a Gradio app: its functions (0: /ask, 1: /documents, 2: the chat's
    submit), its queue (events by id, the waiting lists, mean answer times), and the routes by which an event
    enters the queue; these await before registering the event, as Gradio's do (a session lock, a thread)."""

    def __init__(self, concurrency: int = 2):
        self.fns = {0: Fn(ASK, "ask"), 1: Fn("docs", "documents"), 2: Fn(ASK)}
        self._queue = SimpleNamespace(event_ids_to_events={}, process_time_per_fn={},
                                      event_queue_per_concurrency_id={ASK: SimpleNamespace(
                                          queue=[], concurrency_limit=concurrency)})
        self.joined, self.fail_next, self._ids = [], None, itertools.count()

    async def __call__(self, scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await asyncio.sleep(0)
        if self.fail_next == "raise":
            self.fail_next = None
            raise RuntimeError("the queue broke")
        status = 200
        if self.fail_next == "full":
            self.fail_next, status = None, 503
        else:
            name = scope["path"].rsplit("/", 1)[1]
            fn = self.fns[json.loads(body)["fn_index"]] if name == "join" else next(
                f for f in self.fns.values() if f.api_name == name)
            event = SimpleNamespace(_id=str(next(self._ids)), concurrency_id=fn.concurrency_id,
                                    request=SimpleNamespace(client=SimpleNamespace(host=scope["client"][0])))
            self._queue.event_ids_to_events[event._id] = event
            if fn.concurrency_id == ASK:
                self._queue.event_queue_per_concurrency_id[ASK].queue.append(event)
            self.joined.append(event._id)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": json.dumps({"event_id": self.joined[-1:]}).encode()})

    def start(self, n: int = 1) -> None:
        """The first ``n`` waiting questions start being answered (they leave the waiting list, not the queue)."""
        del self._queue.event_queue_per_concurrency_id[ASK].queue[:n]

    def finish(self, event_id: str) -> None:
        """Gradio lets go of an event: answered, failed, cancelled or its client gone."""
        event = self._queue.event_ids_to_events.pop(event_id)
        waiting = self._queue.event_queue_per_concurrency_id[ASK].queue
        if event in waiting:
            waiting.remove(event)


def guarded(per_client: int, concurrency: int = 2):
    from qa.web.guard import UploadGuard

    gradio = StubGradio(concurrency)
    share = FairShare(per_client, ASK).attach(gradio)
    return UploadGuard(gradio, staging=Path(tempfile.gettempdir()) / "qa-fair-staging", fair=share), gradio, share


def burst(guard, host: str, n: int, route: str = "call/ask", fn_index: int = 0) -> list:
    """``n`` calls at once from ``host``: each (status, body text, headers), or the exception it raised."""
    async def one():
        body = json.dumps({"data": ["q"], "fn_index": fn_index, "session_hash": "s"}).encode()
        chunks = [body[:5], body[5:]]  # in two parts, as a client may send it
        sent = []

        async def receive():
            if chunks:
                chunk = chunks.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
            await asyncio.sleep(3600)

        async def send(message):
            sent.append(message)

        await guard({"type": "http", "method": "POST", "path": f"/gradio_api/{route}", "headers": [],
                     "client": (host, 1)}, receive, send)
        headers = {k.decode(): v.decode() for k, v in sent[0].get("headers", [])}
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]).decode(), headers

    async def run():
        return await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)

    return asyncio.run(run())


def statuses(results: list) -> list:
    return [r[0] if isinstance(r, tuple) else type(r).__name__ for r in results]


def test_a_client_past_its_share_is_refused_before_gradio_sees_it():
    guard, gradio, _ = guarded(3)
    results = burst(guard, "10.0.0.1", 10)  # at once: the check cannot be overshot while joins are under way
    assert sorted(statuses(results)) == [200] * 3 + [429] * 7 and len(gradio.joined) == 3  # refused: never reached it
    for status, body, headers in results:
        if status == 429:
            detail = json.loads(body)["detail"]
            assert REFUSED in detail.lower() and "3 being answered or waiting" in detail
            assert int(headers["retry-after"]) >= 1 and headers["content-type"] == "application/json"
    assert statuses(burst(guard, "10.0.0.2", 3)) == [200] * 3  # the others keep their share
    assert statuses(burst(guard, "10.0.0.1", 5, "call/documents")) == [200] * 5  # other routes: not counted
    assert statuses(burst(guard, "10.0.0.1", 5, "queue/join", fn_index=1)) == [200] * 5
    assert statuses(burst(guard, "10.0.0.3", 5, "queue/join", fn_index=2)).count(429) == 2  # the page's questions
    assert statuses(burst(guard, "10.0.0.3", 1)) == [429]  # … and the API's share one bound


def test_a_share_comes_back_when_gradio_lets_go_of_an_event():
    guard, gradio, share = guarded(2)
    burst(guard, "10.0.0.1", 2)
    first, second = gradio.joined
    assert share.held("10.0.0.1") == 2 and statuses(burst(guard, "10.0.0.1", 1)) == [429]
    gradio.finish(first)  # answered (or failed, or cancelled, or the client went away)
    assert share.held("10.0.0.1") == 1 and statuses(burst(guard, "10.0.0.1", 1)) == [200]
    gradio.finish(second)
    gradio.fail_next = "raise"  # a call that fails in Gradio holds nothing afterwards …
    assert statuses(burst(guard, "10.0.0.1", 1)) == ["RuntimeError"]
    gradio.fail_next = "full"  # … nor does one the queue turns away
    assert statuses(burst(guard, "10.0.0.1", 1)) == [503]
    assert share.held("10.0.0.1") == 1 and not share._admitting


def test_ipv6_clients_share_by_their_64_network():
    guard, _, _ = guarded(2)
    assert statuses(burst(guard, "2001:db8:1:2::1", 1) + burst(guard, "2001:db8:1:2::ff", 1)) == [200, 200]
    assert statuses(burst(guard, "2001:db8:1:2:aaaa::3", 1)) == [429]
    assert statuses(burst(guard, "2001:db8:1:3::1", 1)) == [200]


def test_an_oversized_join_is_refused_and_the_wait_named_follows_the_queue():
    guard, gradio, share = guarded(1, concurrency=2)
    gradio._queue.process_time_per_fn = {gradio.fns[0]: SimpleNamespace(avg_time=0.5, count=9)}
    burst(guard, "10.0.0.1", 1)
    gradio.start()  # its question is being answered: about one answer
    assert share.wait_s("10.0.0.1") == 1
    for i in range(10):
        burst(guard, f"10.0.1.{i}", 1)
    burst(guard, "10.0.0.2", 1)  # behind 10 others, 2 at a time: 5 rounds, then its own, after the running ones
    status, body, headers = burst(guard, "10.0.0.2", 1)[0]
    assert share.wait_s("10.0.0.2") == 4 and "try again in 4 s" in body and headers["retry-after"] == "4"

    async def big_join():
        sent = []
        chunks = [b"{" + b" " * (MAX_JOIN_BYTES // 2)] * 3

        async def receive():
            return {"type": "http.request", "body": chunks.pop(), "more_body": bool(chunks)}

        async def send(message):
            sent.append(message)

        await guard({"type": "http", "method": "POST", "path": "/gradio_api/queue/join", "headers": [],
                     "client": ("10.0.0.9", 1)}, receive, send)
        return sent[0]["status"], chunks

    status, unread = asyncio.run(big_join())
    assert status == 413 and unread  # refused as soon as it is too large, not read to the end


def test_the_web_settings_come_from_the_environment_and_bad_values_are_refused(monkeypatch):
    for name in ("QA_WEB_ASK_CONCURRENCY", "QA_WEB_QUEUE_SIZE", "QA_WEB_ASK_PER_CLIENT", "QA_WEB_TRUSTED_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert (web_config.web_ask_concurrency(), web_config.web_queue_size(), web_config.web_ask_per_client()) == (
        web_config.WEB_ASK_CONCURRENCY, web_config.WEB_QUEUE_SIZE, web_config.WEB_ASK_PER_CLIENT)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
    assert web_config.forwarding_environment() == () and os.environ["FORWARDED_ALLOW_IPS"] == ""  # off
    monkeypatch.setenv("QA_WEB_ASK_PER_CLIENT", " 8 ")
    assert web_config.web_ask_per_client() == 8
    for bad in ("0", "-1", "four", "1e3"):
        monkeypatch.setenv("QA_WEB_ASK_PER_CLIENT", bad)
        with pytest.raises(ValueError, match="QA_WEB_ASK_PER_CLIENT must be a whole number"):
            web_config.web_ask_per_client()
    monkeypatch.setenv("QA_WEB_TRUSTED_PROXY", "10.0.0.5, 10.1.0.0/16,::1")
    assert web_config.forwarding_environment() == ("10.0.0.5", "10.1.0.0/16", "::1")
    assert os.environ["FORWARDED_ALLOW_IPS"] == "10.0.0.5,10.1.0.0/16,::1"
    for bad in ("*", "proxy.example.org", "10.0.0.5,nope"):
        monkeypatch.setenv("QA_WEB_TRUSTED_PROXY", bad)
        with pytest.raises(ValueError, match="QA_WEB_TRUSTED_PROXY must list proxy addresses"):
            web_config.web_trusted_proxies()


def test_every_question_route_shares_the_counted_concurrency_id(tmp_path):
    from qa.web.admin import AdminGate
    from qa.web.app import ASK as APP_ASK
    from qa.web.app import WebApp

    app = WebApp(tmp_path / "index", AdminGate.create("127.0.0.1", None), tmp_path / "staging")
    demo = app.blocks()
    answering = {fn.name for fn in demo.fns.values() if fn.concurrency_id == APP_ASK}
    assert APP_ASK == ASK and answering == {"turn", "example_turn", "api_ask"}, answering
    limits = {fn.concurrency_limit for fn in demo.fns.values() if fn.concurrency_id == APP_ASK}
    assert limits == {web_config.web_ask_concurrency()}


# ---------------------------------------------------------------- the real app, over HTTP

FLOODER, OTHER, PROXY, SPOOFER = "127.0.0.2", "127.0.0.3", "127.0.0.9", "127.0.0.10"
QUESTIONS = ["今年地区生产总值预期增长多少？", "去年城镇居民人均可支配收入增长多少？", "未来五年要培育多少家新型研发机构？"]
FLOOD_THREADS = 24  # each asks twice: 48 questions from one address, 4 at most answering or waiting


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from qa.testing.webapp import make_home, start_app

    running = start_app(make_home(tmp_path_factory.mktemp("web-fair"), copy_index=False),
                        env={"QA_MODEL": "qa.testing.fakes:HashEmbedder", "QA_WEB_TRUSTED_PROXY": PROXY})
    yield running
    running.stop()


def ask(app, question: str, source: str, forwarded: str | None = None) -> tuple[int, object]:
    """One question as curl would ask it: (200, the answer's key) or (status, the refusal's text)."""
    from qa.testing.webapp import raw_request

    headers = {"Content-Type": "application/json"} | ({"X-Forwarded-For": forwarded} if forwarded else {})
    status, body = raw_request(app, "POST", "/gradio_api/call/ask", json.dumps({"data": [question]}).encode(),
                               headers, source)
    if status != 200:
        return status, json.loads(body).get("detail", body) if body.startswith("{") else body
    status, stream = raw_request(app, "GET", f"/gradio_api/call/ask/{json.loads(body)['event_id']}", source=source,
                                 timeout=120)
    if "event: complete" not in stream:
        return 0, stream[-300:]  # neither an answer nor the refusal: lost
    answer = json.loads([line for line in stream.splitlines() if line.startswith("data:")][-1][5:])[0]
    return 200, (answer["answer"], answer["abstained"], tuple((c["doc"], c["start"]) for c in answer["citations"]))


def at_once(n: int, fn) -> list:
    """``fn(i)`` for i < n on n threads released together."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait(60)
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.browser
def test_a_flooder_is_refused_and_everyone_else_is_answered(app):
    expected = {}
    for q in QUESTIONS:
        status, got = ask(app, q, OTHER)
        assert status == 200, got
        expected[q] = got

    def flood(i):
        return [(q, *ask(app, q, FLOODER)) for q in (QUESTIONS[i % 3], QUESTIONS[(i + 1) % 3])]

    with ThreadPoolExecutor(1) as pool:
        flooding = pool.submit(at_once, FLOOD_THREADS, flood)
        other = []
        while len(other) < 3 or not flooding.done():  # one question after another, as a person would ask
            q = QUESTIONS[len(other) % 3]
            other.append((q, *ask(app, q, OTHER)))
            assert len(other) < 300, "the flood did not end"
        flooded = [r for thread in flooding.result() for r in thread]

    assert [status for _, status, _ in other] == [200] * len(other), other  # the other user: never refused …
    assert all(got == expected[q] for q, _, got in other)  # … and answered right
    answered = [(q, got) for q, status, got in flooded if status == 200]
    refused = [got for _, status, got in flooded if status == 429]
    assert len(answered) + len(refused) == len(flooded) == 2 * FLOOD_THREADS  # nothing lost: an answer or a refusal
    assert all(got == expected[q] for q, got in answered) and answered
    assert len(refused) >= FLOOD_THREADS // 2 and all(REFUSED in text.lower() and "try again in" in text for text in refused)
    # afterwards the flooder has its whole share again (every slot is given back: Gradio lets go of an event a
    # moment after its answer is sent), and the app answers as before
    share = web_config.WEB_ASK_PER_CLIENT
    for _ in range(20):
        again = at_once(share, lambda i: ask(app, QUESTIONS[i % 3], FLOODER))
        if [status for status, _ in again] == [200] * share:
            break
        time.sleep(0.5)
    assert [status for status, _ in again] == [200] * share, again
    assert ask(app, QUESTIONS[0], OTHER) == (200, expected[QUESTIONS[0]])
    assert f"past their share of {share}" in app.log_text()


@pytest.mark.browser
def test_only_a_named_proxy_may_forward_its_clients_addresses(app):
    from gradio_client import Client

    n = 16
    # the trusted proxy's clients are told apart: none is refused
    distinct = at_once(n, lambda i: ask(app, QUESTIONS[i % 3], PROXY, forwarded=f"198.51.100.{i + 1}"))
    assert [status for status, _ in distinct] == [200] * n, distinct
    # one client behind it is one client; an untrusted sender's header is ignored (it is its own address)
    for source, forwarded in ((PROXY, lambda i: "198.51.100.200"), (SPOOFER, lambda i: f"203.0.113.{i + 1}")):
        results = at_once(n, lambda i: ask(app, QUESTIONS[i % 3], source, forwarded=forwarded(i)))
        assert {status for status, _ in results} == {200, 429}, (source, results)
    # the page's way in (queue/join, which gradio_client takes too) passes the check as well
    assert Client(app.url, verbose=False).predict(QUESTIONS[0], api_name="/ask")["question"]


@pytest.mark.browser
def test_odd_joins_are_refused_shortly_and_the_app_goes_on(app):
    from qa.testing.webapp import raw_request

    json_headers = {"Content-Type": "application/json"}
    for body in (b"[" * 100_000, b"\xff\xfe not json", b'{"fn_index": "0", "data": []}', b"{}"):
        status, text = raw_request(app, "POST", "/gradio_api/queue/join", body, json_headers, "127.0.0.20")
        assert status in (400, 422) and "Traceback" not in text, (body[:20], status, text[:200])
    status, text = raw_request(app, "POST", "/gradio_api/queue/join", b"{" + b" " * (300 * 1024) + b"}",
                               json_headers, "127.0.0.20")
    assert status == 413, (status, text[:200])
    assert ask(app, QUESTIONS[0], "127.0.0.20")[0] == 200
