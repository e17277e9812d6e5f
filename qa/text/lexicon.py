"""The word lists, as data (``lexicon.json`` beside this file), loaded once.

- ``STOPWORDS``: function words left out of BM25 tokens (corpus and questions alike);
- ``QUESTION_WORDS``: words that say how a question is asked, not what it is about;
- ``SYNONYMS``: everyday words of questions → the words reports use (BM25 weight 0.6);
- ``PERIOD_CUES``: (period, pattern) pairs, checked in order (see :mod:`qa.text.periods`).

``VERSION`` is recorded in the index manifest: an index built with another version is rebuilt
(its tokens and periods came from other lists). Raise it with every change of the file.
"""

from __future__ import annotations

import json
from pathlib import Path

_DATA = json.loads((Path(__file__).with_name("lexicon.json")).read_text(encoding="utf-8"))

VERSION: int = _DATA["version"]
STOPWORDS = frozenset(_DATA["stopwords"])
QUESTION_WORDS = frozenset(_DATA["question_words"])
SYNONYMS: dict[str, list[str]] = _DATA["synonyms"]
PERIOD_CUES: list[tuple[str, str]] = [(p, rx) for p, rx in _DATA["period_cues"]]
