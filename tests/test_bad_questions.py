"""Whatever is typed, ask() answers or abstains, or says the question is empty; it never crashes."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.api import QuestionError, ask
from qa.config import MAX_QUESTION_CHARS
from qa.answering.question import prepare

PIECES = st.sampled_from(["今年", "GDP", "增长", "多少", "？", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                          "javascript:alert(1)", "![x](http://evil.example/p.png)", "😀🎉", "\u200b", "\x00", "\x1b[31m",
                          "'; DROP TABLE x; --", "مرحبا", "Ωμέγα", "\U0002a6a5", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\r\n", "ｆｕｌｌ", "7.5%"])
QUESTIONS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=12).map("".join))


def check(a, question):
    assert isinstance(a.abstained, bool)
    if a.abstained:
        assert a.answer == "" and a.message
    else:  # every part verbatim in its own quote, the answer the parts joined
        assert a.answer and a.parts and a.answer == "\n".join(p.text for p in a.parts)
        for p in a.parts:
            c = p.citation
            assert p.text and c.quote[c.highlight[0]:c.highlight[1]] == p.text
    for c in a.citations:
        assert c.quote and c.end > c.start


def ask_or_empty(question, index_dir):
    try:
        a = ask(question, index_dir=index_dir)
    except QuestionError as e:
        assert "empty" in str(e)
        assert not any(ch.isalnum() for ch in prepare(question)), "a question with words was refused as empty"
        return None
    check(a, question)
    return a


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUESTIONS)
def test_random_questions_never_crash(fake_index, q):
    ask_or_empty(q, fake_index)


@pytest.mark.parametrize("q", ["", " ", "\n\t ", "？！。", "\x00\x01", "\u200b\u200b"])
def test_empty_like_questions_are_refused_clearly(fake_index, q):
    with pytest.raises(QuestionError, match="empty"):
        ask(q, index_dir=fake_index)


def test_huge_question_is_truncated_in_bounded_time(fake_index):
    q = "今年地区生产总值增长多少？" * 8000  # 104,000 characters
    t = time.perf_counter()
    a = ask(q, index_dir=fake_index)
    assert time.perf_counter() - t < 30  # bounded, not a timing benchmark: guards against quadratic blow-up
    assert len(a.question) <= MAX_QUESTION_CHARS
    check(a, q)


@pytest.mark.model
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUESTIONS)
def test_random_questions_with_the_real_model(real_index, q):
    ask_or_empty(q, real_index)


# Questions and documents drawn from real corpora (issue 11): Wikipedia-like paragraphs of the CMRC 2018 and
# DRCD reading-comprehension sets (qa/testing/mrc_corpora.py), not the seed report alone. The fake embedder keeps
# builds cheap enough to build an index per drawn document set; tests/test_corpora.py asks with the real model.

CORPUS_EVERY = 8  # every 8th article of each corpus: about 300 paragraphs and 1,000 questions in all
# what a paragraph may go through on its way into a file: doubled and trailing marks, quotes after a sentence end,
# line breaks inside words, a paragraph of marks only, emoji, markup, half-width punctuation
MUTATIONS = ["none", "double-end", "quote-end", "ellipsis", "break", "marks-paragraph", "emoji", "markup", "ascii"]


def _mutate(text: str, how: str, at: int) -> str:
    at = at % (len(text) + 1)
    return {"none": text,
            "double-end": text.replace("。", "。。"),
            "quote-end": text.replace("。", "！」。", 2),
            "ellipsis": text.replace("。", "。……", 2) + "……",
            "break": text[:at] + "\n" + text[at:],
            "marks-paragraph": text[:at] + "\n\n。。。\n\n……\n\n" + text[at:],
            "emoji": text[:at] + "😀🎉。" + text[at:],
            "markup": text[:at] + "<b>粗体</b>#" + text[at:],
            "ascii": text.translate(str.maketrans("，。：；！？（）", ",.:;!?()")),
            }[how]


class Sample(tuple):
    """(paragraphs, questions); a short repr, as Hypothesis prints a failing example's arguments."""

    def __repr__(self) -> str:
        return f"<{len(self[0])} paragraphs and {len(self[1])} questions of the corpora, every {CORPUS_EVERY}th article>"


@pytest.fixture(scope="module")
def corpus_sample():
    from qa.testing import mrc_corpora as mc
    from qa.testing.data import needs

    needs(*mc.files())
    return Sample((mc.paragraphs(CORPUS_EVERY), [e.question for n in mc.NAMES for e in mc.examples(n, CORPUS_EVERY)]))


@pytest.fixture(scope="module")
def corpus_fake_index(tmp_path_factory, corpus_sample):
    """The sampled paragraphs of the three corpora in one index (fake embedder)."""
    from qa.testing import mrc_corpora as mc
    from qa.index.build import build_index
    from qa.model.embedding import get_embedder

    folder = tmp_path_factory.mktemp("corpora")
    corpus = mc.write_all(folder / "docs", CORPUS_EVERY)
    build_index([corpus.folder], folder / "index", embedder=get_embedder("qa.testing.fakes:HashEmbedder"))
    return folder / "index", mc.read_texts([corpus.folder])


def corpus_question(data, paragraphs, questions) -> str:
    """A real question, as asked or cut or dressed up, a piece of a paragraph, a title, or anything."""
    from qa.testing import mrc_corpora as mc

    title, para = data.draw(st.sampled_from(paragraphs))
    q = data.draw(st.sampled_from(questions))
    i, j = sorted(data.draw(st.lists(st.integers(0, len(para)), min_size=2, max_size=2)))
    return data.draw(st.one_of(
        st.just(q), st.just(q[: max(1, len(q) // 2)]), st.just(para[i:j][:200]), st.sampled_from([title, f"{title}是什么？"]),
        st.sampled_from(mc.ODD_QUESTIONS), st.tuples(PIECES, PIECES).map(lambda ab: ab[0] + q + ab[1]), QUESTIONS))


def ask_checked(question, index_dir, texts):
    """ask_or_empty, and every citation's offsets checked against the document's text."""
    from qa.testing import mrc_corpora as mc

    a = ask_or_empty(question, index_dir)
    if a is not None:
        mc.check_answer(a, texts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corpus_questions_never_crash(corpus_sample, corpus_fake_index, data):
    paragraphs, questions = corpus_sample
    index_dir, texts = corpus_fake_index
    ask_checked(corpus_question(data, paragraphs, questions), index_dir, texts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corpus_paragraphs_split_into_sentences_that_hold_words(corpus_sample, data):
    from qa.text.documents import Document, clean_text
    from qa.text.structure import build_structure

    title, para = data.draw(st.sampled_from(corpus_sample[0]))
    text = f"{title}\n\n{_mutate(para, data.draw(st.sampled_from(MUTATIONS)), data.draw(st.integers(0, 10**6)))}\n"
    doc = Document("t.txt", "t.txt", text, "x", clean_text(text))
    for s in build_structure(doc)[1]:
        assert any(ch.isalnum() for ch in s.text), s.text
        assert "".join(doc.text[s.start:s.end].split()) == "".join(s.text.split())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corpus_documents_never_crash(corpus_sample, tmp_path_factory, data):
    """A few drawn paragraphs, each maybe mangled, indexed on their own and asked about."""
    from qa.testing import mrc_corpora as mc
    from qa.index.build import build_index
    from qa.model.embedding import get_embedder

    paragraphs, questions = corpus_sample
    folder = tmp_path_factory.mktemp("drawn")
    (folder / "docs").mkdir()
    for n in range(data.draw(st.integers(1, 3))):
        title, para = data.draw(st.sampled_from(paragraphs))
        para = _mutate(para, data.draw(st.sampled_from(MUTATIONS)), data.draw(st.integers(0, 10**6)))
        (folder / "docs" / f"d{n}.txt").write_text(f"{title}\n\n{para}\n", encoding="utf-8")
    summary = build_index([folder / "docs"], folder / "index", embedder=get_embedder("qa.testing.fakes:HashEmbedder"))
    assert summary.documents + len(summary.duplicates) + len(summary.skipped) >= 1
    if not summary.documents:
        return
    texts = mc.read_texts([folder / "docs"])
    for _ in range(data.draw(st.integers(1, 3))):
        ask_checked(corpus_question(data, paragraphs, questions), folder / "index", texts)
