"""Ask questions about Chinese government reports; answers are quoted verbatim with their place.

    from qa import ask, build_index
    build_index(sources=["seeds"], index_dir="index")
    a = ask("今年GDP要涨多少？")
    print(a.answer, a.citations[0].section)

Importing this package loads no model and reads no file; the heavy parts load on first use.
"""

from __future__ import annotations

__all__ = ["ask", "build_index", "evaluate", "Answer", "Citation", "BuildSummary"]
__version__ = "0.1.0"


def __getattr__(name):  # lazy: keep `import qa` free of model loading and I/O
    if name in ("ask", "Answer", "Citation"):
        from . import api

        return getattr(api, name)
    if name in ("build_index", "BuildSummary"):
        from .index import build

        return getattr(build, name)
    if name == "evaluate":
        from .evaluation.report import evaluate

        return evaluate
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
