"""Ablation of the measure check's rules (issue 29): each rule switched off in turn, on the near-miss set and the
dev set (and, with ``--real INDEX``, the real-report set over an index of the seed and ../shared/data/reports).

    python benchmarks/ablate_measure.py --index DIR [--real DIR]

Rules: ``own`` (the question's own figure is no answer), ``measure`` (a measure that cannot be the one asked),
``direction`` (a level for a change asked, or the reverse), ``subject`` (the figure's clause states another
subject), ``tie`` (the passage shares no content word with the question: :func:`qa.answering.features.cue_words`).
A rule is switched off by replacing its test in :mod:`qa.answering.measure` (``tie``: in
:mod:`qa.answering.candidates`) for the run (a benchmark's patch; the program has no switch for it).
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import qa.answering.candidates as candidates
import qa.answering.measure as measure
from qa.evaluation.report import evaluate

ROOT = Path(__file__).resolve().parent.parent

RULES = ("own", "measure", "direction", "subject", "tie")


@contextmanager
def without(rule: str | None):
    saved = (measure.own_figures, measure.measures, measure._other_direction, measure._own_subject)
    cues = candidates.cue_words
    try:
        if rule == "own":
            measure.own_figures = lambda q: set()
        elif rule == "measure":  # no measure is ruled out (an unknown verdict: left to the fitted models)
            real = saved[1].compatible
            measure.measures = SimpleNamespace(**vars(saved[1]))
            measure.measures.compatible = lambda asked, given: None if real(asked, given) is False else real(asked, given)
        elif rule == "direction":
            measure._other_direction = lambda *args: False
        elif rule == "subject":  # every clause continues another: no figure is another subject's
            measure._own_subject = lambda piece: False
        elif rule == "tie":  # no cue words: every passage is tied to the question
            candidates.cue_words = lambda *args: []
        yield
    finally:
        measure.own_figures, measure.measures, measure._other_direction, measure._own_subject = saved
        candidates.cue_words = cues


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True, help="an index of the seed report")
    ap.add_argument("--real", default=None, help="an index of the seed and ../shared/data/reports")
    a = ap.parse_args()
    sets = [("nearmiss", ROOT / "eval" / "report_qa_nearmiss.jsonl", a.index),
            ("dev", ROOT / "eval" / "report_qa_dev.jsonl", a.index)]
    if a.real:
        sets.append(("real", ROOT / "eval" / "real_reports_qa.jsonl", a.real))
    print("rule off | " + " | ".join(f"{n}: abstained unanswerable / answer_hit" for n, _, _ in sets))
    for rule in (None, *RULES):
        with without(rule):
            cells = []
            for _, gold, index in sets:
                m = evaluate(gold, index)
                cells.append(f"{m['abstain_unanswerable']:.3f} / {m.get('answer_hit', 0):.3f}")
        print(f"{rule or '(none: all rules on)'} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
