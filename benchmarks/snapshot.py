"""Every answer of the question sets, written down to compare two versions answer for answer.

    python benchmarks/snapshot.py --out before.json              # the report sets, multi-report, a DRCD slice
    python benchmarks/snapshot.py --out after.json --compare before.json
    python benchmarks/snapshot.py --sets dev,extra --out x.json   # some sets only

A refactor that must not change behaviour is checked by a snapshot before and after: each question's answer, its
offsets, whether it abstained, its message and its first three citations (document and start). The sets: the
report's dev, extra and near-miss questions over the seed, eval/multi_report_qa.jsonl over the seed and the four
fixture reports (tests/fixtures.py), eval/report_qa_open.jsonl and eval/real_reports_qa.jsonl where they exist,
and the questions of DRCD test's first 40 paragraphs end to end (the CI slice).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from qa.api import ask, build_index
from qa.config import default_mrc_dir, set_environment

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "taiyuan_2022_government_work_report.txt"
REPORT_SETS = {"dev": "report_qa_dev.jsonl", "extra": "report_qa_extra.jsonl", "nearmiss": "report_qa_nearmiss.jsonl",
               "open": "report_qa_open.jsonl"}
ALL = ("dev", "extra", "nearmiss", "open", "multi", "real", "drcd")


def record(a) -> dict:
    """What must stay the same of one answer."""
    return {"answer": a.answer, "abstained": a.abstained, "message": a.message, "start": a.answer_start,
            "end": a.answer_end, "parts": [[p.start, p.end] for p in getattr(a, "parts", ())],
            "citations": [[c.doc, c.start] for c in a.citations[:3]],
            "others": [[c.doc, c.start] for c in a.others]}


def _fixture_reports():
    """tests/fixtures.py's ``write_reports``: the fictional reports the multi-report set is about."""
    try:
        from qa.testing.reports import write_reports
    except ImportError:
        import importlib.util

        spec = importlib.util.spec_from_file_location("fixtures", ROOT / "tests" / "fixtures.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        write_reports = mod.write_reports
    return write_reports


def questions(path: Path) -> list[tuple[str, str]]:
    return [(g["id"], g["question"]) for g in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if g]


def snapshot(sets: list[str], work: Path, progress=print) -> dict:
    out: dict[str, dict] = {}
    seed_index = work / "seed"
    if any(s in REPORT_SETS for s in sets):
        build_index([SEED], seed_index)
    for name in sets:
        if name in REPORT_SETS:
            path = ROOT / "eval" / REPORT_SETS[name]
            if path.exists():
                out[name] = {i: record(ask(q, index_dir=seed_index)) for i, q in questions(path)}
        elif name == "multi":
            write_reports = _fixture_reports()

            index = work / "multi"
            build_index([SEED, *write_reports(work / "multi-docs")], index)
            out[name] = {i: record(ask(q, index_dir=index)) for i, q in questions(ROOT / "eval" / "multi_report_qa.jsonl")}
        elif name == "real":
            path = ROOT / "eval" / "real_reports_qa.jsonl"
            reports = ROOT.parent / "shared" / "data" / "reports"
            if path.exists() and reports.exists():
                index = work / "real"
                build_index([SEED, *sorted(reports.glob("*.txt"))], index)
                out[name] = {i: record(ask(q, index_dir=index)) for i, q in questions(path)}
        elif name == "drcd":
            from qa.evaluation.mrc import first_paragraphs, write_corpus
            try:
                from qa.training.data import load_squad
            except ImportError:  # before the training room
                from qa.model.reader_data import load_squad

            data = Path(default_mrc_dir()) / "drcd_test.json"
            if data.exists():
                exs = [e for e in first_paragraphs(load_squad(data), 40) if e.answers]
                write_corpus(exs, work / "drcd-docs")
                build_index([work / "drcd-docs"], work / "drcd")
                out[name] = {e.qid: record(ask(e.question, index_dir=work / "drcd")) for e in exs}
        progress(f"{name}: {len(out.get(name, {}))} answers")
    return out


def compare(old: dict, new: dict) -> list[str]:
    """The questions whose answers differ (set/id: what changed)."""
    diffs = []
    for name in sorted(old.keys() & new.keys()):
        for qid in old[name]:
            a, b = old[name][qid], new[name].get(qid)
            if b is None:
                diffs.append(f"{name}/{qid}: missing")
                continue
            changed = [k for k in a if k in b and a[k] != b[k] and not (k == "parts" and (not a[k] or not b[k]))]
            if changed:
                diffs.append(f"{name}/{qid}: {', '.join(changed)}: {a['answer'] or a['message']!r} -> "
                             f"{b['answer'] or b['message']!r}")
    return diffs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(ALL), help="comma-separated: " + ", ".join(ALL))
    ap.add_argument("--out", required=True, help="write the answers here (JSON)")
    ap.add_argument("--compare", help="an earlier snapshot: list every answer that differs (exit 1 if any)")
    a = ap.parse_args(argv)
    set_environment()
    with tempfile.TemporaryDirectory() as tmp:
        snap = snapshot([s for s in a.sets.split(",") if s], Path(tmp))
    Path(a.out).write_text(json.dumps(snap, ensure_ascii=False, indent=1), encoding="utf-8")
    if a.compare:
        diffs = compare(json.loads(Path(a.compare).read_text(encoding="utf-8")), snap)
        for d in diffs:
            print(d)
        print(f"{len(diffs)} answers differ of {sum(len(v) for v in snap.values())}")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
