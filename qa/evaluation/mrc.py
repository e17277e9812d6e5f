"""Validation on reading-comprehension data: closed reading and end to end through ``ask()``.

* closed reading: the reader gets a question and its own paragraph (cut into the windows it sees at
  question time) and must find the span: exact match and character F1 (CMRC 2018's scoring:
  punctuation and spaces ignored, best over the gold answers);
* end to end: the paragraphs become documents (``title``, blank line, paragraph), an index is built,
  every question goes through :func:`qa.ask`: the answer must contain a gold answer (``answer_hit``)
  and the first citation must come from the question's paragraph (``doc@1``).

DRCD test is the validation set: nothing is trained or tuned on it (``benchmarks/validate.py``).
"""

from __future__ import annotations

import re
import statistics
import time
import unicodedata
from collections import Counter
from pathlib import Path

from ..model.passages import WINDOW_CHARS, windows_around
from ..text.structure import sentence_spans
from ..training.data import Example
from ..text.dictionary import gloss

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def char_f1(pred: str, gold: str) -> float:
    p, g = normalize(pred), normalize(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return float(p == g)
    prec, rec = common / len(p), common / len(g)
    return 2 * prec * rec / (prec + rec)


def passage_windows(text: str, limit: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """The windows a passage is read in: each sentence grown with its neighbours (deduplicated)."""
    spans = sentence_spans(text) or [(0, len(text))]
    return list(dict.fromkeys(windows_around(spans, i, limit) for i in range(len(spans))))


def closed_reading(reader, examples: list[Example], progress=None, bridge: bool = True) -> dict:
    """Exact match, character F1 and "contains a gold answer" of the reader on each question's paragraph (an
    English question read glossed with the dictionary, as at question time, unless ``bridge`` is off)."""
    em = f1 = hit = 0.0
    lengths, t0 = [], time.perf_counter()
    asked = [e for e in examples if e.answers]
    for n, ex in enumerate(asked):
        wins = passage_windows(ex.context)
        readings = reader.read(gloss(ex.question) if bridge else ex.question, [ex.context[a:b] for a, b in wins])
        (a, _), r = max(zip(wins, readings), key=lambda wr: wr[1].margin)
        pred = ex.context[a + r.start:a + r.end]
        golds = [t for t, _ in ex.answers]
        em += max(normalize(pred) == normalize(g) for g in golds)
        f1 += max(char_f1(pred, g) for g in golds)
        hit += any(normalize(g) in normalize(pred) for g in golds)
        lengths.append(len(pred))
        if progress and (n + 1) % 200 == 0:
            progress(f"{n + 1}/{len(asked)}")
    k = max(1, len(asked))
    return {"questions": len(asked), "exact_match": round(em / k, 4), "char_f1": round(f1 / k, 4),
            "contains_gold": round(hit / k, 4), "median_chars": statistics.median(lengths) if lengths else 0,
            "ms_per_question": round(1000 * (time.perf_counter() - t0) / k, 1)}


def first_paragraphs(examples: list[Example], n: int) -> list[Example]:
    """The questions of the first ``n`` distinct paragraphs (all when 0)."""
    if not n:
        return examples
    keep = set(list(dict.fromkeys(e.context for e in examples))[:n])
    return [e for e in examples if e.context in keep]


def write_corpus(examples: list[Example], folder: str | Path) -> dict[str, str]:
    """Each distinct paragraph as ``pNNNN.txt`` (title, blank line, paragraph); returns question id → file name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    where = {}
    for ex in examples:
        if ex.context not in names:
            names[ex.context] = f"p{len(names):04d}.txt"
            text = f"{ex.title}\n\n{ex.context}\n" if ex.title else ex.context + "\n"
            (folder / names[ex.context]).write_text(text, encoding="utf-8")
        where[ex.qid] = names[ex.context]
    return where


def end_to_end(examples: list[Example], index_dir: str | Path, where: dict[str, str], ask=None,
               progress=None) -> dict:
    """answer_hit, doc@1, abstained, median answer length and crashes of ``ask()`` over the questions."""
    if ask is None:
        from ..api import ask
    hit = doc1 = abstained = crashes = 0
    lengths, times = [], []
    asked = [e for e in examples if e.answers]
    for n, ex in enumerate(asked):
        t0 = time.perf_counter()
        try:
            a = ask(ex.question, index_dir=index_dir)
        except Exception:  # noqa: BLE001 - counted: ask() must never raise on a real question
            crashes += 1
            continue
        times.append(time.perf_counter() - t0)
        abstained += a.abstained
        if a.citations and a.citations[0].doc == where[ex.qid]:
            doc1 += 1
        if not a.abstained:
            lengths.append(len(a.answer))
            hit += any(normalize(g) in normalize(a.answer) for g, _ in ex.answers)
        if progress and (n + 1) % 200 == 0:
            progress(f"{n + 1}/{len(asked)}")
    k = max(1, len(asked))
    times.sort()
    return {"questions": len(asked), "answer_hit": round(hit / k, 4), "doc@1": round(doc1 / k, 4),
            "abstained": round(abstained / k, 4), "crashes": crashes,
            "median_chars": statistics.median(lengths) if lengths else 0,
            "p50_ms": round(1000 * times[len(times) // 2], 1) if times else 0,
            "p95_ms": round(1000 * times[int(len(times) * 0.95)], 1) if times else 0}


def near_misses(examples: list[Example], seed: int = 0) -> list[Example]:
    """A near miss of each question that has one (:func:`qa.training.augment.near_miss`: its subject, unit or period
    changed to one its paragraph lacks), unanswerable; ``title`` records the kind."""
    import random

    from ..training.augment import near_miss, noun_pool

    rng, pool = random.Random(seed), noun_pool([e.question for e in examples])
    out = []
    for e in examples:
        miss = e.answers and near_miss(e.question, e.context, rng, pool)
        if miss:
            out.append(Example(e.qid + "/near", miss[0], e.context, [], miss[1]))
    return out


def abstention(examples: list[Example], index_dir: str | Path, ask=None, progress=None) -> dict:
    """The share of unanswerable questions ``ask()`` abstains on, by kind (``Example.title``)."""
    if ask is None:
        from ..api import ask
    by_kind: dict[str, list[bool]] = {}
    for n, ex in enumerate(examples):
        a = ask(ex.question, index_dir=index_dir)
        by_kind.setdefault(ex.title, []).append(a.abstained)
        if progress and (n + 1) % 200 == 0:
            progress(f"{n + 1}/{len(examples)}")
    every = [x for xs in by_kind.values() for x in xs]
    return {"questions": len(every), "abstained": round(sum(every) / max(1, len(every)), 4),
            "by_kind": {k: {"n": len(v), "abstained": round(sum(v) / len(v), 4)} for k, v in sorted(by_kind.items())}}
