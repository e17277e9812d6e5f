"""A faster query encoder: the sentence-transformers model's transformer exported to ONNX.

Questions are short and come one at a time, where torch's per-call overhead dominates
(about 20 ms a question on 2 cores). The same ``BertModel`` exported with
``torch.onnx.export`` and run with onnxruntime takes about 8 ms at fp32 (cosine 1.0 to
torch), less with its matrix products in int8 (the form of :mod:`qa.model.quantize`, the same on every CPU:
cosine to fp32 ≥ 0.998 over the seed's sentences); see ``benchmarks/`` and docs/measurements.md.

The export runs once per model (with torch, usually right after a build, which has torch
loaded anyway) and is cached next to the converted model; answering questions then needs
neither torch nor sentence-transformers. Pooling and prompts are read from the model's
sentence-transformers files, so any local mean- or CLS-pooled model works.

The graph starts after the word-embedding lookup (``inputs_embeds``): its 250k-row table would be
384 MB of every process's memory, where the rows a question needs are read from the model's
safetensors file through a memory map shared with the reader (:mod:`qa.model.vocab`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from ..config import cache_dir, quiet_libraries
from .quantize import form_tag, quantize
from .vocab import embed, shared_tokenizer, word_table

log = logging.getLogger(__name__)


def onnx_dir(model_dir: Path) -> Path:
    key = hashlib.sha1(str(Path(model_dir).resolve()).encode()).hexdigest()[:10]
    return cache_dir() / "onnx" / f"{Path(model_dir).name}-{key}"


GRAPH = "encoder.onnx"  # inputs_embeds + attention_mask -> hidden (earlier exports took input_ids: not used)
GRAPH_INT8 = f"encoder.int8-{form_tag()}.onnx"  # named by its int8 form: a cached one of another form is not used


def export(model_dir: Path, int8: bool = True) -> Path:
    """Export ``model_dir``'s transformer to ``encoder.onnx`` (+ its int8 form, :data:`GRAPH_INT8`); returns the
    folder. An fp32 graph exported before is only quantized (no torch needed).

    torch's tracer warnings and onnxruntime's quantization hints are dropped (shown with ``-v``)."""
    with quiet_libraries():
        out = onnx_dir(model_dir)
        if not (out / GRAPH).exists():
            _export(model_dir, out)
        if int8:
            fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=out)
            os.close(fd)
            quantize(out / GRAPH, tmp)  # the shipped int8 form (qa.model.quantize)
            os.replace(tmp, out / GRAPH_INT8)
        for old in ("model.onnx", "model.int8.onnx", "encoder.int8.onnx"):  # earlier exports and forms
            (out / old).unlink(missing_ok=True)
        return out


def _export(model_dir: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    out.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class Hidden(torch.nn.Module):  # the legacy exporter wants plain tensors out
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, inputs_embeds, attention_mask):
            return self.m(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state

    emb = torch.randn(1, 5, model.config.hidden_size)
    mask = torch.ones(1, 5, dtype=torch.int64)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=out)
    os.close(fd)
    axes = {"inputs_embeds": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "hidden": {0: "batch", 1: "seq"}}
    with torch.no_grad():
        torch.onnx.export(Hidden(model), (emb, mask), tmp, input_names=["inputs_embeds", "attention_mask"],
                          output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)
    os.replace(tmp, out / GRAPH)


def cpu_session(path: Path, threads: int | None = None):
    """An onnxruntime CPU session as both models use it: all cores, all graph optimisations, and
    worker threads that sleep between runs instead of spinning. Two sessions live in one process (the
    query encoder and the reader); with spinning on, the idle one's threads took cores from the
    other: warm ``ask()`` p50 on the dev set 147 ms with spinning, 115-120 ms without (2 cores)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or max(1, os.cpu_count() or 1)
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


class OnnxEncoder:
    """Tokenize with the model's ``tokenizer.json``, run the ONNX transformer, pool, normalize."""

    def __init__(self, model_dir: Path, quantized: bool = True, threads: int | None = None, path: Path | None = None):
        self.model_dir = Path(model_dir)
        path = Path(path) if path else onnx_dir(model_dir) / (GRAPH_INT8 if quantized else GRAPH)
        if not path.exists():
            raise FileNotFoundError(path)
        self.path = path
        self.session = cpu_session(path, threads)
        self._single = None  # a one-thread session for batches run side by side (encode_batches)
        self.tokenizer = shared_tokenizer(self.model_dir)  # the reader's too: one copy (about 280 MB)
        self.words = word_table(self.model_dir)  # a memory map, shared with the reader
        self.pooling, self.normalize, self.prompts = _st_settings(self.model_dir)
        self.dim = int(json.loads((self.model_dir / "config.json").read_text())["hidden_size"])
        self._lock = threading.Lock()

    def encode(self, texts: list[str], prompt: str, session=None) -> np.ndarray:
        prefix = self.prompts.get(prompt, "")
        encs = self.tokenizer.encode_batch([prefix + t for t in texts])
        length = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), length), np.int64)
        mask = np.zeros((len(encs), length), np.int64)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        hidden = (session or self.session).run(None, {"inputs_embeds": embed(self.words, ids), "attention_mask": mask})[0]
        if self.pooling == "cls":
            vecs = hidden[:, 0]
        else:
            vecs = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        if self.normalize:
            vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vecs, dtype=np.float32)


    def encode_batches(self, batches: list[list[str]], prompt: str):
        """The vectors of each batch, in order: batches run side by side on one core each, through one
        one-thread session (onnxruntime releases the GIL while it runs). For the many batches of a build this
        keeps both cores busy with whole batches, where one session's two threads split each matrix product
        and wait on each other (docs/measurements.md)."""
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._single is None:
                self._single = cpu_session(self.path, 1)
        with ThreadPoolExecutor(max(1, os.cpu_count() or 1), "qa-encode") as pool:
            yield from pool.map(lambda b: self.encode(b, prompt, self._single), batches)


def _st_settings(model_dir: Path) -> tuple[str, bool, dict]:
    """Pooling mode, whether vectors are normalized, and prompts, from the sentence-transformers files."""
    modules = json.loads((model_dir / "modules.json").read_text())
    types = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if types[:1] != ["Transformer"] or "Pooling" not in types or not set(types) <= {"Transformer", "Pooling", "Normalize"}:
        raise ValueError(f"{model_dir}: modules {types} are not Transformer → Pooling [→ Normalize]")
    pool_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
    pool = json.loads((model_dir / pool_dir / "config.json").read_text())
    mode = pool.get("pooling_mode") or ("cls" if pool.get("pooling_mode_cls_token") else
                                         "mean" if pool.get("pooling_mode_mean_tokens") else "")
    if mode not in ("mean", "cls"):
        raise ValueError(f"{model_dir}: pooling {mode!r} is not supported by the ONNX path")
    cfg_path = model_dir / "config_sentence_transformers.json"
    prompts = json.loads(cfg_path.read_text()).get("prompts", {}) if cfg_path.exists() else {}
    return mode, "Normalize" in types, prompts
