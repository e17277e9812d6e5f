"""Shared fixtures. Unit tests use the fakes of :mod:`qa.testing.fakes` (a hash-seeded embedder, passed in; an
overlap reader, chosen by ``QA_READER``); tests marked ``model`` use the real models."""

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


@pytest.fixture(autouse=True)
def unit_reader(request, monkeypatch):
    """Unit tests read with the fake reader (:class:`qa.testing.fakes.OverlapReader`), chosen as a user chooses a
    reader, by ``QA_READER`` (child processes inherit it); tests marked ``model`` read with the shipped one."""
    if request.node.get_closest_marker("model") is None:
        from qa.testing.fakes import READER

        monkeypatch.setenv("QA_READER", READER)
    else:
        monkeypatch.delenv("QA_READER", raising=False)


@pytest.fixture()
def fake_embedder():
    from qa.testing.fakes import HashEmbedder

    return HashEmbedder()


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory) -> Path:
    """The seed indexed with the fake embedder (fast, no model)."""
    from qa.index.build import build_index
    from qa.testing.fakes import HashEmbedder

    out = tmp_path_factory.mktemp("fake") / "index"
    summary = build_index([SEED], out, embedder=HashEmbedder())
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
