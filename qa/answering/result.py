"""What ``ask()`` returns: the :class:`Answer`, its :class:`Citation` s (offsets into documents) and, when there is no
answer, the :class:`NotFound` reason. All three are frozen: an answer is built once, when everything it says is
known (:mod:`.pipeline`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..index.store import Chunk

NOT_FOUND = "文档中没有找到这个问题的答案。"
NOT_FOUND_EN = "The documents do not answer this question."


@dataclass(frozen=True)
class NotFound:
    """Why there is no answer, made where that is decided; :attr:`message` says it in the question's language.

    ``kind``: ``period`` (only another period is told), ``figure`` (no figure for a quantity question), ``reader`` (the
    closest passages do not answer), ``subject`` (they do not mention ``what``), ``measure`` (they give ``what``'s
    figure of another measure: ``given`` ``figure``, not the ``asked`` one), ``figure subject`` (they name ``what``,
    but the figure there belongs to another subject), ``not covered`` (no indexed report covers ``what``: a place
    or a year; ``chosen``: among the documents picked by hand)."""
    kind: str
    english: bool = False
    what: str = ""  # the subject missing or named (subject, measure), the place and year not covered (not covered)
    place: str = ""  # not covered: the place as the question names it
    year: int | None = None  # not covered: the year asked
    chosen: bool = False  # not covered: among the documents picked by hand
    asked: str = ""  # measure, figure subject: the measure asked (qa.text.measures)
    given: str = ""  # measure: the measure the passage gives
    figure: str = ""  # measure: the figure it gives, verbatim
    cited: int = -1  # the chunk that says what there is (cited first), -1: none

    @property
    def message(self) -> str:
        if self.kind in ("measure", "figure subject"):
            return self._measure_message()
        if self.kind == "not covered":
            if self.english:
                report = " ".join(x for x in ("report", f"of {self.place}" if self.place else "",
                                              f"for {self.year}" if self.year else "") if x)
                said = f"none of the chosen documents is a {report}" if self.chosen else f"no {report} is indexed"
                return f"{NOT_FOUND_EN[:-1]} ({said})."
            return f"{NOT_FOUND[:-1]}（{'所选文档中没有' if self.chosen else '没有索引'}{self.what}的报告）。"
        en, zh = (x.format(self.what) for x in REASONS[self.kind])
        return f"{NOT_FOUND_EN[:-1]} ({en})." if self.english else f"{NOT_FOUND[:-1]}（{zh}）。"

    def _measure_message(self) -> str:
        from ..text.measures import NAME_EN, NAME_ZH

        if self.kind == "measure":
            if self.english:
                return (f"{NOT_FOUND_EN[:-1]} (the report gives the {NAME_EN[self.given]} of {self.what} "
                        f"({self.figure}), not the {NAME_EN[self.asked]}).")
            return f"{NOT_FOUND[:-1]}（报告给出了{self.what}的{NAME_ZH[self.given]}（{self.figure}），没有给出{NAME_ZH[self.asked]}）。"
        if self.english:
            return f"{NOT_FOUND_EN[:-1]} (the report names {self.what} but gives no {NAME_EN[self.asked]} for it)."
        return f"{NOT_FOUND[:-1]}（报告提到了{self.what}，但没有给出它的{NAME_ZH[self.asked]}）。"

    def to_dict(self) -> dict:
        return asdict(self) | {"message": self.message}


# Why there is no answer: (English, Chinese), said after "not found".
REASONS = {
    "period": ("the documents give this only for another period", "文档只给出了其他时期的情况"),
    "figure": ("the closest passages give no figure for it", "最接近的段落里没有所问的数字"),
    "reader": ("the closest passages do not answer it", "最接近的段落没有回答这个问题"),
    "subject": ("the closest passages do not mention “{}”", "最接近的段落没有提到“{}”"),
}


@dataclass(frozen=True)
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

    def same_passage(self, other: "Citation") -> bool:
        """Both quote the same passage (the items of one sentence do)."""
        return (self.doc, self.start, self.quote) == (other.doc, other.start, other.quote)

    @property
    def source(self) -> str:
        """How the document is named: its label (place and year), else its title."""
        return self.label or self.title

    def as_text(self) -> str:
        """A copyable reference: 「quote」 — label or title > section (doc, [page,] chars start–end)."""
        where = " > ".join(x for x in (self.source, self.section) if x)
        page = f"第{self.page}页，" if self.page else ""
        return f"「{self.quote}」 —— {where}（{self.doc}，{page}第{self.start}–{self.end}字）"


@dataclass(frozen=True)
class Part:
    """One verbatim piece of an answer (an item of a list, a heading of an outline; a figure's answer has one):
    its text, its document and offsets there (``file_text[start:end]`` is ``text`` up to whitespace), and the
    passage it stands in, highlighted."""
    text: str
    doc: str
    start: int
    end: int
    citation: Citation

    def to_dict(self) -> dict:
        return {"text": self.text, "doc": self.doc, "start": self.start, "end": self.end,
                "citation": self.citation.to_dict()}


PARTS_JOIN = "\n"  # how Answer.answer joins several parts: whitespace, so the answer holds only quoted characters


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str  # verbatim from a document; "" when abstained
    abstained: bool
    citations: tuple[Citation, ...]
    message: str = ""  # what to tell the user when there is no answer (``reason.message``)
    answer_start: int = -1  # the answer's offsets in its document's text (-1 when abstained)
    answer_end: int = -1
    kind: str = ""  # quantity / list / entity / yesno / fact
    seconds: float = 0.0
    resolved: str = ""  # the standalone question answered: a follow-up read with the conversation's history
    features: dict = field(default_factory=dict, repr=False, compare=False)  # what the choice and abstention saw
    # several reports in scope: what each other report answers to the same question (its answer highlighted in its
    # quote; the report named by its label), most recent first; reports that do not answer are not listed
    others: tuple[Citation, ...] = ()
    reason: NotFound | None = None  # why there is no answer (None when answered)
    parts: tuple[Part, ...] = ()  # the answer's verbatim pieces, in document order; ``answer`` is them joined
    shape: str = "span"  # the shape asked (qa.answering.question.shape_of): span, list, outline, definition, measures

    def to_dict(self) -> dict:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        d["parts"] = [p.to_dict() for p in self.parts]
        d["others"] = [c.to_dict() for c in self.others]
        d["reason"] = self.reason.to_dict() if self.reason else None
        return d

    def __str__(self) -> str:
        return self.message if self.abstained else self.answer


def citation(chunk: Chunk, score: float, highlight: tuple[int, int] | None = None, label: str = "") -> Citation:
    return Citation(chunk.doc, chunk.title, chunk.section, chunk.text, chunk.start, chunk.end,
                    round(float(score), 4), highlight, page=chunk.page, label=label)
