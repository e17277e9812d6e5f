"""Shared fixtures. Unit tests use a hash-seeded fake embedder; tests marked ``model`` use the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.config import library_environment

library_environment()  # offline, no analytics (the app's own setting)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "taiyuan_2022_government_work_report.txt"
GOLD = ROOT / "eval" / "report_qa_dev.jsonl"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


class OverlapReader:
    """A deterministic stand-in for the trained reader: in each passage it marks the clause sharing the
    most characters with the question (margin: shared characters minus 3). Its models are fixed, not the
    shipped ones (those are fitted on the real reader and the real embedder's cosines): candidates rank
    by the rules' score plus the coverage of the question, and it abstains when its margin is negative."""

    def heads(self):
        from qa.model.heads import Heads, Logistic

        return Heads(rank=Logistic({"rules": 1.0, "coverage": 1.0, "retrieval": 1.0, "reader": 0.1}),
                     abstain=Logistic({"margin": 1.0}, 0.0))

    def read(self, question, passages):
        from qa.model.reader import Reading
        from qa.text.clauses import clause_spans, trim

        asked = {ch for ch in question if ch.isalnum()}
        out = []
        for p in passages:
            spans = [trim(p, a, b) for a, b in clause_spans(p)] or [(0, len(p))]
            a, b = max(spans, key=lambda ab: (len(asked & set(p[ab[0]:ab[1]])), -ab[0]))
            shared = len(asked & set(p[a:b]))
            out.append(Reading(a, b, float(shared), 3.0))
        return out


@pytest.fixture(autouse=True)
def _reader(request, monkeypatch):
    """Unit tests read with :class:`OverlapReader`; tests marked ``model`` with the trained reader."""
    if request.node.get_closest_marker("model") is None:
        import qa.model.reader

        monkeypatch.setattr(qa.model.reader, "_shared", OverlapReader())


@pytest.fixture()
def fake_embedder():
    from qa.model.embedding import HashEmbedder

    return HashEmbedder()


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory) -> Path:
    """The seed indexed with the fake embedder (fast, no model)."""
    from qa.index.build import build_index
    from qa.model.embedding import get_embedder

    out = tmp_path_factory.mktemp("fake") / "index"
    summary = build_index([SEED], out, embedder=get_embedder("test/hash-embedder"))
    assert summary.documents == 1
    return out


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """The seed indexed with the real default model (built once per test session)."""
    from qa.index.build import build_index

    out = tmp_path_factory.mktemp("real") / "index"
    build_index([SEED], out)
    return out


@pytest.fixture()
def copy_index(tmp_path):
    def make(src: Path) -> Path:
        dst = tmp_path / "index-copy"
        shutil.copytree(src, dst)
        return dst

    return make


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    from qa.testing.webapp import launch_browser

    with sync_playwright() as p:
        b = launch_browser(p)
        yield b
        b.close()


@pytest.fixture()
def guarded(browser):
    """A page that records dialogs and aborts every request leaving 127.0.0.1; both must stay empty."""
    from qa.testing.webapp import Guarded

    g = Guarded(browser)
    yield g
    g.close()
    assert g.dialogs == [], f"a dialog opened: {g.dialogs}"
    assert g.outside == [], f"the page tried to reach another host: {g.outside}"
