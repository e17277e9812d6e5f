"""Train the extractive reader (``qa train-reader``) and export it as a small int8 ONNX file.

The backbone is the converted multilingual-e5-small (:mod:`qa.model.e5convert`) with a start/end
head on every token; the no-answer score is the head's score of the first token (SQuAD 2.0 style).
Word embeddings stay frozen (they are not shipped: at question time they are read from the converted
model, see :mod:`qa.model.reader`), and so do the lowest ``freeze`` layers, which halves the cost
of a step on a CPU. Training may start from a trained reader's weights (``--init``, its int8 graph
dequantized: :mod:`.warm`) instead of e5's. Data and splits: :mod:`.data` (never DRCD test or XQuAD 24-31,
the validation sets of ``benchmarks/validate.py``); questions made from them: :mod:`.augment`. The files
written: :mod:`.export`. Uses CUDA when present, never requires it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..model.passages import MAX_TOKENS, PAD, WINDOW_CHARS
from ..model.reader import WEIGHTS_DIR
from .data import (TRAIN_FILES, TUNE_ARTICLES, XQUAD_TRAIN, Example, load_squad, load_xquad, reference_windows,
                   training_features)
from .export import export

log = logging.getLogger(__name__)


def _setting(default, text: str):
    return field(default=default, metadata={"help": text})


@dataclass
class TrainSettings:
    train_files: tuple[str, ...] = TRAIN_FILES
    xquad: bool = _setting(True, "train on XQuAD's training articles (0-19), Chinese and English questions")
    switch_rate: float = _setting(0.25, "share of Chinese questions also asked code-switched (English words from the "
                                        "dictionary in place of some Chinese ones)")
    glossed_rate: float = _setting(0.1, "share of Chinese questions also asked word by word in English")
    near_miss_rate: float = _setting(0.3, "share of Chinese questions also asked as a near miss (subject, unit, "
                                          "measure or period changed), with no answer in their window")
    english_near_miss_rate: float = _setting(0.3, "share of English questions also asked as a near miss (the "
                                                  "measure asked changed: how many -> how much money)")
    init: str = _setting("", "a trained reader's folder to start from (its int8 graph dequantized); '' starts "
                             "from e5")
    epochs: int = _setting(4, "passes over the training windows")
    batch_size: int = _setting(32, "windows a step")
    lr: float = _setting(1e-4, "peak learning rate (AdamW, linear warm-up and decay)")
    freeze: int = _setting(4, "lowest encoder layers kept as in e5, not trained (halves a step's cost on a CPU)")
    negative_rate: float = _setting(0.3, "share of questions also given a window of their paragraph without the answer")
    window_chars: int = WINDOW_CHARS
    max_tokens: int = MAX_TOKENS
    warmup: float = _setting(0.06, "share of the steps spent warming up the learning rate")
    seed: int = _setting(0, "random seed (data order, augmentation)")
    max_steps: int = _setting(0, "stop after this many steps (0: all epochs); for smoke tests")
    layers: int = _setting(12, "encoder layers kept (the lowest ones of e5): fewer read faster")
    teacher: str = _setting("", "a trained reader's folder whose start/end scores the new one also learns to match "
                                "(distillation), e.g. a 12-layer reader for a 6-layer one")
    distill: float = _setting(0.5, "with a teacher: the weight of matching its scores against that of the gold span")
    temperature: float = _setting(2.0, "with a teacher: the softmax temperature its scores are matched at")


def training_examples(data_dir: str | Path, s: "TrainSettings", progress=print) -> list[Example]:
    """The training questions: the Chinese files (DRCD dev without its tuning articles, CMRC trial), XQuAD's
    training articles in Chinese and in English (each English question twice: as asked and glossed with the
    dictionary, as :func:`qa.text.dictionary.gloss` gives it to the reader), and questions made from the
    Chinese ones (:mod:`.augment`): code-switched, glossed word by word, near misses."""
    from dataclasses import replace

    from ..text.dictionary import gloss
    from .augment import code_switch, glossed, measure_miss, near_miss, noun_pool

    rng = random.Random(s.seed)
    chinese: list[Example] = []
    for name in s.train_files:
        if "test" in name:
            raise ValueError(f"{name}: the test split is the validation set and never enters training")
        # DRCD dev's last articles are the tuning split (see data.TUNE_ARTICLES)
        chinese += load_squad(Path(data_dir) / name, articles=slice(-TUNE_ARTICLES) if "drcd" in name else slice(None))
    english: list[Example] = []
    if s.xquad:
        chinese += load_xquad(data_dir, XQUAD_TRAIN, english=False)
        for e in load_xquad(data_dir, XQUAD_TRAIN, english=True):
            english += [e, replace(e, qid=e.qid + "/gloss", question=gloss(e.question))]
            miss = rng.random() < s.english_near_miss_rate and measure_miss(e.question, e.context, rng)
            if miss:
                english.append(Example(e.qid + "/nm", gloss(miss), e.context, [], e.title, anchor=e.answers[0][1]))
    chinese = [e for e in chinese if e.answers]
    pool = noun_pool([e.question for e in chinese])
    made: dict[str, list[Example]] = {"code-switched": [], "glossed": [], "near miss": []}
    for e in chinese:
        r = rng.random()
        if r < s.switch_rate:
            q = code_switch(e.question, rng)
            if q:
                made["code-switched"].append(replace(e, qid=e.qid + "/cs", question=gloss(q) if rng.random() < 0.5 else q))
        elif r < s.switch_rate + s.glossed_rate:
            q = glossed(e.question)
            if q:
                made["glossed"].append(replace(e, qid=e.qid + "/en", question=gloss(q) if rng.random() < 0.5 else q))
        if rng.random() < s.near_miss_rate:
            miss = near_miss(e.question, e.context, rng, pool)
            if miss:
                made["near miss"].append(Example(e.qid + "/nm", miss[0], e.context, [], e.title, anchor=e.answers[0][1]))
    progress(f"reader data: {len(chinese)} Chinese questions, {len(english)} English (XQuAD), "
             + ", ".join(f"{len(v)} {k}" for k, v in made.items()))
    return chinese + english + [x for v in made.values() for x in v]


def reader_model(model_dir: Path, layers: int = 12):
    """The reader to train: e5's encoder (its lowest ``layers``) with a start/end head."""
    import torch
    from transformers import BertModel

    class Reader(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = BertModel.from_pretrained(str(model_dir), add_pooling_layer=False, attn_implementation="eager",
                                                  num_hidden_layers=layers)
            self.qa = torch.nn.Linear(self.bert.config.hidden_size, 2)
            torch.nn.init.normal_(self.qa.weight, std=0.02)
            torch.nn.init.zeros_(self.qa.bias)

        def forward(self, input_ids=None, attention_mask=None, inputs_embeds=None):
            h = self.bert(input_ids=input_ids, inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            logits = self.qa(h)
            big = torch.finfo(logits.dtype).min / 2
            return logits.masked_fill(attention_mask[..., None] == 0, big)

    return Reader()


def _batches(feats, size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = list(range(len(feats)))
    rng.shuffle(order)
    pool = size * 50
    out = []
    for i in range(0, len(order), pool):
        part = sorted(order[i:i + pool], key=lambda k: len(feats[k].ids))
        out += [part[j:j + size] for j in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def teacher_scores(teacher: str | Path, model_dir: Path, feats, progress=print) -> list[np.ndarray]:
    """The teacher reader's start/end scores of every training window (its int8 graph, as it reads at question
    time)."""
    from ..model.reader import Reader

    reader = Reader(teacher, model_dir).warm_up()
    out = []
    for n, f in enumerate(feats):
        out.append(reader.logits(f.ids))
        if (n + 1) % 2000 == 0:
            progress(f"teacher: {n + 1}/{len(feats)} windows")
    return out


def _collate(feats, idx, torch, device):
    n = max(len(feats[k].ids) for k in idx)
    ids = np.full((len(idx), n), PAD, np.int64)
    mask = np.zeros((len(idx), n), np.int64)
    for r, k in enumerate(idx):
        ids[r, : len(feats[k].ids)] = feats[k].ids
        mask[r, : len(feats[k].ids)] = 1
    starts = torch.tensor([feats[k].start for k in idx], device=device)
    ends = torch.tensor([feats[k].end for k in idx], device=device)
    return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device), starts, ends


def train(data_dir: str | Path, out_dir: str | Path, settings: TrainSettings | None = None, progress=print,
          checkpoints: bool = False) -> Path:
    """Fine-tune the reader on ``data_dir``'s training files; writes ``out_dir/reader.int8.onnx`` + ``reader.json``."""
    import torch
    from tokenizers import Tokenizer

    from ..model.e5convert import converted_model_dir

    s = settings or TrainSettings()
    rng = random.Random(s.seed)
    torch.manual_seed(s.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(max(1, os.cpu_count() or 1))
    model_dir = converted_model_dir()
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    examples = training_examples(data_dir, s, progress)
    feats = training_features(examples, tok, s.negative_rate, s.seed, s.window_chars)
    progress(f"reader: {len(examples)} questions -> {len(feats)} windows "
             f"({sum(f.start == 0 for f in feats)} without the answer); device {device}")
    soft = teacher_scores(s.teacher, model_dir, feats, progress) if s.teacher else None
    model = reader_model(model_dir, s.layers)
    if s.init:
        from .warm import load_into

        load_into(model, Path(s.init) / "reader.int8.onnx")
        progress(f"starting from the reader in {s.init}")
    model = model.to(device)
    bert = model.bert
    frozen = [bert.embeddings.word_embeddings] + list(bert.encoder.layer[: s.freeze])
    for m in frozen:
        for p in m.parameters():
            p.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s.lr, weight_decay=0.01)
    steps = s.epochs * math.ceil(len(feats) / s.batch_size)
    if s.max_steps:
        steps = min(steps, s.max_steps)
    warm = max(1, int(s.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: min((t + 1) / warm, max(0.0, (steps - t) / (steps - warm + 1))))
    loss_fn = torch.nn.CrossEntropyLoss()
    step, t0, first = 0, time.time(), 0
    state = Path(out_dir) / "resume.pt"
    state.parent.mkdir(parents=True, exist_ok=True)
    if checkpoints and state.exists():  # go on from the last finished epoch of an interrupted run
        saved = torch.load(state, weights_only=False)
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
        rng.setstate(saved["rng"])
        torch.set_rng_state(saved["torch_rng"])
        first, step, t0 = saved["epoch"], saved["step"], time.time() - saved["seconds"]
        skip, total = saved.get("batch", 0), saved.get("total", 0.0)
        progress(f"resuming in epoch {first + 1} after batch {skip} (step {step})")
    else:
        skip, total = 0, 0.0
    model.train()
    for epoch in range(first, s.epochs):
        epoch_rng = rng.getstate()  # the epoch's batches can be drawn again to resume inside it
        batches = _batches(feats, s.batch_size, rng)
        for b, idx in enumerate(batches):
            if b < skip:
                continue
            ids, mask, st, en = _collate(feats, idx, torch, device)
            logits = model(input_ids=ids, attention_mask=mask)
            loss = (loss_fn(logits[..., 0], st) + loss_fn(logits[..., 1], en)) / 2
            if soft is not None:
                loss = (1 - s.distill) * loss + s.distill * _distillation(logits, soft, idx, mask, s.temperature, torch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            total += float(loss)
            if step % 20 == 0:
                rate = step * s.batch_size / (time.time() - t0)
                progress(f"epoch {epoch + 1} step {step}/{steps} loss {total / (b + 1):.3f} ({rate:.1f} windows/s)")
            if checkpoints and step % RESUME_EVERY == 0 and step < steps:
                _save_state(state, torch, model, opt, sched, epoch_rng, epoch, step, b + 1, total, t0)
            if step >= steps:
                break
        skip, total = 0, 0.0
        if step >= steps:
            break
        if epoch + 1 < s.epochs and checkpoints:  # a usable model after every epoch, and a state to resume from
            export(model, Path(out_dir) / f"epoch{epoch + 1}", {"settings": asdict(s), "epoch": epoch + 1},
                   reference_windows())
            _save_state(state, torch, model, opt, sched, rng.getstate(), epoch + 1, step, 0, 0.0, t0)
            model.train()
    seconds = round(time.time() - t0, 1)
    state.unlink(missing_ok=True)
    out = export(model, out_dir, {"settings": asdict(s), "windows": len(feats), "questions": len(examples),
                                  "train_seconds": seconds, "device": device, "steps": step}, reference_windows())
    progress(f"reader trained in {seconds} s; weights in {out}")
    return out


# Steps between resume states inside an epoch: about 13 minutes of this 2-core CPU (4 windows a second, 32 a
# step); a stopped session loses no more than that (the r5 run lost 740 steps, 75 minutes, to a session's end).
RESUME_EVERY = 100


def _save_state(path: Path, torch, model, opt, sched, rng_state, epoch: int, step: int, batch: int, total: float,
                t0: float) -> None:
    """What resuming needs: the weights, the optimiser and schedule, the random state the epoch's batches were
    drawn from, and how far into the epoch the run got. Written beside, then renamed (a stop mid-write loses
    nothing)."""
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                "rng": rng_state, "torch_rng": torch.get_rng_state(), "epoch": epoch, "step": step,
                "batch": batch, "total": total, "seconds": time.time() - t0}, tmp)
    tmp.replace(path)


def _distillation(logits, soft, idx, mask, temperature: float, torch):
    """KL divergence of the student's start and end distributions from the teacher's, at ``temperature``
    (scaled by its square, so the gradient keeps its size)."""
    t = torch.full_like(logits, torch.finfo(logits.dtype).min / 2)
    for r, k in enumerate(idx):
        t[r, : len(soft[k])] = torch.from_numpy(soft[k]).to(logits.device)
    t = t.masked_fill(mask[..., None] == 0, torch.finfo(logits.dtype).min / 2)
    f = torch.nn.functional
    loss = 0.0
    for j in (0, 1):
        target = f.softmax(t[..., j] / temperature, dim=-1)
        loss = loss + f.kl_div(f.log_softmax(logits[..., j] / temperature, dim=-1), target, reduction="batchmean")
    return loss / 2 * temperature ** 2


def main(argv=None):
    import argparse

    from ..config import add_settings, default_mrc_dir, settings_from

    ap = argparse.ArgumentParser(prog="qa train-reader", description="Train the extractive reader on reading-"
                                 "comprehension data and export it as a small int8 ONNX file (then `qa fit-reader`).")
    ap.add_argument("--data", default=str(default_mrc_dir()), metavar="DIR",
                    help="reading-comprehension data: drcd_dev.json, cmrc2018_trial.json, xquad_en.json, xquad_zh.json "
                         "(default: %(default)s)")
    ap.add_argument("--out", default=str(WEIGHTS_DIR), metavar="DIR", help="where the weights go (default: the shipped "
                    "ones, qa/model/weights); then run `qa fit-reader --reader DIR`")
    ap.add_argument("--checkpoints", action="store_true", help="also export after every epoch (out/epochN) and keep a "
                    "state to resume from (out/resume.pt): run the same command again to go on after a stop")
    add_settings(ap, TrainSettings)
    a = ap.parse_args(argv)
    train(a.data, a.out, settings_from(a, TrainSettings), checkpoints=a.checkpoints)


if __name__ == "__main__":
    main()
