"""Speed and memory figures, printed and written as JSON.

    python benchmarks/bench.py [--scale 100] [--quick] [--json bench.json]

Figures: cold start to first answer in a fresh process; warm ``ask()`` p50/p95 over the dev
questions; build throughput (sentences/s) for the seed and for a corpus ``--scale`` times
larger; adding one document to that large index; a 1,000-document collection (build time,
size, ask latency, adding one); index sizes on disk; peak RSS of a process serving the seed;
flat-versus-HNSW search latency by index size. Timings are wall-clock on this machine and
always reported with its core count. Benchmarks print figures; tests never assert timings.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.config import default_seeds_dir, project_home

from qa.testing.corpus import encyclopedia  # the test corpus generator

GOLD = project_home() / "eval" / "report_qa_dev.jsonl"


# peak RSS in MB from /proc (ru_maxrss would include the parent's memory: it survives fork+exec)
_PEAK = "print(int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024)"


def _peak_mb() -> float:
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith("VmHWM")).split()[1]) / 1024


def _dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6, 2)


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(len(xs) * p))], 2) if xs else 0.0


def scaled_corpus(folder: Path, scale: int) -> int:
    """``scale`` variants of the seed documents (each marked so none is a duplicate)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(p for p in default_seeds_dir().iterdir() if p.is_file())
    for k in range(scale):
        for s in seeds:
            text = s.read_text(encoding="utf-8")
            (folder / f"{s.stem}_{k:03d}{s.suffix}").write_text(text + f"\n\n（第{k}号副本）\n", encoding="utf-8")
    return scale * len(seeds)


def _build(sources, index_dir, **kw) -> dict:
    from qa.index.build import build_index

    t = time.perf_counter()
    s = build_index(sources, index_dir, **kw)
    sec = time.perf_counter() - t
    return {"documents": s.documents, "chunks": s.chunks, "embedded": s.embedded, "seconds": round(sec, 2),
            "sentences_per_s": round(s.chunks / sec, 1) if sec else 0, "index_mb": _dir_mb(index_dir)}


def _ask_times(questions: list[str], index_dir: Path) -> list[float]:
    from qa.api import ask

    ask(questions[0], index_dir=index_dir)
    out = []
    for q in questions:
        t = time.perf_counter()
        ask(q, index_dir=index_dir)
        out.append((time.perf_counter() - t) * 1000)
    return out


def cold_start(index_dir: Path, runs: int = 3) -> dict:
    """Fresh interpreter → first answer printed (index present, model cache warm on disk)."""
    code = ("import sys,time; from qa.api import ask; a=ask('今年地区生产总值预期增长多少？', index_dir=sys.argv[1]); "
            + _PEAK)
    times, rss = [], []
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, str(index_dir)], capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t)
        rss.append(float(out.stdout.strip().splitlines()[-1]))
    return {"seconds_median": round(statistics.median(times), 2), "seconds_all": [round(x, 2) for x in times],
            "rss_mb": round(max(rss), 1)}


def serving_rss(index_dir: Path) -> float:
    """Peak RSS (MB) of a process that loads the seed index and answers every dev question."""
    code = ("import sys,json; from qa.api import ask\n"
            "for l in open(sys.argv[2], encoding='utf-8'): ask(json.loads(l)['question'], index_dir=sys.argv[1])\n"
            + _PEAK)
    out = subprocess.run([sys.executable, "-c", code, str(index_dir), str(GOLD)], capture_output=True, text=True,
                         check=True)
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def search_scaling(sizes=(10_000, 50_000, 100_000, 200_000), dim: int = 384, queries: int = 200) -> list[dict]:
    """Flat versus HNSW search latency and HNSW recall@10 on clustered random vectors."""
    import faiss

    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        centers = rng.standard_normal((max(8, n // 200), dim)).astype(np.float32)
        x = centers[rng.integers(0, len(centers), n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q = x[rng.integers(0, n, queries)] + 0.1 * rng.standard_normal((queries, dim)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        flat = faiss.IndexFlatIP(dim)
        flat.add(x)
        hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        t = time.perf_counter()
        hnsw.add(x)
        build = time.perf_counter() - t
        hnsw.hnsw.efSearch = 256
        res = {}
        for name, idx in (("flat", flat), ("hnsw", hnsw)):
            t = time.perf_counter()
            ids = [idx.search(q[i : i + 1], 10)[1][0] for i in range(queries)]
            res[name] = ((time.perf_counter() - t) / queries * 1000, ids)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(res["flat"][1], res["hnsw"][1])])
        rows.append({"n": n, "flat_ms": round(res["flat"][0], 3), "hnsw_ms": round(res["hnsw"][0], 3),
                     "hnsw_recall@10": round(float(recall), 4), "hnsw_build_s": round(build, 1)})
    return rows


def run(scale: int = 100, quick: bool = False, out: Path | None = None) -> dict:
    from qa.evaluation.report import load_gold

    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    questions = [g["question"] for g in load_gold(GOLD)]
    from qa.model.quantize import int8_path

    r: dict = {"machine": {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                           "int8": int8_path(),
                           "python": platform.python_version(),
                           "query_backend": os.environ.get("QA_QUERY_BACKEND", "default")}}
    try:
        seed_idx = work / "seed-index"
        t = time.perf_counter()
        from qa.model.embedding import get_embedder

        emb = get_embedder()
        emb.encode_documents(["预热"])  # load the document and question encoders before timing builds
        emb.encode_queries(["预热"])
        r["model_load_s"] = round(time.perf_counter() - t, 2)
        r["build_seed"] = _build([default_seeds_dir()], seed_idx)
        _emit("build_seed", r["build_seed"])
        times = _ask_times(questions, seed_idx)
        r["ask_warm_ms"] = {"p50": _pct(times, 0.5), "p95": _pct(times, 0.95), "max": round(max(times), 2),
                            "questions": len(times)}
        _emit("ask_warm_ms", r["ask_warm_ms"])
        r["cold_start"] = cold_start(seed_idx)
        _emit("cold_start", r["cold_start"])
        r["serving_seed_peak_rss_mb"] = serving_rss(seed_idx)
        _emit("serving_seed_peak_rss_mb", r["serving_seed_peak_rss_mb"])
        r["search_scaling"] = search_scaling(sizes=(10_000, 50_000) if quick else (10_000, 50_000, 100_000, 200_000))
        _emit("search_scaling", r["search_scaling"])
        if not quick:
            enc = work / "encyclopedia"
            probes = encyclopedia(enc, 1000)
            r["encyclopedia_1000"] = _build([enc], work / "enc-index")
            probe_times, right = [], 0
            from qa.api import ask

            for fname, q, expected in probes[::50]:
                t = time.perf_counter()
                a = ask(q, index_dir=work / "enc-index")
                probe_times.append((time.perf_counter() - t) * 1000)
                right += bool(a.citations) and a.citations[0].doc == fname and expected in a.answer
            r["encyclopedia_1000"] |= {"ask_p50_ms": _pct(probe_times, 0.5), "right_document_and_answer":
                                       f"{right}/{len(probe_times)}"}
            extra = work / "one-more"
            encyclopedia(extra, 1001)
            keep = extra / "article_1000.md"
            r["encyclopedia_add_one"] = _build([keep], work / "enc-index", keep_existing=True)
            _emit("encyclopedia_1000", r["encyclopedia_1000"])
            _emit("encyclopedia_add_one", r["encyclopedia_add_one"])
            big = work / "scaled"
            r["scaled_documents"] = scaled_corpus(big, scale)
            r["build_scaled"] = _build([big], work / "big-index")
            _emit("build_scaled", r["build_scaled"])
            one = work / "one"
            one.mkdir()
            (one / "addendum.txt").write_text("一、补充说明\n\n今年新建社区图书馆25个，新增藏书30万册。\n", encoding="utf-8")
            r["scaled_add_one"] = _build([one], work / "big-index", keep_existing=True)
            _emit("scaled_add_one", r["scaled_add_one"])
            big_times = _ask_times(questions[:40], work / "big-index")
            r["scaled_ask_ms"] = {"p50": _pct(big_times, 0.5), "p95": _pct(big_times, 0.95)}
            _emit("scaled_ask_ms", r["scaled_ask_ms"])
        r["bench_process_peak_rss_mb"] = round(_peak_mb(), 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if out:
        Path(out).write_text(json.dumps(r, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return r


def _emit(name: str, value) -> None:
    print(f"{name}: {json.dumps(value, ensure_ascii=False)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="measure speed and memory (prints figures, writes JSON)")
    p.add_argument("--json", default="bench.json", help="where to write the figures (default bench.json)")
    p.add_argument("--scale", type=int, default=100, help="size of the large corpus, in copies of the seeds")
    p.add_argument("--quick", action="store_true", help="skip the large-corpus figures")
    args = p.parse_args(argv)
    r = run(scale=args.scale, quick=args.quick, out=Path(args.json) if args.json else None)
    print(f"machine: {json.dumps(r['machine'])}")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
