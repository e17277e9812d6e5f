"""Soak: many ask() calls in one process; memory must stay flat.

    python benchmarks/soak.py [--calls 10000] [--index DIR]

Prints RSS at the start (after warm-up), every 1,000 calls, and at the end.
"""
import argparse
import json
import time
from pathlib import Path

import psutil

from qa.api import ask
from qa.evaluation.report import load_gold

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--index")
    args = ap.parse_args()
    questions = [g["question"] for g in load_gold(ROOT / "eval" / "report_qa_dev.jsonl")]
    questions += [g["question"] for g in load_gold(ROOT / "eval" / "report_qa_extra.jsonl")]
    proc = psutil.Process()
    ask(questions[0], index_dir=args.index)
    start = proc.memory_info().rss / 1e6
    print(f"start rss {start:.1f} MB (after warm-up)")
    t = time.perf_counter()
    samples = []
    for i in range(args.calls):
        q = questions[i % len(questions)] + ("" if i < len(questions) else f" {i}")  # vary text: no cache hits
        ask(q, index_dir=args.index)
        if (i + 1) % 1000 == 0:
            samples.append(round(proc.memory_info().rss / 1e6, 1))
            print(f"{i + 1} calls: rss {samples[-1]} MB", flush=True)
    end = proc.memory_info().rss / 1e6
    sec = time.perf_counter() - t
    print(json.dumps({"calls": args.calls, "seconds": round(sec, 1), "mean_ms": round(sec / args.calls * 1000, 2),
                      "rss_start_mb": round(start, 1), "rss_end_mb": round(end, 1),
                      "rss_growth_mb": round(end - start, 1), "samples_mb": samples}))


if __name__ == "__main__":
    main()
