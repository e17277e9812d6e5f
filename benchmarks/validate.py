"""Validation on the sets nothing is trained, tuned or fitted on: closed reading and end to end.

    python benchmarks/validate.py drcd                 # DRCD test: closed (3,493 questions) and end to end
    python benchmarks/validate.py drcd --e2e --paragraphs 200
    python benchmarks/validate.py drcd-near            # DRCD test's questions made near misses: abstained?
    python benchmarks/validate.py xquad-en             # XQuAD articles 24-31, English questions
    python benchmarks/validate.py xquad-zh             # … the same questions in Chinese
    python benchmarks/validate.py xquad-en --no-bridge # ablation: without the dictionary
    python benchmarks/validate.py drcd --record        # also write the figures to benchmarks/results-validation.json

End to end writes the set's paragraphs as documents (DRCD test: its 1,000; XQuAD: the 160 of articles 0-31),
builds an index and asks every question (``answer_hit``: the answer holds a gold answer; ``doc@1``: the first
citation is the question's paragraph). ``drcd-near`` asks, over the same DRCD test index, a near miss of each
question (``qa.training.augment.near_miss``: its subject, unit or period changed to one its paragraph lacks) and
counts the abstentions.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from qa.answering.pipeline import answer
from qa.answering.question import prepare
from qa.api import build_index, load_index
from qa.config import default_mrc_dir, set_environment
from qa.evaluation.mrc import abstention, closed_reading, end_to_end, first_paragraphs, near_misses, write_corpus
from qa.model.embedding import get_embedder
from qa.model.reader import Reader
from qa.training.data import XQUAD_VALIDATION, load_squad, load_xquad

RESULTS = Path(__file__).resolve().parent / "results-validation.json"


def sets(name: str, data: Path):
    """(the paragraphs as documents, the questions asked) of a validation set."""
    if name.startswith("drcd"):
        exs = load_squad(data / "drcd_test.json")
        return exs, exs
    paragraphs = load_xquad(data, slice(0, XQUAD_VALIDATION.stop), english=False)
    return paragraphs, load_xquad(data, XQUAD_VALIDATION, english=name == "xquad-en")


def asker(bridge: bool, item_rule: bool):
    """``ask()`` with the ablation switches (the defaults are ``qa.ask``'s)."""
    def ask(question: str, index_dir):
        index = load_index(index_dir)
        return answer(prepare(question), index, get_embedder(index.model_id), bridge=bridge, item_rule=item_rule)

    return ask


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("set", choices=("drcd", "drcd-near", "xquad-en", "xquad-zh"))
    ap.add_argument("--data", default=str(default_mrc_dir()))
    ap.add_argument("--closed", action="store_true", help="closed reading only")
    ap.add_argument("--e2e", action="store_true", help="end to end only")
    ap.add_argument("--limit", type=int, default=0, help="closed reading: the first N questions")
    ap.add_argument("--paragraphs", type=int, default=0, help="end to end: the first N paragraphs and their questions")
    ap.add_argument("--reader", default=None, help="reader weights folder (default: the shipped ones)")
    ap.add_argument("--no-bridge", dest="bridge", action="store_false", help="ablation: no dictionary bridge")
    ap.add_argument("--no-item-rule", dest="item_rule", action="store_false",
                    help="ablation: the answer is not narrowed to the item asked")
    ap.add_argument("--workdir", default=None, help="end to end: keep the corpus and its index here (reused)")
    ap.add_argument("--record", action="store_true", help="write the figures to benchmarks/results-validation.json")
    a = ap.parse_args(argv)
    if a.reader:  # ask() reads with these weights too
        set_environment(QA_READER=str(Path(a.reader).resolve()))
    paragraphs, questions = sets(a.set, Path(a.data))
    both = not (a.closed or a.e2e)
    out: dict = {"set": a.set, "bridge": a.bridge, "item_rule": a.item_rule, "reader": a.reader or "shipped"}
    if (a.closed or both) and a.set != "drcd-near":
        exs = questions[: a.limit] if a.limit else questions
        out["closed"] = closed_reading(Reader(a.reader), exs, progress=lambda m: print("closed", m, flush=True),
                                       bridge=a.bridge)
        print("closed reading:", out["closed"], flush=True)
    if a.e2e or both or a.set == "drcd-near":
        docs = first_paragraphs(paragraphs, a.paragraphs)
        kept = {e.context for e in docs}
        asked = [e for e in questions if e.context in kept]
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(a.workdir or tmp)
            where = write_corpus(docs, work / "docs")
            t0 = time.perf_counter()
            build_index(sources=[work / "docs"], index_dir=work / "index")  # incremental: a kept workdir is reused
            build_s = round(time.perf_counter() - t0, 1)
            ask = asker(a.bridge, a.item_rule)
            progress = lambda m: print("e2e", m, flush=True)  # noqa: E731
            if a.set == "drcd-near":
                out["near_misses"] = abstention(near_misses(asked), work / "index", ask, progress)
                print("near misses:", out["near_misses"], flush=True)
            else:
                out["end_to_end"] = end_to_end(asked, work / "index", where, ask, progress) | {
                    "documents": len(docs and set(where.values())), "build_seconds": build_s}
                print("end to end:", out["end_to_end"], flush=True)
    if a.record:
        old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        key = ":".join([a.set, f"limit={a.limit or 'all'}", f"paragraphs={a.paragraphs or 'all'}",
                        "bridge" if a.bridge else "no-bridge", "item-rule" if a.item_rule else "no-item-rule",
                        Path(a.reader).name if a.reader else "shipped"])
        old[key] = old.get(key, {}) | out | {"date": time.strftime("%Y-%m-%d")}
        RESULTS.write_text(json.dumps(old, indent=2, ensure_ascii=False) + "\n")
    return out


if __name__ == "__main__":
    main()
