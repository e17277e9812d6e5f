"""Shared fixtures. Unit tests use a hash-seeded fake embedder; tests marked ``model`` use the real one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "taiyuan_2022_government_work_report.txt"
GOLD = ROOT / "eval" / "report_qa_dev.jsonl"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture()
def fake_embedder():
    from qa.embedding import HashEmbedder

    return HashEmbedder()


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory) -> Path:
    """The seed indexed with the fake embedder (fast, no model)."""
    from qa.build import build_index
    from qa.embedding import get_embedder

    out = tmp_path_factory.mktemp("fake") / "index"
    summary = build_index([SEED], out, embedder=get_embedder("test/hash-embedder"))
    assert summary.documents == 1
    return out


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """The seed indexed with the real default model (built once per test session)."""
    from qa.build import build_index

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
