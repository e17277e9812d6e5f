"""The package's layout: which room may import which, and no import circle.

Every ``import`` of every module of ``qa`` (at the top or inside a function) is read with ``ast``. Data flows
one way: the faces (``qa.cli``, ``qa.web``) → ``qa.api`` → ``qa.answering`` → ``qa.index`` → ``qa.model`` →
``qa.text`` → ``qa.config``; measuring (``qa.evaluation``) and fitting (``qa.fitting``) stand above ``qa.api``, and
training the reader (``qa.training``) above ``qa.model``, which imports nothing of it. The environment is read in
``qa.config`` alone, and no module is over 400 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qa"

# room → the rooms it may import (itself always)
ALLOWED = {
    "qa.config": set(),
    "qa.text": {"qa.config"},
    "qa.model": {"qa.config", "qa.text"},
    "qa.index": {"qa.config", "qa.text", "qa.model"},
    "qa.answering": {"qa.config", "qa.text", "qa.model", "qa.index"},
    "qa.api": {"qa.config", "qa.text", "qa.model", "qa.index", "qa.answering"},
    "qa.training": {"qa.config", "qa.text", "qa.model"},  # the reader's training: its data, augmentation, export
    "qa.evaluation": {"qa.config", "qa.text", "qa.model", "qa.training", "qa.api"},
    "qa.fitting": {"qa.config", "qa.text", "qa.model", "qa.index", "qa.answering", "qa.api", "qa.evaluation",
                   "qa.training"},
    "qa.web": {"qa.config", "qa.api"},
    "qa.cli": {"qa.config", "qa.api"},
    "qa": {"qa.api", "qa.index", "qa.evaluation"},  # the package's lazy names (ask, build_index, evaluate)
    "qa.testing": {"qa.config", "qa.text", "qa.model", "qa.training", "qa.index", "qa.answering", "qa.api",
                   "qa.evaluation", "qa.web"},  # what tests and benchmarks share; the program never imports it
}
# the CLI's model commands run their modules (their own options and output): these and nothing else beyond qa.api
CLI_COMMANDS = {"qa.evaluation.report", "qa.evaluation.shapes", "qa.fitting.command", "qa.training.train"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The qa modules a file imports (``from .x import y`` resolved; ``from . import y`` as qa.…y)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "qa"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "qa":
                continue
            if node.module is None:  # from . import x: modules
                out |= {f"{target}.{a.name}" for a in node.names}
            else:
                out.add(target)
    return out


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "qa"
    return ".".join(parts[:2])


MODULES = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_room_is_known():
    assert {_room(m) for m in MODULES} <= set(ALLOWED)


def _wrong(module: str, targets: set[str]) -> list[str]:
    """The imports of ``module`` that break the rule."""
    room = _room(module)
    return sorted(t for t in targets if _room(t) != room and _room(t) not in ALLOWED[room]
                  and not (module == "qa.cli" and any(t == c or t.startswith(c + ".") for c in CLI_COMMANDS)))


def _circle(modules: dict[str, set[str]]) -> list[str]:
    """An import circle among the modules (empty: none). A package's ``__init__`` is imported with any of its
    modules, so a module importing its own package is not an edge."""
    graph = {m: {t for t in ts if t in modules and t != m and not m.startswith(t + ".")} for m, ts in modules.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        path.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return path[path.index(t):] + [t]
            if t not in state and (found := visit(t)):
                return found
        path.pop()
        state[m] = 2
        return []

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_downwards(module):
    wrong = _wrong(module, MODULES[module])
    assert not wrong, f"{module} imports {wrong}: {_room(module)} may import {sorted(ALLOWED[_room(module)])}"


def test_no_import_circle():
    assert _circle(MODULES) == []


def test_the_checks_see_a_wrong_import_and_a_circle():
    assert _wrong("qa.model.reader", {"qa.answering.windows", "qa.text.tokens"}) == ["qa.answering.windows"]
    assert _wrong("qa.web.chat", {"qa.answering.result"}) == ["qa.answering.result"]
    assert _wrong("qa.cli", {"qa.fitting.command", "qa.fitting.models"}) == ["qa.fitting.models"]
    assert _circle({"qa.a.x": {"qa.a.y"}, "qa.a.y": {"qa.a.z"}, "qa.a.z": {"qa.a.x"}}) == \
        ["qa.a.x", "qa.a.y", "qa.a.z", "qa.a.x"]


def test_environment_is_read_in_config_only():
    config = PACKAGE / "config"
    readers = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
               if config not in p.parents and ("os.environ" in p.read_text(encoding="utf-8")
                                               or "getenv" in p.read_text(encoding="utf-8"))]
    assert readers == []


MAX_LINES = 400  # a module longer than this holds more than one concern: split it


def _too_long(sources: dict[str, str]) -> list[str]:
    """The modules (name → source) over :data:`MAX_LINES` lines, with their length."""
    return sorted(f"{m}: {n} lines" for m, text in sources.items() if (n := len(text.splitlines())) > MAX_LINES)


def test_no_module_is_over_400_lines():
    long = _too_long({_module_name(p): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")})
    assert long == [], f"split by concern: {long}"


def test_the_length_check_sees_a_long_module():
    planted = {"qa.a.long": "x = 1\n" * (MAX_LINES + 1), "qa.a.full": "x = 1\n" * MAX_LINES,
               "qa.a.unended": "x = 1\n" * MAX_LINES + "x = 1"}
    assert _too_long(planted) == ["qa.a.long: 401 lines", "qa.a.unended: 401 lines"]


def _fakes_outside_testing(sources: dict[str, str]) -> list[str]:
    """The modules outside ``qa.testing`` that define or name a fake model (the program must not choose one)."""
    fake = re.compile(r"class (?:HashEmbedder|OverlapReader)\b|(?:from|import) (?:qa|\.+)\.?testing\b|\"test/hash")
    return sorted(m for m, text in sources.items() if not m.startswith("qa.testing") and fake.search(text))


def test_the_fakes_live_in_qa_testing_and_are_chosen_openly():
    sources = {_module_name(p): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}
    assert _fakes_outside_testing(sources) == []
    assert _fakes_outside_testing({"qa.model.embedding": "class HashEmbedder:\n", "qa.testing.fakes": "class "
                                   "HashEmbedder:\n"}) == ["qa.model.embedding"]
    conftest = (PACKAGE.parent / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert "_shared" not in conftest and "QA_READER" in conftest  # a setting, not a private name patched


def test_a_setting_names_the_fake_reader(monkeypatch):
    from qa.model.reader import Reader, get_reader
    from qa.testing.fakes import READER, OverlapReader

    monkeypatch.setenv("QA_READER", READER)
    assert isinstance(get_reader(), OverlapReader) and get_reader() is get_reader()
    monkeypatch.delenv("QA_READER")
    assert isinstance(get_reader(), Reader)  # the shipped weights (not loaded until it reads)


def test_a_validation_guard_without_its_data_skips_here_and_fails_under_ci(monkeypatch, tmp_path):
    from qa.testing.data import needs

    gone = tmp_path / "drcd_test.json"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        needs(gone)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not skip"):
        needs(gone)
    needs(tmp_path)  # present: nothing happens
