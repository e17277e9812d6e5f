"""Reading-comprehension data for the extractive reader: SQuAD-style JSON in, token windows out, and the splits.

The reader sees what retrieval gives it at question time: a few whole sentences (the hit and its
neighbours), not a fixed slice of tokens. Training windows are cut the same way: a run of
consecutive sentences of a paragraph (cut as the index cuts them: :func:`qa.text.structure.sentence_spans`), at
most ``WINDOW_CHARS`` characters, holding the answer (positive) or not (negative: the target is the first token,
"no answer").

DRCD is in Traditional Chinese; :func:`load_squad` converts it with OpenCC ``t2s`` (character
for character, so answer offsets are kept; an answer whose offset no longer matches is found by its text nearby,
else dropped: 21 of CMRC 2018 train's answers need it).

Splits (``../shared/data/mrc``, its README): training uses DRCD dev without its last ``TUNE_ARTICLES`` articles,
the CMRC 2018 trial and train splits, XQuAD articles 0-19; the fit of ranking and abstention (``qa fit-reader``)
uses DRCD dev's last articles and XQuAD 20-23; DRCD test and XQuAD 24-31 are the validation sets, never trained,
tuned or fitted on.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model.passages import WINDOW_CHARS, encode, windows_around
from ..text.structure import sentence_spans

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


TRAIN_FILES = ("drcd_dev.json", "cmrc2018_trial.json", "cmrc2018_train.json")  # the Chinese training files


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


@dataclass
class Feature:
    ids: np.ndarray  # int64 token ids: <s> question </s></s> passage </s>
    start: int  # target token (0: no answer)
    end: int
    passage_offset: int  # index of the first passage token
    offsets: list[tuple[int, int]]  # char span in the window of each passage token


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
                spans = sentence_spans(ex.context)
                i = next((k for k, (x, y) in enumerate(spans) if x <= ex.anchor < y), None)
                if i is not None:
                    w0, w1 = windows_around(spans, i, limit, rng)
                    ids, off0, offsets = encode(tokenizer, ex.question, ex.context[w0:w1])
                    feats.append(Feature(ids, 0, 0, off0, offsets))
            continue
        text, a0 = ex.answers[0]
        a1 = a0 + len(text)
        spans = sentence_spans(ex.context)
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


def reference_windows(home: str | Path | None = None) -> list[tuple[str, str]]:
    """Fixed (question, window) pairs from the project itself: each question of the report's dev set with the
    window around its evidence in the seed report, and with the window of the next question's evidence (where
    its answer is not). What a reader's int8 graph must read as its fp32 graph does (:mod:`.export`)."""
    from ..config import project_home

    root = Path(home or project_home())
    gold = root / "eval" / "report_qa_dev.jsonl"
    seeds = sorted((root / "seeds").glob("*.txt"))
    if not gold.exists() or not seeds:
        return []
    text = seeds[0].read_text(encoding="utf-8").replace("\n", "")
    spans = sentence_spans(text)
    found = []
    for g in map(json.loads, gold.read_text(encoding="utf-8").splitlines()):
        at = text.find(g["evidence"].replace("\n", "")) if g.get("evidence") else -1
        i = next((k for k, (a, b) in enumerate(spans) if a <= at < b), None) if at >= 0 else None
        if i is not None:
            a, b = windows_around(spans, i, WINDOW_CHARS)
            found.append((g["question"], text[a:b]))
    return found + [(q, found[(k + 1) % len(found)][1]) for k, (q, _) in enumerate(found)]
