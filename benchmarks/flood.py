"""Flood benchmark: one address floods /ask while another asks one question after another.

    python benchmarks/flood.py [--connections 150] [--per-connection 3] [--addresses 1] [--other 10] [--url URL]
                               [--no-load] [--sweep 1,2,3,4]

Without --url it starts app.py itself, as ``python app.py`` starts it (loopback, the default settings; only
``QA_WEB_TRUSTED_PROXY=127.0.0.1`` added, which the load test needs and which the flood's addresses never
use), and stops it at the end. Over HTTP from chosen loopback addresses (all of 127/8 is this machine):

1. quiet: the other user (127.0.0.3) asks ``--other`` questions one after another (each question at least once);
2. the flood: the flooder (127.0.0.2) opens ``--connections`` connections and asks ``--per-connection``
   questions on each (its calls as curl would make them: POST /gradio_api/call/ask, then read the answer's
   stream), while the other user keeps asking one question after another until the flood is over;
3. after: the other user asks ``--other`` questions again;
4. the 32-client load test (benchmarks/load.py, every client an address of its own).

``--addresses N`` spreads the flood's connections over N addresses (127.0.1.1 …): what the per-address share
does not stop.

Every answer is compared with the quiet one for the same question. Prints the figures as JSON, then a table.
``--sweep 1,2,3,4`` instead runs the load test once per value of ``QA_WEB_ASK_CONCURRENCY`` (answers per second
against latency, the measurement that sets it).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from qa.config import library_environment

library_environment()

from qa.testing.load import key  # noqa: E402  (an answer as compared: text, abstention, citations)
from qa.testing.load import run as load_test  # noqa: E402
FLOODER, OTHER = "127.0.0.2", "127.0.0.3"
QUESTIONS = ["今年地区生产总值预期增长多少？", "去年城镇居民人均可支配收入增长多少？", "未来五年要培育多少家新型研发机构？",
             "太原要和周边哪四个市建立常态化对接合作机制？"]


class Connection:
    """One keep-alive HTTP/1.1 connection from a chosen source address (reopened if the server closes it)."""

    def __init__(self, port: int, source: str):
        self.port, self.source = port, source
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, str]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port,
                                                                         local_addr=(self.source, 0))
            head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            try:
                self.writer.write(head + body)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, str]:
        status = int((await self.reader.readuntil(b"\r\n")).split()[1])
        headers = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, bytes(body).decode("utf-8", "replace")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def ask(conn: Connection, question: str) -> dict:
    """One question through /gradio_api/call/ask: {"status", "answer" or "message", "s", "refused_s"}."""
    t = time.perf_counter()
    status, body = await conn.request("POST", "/gradio_api/call/ask", json.dumps({"data": [question]}).encode())
    if status != 200:
        try:
            message = json.loads(body).get("detail", body)
        except ValueError:
            message = body
        return {"status": status, "message": str(message)[:300], "refused_s": time.perf_counter() - t}
    event = json.loads(body)["event_id"]
    status, stream = await conn.request("GET", f"/gradio_api/call/ask/{event}")
    kinds = [line[6:].strip() for line in stream.splitlines() if line.startswith("event:")]
    data = [line[5:] for line in stream.splitlines() if line.startswith("data:")]
    if status != 200 or "complete" not in kinds:
        return {"status": status, "message": (data[-1] if data else stream)[:300], "s": time.perf_counter() - t}
    answer = json.loads(data[-1])[0]
    return {"status": 200, "answer": key(answer), "s": time.perf_counter() - t}


def summary(results: list[dict], expected: dict[str, tuple] | None = None) -> dict:
    answered = [r for r in results if r["status"] == 200]
    times = sorted(r["s"] for r in answered)
    out = {"asked": len(results), "answered": len(answered),
           "p50_s": round(statistics.median(times), 3) if times else None,
           "max_s": round(max(times), 3) if times else None}
    if expected is not None:
        out["wrong"] = sum(r["answer"] != expected.get(r["q"]) for r in answered)
    refused = [r for r in results if r["status"] != 200]
    if refused:
        out["not_answered"] = {str(s): sum(r["status"] == s for r in refused) for s in sorted({r["status"] for r in refused})}
    return out


def flooder_address(c: int, addresses: int) -> str:
    return FLOODER if addresses == 1 else f"127.0.1.{c % addresses + 1}"


async def flood(port: int, connections: int, per_connection: int, other: int, addresses: int = 1) -> dict:
    user = Connection(port, OTHER)
    expected, quiet = {}, []
    for i in range(max(other, len(QUESTIONS))):  # every question at least once: the answers to compare with
        q = QUESTIONS[i % len(QUESTIONS)]
        r = await ask(user, q) | {"q": q}
        if r["status"] == 200:
            expected.setdefault(q, r["answer"])
        quiet.append(r)

    async def flooder(c: int) -> list[dict]:
        conn, out = Connection(port, flooder_address(c, addresses)), []
        try:
            for j in range(per_connection):
                q = QUESTIONS[(c + j) % len(QUESTIONS)]
                try:
                    out.append(await ask(conn, q) | {"q": q})
                except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                    out.append({"status": 0, "message": f"{type(e).__name__}: {e}"[:200], "q": q})
        finally:
            await conn.close()
        return out

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(flooder(c)) for c in range(connections)]
    during = []
    while not all(t.done() for t in tasks):
        q = QUESTIONS[len(during) % len(QUESTIONS)]
        during.append(await ask(user, q) | {"q": q})
    flood_s = time.perf_counter() - t0
    flooded = [r for t in tasks for r in t.result()]
    after = []
    for i in range(other):
        q = QUESTIONS[i % len(QUESTIONS)]
        after.append(await ask(user, q) | {"q": q})
    await user.close()

    refused = [r for r in flooded if r["status"] == 429]
    refusal_s = sorted(r["refused_s"] for r in refused)
    lost = [r for r in flooded if r["status"] not in (200, 429, 503)]  # neither an answer nor a refusal
    return {"quiet": summary(quiet, expected), "during_flood": summary(during, expected), "after": summary(after, expected),
            "flooder": {"addresses": addresses, "requests": len(flooded), "answered": sum(r["status"] == 200 for r in flooded),
                        "wrong": sum(r["status"] == 200 and r["answer"] != expected.get(r["q"]) for r in flooded),
                        "refused_429": len(refused), "other": len(lost),
                        "queue_full_503": sum(r["status"] == 503 for r in flooded),
                        "other_samples": sorted({f"{r['status']} {r.get('message', '')[:80]}" for r in lost})[:3],
                        "refusal_p50_s": round(statistics.median(refusal_s), 3) if refusal_s else None,
                        "refusal_max_s": round(max(refusal_s), 3) if refusal_s else None,
                        "refused_within_0.1_s": sum(s <= 0.1 for s in refusal_s),
                        "message": refused[0]["message"] if refused else None},
            "flood_s": round(flood_s, 2)}


def table(r: dict) -> str:
    d, f, a, q = r["during_flood"], r["flooder"], r["after"], r["quiet"]
    rows = [("the other user's answers, quiet: answered / p50 / max", f"{q['answered']} of {q['asked']} / {q['p50_s']} s / {q['max_s']} s"),
            ("the other user's answers during the flood", f"{d['answered']} of {d['asked']} / {d['p50_s']} s / {d['max_s']} s"),
            (f"the flooder's requests ({f['addresses']} address(es))",
             f"{f['requests']}: {f['answered']} answered, {f['refused_429']} refused (429), {f['other']} other "
             f"({f['queue_full_503']} × 503 queue full)"),
            ("time to refusal: p50 / max / within 0.1 s", f"{f['refusal_p50_s']} s / {f['refusal_max_s']} s / "
                                                          f"{f['refused_within_0.1_s']} of {f['refused_429']}"),
            ("after the flood: p50 / max", f"{a['p50_s']} s / {a['max_s']} s")]
    if "load" in r:
        lo = r["load"]
        rows.append(("32-client load test", f"{lo['errors']} errors, {lo['mismatches']} mismatches, "
                                            f"{lo['requests_per_s']} requests/s, p50 {lo['p50_ms']} ms"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows) + f"\nrefusal message: {f['message']}"


def start(env: dict | None = None):
    from qa.testing.webapp import PROXY_ENV, make_home, start_app

    return start_app(make_home(Path(tempfile.mkdtemp(prefix="qa-flood-"))), env=PROXY_ENV | (env or {}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--connections", type=int, default=150)
    ap.add_argument("--per-connection", type=int, default=3)
    ap.add_argument("--addresses", type=int, default=1, help="flooding addresses (default 1: 127.0.0.2)")
    ap.add_argument("--other", type=int, default=10, help="the other user's questions before and after the flood")
    ap.add_argument("--url", help="an app already running on loopback (started with QA_WEB_TRUSTED_PROXY=127.0.0.1)")
    ap.add_argument("--no-load", action="store_true", help="leave out the 32-client load test")
    ap.add_argument("--load-requests", type=int, default=320)
    ap.add_argument("--sweep", help="comma-separated QA_WEB_ASK_CONCURRENCY values: the load test for each")
    args = ap.parse_args()
    if args.sweep:
        rows = []
        for n in [int(v) for v in args.sweep.split(",")]:
            app = start({"QA_WEB_ASK_CONCURRENCY": str(n)})
            try:
                rows.append({"ask_concurrency": n} | load_test(app.url, 32, args.load_requests))
            finally:
                app.stop()
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        return 0 if all(r["errors"] == 0 and r["mismatches"] == 0 for r in rows) else 1
    app = None if args.url else start()
    url = args.url or app.url
    try:
        result = asyncio.run(flood(urlsplit(url).port, args.connections, args.per_connection, args.other,
                                   args.addresses))
        if not args.no_load:
            result["load"] = load_test(url, 32, args.load_requests)
    finally:
        if app:
            app.stop()
    result["cores"], result["load_average"] = os.cpu_count(), [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, ensure_ascii=False))
    print(table(result))
    fine = (result["during_flood"]["answered"] == result["during_flood"]["asked"] and result["flooder"]["other"] == 0
            and not any(result[k].get("wrong") for k in ("quiet", "during_flood", "after")))
    return 0 if fine else 1


if __name__ == "__main__":
    sys.exit(main())
