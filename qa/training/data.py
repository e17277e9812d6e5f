"""Reading-comprehension data for the extractive reader: SQuAD-style JSON in, token windows out.

The reader sees what retrieval gives it at question time: a few whole sentences (the hit and its
neighbours), not a fixed slice of tokens. Training windows are cut the same way: a run of
consecutive sentences of a paragraph, at most ``WINDOW_CHARS`` characters, holding the answer
(positive) or not (negative: the target is the first token, "no answer").

DRCD is in Traditional Chinese; :func:`load_squad` converts it with OpenCC ``t2s`` (character
for character, so answer offsets are kept; an answer whose offset no longer matches is dropped).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text.punctuation import CLOSE_QUOTES, SENTENCE_END

WINDOW_CHARS = 160  # characters of passage a window holds at most (a hit sentence and its neighbours)
MAX_QUESTION_TOKENS = 64  # an English question with its dictionary glosses (qa.text.dictionary.gloss) fits
MAX_TOKENS = 192  # question + passage + 4 special tokens; windows are cut so the passage fits
CLS, SEP, PAD = 0, 2, 1  # XLM-R ids of <s>, </s>, <pad>
_ENDS = SENTENCE_END + "；;\n"  # a window is cut at sentence ends, semicolons and line breaks
_SENTENCE = re.compile(rf"[^{_ENDS}]*[{_ENDS}]+[{re.escape(CLOSE_QUOTES)}]*|[^{_ENDS}]+$")


@dataclass
class Example:
    qid: str
    question: str
    context: str
    answers: list[tuple[str, int]]  # (text, char start in context)
    title: str = ""  # the article's title
    anchor: int = -1  # a near miss (no answers): the character its window is grown around (where the answer of
    # the question it was made from stands); that window holds no answer to it


XQUAD_TRAIN = slice(0, 20)  # XQuAD articles the reader is trained on (English and Chinese questions)
XQUAD_TUNE = slice(20, 24)  # kept out of training: English questions in the fit of ranking and abstention
XQUAD_VALIDATION = slice(24, 32)  # the validation split: never trained, tuned or fitted on
TUNE_ARTICLES = 40  # the last 40 articles of DRCD dev (103 paragraphs, 329 questions) are kept out of training:
# the reader's combination with retrieval and its no-answer margin are chosen on them, never on DRCD test


def load_squad(path: str | Path, t2s: bool | None = None, articles: slice = slice(None)) -> list[Example]:
    """Examples of a SQuAD-style file (``articles`` selects some); ``t2s`` converts Traditional to Simplified
    (default: DRCD files)."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))["data"][articles]
    if t2s is None:
        t2s = "drcd" in path.name.lower()
    conv = _t2s() if t2s else (lambda s: s)
    out = []
    for article in data:
        title = conv(article.get("title", ""))
        for para in article["paragraphs"]:
            ctx = conv(para["context"])
            for qa in para["qas"]:
                answers = []
                for a in qa.get("answers", []):
                    text, start = conv(a["text"]), int(a["answer_start"])
                    if ctx[start:start + len(text)] != text:
                        found = ctx.find(text, max(0, start - 20))
                        if found < 0:
                            continue
                        start = found
                    if text.strip():
                        answers.append((text, start))
                out.append(Example(str(qa["id"]), conv(qa["question"]), ctx, answers, title))
    return out


def load_xquad(data_dir: str | Path, articles: slice, english: bool = True) -> list[Example]:
    """XQuAD's questions over its Chinese paragraphs: the English question of each id (``english``) or the
    Chinese one, with the Chinese paragraph and answer (``xquad_en.json`` and ``xquad_zh.json`` aligned by id)."""
    zh = load_squad(Path(data_dir) / "xquad_zh.json", t2s=False, articles=articles)
    if not english:
        return zh
    en = {e.qid: e.question for e in load_squad(Path(data_dir) / "xquad_en.json", t2s=False, articles=articles)}
    return [Example(e.qid, en[e.qid], e.context, e.answers, e.title) for e in zh if e.qid in en]


def _t2s():
    try:
        import opencc
    except ImportError as e:  # training/evaluation extra only
        raise RuntimeError("converting DRCD needs OpenCC: pip install -e '.[train]'") from e
    return opencc.OpenCC("t2s").convert


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a passage (the closing punctuation stays with its sentence)."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


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


@dataclass
class Feature:
    ids: np.ndarray  # int64 token ids: <s> question </s></s> passage </s>
    start: int  # target token (0: no answer)
    end: int
    passage_offset: int  # index of the first passage token
    offsets: list[tuple[int, int]]  # char span in the window of each passage token


def encode(tokenizer, question: str, passage: str) -> tuple[np.ndarray, int, list[tuple[int, int]]]:
    """Token ids of one (question, passage) pair, the first passage token's index, passage char offsets."""
    q = tokenizer.encode(question, add_special_tokens=False).ids[:MAX_QUESTION_TOKENS]
    p = tokenizer.encode(passage, add_special_tokens=False)
    room = MAX_TOKENS - len(q) - 4
    ids = [CLS, *q, SEP, SEP, *p.ids[:room], SEP]
    return np.asarray(ids, np.int64), len(q) + 3, list(p.offsets[:room])


def _token_span(offsets: list[tuple[int, int]], a: int, b: int) -> tuple[int, int] | None:
    """First and last token covering chars [a, b) of the passage, or None when cut off."""
    s = next((k for k, (x, y) in enumerate(offsets) if y > a), None)
    e = next((k for k in range(len(offsets) - 1, -1, -1) if offsets[k][0] < b), None)
    if s is None or e is None or e < s or offsets[e][1] < b:
        return None
    return s, e


def training_features(examples: list[Example], tokenizer, negative_rate: float = 0.3, seed: int = 0,
                      limit: int = WINDOW_CHARS) -> list[Feature]:
    """One positive window per answerable question, plus a negative one with probability ``negative_rate``."""
    rng = random.Random(seed)
    feats = []
    for ex in examples:
        if not ex.answers:
            if ex.anchor >= 0:  # a near miss: the window where its source question's answer stands answers nothing
                spans = sentences(ex.context)
                i = next((k for k, (x, y) in enumerate(spans) if x <= ex.anchor < y), None)
                if i is not None:
                    w0, w1 = windows_around(spans, i, limit, rng)
                    ids, off0, offsets = encode(tokenizer, ex.question, ex.context[w0:w1])
                    feats.append(Feature(ids, 0, 0, off0, offsets))
            continue
        text, a0 = ex.answers[0]
        a1 = a0 + len(text)
        spans = sentences(ex.context)
        i = next((k for k, (x, y) in enumerate(spans) if x <= a0 < y), None)
        if i is None:
            continue
        w0, w1 = windows_around(spans, i, limit, rng)
        if a1 <= w1:
            ids, off0, offsets = encode(tokenizer, ex.question, ex.context[w0:w1])
            tok = _token_span(offsets, a0 - w0, a1 - w0)
            if tok:
                feats.append(Feature(ids, tok[0] + off0, tok[1] + off0, off0, offsets))
        if rng.random() < negative_rate:
            far = [k for k, (x, y) in enumerate(spans) if y <= a0 - 1 or x >= a1 + 1]
            far = [k for k in far if text not in ex.context[spans[k][0]:spans[k][1]]]
            if far:
                k = rng.choice(far)
                n0, n1 = windows_around(spans, k, limit // 2, rng)
                if (n1 <= a0 or n0 >= a1) and text not in ex.context[n0:n1]:
                    ids, off0, offsets = encode(tokenizer, ex.question, ex.context[n0:n1])
                    feats.append(Feature(ids, 0, 0, off0, offsets))
    return feats
