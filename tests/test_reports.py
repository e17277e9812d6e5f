"""Several reports of several places and years (issue 24): each report's place and year read at build time, questions
scoped by the place and year they name, the most recent report answering with the others beside it, scope by hand.
Fake embedder and OverlapReader; the questions of eval/multi_report_qa.jsonl are measured in test_multi_report.py."""

from __future__ import annotations

import json
from array import array

import pytest

from conftest import SEED
from fixtures import REPORT_MD, REPORTS, write_reports
from qa.index.build import build_index
from qa.index.store import Index
from qa.model.embedding import get_embedder
from qa.answering.question import analyse
from qa.text.documents import Document, Paragraph
from qa.text.reports import ReportIdentity, identify, label, read_place

SEED_NAME = SEED.name


@pytest.fixture(scope="module")
def embedder():
    return get_embedder("qa.testing.fakes:HashEmbedder")


@pytest.fixture(scope="module")
def many(tmp_path_factory, embedder):
    """The seed (太原, 2022) and the four fictional reports (示例市 and 青石市, 2023 and 2024) in one index."""
    root = tmp_path_factory.mktemp("many")
    summary = build_index([SEED, *write_reports(root / "docs")], root / "index", embedder=embedder)
    assert summary.documents == 5 and summary.ok
    return root / "index"


def ask(question, index_dir, embedder, **kw):
    from qa.api import ask as api_ask

    return api_ask(question, index_dir=index_dir, embedder=embedder, **kw)


# ---------------------------------------------------------------- reading place and year


def test_each_report_knows_its_place_and_year(many):
    reports = Index.load(many).reports
    got = {d: (r.place, r.year, r.label, r.place_from) for d, r in reports.items()}
    assert got == {
        SEED_NAME: ("太原市", 2022, "太原市 · 2022年政府工作报告", "text"),  # first page lost: the place it names most
        "shili_2023_report.md": ("示例市", 2023, "示例市 · 2023年政府工作报告", "title"),
        "shili_2024_report.md": ("示例市", 2024, "示例市 · 2024年政府工作报告", "title"),
        "qingshi_2023_report.md": ("青石市", 2023, "青石市 · 2023年政府工作报告", "title"),
        "qingshi_2024_report.md": ("青石市", 2024, "青石市 · 2024年政府工作报告", "opening"),  # title: 2024年政府工作报告
    }
    assert reports[SEED_NAME].aliases == ("太原市", "太原", "taiyuan")  # the file name's Latin form too
    assert reports["shili_2023_report.md"].aliases == ("示例市", "示例", "shili")


def _doc(title: str, paragraphs: list[str], name: str = "x.md") -> Document:
    text, paras = "", []
    for p in paragraphs:
        paras.append(Paragraph(p, array("i", range(len(text), len(text) + len(p)))))
        text += p + "\n"
    return Document(name, name, text, "0", paras, title=title)


@pytest.mark.parametrize("title, opening, name, place, where", [
    ("示例市2023年政府工作报告", "", "a.md", "示例市", "title"),
    ("2023年青石市人民政府工作报告", "", "a.md", "青石市", "title"),
    ("内蒙古自治区政府工作报告", "", "a.md", "内蒙古自治区", "title"),
    ("政府工作报告", "——2024年1月10日在东岭市第十五届人民代表大会第三次会议上", "a.md", "东岭市", "opening"),
    ("政府工作报告", "东岭县人民政府县长 某某", "a.md", "东岭县", "opening"),
    ("政府工作报告", "各位代表：", "东岭市_2023.txt", "东岭市", "file name"),
    ("政府工作报告", "各位代表：", "report_2023.txt", "", ""),
    ("示例新闻稿", "", "news.html", "", ""),
    ("政府工作报告", "——2020年5月22日在第十三届全国人民代表大会第三次会议上 国务院总理 李克强", "a.md", "全国", "opening"),
    ("2024年国务院政府工作报告", "", "a.md", "全国", "title"),  # the State Council's: the nation's report
])
def test_the_place_is_read_from_title_opening_or_file_name(title, opening, name, place, where):
    got, found_in, _ = read_place(title, opening, opening, name)
    assert (got, found_in) == (place, where)


def test_the_plan_years_heading_wins_over_the_title():
    """REPORT_MD's title says 2023 and its plan is 二、2024年工作安排: its 今年 is 2024; the label keeps the title."""
    from qa.text.formats import load_document

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "shili_2023.md"
        p.write_text(REPORT_MD, encoding="utf-8")
        doc = load_document(p, p.read_bytes())
    r = identify(doc, ["一、过去一年工作回顾", "二、2024年工作安排"])
    assert (r.place, r.year, r.label) == ("示例市", 2024, "示例市 · 2023年政府工作报告")


def test_what_cannot_be_read_is_said_in_the_build_summary(tmp_path, embedder):
    (tmp_path / "notice.md").write_text("# 通知\n\n请各单位按时报送材料。\n", encoding="utf-8")
    summary = build_index([tmp_path / "notice.md"], tmp_path / "index", embedder=embedder)
    assert summary.documents == 1  # indexed all the same
    assert "place not found (title, opening, file name)" in summary.notes["notice.md"]
    assert "year not found (工作安排 heading, title, opening)" in summary.notes["notice.md"]
    assert "place not found" in summary.report()
    r = Index.load(tmp_path / "index").reports["notice.md"]
    assert r == ReportIdentity(label="通知") and r.missing()


def test_a_latin_file_name_alone_names_no_place():
    """cmrc2018_trial-p0000.txt: a data set's name, not a place; only a place read otherwise gets a Latin form."""
    r = identify(_doc("某段落", ["这是一段文字。"], "cmrc2018_trial-p0000.txt"), [])
    assert r.place == "" and r.aliases == ()


def test_label():
    assert label("示例市2023年政府工作报告", "示例市", 2023) == "示例市 · 2023年政府工作报告"
    assert label("政府工作报告", "太原市", 2022) == "太原市 · 2022年政府工作报告"
    assert label("政府工作报告", "", 2022) == "2022年政府工作报告"
    assert label("通知", "", None) == "通知"


def test_an_index_of_the_older_format_is_refused_until_rebuilt(many, copy_index):
    from qa.index.store import IndexMismatch

    idx = copy_index(many)
    m = json.loads((idx / "manifest.json").read_text())
    m["format_version"] = 1  # before documents recorded their place and year
    (idx / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexMismatch, match="rebuild"):
        Index.load(idx)


# ---------------------------------------------------------------- what a question names


@pytest.mark.parametrize("question, year, mode", [
    ("2023年示例市地区生产总值预期增长多少？", 2023, "plan"),
    ("示例市2024年计划新建多少套保障性住房？", 2024, "plan"),
    ("2023年示例市地区生产总值实际增长了多少？", 2023, "result"),
    ("示例市2023年完成植树造林多少亩？", 2023, "result"),
    ("2021年棚户区住房改造新开工多少套？", 2021, "either"),
    ("到2027年示例市要建成多少条地铁线路？", 2027, "span"),
    ("What was Taiyuan's unemployment rate in 2021?", 2021, "result"),
    ("How many new urban jobs does Qingshi plan for 2024?", 2024, "plan"),
    ("今年新建多少套保障性住房？", None, ""),
    ("新建2000个停车位要多少钱？", None, ""),  # a figure, not a year
    ("2022年和2023年分别增长多少？", None, ""),  # two years: not scoped by year
    ("示例市2023年政府工作报告里，2021年新建了多少个公园？", 2023, "report"),  # the report named by its year
])
def test_the_year_asked_and_what_is_asked_of_it(question, year, mode):
    from qa.answering.question import analyse

    q = analyse(question)
    assert (q.year, q.year_mode) == (year, mode)


@pytest.mark.parametrize("question, reports, missing", [
    ("太原今年新增城镇就业多少人？", [SEED_NAME], ""),
    ("Taiyuan: how many new urban jobs this year?", [SEED_NAME], ""),
    ("示例市去年新建了多少个城市公园？", ["shili_2024_report.md", "shili_2023_report.md"], ""),
    ("2023年示例市地区生产总值预期增长多少？", ["shili_2023_report.md"], ""),
    ("2023年示例市地区生产总值实际增长了多少？", ["shili_2024_report.md"], ""),
    ("2023年示例市地区生产总值增长多少？", ["shili_2024_report.md", "shili_2023_report.md"], ""),  # review first
    ("到2027年青石市港口集装箱吞吐量要突破多少？", ["qingshi_2023_report.md"], ""),  # its 今后五年 spans 2027
    ("青石市今后五年城镇新增就业累计目标是多少？", ["qingshi_2023_report.md"], ""),  # the report that has 今后五年
    ("太原2023年新增城镇就业目标是多少？", [], "太原2023年"),
    ("北京今年地区生产总值预期增长多少？", [], "北京"),
    ("东岭市去年新建了多少个城市公园？", [], "东岭市"),
    ("2021年青石市地区生产总值增长了多少？", [], "青石市2021年"),
    ("示例市2023年政府工作报告里，去年新建了多少个城市公园？", ["shili_2023_report.md"], ""),
    ("广州今年地区生产总值预期增长多少？", [], "广州"),  # 州 is 广州's level, not a generic word
])
def test_questions_are_scoped_by_the_place_and_year_they_name(many, question, reports, missing):
    from qa.answering import scope

    s = scope.read(analyse(question), Index.load(many))
    assert (list(s.reports), s.missing) == (reports, missing)


def test_a_place_mentioned_in_a_report_is_a_subject_not_a_scope(many):
    """晋中 is no report's place, but the seed names it: the question is not refused, nor scoped."""
    from qa.answering import scope

    s = scope.read(analyse("太原要和晋中怎样合作？"), Index.load(many))
    assert s.missing == "" and list(s.reports) == [SEED_NAME]
    s = scope.read(analyse("汾河四期工程总投资多少亿元？"), Index.load(many))
    assert s.missing == "" and s.allowed is None and s.several


# ---------------------------------------------------------------- answers


def test_a_place_named_answers_from_that_places_most_recent_report(many, embedder):
    a = ask("太原今年新增城镇就业多少人？", many, embedder)  # issue 24's first row: 示例市's 5万人 before
    assert not a.abstained and "8万人" in a.answer
    assert a.citations[0].doc == SEED_NAME and a.citations[0].label == "太原市 · 2022年政府工作报告"
    assert a.others == ()  # one report of 太原


def test_a_year_maps_through_each_reports_periods(many, embedder):
    plan = ask("2023年示例市地区生产总值预期增长多少？", many, embedder)
    result = ask("2023年示例市地区生产总值实际增长了多少？", many, embedder)
    assert "6.5%左右" in plan.answer and plan.citations[0].doc == "shili_2023_report.md"
    assert "6.2%" in result.answer and result.citations[0].doc == "shili_2024_report.md"


def test_neither_place_nor_year_the_most_recent_report_and_the_others_beside_it(many, embedder):
    a = ask("今年新建保障性住房多少套？", many, embedder)
    assert not a.abstained and a.citations[0].label.endswith("2024年政府工作报告")
    others = {c.doc: c.quote[c.highlight[0]:c.highlight[1]] for c in a.others}
    assert a.citations[0].doc not in others and len(others) >= 2
    for doc, said in others.items():
        assert "保障性住房" in said
    assert all(c.label for c in a.others)
    assert json.loads(json.dumps(a.to_dict(), ensure_ascii=False))["others"][0]["label"]


def test_not_covered_says_which_report_is_missing(many, embedder):
    a = ask("太原2023年新增城镇就业目标是多少？", many, embedder)
    assert a.abstained and a.citations == () and a.answer == ""
    assert "没有索引太原2023年的报告" in a.message
    en = ask("What did Taiyuan plan for 2024?", many, embedder)
    assert en.abstained and "(no report of Taiyuan for 2024 is indexed)" in en.message


def test_documents_picked_by_hand(many, embedder):
    from qa.api import QuestionError, UnknownDocument

    a = ask("今年新建保障性住房多少套？", many, embedder, documents=["shili_2023_report.md"])
    assert "6000套" in a.answer and {c.doc for c in a.citations} == {"shili_2023_report.md"} and a.others == ()
    both = ask("今年新建保障性住房多少套？", many, embedder, documents=["shili_2023_report.md", "qingshi_2023_report.md"])
    assert {both.citations[0].doc} | {c.doc for c in both.others} == {"shili_2023_report.md", "qingshi_2023_report.md"}
    picked = ask("青石市今年新建保障性住房多少套？", many, embedder, documents=["shili_2023_report.md"])
    assert picked.abstained and "所选文档中没有青石" in picked.message
    with pytest.raises(UnknownDocument, match="nope.md"):
        ask("今年新建保障性住房多少套？", many, embedder, documents=["nope.md"])
    with pytest.raises(QuestionError):
        ask("今年新建保障性住房多少套？", many, embedder, documents="shili_2023_report.md")
    assert issubclass(UnknownDocument, QuestionError)


def test_one_report_no_scope_and_no_extra_reading(fake_index, embedder, monkeypatch):
    """With one report indexed the answer is made as before: no document filter, one reading."""
    from qa.answering import pipeline

    seen = []
    real = pipeline.retrieve
    monkeypatch.setattr(pipeline, "retrieve", lambda *a, **kw: seen.append(kw.get("allowed")) or real(*a, **kw))
    a = ask("今年地区生产总值预期增长多少？", fake_index, embedder)
    assert seen == [None] and not a.abstained and a.others == ()
    assert a.citations[0].label == "太原市 · 2022年政府工作报告"


def test_cli_doc_flag_and_the_other_reports_lines(many, capsys):
    from qa.cli import main

    assert main(["ask", "今年新建保障性住房多少套？", "--index", str(many)]) == 0
    out = capsys.readouterr().out
    assert "出处：青石市 · 2024年政府工作报告" in out  # the most recent reports answer; the others are listed after
    assert "其他报告：" in out and "示例市 · 2023年政府工作报告：新建保障性住房6000套" in out
    assert main(["ask", "今年新建保障性住房多少套？", "--index", str(many), "--doc", "qingshi_2023_report.md"]) == 0
    out = capsys.readouterr().out
    assert "3000套" in out and "其他报告" not in out
    assert main(["ask", "今年新建保障性住房多少套？", "--index", str(many), "--doc", "nope.md"]) == 1
    assert "not in the index: 'nope.md'" in capsys.readouterr().err


def test_web_chat_picker_and_render(many, embedder, tmp_path):
    from qa.api import Answer, Citation
    from qa.web.chat import Chat, check_documents, friendly
    from qa.web.feedback import FeedbackLog
    from qa.web.render import answer_html, sources_html
    from qa.api import QuestionError, UnknownDocument

    assert check_documents(None) is None and check_documents([]) is None
    assert check_documents(["a.md"]) == ["a.md"]
    for bad in ("a.md", [1], ["a"] * 1000, {"x": 1}):
        with pytest.raises(QuestionError):
            check_documents(bad)
    assert "刷新" in friendly(UnknownDocument("x"))
    c = Citation("b.md", "t", "二、2024年工作安排", "新建保障性住房<b>7000套</b>", 1, 20, 0.5, (0, 12),
                 label="示例市 · 2024年政府工作报告")
    main = Citation("a.md", "t", "s", "新建保障性住房3500套", 1, 14, 0.9, (0, 14), label="青石市 · 2024年政府工作报告")
    a = Answer("问", "新建保障性住房3500套", False, [main], others=[c])
    html = answer_html(a, "问") + sources_html(a)
    assert "青石市 · 2024年政府工作报告" in html and "示例市 · 2024年政府工作报告" in html and "<b>" not in html
    chat = Chat(many, FeedbackLog(tmp_path / "f.jsonl"))
    *_, (box, history, turns, sources, citation) = list(
        chat.turn("今年新建保障性住房多少套？", [], ["shili_2024_report.md"]))
    assert "7000套" in turns[-1].answer.answer and "示例市 · 2024年政府工作报告" in citation
    *_, (box, history, turns, sources, citation) = list(chat.turn("今年新建保障性住房多少套？", [], ["gone.md"]))
    assert "刷新" in turns[-1].error


def test_every_report_figure_is_written_once():
    """The fixtures' figures name their report: none is written twice (a check on the fixtures themselves)."""
    rows = [json.loads(line) for line in open(SEED.parent.parent / "eval" / "multi_report_qa.jsonl", encoding="utf-8")]
    for g in rows:
        for ans in g["answers"]:
            if g["doc"] in REPORTS:
                assert sum(t.count(ans) for t in REPORTS.values()) == 1, (g["id"], ans)


def test_the_ceremony_of_a_reports_opening_answers_nothing():
    from qa.text.reports import CEREMONY

    assert CEREMONY.search("——2026年1月28日在重庆市第六届人民代表大会第四次会议上重庆市人民政府市长胡衡华各位代表:")
    assert CEREMONY.search("2017年1月9日长沙市第十五届人民代表大会第一次会议通过")
    assert not CEREMONY.search("全市地区生产总值达到2.91万亿元,各位代表提出建议1200件。")


def test_a_reports_place_is_no_subject_a_passage_must_state(many):
    from qa.answering.features import focus_of, subjects_of

    index = Index.load(many)
    q = analyse("太原去年新增城镇就业多少人？")
    assert "太原" in q.nouns and "太原" not in [s.name for s in subjects_of(q, index.bm25, index.place_words)]
    assert focus_of(q, index.bm25, index.place_words)[1] != "太原"
    assert "太原" in [s.name for s in subjects_of(q, index.bm25)]  # without the index's places: a subject


def test_several_reports_are_retrieved_and_read_in_one_pass(many, embedder, monkeypatch):
    """Issue 30: the reports in scope are retrieved from together and each passage is read once, the others' answers
    chosen from the candidates already read (before: one retrieval and one reading per report)."""
    from qa.answering import pipeline
    from qa.model.reader import get_reader

    class Counting:
        def __init__(self, reader):
            self.reader, self.passages = reader, []

        def heads(self):
            return self.reader.heads()

        def read(self, question, passages):
            self.passages += passages
            return self.reader.read(question, passages)

    seen = []
    real = pipeline.retrieve
    monkeypatch.setattr(pipeline, "retrieve", lambda *a, **kw: seen.append(kw.get("allowed")) or real(*a, **kw))
    reader = Counting(get_reader())
    a = ask("今年新建保障性住房多少套？", many, embedder, reader=reader)
    assert not a.abstained and len(a.others) >= 2
    # one retrieval of every report in scope (here all of them: no filter), one of the reports that answer 今年
    assert seen == [None, {"shili_2024_report.md", "qingshi_2024_report.md"}]
    assert len(reader.passages) == len(set(reader.passages))


def test_choose_in_order_takes_the_first_document_set_that_answers(monkeypatch):
    from qa.answering.decide import choose_in_order
    from qa.answering.result import NotFound

    class C:  # the parts of a candidate choose() reads
        def __init__(self, doc, answers):
            self.chunk = type("Chunk", (), {"doc": doc})()
            self.answers = answers

    calls = []

    def fake_choose(q, among, abstain, similarity, subjects):
        calls.append([c.chunk.doc for c in among])
        ok = [c for c in among if c.answers]
        return (ok[0], None) if ok else (None, NotFound("reader", False))

    import qa.answering.decide as decide

    monkeypatch.setattr(decide, "choose", fake_choose)
    ranked = [C("b", True), C("a", False), C("c", True)]
    best, reason = choose_in_order(None, ranked, None, groups=(frozenset({"a"}), frozenset({"b", "c"})))
    assert best is ranked[0] and reason is None and calls == [["a"], ["b", "c"]]
    calls.clear()
    best, reason = choose_in_order(None, ranked[1:2], None, groups=(frozenset({"x"}), frozenset({"a"})))
    assert best is None and reason.kind == "reader" and calls == [["a"]]  # a set without candidates is skipped


def test_only_the_first_reports_answer_they_are_read_as_deep_as_alone(many, embedder):
    """A period relative to the most recent report (今年) over several: the first stage reads the best windows of
    all (what the others answer is chosen from them), the later ones only the answering reports' own windows, as
    many as they would have alone; the other reports are not read for it."""
    from qa.answering import scope
    from qa.answering.retrieve import retrieve
    from qa.answering.windows import answer_first, windows

    index = Index.load(many)
    q = analyse("今年新建保障性住房多少套？")
    where = scope.read(q, index)
    first = where.order[0]
    assert where.several and len(where.order) == 1 and first == {"shili_2024_report.md", "qingshi_2024_report.md"}
    qvec = embedder.encode_queries([q.embed_text])[0]
    hits = retrieve(index, q, qvec, k=10, allowed=where.allowed)
    own = retrieve(index, q, qvec, k=10, allowed=first)
    plan, stages = answer_first(index, hits, own, first, (2, 6))
    read = windows(index, plan, stages[-1])
    lead = windows(index, hits, 2)
    assert [w.hit.chunk.id for w in read[:2]] == [w.hit.chunk.id for w in lead]
    assert all(w.hit.chunk.doc in first for w in read[2:])
    had = sum(w.hit.chunk.doc in first for w in lead)
    assert stages == (2, *(2 + n - had for n in (2, 6) if n > had))  # then the stages alone reads
    assert sum(w.hit.chunk.doc in first for w in read) == min(6, len(windows(index, own)))


def test_a_relative_question_the_first_reports_do_not_answer_cites_what_they_say(many, embedder):
    """Before: the other reports' passages crowded the most recent reports' out of the hits, and one passage of
    theirs (over the seed and 18 real reports: none) was cited."""
    a = ask("去年城区空气质量综合指数降了多少？", many, embedder)
    assert a.abstained and len(a.citations) >= 3
    assert {c.doc for c in a.citations} <= {"shili_2024_report.md", "qingshi_2024_report.md"}
