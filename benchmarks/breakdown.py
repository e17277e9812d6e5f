"""Where a warm ``ask()``'s milliseconds go, stage by stage, over a gold question set.

    python benchmarks/breakdown.py [eval/report_qa_dev.jsonl] [--index DIR]

Each stage is timed by wrapping the function that does it (the wrappers only measure): scope (place and year),
question analysis, the question's embedding, retrieval (dense and BM25 fused), the reader's windows (ONNX runs),
the chosen answer's embedding (for the abstention), and the rest (candidates, features, ranking, the Answer).
Prints the mean and the share of each, and the p50 of the whole; reading is also given per window read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("gold", nargs="?", default=str(ROOT / "eval" / "report_qa_dev.jsonl"))
    p.add_argument("--index", default=None, help="index folder (default: the project's)")
    args = p.parse_args(argv)

    from qa import api
    from qa.answering import pipeline
    from qa.model.reader import Reader, get_reader

    spent: dict[str, float] = defaultdict(float)
    windows = [0]

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    questions = [json.loads(line)["question"] for line in Path(args.gold).read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    for q in questions:  # once untimed: the index, the models and the dictionary's tables load on first use
        api.ask(q, index_dir=args.index)
    index = api.load_index(args.index)
    embedder = api.get_embedder(index.model_id)
    reader = get_reader()
    read = Reader.read

    def counted(self, question, passages):
        windows[0] += len(passages)
        return read(self, question, passages)

    pipeline.scope.read = timed("scope", pipeline.scope.read)
    pipeline.analyse = timed("analysis", pipeline.analyse)
    pipeline.retrieve = timed("retrieval", pipeline.retrieve)
    embedder.encode_queries = timed("question embedding", embedder.encode_queries)
    embedder.encode_passages = timed("answer embedding", embedder.encode_passages)
    reader.read = timed("reader", counted.__get__(reader))
    totals = []
    for q in questions:
        t = time.perf_counter()
        api.ask(q, index_dir=args.index)
        totals.append(time.perf_counter() - t)
    n = len(questions)
    whole = sum(totals)
    spent["rest"] = whole - sum(spent.values())
    print(f"{n} questions, warm ask() p50 {statistics.median(totals) * 1000:.1f} ms, mean {whole / n * 1000:.1f} ms")
    for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<20} {s / n * 1000:6.1f} ms  {s / whole:5.1%}")
    print(f"  windows read: {windows[0] / n:.2f} a question, {spent['reader'] / max(1, windows[0]) * 1000:.1f} ms a "
          f"window (side by side on the cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
