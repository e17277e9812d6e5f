"""Fit how the reader's windows are ranked, on DRCD dev's held-out articles (never on DRCD test).

    python benchmarks/tune_reader.py [--weights qa/model/weights] [--write]

The tuning split (``reader_data.TUNE_ARTICLES``) is indexed as a corpus and every question is
retrieved and read as ``ask()`` does. Each window gets features (the reader's margin over "no
answer", the fused retrieval score) and a label (its span contains a gold answer); a logistic
regression on them gives the weights ``qa.reading.read`` ranks windows by. ``--write`` stores them
as ``combine`` in the weights' ``reader.json``. Prints answer_hit with the margin alone and with the
fitted combination.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import build_index  # noqa: E402
from qa.answer import reader_question  # noqa: E402
from qa.api import load_index  # noqa: E402
from qa.model.embedding import get_embedder  # noqa: E402
from qa.model.reader import WEIGHTS_DIR, Reader  # noqa: E402
from qa.model.reader_data import TUNE_ARTICLES, load_squad  # noqa: E402
from qa.mrc_eval import normalize, write_corpus  # noqa: E402
from qa.question import analyse  # noqa: E402
from qa.reading import read, windows  # noqa: E402
from qa.retrieve import retrieve  # noqa: E402

FEATURES = ("margin", "retrieval")


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 3000, lr: float = 0.5) -> np.ndarray:
    """Weights (last one the bias) of an L2-regularized logistic regression, by gradient descent."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= lr * (z.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    scale = w[:-1] / sd  # back to raw feature units
    return np.r_[scale, w[-1] - (mu * scale).sum()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mrc" / "drcd_dev.json"))
    ap.add_argument("--weights", default=str(WEIGHTS_DIR))
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    examples = [e for e in load_squad(a.data, articles=slice(-TUNE_ARTICLES, None)) if e.answers]
    reader = Reader(a.weights)
    rows, labels, groups = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(examples, Path(tmp) / "docs")
        build_index(sources=[Path(tmp) / "docs"], index_dir=Path(tmp) / "index")
        index = load_index(Path(tmp) / "index")
        embedder = get_embedder(index.model_id)
        for n, ex in enumerate(examples):
            q = analyse(ex.question)
            hits = retrieve(index, q, embedder.encode_queries([q.embed_text])[0], k=10)
            golds = [normalize(t) for t, _ in ex.answers]
            for c in read(reader, reader_question(q), windows(index, hits), {}):
                rows.append([c.margin, c.window.hit.score])
                labels.append(float(any(g and g in normalize(c.span) for g in golds)))
                groups.append(n)
    x, y, g = np.array(rows), np.array(labels), np.array(groups)
    w = fit_logistic(x, y)

    def hit_rate(score: np.ndarray) -> float:
        best = {}
        for i, (k, s) in enumerate(zip(g, score)):
            if k not in best or s > score[best[k]]:
                best[k] = i
        return round(float(np.mean([y[i] for i in best.values()])), 4)

    combine = {f: round(float(v), 4) for f, v in zip(FEATURES, w[:-1])}
    out = {"questions": len(examples), "windows": len(y), "answer_hit_margin_only": hit_rate(x[:, 0]),
           "answer_hit_combined": hit_rate(x @ w[:-1]), "combine": combine}
    print(json.dumps(out, ensure_ascii=False))
    if a.write:
        path = Path(a.weights) / "reader.json"
        info = json.loads(path.read_text())
        info["combine"] = combine
        info["combine_fit"] = {k: v for k, v in out.items() if k != "combine"} | {"split": "drcd_dev last "
                                                                                   f"{TUNE_ARTICLES} articles"}
        path.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    return out


if __name__ == "__main__":
    main()
