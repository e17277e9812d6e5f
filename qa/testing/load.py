"""The load test's core (``benchmarks/load.py``, ``tests/test_web_load.py``): concurrent clients asking through the
web app's API, each with an address of its own (forwarded in ``X-Forwarded-For``, see :data:`.webapp.PROXY_ENV`),
every answer compared with the one a single client got for the same question."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

from .webapp import ROOT, client_headers


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
