"""``qa fit-reader``: fit the ranking, the abstention and the stages of reading for a reader's weights, on the
tuning questions (:mod:`.data`), and write them into the weights' ``reader.json`` (``use``), with the signature of
the features they were fitted on.

    qa train-reader            # the weights (an hour or more on 2 cores)
    qa fit-reader              # then how they are used (minutes)
    qa fit-reader --dry-run    # fit and print, write nothing
    qa fit-reader --cv         # out-of-fold figures of the feature sets instead
"""

from __future__ import annotations

import argparse
import json
import pickle
from dataclasses import asdict
from pathlib import Path

from ..answering.features import signature
from ..config import add_settings, default_mrc_dir, project_home, settings_from
from ..model.heads import Stages
from ..model.reader import Reader
from .data import SOURCES
from .models import (ABSTAIN_FEATURES, RANK_FEATURES, SUBJECT_FEATURES, FitSettings, cross_validate, fit_abstain,
                     fit_rank, fit_stages, report)

FITTED_ON = ("the report's dev set, DRCD dev's last 40 articles (answerable, article out, near misses) and XQuAD "
             "articles 20-23 in English and Chinese (qa fit-reader)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="qa fit-reader", description="Fit how a reader's output is used (ranking, "
                                 "abstention, stages of reading) on the tuning questions, and write it into its "
                                 "reader.json with the signature of the features it was fitted on.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--reader", default=None, metavar="DIR",
                    help="the reader weights to fit for, whose reader.json is rewritten (default: the shipped ones)")
    ap.add_argument("--data", default=str(default_mrc_dir()), metavar="DIR",
                    help="reading-comprehension data holding drcd_dev.json (default: %(default)s)")
    ap.add_argument("--gold", default=str(project_home() / "eval" / "report_qa_dev.jsonl"), metavar="FILE",
                    help="the report's tuning questions (default: %(default)s)")
    ap.add_argument("--index", default=None, metavar="DIR", help="the report's index (default: the project's)")
    ap.add_argument("--dry-run", action="store_true", help="fit and print the models, write nothing")
    ap.add_argument("--cache", default=None, metavar="FILE",
                    help="keep the read tuning questions in this file; a later run with it skips reading")
    ap.add_argument("--cv", action="store_true", help="only print out-of-fold figures of the feature sets")
    ap.add_argument("--sources", default=",".join(SOURCES), help="tuning sources (default: %(default)s)")
    ap.add_argument("--near-misses", action=argparse.BooleanOptionalAction, default=True,
                    help="DRCD's tuning questions also asked as near misses (default: %(default)s)")
    ap.add_argument("--paragraph-weights", action="store_true",
                    help="only measure retrieval (tuning doc@1, report cite@1) for values of the paragraph weight")
    add_settings(ap, FitSettings)
    return ap


def main(argv=None) -> dict:
    from .data import paragraph_weights, tuning_questions

    a = parser().parse_args(argv)
    s = settings_from(a, FitSettings)
    if a.paragraph_weights:
        return paragraph_weights(Path(a.data), Path(a.gold), index_dir=a.index)
    reader = Reader(a.reader)
    if a.cache and Path(a.cache).exists():
        gs = pickle.loads(Path(a.cache).read_bytes())
    else:
        gs = tuning_questions(reader, Path(a.data), Path(a.gold), a.index, sources=a.sources.split(","),
                              near_misses=a.near_misses)
        if a.cache:
            Path(a.cache).write_bytes(pickle.dumps(gs))
    if a.cv:
        def less(features, gone):
            return tuple(f for f in features if f not in gone)

        return cross_validate(gs, {
            "all features": (RANK_FEATURES, ABSTAIN_FEATURES),
            "without the subject check": (less(RANK_FEATURES, SUBJECT_FEATURES), less(ABSTAIN_FEATURES, SUBJECT_FEATURES)),
            "without the answer's cosine": (RANK_FEATURES, less(ABSTAIN_FEATURES, ("answer_cosine",)))}, s)
    ranker = fit_rank(gs, s=s)
    abstain = fit_abstain(gs, ranker, s=s)
    stop, schedules = fit_stages(gs, ranker, abstain, s)
    print(json.dumps({"schedules": schedules, "all_at_once": report(gs, ranker, abstain, Stages())}, indent=2))
    use = {"rank": ranker.to_dict(), "abstain": abstain.to_dict(), "stop": stop.to_dict(), "features": signature(),
           "settings": asdict(s), "tuning_figures": report(gs, ranker, abstain, stop), "fitted_on": FITTED_ON}
    print(json.dumps(use, indent=2, ensure_ascii=False))
    if not a.dry_run:
        path = reader.weights_dir / "reader.json"
        record = json.loads(path.read_text())
        record["use"] = use
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote the fitted models into {path}")
    return use


if __name__ == "__main__":
    main()
