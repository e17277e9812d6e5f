"""A model named by its import path (``package.module:Class``) instead of a folder or a model name: how a setting
(``QA_MODEL``, ``QA_READER``) selects a stand-in such as the tests' fakes, in this process and in its children."""

from __future__ import annotations

import importlib

from ..config.environment import NAMED_CLASS


def is_named(spec: str) -> bool:
    """``spec`` is an import path with a class (``qa.testing.fakes:HashEmbedder``), not a path or a model name."""
    return bool(NAMED_CLASS.match(spec))


def named(spec: str):
    """An instance of the class ``spec`` names (built with no arguments)."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()
