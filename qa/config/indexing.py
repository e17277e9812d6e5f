"""What an index is built with and stored as: its format version and how documents are cut into chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass

INDEX_FORMAT_VERSION = 3  # 2: each document records its place and year as a report (qa.text.reports); 3: and its
# outline (headings and paragraph leads with their parents and offsets), for answers in the shape of an outline


@dataclass(frozen=True)
class ChunkSettings:
    """How documents are cut into retrieval units; stored in the manifest.

    A chunk is one sentence (the unit quoted back to the user). Sentences longer than
    ``max_chars`` are cut at clause boundaries. The embedded text carries the section
    path as context, each heading cut at its first comma (``context="section-titles"``),
    without changing the quoted text.
    """

    unit: str = "sentence"
    max_chars: int = 240
    context: str = "section-titles"

    def to_dict(self) -> dict:
        return asdict(self)
