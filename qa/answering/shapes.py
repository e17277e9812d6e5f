"""The answer in the shape of the question: the chosen passage grown into the parts the question asks for.

Once the decision has chosen a candidate (a span of one sentence), its shape (:attr:`Question.shape`) says what to
give back, every part verbatim with its offsets:

- ``span``: the span itself; a span that only restates the question (every content word of it is in the
  question) is replaced by what follows it in its sentence;
- ``list``: every item of the enumeration the span stands in: the run of clauses holding its 、-separated items,
  or, where a paragraph counts its items (一是…二是…) or a colon announces them (主要表现为:…), each clause;
- ``outline``: the members of the structure the passage announces (十方面工作, 四个高地): the headings or paragraph
  leads directly under the outline node the passage stands in (:meth:`qa.index.store.Document.children`), those
  naming the structure's noun where several do, as many as it counts;
- ``definition``: the words that define: what follows the first 是/为/指/即/包括/：… after the words that only name
  it, to the sentence's end (and the sentences a closing colon announces);
- ``measures``: what stands under the head the question is about (:func:`qa.answering.heads.matched`), else the
  lead clause of each sentence of the passage's paragraph (at most :data:`MAX_PARTS`, in order); a paragraph of one
  sentence gives its clauses.

An answer is never a whole section of running text: parts are clauses, headings or lead clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..index.store import Chunk, Index
from ..text.clauses import FIGURE, clause_spans, trim
from ..text.lexicon import QUESTION_WORDS, STOPWORDS
from ..text.structure import LEAD_LEVEL, Section
from ..text.tokens import fold, pos_words
from .heads import NAMED_SHARE, Head, body, headlines, named_head, named_share
from .question import Question

MAX_PARTS = 12  # the most parts an answer gives: an outline or a list whole (the seed's longest outline has 7
# members: a bound of 6 cut the open set's o003 to 6 of them), never a section's every clause
SHORT_BODY = 400  # a head's body of at most this many characters is answered clause by clause (a measures answer),
# a longer one by its key clauses: the open set's measures questions (tuned on, 20) within budget 0.35 → 0.45 at
# 200 to 600 (every clause of any body: the same, items 0.58 → 0.55); the seed's leaf bodies: 40 of 45 are shorter
_COUNTED = re.compile(r"^(?:一是|二是|三是|四是|五是|六是|七是|八是|九是|十是|第[一二三四五六七八九十]+[,，、]|其[一二三四五六七八九十][,，、])")
_DEFINES = re.compile(r"(?:是指|指的是|主要表现为|表现为|主要是|就是|即|包括|分别是|是|为|：|:)")
_ANNOUNCED = re.compile(r"[：:](?=[^：:。！？!?]{4})")  # a colon inside a sentence, announcing what follows it
_MARKER = re.compile(r"\s*(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])\s*")
_STRUCTURE = re.compile(r"([一二两三四五六七八九十]+)(?:个|大|项|次|条)?“?([\u4e00-\u9fff]{1,4}?)”?(?:工作|建设|任务|方面)?"
                        r"(?=[”，,。？?：:是分有包]|$)")
_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_GENERIC_NOUNS = {"方面", "工作", "任务", "项", "个", "部分", "领域", "重点"}


@dataclass(frozen=True)
class Piece:
    """A part before it becomes one: a span of a chunk's text, or an outline node (a heading or a lead)."""
    chunk: Chunk | None
    start: int  # inside chunk.text; for a node, inside the document's text
    end: int
    node: Section | None = None
    doc: str = ""


def pieces(q: Question, chunk: Chunk, span: tuple[int, int], index: Index, head: Head | None = None) -> list[Piece]:
    """The parts of the answer to ``q`` whose chosen span is ``span`` of ``chunk`` (one piece for a span); ``head``:
    for a measures question, the head it is about (:func:`qa.answering.heads.matched`)."""
    a, b = span
    if q.shape == "outline":
        return _outline(q, chunk, a, b, index) or [Piece(chunk, a, b)]
    if q.shape == "list":
        return _listed(q, chunk, a, b, index) or [Piece(chunk, a, b)]
    if q.shape == "definition":
        defined = _defined(q, chunk, a, b, index)
        return defined if isinstance(defined, list) else [defined]
    if q.shape == "measures":
        head = head or named_head(q, chunk, index)
        return (under(head, index, q) if head else []) or _measures(chunk, index) or [Piece(chunk, a, b)]
    return [_unrestated(q, chunk, a, b)]


def restates(q: Question, text: str) -> bool:
    """Every word of ``text`` is in the question (function words aside): it names what was asked, it does not
    answer it. A figure or a name the question does not have is an answer."""
    words = [w for w, f in pos_words(text) if w.strip() and not re.fullmatch(r"[\W_]+", w) and w not in STOPWORDS
             and w not in QUESTION_WORDS and f[:1] not in ("u", "p", "c", "d")]
    asked = fold(q.text)
    return bool(words) and all(fold(w) in asked for w in words)


def _clauses(text: str) -> list[tuple[int, int]]:
    return [t for t in (trim(text, x, y) for x, y in clause_spans(text)) if t[1] > t[0]]


def _unrestated(q: Question, chunk: Chunk, a: int, b: int) -> Piece:
    """The span, or, when it only restates the question, the clauses after it in its sentence."""
    if not restates(q, chunk.text[a:b]):
        return Piece(chunk, a, b)
    after = [(x, y) for x, y in _clauses(chunk.text) if x >= b]
    return Piece(chunk, after[0][0], after[-1][1]) if after else Piece(chunk, a, b)


def _listed(q: Question, chunk: Chunk, a: int, b: int, index: Index) -> list[Piece]:
    """The enumeration the span stands in: a paragraph's counted clauses (一是…二是…), else the clause nearest the
    span (it, or one beside it) that holds items (、-separated, or quoted one after another) and whose words around
    its items the question says most, cut to its items."""
    counted = [p for p in _paragraph_clauses(chunk, index) if _COUNTED.match(p.chunk.text[p.start:p.end])]
    if len(counted) >= 2:
        return counted[:MAX_PARTS]
    announced = _announced(chunk)
    if len(announced) >= 2:
        return announced[:MAX_PARTS]
    clauses = _clauses(chunk.text)
    at = [k for k, (x, y) in enumerate(clauses) if x < b and y > a]
    asked = fold(q.text)
    listing = [k for k, (x, y) in enumerate(clauses) if _items(chunk.text, x, y, asked)]
    if not at or not listing:
        return []
    near = [k for k in listing if at[0] - 1 <= k <= at[-1] + 1]
    if not near:
        return []
    asked = fold(q.text)

    def said(k: int) -> float:  # how much of the clause outside its items the question says, and the span's own
        x, y = clauses[k]
        i, j = _items(chunk.text, x, y, asked)
        outside = chunk.text[x:i] + " " + chunk.text[j:y] if (i, j) != (x, y) else chunk.text[x:y]
        around = [w for w, _ in pos_words(outside) if len(w) >= 2]
        return sum(fold(w) in asked for w in around) + 0.5 * (at[0] <= k <= at[-1])

    k = max(near, key=lambda k: (said(k), -k))
    return [Piece(chunk, *_items(chunk.text, *clauses[k], asked))]


def _announced(chunk: Chunk) -> list[Piece]:
    """The clauses a colon inside the sentence announces (主要表现为:甲,乙,丙,等等), its closing 等等 aside."""
    colon = _ANNOUNCED.search(chunk.text)
    if not colon:
        return []
    return [Piece(chunk, x, y) for x, y in _clauses(chunk.text)
            if x >= colon.end() and chunk.text[x:y].strip("等 ")]


_QUOTED_RUN = re.compile(r"(?:“[^”]{1,20}”[、]?){2,}")
_QUOTED = re.compile(r"“([^”]{1,40})”")


def _items(text: str, x: int, y: int, asked: str = "") -> tuple[int, int] | None:
    """Where the items of a clause run from and to, or None when it holds no enumeration: quoted items one after
    another (“民俗文化游”“太忻休闲游”) unless the question (``asked``, folded) names them all (哪些景区“创A”“升A”?),
    else 、-separated ones: those of one quotation, its inside (“一网通、一窗办、半日结、零成本”); else the first and the
    last cut to the length of the items between them at word boundaries (重点支持太钢、太重、西山煤电等老牌工业企业 →
    太钢、太重、西山煤电)."""
    m = _QUOTED_RUN.search(text, x, y)
    if m and not (asked and all(fold(g) in asked for g in _QUOTED.findall(m.group(0)))):
        return m.start(), m.end()
    piece = text[x:y]
    cuts = [i for i, ch in enumerate(piece) if ch == "、"]
    if not cuts:
        return None
    for quote in _QUOTED.finditer(piece):
        if all(quote.start(1) <= c < quote.end(1) for c in cuts):
            return x + quote.start(1), x + quote.end(1)
    if re.search(r"[0-9０-９]", piece):  # figures (分别增长7.5%、8%) keep what they measure: the whole clause
        return x, y
    segs = [(0 if k == 0 else cuts[k - 1] + 1, cuts[k] if k < len(cuts) else len(piece)) for k in range(len(cuts) + 1)]
    first, last = piece[segs[0][0]:segs[0][1]], piece[segs[-1][0]:segs[-1][1]]
    end_at = last.find("等")
    tail = end_at if end_at > 0 else _without_trailing_verbs(last)
    return x + segs[0][1] - _without_leading_verbs(first), x + segs[-1][0] + tail


_VERBS = ("v", "u")  # what leads into the first item or follows the last: 加快, 重点支持, …建设


def _without_leading_verbs(text: str) -> int:
    """How many characters of ``text`` follow its last verb (the first item after 加快/支持/发展…); all of it
    when none does or nothing would be left."""
    ws = pos_words(text)
    cut = max((k for k, (_, f) in enumerate(ws) if f in ("v", "vd")), default=-1)
    rest = sum(len(w) for w, _ in ws[cut + 1:])
    return rest if rest else len(text)


def _without_trailing_verbs(text: str) -> int:
    """The length of ``text`` without the verbs that end it (…路网建设 → …路网); all of it when nothing is left."""
    ws = pos_words(text)
    while ws and ws[-1][1].startswith(_VERBS + ("vn",)):
        ws = ws[:-1]
    return sum(len(w) for w, _ in ws) or len(text)


def _paragraph_clauses(chunk: Chunk, index: Index) -> list[Piece]:
    return _every_clause(index.paragraph(chunk))


def _every_clause(sentences: list[Chunk]) -> list[Piece]:
    return [Piece(c, x, y) for c in sentences for x, y in _clauses(c.text)]


def _lead(c: Chunk) -> Piece:
    """A sentence's lead clause (a clause of a few characters, 同时, keeps the next one)."""
    clauses = _clauses(c.text)
    if not clauses:
        return Piece(c, 0, len(c.text))
    x, y = clauses[0]
    if y - x < 6 and len(clauses) > 1:
        y = clauses[1][1]
    return Piece(c, x, y)


def _measures(chunk: Chunk, index: Index) -> list[Piece]:
    """The key clauses of the chunk's paragraph (:func:`_key_clauses`); a paragraph of one sentence gives its
    clauses."""
    para = index.paragraph(chunk)
    if len(para) < 2:
        clauses = _every_clause([chunk])
        return clauses[:MAX_PARTS] if len(clauses) >= 2 else []
    return _key_clauses(para)


def _key_clauses(sentences: list[Chunk]) -> list[Piece]:
    """Each sentence's lead clause and the clauses that state a figure (出动救援人员5万余人次), in order."""
    out = []
    for c in sentences:
        lead = _lead(c)
        out.append(lead)
        out += [Piece(c, x, y) for x, y in _clauses(c.text) if x >= lead.end and FIGURE.search(c.text[x:y])]
    return out[:MAX_PARTS]


def under(head: Head, index: Index, q: Question, count: int = 0, noun: str = "") -> list[Piece]:
    """What stands under a head the question names: the outline nodes under it (naming the structure's noun where
    several do, as many as counted); else, for an outline, the headline sentences of its body; else, for measures,
    the clauses of its body (a long body: its key clauses, :data:`SHORT_BODY`). Empty when it holds fewer than two."""
    doc = index.documents[head.doc]
    kids = doc.children(head.node) if head.node >= 0 else []
    if noun:
        named = [k for k in kids if noun in doc.outline[k].title]
        kids = named if len(named) >= 2 else kids
    if len(kids) >= 2:
        kids = kids[:count] if count and len(kids) > count else kids[:max(MAX_PARTS, count)]
        return [Piece(None, *_title_span(doc.text, doc.outline[k]), node=doc.outline[k], doc=head.doc) for k in kids]
    sentences = body(head, index)
    lines = headlines(sentences)
    if q.shape == "outline" and len(lines) >= 2:
        lines = lines[:count] if count and len(lines) > count else lines[:max(MAX_PARTS, count)]
        return [Piece(c, *trim(c.text, 0, len(c.text))) for c in lines]
    if q.shape != "measures":
        return []
    short = sum(len(c.text) for c in sentences) <= SHORT_BODY
    out = _every_clause(sentences)[:MAX_PARTS] if short else _key_clauses(sentences)
    return out if len(out) >= 2 else []


def _continued(chunk: Chunk, index: Index, most: int = 2) -> list[Chunk]:
    """The chunks a long sentence was cut into after this one (the index cuts sentences over 240 characters)."""
    out, c = [], chunk
    para = index.paragraph(chunk)
    while len(out) < most and c.text.rstrip()[-1:] not in "。！？!?；;" and c.id + 1 in {x.id for x in para}:
        c = index.chunks[c.id + 1]
        out.append(c)
    return out


def _defined(q: Question, chunk: Chunk, a: int, b: int, index: Index) -> Piece | list[Piece]:
    """What defines the thing the sentence names: after the first defining word past the naming words, to the
    sentence's end; without one, the sentence less its leading clauses that restate the question. A colon inside
    the sentence announces the definition: it starts after it. A sentence ending in a colon continues in the
    sentences after it (in its paragraph)."""
    text = chunk.text
    clauses = _clauses(text)
    start = 0
    colon = _ANNOUNCED.search(text)
    if colon:  # 仍面临着一些困难和挑战,主要表现为:… / 主要预期指标是:…: what the colon announces
        clauses = [(x, y) for x, y in clauses if x >= colon.end()]
    for x, y in clauses:
        m = _DEFINES.search(text, x, y)
        if m and m.end() < y and not restates(q, text[m.end():y]):
            start = m.end()
            break
        if not restates(q, text[x:y]):
            start = x
            break
    else:
        return Piece(chunk, a, b)
    end = trim(text, start, len(text))[1]
    start = trim(text, start, end)[0]
    rest = _continued(chunk, index)
    if rest:  # a long sentence cut into chunks: the definition runs on in them
        return [Piece(chunk, start, end)] + [Piece(c, *trim(c.text, 0, len(c.text))) for c in rest]
    if text.rstrip()[-1:] in "：:" and len(text[start:end].strip()) < 4:  # 总体要求是： the sentences after it
        para = index.paragraph(chunk)
        k = next(i for i, c in enumerate(para) if c.id == chunk.id)
        nxt = para[k + 1:k + 4]
        if nxt:
            return Piece(nxt[0], 0, len(nxt[0].text))
    return Piece(chunk, start, end) if end > start else Piece(chunk, a, b)


def structure_asked(q: Question) -> tuple[int, str]:
    """What structure an outline question names: its count (0: not said) and its noun (高地; "" when generic)."""
    m = _STRUCTURE.search(q.normalized) or _STRUCTURE.search(q.text)
    if not m:
        return 0, ""
    noun = m.group(2)
    return _NUMBERS.get(m.group(1)[-1], 0) if len(m.group(1)) == 1 else 0, "" if noun in _GENERIC_NOUNS else noun


def _outline(q: Question, chunk: Chunk, a: int, b: int, index: Index) -> list[Piece]:
    """The members of the structure the question asks for, where the passage names or counts it: the clauses of
    its paragraph naming the structure's noun (必须始终…, …高地); the enumeration in its sentence; the sentences of
    the outline node it asks about (a lead it names: 服务业提质增效); else the children of the deepest outline node
    above the passage that has some (naming the noun where several do, as many as counted); for a question about
    a period as a whole (:attr:`Question.whole`), only those."""
    count, noun = (0, "") if q.whole else structure_asked(q)  # 今后五年 counts no structure
    doc = index.documents[chunk.doc]
    node = doc.node_of(chunk)
    if not q.whole:  # a question about a period as a whole asks for its part's heads, none of its passages
        head = named_head(q, chunk, index)
        beneath = under(head, index, q, count, noun) if head else []
        if beneath:
            return beneath
        if noun:
            named = [p for p in _paragraph_clauses(chunk, index) if noun in p.chunk.text[p.start:p.end]]
            if len(named) >= 2:
                return named[:count] if count and len(named) > count else named[:MAX_PARTS]
        listed = _listed(q, chunk, a, b, index)
        if listed and (not noun or all(noun in p.chunk.text[p.start:p.end] for p in listed)):
            return listed
        if node >= 0 and doc.outline and not doc.children(node) and _names(q, doc.outline[node].title):
            return _measures(chunk, index)
    if not doc.outline:
        return []
    while True:
        kids = _children(doc, node, chunk)
        if noun:
            named = [k for k in kids if noun in doc.outline[k].title]
            kids = named if len(named) >= 2 else kids
        if len(kids) >= 2:
            break
        if node < 0:
            return []
        node = doc.outline[node].parent
    kids = kids[:count] if count and len(kids) > count else kids[:max(MAX_PARTS, count)]
    return [Piece(None, *_title_span(doc.text, doc.outline[k]), node=doc.outline[k], doc=chunk.doc) for k in kids]


def _names(q: Question, title: str) -> bool:
    """The question names this heading (:func:`qa.answering.heads.named_share`)."""
    return named_share(q, title) >= NAMED_SHARE


def _children(doc, node: int, chunk: Chunk) -> list[int]:
    """A node's children; at the top level, only those of the part the chunk stands in (the leads before the
    first heading, or the headings): the report's top level is no structure a question asks about."""
    kids = doc.children(node)
    if node >= 0:
        return kids
    first = next((s.start for s in doc.outline if s.level != LEAD_LEVEL), None)
    if first is None:
        return kids
    before = chunk.start < first
    return [k for k in kids if (doc.outline[k].start < first) == before and doc.outline[k].level == LEAD_LEVEL] \
        if before else []


def _title_span(text: str, s: Section) -> tuple[int, int]:
    """A heading's offsets without its number marker ((一), 二、) and closing punctuation."""
    a, b = s.start, s.end
    m = _MARKER.match(text, a, b)
    if m:
        a = m.end()
    while b > a and text[b - 1] in "。.；;：:，, \n":
        b -= 1
    return a, b
