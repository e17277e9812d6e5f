"""Extractive answers: the shortest verbatim span that answers, its citation, or an honest "not found".

The reader looks inside the best retrieved sentences. A sentence is cut into clauses (at
``，,；;：:``); every run of one to three clauses is a candidate span, scored by how much of
the question it covers (IDF-weighted terms, so rare words count most), by whether it holds
what the question asks for (a figure for 多少, an enumeration for 哪些) and by its length.
Sentences are then reranked by retrieval score plus their best span's score, so a sentence
that holds the asked-for figure beats one that merely talks about the topic.

Abstention (``abstained=True``) is decided from measured features; see :func:`should_abstain`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from .index.bm25 import BM25
from .question import SYNONYMS, Question
from .retrieve import Hit
from .text.tokens import fold, tokenize
from .text.periods import period_of
from .text.punctuation import CLAUSE

NOT_FOUND = "文档中没有找到这个问题的答案。"
NOT_FOUND_EN = "The documents do not answer this question."
READ_TOP = 8  # sentences the reader examines
W_READER = 0.25  # weight of the best span's score when reranking sentences

_FIGURE = re.compile(r"[0-9０-９]+(?:[.．][0-9]+)?\s*(?:%|％|[万亿千百]*[^\s，,。；;、0-9])?|"
                     r"第[一二三四五六七八九十0-9]+|[一二两三四五六七八九十百千万]+(?:[个大项家所座条名倍成]|分之)")
_LEADING = re.compile(r"^(?:并且|并|同时|其中|还要|还|要|以及|和|及|，|,)")
# a clause opening with one of these qualifies the figure before it: 增长7%,力争实现7.5%
_CONTINUES = re.compile(r"^(?:力争|争取|其中|同比|比上年|较上年|分别|达到|占)")


@dataclass
class Citation:
    doc: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    score: float
    highlight: tuple[int, int] | None = None  # the answer's [start, end) inside ``quote``
    page: int | None = None  # 1-based page where the quote starts, for paged sources (PDF, page images)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["highlight"] = list(self.highlight) if self.highlight else None
        return d

    def as_text(self) -> str:
        """A copyable reference: 「quote」 — title > section (doc, [page,] chars start–end)."""
        where = " > ".join(x for x in (self.title, self.section) if x)
        page = f"第{self.page}页，" if self.page else ""
        return f"「{self.quote}」 —— {where}（{self.doc}，{page}第{self.start}–{self.end}字）"


@dataclass
class Answer:
    question: str
    answer: str  # verbatim from a document; "" when abstained
    abstained: bool
    citations: list[Citation]
    message: str = ""  # what to tell the user when there is no answer
    answer_start: int = -1  # the answer's offsets in its document's text (-1 when abstained)
    answer_end: int = -1
    kind: str = ""  # quantity / list / entity / yesno / fact
    seconds: float = 0.0
    resolved: str = ""  # the standalone question answered: a follow-up read with the conversation's history
    features: dict = field(default_factory=dict, repr=False)  # the abstention rule's inputs

    def to_dict(self) -> dict:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        return d

    def __str__(self) -> str:
        return self.message if self.abstained else self.answer


def clause_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in CLAUSE.finditer(text)]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop trailing punctuation and leading connectives from text[a:b]."""
    while b > a and text[b - 1] in "，,；;：:。！？!? ":
        b -= 1
    m = _LEADING.match(text[a:b])
    if m and b - a - m.end() >= 4:
        a += m.end()
    return a, b


@dataclass
class Span:
    hit: Hit
    start: int  # inside hit.chunk.text
    end: int
    score: float  # the span's own score
    coverage: float  # share of question term weight found in the span
    sentence_coverage: float  # … found in the sentence and its section path
    figure: bool  # holds a figure
    unit: bool  # holds a figure with the asked unit (True when none asked)


def _weights(q: Question, bm25: BM25) -> dict[str, float]:
    """IDF weight of each question term (folded); words naming a period are left to the period match."""
    out: dict[str, float] = {}
    for t in dict.fromkeys(q.terms):
        if not period_of(t):
            out[fold(t)] = max(out.get(fold(t), 0.0), bm25.term_idf(t) * q.weights.get(t, 1.0))
    return out


def _coverage(folded: str, weights: dict[str, float], total: float) -> float:
    return sum(w for t, w in weights.items() if t in folded) / total if total else 0.0


def best_span(q: Question, hit: Hit, weights: dict[str, float], total: float) -> Span | None:
    """The best run of 1-3 clauses of a sentence for the question; None when it has none (marks only)."""
    text = hit.chunk.text
    folded_ctx = fold(hit.chunk.section + text)
    sent_cov = _coverage(folded_ctx, weights, total)
    spans = clause_spans(text) or [(0, len(text))]
    best: Span | None = None
    for i in range(len(spans)):
        for j in range(i, min(i + 3, len(spans))):
            a, b = _trim(text, spans[i][0], spans[j][1])
            if b <= a:
                continue
            piece = text[a:b]
            folded = fold(piece)
            cov = _coverage(folded, weights, total)
            figure = bool(_FIGURE.search(piece))
            unit = not q.unit or bool(re.search(r"[0-9一二两三四五六七八九十]\s*[万亿千百]*" + re.escape(q.unit), piece))
            items = len(re.findall(r"[、]", piece)) + 1
            score = cov - (0.2 if q.kind == "quantity" else 0.12) * (j - i) - 0.002 * max(0, len(piece) - 25)
            # an introducer ("指标是:") is context, not answer
            score -= 0.25 * sum(text[spans[k][1] - 1] in "：:" for k in range(i, j))
            if q.quoted and any(fold(x) in folded for x in q.quoted):
                score += 0.3
            if q.kind == "quantity":
                score += (0.45 if unit else 0.1) if figure else 0.0  # a figure in another unit barely counts
            elif q.kind == "list":
                score += 0.1 * min(items - 1, 3) + (0.2 if q.count and items >= q.count else 0)
            if best is None or score > best.score:
                best = Span(hit, a, b, score, cov, sent_cov, figure, unit)
    if best is None:  # marks only ("。"): indexes built before split_sentences kept marks with their sentence
        return None
    return _extend_qualifier(q, best) if best.figure else best


def _extend_qualifier(q: Question, best: Span) -> Span:
    """Keep the clause that qualifies a figure right after it: 增长7%,力争实现7.5%."""
    if q.kind != "quantity":
        return best
    text = best.hit.chunk.text
    nxt = next(((a, b) for a, b in clause_spans(text) if a >= best.end), None)
    if nxt and _CONTINUES.match(text[nxt[0]:nxt[1]]) and _FIGURE.search(text[nxt[0]:nxt[1]]) \
            and text[best.end:nxt[0]].strip(" ") in "，,":
        best.end = _trim(text, *nxt)[1]
    return best


def read(q: Question, hits: list[Hit], bm25: BM25) -> list[Span]:
    """Best span of each of the top sentences, reranked: retrieval score + W_READER × span score."""
    weights = _weights(q, bm25)
    own = {fold(t) for t in q.terms if q.weights.get(t, 1.0) >= 1.0}
    total = sum(w for t, w in weights.items() if t in own) or sum(weights.values())
    spans = [s for s in (best_span(q, h, weights, total) for h in hits[:READ_TOP]) if s is not None]
    # a sentence that holds what a quantity question asks for (a figure, in the asked unit) comes first
    spans.sort(key=lambda s: (q.kind == "quantity" and not (s.figure and s.unit), -(s.hit.score + W_READER * s.score)))
    return spans


MIN_SPAN_COSINE = 0.895  # below it, an answer whose key word is missing from the passage is refused


def missing_focus(q: Question, best: Span, bm25: BM25) -> str:
    """The question's most specific noun when none of its parts occur in the cited passage, else ""."""
    if not q.nouns:
        return ""
    text = fold(best.hit.chunk.section + best.hit.chunk.text)
    groups = [tokenize(n) or [n] for n in q.nouns]
    group, noun = max(zip(groups, q.nouns), key=lambda gn: max(bm25.term_idf(t) for t in gn[0]))
    found = any(fold(t) in text for t in group if len(t) >= 2) or any(
        fold(z) in text for t in group + [noun] for z in SYNONYMS.get(t, []))
    return "" if found else noun


def should_abstain(q: Question, best: Span, bm25: BM25, similarity) -> tuple[bool, dict]:
    """Abstain when the best passage does not answer; returns (decision, features).

    Rule, calibrated on the dev set (10 unanswerable, 72 answerable questions):
    1. a quantity question whose best passage holds no figure, or no figure in the asked
       unit (``多少公里`` answered by a percentage), is not answered;
    2. a question about a period (``2021年``, 今年, 未来五年) whose best passage is about
       another period is not answered (the report does not cover that year);
    3. when the question's most specific noun (highest IDF; a word absent from the corpus is
       the most specific of all) is absent from the cited passage, the answer must still be
       close in meaning: the cosine between question and answer span must reach
       ``MIN_SPAN_COSINE``. This catches topics the documents never mention while keeping
       paraphrased questions (植树造林 for 营造林), whose spans stay close to the question.
    Weak lexical overlap alone is not a reason: paraphrases and English questions have little.
    """
    h = best.hit
    f = {"dense": round(h.dense, 4), "score": round(h.score, 4), "coverage": round(best.sentence_coverage, 3),
         "span_coverage": round(best.coverage, 3), "figure": best.figure, "unit": best.unit, "period": h.period_agreement}
    if q.kind == "quantity" and (not best.figure or not best.unit):
        return True, f | {"reason": "no figure of the asked kind", "why": ("the closest passages give no such figure",
                                                                          "最接近的段落里没有所问的数字")}
    if h.period_agreement < 0:
        return True, f | {"reason": "the passage is about another period", "why": (
            "the documents give this only for another period", "文档只给出了其他时期的情况")}
    if not q.english:
        focus = missing_focus(q, best, bm25)
        if focus:
            cos = float(similarity([best.hit.chunk.text[best.start:best.end]])[0])
            f |= {"missing": focus, "span_cosine": round(cos, 4)}
            if cos < MIN_SPAN_COSINE:
                return True, f | {"reason": f"the passage does not mention {focus!r}",
                                  "why": (f"the documents do not mention “{focus}”", f"文档没有提到“{focus}”")}
    return False, f


def citation(hit: Hit, score: float, highlight: tuple[int, int] | None = None) -> Citation:
    c = hit.chunk
    return Citation(c.doc, c.title, c.section, c.text, c.start, c.end, round(float(score), 4), highlight,
                    page=c.page)


ENGLISH_CLAUSES = 5  # clauses compared by meaning (one encoder batch)


def refine_english(q: Question, best: Span, similarity) -> Span:
    """English questions: choose the clause by meaning (the lexical cover is thin across languages).

    The ``ENGLISH_CLAUSES`` clauses nearest the lexical choice are encoded in one batch; a run of
    two neighbouring clauses is scored by the sum of their vectors (mean pooling makes that a
    fair stand-in for encoding the run, at no extra cost). For a quantity only runs with a
    figure count; a clause that qualifies the chosen figure (``力争实现7.5%``) is kept with it.
    """
    text = best.hit.chunk.text
    spans = [_trim(text, a, b) for a, b in clause_spans(text) or [(0, len(text))]]
    spans = [(a, b) for a, b in spans if b > a]
    near = sorted(sorted(range(len(spans)), key=lambda k: abs(spans[k][0] - best.start))[:ENGLISH_CLAUSES])
    if len(near) < 2:
        return best
    vecs = similarity([text[a:b] for a, b in (spans[k] for k in near)], vectors=True)
    qvec = vecs[-1]
    runs = [((spans[k][0], spans[k][1]), vecs[n]) for n, k in enumerate(near)]
    runs += [((spans[k][0], spans[near[n + 1]][1]), vecs[n] + vecs[n + 1])
             for n, k in enumerate(near[:-1]) if near[n + 1] == k + 1]
    runs = [(ab, v) for ab, v in runs if q.kind != "quantity" or _FIGURE.search(text[ab[0]:ab[1]])]
    if not runs:
        return best
    score = lambda r: float(r[1] @ qvec / max(np.linalg.norm(r[1]), 1e-9)) - 0.001 * (r[0][1] - r[0][0])  # noqa: E731
    best.start, best.end = max(runs, key=score)[0]
    return _extend_qualifier(q, best)


def answer_from(q: Question, hits: list[Hit], bm25: BM25, top_k: int, offsets, similarity) -> Answer:
    """Build the :class:`Answer` from retrieval hits.

    ``offsets(chunk, i)`` maps an index in a quote to its document offset; ``similarity(texts)``
    embeds passages and returns their cosines to the question (only called when needed).
    """
    spans = read(q, hits, bm25)
    if not spans:
        return Answer(q.text, "", True, [], NOT_FOUND_EN if q.english else NOT_FOUND, kind=q.kind)
    best = spans[0]
    abstain, feats = should_abstain(q, best, bm25, similarity)
    if q.english and not abstain:
        best = refine_english(q, best, similarity)
    ordered = [s.hit for s in spans] + [h for h in hits[READ_TOP:]]
    cites = []
    for rank, h in enumerate(ordered[:top_k]):
        hl = (best.start, best.end) if rank == 0 and not abstain else None
        cites.append(citation(h, h.score + (W_READER * spans[rank].score if rank < len(spans) else 0), hl))
    if abstain:
        en, zh = feats.pop("why")
        message = f"{NOT_FOUND_EN[:-1]} ({en})." if q.english else f"{NOT_FOUND[:-1]}（{zh}）。"
        return Answer(q.text, "", True, cites, message, kind=q.kind, features=feats)
    text = best.hit.chunk.text
    a_start, a_end = offsets(best.hit.chunk, best.start), offsets(best.hit.chunk, best.end - 1) + 1
    return Answer(q.text, text[best.start : best.end], False, cites, "", a_start, a_end, q.kind, features=feats)
