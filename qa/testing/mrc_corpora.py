"""The public reading-comprehension corpora in ``../shared/data/mrc`` as documents and questions.

Each paragraph becomes a ``.txt`` document (title, blank line, paragraph) written by
:func:`qa.evaluation.mrc.write_corpus`; DRCD (Traditional Chinese) is converted to Simplified by
:func:`qa.training.data.load_squad`. Used by ``tests/test_corpora.py``, the corpus-drawn
property tests in ``tests/test_bad_questions.py`` and ``benchmarks/corpora.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config.environment import default_mrc_dir

DATA = default_mrc_dir()  # CI: a fresh clone with shared/ beside it
NAMES = ("cmrc2018_trial", "drcd_dev", "drcd_test")
MISSING = f"the reading-comprehension corpora are not here ({DATA} is absent)"

# Questions a new user types that are no reading-comprehension question at all.
ODD_QUESTIONS = [
    # greetings and chatter
    "你好", "您好！", "在吗？", "谢谢", "早上好", "hi", "Hello!", "预热", "测试",
    # one character
    "的", "是", "中", "谁", "a", "Z", "7",
    # digits only
    "2018", "123456", "3.14", "１２３", "100%", "1,000,000", "0",
    # English words
    "abc", "the", "Wikipedia", "hello world", "What is it?", "JAXR", "MIT OpenCourseWare",
    # emoji
    "😀", "🎉🎉🎉", "👍是什么？", "❤️北京🏙️", "😀😀😀。",
    # punctuation-heavy
    "？？？什么！！！", "……是什么……", "《》", "「」。。。完成", "——？", "!!!???x", "（（（中）））",
    "。。", "，，，，", "“”‘’", "@#$%^&*", "->", "~~~~~~1~~~~~~",
    # shapes that broke other layers before: markup, control and invisible characters, traditional script
    "<b>标题</b>是什么？", "臺灣是什麼？", "\u200b你\u200b好\u200b", "第\n二\t行", "ｆｕｌｌ　ｗｉｄｔｈ",
    "2018年的GDP是多少？", "多少？", "哪些？", "是不是？", "为什么", "什么是什么？",
]


@dataclass
class Corpus:
    name: str
    folder: Path  # the documents
    questions: list[str]  # the corpus's own questions (of the paragraphs written)
    titles: list[str]  # the article titles, in order of first appearance
    paragraphs: int


def files() -> list:
    """The corpora's files (a guard needing them: :func:`qa.testing.data.needs`)."""
    return [DATA / f"{n}.json" for n in NAMES]


def available() -> bool:
    return all(p.is_file() for p in files())


def examples(name: str, every: int = 1, t2s: bool | None = None) -> list:
    """The corpus's examples; ``every=k`` keeps every k-th article (a spread-out subsample, converted faster)."""
    from ..training.data import load_squad

    return load_squad(DATA / f"{name}.json", t2s=t2s, articles=slice(None, None, every))


def write(name: str, folder: Path, every: int = 1) -> Corpus:
    """Write the corpus's paragraphs (of every ``every``-th article) as documents under ``folder``."""
    from ..evaluation.mrc import write_corpus

    exs = examples(name, every)
    where = write_corpus(exs, folder)
    return Corpus(name, folder, [e.question for e in exs], list(dict.fromkeys(e.title for e in exs if e.title)),
                  len(set(where.values())))


def odd_questions(titles: list[str]) -> list[str]:
    """The fixed odd list plus questions that repeat a title (bare, as a question, twice over)."""
    out = list(ODD_QUESTIONS)
    for t in titles[:3]:
        out += [t, f"{t}是什么？", f"{t}{t}", f"What is {t}?"]
    return out


def check_answer(a, texts: dict[str, str]) -> None:
    """An answer or an abstention, each citation's offsets right in its document's text.

    ``texts`` maps document name to its text as written (UTF-8, so the decoded text is the same);
    ``text[c.start:c.end]`` equals the quote up to whitespace, the highlight is the answer and
    ``text[a.answer_start:a.answer_end]`` is the answer (README: ``qa.Citation``).
    """
    def same(x: str, y: str) -> bool:
        return "".join(x.split()) == "".join(y.split())

    assert isinstance(a.abstained, bool)
    for c in a.citations:
        assert c.doc in texts, c.doc
        assert c.quote and c.end > c.start
        assert same(texts[c.doc][c.start:c.end], c.quote), (c.doc, c.start, c.end, c.quote)
    if a.abstained:
        assert a.answer == "" and a.message
        assert all(c.highlight is None for c in a.citations)
        return
    assert a.answer and a.citations and a.parts
    assert a.answer == "\n".join(p.text for p in a.parts)
    for p in a.parts:  # each part verbatim in its own quote and at its offsets
        c = p.citation
        assert c.quote[c.highlight[0]:c.highlight[1]] == p.text
        assert same(texts[p.doc][p.start:p.end], p.text), (p.text, p.start, p.end)
    if len(a.parts) == 1:
        top = a.citations[0]
        hs, he = top.highlight
        assert top.quote[hs:he] == a.answer
        assert top.start <= a.answer_start < a.answer_end <= top.end
        assert same(texts[top.doc][a.answer_start:a.answer_end], a.answer), (a.answer, a.answer_start, a.answer_end)


def read_texts(folders) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for f in folders for p in Path(f).glob("*.txt")}


def write_all(folder: Path, every: int = 1) -> Corpus:
    """The three corpora in one folder (``cmrc2018_trial-p0000.txt``…): one mixed collection."""
    parts = [write(name, folder / f".{name}", every) for name in NAMES]
    for c in parts:
        for p in sorted(c.folder.glob("*.txt")):
            p.rename(folder / f"{c.name}-{p.name}")
        c.folder.rmdir()
    return Corpus("all", folder, [q for c in parts for q in c.questions], [t for c in parts for t in c.titles],
                  sum(c.paragraphs for c in parts))


def paragraphs(every: int = 1) -> list[tuple[str, str]]:
    """(title, paragraph) of the three corpora, every ``every``-th article (DRCD converted)."""
    out = []
    for name in NAMES:
        out += list(dict.fromkeys((e.title, e.context) for e in examples(name, every)))
    return out
