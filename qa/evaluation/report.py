"""``qa eval``: answer quality measured on a gold question set.

Gold lines: ``{"id","question","answers":[...],"evidence","section","type"}``; ``type`` is
number, entity, list, fact, paraphrase, english or unanswerable. Texts are compared after
NFKC width folding, whitespace removal and unified quote marks (:func:`qa.text.tokens.fold`).

For answerable questions:

- ``cite@1`` / ``cite@5``: the evidence lies inside the first / one of the first five quotes
  (or the quote holds every gold answer and at least half of the evidence's bigrams);
- ``answer_hit``: the answer contains a gold answer (for ``list``: all of them);
  ``answer_len_median``: the median length of the answers that hit;
- ``extra_figure``: the share of hit answers that also hold a figure no gold answer holds (another item's
  figure: ``力争实现7.5%,固定资产投资增长9%`` asked about 固定资产投资), a precision measure beside ``answer_hit``;
- ``section@1``: the numbering markers (``二、``, ``(三)``) of the first citation's section
  equal the gold section's;

``right_report`` (gold lines with a ``doc``, several reports indexed: the share of answerable questions whose
answer hits and whose first citation is from that report; eval/multi_report_qa.jsonl),
and ``abstain_unanswerable`` (share of unanswerable questions abstained on),
``abstain_wrong`` (share of answerable ones abstained on), ``p50_ms``/``p95_ms`` latency.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path
from typing import Callable

from ..text.clauses import QUALIFIES, clause_spans
from ..text.tokens import bigrams, fold

GUARDED = ["cite@1", "cite@5", "answer_hit", "section@1", "abstain_unanswerable", "english_cite@5"]
INVERSE_GUARDED = ["abstain_wrong", "extra_figure"]  # lower is better
# a figure: digits (a decimal part, 万/亿… and % kept with them), not part of a name such as 5G or 2号线
_FIGURE = re.compile(r"(?<![0-9A-Za-z.])[0-9]+(?:\.[0-9]+)?(?:[万亿千百]*%|[万亿千百]*(?![0-9A-Za-z号.]))")
_MARKERS = re.compile(r"[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[）)]")


def markers(section: str) -> list[str]:
    return [m.replace("（", "(").replace("）", ")") for m in _MARKERS.findall(section)]


def quote_supports(quote: str, evidence: str, answers: list[str]) -> bool:
    q, ev = fold(quote), fold(evidence)
    if ev and ev in q:
        return True
    if not answers or not all(fold(a) in q for a in answers):
        return False
    need = bigrams(evidence)
    return bool(need) and len(need & bigrams(quote)) >= len(need) / 2


def answer_hits(answer: str, answers: list[str], qtype: str) -> bool:
    a = fold(answer)
    found = [fold(x) in a for x in answers]
    return bool(answers) and (all(found) if qtype == "list" else any(found))


def figures(text: str) -> set[str]:
    """The figures a text states (``7.5%``, ``5000``, ``1.3万``), in comparison form."""
    return set(_FIGURE.findall(fold(text)))


def extra_figures(answer: str, answers: list[str]) -> set[str]:
    """Figures of the answer that no gold answer holds. A pair joined by 分别 (城镇和农村居民收入分别增长7.5%、8%)
    is one answer: the figures of a run holding a gold one are not extra; nor is the figure of a clause that
    qualifies a gold one (增长7%,力争实现7.5%: the qualifier has no subject of its own)."""
    gold = set().union(*(figures(a) for a in answers)) if answers else set()
    pairs = [figures(run) for run in re.findall(r"分别[^，,；;。]*", fold(answer))]
    gold |= set().union(*(p for p in pairs if p & gold)) if pairs else set()
    text = fold(answer)
    parts = [text[a:b] for a, b in clause_spans(text)]
    for before, clause in zip(parts, parts[1:]):
        if QUALIFIES.match(clause) and figures(before) & gold:
            gold |= figures(clause)
    return {f for f in figures(answer) if f not in gold}


def load_gold(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(gold_path: str | Path = "eval/report_qa_dev.jsonl", index_dir: str | Path | None = None,
             ask_fn: Callable | None = None) -> dict:
    """Run every gold question through ``ask()`` and compute the metrics (a JSON-ready dict)."""
    from ..api import ask

    ask_fn = ask_fn or (lambda q: ask(q, index_dir=index_dir, top_k=5))
    gold = load_gold(gold_path)
    ask_fn(gold[0]["question"])  # warm up: load index and model before timing
    rows, times = [], []
    for g in gold:
        t = time.perf_counter()
        a = ask_fn(g["question"])
        times.append((time.perf_counter() - t) * 1000)
        quotes = [c.quote for c in a.citations]
        answerable = g["type"] != "unanswerable"
        row = {"id": g["id"], "type": g["type"], "question": g["question"], "answer": a.answer,
               "abstained": a.abstained, "section": a.citations[0].section if a.citations else "",
               "quote": quotes[0] if quotes else ""}
        if answerable:
            row["cite1"] = bool(quotes) and quote_supports(quotes[0], g["evidence"], g["answers"])
            row["cite5"] = any(quote_supports(q, g["evidence"], g["answers"]) for q in quotes[:5])
            row["hit"] = not a.abstained and answer_hits(a.answer, g["answers"], g["type"])
            row["extra_figure"] = bool(row["hit"] and extra_figures(a.answer, g["answers"]))
            row["section1"] = bool(a.citations) and markers(a.citations[0].section) == markers(g["section"])
            if g.get("doc"):
                row["right_report"] = row["hit"] and a.citations[0].doc == g["doc"]
        rows.append(row)
    return summarize(rows, times)


def _share(rows: list[dict], key: str) -> float:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 4) if rows else 0.0


def summarize(rows: list[dict], times: list[float]) -> dict:
    ans = [r for r in rows if r["type"] != "unanswerable"]
    una = [r for r in rows if r["type"] == "unanswerable"]
    hits = [len(r["answer"]) for r in ans if r["hit"]]
    ordered = sorted(times)
    m = {
        "questions": len(rows), "answerable": len(ans), "unanswerable": len(una),
        "cite@1": _share(ans, "cite1"), "cite@5": _share(ans, "cite5"), "answer_hit": _share(ans, "hit"),
        "extra_figure": _share([r for r in ans if r["hit"]], "extra_figure"),
        "answer_len_median": statistics.median(hits) if hits else 0, "section@1": _share(ans, "section1"),
        "abstain_unanswerable": _share(una, "abstained"), "abstain_wrong": _share(ans, "abstained"),
        "english_cite@5": _share([r for r in ans if r["type"] == "english"], "cite5"),
        "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else 0.0,
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1) if ordered else 0.0,
    }
    by_type = {}
    for t in sorted({r["type"] for r in ans}):
        rs = [r for r in ans if r["type"] == t]
        by_type[t] = {"n": len(rs), "cite@1": _share(rs, "cite1"), "cite@5": _share(rs, "cite5"),
                      "answer_hit": _share(rs, "hit")}
    m["by_type"] = by_type
    reported = [r for r in ans if "right_report" in r]
    if reported:
        m["right_report"] = _share(reported, "right_report")
    m["misses"] = [r for r in rows if (r["type"] == "unanswerable" and not r["abstained"])
                   or (r["type"] != "unanswerable" and not (r["cite1"] and r["hit"] and r["section1"]))
                   or r.get("extra_figure") or r.get("right_report") is False]
    return m


def machine_line() -> str:
    """The machine the figures were measured on: cores and the CPU's int8 path (VNNI or not)."""
    import os

    from ..model.quantize import int8_path

    return f"machine: {os.cpu_count()} cores, int8 path {int8_path()}"


def format_report(m: dict) -> str:
    lines = [machine_line()] + [f"{k}: {m[k]}" for k in ("questions", "cite@1", "cite@5", "answer_hit", "extra_figure", "answer_len_median",
                                       "section@1", "abstain_unanswerable", "abstain_wrong", "english_cite@5",
                                       "p50_ms", "p95_ms")]
    if "right_report" in m:
        lines.append(f"right_report: {m['right_report']}")
    for t, v in m["by_type"].items():
        lines.append(f"type {t} (n={v['n']}): cite@1 {v['cite@1']} cite@5 {v['cite@5']} answer_hit {v['answer_hit']}")
    lines.append(f"summary: cite@1 {m['cite@1']:.2f}, cite@5 {m['cite@5']:.2f}, answer_hit {m['answer_hit']:.2f} "
                 f"(median {m['answer_len_median']} chars), section@1 {m['section@1']:.2f}, abstained "
                 f"{m['abstain_unanswerable']:.2f} of unanswerable / {m['abstain_wrong']:.2f} of answerable, "
                 f"p50 {m['p50_ms']} ms")
    return "\n".join(lines)


def regressions(m: dict, baseline: dict, tolerance: float = 0.05) -> list[str]:
    """Metrics more than ``tolerance`` worse than the recorded baseline."""
    out = []
    for k in GUARDED:
        if k in baseline and m[k] < baseline[k] - tolerance:
            out.append(f"{k} fell to {m[k]} (recorded {baseline[k]})")
    for k in INVERSE_GUARDED:
        if k in baseline and m[k] > baseline[k] + tolerance:
            out.append(f"{k} rose to {m[k]} (recorded {baseline[k]})")
    return out
