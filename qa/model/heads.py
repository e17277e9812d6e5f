"""The small fitted models that decide how the reader's output is used, stored with its weights
(``reader.json``'s ``use``, written by ``qa fit-reader``): a :class:`Logistic` over named features ranks the
candidate answers and another decides whether to answer at all; :class:`Stages` says how many windows are read
before the answer is judged. They know feature names, not how features are computed (that is
:mod:`qa.answering.features`, whose signature the record carries)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Logistic:
    """A linear model over named features: ``bias + Σ weight·feature`` (log-odds)."""
    weights: dict[str, float] = field(default_factory=lambda: {"margin": 1.0})
    bias: float = 0.0

    def __call__(self, features: dict[str, float]) -> float:
        return self.bias + sum(w * features[k] for k, w in self.weights.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self(features)))))

    @classmethod
    def from_dict(cls, d: dict | None) -> "Logistic":
        return cls(dict(d["weights"]), float(d["bias"])) if d else cls()

    def to_dict(self) -> dict:
        return {"weights": {k: round(v, 5) for k, v in self.weights.items()}, "bias": round(self.bias, 5)}


@dataclass
class Stages:
    """How many windows are read before the answer is judged: up to ``sizes[0]``, then up to ``sizes[1]``,
    ...; reading stops once the best answer's abstention log-odds reach ``logit``. The default (no sizes)
    reads all windows at once."""
    sizes: tuple[int, ...] = ()
    logit: float = math.inf

    @classmethod
    def from_dict(cls, d: dict | None) -> "Stages":
        return cls(tuple(d["sizes"]), float(d["logit"])) if d else cls()

    def to_dict(self) -> dict:
        return {"sizes": list(self.sizes), "logit": round(self.logit, 5)}


@dataclass
class Heads:
    """What ``reader.json``'s ``use`` holds: the ranking and abstention models, the stages of reading, and the
    signature of the features they were fitted on (``{}``: none recorded)."""
    rank: Logistic = field(default_factory=Logistic)
    abstain: Logistic = field(default_factory=Logistic)
    stop: Stages = field(default_factory=Stages)
    features: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, use: dict | None) -> "Heads":
        use = use or {}
        return cls(Logistic.from_dict(use.get("rank")), Logistic.from_dict(use.get("abstain")),
                   Stages.from_dict(use.get("stop")), dict(use.get("features") or {}))
