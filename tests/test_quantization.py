"""The shipped int8 graphs compute as their fp32 references do, on whatever CPU runs the tests (issue 32).

With s8 weights, CPUs without VNNI add pairs of u8×s8 products in 16 bits, which saturate: the same graph answered
differently there. The shipped form (qa.model.quantize.FORM: u8 weights, the feed-forward outputs in float) is
exact in its integer part on every x86 CPU; these tests fail loudly on a CPU that computes it otherwise.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.model.quantize import FORM
from qa.model.reader import GRAPH, WEIGHTS_DIR

SCORE_GAP = 1.5  # the int8 span score may differ from fp32's by this much: 1.16 at most over the 54 reference
# windows, measured on an AVX2 CPU without VNNI (the integer part is exact on every CPU, the float part nearly)
TIE_GAP = 0.5  # where the int8 best span is not fp32's, fp32's span scores within this of it under int8: on the AVX-512
# VNNI build machine 1 of the 54 windows flips so (新材料产业…基地, by 0.196); on AVX2 without VNNI none
MAX_TIES = 2  # such flips allowed of the 54: saturation (the s8 form on AVX2) moves scores by more than this allows
MIN_COSINE = 0.995  # the query encoder's int8 vectors to its fp32 ones, at worst: 0.9987 over the seed's first
# 200 sentences (docs/measurements.md, "int8 forms"), 0.9829 in the s8 form shipped before


def test_the_shipped_reader_is_in_the_saturation_free_form():
    import onnx

    info = json.loads((WEIGHTS_DIR / "reader.json").read_text())
    assert info["int8"] == FORM
    graph = onnx.load(str(WEIGHTS_DIR / GRAPH)).graph
    init = {i.name: i for i in graph.initializer}
    weights = [init[n.input[1]] for n in graph.node if n.op_type == "MatMulInteger"]
    assert weights and all(w.data_type == onnx.TensorProto.UINT8 for w in weights)


@pytest.mark.model
def test_the_int8_reader_reads_the_reference_windows_as_its_fp32_graph_did():
    from qa.model.reader import Reader

    ref = json.loads((WEIGHTS_DIR / "reference.json").read_text())
    assert len(ref) >= 30
    reader = Reader(threads=1)
    ties = []
    for w in ref:
        got = reader.read(w["question"], [w["passage"]])[0]
        if (got.start, got.end) != (w["start"], w["end"]):  # a near tie may flip, never a clear choice
            ties.append(w["question"])
            assert got.score - (got.margin_within(w["start"], w["end"]) + got.null) <= TIE_GAP, \
                (w["question"], w["passage"][got.start:got.end])
        assert abs(got.score - w["score"]) <= SCORE_GAP, w["question"]
    assert len(ties) <= MAX_TIES, ties


@pytest.mark.model
def test_the_int8_query_encoder_agrees_with_its_fp32_graph(seed_text):
    from qa.model.e5convert import converted_model_dir
    from qa.model.onnx_backend import GRAPH as FP32, OnnxEncoder, export, onnx_dir
    from qa.text.structure import sentence_spans

    model_dir = converted_model_dir()
    if not (onnx_dir(model_dir) / FP32).exists():
        export(model_dir)
    text = seed_text.replace("\n", "")
    sentences = [text[a:b] for a, b in sentence_spans(text)][:200]
    fp32 = OnnxEncoder(model_dir, quantized=False).encode(sentences, "query")
    int8 = OnnxEncoder(model_dir, quantized=True)
    got = np.concatenate([int8.encode([s], "query") for s in sentences])
    cos = (got * fp32).sum(1)
    assert cos.min() >= MIN_COSINE, (float(cos.min()), sentences[int(cos.argmin())])
