"""eval/multi_report_qa.jsonl (issue 24): 40 questions on five reports of three places and three years (the seed,
太原 2022, and the four fictional reports of tests/fixtures.py), written before they were first run, each with the
report and the figure it must come from, or none when no indexed report covers the place or year it names.

Measured by ``qa eval`` (:func:`qa.evaluation.report.evaluate`): ``right_report`` is the share of the 32 answerable
questions answered with the right figure from the right report, ``abstain_unanswerable`` the share of the 8 about
a place or year no report covers that are abstained on.

First figures, with the fake embedder and the OverlapReader (the unit tests' stand-ins):

=========================  ======================  ==================
                           right figure, report    not covered: abstained
=========================  ======================  ==================
before issue 24            13/32 (0.406)           4/8 (0.500)
place and year read, used  30/32 (0.938)           8/8 (1.000)
=========================  ======================  ==================

The two misses are the OverlapReader's: it marks the clause sharing most characters with the question, and for
``青石市2024年新增城镇就业目标是多少？`` (and its English twin) that is the opening's date line ``——2024年1月10日在青石市…``,
inside the right report.

With the real embedder and the trained reader (2 cores, a reader training beside it): 31/32 (0.969) and 8/8; the
miss is m32, ``How many new urban jobs does Qingshi plan for 2024?``, scoped to the right report and abstained on
there; ask() p50 42 ms, p95 427 ms (a question answered from several reports reads each of them).
"""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import ROOT, SEED
from fixtures import write_reports

from qa.testing.data import floor

GOLD = ROOT / "eval" / "multi_report_qa.jsonl"


def measure(index_dir, embedder=None) -> dict:
    from qa.api import ask
    from qa.evaluation.report import evaluate

    return evaluate(GOLD, index_dir, ask_fn=lambda q: ask(q, index_dir=index_dir, embedder=embedder))


def test_the_questions_cover_every_kind():
    from qa.evaluation.report import load_gold

    gold = load_gold(GOLD)
    kinds = Counter(g["kind"] for g in gold)
    assert len(gold) >= 30 and set(kinds) == {"place", "plan_year", "result_year", "span", "neither", "not_covered"}
    assert all((g["type"] == "unanswerable") == (g["kind"] == "not_covered") == (not g["doc"]) for g in gold)


def test_right_figure_from_the_right_report(tmp_path):
    from qa.index.build import build_index
    from qa.model.embedding import get_embedder

    embedder = get_embedder("qa.testing.fakes:HashEmbedder")
    build_index([SEED, *write_reports(tmp_path / "docs")], tmp_path / "index", embedder=embedder)
    m = measure(tmp_path / "index", embedder)
    misses = [(r["id"], r["question"], r["answer"]) for r in m["misses"] if r["type"] != "unanswerable"]
    assert m["right_report"] >= 30 / 32, misses  # first figures: 30/32 (13/32 before issue 24)
    assert m["abstain_unanswerable"] == 1.0, [r for r in m["misses"] if r["type"] == "unanswerable"]  # 8/8 (4/8)


MODELS_RIGHT, MODELS_ABSTAINED = 31 / 32, 8 / 8  # recorded with the shipped reader and fit (2026-11-28)


@pytest.mark.model
def test_right_figure_from_the_right_report_with_the_models(tmp_path):
    """The same questions with the real embedder and the trained reader (issue 24's targets: 0.95 and 0.95)."""
    from qa.index.build import build_index

    build_index([SEED, *write_reports(tmp_path / "docs")], tmp_path / "index")
    m = measure(tmp_path / "index")
    print("recorded", MODELS_RIGHT, MODELS_ABSTAINED, "measured", m["right_report"], m["abstain_unanswerable"])
    assert m["right_report"] >= floor(MODELS_RIGHT, 32), [(r["id"], r["question"], r["answer"]) for r in m["misses"]]
    assert m["abstain_unanswerable"] >= floor(MODELS_ABSTAINED, 8)
