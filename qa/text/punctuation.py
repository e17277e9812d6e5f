"""Sentence and clause punctuation, half- and full-width alike: the one definition the cleaner,
the sentence splitter and the answer step share."""

from __future__ import annotations

import re

SENTENCE_END = "。！？!?"  # ends a sentence (a half-width "." only after a letter or hanzi: see structure)
CLAUSE_END = "；;，,"  # ends a clause inside a sentence
COLONS = "：:"
CLOSE_QUOTES = "”’」』）)\"'"  # may follow a sentence end and belong to that sentence
# A line ending in one of these ends its paragraph (no page break inside it).
CLOSERS = frozenset(SENTENCE_END + CLAUSE_END[:2] + COLONS + "．.…" + CLOSE_QUOTES + "】》>")
# A clause: text up to and including its run of clause, colon or sentence punctuation.
_BREAKS = CLAUSE_END + COLONS + SENTENCE_END
CLAUSE = re.compile(rf"[^{_BREAKS}]+[{_BREAKS}]*")
