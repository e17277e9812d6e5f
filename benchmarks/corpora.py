"""Robustness on real corpora: every question of the three reading-comprehension corpora through ``ask()``.

    python benchmarks/corpora.py [--every K] [--fake] [--corpus NAME] [--json OUT]

Each corpus of ``../shared/data/mrc`` (CMRC 2018 trial; DRCD dev and test, converted to Simplified)
becomes one index of its paragraphs (one ``.txt`` document each); every question of the corpus and
the odd list of ``qa/testing/mrc_corpora.py`` (greetings, one character, digits, English words, emoji,
punctuation, titles) are asked. Printed per corpus and in total: questions asked, answered,
abstained, refused as empty (``QuestionError``), exceptions by type (with the first question that
raised each), answers whose offsets fail the citation check, build and asking seconds.
``--every K`` keeps every K-th article of each corpus (with its questions); ``--fake`` uses the
hash embedder (a quick look at everything but retrieval by meaning). The test suite runs a
subsample of this (``tests/test_corpora.py``). Exit status 1 when anything raised.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from qa.testing import mrc_corpora  # the corpora as documents, the odd questions, the citation check


def run(name: str, work: Path, every: int, embedder) -> dict:
    from qa.api import QuestionError, ask, build_index

    corpus = mrc_corpora.write(name, work / name, every)
    t0 = time.perf_counter()
    summary = build_index([corpus.folder], work / f"{name}-index", **({"embedder": embedder} if embedder else {}))
    build_s = time.perf_counter() - t0
    texts = mrc_corpora.read_texts([corpus.folder])
    questions = corpus.questions + mrc_corpora.odd_questions(corpus.titles)
    counts, errors, first, bad = Counter(), Counter(), {}, []
    t0 = time.perf_counter()
    for n, q in enumerate(questions):
        try:
            a = ask(q, index_dir=work / f"{name}-index")
        except QuestionError:
            counts["refused"] += 1
            continue
        except Exception as e:  # noqa: BLE001 - counted: ask() must raise nothing else
            errors[type(e).__name__] += 1
            first.setdefault(type(e).__name__, (q, traceback.format_exc(limit=-3)))
            continue
        counts["abstained" if a.abstained else "answered"] += 1
        try:
            mrc_corpora.check_answer(a, texts)
        except AssertionError as e:
            bad.append((q, str(e)[:200]))
        if (n + 1) % 500 == 0:
            print(f"  {name}: {n + 1}/{len(questions)}", file=sys.stderr, flush=True)
    ask_s = time.perf_counter() - t0
    return {"corpus": name, "documents": summary.documents, "chunks": summary.chunks, "questions": len(questions),
            "answered": counts["answered"], "abstained": counts["abstained"], "refused": counts["refused"],
            "exceptions": dict(errors), "offset_failures": len(bad), "build_s": round(build_s, 1),
            "ask_s": round(ask_s, 1), "ms_per_question": round(1000 * ask_s / max(1, len(questions)), 1),
            "first_exceptions": {k: {"question": q, "trace": tb} for k, (q, tb) in first.items()},
            "first_offset_failures": bad[:5]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--every", type=int, default=1, help="keep every K-th article of each corpus (default: all)")
    p.add_argument("--fake", action="store_true", help="the hash embedder instead of the real model")
    p.add_argument("--json", type=Path, default=None, help="write the figures here")
    p.add_argument("--corpus", action="append", choices=mrc_corpora.NAMES, help="only this corpus (repeatable)")
    args = p.parse_args(argv)
    if not mrc_corpora.available():
        print(mrc_corpora.MISSING, file=sys.stderr)
        return 2
    embedder = None
    if args.fake:
        from qa.model.embedding import get_embedder

        embedder = get_embedder("qa.testing.fakes:HashEmbedder")
    t0 = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="qa-corpora-") as tmp:
        for name in args.corpus or mrc_corpora.NAMES:
            r = run(name, Path(tmp), args.every, embedder)
            results.append(r)
            print(f"{name}: {r['documents']} documents, {r['chunks']} chunks (built in {r['build_s']} s); "
                  f"{r['questions']} questions asked in {r['ask_s']} s ({r['ms_per_question']} ms each): "
                  f"{r['answered']} answered, {r['abstained']} abstained, {r['refused']} refused as empty; "
                  f"exceptions {r['exceptions'] or 'none'}; offset failures {r['offset_failures']}", flush=True)
            for kind, e in r["first_exceptions"].items():
                print(f"  first {kind}: {e['question']!r}\n{e['trace']}")
            for q, why in r["first_offset_failures"]:
                print(f"  offsets wrong for {q!r}: {why}")
    errors = Counter()
    for r in results:
        errors.update(r["exceptions"])
    total = {"questions": sum(r["questions"] for r in results), "exceptions": dict(errors),
             "offset_failures": sum(r["offset_failures"] for r in results),
             "seconds": round(time.perf_counter() - t0, 1), "cores": os.cpu_count(),
             "embedder": "hash (fake)" if args.fake else "real model"}
    print(f"total: {total['questions']} questions asked across {len(results)} corpora, "
          f"exceptions {total['exceptions'] or 'none'}, offset failures {total['offset_failures']}, "
          f"{total['seconds']} s on {total['cores']} cores ({total['embedder']})")
    if args.json:
        args.json.write_text(json.dumps({"corpora": results, "total": total}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 1 if errors or total["offset_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
