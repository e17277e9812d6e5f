"""The int8 form of the shipped graphs (the query encoder, the reader): one definition, used at every export.

onnxruntime's dynamic quantization turns matrix products into integer ones: activations as u8 (one scale a run),
weights per output channel. With s8 weights (``QInt8``, the form shipped before), CPUs without VNNI (AVX2 only: most
AMD Zen 2/3, Intel before 2019) add pairs of u8×s8 products in 16 bits (``vpmaddubsw``), which saturate, while VNNI
CPUs add in 32 bits: the same graph gave other vectors, answers and test outcomes on the two kinds. With u8 weights
the products are widened to 16 bits and summed in 32 on every x86 CPU, so the integer results are exact everywhere.

The feed-forward output products (``…/output/dense/MatMul``, the input of which is the GELU's long-tailed output)
are computed in float: quantized, their activations' one scale a run cost the most precision. Their weights are
still stored as int8 (per output channel, ``DequantizeLinear`` before the product), so the file keeps its size. Measured on an AVX2 CPU without
VNNI (``benchmarks/quantization.py``, docs/measurements.md "int8 forms"): the reader on DRCD dev's tuning articles
(closed reading, 329 questions), char F1: fp32 0.787, s8 as shipped 0.773, s8 7-bit 0.764, s8 7-bit with the
feed-forward outputs fp32 0.780, this form 0.786; its best span equals fp32's on 90 % of 444 windows (s8: 69 %).
"""

from __future__ import annotations

from pathlib import Path

FORM = {"weight_type": "QUInt8", "per_channel": True, "reduce_range": False, "op_types_to_quantize": ["MatMul"],
        "keep_fp32": "/output/dense/"}  # MatMul nodes whose name holds this (not attention's) stay fp32


def form_tag(form: dict | None = None) -> str:
    """A short name of an int8 form (its settings' digest): cached graphs are named by it."""
    import hashlib
    import json

    return hashlib.sha1(json.dumps(form or FORM, sort_keys=True).encode()).hexdigest()[:8]


def quantize(fp32: str | Path, out: str | Path, form: dict | None = None) -> Path:
    """Write the int8 graph of the fp32 graph ``fp32`` to ``out`` in ``form`` (default :data:`FORM`)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    f = dict(form or FORM)
    keep = f.pop("keep_fp32", "")
    if keep:
        f["nodes_to_exclude"] = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node
                                 if n.op_type == "MatMul" and keep in n.name and "/attention/" not in n.name]
    quantize_dynamic(str(fp32), str(out), weight_type=getattr(QuantType, f.pop("weight_type")), **f)
    if f.get("nodes_to_exclude"):
        _int8_weights(Path(out), set(f["nodes_to_exclude"]))
    return Path(out)


def _int8_weights(path: Path, names: set[str]) -> None:
    """Store the weights of the float products ``names`` as int8 (symmetric, per output channel) dequantized
    before the product: the products stay float, the file small."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    init = {i.name: i for i in graph.initializer}
    nodes = list(graph.node)
    for node in nodes:
        if node.name not in names or node.op_type != "MatMul" or node.input[1] not in init:
            continue
        w = numpy_helper.to_array(init[node.input[1]]).astype(np.float32)  # [in, out]
        scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        base = node.input[1]
        graph.initializer.remove(init[base])
        graph.initializer.extend([numpy_helper.from_array(q, base + "_q8"),
                                  numpy_helper.from_array(scale.astype(np.float32), base + "_q8_scale"),
                                  numpy_helper.from_array(np.zeros_like(scale, np.int8), base + "_q8_zero")])
        deq = helper.make_node("DequantizeLinear", [base + "_q8", base + "_q8_scale", base + "_q8_zero"],
                               [base + "_dequantized"], name=node.name + "_weights", axis=1)
        graph.node.insert(list(graph.node).index(node), deq)
        node.input[1] = base + "_dequantized"
    onnx.save(model, str(path))


def int8_path() -> str:
    """How this CPU computes the int8 products (for the machine line of benchmarks and ``qa eval``): ``VNNI``
    (avx512_vnni, avx_vnni or AMX: 32-bit sums), ``AVX-512 without VNNI``, ``AVX2 without VNNI`` (16-bit pair sums
    for s8 weights), or the machine's architecture when the flags cannot be read."""
    import platform

    try:
        flags = next((line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith(("flags", "Features"))), [])
    except OSError:
        flags = []
    if {"avx512_vnni", "avx_vnni", "amx_int8"} & set(flags):
        return "VNNI"
    if "avx512bw" in flags:
        return "AVX-512 without VNNI"
    if "avx2" in flags:
        return "AVX2 without VNNI"
    return platform.machine() or "unknown"
