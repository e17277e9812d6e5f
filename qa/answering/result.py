"""What ``ask()`` returns: the :class:`Answer` and its :class:`Citation` s (offsets into documents)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..index.store import Chunk

NOT_FOUND = "文档中没有找到这个问题的答案。"
NOT_FOUND_EN = "The documents do not answer this question."


@dataclass
class Citation:
    doc: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    score: float
    highlight: tuple[int, int] | None = None  # the answer's [start, end) inside ``quote``
    page: int | None = None  # 1-based page where the quote starts, for paged sources (PDF, page images)
    label: str = ""  # the report's place and year, when read: 示例市 · 2023年政府工作报告 (qa.text.reports)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["highlight"] = list(self.highlight) if self.highlight else None
        return d

    @property
    def source(self) -> str:
        """How the document is named: its label (place and year), else its title."""
        return self.label or self.title

    def as_text(self) -> str:
        """A copyable reference: 「quote」 — label or title > section (doc, [page,] chars start–end)."""
        where = " > ".join(x for x in (self.source, self.section) if x)
        page = f"第{self.page}页，" if self.page else ""
        return f"「{self.quote}」 —— {where}（{self.doc}，{page}第{self.start}–{self.end}字）"


@dataclass
class Answer:
    question: str
    answer: str  # verbatim from a document; "" when abstained
    abstained: bool
    citations: list[Citation]
    message: str = ""  # what to tell the user when there is no answer
    answer_start: int = -1  # the answer's offsets in its document's text (-1 when abstained)
    answer_end: int = -1
    kind: str = ""  # quantity / list / entity / yesno / fact
    seconds: float = 0.0
    resolved: str = ""  # the standalone question answered: a follow-up read with the conversation's history
    features: dict = field(default_factory=dict, repr=False)  # what the choice and the abstention saw
    # several reports in scope: what each other report answers to the same question (its answer highlighted in its
    # quote; the report named by its label), most recent first; reports that do not answer are not listed
    others: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        d["others"] = [c.to_dict() for c in self.others]
        return d

    def __str__(self) -> str:
        return self.message if self.abstained else self.answer


def citation(chunk: Chunk, score: float, highlight: tuple[int, int] | None = None) -> Citation:
    return Citation(chunk.doc, chunk.title, chunk.section, chunk.text, chunk.start, chunk.end,
                    round(float(score), 4), highlight, page=chunk.page)
