"""What the reader reads: a window of whole sentences around a retrieved one, encoded with the question.

The reader sees what retrieval gives it at question time: a few whole sentences (the hit and its neighbours in one
paragraph), not a fixed slice of tokens. Windows are grown by :func:`windows_around` and encoded by :func:`encode`,
at question time (:mod:`qa.answering.windows`), in validation (:mod:`qa.evaluation.mrc`) and in training
(:mod:`qa.training.data`, which grows them with a random side); these limits are the reader's, set when it was
trained (``reader.json`` records them).
"""

from __future__ import annotations

import random

import numpy as np

WINDOW_CHARS = 160  # characters of passage a window holds at most (a hit sentence and its neighbours)
MAX_QUESTION_TOKENS = 64  # an English question with its dictionary glosses (qa.text.dictionary.gloss) fits
MAX_TOKENS = 192  # question + passage + 4 special tokens; windows are cut so the passage fits
CLS, SEP, PAD = 0, 2, 1  # XLM-R ids of <s>, </s>, <pad>


def windows_around(spans: list[tuple[int, int]], i: int, limit: int, rng: random.Random | None = None):
    """Grow a window of whole sentences around sentence i up to ``limit`` characters; returns (start, end).

    Without ``rng`` the window grows alternately right then left (as at question time); with it, the
    side is chosen at random so answers sit anywhere in training windows.
    """
    lo = hi = i
    a, b = spans[i]
    while True:
        sides = [s for s in ("left", "right") if (s == "left" and lo > 0 and b - spans[lo - 1][0] <= limit)
                 or (s == "right" and hi + 1 < len(spans) and spans[hi + 1][1] - a <= limit)]
        if not sides:
            break
        side = rng.choice(sides) if rng else ("right" if "right" in sides and hi - i <= i - lo else sides[0])
        if side == "left":
            lo -= 1
            a = spans[lo][0]
        else:
            hi += 1
            b = spans[hi][1]
        if rng and rng.random() < 0.25:  # sometimes stop early: short windows occur too
            break
    return a, b


def encode(tokenizer, question: str, passage: str) -> tuple[np.ndarray, int, list[tuple[int, int]]]:
    """Token ids of one (question, passage) pair, the first passage token's index, passage char offsets."""
    q = tokenizer.encode(question, add_special_tokens=False).ids[:MAX_QUESTION_TOKENS]
    p = tokenizer.encode(passage, add_special_tokens=False)
    room = MAX_TOKENS - len(q) - 4
    ids = [CLS, *q, SEP, SEP, *p.ids[:room], SEP]
    return np.asarray(ids, np.int64), len(q) + 3, list(p.offsets[:room])
