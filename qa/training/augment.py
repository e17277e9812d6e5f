"""Questions made from training questions, by general transformations (never from a report's text):

* **code-switched** (:func:`code_switch`): a share of a Chinese question's content words replaced by their
  English gloss from CC-CEDICT (``黑豹队的 defense 丢了多少分``), so the reader links English words to Chinese
  evidence beyond the English questions it was trained on;
* **glossed** (:func:`glossed`): every word with a gloss replaced (a word-by-word English question);
* **near misses** (:func:`near_miss`): a question the passage no longer answers, though it reads almost the
  same: its subject replaced by one absent from the passage (``subject``), the asked unit by one the passage does
  not give (``多少公里`` where it gives 个: ``attribute``), the measure it asks for by one the passage gives no
  figure of (``多少个`` → ``多少钱``, ``how many`` → ``how much money``: ``measure``, :mod:`qa.text.measures`), or
  its year or period moved to one the passage does not cover (``period``). The passage's own window then has no
  answer: the reader learns to say so for them, the abstention fit sees them beside real questions, and DRCD
  test's near misses are a validation set.
"""

from __future__ import annotations

import random
import re

from ..text import measures
from ..text.dictionary import english_of
from ..text.lexicon import QUESTION_WORDS, STOPWORDS
from ..text.periods import CALENDAR_YEAR_ZH, period_of
from ..text.tokens import NOUN_FLAGS, pos_words, word_frequency

SWITCH_SHARE = 0.5  # of a question's content words with a gloss, the share put into English
_CONTENT = ("n", "v", "a", "j", "l", "i")  # jieba POS families whose words carry content
# measure words a quantity question may ask in (多少公里): a near miss asks in one its passage does not give
UNITS = tuple(u for u in measures.UNITS if not u.isascii()) + ("次", "分钟", "岁", "度", "层", "页", "首", "本", "篇")
_ASKED_UNIT = re.compile(r"(多少|几)(" + "|".join(sorted(UNITS, key=len, reverse=True)) + ")")
_YEAR = CALENDAR_YEAR_ZH
MIN_WORD_COUNT = 20  # a replacement subject is a word jieba's dictionary counts this often (not a segmentation slip)
PERIOD_WORDS = ("去年", "今年", "明年", "前年", "今后五年", "过去五年")  # a report's periods, as questions name them


def _words(question: str) -> list[tuple[str, str]]:
    return pos_words(question)


def code_switch(question: str, rng: random.Random, share: float = SWITCH_SHARE) -> str | None:
    """The question with about ``share`` of its glossable content words in English; None when none has a gloss."""
    ws = _words(question)
    slots = [k for k, (w, f) in enumerate(ws) if len(w) >= 2 and f.startswith(_CONTENT) and w not in STOPWORDS
             and english_of(w)]
    if not slots:
        return None
    chosen = set(rng.sample(slots, max(1, round(share * len(slots)))))
    return _join([english_of(w) if k in chosen else w for k, (w, _) in enumerate(ws)])


def glossed(question: str) -> str | None:
    """The question word by word in English where the dictionary has a gloss (names and figures stay);
    None when fewer than half of its words have one."""
    ws = [w for w, _ in _words(question) if not re.fullmatch(r"[\W_]+", w)]
    # one-character words are too ambiguous to gloss (被 → "quilt"): function words go, others stay
    out = [english_of(w) or w if len(w) >= 2 else w for w in ws if len(w) >= 2 or w not in STOPWORDS]
    english = sum(bool(re.fullmatch(r"[a-z' \-]+", w)) for w in out)
    return _join(out) + "?" if out and english * 2 >= len(out) else None


def _join(parts: list[str]) -> str:
    """Words back into a question: spaces around English words only."""
    text = ""
    for p in parts:
        latin = bool(re.match(r"[A-Za-z]", p))
        if text and (latin or re.search(r"[A-Za-z]$", text)):
            text += " "
        text += p
    return re.sub(r"\s+([?？，,。])", r"\1", text)


def subjects(question: str) -> list[tuple[str, str]]:
    """The question's content nouns (word, POS flag): what it asks about."""
    return [(w, f) for w, f in _words(question) if len(w) >= 2 and f.startswith(NOUN_FLAGS) and f != "ng"
            and w not in QUESTION_WORDS and w not in STOPWORDS and not period_of(w)]


def near_miss(question: str, passage: str, rng: random.Random, nouns: dict[str, list[str]]) -> tuple[str, str] | None:
    """A question that reads like ``question`` but that ``passage`` does not answer, and its kind
    (``subject``, ``attribute``, ``period``); None when no transformation applies.

    ``nouns``: content nouns by POS flag, from other questions (the replacement subjects)."""
    kinds = []
    if _ASKED_UNIT.search(question):
        kinds.append("attribute")
    if _measure_phrase(question):
        kinds.append("measure")
    if any(y in passage for y in _YEAR.findall(question)) or any(p in question and p in passage for p in PERIOD_WORDS):
        kinds.append("period")
    rng.shuffle(kinds)  # the rarer kinds first, when they apply; then the subject
    freq = word_frequency()
    # the most specific of the question's subjects the passage names (rarest in jieba's counts)
    subj = sorted(((w, f) for w, f in subjects(question) if w in passage), key=lambda wf: freq(wf[0]))[:2]
    if subj and nouns:
        kinds.append("subject")
    for kind in kinds:
        out = None
        if kind == "subject":
            w, f = rng.choice(subj)
            pool = nouns.get(f) or [x for xs in nouns.values() for x in xs]
            for _ in range(20):
                new = rng.choice(pool)
                if new not in passage and not set(new) & set(w):  # a word, not a part of one, is replaced
                    out = "".join(new if x == w else x for x, _ in _words(question))
                    break
        elif kind == "measure":
            out = _other_measure(question, passage, rng)
        elif kind == "attribute":
            m = _ASKED_UNIT.search(question)
            others = [u for u in UNITS if u != m.group(2) and u not in passage]
            if others:
                out = question[:m.start(2)] + rng.choice(others) + question[m.end(2):]
        else:
            m = next((y for y in _YEAR.finditer(question) if y.group(1) in passage), None)
            if m:
                year = int(m.group(1))
                years = [y for y in range(year - 30, year + 31) if y != year and str(y) not in passage]
                out = question[:m.start(1)] + str(rng.choice(years)) + question[m.end(1):] if years else None
            else:
                old = next(p for p in PERIOD_WORDS if p in question and p in passage)
                others = [p for p in PERIOD_WORDS if p != old and p not in passage]
                out = question.replace(old, rng.choice(others), 1) if others else None
        if out and out != question:
            return out, kind
    return None


def _measure_phrase(question: str) -> re.Match | None:
    """Where the question says the measure it asks for (``多少个``, ``多大面积``, ``how many``), if it says it."""
    english = not re.search(r"[\u4e00-\u9fff]", question)
    return _ASKED_EN.search(question) if english else _ASKED_ZH.search(question)


def measure_miss(question: str, passage: str, rng: random.Random) -> str | None:
    """A near miss by measure (:func:`_other_measure`), or None when the question does not say what it measures."""
    return _other_measure(question, passage, rng) if _measure_phrase(question) else None


def _other_measure(question: str, passage: str, rng: random.Random) -> str | None:
    """The question asking for another measure, one the passage has no figure of: ``新建了多少个城市公园？`` →
    ``新建了城市公园的投资额是多少？``; ``How many people…`` → ``How much money…``."""
    m = _measure_phrase(question)
    given = {f.measure for f in measures.figures(passage)}
    was = measures.asked(m.group(0))
    english = not re.search(r"[\u4e00-\u9fff]", question)
    table = measures.PHRASES_EN if english else measures.NOUNS
    others = [p for k, ps in table.items() if k != was and k not in given and {k, was} != {"people", "count"}
              for p in ps]
    if not others:
        return None
    new = rng.choice(others)
    if english:
        return question[:m.start()] + new + question[m.end():]
    stem = re.sub(r"[了的]*$", "", (question[:m.start()] + question[m.end():]).rstrip("？?。 "))
    return f"{stem}的{new}是多少？"


# the phrases of a question that say what is measured, as near misses swap them (qa.text.measures.PHRASES)
_ASKED_ZH = re.compile(r"多少[钱人名位]|多少资金|多大面积|多少平方公里|多少亩|多长|多少公里|多少吨|多少[个座家所项套辆条台张件]|"
                       r"几[个座家所项套辆条台张件]|多大比重|百分之多少|哪一?年|多久")
_ASKED_EN = re.compile(r"\bhow (?:much money|many (?:people|kilometres|kilometers)|many)\b|\bwhat (?:area|share|percentage)\b|"
                       r"\bin what year\b|\bwhen\b", re.I)


def noun_pool(questions: list[str]) -> dict[str, list[str]]:
    """Content nouns of many questions by POS flag: the subjects near misses swap in."""
    pool: dict[str, set[str]] = {}
    freq = word_frequency()
    for q in questions:
        for w, f in subjects(q):
            if freq(w) >= MIN_WORD_COUNT:
                pool.setdefault(f, set()).add(w)
    return {f: sorted(ws) for f, ws in pool.items()}
