"""What several reports in one index cost a warm ``ask()``: the seed alone against the seed with the excerpts of
``../shared/data/reports`` (issue 30), in the same run, question by question in turn.

    python benchmarks/reports.py [--reports DIR] [--json OUT]

Two indexes are built in a temporary folder: the seed report alone, and the seed with every ``.txt`` of the
reports folder. The report's dev questions are asked of both, alternately (one question of one, then of the
other, so that the machine's drift falls on both alike); the questions of ``eval/real_reports_qa.jsonl`` (about
the real reports, each naming its place) are asked of the second. Printed per (index, set): warm p50 and mean in
ms, the reader's windows a question, and the ratio of the p50s to the seed alone's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]


def _questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reports", default=str(ROOT.parent / "shared" / "data" / "reports"))
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args(argv)

    from qa import api
    from qa.index.build import build_index
    from qa.model.reader import Reader

    reports = sorted(Path(args.reports).glob("*.txt"))
    if not reports:
        raise SystemExit(f"no .txt reports in {args.reports}")
    seed = ROOT / "seeds"
    work = Path(tempfile.mkdtemp(prefix="qa-reports-bench-"))
    try:
        build_index([seed], work / "seed")
        build_index([seed, *reports], work / "all")
        windows = [0]
        read = Reader.read

        def counted(self, question, passages):
            windows[0] += len(passages)
            return read(self, question, passages)

        Reader.read = counted
        dev = _questions(ROOT / "eval" / "report_qa_dev.jsonl")
        real = _questions(ROOT / "eval" / "real_reports_qa.jsonl")
        runs = {("seed", "dev"): [], ("all", "dev"): [], ("all", "real"): []}
        seen = {k: 0 for k in runs}
        for q in dev[:3] + real[:3]:  # once untimed: indexes, models and tables load on first use
            api.ask(q, index_dir=work / "seed")
            api.ask(q, index_dir=work / "all")
        jobs = [(k, q) for q in dev for k in (("seed", "dev"), ("all", "dev"))] + [(("all", "real"), q) for q in real]
        for (ix, s), q in jobs:
            before = windows[0]
            t = time.perf_counter()
            api.ask(q, index_dir=work / ix)
            runs[ix, s].append(time.perf_counter() - t)
            seen[ix, s] += windows[0] - before
        Reader.read = read
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(runs["seed", "dev"])
    out = {}
    print(f"{len(reports)} reports beside the seed, {os.cpu_count()} cores")
    for (ix, s), ts in runs.items():
        p50 = statistics.median(ts)
        out[f"{ix}/{s}"] = {"n": len(ts), "p50_ms": round(p50 * 1000, 1), "mean_ms": round(statistics.mean(ts) * 1000, 1),
                            "windows": round(seen[ix, s] / len(ts), 2), "p50_vs_seed": round(p50 / base, 2)}
        v = out[f"{ix}/{s}"]
        print(f"  index {ix:<4} set {s:<4} n={v['n']:<3} p50 {v['p50_ms']:7.1f} ms  mean {v['mean_ms']:7.1f} ms  "
              f"windows {v['windows']:5.2f}  p50 / seed alone {v['p50_vs_seed']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
