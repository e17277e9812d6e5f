"""Load test: concurrent clients asking through the web app's API (loopback only, bounded).

    python benchmarks/load.py [--clients 32] [--requests 320] [--url URL]

Without --url it starts app.py itself on a free loopback port (in a private copy of the project
home) and stops it at the end. Every answer is compared with the one a single client got for the
same question. Prints errors, mismatches, throughput and latency percentiles as JSON.

Each client is a client of its own as the app tells clients apart (it counts questions per address): it
has an address of its own, forwarded in ``X-Forwarded-For`` by this process, which the app trusts as a proxy
(``web_app_support.PROXY_ENV``). Start an app given with --url with ``QA_WEB_TRUSTED_PROXY=127.0.0.1``, or its
per-address share refuses all but a few of the clients.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qa.config import library_environment  # noqa: E402

library_environment()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from web_app_support import PROXY_ENV, client_headers  # noqa: E402


def questions() -> list[str]:
    from qa.evaluation.report import load_gold

    return [g["question"] for g in load_gold(ROOT / "eval" / "report_qa_dev.jsonl")]


def key(answer: dict) -> tuple:
    return (answer["answer"], answer["abstained"], tuple((c["doc"], c["start"], c["end"]) for c in answer["citations"]))


def run(url: str, clients: int, requests: int) -> dict:
    from gradio_client import Client

    qs = questions()
    single = Client(url, verbose=False)
    expected = {q: key(single.predict(q, api_name="/ask")) for q in qs}
    latencies, errors, mismatches = [], [], []

    def client_loop(c: int) -> None:
        """One client: its own connection, its requests one after another, as a user would."""
        client = Client(url, verbose=False, headers=client_headers(c))
        for i in range(c, requests, clients):
            q = qs[(i * 7) % len(qs)]
            t = time.perf_counter()
            try:
                got = client.predict(q, api_name="/ask")
            except Exception as e:  # noqa: BLE001 - every failure is counted and reported
                errors.append(f"{type(e).__name__}: {e}"[:200])
                continue
            latencies.append((time.perf_counter() - t) * 1000)
            if key(got) != expected[q]:
                mismatches.append(q)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        list(ex.map(client_loop, range(clients)))
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    pct = lambda p: round(lat[min(len(lat) - 1, int(len(lat) * p))], 1) if lat else None  # noqa: E731
    return {"clients": clients, "requests": requests, "errors": len(errors), "error_samples": errors[:3],
            "mismatches": len(mismatches), "seconds": round(wall, 1), "requests_per_s": round(requests / wall, 1),
            "p50_ms": pct(0.5), "p95_ms": pct(0.95), "max_ms": pct(1.0), "cores": os.cpu_count()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=320)
    ap.add_argument("--url")
    args = ap.parse_args()
    app = None
    if not args.url:
        from web_app_support import make_home, start_app

        app = start_app(make_home(Path(tempfile.mkdtemp(prefix="qa-load-"))), env=PROXY_ENV)
    try:
        result = run(args.url or app.url, args.clients, args.requests)
    finally:
        if app:
            app.stop()
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["errors"] == 0 and result["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
