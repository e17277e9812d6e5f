"""Clauses inside a sentence: the units an answer is cut to, and the figures they hold.

The reader marks a span (often a few characters: ``5%左右``); the answer shown is the clause or
clauses around it (``国内生产总值增长5%左右``), so the figure keeps what it measures.
"""

from __future__ import annotations

import re

from .punctuation import CLAUSE, CLAUSE_END, COLONS, SENTENCE_END

FIGURE = re.compile(r"[0-9０-９]+(?:[.．][0-9]+)?\s*(?:%|％|[万亿千百]*[^\s，,。；;、0-9])?|"
                    r"第[一二三四五六七八九十0-9]+|[一二两三四五六七八九十百千万]+(?:[个大项家所座条名倍成]|分之)")
_LEADING = re.compile(r"^(?:并且|并|同时|其中|还要|还|要|以及|和|及|，|,)")
# a clause opening with one of these qualifies the figure before it: 增长7%,力争实现7.5%
QUALIFIES = re.compile(r"^(?:力争|争取|其中|同比|比上年|较上年|分别|达到|占)")
_TRAILING = CLAUSE_END + COLONS + SENTENCE_END + " "


def has_figure(text: str, unit: str = "") -> bool:
    """Whether the text holds a figure, and, when a unit is asked (多少公里), a figure in that unit."""
    if not FIGURE.search(text):
        return False
    return not unit or bool(re.search(r"[0-9一二两三四五六七八九十]\s*[万亿千百]*" + re.escape(unit), text))


def clause_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in CLAUSE.finditer(text)]


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop trailing punctuation and leading connectives from text[a:b]."""
    while b > a and text[b - 1] in _TRAILING:
        b -= 1
    m = _LEADING.match(text[a:b])
    if m and b - a - m.end() >= 4:
        a += m.end()
    return a, b


def widen(text: str, a: int, b: int) -> tuple[int, int]:
    """The clause(s) of ``text`` holding the span [a, b), trimmed; the span itself when it has no clause."""
    while b > a + 1 and text[b - 1] in _TRAILING:  # a span ending on punctuation ends before it
        b -= 1
    spans = clause_spans(text)
    lo = max((s for s, _ in spans if s <= a), default=a)
    hi = min((e for _, e in spans if e >= b), default=b)
    x, y = trim(text, lo, hi)
    return (x, y) if x <= a and y >= b else (min(x, a), max(y, b))


def extend_qualifier(text: str, end: int) -> int:
    """The end of a figure's span, with the clause that qualifies it right after it kept: 增长7%,力争实现7.5%."""
    nxt = next(((a, b) for a, b in clause_spans(text) if a >= end), None)
    if nxt and QUALIFIES.match(text[nxt[0]:nxt[1]]) and FIGURE.search(text[nxt[0]:nxt[1]]) \
            and text[end:nxt[0]].strip(" ") in "，,":
        return trim(text, *nxt)[1]
    return end


def has_subject(piece: str) -> bool:
    """Whether a clause names what its figure measures: a noun of two characters or more before its first figure
    (固定资产投资增长9%; not 力争实现7.5%, 始建于1759年, which continue the clause before)."""
    from .tokens import NOUN_FLAGS, pos_words

    m = FIGURE.search(piece)
    head = piece[: m.start()] if m else piece
    return any(len(w) >= 2 and f.startswith(NOUN_FLAGS) and f != "ng" for w, f in pos_words(head))


def items(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The items of a list inside ``text[a:b]``, each with its own subject and figure: clauses, and the parts of
    a clause that 、 separates when each holds a figure (培育甲350家、乙4500家以上). A clause without a subject of its
    own (力争实现7.5%, 始建于1759年) stays with the item before it; a pair joined by 分别 (分别增长7.5%、8%) is one
    item."""
    out: list[tuple[int, int]] = []
    for x, y in clause_spans(text[a:b]):
        x, y = trim(text, a + x, a + y)
        if y <= x:
            continue
        piece = text[x:y]
        parts = [(x, y)]
        if "分别" not in piece and "、" in piece:
            cuts = [x] + [x + m.end() for m in re.finditer("、", piece)] + [y + 1]
            split = [(cuts[k], cuts[k + 1] - 1) for k in range(len(cuts) - 1)]
            if all(FIGURE.search(text[p:q]) for p, q in split):
                parts = split
        for p, q in parts:
            if out and (QUALIFIES.match(text[p:q]) or not has_subject(text[p:q])):
                out[-1] = (out[-1][0], q)
            else:
                out.append((p, q))
    return out
