"""Short follow-up questions in a conversation: ``那农村呢？`` after ``去年城镇居民人均可支配收入增长多少？``.

A follow-up that names only a new subject (``那X呢``, ``X呢``, ``what about X``) is read as the
previous question with its closest word swapped for X: ``去年农村居民人均可支配收入增长多少？``.
The closest word is the previous question's word most similar to X: by meaning when an
embedder is given (``ask(question, history=...)`` gives the index's), else by shape (same
length, shared characters, same script; the earliest on a tie). Period words are never
swapped: the follow-up keeps the previous question's period.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy as np

from ..text.periods import period_of
from .question import nouns
from ..text.tokens import STOPWORDS, tokenize, words

_ZH = re.compile(r"^(?:那么?|那|还有|再问一下|那如果是)?\s*(?P<x>[^，,。？?！!]{1,12}?)\s*(?:呢|的呢|怎么样|又如何)\s*[？?]?$")
_EN = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.{1,40}?)\s*\??$", re.I)


def subject_of_followup(question: str) -> str | None:
    q = question.strip()
    m = _ZH.match(q) or _EN.match(q)
    return m.group("x").strip() if m else None


def resolve(question: str, previous: Sequence[str],
            embed: Callable[[list[str]], np.ndarray] | None = None) -> str:
    """The standalone question a follow-up stands for (the question itself when it is not one)."""
    x = subject_of_followup(question)
    if not x or not previous:
        return question
    prev = previous[-1]
    lowered = prev.lower()  # the tokenizers lower-case: GDP is found as gdp
    # the previous question's words, less function words, figures and periods (去年 stays: 那农村呢 keeps the period)
    cands = [w for w in dict.fromkeys(words(prev) + tokenize(prev)) if len(w) >= 2 and w not in STOPWORDS
             and re.search(r"\w", w) and not re.fullmatch(r"[0-9.%]+", w) and w in lowered and not period_of(w)]
    # the new subject replaces a subject (a noun or part of one: GDP, 城镇), never the verb (要涨)
    subjects = nouns(prev)
    cands = [w for w in cands if any(w in n for n in subjects)] or cands
    size = len(x.split())
    if size > 1:  # an English phrase may replace a phrase as long: rural residents for urban residents
        ws = re.findall(r"[a-z]+(?:[-'][a-z]+)*", lowered)
        cands += [" ".join(ws[i:i + size]) for i in range(len(ws) - size + 1)
                  if not any(w in STOPWORDS for w in ws[i:i + size])]
    if not cands:
        return question
    if embed is not None:
        vecs = embed([x] + cands)
        best = cands[int(np.argmax(vecs[1:] @ vecs[0]))]
    else:
        def shape(w: str) -> float:
            same_script = bool(re.search(r"[a-z]", w, re.I)) == bool(re.search(r"[a-z]", x, re.I))
            return same_script * 2 - abs(len(w) - len(x)) + len(set(w) & set(x))
        best = max(cands, key=shape)
    at = lowered.index(best)
    return prev[:at] + x + prev[at + len(best):]
