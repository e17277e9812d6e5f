"""How far each int8 form of the shipped graphs is from fp32, on this CPU (issue: the same answers on every CPU).

    python benchmarks/quantization.py                  # the query encoder and the reader, every form
    python benchmarks/quantization.py --windows 300    # reader windows from DRCD test (plus the reference set)

The query encoder: its fp32 ONNX graph (exported from the converted e5 model) and each int8 form of it encode the
seed report's first 200 sentences as questions; the cosine of each int8 vector to its fp32 one, min and median.
The reader: the shipped reader's weights dequantized (:mod:`qa.training.warm`) give its fp32 graph; each int8
form of it reads the reference windows (:func:`qa.training.data.reference_windows`) and windows of DRCD test
(each question with the window around its answer): the share of windows whose best span is the fp32 one, the
largest and median gap of the span's score and of the margin, and the milliseconds a window.
Forms: s8 (``QInt8`` weights, as shipped before), s8-7bit (``reduce_range``), u8 (``QUInt8``), all per channel, and
the last two with the feed-forward output products kept fp32 (``qa.model.quantize.FORM``: the shipped form).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.config import default_mrc_dir, set_environment
from qa.model.quantize import FORM, quantize

FORMS = {
    "s8": {"weight_type": "QInt8", "per_channel": True, "reduce_range": False, "op_types_to_quantize": ["MatMul"]},
    "s8-7bit": {"weight_type": "QInt8", "per_channel": True, "reduce_range": True, "op_types_to_quantize": ["MatMul"]},
    "u8": {"weight_type": "QUInt8", "per_channel": True, "reduce_range": False, "op_types_to_quantize": ["MatMul"]},
    "s8-7bit, ffn out fp32": {"weight_type": "QInt8", "per_channel": True, "reduce_range": True,
                              "op_types_to_quantize": ["MatMul"], "keep_fp32": "/output/dense/"},
    "u8, ffn out fp32 (shipped)": FORM,
}
ROOT = Path(__file__).resolve().parent.parent


def seed_sentences(n: int = 200) -> list[str]:
    from qa.text.structure import sentence_spans

    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8").replace("\n", "")
    return [text[a:b] for a, b in sentence_spans(text)][:n]


def encoder(tmp: Path) -> dict:
    from qa.model.e5convert import converted_model_dir
    from qa.model.onnx_backend import GRAPH, OnnxEncoder, export, onnx_dir

    model_dir = converted_model_dir()
    if not (onnx_dir(model_dir) / GRAPH).exists():
        export(model_dir)
    texts = seed_sentences()
    ref = OnnxEncoder(model_dir, quantized=False).encode(texts, "query")
    out = {}
    for k, (name, form) in enumerate(FORMS.items()):
        path = quantize(onnx_dir(model_dir) / GRAPH, tmp / f"encoder-{k}.onnx", form)
        enc = OnnxEncoder(model_dir, quantized=False, path=path)
        t0 = time.perf_counter()
        vecs = np.concatenate([enc.encode([t], "query") for t in texts])
        ms = 1000 * (time.perf_counter() - t0) / len(texts)
        cos = (vecs * ref).sum(1)
        out[name] = {"min_cosine": round(float(cos.min()), 4), "median_cosine": round(float(np.median(cos)), 4),
                     "ms_per_question": round(ms, 2)}
    return out


def reader_windows(n: int) -> list[tuple[str, str]]:
    from qa.model.passages import WINDOW_CHARS, windows_around
    from qa.text.structure import sentence_spans
    from qa.training.data import load_squad, reference_windows

    wins = reference_windows(ROOT)
    data = Path(default_mrc_dir()) / "drcd_test.json"
    if n and data.exists():
        for e in [e for e in load_squad(data) if e.answers][:n]:
            spans = sentence_spans(e.context)
            i = next((k for k, (a, b) in enumerate(spans) if a <= e.answers[0][1] < b), 0)
            a, b = windows_around(spans, i, WINDOW_CHARS)
            wins.append((e.question, e.context[a:b]))
    return wins


def reader(tmp: Path, n: int) -> dict:
    from qa.model.e5convert import converted_model_dir
    from qa.model.reader import WEIGHTS_DIR, Reader
    from qa.training.export import export
    from qa.training.train import reader_model
    from qa.training.warm import load_into

    model = reader_model(converted_model_dir())
    load_into(model, WEIGHTS_DIR / "reader.int8.onnx")
    fp32_dir = tmp / "reader"
    export(model, fp32_dir, {}, keep_fp32=True)
    fp32 = fp32_dir / "reader.fp32.onnx"
    wins = reader_windows(n)
    ref = Reader(fp32_dir, graph=fp32.name, threads=1)
    base = [ref.read(q, [p])[0] for q, p in wins]
    forms = {"shipped": WEIGHTS_DIR / "reader.int8.onnx"}
    for name, form in FORMS.items():
        forms[name] = quantize(fp32, fp32_dir / f"reader-{len(forms)}.onnx", form)
    out = {}
    for name, path in forms.items():
        r = Reader(path.parent, graph=path.name, threads=1)
        r.read(wins[0][0], [wins[0][1]])
        t0 = time.perf_counter()
        got = [r.read(q, [p])[0] for q, p in wins]
        ms = 1000 * (time.perf_counter() - t0) / len(wins)
        same = sum((g.start, g.end) == (b.start, b.end) for g, b in zip(got, base))
        score = [abs(g.score - b.score) for g, b in zip(got, base)]
        margin = [abs(g.margin - b.margin) for g, b in zip(got, base)]
        out[name] = {"windows": len(wins), "same_best_span": round(same / len(wins), 4),
                     "score_gap_max": round(max(score), 3), "score_gap_median": round(statistics.median(score), 3),
                     "margin_gap_max": round(max(margin), 3), "margin_gap_median": round(statistics.median(margin), 3),
                     "ms_per_window": round(ms, 2)}
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--windows", type=int, default=300, help="DRCD test windows beside the reference set")
    ap.add_argument("--only", choices=("encoder", "reader"))
    a = ap.parse_args(argv)
    set_environment()
    from qa.model.quantize import int8_path

    res = {"cpu": int8_path()}
    with tempfile.TemporaryDirectory() as tmp:
        if a.only != "reader":
            res["encoder"] = encoder(Path(tmp))
            print(json.dumps(res["encoder"], indent=1))
        if a.only != "encoder":
            res["reader"] = reader(Path(tmp), a.windows)
            print(json.dumps(res["reader"], indent=1))
    print(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main()
