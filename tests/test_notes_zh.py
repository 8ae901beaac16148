"""mmviz's bracketed notes in a kernel error's text ("[vmalloc() returned NULL ...; this
kernel logs nothing]") are mmviz's words, so a zh user reads them in Chinese; the kernel's
own lines (WARNING, "object pointer:", the allocation-failure lines) stay as printed."""
from __future__ import annotations

import ast
import re
import pathlib

import pytest

import engine
from engine.kmsg_notes import NOTES, note, note_zh
from widgets.error_text import error_lines, error_text

ENGINE = pathlib.Path(__file__).resolve().parent.parent / "engine"


def _values(template: str) -> dict:
    import re
    return {k: 7 for k in re.findall(r"\{(\w+)\}", template)}


@pytest.mark.parametrize("key", sorted(NOTES))
def test_every_note_has_a_chinese_form_that_keeps_its_values(key):
    en, zh = NOTES[key]
    values = _values(en)
    assert _values(zh).keys() == values.keys()
    assert note_zh(note(key, **values)) == zh.format(**values) != en.format(**values)


def _literals(tree: ast.AST):
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for n in ast.walk(tree):
        if id(n) in docs:
            continue
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n.lineno, n.value
        elif isinstance(n, ast.JoinedStr) and n.values and isinstance(n.values[0], ast.Constant):
            yield n.lineno, "{}".join(str(v.value) for v in n.values if isinstance(v, ast.Constant))


def test_no_bracketed_note_is_written_outside_kmsg_notes():
    """A note written as a literal elsewhere would reach a zh user in English."""
    ours = {text for pair in NOTES.values() for text in pair}
    found = []
    for path in sorted(ENGINE.glob("*.py")):
        for line, literal in _literals(ast.parse(path.read_text(encoding="utf-8"))):
            for text in literal.split("\n"):            # a note may follow the kernel's lines
                close = text.find("]")
                whole = close == -1 or close == len(text.rstrip()) - 1      # one [...]
                if text.startswith("[") and len(text.split()) >= 4 and whole and literal not in ours:
                    found.append(f"{path.name}:{line}: {text[:60]}")
    assert found == []


def _error(kernel: str, call, *args):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    with pytest.raises(engine.KernelError) as err:
        call(m)(*args)
    return type(err.value).__name__, str(err.value)


@pytest.mark.parametrize("kernel, call, arg, kernel_line", [
    ("2.6", lambda m: m.vmalloc, 0, None),
    ("6.1", lambda m: m.vmalloc, 0, "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c __vmalloc_node_range"),
    ("6.1", lambda m: m.kfree, 0xc0005000, "WARNING: CPU: 0 PID: 0 at mm/slab_common.c:923 free_large_kmalloc"),
    ("2.6", lambda m: m.vmalloc, 200 << 20, None),
])
def test_a_kernel_errors_notes_are_chinese_in_zh_and_its_lines_stay_english(kernel, call, arg, kernel_line):
    kind, text = _error(kernel, call, arg)
    en, zh = error_lines(kind, text, "en"), error_lines(kind, text, "zh")
    assert any("[" in ln for ln in en)
    for e, z in zip(en, zh):
        if e.startswith("[") or "：[" in z or ": [" in e:          # a note: Chinese in zh
            assert z != e and "返回 NULL" in z or "调用 __free_pages()" in z, z
        elif e == kernel_line:                                        # the kernel's line as printed
            assert z == e
    if kernel_line:
        assert error_text(kind, text, "zh") == f"内核打印：{kernel_line}"
    else:
        assert error_text(kind, text, "zh").startswith("内存不足：[vmalloc(")
        assert "返回 NULL" in error_text(kind, text, "zh")


KERNEL_LINES = ("BUG:", "Bad page state", "kernel BUG at", "WARNING:", "kfree_debugcheck:", "slab error", "Bad pte",
                "swap_free:", "Trying to vfree", "Oops:")


def test_a_kernel_line_carries_no_note_of_mmviz():
    """mmviz's explanation of a kernel error is a bracketed note on a line of its own, never a
    "(...)" tail on the kernel's line: that line reaches m.kmsg as printed, and the note is
    translated in zh."""
    tails = []
    for path in sorted(ENGINE.glob("*.py")):
        for line, literal in _literals(ast.parse(path.read_text(encoding="utf-8"))):
            for text in literal.split("\n"):
                if text.startswith(KERNEL_LINES) and re.search(r" \((?!\{)[a-z][^)]*\)\s*$", text):
                    tails.append(f"{path.name}:{line}: {text[:70]}")
    assert tails == []


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_bad_free_reports_the_kernel_line_and_shows_the_note_in_zh(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    pfn = m.alloc_pages("GFP_KERNEL", 2)
    with pytest.raises(engine.BadFree) as err:
        m.free_pages(pfn, 1)
    lines = str(err.value).splitlines()
    kernel_lines = [ln for ln in lines if not ln.startswith("[")]
    notes = [ln for ln in lines if ln.startswith("[")]   # mmviz's: the page dump's, then why
    from engine.kmsg import failure_lines
    logged = failure_lines(m, err.value)                 # what it logs: the kernel's lines (2.6.24:
    assert list(logged[:-1]) == kernel_lines             # four, 2.6.29+: the pfn and the dump),
    assert kernel_lines[0] == ("Bad page state in process 'insmod'" if kernel == "2.6"   # then
                               else f"BUG: Bad page state in process insmod  pfn:{pfn:05x}")
    assert logged[-1].startswith(("Pid: 0, comm: insmod ", "CPU: 0 PID: 0 Comm: insmod "))  # dump_stack()
    zh = error_lines("BadFree", str(err.value), "zh")
    assert zh == [*kernel_lines, note_zh(notes[0]), "[释放时的阶是 1，分配时的阶是 2]"]
    assert note_zh(notes[0]).startswith("[页面转储只含 mmviz 记录的标志")


def test_a_bad_free_on_its_own_reaches_the_kernel_log_once():
    """bad_page() prints "BUG: Bad page state ..." (mm/page_alloc.c); free_pages() opens no
    bracket of its own, so the report is made where the error is built -- once."""
    m = engine.Machine.boot(ram="64M")
    pfn = m.alloc_pages("GFP_KERNEL", 1)
    log = len(m.kmsg)
    with pytest.raises(engine.BadFree):
        m.free_pages(pfn, 0)
    report = m.kmsg[log:]
    assert report[0] == f"BUG: Bad page state in process insmod  pfn:{pfn:05x}"
    assert report[-1] == "CPU: 0 PID: 0 Comm: insmod Not tainted 6.1.0-50-686 #1"  # dump_stack()
    assert sum(ln.startswith("BUG: Bad page state") for ln in report) == 1
    with pytest.raises(engine.BadFree):
        m.free_pages_addr(m.layout.page_offset + (pfn << 12), 0)     # inside no other operation
    assert len(m.kmsg) == log + 2 * len(report)
    m.free_pages(pfn, 1)
    assert m.check() is None
