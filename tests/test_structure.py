from qa.text.documents import Document, clean_text, load_text_document
from qa.text.structure import PREAMBLE_REVIEW, build_structure, split_sentences

NUMS = "一二三四五六七八九十"


def structure_of(text, name="t.txt"):
    doc = Document(name, name, text, "x", clean_text(text))
    return doc, *build_structure(doc)


def test_top_level_headings_up_to_eleven_and_beyond():
    names = [f"{n}、" for n in NUMS] + ["十一、", "十二、", "二十、"]
    text = "\n\n".join(f"{h}第{i}部分\n\n这是第{i}部分的正文，内容充实。" for i, h in enumerate(names))
    _, sections, sents = structure_of(text)
    assert [s.title.split("、")[0] + "、" for s in sections] == names
    assert sents[-1].path == ("二十、第12部分",)
    assert [s.level for s in sections] == [1] * len(names)


def test_seed_section_tree(seed_path):
    doc = load_text_document(seed_path)
    sections, sents = build_structure(doc)
    assert doc.title == "政府工作报告"
    top = [s.title for s in sections if s.level == 1]
    assert top == ["二、今后五年工作目标任务", "三、2022年工作安排"]
    subs = [s.title[:3] for s in sections if s.level == 2]
    assert subs == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    leads = [s.title for s in sections if s.level == 9]
    for lead in ["高标准推进规划布局", "突出抓好创新主体培育", "全力打造更有活力的创新高地", "以强梁壮柱为方向,推动工业全面振兴"]:
        assert lead in leads
    gdp = next(s for s in sents if "地区生产总值增长7%" in s.text)
    assert gdp.path == ("三、2022年工作安排",)
    farm = next(s for s in sents if "新建高标准农田7.45万亩" in s.text)
    assert farm.path[1].startswith("(二)坚定转型") and farm.path[2] == "以特优发展为路径,推动农业稳产增产"


def test_text_before_first_heading_is_labelled(seed_path):
    _, sents = build_structure(load_text_document(seed_path))
    first = next(s for s in sents if "完成营造林46万亩" in s.text)
    assert first.path[0] == PREAMBLE_REVIEW


def test_headings_are_not_quoted(seed_path):
    sections, sents = build_structure(load_text_document(seed_path))
    texts = [s.text for s in sents]
    for h in sections:
        assert not any(t.startswith(h.title) for t in texts), h.title
    assert "高标准推进规划布局。" not in texts
    assert not any(t.startswith("(一)") for t in texts)


def test_sentence_split_keeps_closing_quotes():
    text = "他说：“要干实事。”然后走了！Really? Yes."
    parts = [text[a:b] for a, b in split_sentences(text)]
    assert parts == ["他说：“要干实事。”", "然后走了！", "Really?", " Yes."]


def test_marks_after_a_sentence_end_stay_with_their_sentence():
    # Wikipedia-like text (CMRC, DRCD): a lone "。" once became a sentence, and the answer step crashed on it
    text = "外观还未完成。。教堂凹凸！」。我们干。……和他们谈。……"
    assert [text[a:b] for a, b in split_sentences(text)] == ["外观还未完成。。", "教堂凹凸！」。", "我们干。……", "和他们谈。……"]
    lead = "……他说。"
    assert [lead[a:b] for a, b in split_sentences(lead)] == ["……他说。"]
    assert split_sentences("。。。") == [] and split_sentences("😀。") == []
    doc, _, sents = structure_of("四泉圣嘉禄堂\n\n。。。\n\n外观的上部分直到博罗米尼死时都还未完成，只有下部分已经完成。。他说：“好！”。\n")
    assert [s.text for s in sents] == ["外观的上部分直到博罗米尼死时都还未完成，只有下部分已经完成。。", "他说：“好！”。"]
    assert all(doc.text[s.start:s.end] == s.text for s in sents)
