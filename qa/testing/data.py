"""The validation data beside the checkout (``../shared``): a guard that needs it skips where it is missing, and
fails instead under CI (``CI=true``: :func:`qa.config.under_ci`), so that a CI run never passes without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import default_mrc_dir, under_ci

MRC = default_mrc_dir()  # ../shared/data/mrc
REPORTS = MRC.parent / "reports"


def needs(*paths: Path) -> None:
    """Call at a guard's start: skip (fail under CI) when any of ``paths`` is missing."""
    gone = [p for p in paths if not p.exists()]
    if gone:
        why = f"the validation data is not beside the checkout: {', '.join(map(str, gone))}"
        if under_ci():
            pytest.fail(f"{why} (CI=true: a validation guard may not skip)")
        pytest.skip(why)


def floor(recorded: float, questions: int) -> float:
    """A model guard's threshold: the figure recorded with it less a stated margin, two questions' worth or 0.03,
    whichever is larger (one question answered differently, on another CPU or after a harmless change, must not
    fail a test; a real regression does)."""
    return recorded - max(2 / questions, 0.03)
