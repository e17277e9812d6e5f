"""Answers in the shape of the question (issue 28): the shape read from the question, the outline kept at build,
and the chosen passage grown into verbatim parts (qa/answering/shapes.py)."""

from __future__ import annotations

import pytest

from conftest import SEED
from qa.answering.question import analyse
from qa.answering.shapes import _items, pieces, restates, structure_asked
from qa.index.store import Index


@pytest.mark.parametrize("question, shape", [
    ("今年重点抓好哪几方面工作？", "outline"),
    ("未来五年要全力打造的“四个高地”是哪四个？", "outline"),
    ("Which areas will the city focus on this year?", "outline"),
    ("去年在民生方面做了哪些事？", "measures"),
    ("为提振市场信心，今年有哪些举措？", "measures"),
    ("How will Taiyuan cultivate innovative firms?", "measures"),
    ("今年工作的总体要求是什么？", "definition"),
    ("健康细胞建设“十百千万”工程指的是什么？", "definition"),
    ("对太原来说,今后五年是一个什么样的时期?", "definition"),  # what kind of: the words that define it
    ("What does the three-zero service mean?", "definition"),
    ("今年要推出哪些系列精品旅游线路？", "list"),
    ("Which strategic emerging industries does the plan name?", "list"),
    ("今年GDP要涨多少？", "span"),  # a figure
    ("去年是哪座石窟的佛首回归了故里？", "span"),  # one name
    ("What is the 2022 growth target for fixed-asset investment?", "span"),  # a figure, in English
    ("今年工作的总体要求里，太原要着眼哪个“四个”提法？", "span"),  # one thing pinpointed
    ("过去一年取得了哪些成绩？", "outline"),  # a period as a whole: the heads of its part
    ("What did Taiyuan achieve last year?", "outline"),
    ("What did Taiyuan achieve in environmental protection last year?", "measures"),  # a topic of its own
])
def test_the_shape_is_read_from_the_question(question, shape):
    assert analyse(question).shape == shape


@pytest.mark.parametrize("clause, items", [
    ("重点支持太钢、太重、西山煤电等老牌工业企业发展壮大", "太钢、太重、西山煤电"),
    ("推出“民俗文化游”“太忻休闲游”“冰雪欢乐游”等系列精品旅游线路", "“民俗文化游”“太忻休闲游”“冰雪欢乐游”"),
    ("加快太原铁路枢纽客运西环线、西北二环、太忻大道建设", "太原铁路枢纽客运西环线、西北二环、太忻大道"),
    ("城镇和农村居民人均可支配收入分别增长7.5%、8%", "城镇和农村居民人均可支配收入分别增长7.5%、8%"),  # figures keep their subject
    ("实现市场主体登记注册“一网通、一窗办、半日结、零成本”", "一网通、一窗办、半日结、零成本"),  # inside one quotation
])
def test_an_enumeration_is_cut_to_its_items(clause, items):
    a, b = _items(clause, 0, len(clause))
    assert clause[a:b] == items
    assert _items("有效整合优质旅游资源", 0, 10) is None


def test_quoted_items_the_question_names_are_no_answer():
    from qa.text.tokens import fold

    clause = "推动太山、太原植物园、晋商博物馆、青龙古镇等景区“创A”“升A”"
    assert clause[slice(*_items(clause, 0, len(clause)))] == "“创A”“升A”"
    a, b = _items(clause, 0, len(clause), fold("哪些景区被列入“创A”“升A”的名单?"))
    assert clause[a:b] == "太山、太原植物园、晋商博物馆、青龙古镇"


def test_a_restatement_names_what_was_asked_and_a_figure_is_an_answer():
    q = analyse("今年重点抓好哪几方面工作？")
    assert restates(q, "重点抓好十方面工作") is False  # 十方面 is not in the question
    assert restates(analyse("今年重点抓好十方面工作是哪些？"), "重点抓好十方面工作")
    assert not restates(analyse("2021年棚户区住房改造新开工多少套?"), "棚户区住房改造新开工1874套")


def test_structure_asked_reads_the_count_and_the_noun():
    assert structure_asked(analyse("未来五年要全力打造的“四个高地”分别是哪四个？")) == (4, "高地")
    assert structure_asked(analyse("今年重点抓好哪几方面工作？"))[1] == ""  # 方面: no noun to filter by


@pytest.fixture(scope="module")
def seed(fake_index) -> Index:
    return Index.load(fake_index)


def _chunk(index: Index, text: str):
    return next(c for c in index.chunks if text in c.text)


def test_the_outline_is_kept_at_build_with_parents_and_offsets(seed):
    doc = seed.documents[SEED.name]
    plan = next(k for k, s in enumerate(doc.outline) if s.title.startswith("三、"))
    kids = [doc.outline[k].title for k in doc.children(plan)]
    assert [t[:3] for t in kids] == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    for s in doc.outline:
        assert doc.text[s.start:s.end].replace("\n", "").startswith(s.title[:4])


def test_an_outline_answer_is_the_members_the_passage_announces(seed):
    q = analyse("今年重点抓好哪几方面工作？")
    c = _chunk(seed, "十方面工作")
    parts = pieces(q, c, (0, len(c.text)), seed)
    text = seed.documents[SEED.name].text
    got = [text[p.start:p.end].replace("\n", "") for p in parts]
    assert len(got) == 5 and got[0].startswith("真抓实干") and got[4].startswith("补齐短板")  # markers dropped


def test_an_outline_named_by_its_noun_keeps_the_members_that_name_it(seed):
    q = analyse("未来五年要全力打造的“四个高地”是哪四个？")
    c = _chunk(seed, "四个高地")
    doc = seed.documents[SEED.name]
    got = [doc.text[p.start:p.end].replace("\n", "") for p in pieces(q, c, (0, len(c.text)), seed)]
    assert len(got) == 4 and all(g.endswith("高地") for g in got), got


@pytest.mark.parametrize("question, whole", [
    ("过去一年取得了哪些成绩？", True), ("今年政府要做哪些工作？", True), ("太原去年取得了哪些成就？", True),
    ("What did Taiyuan achieve last year?", True),
    ("去年在民生方面做了哪些事？", False), ("今年在招商引资方面有哪些举措?", False), ("今年要采取哪些措施稳增长？", False),
    ("今年重点抓好哪几方面工作？", False),  # an outline question naming its structure, not a measures one
])
def test_a_measures_question_about_nothing_but_its_period_is_about_the_whole_part(question, whole):
    q = analyse(question)
    assert q.whole is whole and (q.shape == "outline") is (whole or "哪几方面" in question)


def test_the_whole_part_is_its_heads_not_a_list_in_the_passage(seed):
    """过去一年取得了哪些成绩？ from a passage of the review holding a list (学史明理、学史增信…): the review's leads (the
    seed's first page is lost, so they are the leads before its first heading), not the list and not 今后五年's count."""
    doc = seed.documents[SEED.name]
    for question in ("过去一年取得了哪些成绩？", "What did Taiyuan achieve last year?"):
        c = _chunk(seed, "学史明理、学史增信")
        got = [doc.text[p.start:p.end].replace("\n", "") for p in pieces(analyse(question), c, (0, 10), seed)]
        assert "坚持生态优先,“四治”一体取得新进展" in got and "坚持安全发展,平安太原建设取得新成效" in got, got
    c = _chunk(seed, "深入实施创新驱动发展战略")
    got = [doc.text[p.start:p.end] for p in pieces(analyse("未来五年有哪些打算？"), c, (0, 4), seed)]
    assert len(got) == 7 and all(g.startswith("全力打造") for g in got), got  # 五年 counts no structure


def test_measures_are_the_lead_clauses_of_the_paragraph_the_question_names(seed):
    q = analyse("去年建设平安太原采取了哪些措施？")
    c = _chunk(seed, "深入开展信访积案专项攻坚")
    got = [p.chunk.text[p.start:p.end] for p in pieces(q, c, (0, 5), seed)]
    assert got[0] == "严格落实金融风险防控责任"  # the lead clause of each sentence, in order
    assert "深入开展信访积案专项攻坚" in got and "31个消防站加快建设" in got  # and the clauses stating a figure


def test_parts_are_verbatim_with_their_offsets(fake_index, fake_embedder):
    from qa.api import ask

    text = SEED.read_text(encoding="utf-8")
    a = ask("今年重点抓好哪几方面工作？", fake_index, embedder=fake_embedder)
    if a.abstained:
        pytest.fail(f"abstained: {a.message}")
    assert a.shape == "outline" and len(a.parts) >= 2
    for p in a.parts:
        assert text[p.start:p.end].replace("\n", "") == p.text.replace("\n", "")
        q = p.citation.quote
        assert q[p.citation.highlight[0]:p.citation.highlight[1]] == p.text
    assert a.answer == "\n".join(p.text for p in a.parts)
    assert [d["text"] for d in a.to_dict()["parts"]] == [p.text for p in a.parts]


def test_a_figure_is_one_part_the_span_itself(fake_index, fake_embedder):
    from qa.api import ask

    a = ask("今年地区生产总值预期增长多少？", fake_index, embedder=fake_embedder)
    assert not a.abstained and a.shape == "span" and len(a.parts) == 1 and a.parts[0].text == a.answer


def test_the_cli_numbers_the_parts(fake_index, fake_embedder, capsys):
    from qa.api import ask
    from qa.cli import print_answer

    a = ask("今年重点抓好哪几方面工作？", fake_index, embedder=fake_embedder)
    print_answer(a)
    out = capsys.readouterr().out
    assert f"答案（{len(a.parts)}项）：" in out and "  1. " in out and "  2. " in out


def test_an_outline_of_a_named_lead_is_the_headlines_under_it(seed):
    """A lead the question names (推动农业稳产增产), wherever the passage read was: its headline sentences."""
    q = analyse("今年推动农业稳产增产，主要抓哪几项？")
    assert q.shape == "outline"
    c = _chunk(seed, "推动生活性服务业多样化发展")  # a passage elsewhere in the report
    got = [p.chunk.text[p.start:p.end] for p in pieces(q, c, (0, 5), seed)]
    assert got[:3] == ["坚决守牢粮食安全底线", "大力发展都市现代农业", "做强做精特色优势品牌"], got


def test_measures_under_a_named_headline_are_its_key_clauses(seed):
    from qa.answering.heads import headline, named_head

    q = analyse("坚决守牢粮食安全底线，有哪些举措？")
    c = _chunk(seed, "推动生活性服务业多样化发展")
    head = named_head(q, c, seed)
    doc = seed.documents[SEED.name]
    assert doc.text[head.start:head.end].startswith("坚决守牢粮食安全底线") and headline(head.chunk)
    got = [p.chunk.text[p.start:p.end] for p in pieces(q, c, (0, 5), seed)]
    assert got[0] == "新建高标准农田7.45万亩" and "大力发展都市现代农业" not in got, got  # its body only
    assert named_head(analyse("今年GDP要涨多少？"), c, seed) is None


def test_a_measures_question_is_matched_to_the_leaf_head_of_its_period(seed, fake_embedder):
    """heads.matched: the head under which no heading or lead stands, of the question's period, whose body and
    title the question is closest to; never a section heading ((四)…) whose parts are heads of their own."""
    from qa.answering.heads import matched

    doc = seed.documents[SEED.name]

    def head_of(question: str) -> str:
        q = analyse(question)
        m = matched(q, fake_embedder.encode_queries([q.embed_text])[0], seed, [SEED.name])
        assert m.body.leaf and (not m.body.period or m.body.period == q.period_for(doc.year))
        return doc.text[m.body.head.start:m.body.head.end]

    assert head_of("今年突出抓好创新平台搭建，有哪些举措？").startswith("突出抓好创新平台搭建")
    assert head_of("去年建设平安太原采取了哪些措施？").startswith("坚持安全发展")  # the review's lead, not a plan's


def test_a_short_body_answers_clause_by_clause(seed):
    """Under a head whose body is short (SHORT_BODY), a measures answer is every clause of it, not only the lead
    clauses and figures: 建立科技领军企业培育库 is neither."""
    from qa.answering.heads import heads
    from qa.answering.shapes import SHORT_BODY, under

    doc = seed.documents[SEED.name]
    head = next(h for h in heads(doc, seed) if doc.text[h.start:h.end].startswith("突出抓好创新主体培育"))
    got = [p.chunk.text[p.start:p.end] for p in under(head, seed, analyse("今年怎么培育创新主体？"))]
    assert got[:2] == ["实施科技领军企业培育行动", "建立科技领军企业培育库"], got
    assert sum(len(p) for p in got) <= SHORT_BODY


class _Silent:
    """A reader that finds no answer anywhere (every window's margin negative), with the stand-in's models."""

    def heads(self):
        from qa.testing.fakes import OverlapReader

        return OverlapReader().heads()

    def read(self, question, passages):
        from qa.model.reader import Reading

        return [Reading(0, 1, 0.0, 100.0) for _ in passages]


def test_a_measures_question_the_reader_finds_no_span_for_is_answered_from_the_head_it_names(fake_index,
                                                                                              fake_embedder):
    from qa.api import ask

    a = ask("去年建设平安太原采取了哪些措施？", fake_index, embedder=fake_embedder, reader=_Silent())
    assert not a.abstained and a.shape == "measures" and len(a.parts) >= 2, a.message
    assert a.parts[0].text == "严格落实金融风险防控责任"
    text = SEED.read_text(encoding="utf-8")
    for p in a.parts:
        assert text[p.start:p.end].replace("\n", "") == p.text
    assert a.citations[0].quote[slice(*a.citations[0].highlight)] == a.parts[0].text
    # no head the question names (海洋经济 is nowhere in the report): the reader's abstention stands
    none = ask("今年在发展海洋经济方面有哪些举措？", fake_index, embedder=fake_embedder, reader=_Silent())
    assert none.abstained and none.parts == ()
    # named by generic words only (现代, 产业, 发展), its subjects (种业, 茶叶) unsaid: abstained too
    assert ask("今年如何发展现代种业和茶叶产业？", fake_index, embedder=fake_embedder, reader=_Silent()).abstained


def test_running_text_has_no_heads_to_match(tmp_path, fake_embedder):
    """A document without a report's outline (an encyclopedia paragraph): its short sentences head nothing, and a
    measures question is not matched to one (heads.OUTLINED)."""
    from qa.answering.heads import matched
    from qa.index.build import build_index

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "sulfur.txt").write_text(
        "硫\n\n硫是一种化学元素。硫燃烧时的火焰是蓝色的。硫不溶于水但溶于二硫化碳，常用于制造火药和肥料。\n", encoding="utf-8")
    build_index([tmp_path / "docs"], tmp_path / "index", embedder=fake_embedder)
    index = Index.load(tmp_path / "index")
    q = analyse("硫的生产采取了哪些措施？")
    assert q.shape == "measures"
    assert matched(q, fake_embedder.encode_queries([q.embed_text])[0], index, list(index.documents)) is None


def test_what_a_colon_inside_the_sentence_announces(seed):
    """面临哪些困难？ on 仍面临着一些困难和挑战,主要表现为:甲,乙,…,等等: the definition starts after the colon, and a list
    question gets each announced clause (its 等等 aside); before, the sentence whole and one span."""
    c = _chunk(seed, "主要表现为")
    colon = c.text.index("主要表现为:") + len("主要表现为:")
    (d,) = pieces(analyse("面临哪些困难？"), c, (0, len(c.text)), seed)
    assert d.start == colon and c.text[d.start:d.end].startswith("全方位推动高质量发展步伐还不够快")
    got = [c.text[p.start:p.end] for p in pieces(analyse("太原发展还存在哪些问题?"), c, (colon, colon + 10), seed)]
    assert got[:2] == ["全方位推动高质量发展步伐还不够快", "产业转型依然任重道远"] and len(got) == 6 and "等等" not in got
    t = _chunk(seed, "主要预期指标是")
    got = [t.text[p.start:p.end] for p in pieces(analyse("今年主要预期指标有哪些?"), t, (0, 5), seed)]
    assert got[0] == "地区生产总值增长7%" and got[-1] == "城镇新增就业人数8万人"
