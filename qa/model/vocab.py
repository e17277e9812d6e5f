"""The model's vocabulary, loaded once per process and shared by the query encoder and the reader.

* the tokenizer: the e5 tokenizer (a 250k-piece Unigram model) takes about 280 MB once loaded
  (measured on this machine, ``Tokenizer.from_file`` alone); both use the same ``tokenizer.json``;
* the word-embedding table (250k × 384, 384 MB in fp32): neither ONNX graph holds it. Both start
  after the lookup, and the rows a text needs are read from the model's ``model.safetensors``
  through a read-only memory map, so only the pages a question touches are in memory.
"""

from __future__ import annotations

import json
import struct
import threading
from pathlib import Path

import numpy as np

MAX_TOKENS = 512  # the model's positions; longer inputs are truncated (the reader slices far below this)
WORD_TABLE = "embeddings.word_embeddings.weight"  # its name in a BertModel's safetensors

_loaded: dict[tuple[str, Path], object] = {}
_lock = threading.Lock()


class VocabError(RuntimeError):
    """The model folder has no usable tokenizer or word table; the message says which file."""


def shared_tokenizer(model_dir: str | Path):
    """The ``tokenizers.Tokenizer`` of ``model_dir/tokenizer.json`` (truncating at ``MAX_TOKENS``;
    thread-safe to encode with)."""
    path = (Path(model_dir) / "tokenizer.json").resolve()
    with _lock:
        if ("tok", path) not in _loaded:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(path))
            tok.enable_truncation(MAX_TOKENS)
            _loaded["tok", path] = tok
        return _loaded["tok", path]


def word_table(model_dir: str | Path) -> np.ndarray:
    """The word-embedding matrix of ``model_dir/model.safetensors`` as a read-only memory map."""
    path = (Path(model_dir) / "model.safetensors").resolve()
    with _lock:
        if ("words", path) not in _loaded:
            _loaded["words", path] = _memmap(path)
        return _loaded["words", path]


def embed(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The word vectors of token ids (any shape), in fp32: what the ONNX graphs take as ``inputs_embeds``."""
    return np.asarray(table[ids], dtype=np.float32)


def _memmap(path: Path) -> np.ndarray:
    if not path.exists():
        raise VocabError(f"{path} is missing: the word table is read from the model's safetensors file")
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    key = next((k for k in header if k == WORD_TABLE or k.endswith("." + WORD_TABLE)), None)
    if key is None:
        raise VocabError(f"{path} has no {WORD_TABLE}")
    meta = header[key]
    if meta["dtype"] not in ("F32", "F16"):
        raise VocabError(f"{path}: word embeddings of type {meta['dtype']} are not supported")
    a, _ = meta["data_offsets"]
    dtype = np.float32 if meta["dtype"] == "F32" else np.float16
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + n + a, shape=tuple(meta["shape"]))
