"""A quiet first run: library warnings are dropped while models are converted or exported, unless verbose."""

import logging
import warnings

from qa.config import quiet_libraries


def noisy():
    warnings.warn("TracerWarning: converting a tensor to a Python boolean")
    logging.warning("Please consider to run pre-processing before quantization")  # onnxruntime logs on root
    logging.getLogger("qa.model.embedding").warning("exporting the fast encoder (once) …")


def test_library_warnings_are_dropped_but_our_lines_stay(monkeypatch, caplog):
    monkeypatch.delenv("QA_VERBOSE", raising=False)
    caplog.set_level(logging.INFO)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with quiet_libraries():
            noisy()
    assert seen == []
    assert [r.getMessage() for r in caplog.records] == ["exporting the fast encoder (once) …"]
    logging.warning("after")  # the root logger speaks again outside
    assert caplog.records[-1].getMessage() == "after"


def test_verbose_shows_them(monkeypatch, caplog):
    monkeypatch.setenv("QA_VERBOSE", "1")
    caplog.set_level(logging.INFO)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with quiet_libraries():
            noisy()
    assert len(seen) == 1 and len(caplog.records) == 2  # the warning, and both log lines
