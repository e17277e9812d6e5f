"""The int8 form of the shipped graphs (the query encoder, the reader): one definition, used at every export.

onnxruntime's dynamic quantization turns each matrix product into an integer one: activations as u8 (one scale
per run), weights per output channel. With s8 weights (``QuantType.QInt8``), CPUs without VNNI (AVX2 only: most
AMD Zen 2/3, Intel before 2019) add pairs of u8×s8 products in 16 bits (``vpmaddubsw``), which saturate, while
VNNI CPUs add in 32 bits: the same graph gave other vectors, answers and test outcomes on the two kinds. With u8
weights the products are widened to 16 bits and added in 32 (``vpmaddwd``) on every x86 CPU, so the integer
results are exact everywhere. Measured on an AVX2 CPU without VNNI (docs/measurements.md, "int8 forms";
``benchmarks/quantization.py``): the query encoder's cosine to its fp32 graph over the seed's sentences, min /
median, s8 0.9883 / 0.9958, s8 with 7-bit weights 0.9934 / 0.9966, u8 0.9952 / 0.9972.
"""

from __future__ import annotations

from pathlib import Path

FORM = {"weight_type": "QUInt8", "per_channel": True, "reduce_range": False, "op_types_to_quantize": ["MatMul"]}


def quantize(fp32: str | Path, out: str | Path, form: dict | None = None) -> Path:
    """Write the int8 graph of the fp32 graph ``fp32`` to ``out`` in ``form`` (default :data:`FORM`)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    f = dict(form or FORM)
    quantize_dynamic(str(fp32), str(out), weight_type=getattr(QuantType, f.pop("weight_type")), **f)
    return Path(out)


def int8_path() -> str:
    """How this CPU computes the int8 products (for the machine line of benchmarks and ``qa eval``): ``VNNI``
    (avx512_vnni or avx_vnni: 32-bit sums), ``AVX2 without VNNI`` (16-bit pair sums for s8 weights), ``AVX-512
    without VNNI``, or the machine's architecture when the flags cannot be read."""
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
