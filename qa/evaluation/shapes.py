"""``qa eval`` on open questions: answers in the shape of the question (eval/report_qa_open.jsonl).

Gold lines: ``{"id", "question", "shape", "items": [...], "budget", "lang"[, "doc"]}``; ``shape`` is outline, list,
definition or measures; every item is an exact substring of the document; ``budget`` the characters an answer may
take and still count (twice the shortest stretch of the document holding every item; for an outline 4× the items'
length). Texts are compared after :func:`qa.text.tokens.fold`. For each shape and language:

- ``items``: the share of gold items the answer holds (the answer: its parts joined, as ``Answer.answer``);
- ``every_item``: the share of questions whose answer holds every item;
- ``within_budget``: … every item, in at most ``budget`` characters (the headline figure);
- ``abstained``: the share abstained on (all are answerable).

A question whose ``doc`` is not in the index is left out and counted (``not_indexed``): the set's questions about
other reports are measured over an index that holds them.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Callable

from ..text.tokens import fold


def judge(answer: str, abstained: bool, items: list[str], budget: int) -> dict:
    """How one answer measures up: items held, all of them, all within the budget."""
    text = "" if abstained else fold(answer)
    held = [fold(i) in text for i in items]
    every = bool(items) and all(held)
    return {"items": sum(held) / len(items) if items else 0.0, "every_item": every,
            "within_budget": every and len(text) <= budget, "length": len(text)}


def evaluate_open(gold: list[dict], ask_fn: Callable, indexed: set[str] | None = None) -> dict:
    """Every open question through ``ask_fn``; figures by shape and language (a JSON-ready dict)."""
    rows, times, skipped = [], [], 0
    asked = [g for g in gold if indexed is None or not g.get("doc") or g["doc"] in indexed]
    skipped = len(gold) - len(asked)
    if asked:
        ask_fn(asked[0]["question"])  # warm up
    for g in asked:
        t = time.perf_counter()
        a = ask_fn(g["question"])
        times.append(1000 * (time.perf_counter() - t))
        rows.append({"id": g["id"], "shape": g["shape"], "lang": g.get("lang", "zh"), "question": g["question"],
                     "answer": a.answer, "abstained": a.abstained, "budget": g["budget"],
                     "parts": len(getattr(a, "parts", ()) or ()), "items_gold": g["items"],
                     **judge(a.answer, a.abstained, g["items"], g["budget"])})
    out = {"questions": len(rows), "not_indexed": skipped, **_figures(rows)}
    out["by_shape"] = {s: _figures([r for r in rows if r["shape"] == s]) for s in sorted({r["shape"] for r in rows})}
    out["by_lang"] = {x: _figures([r for r in rows if r["lang"] == x]) for x in sorted({r["lang"] for r in rows})}
    ordered = sorted(times)
    out["p50_ms"] = round(ordered[len(ordered) // 2], 1) if ordered else 0.0
    out["misses"] = [r for r in rows if not r["within_budget"]]
    return out


def _figures(rows: list[dict]) -> dict:
    n = len(rows)
    if not n:
        return {"n": 0}
    return {"n": n, "items": round(sum(r["items"] for r in rows) / n, 4),
            "every_item": round(sum(r["every_item"] for r in rows) / n, 4),
            "within_budget": round(sum(r["within_budget"] for r in rows) / n, 4),
            "abstained": round(sum(r["abstained"] for r in rows) / n, 4),
            "median_chars": statistics.median(r["length"] for r in rows)}


def format_open(m: dict) -> str:
    from .report import machine_line

    lines = [machine_line(), f"questions: {m['questions']} (not indexed: {m['not_indexed']})"]
    if not m["questions"]:
        return "\n".join(lines)
    lines.append(_line("all", m))
    lines += [_line(f"shape {s}", v) for s, v in m["by_shape"].items()]
    lines += [_line(f"lang {x}", v) for x, v in m["by_lang"].items()]
    lines.append(f"p50_ms: {m['p50_ms']}")
    return "\n".join(lines)


def _line(name: str, v: dict) -> str:
    return (f"{name} (n={v['n']}): items {v['items']} every_item {v['every_item']} within_budget "
            f"{v['within_budget']} abstained {v['abstained']} median_chars {v['median_chars']}")


def is_open(gold: list[dict]) -> bool:
    return bool(gold) and all("shape" in g for g in gold)


def run(gold_path: str | Path, index_dir, ask_fn: Callable | None = None) -> dict:
    from ..api import ask, load_index
    from .report import load_gold

    ask_fn = ask_fn or (lambda q: ask(q, index_dir=index_dir, top_k=5))
    return evaluate_open(load_gold(gold_path), ask_fn, set(load_index(index_dir).documents))
