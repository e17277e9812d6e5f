"""Small text helpers shared by indexing, retrieval and answering.

``tokenize`` is the one tokenizer used for both the corpus and the question (BM25 needs
them to agree): jieba's search-mode segmentation, lower-cased, without punctuation and
function words. ``fold`` is the comparison form (NFKC width folding, no whitespace,
unified quotes) used wherever two texts are compared.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

from .lexicon import STOPWORDS  # noqa: F401 (used by followup too)

_jieba = None
_jieba_lock = threading.Lock()

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _get_jieba():
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def tokenize(text: str) -> list[str]:
    """Chinese-aware word tokens for BM25 (jieba search mode)."""
    jieba = _get_jieba()
    out = []
    for tok in jieba.cut_for_search(unicodedata.normalize("NFKC", text).lower()):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and not _PUNCT.match(tok):
            out.append(tok)
    return out


def words(text: str) -> list[str]:
    """jieba's precise-mode words (no search-mode sub-words), stripped, punctuation included."""
    return [w for w in _get_jieba().lcut(unicodedata.normalize("NFKC", text).lower()) if w.strip()]


def word_frequency():
    """jieba's word frequencies (its dictionary's counts) as a function: word → count (0 when unknown)."""
    table = _get_jieba().dt.FREQ
    return lambda word: table.get(word, 0)


# jieba POS flags of words that name things (nouns, verbal nouns, idioms, abbreviations, foreign words)
NOUN_FLAGS = ("n", "vn", "l", "eng", "nz", "nr", "ns", "nt", "j")


def pos_words(text: str) -> list[tuple[str, str]]:
    """jieba words with their part-of-speech flags."""
    _get_jieba()
    import jieba.posseg

    return [(p.word, p.flag) for p in jieba.posseg.lcut(unicodedata.normalize("NFKC", text).lower()) if p.word.strip()]


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "「": '"', "」": '"', "『": '"', "』": '"',
                         "‘": "'", "’": "'"})


def fold(text: str) -> str:
    """Comparison form: NFKC width folding, no whitespace, unified quote marks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_QUOTES)


def bigrams(text: str) -> set[str]:
    t = fold(text)
    return {t[i : i + 2] for i in range(len(t) - 1)}
