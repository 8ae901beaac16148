"""The app's error lines in Chinese: mmviz's own words are translated, the kernel's printed
lines (a WARNING, a BUG) stay as the kernel printed them."""
from __future__ import annotations

import pytest

import engine
from widgets.error_text import error_text


def _error(fn):
    try:
        fn()
    except engine.MmvizError as err:
        return type(err).__name__, str(err)
    raise AssertionError("no error")


@pytest.mark.parametrize("make, english", [
    (lambda m: m.kfree(0x1234), "object pointer"),                      # mmviz's reason, not a kernel line
    (lambda m: m.proc("/proc/vmallocinfo"), "creates it from"),         # ENOENT on 2.6.24, and why
    (lambda m: m.proc("/proc/nosuchfile"), "no such file in this"),
])
def test_mmviz_words_in_an_error_are_chinese(make, english):
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    kind, message = _error(lambda: make(m))
    zh = error_text(kind, message, "zh")
    assert english not in zh and "：" in zh, zh
    m.check()


def test_the_kernels_own_line_stays_as_printed():
    m = engine.Machine.boot(ram="160M")
    kind, message = _error(lambda: m.vfree(0xc0001000))
    assert "Trying to vfree() nonexistent vm area" in error_text(kind, message, "zh")
