"""The trained reader written as the shipped files: ``reader.int8.onnx`` (in the one int8 form of
:mod:`qa.model.quantize`), ``reader.json`` (its record) and ``reference.json`` (what its fp32 graph reads on fixed
windows, which the int8 graph must read the same on any CPU: tests/test_quantization.py).

The graph takes the word vectors (``inputs_embeds``) and the attention mask and returns start/end logits; the word
table is not in it (:mod:`qa.model.vocab`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..model.passages import encode
from ..model.quantize import FORM, quantize

REFERENCE = "reference.json"
REFERENCE_GAP = 1.0  # a reference window's best span beats every other span by this much (start + end logit) in
# fp32: windows on the edge between two spans would test the CPU's float rounding, not the int8 form


def export(model, out_dir: str | Path, record: dict, windows: list[tuple[str, str]] = (), keep_fp32: bool = False
           ) -> Path:
    """Write ``reader.int8.onnx`` and ``reader.json`` (``record`` plus the int8 form); with ``windows``
    (question, passage), also ``reference.json``: the fp32 graph's best span of those that are not on an edge.
    ``keep_fp32``: leave the fp32 graph (``reader.fp32.onnx``) beside them (for ``benchmarks/quantization.py``)."""
    import torch

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = model.to("cpu").eval()

    class Graph(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, inputs_embeds, attention_mask):
            return self.m(inputs_embeds=inputs_embeds, attention_mask=attention_mask)

    emb = torch.randn(1, 7, model.bert.config.hidden_size)
    mask = torch.ones(1, 7, dtype=torch.int64)
    fp32 = out / "reader.fp32.onnx"
    axes = {"inputs_embeds": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "logits": {0: "batch", 1: "seq"}}
    with torch.no_grad():
        torch.onnx.export(Graph(model), (emb, mask), str(fp32), input_names=["inputs_embeds", "attention_mask"],
                          output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False)
    quantize(fp32, out / "reader.int8.onnx")
    if windows:
        (out / REFERENCE).write_text(json.dumps(reference(fp32, windows), ensure_ascii=False, indent=0),
                                     encoding="utf-8")
    if not keep_fp32:
        fp32.unlink()
    (out / "reader.json").write_text(json.dumps(record | {"format": 1, "int8": FORM}, indent=2, ensure_ascii=False))
    return out


def reference(fp32: Path, windows: list[tuple[str, str]]) -> list[dict]:
    """The fp32 graph's best span of each window (question, passage) whose best span leads by REFERENCE_GAP."""
    from ..model.reader import Reader

    reader = Reader(fp32.parent, graph=fp32.name).warm_up()
    out = []
    for question, passage in windows:
        r = reader.read(question, [passage])[0]
        if r.starts is None or _runner_up(r) > r.score - REFERENCE_GAP:
            continue
        out.append({"question": question, "passage": passage, "start": r.start, "end": r.end,
                    "score": round(r.score, 3), "null": round(r.null, 3)})
    return out


def _runner_up(r) -> float:
    """The score of the second-best span (start ≤ end < start + MAX_ANSWER_TOKENS) of a reading."""
    from ..model.reader import MAX_ANSWER_TOKENS

    s, e = np.asarray(r.starts, np.float64), np.asarray(r.ends, np.float64)
    m = len(s)
    scores = np.sort(np.concatenate([s[: m - k] + e[k:] for k in range(min(MAX_ANSWER_TOKENS, m))]))
    return float(scores[-2]) if len(scores) > 1 else float("-inf")
