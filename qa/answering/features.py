"""The lexical span features every answer is judged by, beside the reader's margins.

A sentence is cut into clauses; every run of one to three clauses is scored (:func:`best_span`,
:func:`span_score`) by how much of the question it covers (IDF-weighted terms), by whether it holds what the
question asks for (a figure for 多少, in the asked unit; an enumeration for 哪些) and by its length. The score,
the sentence's coverage of the question, whether it names the question's focus (:func:`focus_of`,
:func:`mentions`) and how much of what the question asks about the answer and its context state
(:func:`subjects_of`, :func:`stated`: by the same words, their synonyms or, across languages, the dictionary)
are features of :class:`Candidate`, which the ranking and abstention models (``qa fit-reader``) weigh.

The models were fitted on features computed with these settings: :func:`signature` is stored with them in
``reader.json``, and weights fitted on another signature are refused (:func:`check_heads`), never silently
used. Change a setting here, or a setting retrieval and windows feed into the features, and run
``qa fit-reader``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ..index.bm25 import BM25
from ..index.store import Chunk
from ..model.reader import MAX_ANSWER_TOKENS
from ..model.passages import WINDOW_CHARS
from ..text import dictionary
from ..text.clauses import FIGURE, clause_spans, extend_qualifier, has_figure, trim
from ..text.periods import period_of
from ..text.measures import MEASURE_WORDS
from ..text.tokens import fold, pos_words, tokenize
from ..text.lexicon import QUESTION_WORDS, STOPWORDS, VERSION as LEXICON_VERSION
from .question import BRIDGE_WEIGHT, SYNONYM_WEIGHT, SYNONYMS, Question
from .retrieve import FUSION, Hit
from .windows import READ_K, READ_TOP

VERSION = 4  # raised with every change of how a feature is computed (the settings below are compared too)
# A run of clauses scores its coverage of the question, minus a cost per extra clause and per character past
# SHORT_CHARS, minus a cost per introducer it holds ("指标是:"), plus what it holds of what was asked. Set by
# hand on the report's dev set in the first round; the fitted models weigh the result.
SPAN = {
    "extra_clause_quantity": 0.2,  # cost of each clause past the first, for a quantity question
    "extra_clause": 0.12,  # … for other questions
    "per_char": 0.002,  # cost of each character past SHORT_CHARS
    "short_chars": 25,
    "introducer": 0.25,  # a clause ending in a colon is context, not answer
    "quoted": 0.3,  # the run holds a phrase the question quotes
    "figure_in_unit": 0.45,  # a quantity question: a figure in the asked unit (or any, when none is asked)
    "figure_other_unit": 0.1,  # … a figure in another unit barely counts
    "list_item": 0.1,  # a list question: each item past the first (up to 3)
    "list_count": 0.2,  # … as many items as the question asks for
}


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


def question_weights(q: Question, bm25: BM25) -> tuple[dict[str, float], float]:
    """The IDF weight of each question term and the total a span's coverage is divided by."""
    weights = _weights(q, bm25)
    own = {fold(t) for t in q.terms if q.weights.get(t, 1.0) >= 1.0}
    return weights, sum(w for t, w in weights.items() if t in own) or sum(weights.values())


def _run(q: Question, hit: Hit, spans, i: int, j: int, weights, total: float, sent_cov: float) -> Span | None:
    """The score of clauses i..j of the hit's sentence (None when they trim to nothing)."""
    text = hit.chunk.text
    a, b = trim(text, spans[i][0], spans[j][1])
    if b <= a:
        return None
    piece = text[a:b]
    folded = fold(piece)
    cov = _coverage(folded, weights, total)
    figure = bool(FIGURE.search(piece))
    unit = not q.unit or has_figure(piece, q.unit)
    items = len(re.findall(r"[、]", piece)) + 1
    extra = SPAN["extra_clause_quantity"] if q.kind == "quantity" else SPAN["extra_clause"]
    score = cov - extra * (j - i) - SPAN["per_char"] * max(0, len(piece) - SPAN["short_chars"])
    score -= SPAN["introducer"] * sum(text[spans[k][1] - 1] in "：:" for k in range(i, j))
    if q.quoted and any(fold(x) in folded for x in q.quoted):
        score += SPAN["quoted"]
    if q.kind == "quantity" and figure:
        score += SPAN["figure_in_unit"] if unit else SPAN["figure_other_unit"]
    elif q.kind == "list":
        score += SPAN["list_item"] * min(items - 1, 3) + (SPAN["list_count"] if q.count and items >= q.count else 0)
    return Span(hit, a, b, score, cov, sent_cov, figure, unit)


def best_span(q: Question, hit: Hit, weights: dict[str, float], total: float) -> Span | None:
    """The best run of 1-3 clauses of a sentence for the question; None when it has none (marks only)."""
    text = hit.chunk.text
    sent_cov = _coverage(fold(hit.chunk.section + text), weights, total)
    spans = clause_spans(text) or [(0, len(text))]
    runs = (_run(q, hit, spans, i, j, weights, total, sent_cov)
            for i in range(len(spans)) for j in range(i, min(i + 3, len(spans))))
    best = max((r for r in runs if r is not None), key=lambda r: r.score, default=None)
    if best is None:  # marks only ("。"): indexes built before split_sentences kept marks with their sentence
        return None
    if best.figure and q.kind == "quantity":
        best.end = extend_qualifier(text, best.end)
    return best


def span_score(q: Question, hit: Hit, a: int, b: int, weights: dict[str, float], total: float) -> float:
    """The rules' score of the clauses of the hit's sentence that hold [a, b) (0 when none)."""
    text = hit.chunk.text
    spans = clause_spans(text) or [(0, len(text))]
    i = max((k for k, (x, _) in enumerate(spans) if x <= a), default=0)
    j = min((k for k, (_, y) in enumerate(spans) if y >= b), default=len(spans) - 1)
    sent_cov = _coverage(fold(hit.chunk.section + text), weights, total)
    r = _run(q, hit, spans, i, max(i, j), weights, total, sent_cov)
    return r.score if r else 0.0


def _place(noun: str, places: frozenset[str]) -> bool:
    """A noun that names a report's place (沈阳, 沈阳市: its words of two characters or more all place names)."""
    words = [t for t in tokenize(noun) if len(t) >= 2]
    return noun.lower() in places or bool(words) and all(t.lower() in places for t in words)


def focus_of(q: Question, bm25: BM25, places: frozenset[str] = frozenset()) -> tuple[list[str], str] | None:
    """The question's most specific noun (highest IDF; a word absent from the corpus is the most
    specific of all) and its tokens; None when the question has no content noun. A report's place (``places``)
    is not one (:func:`subjects_of`)."""
    nouns = [n for n in q.nouns if not _place(n, places)]
    if not nouns:
        return None
    groups = [tokenize(n) or [n] for n in nouns]
    return max(zip(groups, nouns), key=lambda gn: max(bm25.term_idf(t) for t in gn[0]))


@dataclass
class Subject:
    """Something the question asks about, and the words that state it: a Chinese noun's parts (two characters or
    more) and synonyms, or an English word's dictionary candidates. ``weight``: how specific it is (IDF)."""
    name: str
    words: list[str]
    weight: float


def subjects_of(q: Question, bm25: BM25, places: frozenset[str] = frozenset()) -> list[Subject]:
    """What the question asks about: its content nouns (for an English question, its content words through the
    dictionary), each weighted by the IDF of its most specific word (a word the corpus lacks is the most
    specific of all). A name of a report's place (``places``, lower-case: 沈阳, 全国, taiyuan) is no subject: which
    report answers is scope's question, and a passage of that report need not name its own place."""
    if q.english:  # a word the dictionary cannot bring across is not looked for
        groups = [(word, [z for z, _ in cands if len(z) >= 2 and z not in places]) for word, cands
                  in dictionary.candidates(q.text) if word.lower() not in places]
        groups = [(word, ws) for word, ws in groups if ws]
    else:
        groups = [(n, [t for t in tokenize(n) if len(t) >= 2 and t.lower() not in places] + SYNONYMS.get(n, []))
                  for n in q.nouns if not _place(n, places)]
    out = []
    for name, ws in groups:
        ws = list(dict.fromkeys(fold(w) for w in ws or [name]))
        out.append(Subject(name, ws, max(bm25.term_idf(w) for w in ws)))
    return out


_CUE_TAGS = ("n", "vn", "l", "eng", "nz", "j", "a", "b")  # nouns and their modifiers (贫困群众, 一般公共): no verbs,
# numbers, times or function words


def cue_words(q: Question, subjects: list[Subject], places: frozenset[str] = frozenset()) -> list[str]:
    """The words that tie a passage to a Chinese question: its subjects' words and its other content words of two
    characters or more (modifiers too: 贫困 in 贫困群众, which a report writes 贫困人口), but no report's place
    (``places``, as :func:`subjects_of`), measure, period or question word. Empty for an English question."""
    if q.english:
        return []
    extra = [fold(w) for w, flag in pos_words(q.text) if len(w) >= 2 and flag.startswith(_CUE_TAGS)
             and w not in QUESTION_WORDS and w not in STOPWORDS and w not in MEASURE_WORDS and not period_of(w)
             and not _place(w, places)]
    return list(dict.fromkeys([*(w for s in subjects for w in s.words), *extra]))


def ties(cues: list[str], text: str) -> bool:
    """The text holds one of the cue words (True without cues)."""
    folded = fold(text)
    return not cues or any(w in folded for w in cues)


def stated(subjects: list[Subject], text: str) -> float:
    """The share of the subjects (by weight) the text states by one of their words (1.0 without subjects)."""
    total = sum(s.weight for s in subjects)
    if not total:
        return 1.0
    folded = fold(text)
    return sum(s.weight for s in subjects if any(w in folded for w in s.words)) / total


def missing(subjects: list[Subject], text: str) -> str:
    """The most specific subject the text does not state ("" when it states them all)."""
    folded = fold(text)
    gone = [s for s in subjects if not any(w in folded for w in s.words)]
    return max(gone, key=lambda s: s.weight).name if gone else ""


def mentions(focus: tuple[list[str], str] | None, chunk) -> bool:
    """Whether a sentence or its section names the focus (a part of it, or a synonym); True without a focus."""
    if focus is None:
        return True
    group, noun = focus
    text = fold(chunk.section + chunk.text)
    return any(fold(t) in text for t in group if len(t) >= 2) or any(
        fold(z) in text for t in group + [noun] for z in SYNONYMS.get(t, []))


CLAUSE_FLOOR = -20.0  # clause margins below this are this: "the reader sees no answer here" (a clause
# without a token of its own would be -inf; on the tuning data the margins of marked spans lie within ±15)


@dataclass
class Candidate:
    """A possible answer: clauses of one sentence, with what the reader and the span features say of them."""
    chunk: Chunk
    answer_start: int  # the answer [start, end) inside chunk.text
    answer_end: int
    margin: float  # the reader's margin for the window holding the sentence
    reader: bool  # the answer holds the span the reader marked
    rules: float  # the span score of these clauses (:func:`span_score`)
    coverage: float  # IDF-weighted share of the question's terms found in the sentence and its section
    focus: bool  # the question's rarest content noun (or a synonym) is in the sentence or its section
    hit: Hit  # the retrieved sentence (the window's, for a neighbour the reader marked)
    score: float = 0.0  # the ranking model's log-odds
    answer_cosine: float = 0.0  # cosine of the answer to the question (computed for the chosen one only)
    clause_margin: float = 0.0  # the reader's best span inside these clauses against "no answer" (CLAUSE_FLOOR at least)
    window: int = 0  # rank of the window it was read in (0: the top hit's)
    subject_answer: float = 1.0  # share of the question's subjects (stated) the answer's clauses state
    subject_context: float = 1.0  # … its sentence, the sentence before it and its section state
    context: str = ""  # that context: what the subjects are looked for in
    english: bool = False  # the question is in English (its subjects are found through the dictionary)
    cued: bool = True  # that context holds one of the question's content words (:func:`cue_words`)
    dated: bool = True  # its paragraph states the calendar years the question names, or its report's year places it

    @property
    def answer(self) -> str:
        return self.chunk.text[self.answer_start:self.answer_end]

    def features(self) -> dict[str, float]:
        """What ranking and abstention see (one definition, used at fit and at question time)."""
        m = self.margin if self.reader else 0.0
        en = float(self.english)
        # the subjects are stated by the same words in Chinese, through the dictionary in English: two features each
        return {"margin": self.margin, "reader_margin": m, "reader": float(self.reader),
                "clause_margin": self.clause_margin, "rules": self.rules,
                "coverage": self.coverage, "focus": float(self.focus), "retrieval": self.hit.score,
                "dense": self.hit.dense, "answer_cosine": self.answer_cosine, "score": self.score,
                "subject_answer": self.subject_answer, "subject_context": self.subject_context, "english": en,
                "subject_answer_zh": self.subject_answer * (1 - en), "subject_context_zh": self.subject_context * (1 - en),
                "subject_answer_en": self.subject_answer * en, "subject_context_en": self.subject_context * en}


def signature() -> dict:
    """Everything the features are computed with: fitted models record it, and are used only with the same."""
    return {"version": VERSION, "span": dict(SPAN), "clause_floor": CLAUSE_FLOOR, "read_top": READ_TOP,
            "window_chars": WINDOW_CHARS, "max_answer_tokens": MAX_ANSWER_TOKENS, "fusion": asdict(FUSION),
            "bridge_weight": BRIDGE_WEIGHT, "synonym_weight": SYNONYM_WEIGHT, "lexicon": LEXICON_VERSION,
            "read_k": READ_K}


class FeaturesMismatch(RuntimeError):
    """The reader's fitted models were fitted on features computed otherwise; the message says what to do."""


def check_heads(recorded: dict, where: str = "the reader's weights") -> None:
    """Refuse models fitted on other features than :func:`signature` gives (``{}``: none fitted, nothing to check)."""
    if not recorded:
        return
    now = signature()
    if recorded != now:
        changed = sorted(k for k in now.keys() | recorded.keys() if now.get(k) != recorded.get(k))
        raise FeaturesMismatch(f"the ranking and abstention models in {where} were fitted on other features "
                               f"({', '.join(changed)} changed); refit them with `qa fit-reader`")
