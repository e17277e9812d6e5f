"""What several reports in one index cost a warm ``ask()``: the seed alone against the seed with the excerpts of
``../shared/data/reports`` (issue 30), in the same run, question by question in turn.

    python benchmarks/reports.py [--reports DIR] [--json OUT]

Indexes are built in a temporary folder: the seed report alone, the seed with every ``.txt`` of the reports folder
("all"), and for each question the reports that answer it over "all" alone (the first document set of its scope,
:attr:`qa.answering.scope.Scope.order`: "own"; questions no report covers are left out of that row). The report's
dev questions are asked of the seed and of all; the questions of ``eval/real_reports_qa.jsonl`` (about the real
reports, each naming its place) of all; both sets of their own reports alone. Each question is asked of each of its
indexes in turn, so that the machine's drift falls on all alike. Printed per (index, set): warm p50 and mean in ms,
the reader's windows a question, the ratio of the p50s to the seed alone's, and to the same questions over their
own reports alone (the cost of the other reports in the index, the answers being the same reports').
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


_built: dict[tuple[str, ...], Path] = {}


def _own(question: str, work: Path, files: dict[str, Path]) -> Path | None:
    """An index of the reports that answer ``question`` over all of them (its scope's first document set), built
    once per set; None for a question no report covers."""
    from qa.answering.question import analyse
    from qa.answering.scope import read as scope
    from qa.api import load_index
    from qa.index.build import build_index

    index = load_index(work / "all")
    where = scope(analyse(question), index)
    if where.missing:
        return None
    docs = tuple(sorted(where.order[0] or index.documents))
    if docs not in _built:
        _built[docs] = work / f"own{len(_built)}"
        build_index([files[d] for d in docs], _built[docs])
    return _built[docs]


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
        files = {p.name: p for p in [*seed.glob("*.*"), *reports]}
        dev = _questions(ROOT / "eval" / "report_qa_dev.jsonl")
        real = _questions(ROOT / "eval" / "real_reports_qa.jsonl")
        own = {q: _own(q, work, files) for q in dev + real}
        windows = [0]
        read = Reader.read

        def counted(self, question, passages):
            windows[0] += len(passages)
            return read(self, question, passages)

        Reader.read = counted
        runs = {k: [] for k in [("seed", "dev"), ("all", "dev"), ("own", "dev"), ("all", "real"), ("own", "real")]}
        seen = {k: 0 for k in runs}
        paired = {k: [] for k in runs}  # (the question's time here, its time over its own reports alone)
        for q in dev[:3] + real[:3]:  # once untimed: indexes, models and tables load on first use
            for ix in (work / "seed", work / "all", own[q]):
                if ix is not None:
                    api.ask(q, index_dir=ix)
        for s, qs in (("dev", dev), ("real", real)):
            for q in qs:
                times = {}
                for ix, where in (("seed", work / "seed"), ("all", work / "all"), ("own", own[q])):
                    if (ix, s) not in runs or where is None:
                        continue
                    before = windows[0]
                    t = time.perf_counter()
                    api.ask(q, index_dir=where)
                    times[ix] = time.perf_counter() - t
                    runs[ix, s].append(times[ix])
                    seen[ix, s] += windows[0] - before
                if "own" in times:
                    for ix in times:
                        paired[ix, s].append((times[ix], times["own"]))
        Reader.read = read
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(runs["seed", "dev"])
    out = {}
    print(f"{len(reports)} reports beside the seed, {os.cpu_count()} cores")
    for (ix, s), ts in runs.items():
        p50 = statistics.median(ts)
        mine = [a for a, _ in paired[ix, s]]
        alone = [b for _, b in paired[ix, s]]
        out[f"{ix}/{s}"] = {"n": len(ts), "p50_ms": round(p50 * 1000, 1), "mean_ms": round(statistics.mean(ts) * 1000, 1),
                            "windows": round(seen[ix, s] / len(ts), 2), "p50_vs_seed": round(p50 / base, 2),
                            "p50_vs_own": round(statistics.median(mine) / statistics.median(alone), 2) if mine else None}
        v = out[f"{ix}/{s}"]
        own = f"{v['p50_vs_own']:.2f}" if mine else "-"
        print(f"  index {ix:<4} set {s:<4} n={v['n']:<3} p50 {v['p50_ms']:7.1f} ms  mean {v['mean_ms']:7.1f} ms  "
              f"windows {v['windows']:5.2f}  p50 / seed alone {v['p50_vs_seed']:.2f}  / own reports alone {own}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
