"""The reader's data windows, the mapping of its spans back onto sentences, and its abstention.

A fake reader (the first figure of a passage is the answer; no figure: "no answer" wins) stands in
for the network in the unit tests; tests marked ``model`` use the shipped weights, and one guards a
slice of the validation figures (closed reading on DRCD test, see benchmarks/validate.py).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from qa.api import load_index
from qa.model.reader import Reading
from qa.model.passages import windows_around
from qa.text.structure import sentence_spans
from qa.training.data import Example, training_features
from qa.answering.question import analyse
from qa.answering.candidates import candidates
from qa.answering.decide import choose, rank, read_in_stages
from qa.answering.retrieve import retrieve
from qa.answering.windows import windows
from qa.model.heads import Heads, Logistic, Stages
from qa.testing.data import MRC, floor, needs


class CharTokenizer:
    """One token a character (id from the code point), with offsets, like the fast tokenizer's output."""

    class _Enc:
        def __init__(self, text):
            self.ids = [5 + ord(c) % 1000 for c in text]
            self.offsets = [(i, i + 1) for i in range(len(text))]

    def encode(self, text, add_special_tokens=False):
        return self._Enc(text)


class FigureReader:
    """Answers with the first figure of a passage; a passage without one says "no answer"."""

    def __init__(self):
        self.calls = []

    def heads(self):
        return Heads()

    def read(self, question, passages):
        self.calls.append(passages)
        out = []
        for p in passages:
            m = re.search(r"[0-9.]+%?", p)
            out.append(Reading(m.start(), m.end(), 5.0, 1.0) if m else Reading(0, 1, 0.0, 2.0))
        return out


def test_sentences_keep_their_punctuation_and_cover_the_text():
    text = "第一句。第二句！“第三句？”尾巴"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["第一句。", "第二句！", "“第三句？”", "尾巴"]


def test_windows_grow_right_then_left_within_the_limit():
    spans = [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50)]
    assert windows_around(spans, 2, 30) == (10, 40)  # right first, then left, then nothing more fits
    assert windows_around(spans, 0, 25) == (0, 20)
    assert windows_around(spans, 4, 5) == (40, 50)  # a sentence longer than the limit stays whole


def test_training_windows_label_the_answer_tokens():
    ctx = "甲市位于北方。全市人口达到320万人，面积1200平方公里。乙市在南方。" * 3
    ex = Example("q1", "甲市有多少人口？", ctx, [("320万人", ctx.index("320万人"))])
    feats = training_features([ex] * 40, CharTokenizer(), negative_rate=0.5, seed=1)
    pos = [f for f in feats if f.start]
    neg = [f for f in feats if not f.start]
    assert pos and neg
    for f in pos:
        a, b = f.start - f.passage_offset, f.end - f.passage_offset
        window = "".join(chr((i - 5) % 1000) for i in f.ids[f.passage_offset:-1].tolist())
        assert window[f.offsets[a][0]:f.offsets[b][1]] == "".join(chr(ord(c) % 1000) for c in "320万人")
    for f in neg:
        assert f.end == 0 and "320万人" not in "".join(chr((i - 5) % 1000) for i in f.ids.tolist())


def test_reader_spans_map_back_onto_their_sentence(fake_index, fake_embedder):
    index = load_index(fake_index)
    q = analyse("今年城镇新增就业人数多少？")
    hits = retrieve(index, q, fake_embedder.encode_queries([q.embed_text])[0], k=10)
    wins = windows(index, hits)
    assert wins and len({tuple(c.id for c in w.chunks) for w in wins}) == len(wins)
    for w in wins:
        assert w.hit.chunk in w.chunks
        if len(w.chunks) > 1:  # neighbours join only within the limit (one long sentence may stand alone beyond it)
            assert len(w.text) <= 160
        assert len({c.para for c in w.chunks}) == 1 and len({c.doc for c in w.chunks}) == 1
        for i in (0, len(w.text) - 1):
            chunk, k = w.locate(i)
            assert chunk.text[k] == w.text[i]


def test_candidates_widen_reader_spans_to_clauses_and_rank(fake_index, fake_embedder, seed_text):
    index = load_index(fake_index)
    q = analyse("今年城镇新增就业人数多少？")
    hits = retrieve(index, q, fake_embedder.encode_queries([q.embed_text])[0], k=10)
    cands = rank(candidates(q, hits, index, FigureReader()), Logistic())
    assert cands and [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    best = next(c for c in cands if c.reader)
    assert best.margin == 4.0 and re.search(r"[0-9.]+%?", best.answer)
    assert best.answer == best.chunk.text[best.answer_start:best.answer_end]
    assert best.answer[-1] not in "，,；;。" and len(best.answer) < len(best.chunk.text) + 1
    start = index.file_offset(best.chunk, best.answer_start)
    assert seed_text[start:start + len(best.answer)] == best.answer
    assert {c.reader for c in cands} == {True, False}  # the rules' clauses are candidates too


def test_the_abstention_model_decides_and_says_why(fake_index, fake_embedder):
    index = load_index(fake_index)
    q = analyse("今年城镇新增就业人数多少？")
    hits = retrieve(index, q, fake_embedder.encode_queries([q.embed_text])[0], k=10)
    ranked = rank(candidates(q, hits, index, FigureReader()), Logistic())
    best, reason = choose(q, ranked, Logistic({"margin": 1.0}, -10.0))  # margin 4 - 10 < 0: abstain
    assert best is None and reason.kind == "reader"
    best, reason = choose(q, ranked, Logistic({"margin": 1.0}, 0.0))
    assert best is ranked[0] and reason is None
    later = [c for c in ranked]
    for c in later:
        c.hit.period_agreement = -1
    best, reason = choose(q, later, Logistic())
    assert best is None and reason.kind == "period"


def test_reading_in_stages_stops_when_sure_and_otherwise_reads_every_window(fake_index, fake_embedder):
    index = load_index(fake_index)
    q = analyse("今年城镇新增就业人数多少？")
    hits = retrieve(index, q, fake_embedder.encode_queries([q.embed_text])[0], k=10)
    n = len(windows(index, hits))
    assert n >= 3
    once = FigureReader()
    ranked, best, _ = read_in_stages(q, hits, index, once, Heads())
    assert [len(p) for p in once.calls] == [n]  # no stages: every window in one batch
    sure = FigureReader()  # margin 4 >= 3: the first window is enough
    _, first, _ = read_in_stages(q, hits, index, sure, Heads(stop=Stages((1, 2, n), 3.0)))
    assert [len(p) for p in sure.calls] == [1] and first is not None and first.window == 0
    unsure = FigureReader()  # never sure: all stages are read, and the choice is that of one batch
    staged, again, _ = read_in_stages(q, hits, index, unsure, Heads(stop=Stages((1, 2, n), 99.0)))
    assert [len(p) for p in unsure.calls] == [1, 1, n - 2]
    assert [p for batch in unsure.calls for p in batch] == once.calls[0]
    assert (again.chunk.id, again.answer) == (best.chunk.id, best.answer)
    assert [(c.chunk.id, c.answer) for c in staged] == [(c.chunk.id, c.answer) for c in ranked]
    assert 0 in {c.window for c in staged} <= set(range(n))
    assert Stages.from_dict(Stages((1, 6), 2.5).to_dict()) == Stages((1, 6), 2.5)


def test_the_reader_scores_any_clause_of_its_window_not_only_its_best_span():
    from qa.model.reader import _best

    passage = "收入增长5%,支出增长3%。"
    offsets = [(i, i + 1) for i in range(len(passage))]
    logits = np.full((len(passage) + 1, 2), -5.0)  # row 0: "no answer"; passage tokens from row 1
    logits[0] = (1.0, 1.0)
    logits[1 + passage.index("5"), 0], logits[1 + passage.index("%"), 1] = 4.0, 4.0  # best: 5%
    logits[1 + passage.index("3"), 0], logits[1 + passage.rindex("%"), 1] = 2.0, 2.5  # runner-up: 3%
    r = _best(logits, 1, offsets, passage)
    assert passage[r.start:r.end] == "5%" and r.margin == 6.0
    comma = passage.index(",")
    assert r.margin_within(0, comma) == 6.0
    assert r.margin_within(comma + 1, len(passage)) == 2.5  # the other clause: 2 + 2.5 - 2
    assert r.margin_within(3, 3) == float("-inf")
    stand_in = Reading(2, 4, 5.0, 1.0)  # a reader that gives its best span only
    assert stand_in.margin_within(0, 6) == 4.0 and stand_in.margin_within(5, 9) == 0.0


def test_logistic_round_trips_through_its_record():
    m = Logistic({"margin": 0.5, "rules": 2.0}, -1.0)
    assert Logistic.from_dict(m.to_dict()) == m
    assert m({"margin": 2.0, "rules": 1.0}) == 2.0 and 0.5 < m.probability({"margin": 2.0, "rules": 1.0}) < 1
    assert Logistic.from_dict(None) == Logistic({"margin": 1.0}, 0.0)


@pytest.mark.model
def test_shipped_weights_are_small_and_say_what_they_were_trained_on():
    from qa.model.reader import WEIGHTS_DIR

    size = sum(p.stat().st_size for p in WEIGHTS_DIR.iterdir())
    assert size <= 25 * 1024 * 1024
    info = json.loads((WEIGHTS_DIR / "reader.json").read_text())
    files = info["settings"]["train_files"]
    assert "drcd_test.json" not in files and "drcd_dev.json" in files


@pytest.mark.model
def test_real_reader_finds_the_figure():
    from qa.model.reader import Reader

    passages = ["统筹考虑各方面因素,今年经济社会发展主要预期指标是:地区生产总值增长7%,力争实现7.5%,固定资产投资增长9%。",
                "过去一年，全市新建城市公园12个，新增绿地面积300公顷。"]
    r = Reader().read("今年固定资产投资预期增长多少？", passages)
    assert passages[0][r[0].start:r[0].end].endswith("9%") and r[0].margin > r[1].margin
    assert isinstance(r[0].score, float) and np.isfinite(r[0].null)


SLICE_EM, SLICE_F1 = 0.41, 0.63  # first 100 DRCD test questions, shipped weights (2026-11-28)
DRCD_TEST = MRC / "drcd_test.json"


@pytest.mark.model
def test_closed_reading_on_a_validation_slice_holds():
    needs(DRCD_TEST)
    from qa.model.reader import Reader
    from qa.training.data import load_squad
    from qa.evaluation.mrc import closed_reading

    got = closed_reading(Reader(), load_squad(DRCD_TEST)[:100])
    # measured with the shipped weights: see docs/measurements.md; the guard allows 0.05 of noise
    print("recorded", SLICE_EM, SLICE_F1, "measured", got)  # -rP shows it: the figure a new reader records
    assert got["exact_match"] >= floor(SLICE_EM, 100) and got["char_f1"] >= floor(SLICE_F1, 100), got


E2E_PARAGRAPHS = 40
# first 40 DRCD test paragraphs (120 questions) through ask(), shipped weights, the CI machine (AVX2 without VNNI, where
# the u8 graphs compute what VNNI does; 2026-12-03). 0.708 / 0.958 of 2026-11-28 were measured with the s8 graphs of
# that day; on this CPU that commit gives 0.650 (s8 saturates without VNNI), every commit since the u8 graphs (6d61bf2) 0.675.
E2E_HIT, E2E_DOC1 = 0.675, 0.942


@pytest.mark.model
def test_end_to_end_on_a_validation_slice_holds(tmp_path):
    needs(DRCD_TEST)
    from qa import build_index
    from qa.training.data import load_squad
    from qa.evaluation.mrc import end_to_end, first_paragraphs, write_corpus

    exs = first_paragraphs(load_squad(DRCD_TEST), E2E_PARAGRAPHS)
    where = write_corpus(exs, tmp_path / "docs")
    build_index(sources=[tmp_path / "docs"], index_dir=tmp_path / "index")
    got = end_to_end(exs, tmp_path / "index", where)
    assert got["crashes"] == 0 and got["median_chars"] <= 40, got
    print("recorded", E2E_HIT, E2E_DOC1, "measured", got)
    n = got["questions"]
    assert got["answer_hit"] >= floor(E2E_HIT, n) and got["doc@1"] >= floor(E2E_DOC1, n), got


def test_a_marked_span_widens_to_its_clause_without_the_punctuation():
    from qa.text.clauses import widen

    t = "地区生产总值年均增长7%,一般公共预算收入年均增长8.4%。"
    a = t.index("8.4")
    assert t[slice(*widen(t, a, len(t)))] == "一般公共预算收入年均增长8.4%"  # the span took the full stop
    assert t[slice(*widen(t, t.index("7%"), t.index("7%") + 2))] == "地区生产总值年均增长7%"
    assert widen("5%左右", 0, 2) == (0, 4)


def test_distillation_loss_is_zero_when_the_student_matches_the_teacher():
    import torch
    from qa.training.train import _distillation

    teacher = [np.array([[1.0, 0.5], [3.0, -1.0], [0.0, 2.0]], np.float32), np.array([[0.2, 0.1], [1.0, 1.0]], np.float32)]
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    same = torch.full((2, 3, 2), torch.finfo(torch.float32).min / 2)
    same[0] = torch.from_numpy(teacher[0])
    same[1, :2] = torch.from_numpy(teacher[1])
    assert float(_distillation(same, teacher, [0, 1], mask, 2.0, torch)) == pytest.approx(0.0, abs=1e-6)
    other = same.clone()
    other[0, 1, 0] = -3.0  # the student disagrees on one start
    assert float(_distillation(other, teacher, [0, 1], mask, 2.0, torch)) > 0.01


XQUAD_HIT = {True: (0.558, 0.791), False: (0.651, 0.954)}  # XQuAD articles 24-25 (43 questions; the 160 paragraphs of
# articles 0-31 as documents): answer_hit, doc@1 of the English (2026-11-28) and of the Chinese questions (the CI
# machine, 2026-12-03: 28 of 43; 30 of 43 on 2026-11-28 with the s8 graphs), shipped weights
XQUAD_CLOSED_F1 = 0.61  # the first 60 English questions of articles 24-31, closed reading (2026-11-28)


@pytest.fixture(scope="module")
def xquad_index(tmp_path_factory):
    from qa import build_index
    from qa.config import default_mrc_dir
    from qa.evaluation.mrc import write_corpus
    from qa.training.data import load_xquad

    needs(MRC / "xquad_zh.json", MRC / "xquad_en.json")
    tmp = tmp_path_factory.mktemp("xquad")
    where = write_corpus(load_xquad(default_mrc_dir(), slice(0, 32), english=False), tmp / "docs")
    build_index(sources=[tmp / "docs"], index_dir=tmp / "index")
    return tmp / "index", where


@pytest.mark.model
@pytest.mark.parametrize("english", [True, False], ids=["english", "chinese"])
def test_xquad_validation_slice_holds_in_both_languages(xquad_index, english):
    """English questions over Chinese paragraphs go through the bridge and the reader as well as recorded, and the
    same questions in Chinese too (XQuAD's validation articles: never trained, tuned or fitted on)."""
    from qa.config import default_mrc_dir
    from qa.evaluation.mrc import end_to_end
    from qa.training.data import load_xquad

    index, where = xquad_index
    got = end_to_end(load_xquad(default_mrc_dir(), slice(24, 26), english=english), index, where)
    hit, doc1 = XQUAD_HIT[english]
    print("recorded", hit, doc1, "measured", got)
    n = got["questions"]
    assert got["crashes"] == 0 and got["answer_hit"] >= floor(hit, n) and got["doc@1"] >= floor(doc1, n), got


@pytest.mark.model
def test_closed_reading_of_english_questions_holds():
    needs(MRC / "xquad_en.json")
    from qa.config import default_mrc_dir
    from qa.evaluation.mrc import closed_reading
    from qa.model.reader import Reader
    from qa.training.data import load_xquad

    got = closed_reading(Reader(), load_xquad(default_mrc_dir(), slice(24, 32), english=True)[:60])
    print("recorded", XQUAD_CLOSED_F1, "measured", got)
    assert got["char_f1"] >= floor(XQUAD_CLOSED_F1, 60), got
