"""HTML rendering of answers, sources and documents: untrusted text always stays text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.api import Answer, Citation
from qa.web.render import answer_html, context_html, documents_html, esc, highlighted, sources_html

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '<a href="javascript:alert(3)">x</a>',
           '![t](http://evil.example.com/p.png)', '[x](javascript:alert(4))', '${alert(5)}',
           "{{constructor.constructor('alert(6)')()}}", '<iframe src="http://evil.example.com/">',
           '$$\\frac{1}{2}$$', '`code`', '**bold** _it_', '&lt;script&gt;', 'http://evil.example.com/x.png',
           '<svg onload=alert(7)>', '"><img src=http://evil.example.com/q.png>']
ALLOWED = {"div", "span", "mark", "blockquote", "ol", "li", "details", "summary", "p", "table", "thead", "tbody",
           "tr", "th", "td"}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> Tags:
    t = Tags()
    t.feed(markup)
    t.close()
    return t


def assert_inert(markup: str) -> None:
    """Only our own tags with class/data attributes; no Markdown/LaTeX/template syntax in the source."""
    for tag, attrs in parse(markup).tags:
        assert tag in ALLOWED, tag
        for name, _ in attrs:
            assert name in ("class", "data-rank"), (tag, name)
    body = markup.replace("<", "\x00").split("\x00")
    text_parts = [part.split(">", 1)[-1] for part in body]
    for part in text_parts:
        for ch in "[]()!`*_$\\{}<>\"'":
            assert ch not in part, (ch, part)


def cite(quote: str, **kw) -> Citation:
    base = dict(doc="d.txt", title="标题", section="一、总体 > （一）小节", quote=quote, start=10,
                end=10 + len(quote), score=0.81234, highlight=None)
    return Citation(**(base | kw))


@given(st.text(alphabet=st.sampled_from(list("<>&\"'`*_[](){}#+-.!|~$\\:@=/ \n\t\x00\x1b\u202e") + ["a", "中"]),
               max_size=60))
@settings(max_examples=300, deadline=None)
def test_escaped_text_reads_back_as_the_same_text_and_has_no_syntax(s):
    out = esc(s)
    assert_inert(out)
    expected = "".join(c for c in s if c not in "\x00\x1b\u202e").replace("\n", " ").replace("\t", " ")
    assert html.unescape(out) == expected


@given(st.text(min_size=1, max_size=40), st.data())
@settings(max_examples=200, deadline=None)
def test_highlight_wraps_exactly_the_answer_span(quote, data):
    a = data.draw(st.integers(0, len(quote) - 1))
    b = data.draw(st.integers(a + 1, len(quote)))
    out = highlighted(quote, (a, b))
    clean = lambda s: html.unescape(esc(s))  # noqa: E731 - the text as displayed
    inner = out.split('<mark class="qa-hl">', 1)[1].split("</mark>", 1)[0]
    assert html.unescape(inner) == clean(quote[a:b])
    assert "".join(parse(out).text) == clean(quote)


def test_answer_shows_answer_quote_highlight_and_citation():
    quote = "地区生产总值增长7%,力争实现7.5%,固定资产投资增长9%。"
    ans = Answer("q", "地区生产总值增长7%", False, [cite(quote, highlight=(0, 10))], answer_start=10, answer_end=20)
    out = answer_html(ans, "今年GDP增长多少？")
    assert_inert(out)
    p = parse(out)
    text = "".join(p.text)
    assert "地区生产总值增长7%" in text and quote in text
    assert "标题 › 一、总体 › （一）小节" in text and "第10–" in text
    assert '<mark class="qa-hl">地区生产总值增长7%</mark>' in out


def test_abstention_says_so_and_offers_the_nearest_passages():
    ans = Answer("q", "", True, [cite(f"第{i}句。") for i in range(5)], message="文档中没有找到这个问题的答案。")
    out = answer_html(ans, "进出口总额增长多少？")
    text = "".join(parse(out).text)
    assert "文档中没有找到这个问题的答案。" in text and "The documents do not say" in text
    assert [t for t, _ in parse(out).tags].count("li") == 3
    assert "qa-hl" not in out


def test_resolved_follow_up_question_is_shown_only_when_different():
    ans = Answer("q", "9.6%", False, [cite("农村增长9.6%。", highlight=(4, 8))])
    assert "理解为：去年农村居民收入增长多少？" in "".join(parse(answer_html(ans, "那农村呢？", "去年农村居民收入增长多少？")).text)
    assert "理解为" not in answer_html(ans, "同一个问题", "同一个问题")


def test_hostile_document_text_is_inert_everywhere():
    for bad in HOSTILE:
        c = cite(bad + "增长7%。", title=bad, section=bad + " > " + bad, doc=bad + ".txt", highlight=(0, 3))
        ans = Answer(bad, bad, False, [c, cite(bad)])
        ctx = context_html([{"text": bad, "quote": False, "section": bad},
                            {"text": c.quote, "quote": True, "section": bad}], c)
        outputs = [answer_html(ans, bad, bad + "?"), answer_html(Answer(bad, "", True, [c], message=bad), bad),
                   sources_html(ans, [ctx, ctx]), ctx,
                   documents_html([{"doc_id": bad, "title": bad, "sections": 1, "chunks": 2, "built": bad}])]
        for out in outputs:
            assert_inert(out)
            assert bad in "".join(parse(out).text)


def test_sources_list_each_passage_with_section_and_score_and_its_context():
    ans = Answer("q", "a", False, [cite("甲。", highlight=(0, 1)), cite("乙。", section="二、其他")])
    out = sources_html(ans, ["<div class=\"qa-ctx\">甲的上下文</div>", ""])
    p = parse(out)
    assert [t for t, _ in p.tags].count("details") == 2
    text = "".join(p.text)
    assert "相关度 0.81" in text and "二、其他" in text and "甲的上下文" in text and "上下文不可用" in text
    assert "点开一条" in sources_html(None)


def test_parts_of_one_sentence_share_one_quote_with_every_part_marked():
    """The items of one sentence (主要预期指标是:甲,乙,丙) show their sentence once, each item marked in it; a part
    from another passage keeps its own quote (before: the sentence repeated under every item)."""
    from qa.answering.result import Part

    sentence = "主要预期指标是:地区生产总值增长7%,固定资产投资增长9%,城镇新增就业人数8万人。"
    items = ["地区生产总值增长7%", "固定资产投资增长9%", "城镇新增就业人数8万人"]
    parts = [Part(t, "d.txt", 10 + sentence.index(t), 10 + sentence.index(t) + len(t),
                  cite(sentence, highlight=(sentence.index(t), sentence.index(t) + len(t)))) for t in items]
    parts.append(Part("其他", "d.txt", 200, 202, cite("其他段落", start=200, highlight=(0, 2))))
    out = answer_html(Answer("q", "；".join(items + ["其他"]), False, [p.citation for p in parts], parts=parts), "q")
    assert out.count('class="qa-quote"') == 2 and out.count('class="qa-answer qa-part"') == 4
    assert [html.unescape(m) for m in re.findall(r'<mark class="qa-hl">(.*?)</mark>', out)] == items + ["其他"]
    assert highlighted("甲乙丙丁", (2, 3), (0, 1)) == '<mark class="qa-hl">甲</mark>乙<mark class="qa-hl">丙</mark>丁'
