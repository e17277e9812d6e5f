"""The seed report as a laid-out PDF and as a scan: `qa eval` figures and build times against the .txt.

    python benchmarks/paged_eval.py [--out DIR] [--gold eval/report_qa_dev.jsonl] [--dpi 200] [--json FILE]

Typesets the seed the way government PDFs are (qa/testing/pdf_fixtures.py: A4, 11 pt STSong-Light, 38 characters a
line, running header, ``— N —`` footer), renders it to an image-only PDF at ``--dpi``, builds one index from
each of the three (the real model, a fresh index each, timed as a whole ``build_index`` call) and runs the gold
set through each. OCR seconds a page are reported as wall time and as the process's CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from qa.testing.pdf_fixtures import scan, seed_paragraphs, typeset

METRICS = ["cite@1", "cite@5", "answer_hit", "answer_len_median", "section@1", "abstain_unanswerable",
           "abstain_wrong", "english_cite@5", "p50_ms", "p95_ms"]


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/qa-paged-eval")
    ap.add_argument("--gold", default=str(ROOT / "eval" / "report_qa_dev.jsonl"))
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--json")
    ap.add_argument("--only", nargs="*", help="txt pdf scan (default: all three)")
    args = ap.parse_args()

    from qa.config import library_environment

    library_environment()
    from qa.evaluation.report import evaluate
    from qa.index.build import build_index
    from qa.model.embedding import get_embedder

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed = ROOT / "seeds" / "taiyuan_2022_government_work_report.txt"
    pdf = typeset(seed_paragraphs(seed.read_text(encoding="utf-8")), out / "report.pdf")
    scanned = scan(pdf, out / "report-scan.pdf", dpi=args.dpi)
    sources = {"txt": seed, "pdf": pdf, "scan": scanned}
    get_embedder(None).encode_documents(["预热"])  # load the model once, outside the timed builds
    results = {}
    for name in args.only or ["txt", "pdf", "scan"]:
        index = out / f"index-{name}"
        if index.exists():
            import shutil

            shutil.rmtree(index)
        pages: list[tuple[int, float, float]] = []
        t_page, c_page = [time.perf_counter()], [cpu()]

        def note(stage, done, total):
            if stage == "ocr":
                now, c = time.perf_counter(), cpu()
                pages.append((done, now - t_page[0], c - c_page[0]))
                print(f"  {name}: OCR page {done}/{total} {now - t_page[0]:.1f} s wall, {c - c_page[0]:.1f} s CPU",
                      flush=True)
            t_page[0], c_page[0] = time.perf_counter(), cpu()

        t0 = time.perf_counter()
        summary = build_index([sources[name]], index, progress=note)
        seconds = time.perf_counter() - t0
        print(summary.report(), flush=True)
        m = evaluate(args.gold, index)
        row = {k: m[k] for k in METRICS} | {"build_s": round(seconds, 1), "chunks": summary.chunks,
                                             "sections": summary.sections}
        if pages:
            row["ocr_wall_s_per_page"] = round(sum(p[1] for p in pages) / len(pages), 1)
            row["ocr_cpu_s_per_page"] = round(sum(p[2] for p in pages) / len(pages), 1)
            row["ocr_pages"] = len(pages)
        row["misses"] = [f"{r['id']} [{r['type']}] {r['question']} → {r['answer'] or '(abstained)'} | "
                         f"{r['section']}" for r in m["misses"]]
        results[name] = row
        print(name, json.dumps({k: v for k, v in row.items() if k != "misses"}, ensure_ascii=False), flush=True)
    print(f"\n| source | {' | '.join(METRICS)} | build s |")
    print("|---" * (len(METRICS) + 2) + "|")
    for name, row in results.items():
        print(f"| {name} | {' | '.join(str(row[k]) for k in METRICS)} | {row['build_s']} |")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
