"""The web chat in a real browser (headless Debian Chromium) and through gradio_client, real model.

One app instance (loopback bind, its own project home) serves every test in this module.
Screenshots go to artifacts/.
"""

from __future__ import annotations

import json
import threading

import pytest

from qa.testing.webapp import (PROXY_ENV, SEED_NAME, ask_in_page, client_headers, make_home, open_app, shot,
                             start_app)

pytestmark = pytest.mark.browser

# Sixteen questions with sixteen different answers, so crossed replies show up; each concurrent answer is compared
# with the same question asked alone (how many the reader answers right is qa eval's guard, not this test's). The
# phrase is what the shipped reader answered when they were chosen.
CONCURRENT = [
    ("国庆假期期间,柳巷在全国热门消费商圈里排到了第几?", "第二名"),
    ("去年是哪座石窟的佛首回归了故里?", "天龙山石窟"),
    ("去年太原植树造林完成了多大面积?", "46万亩"),
    ("去年生产安全事故中丧生的人数比前一年少了多少?", "26.22%"),
    ("跟前一年比,去年城区的空气质量综合指数降了多少?", "11.3%"),
    ("2021年棚户区住房改造新开工多少套?", "1874套"),
    ("去年全市多出来多少个公共车位?", "1.3万余个"),
    ("How many pure-electric buses did Taiyuan put in to replace old ones last year?", "529辆"),
    ("因为汛灾房屋受损、后来修好或重建的有多少户?", "1113户"),
    ("去年一次性增补了多少辆救护车?", "45辆"),
    ("今年动工改造的旧小区有多少个?", "604个"),
    ("过去五年太原开通运营的是哪条地铁线?", "地铁2号线"),
    ("未来五年要培育多少家新型研发机构?", "350家"),
    ("产值上千亿的工业支柱产业集群要搞几个?", "6个"),
    ("五年后第三产业(服务业)增加值要过多少?", "6000亿元"),
    ("五年后太原要多出多少人口?", "100万"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = start_app(make_home(tmp_path_factory.mktemp("web-chat")), env=PROXY_ENV)  # see the 16 clients
    yield running
    running.stop()


def test_answer_shows_highlight_citation_sources_and_context(app, guarded):
    page = open_app(guarded, app)
    ask_in_page(page, "今年地区生产总值预期增长多少？")
    reply = page.locator(".qa-reply").last
    assert "7%" in reply.locator(".qa-answer").inner_text()
    marked = reply.locator("mark.qa-hl").inner_text()
    assert "7%" in marked and marked in reply.locator(".qa-quote").inner_text()
    where = reply.locator(".qa-cite").inner_text()
    assert "政府工作报告" in where and "2022年工作安排" in where and SEED_NAME in where
    citation = page.input_value("#qa-citation textarea")
    assert citation.startswith("「") and "政府工作报告" in citation and SEED_NAME in citation
    assert page.locator("#qa-citation button[aria-label='Copy']").count() == 1
    sources = page.locator("#qa-sources-panel details.qa-src")
    assert sources.count() >= 3
    assert "相关度" in sources.first.locator("summary").inner_text()
    sources.first.locator("summary").click()
    ctx = sources.first.locator(".qa-ctx")
    ctx.wait_for(state="visible")
    assert ctx.locator("p").count() >= 2 and "7%" in ctx.locator(".qa-ctx-quote mark.qa-hl").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    shot(page, "web_answer")


def test_an_outline_answer_is_a_list_of_verbatim_parts(app, guarded):
    """An outline question gets the report's own headings, one item each, every one with its quote and offsets."""
    page = open_app(guarded, app)
    ask_in_page(page, "今年重点抓哪几方面工作？")
    reply = page.locator(".qa-reply").last
    parts = reply.locator("ol.qa-parts > li")
    assert parts.count() >= 3
    assert reply.locator(".qa-note").inner_text().startswith(f"共{parts.count()}项")
    for k in range(parts.count()):  # headings of their own: each its quote (parts of one sentence share it)
        text = parts.nth(k).locator(".qa-part").inner_text()
        assert text and text in parts.nth(k).locator(".qa-quote").inner_text()
        assert "政府工作报告" in parts.nth(k).locator(".qa-cite").inner_text()
    assert "太原一体化经济区" in parts.first.locator(".qa-part").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "web_outline")


def test_the_items_of_one_sentence_are_marked_in_it_once(app, guarded):
    """A list whose items stand in one sentence (主要预期指标是:…): the items numbered, the sentence shown once with
    every item marked in it."""
    page = open_app(guarded, app)
    ask_in_page(page, "今年经济社会发展的主要预期指标有哪些?")
    reply = page.locator(".qa-reply").last
    parts = reply.locator("ol.qa-parts > li")
    assert parts.count() >= 6 and reply.locator(".qa-quote").count() == 1
    marks = reply.locator(".qa-quote mark.qa-hl")
    assert marks.count() == parts.count()
    assert [marks.nth(k).inner_text() for k in range(marks.count())] == \
        [parts.nth(k).locator(".qa-part").inner_text() for k in range(parts.count())]
    assert "地区生产总值增长7%" == parts.first.locator(".qa-part").inner_text()
    shot(page, "web_list")


def test_unanswerable_question_says_so_and_offers_nearest_passages(app, guarded):
    page = open_app(guarded, app)
    ask_in_page(page, "太原铁路枢纽客运西环线全长多少公里?")
    reply = page.locator(".qa-reply").last
    assert reply.locator(".qa-none").inner_text().startswith("文档中没有找到这个问题的答案")
    assert "The documents do not say" in reply.inner_text()
    assert reply.locator(".qa-nearest li").count() >= 1 and reply.locator("mark.qa-hl").count() == 0
    assert page.input_value("#qa-citation textarea") == ""
    shot(page, "web_abstain")
    ask_in_page(page, "未来五年要培育多少家新型研发机构？")
    assert "350家" in page.input_value("#qa-citation textarea")
    page.locator(".qa-reply").first.click()  # an earlier reply brings back its own sources and citation
    page.wait_for_function("document.querySelector('#qa-citation textarea').value === ''")
    assert page.locator("#qa-sources-panel details.qa-used").count() == 0  # abstained: no passage was used


def test_example_click_follow_up_and_feedback(app, guarded):
    page = open_app(guarded, app)
    page.locator("#qa-examples").get_by_text("去年城镇居民人均可支配收入增长多少？").click()
    page.wait_for_selector(".qa-reply:not(.qa-wait)", timeout=60000)
    first = page.locator(".qa-reply").last
    assert "8%" in first.locator(".qa-answer").inner_text()
    ask_in_page(page, "那农村呢？")
    reply = page.locator(".qa-reply").last
    resolved = reply.locator(".qa-resolved").inner_text()
    assert "农村居民人均可支配收入" in resolved and "那农村呢" not in resolved
    assert "9.6%" in reply.locator(".qa-answer").inner_text()
    page.locator("#qa-chat button[aria-label='赞']").last.click()
    page.wait_for_function("document.querySelector('#qa-feedback-note').innerText.includes('有用')")
    rows = [json.loads(x) for x in (app.home / "feedback" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[-1]["vote"] == "useful" and "农村" in rows[-1]["question"] and "9.6%" in rows[-1]["answer"]
    assert rows[-1]["citation"].startswith("「")
    shot(page, "web_followup")


def test_over_long_question_is_refused_in_the_page(app, guarded):
    page = open_app(guarded, app)
    ask_in_page(page, "请问" * 300)
    error = page.locator(".qa-reply.qa-error").last.inner_text()
    assert "问题太长" in error and "500" in error


def test_api_ask_documents_and_context(app):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app.url, verbose=False)
    assert {"/ask", "/documents", "/context", "/upload", "/remove"} <= set(
        client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    a = client.predict("今年地区生产总值预期增长多少？", api_name="/ask")
    assert a["question"] == "今年地区生产总值预期增长多少？" and not a["abstained"] and "7%" in a["answer"]
    c = a["citations"][0]
    assert c["quote"][c["highlight"][0]:c["highlight"][1]] == a["answer"]
    around = client.predict(c["doc"], c["start"], api_name="/context")
    assert [r["text"] for r in around if r["quote"]] == [c["quote"]]
    docs = client.predict(api_name="/documents")
    assert [d["doc_id"] for d in docs] == [SEED_NAME] and docs[0]["title"] == "政府工作报告"
    assert "path" not in docs[0] and str(app.home) not in json.dumps(docs, ensure_ascii=False)
    with pytest.raises(AppError, match="500"):
        client.predict("问" * 501, api_name="/ask")
    with pytest.raises(AppError, match="请输入"):
        client.predict("  ？ ", api_name="/ask")
    with pytest.raises(AppError, match="没有这个段落"):
        client.predict(SEED_NAME, 999999, api_name="/context")


def test_sixteen_concurrent_clients_get_their_own_answers(app):
    from gradio_client import Client

    results: dict[str, dict] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(CONCURRENT))

    def one(i: int, question: str) -> None:
        try:  # each client an address of its own (one address has a share of 4 questions at a time)
            client = Client(app.url, verbose=False, headers=client_headers(i))
            start.wait(60)
            results[question] = client.predict(question, api_name="/ask")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i, q)) for i, (q, _) in enumerate(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    alone = Client(app.url, verbose=False, headers=client_headers(99))
    for question, _ in CONCURRENT:  # each answer is the one the same question gets asked alone, whatever it is
        got, single = results[question], alone.predict(question, api_name="/ask")
        assert got["question"] == question
        assert (got["answer"], got["citations"]) == (single["answer"], single["citations"]), question
    assert len({results[q]["answer"] for q, _ in CONCURRENT}) == len(CONCURRENT)  # no two replies crossed
