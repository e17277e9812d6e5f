"""Command line: ``qa build``, ``qa ask``, ``qa chat``, ``qa eval``, ``qa list``, ``qa remove``, and the model
commands ``qa train-reader`` and ``qa fit-reader``.

Exit status: 0 success; 1 error (nothing done, or a regression in ``qa eval --baseline``);
3 partial success (``qa build``: the index was written but some files were skipped).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .config.environment import default_index_dir, library_environment, set_environment

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 3


def _progress():
    """A tqdm bar per stage on stderr."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"{stage:9s}", unit="", leave=True, file=sys.stderr,
                                     disable=None if sys.stderr.isatty() else True)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            del bars[stage]  # a stage may run again (OCR pages, once for each scanned document)

    return update


def cmd_build(args) -> int:
    from .api import build_index

    sources = args.paths or None
    summary = build_index(sources, args.index, model=args.model, progress=_progress(),
                          incremental=not args.full, keep_existing=args.add)
    print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) if args.json else summary.report())
    if not summary.documents:
        return EXIT_ERROR
    return EXIT_OK if summary.ok else EXIT_PARTIAL


def cmd_ask(args) -> int:
    from .api import ask

    a = ask(args.question, index_dir=args.index, top_k=args.top_k, model=args.model, documents=args.doc)
    if args.json:
        print(json.dumps(a.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print_answer(a)
    if args.sources and not a.abstained:
        print_sources(a, first=1)
    return EXIT_OK


def print_answer(a) -> None:
    if a.abstained:
        print(f"答案：（未找到）{a.message}")
        if a.citations:
            print("最接近的段落：")
            for c in a.citations[:3]:
                print(f"  - 「{c.quote}」\n    {c.source} > {c.section}")
        print_others(a)
        return
    if len(a.parts) > 1:  # a list, an outline, measures: each part numbered, with where it stands
        print(f"答案（{len(a.parts)}项）：")
        for n, p in enumerate(a.parts, 1):
            page = f" 第{p.citation.page}页" if p.citation.page else ""
            print(f"  {n}. {p.text}")
            print(f"     {' > '.join(x for x in (p.citation.source, p.citation.section) if x)}"
                  f"（{p.doc}{page} 第{p.start}–{p.end}字）")
        print_others(a)
        return
    c = a.citations[0]
    print(f"答案：{a.answer}")
    print(f"引文：「{c.quote}」")
    print(f"出处：{' > '.join(x for x in (c.source, c.section) if x)}")
    page = f" 第{c.page}页" if c.page else ""
    print(f"位置：{c.doc}{page} 第{c.start}–{c.end}字（答案在第{a.answer_start}–{a.answer_end}字）")
    print_others(a)


def print_others(a) -> None:
    """What the other reports in scope answer to the same question: one line each, with their report."""
    if a.others:
        print("其他报告：")
    for c in a.others:
        said = c.quote[c.highlight[0]:c.highlight[1]] if c.highlight else c.quote
        print(f"  {c.source or c.doc}：{said}（{c.section}，{c.doc} 第{c.start}–{c.end}字）")


def print_sources(a, first: int = 0) -> None:
    print("其他来源：" if first else "来源：")
    several = len({c.doc for c in a.citations}) > 1  # passages of several documents say which
    for c in a.citations[first:]:
        page = f" 第{c.page}页" if c.page else ""
        where = " > ".join(x for x in ((c.source or c.doc) if several else "", c.section) if x)
        print(f"  [{c.score:.3f}] 「{c.quote[:60]}{'…' if len(c.quote) > 60 else ''}」 {where}{page}")


CHAT_HELP = "输入问题回车提问；简短的追问（那农村呢？）按上一个问题理解。:sources 列出上一个回答的来源，:quit 退出。"


def cmd_chat(args) -> int:
    """A conversation in the terminal: each question sees the earlier ones (follow-ups), answers as ``qa ask``."""
    from .api import ERRORS, QuestionError, ask

    interactive = sys.stdin.isatty()
    print(CHAT_HELP)
    history: list = []
    while True:
        try:
            line = input("问> " if interactive else "").strip()
        except EOFError:
            break
        if not interactive and line:
            print(f"问> {line}")  # a transcript reads like the session it replays
        if not line:
            continue
        if line in (":q", ":quit", ":exit"):
            break
        if line in (":sources", ":s"):
            if history:
                print_sources(history[-1])
            else:
                print("（还没有回答）")
            print()
            continue
        if line.startswith(":"):
            print(CHAT_HELP)
            continue
        try:
            a = ask(line, index_dir=args.index, top_k=args.top_k, model=args.model, history=history,
                    documents=args.doc)
        except QuestionError as e:
            print(f"qa: {e}")
            continue
        except ERRORS as e:  # no usable index or model: every later question would fail the same way
            print(f"qa: {e}", file=sys.stderr)
            return EXIT_ERROR
        history.append(a)
        if a.resolved != a.question:
            print(f"（理解为：{a.resolved}）")
        print_answer(a)
        print()
    return EXIT_OK


def cmd_eval(args) -> int:
    from .evaluation.report import evaluate, format_report, load_gold, regressions
    from .evaluation.shapes import format_open, is_open, run

    if is_open(load_gold(args.gold)):  # open questions: answers in the shape asked
        m = run(args.gold, args.index)
        print(format_open(m))
        if args.verbose:
            for r in m["misses"]:
                print(f"  miss {r['id']} [{r['shape']}] {r['question']} → {r['answer'] or '(abstained)'}")
        if args.json:
            Path(args.json).write_text(json.dumps(m, ensure_ascii=False, indent=2), encoding="utf-8")
        return EXIT_OK
    m = evaluate(args.gold, args.index)
    print(format_report(m))
    if args.verbose:
        for r in m["misses"]:
            print(f"  miss {r['id']} [{r['type']}] {r['question']} → {r['answer'] or '(abstained)'}")
    if args.json:
        Path(args.json).write_text(json.dumps(m, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.record:
        keep = {k: m[k] for k in ("cite@1", "cite@5", "answer_hit", "answer_len_median", "section@1",
                                  "abstain_unanswerable", "abstain_wrong", "english_cite@5")}
        Path(args.record).write_text(json.dumps(keep, indent=2) + "\n", encoding="utf-8")
        print(f"recorded the figures in {args.record}")
    if args.baseline:
        problems = regressions(m, json.loads(Path(args.baseline).read_text()), args.tolerance)
        for p in problems:
            print(f"REGRESSION: {p}", file=sys.stderr)
        return EXIT_ERROR if problems else EXIT_OK
    return EXIT_OK


def cmd_list(args) -> int:
    from .api import read_manifest

    manifest = read_manifest(Path(args.index or default_index_dir()))
    print(f"model {manifest['model']}, {manifest['chunks']} chunks, built {manifest.get('built', '?')}")
    for doc, info in manifest.get("sources", {}).items():
        print(f"  {doc}  {info.get('label') or info.get('title', '')}  sha256 {info['sha256'][:12]}")
    return EXIT_OK


def cmd_remove(args) -> int:
    from .api import remove_documents

    summary = remove_documents(args.docs, args.index)
    print(summary.report())
    return EXIT_OK if summary.removed else EXIT_ERROR


def parser() -> argparse.ArgumentParser:
    from .api import SUPPORTED

    p = argparse.ArgumentParser(prog="qa", description="Ask questions about Chinese government reports; "
                                                       "answers are quoted verbatim with their place.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details and the libraries' warnings")
    sub = p.add_subparsers(dest="command", required=True)
    # -v works after the command too (qa ask -v "…"); SUPPRESS keeps a -v given before the command
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                         help="log progress details and the libraries' warnings")

    def add(name: str, **kw):
        return sub.add_parser(name, parents=[verbose], **kw)

    def common(sp, model=True):
        sp.add_argument("--index", help="index folder (default: ./index of the project, or $QA_INDEX)")
        if model:
            sp.add_argument("--model", help="sentence-transformers model name or path (default: $QA_MODEL or "
                                            "the bundled multilingual-e5-small)")

    b = add("build", help="build or update the index from files and folders")
    b.add_argument("paths", nargs="*", help=f"files or folders ({' '.join(sorted(SUPPORTED))}); default: seeds/")
    b.add_argument("--add", action="store_true", help="keep the documents already indexed and add these")
    b.add_argument("--full", action="store_true", help="re-embed everything instead of reusing unchanged documents")
    b.add_argument("--json", action="store_true", help="print the summary as JSON")
    common(b)
    b.set_defaults(func=cmd_build)

    a = add("ask", help="ask a question", description="Ask a question; the answer is quoted from the documents, "
            "with its section and offsets.", epilog='example: qa ask "今年地区生产总值预期增长多少？"')
    a.add_argument("question", help="the question, in Chinese or English (quote it: "
                                    "\"今年GDP要涨多少？\", \"What is this year's GDP growth target?\")")
    a.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    a.add_argument("--top-k", type=int, default=5, help="citations to return (default 5)")
    a.add_argument("--sources", action="store_true", help="also list the other cited passages")
    a.add_argument("--doc", action="append", metavar="NAME",
                   help="answer from this indexed document only (its file name, as `qa list` shows it); repeat "
                        "for several. Default: all, the place and year the question names choosing the report")
    common(a)
    a.set_defaults(func=cmd_ask)

    c = add("chat", help="a conversation in the terminal (follow-ups, :sources, :quit)")
    c.add_argument("--top-k", type=int, default=5, help="citations per answer (default 5)")
    c.add_argument("--doc", action="append", metavar="NAME",
                   help="answer from this indexed document only (file name); repeat for several")
    common(c)
    c.set_defaults(func=cmd_chat)

    e = add("eval", help="measure answer quality on a gold question set")
    e.add_argument("gold", nargs="?", default=str(Path(__file__).resolve().parent.parent / "eval" / "report_qa_dev.jsonl"))
    e.add_argument("--json", help="write all figures and misses to this JSON file")
    e.add_argument("--baseline", help="fail (exit 1) if a metric falls more than --tolerance below these figures")
    e.add_argument("--tolerance", type=float, default=0.05)
    e.add_argument("--record", help="write the figures to this file (to use later as --baseline)")
    common(e, model=False)
    e.set_defaults(func=cmd_eval)

    ls = add("list", help="list the indexed documents")
    common(ls, model=False)
    ls.set_defaults(func=cmd_list)

    r = add("remove", help="remove documents from the index (by file name)")
    r.add_argument("docs", nargs="+")
    common(r, model=False)
    r.set_defaults(func=cmd_remove)

    for name, text in MODEL_COMMANDS.items():  # their own options: `qa train-reader -h`, `qa fit-reader -h`
        sub.add_parser(name, help=text, add_help=False).add_argument("rest", nargs=argparse.REMAINDER)

    return p


MODEL_COMMANDS = {
    "train-reader": "train the extractive reader on reading-comprehension data (options: qa train-reader -h)",
    "fit-reader": "fit how the reader's output is used: ranking, abstention, stages (options: qa fit-reader -h)",
}


def model_command(name: str, argv: list[str]) -> int:
    """``qa train-reader`` and ``qa fit-reader``, with their own options."""
    library_environment()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if name == "train-reader":
        from .training.train import main as run
    else:
        from .fitting.command import main as run
    run(argv)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] and argv[0] in MODEL_COMMANDS:
        return model_command(argv[0], argv[1:])
    args = parser().parse_args(argv)
    if args.verbose:
        set_environment(QA_VERBOSE="1")  # the libraries' own warnings too
    library_environment()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    from .api import ERRORS

    try:
        return args.func(args)
    except ERRORS as e:
        print(f"qa: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
