"""A trained reader's weights back from its int8 graph: to warm-start training from the shipped reader, and as
the fp32 reference its int8 forms are compared with (``benchmarks/quantization.py``).

The shipped file holds only the int8 graph (``reader.int8.onnx``). Its float initializers keep their torch names
(``m.bert.encoder.layer.0.attention.output.LayerNorm.weight``); each quantized matrix product
(``MatMulInteger``: input × W_q) is followed by a rescale and the ``Add`` of its Linear's bias, whose name
(``m.bert.encoder.layer.0.attention.self.query.bias``) names the Linear. Its weight is ``(W_q - zero) * scale``
per output channel, transposed to torch's [out, in].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def state_from_int8(path: str | Path) -> dict[str, np.ndarray]:
    """The reader's parameters (torch names, without the graph's ``m.`` prefix), dequantized from its int8 graph.
    The word embeddings are not in it (they are read from the e5 model: :mod:`qa.model.vocab`)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for x in node.input:
            consumers.setdefault(x, []).append(node)
    state = {name[2:]: value for name, value in init.items() if name.startswith("m.")}
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        weight = node.input[1]
        if not weight.endswith("_quantized"):
            raise ValueError(f"{path}: unexpected weight {weight} of {node.name}")
        base = weight[: -len("_quantized")]
        q, zero, scale = init[weight], init[base + "_zero_point"], init[base + "_scale"]
        w = (q.astype(np.float32) - zero.astype(np.float32)) * scale.astype(np.float32)  # [in, out], per column
        bias = _bias_after(node, consumers, init)
        if not bias:
            raise ValueError(f"{path}: no bias follows {node.name}: not a Linear of the reader")
        state[bias[2:-len(".bias")] + ".weight"] = np.ascontiguousarray(w.T)
    return state


def _bias_after(node, consumers: dict, init: dict, depth: int = 4) -> str:
    """The name of the Linear bias added after a matrix product (its rescale in between)."""
    out = node.output[0]
    for _ in range(depth):
        nxt = consumers.get(out, [])
        if len(nxt) != 1:
            return ""
        n = nxt[0]
        if n.op_type == "Add":
            return next((x for x in n.input if x in init and x.endswith(".bias")), "")
        out = n.output[0]
    return ""


def load_into(model, path: str | Path) -> None:
    """Set a freshly made reader model (:func:`qa.training.train.reader_model`) to the weights of an int8 graph;
    only the word embeddings (frozen, read from e5) keep their values."""
    import torch

    state = {k: torch.from_numpy(np.array(v)) for k, v in state_from_int8(path).items()}
    own = model.state_dict()
    unknown = sorted(set(state) - set(own))
    if unknown:
        raise ValueError(f"{path}: weights the model does not have: {unknown[:5]}")
    missing = sorted(k for k in own if k not in state and not k.endswith("word_embeddings.weight"))
    if missing:
        raise ValueError(f"{path}: the graph lacks {missing[:5]}: another architecture or number of layers")
    model.load_state_dict(state, strict=False)
