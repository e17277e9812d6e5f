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

_jieba = None
_jieba_lock = threading.Lock()

STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 以及 或 等 也 都 就 而 对 把 被 为 于 从 到 向 由 这 那 其 之 着 过 吗 呢 吧 啊 么
    有 有没有 没有 哪 哪个 哪些 哪里 哪儿 哪几 哪座 哪家 哪条 哪种 哪项 几 多少 多大 多长 多高 什么 怎么 怎样 如何
    是否 要 会 能 将 还 又 再 让 给 个 上 下 中 里 我们 我 你 他 它 报告 提到 指 请问 一下 可以 具体 分别
    the a an of to in on for and or is are was were be by with as at what which how many much does do did
    will would should its it this that from into than""".split()
)
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
