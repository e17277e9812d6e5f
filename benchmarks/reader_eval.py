"""Validation of the reader on DRCD test (never trained or tuned on): closed reading and end to end.

    python benchmarks/reader_eval.py                   # both, all 3,493 questions (about 15 min on 2 cores)
    python benchmarks/reader_eval.py --closed --limit 300
    python benchmarks/reader_eval.py --e2e --paragraphs 200 --record

Closed reading gives the reader each question's own paragraph; end to end writes the 1,000
paragraphs as 1,000 documents, builds an index and asks every question through ``qa.ask()``.
``--record`` writes the figures to ``benchmarks/results-reader.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from qa.config import default_mrc_dir, set_environment
from qa.model.reader import Reader
from qa.model.reader_data import load_squad
from qa.evaluation.mrc import closed_reading, end_to_end, first_paragraphs, write_corpus

DATA = default_mrc_dir()


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DATA / "drcd_test.json"))
    ap.add_argument("--closed", action="store_true")
    ap.add_argument("--e2e", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="closed reading: first N questions")
    ap.add_argument("--paragraphs", type=int, default=0, help="end to end: first N paragraphs and their questions")
    ap.add_argument("--reader", default=None, help="reader weights folder (default: the shipped ones)")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--workdir", default=None, help="end to end: keep the corpus and its index here (reused next time)")
    a = ap.parse_args(argv)
    both = not (a.closed or a.e2e)
    if a.reader:  # ask() reads with these weights too
        set_environment(QA_READER=str(Path(a.reader).resolve()))
    examples = load_squad(a.data)
    out: dict = {"data": Path(a.data).name}
    if a.closed or both:
        exs = examples[: a.limit] if a.limit else examples
        out["closed"] = closed_reading(Reader(a.reader), exs, progress=lambda m: print("closed", m, flush=True))
        print("closed reading:", out["closed"], flush=True)
    if a.e2e or both:
        from qa import build_index

        exs = first_paragraphs(examples, a.paragraphs)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(a.workdir or tmp)
            where = write_corpus(exs, work / "docs")
            t0 = time.perf_counter()
            build_index(sources=[work / "docs"], index_dir=work / "index")  # incremental: a kept workdir is reused
            build_s = round(time.perf_counter() - t0, 1)
            out["end_to_end"] = end_to_end(exs, work / "index", where, progress=lambda m: print("e2e", m, flush=True))
            out["end_to_end"] |= {"documents": len(set(where.values())), "build_seconds": build_s}
        print("end to end:", out["end_to_end"], flush=True)
    if a.record:
        path = ROOT / "benchmarks" / "results-reader.json"
        old = json.loads(path.read_text()) if path.exists() else {}
        key = f"{out['data']}:{a.limit or 'all'}:{a.paragraphs or 'all'}:reader"
        old[key] = old.get(key, {}) | out  # a closed run and an e2e run of one setting share a record
        path.write_text(json.dumps(old, indent=2, ensure_ascii=False) + "\n")
    return out


if __name__ == "__main__":
    main()
