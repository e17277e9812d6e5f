"""The one entry point of every face (Python, ``qa`` CLI, web chat): ``ask()``, ``context()``,
``documents()``, building and removing, and the loaded-index cache behind them.

An index is loaded once per process and reloaded when its manifest changes (a rebuild
swapped in a new generation); the embedding model and the reader load once, lazily, on first use.
``ask(question, history=[...])`` reads a short follow-up in the light of the conversation
(:mod:`qa.answering.followup`); ``Answer.resolved`` is the question actually answered. How an answer
is made is :mod:`qa.answering` (:func:`qa.answering.pipeline.answer`).

The faces (``qa.cli``, ``qa.web``) import this module and :mod:`qa.config` of qa, nothing else
(``tests/test_layout.py`` checks it); the CLI's commands that make and measure models also run
:mod:`qa.evaluation`, :mod:`qa.fitting` and :mod:`qa.training.train`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from .answering.features import FeaturesMismatch
from .answering.pipeline import answer
from .answering.question import prepare
from .answering.result import Answer, Citation
from .config import default_index_dir, default_model_override
from .index.build import BuildSummary, build_index, ensure_index, remove_documents
from .index.store import MANIFEST, Index, IndexNotFound, IndexUnusable, check_model, read_manifest
from .model.embedding import Embedder, ModelError, get_embedder
from .model.reader import ReaderError
from .text.decode import DocumentError
from .text.formats import SUPPORTED

__all__ = ["ask", "context", "documents", "load_index", "ensure_index", "build_index", "remove_documents",
           "read_manifest", "BuildSummary", "Answer", "Citation", "SUPPORTED", "ERRORS", "QuestionError",
           "UnknownDocument", "IndexUnusable", "IndexNotFound", "ModelError", "ReaderError", "FeaturesMismatch",
           "DocumentError"]  # what the faces (CLI, web) use: they import nothing else of qa

log = logging.getLogger(__name__)


class QuestionError(ValueError):
    """The question cannot be asked (empty, or nothing but punctuation)."""


class UnknownDocument(QuestionError):
    """``ask(documents=[...])`` names a document that is not in the index (ids are file names)."""


# What a face shows as a one-line message (the message says what to do), not as a trace.
ERRORS = (QuestionError, IndexUnusable, ModelError, ReaderError, FeaturesMismatch, DocumentError)


class _Loaded:
    def __init__(self, index: Index, stamp: float):
        self.index, self.stamp = index, stamp


_cache: dict[str, _Loaded] = {}
_cache_lock = threading.Lock()


def load_index(index_dir: str | Path | None = None, model: str | None = None) -> Index:
    """The loaded index for a folder (cached; reloaded after a rebuild).

    When the folder has no index yet, it is built from ``seeds/`` first (:func:`ensure_index`).
    """
    path = Path(index_dir or default_index_dir())
    key = str(path.resolve())
    manifest = path / MANIFEST
    with _cache_lock:
        ensure_index(path, model=model)
        stamp = manifest.stat().st_mtime_ns
        loaded = _cache.get(key)
        if loaded is None or loaded.stamp != stamp:
            loaded = _cache[key] = _Loaded(Index.load(path), stamp)
            # the model set for the process (QA_MODEL) must be the one the index was built with
            check_model(loaded.index.manifest, path, default_model_override())
        if model:  # and a model asked for by this call
            check_model(loaded.index.manifest, path, model)
        return loaded.index


def ask(question: str, index_dir: str | Path | None = None, top_k: int = 5, model: str | None = None,
        embedder: Embedder | None = None, history: Sequence[str | Answer] | None = None,
        documents: Sequence[str] | None = None, reader=None) -> Answer:
    """Answer a question from the indexed documents, verbatim, with citations.

    ``history`` holds the conversation's earlier questions, oldest first: strings or the
    :class:`Answer` objects they got. A follow-up that names only a new subject (``那农村呢？``,
    ``what about rural residents?``) is answered as the previous question with that subject;
    ``Answer.resolved`` says which question was answered (the question itself when it is no follow-up).

    Several reports: the place and year a question names choose the report (``太原2023年…`` is answered from
    太原's reports only, and is "not found" when none covers 2023); a question naming neither is answered from
    the most recent report, and ``Answer.others`` holds what the other reports answer. Citations name their report
    (``Citation.label``: ``示例市 · 2023年政府工作报告``). ``documents``: ids (file names, as :func:`documents`
    lists them) of the documents to answer from; None or empty: all. ``embedder`` and ``reader``: the models to
    use (default: the index's embedding model and the shipped reader, each loaded once).

    Raises :class:`QuestionError` for an empty question (:class:`UnknownDocument`, one of them, for a
    ``documents`` id that is not indexed), the index errors of :mod:`qa.index.store`
    (:class:`IndexUnusable`) when there is no usable index, :class:`ModelError` or :class:`ReaderError` when a
    model cannot be loaded, and :class:`FeaturesMismatch` when the reader's fitted models do not match the code.
    """
    t0 = time.perf_counter()
    if not isinstance(question, str):
        raise QuestionError("the question must be a string")
    text = prepare(question)
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question is empty: type a question about the documents")
    top_k = max(1, int(top_k))
    index = load_index(index_dir, model)
    chosen = _chosen(documents, index)
    embedder = embedder or get_embedder(index.model_id)
    result = answer(text, index, embedder, top_k, history or (), reader=reader, documents=chosen)
    return replace(result, question=question if len(question) <= len(text) else text,
                   seconds=round(time.perf_counter() - t0, 4))


def _chosen(documents: Sequence[str] | None, index: Index) -> list[str] | None:
    """The documents picked by hand, checked against the index (None: all)."""
    if documents is None:
        return None
    if isinstance(documents, str) or not all(isinstance(d, str) for d in documents):
        raise QuestionError("documents must be a list of document ids (file names)")
    chosen = list(dict.fromkeys(documents))
    unknown = [d for d in chosen if d not in index.documents]
    if unknown:
        raise UnknownDocument(f"not in the index: {', '.join(map(repr, unknown[:5]))} "
                              f"(the indexed documents: `qa list`)")
    return chosen or None


def context(doc: str, start: int, index_dir: str | Path | None = None, window: int = 2) -> list[dict]:
    """The sentences around a cited passage (same paragraph first): ``[{"text", "quote", "section"}]``.

    ``quote`` is True for the cited sentence itself (the one starting at ``start``).
    """
    index = load_index(index_dir)
    ids = index.by_doc.get(doc)
    if not ids:
        raise KeyError(f"no document {doc!r} in the index")
    pos = next((k for k, i in enumerate(ids) if index.chunks[i].start == start), None)
    if pos is None:
        raise KeyError(f"no passage of {doc!r} starts at {start}")
    lo, hi = max(0, pos - window), min(len(ids), pos + window + 1)
    return [{"text": index.chunks[i].text, "quote": k == pos, "section": index.chunks[i].section}
            for k, i in zip(range(lo, hi), ids[lo:hi])]


def documents(index_dir: str | Path | None = None) -> list[dict]:
    """The indexed documents: ``doc_id``, ``title``, ``sections``, ``chunks``, ``built``, ``notes``, ``sha256``,
    and as a report ``place``, ``year`` and ``label`` (empty or None where they could not be read)."""
    index = load_index(index_dir)
    keys = ("doc_id", "title", "sections", "chunks", "built", "notes", "path", "sha256")
    return [{k: getattr(doc, k) for k in keys} | {"notes": list(doc.notes), "place": doc.report.place,
                                                  "year": doc.report.year, "label": doc.report.label}
            for doc in index.documents.values()]
