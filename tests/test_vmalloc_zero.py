"""vmalloc(0) prints what each release prints (mm/vmalloc.c of the released trees):

* 2.6.24 __vmalloc_node() (l.496) and 3.1.3 __vmalloc_node_range() (l.1627):
  ``if (!size || (size >> PAGE_SHIFT) > num_physpages/totalram_pages) return NULL;`` -- silent;
* 3.2.7 (l.1627/1656) .. 5.12.9 (l.2568/2592): the same test goes to ``fail:``,
  warn_alloc_failed()/warn_alloc() "vmalloc: allocation failure: 0 bytes";
* 5.14.2 (l.2923), 6.1.0 (l.3140), 6.1.158 (l.3170): ``if (WARN_ON_ONCE(!size)) return NULL;``
  before the "exceeds total pages" test: a WARNING, the first time only.
"""
from __future__ import annotations

import pytest

import engine
from engine.errors import OutOfMemory

CUT = "------------[ cut here ]------------"


def _vmalloc0(m):
    log = len(m.kmsg)
    with pytest.raises(OutOfMemory) as err:
        m.vmalloc(0)
    return str(err.value), m.kmsg[log:]


@pytest.mark.parametrize("kernel", ["2.6", "2.6.31", "3.1"])
def test_silent_before_3_2(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    text, logged = _vmalloc0(m)
    assert text == "[vmalloc(0) returned NULL: PAGE_ALIGN(0) is 0 bytes; this kernel logs nothing]"
    assert "more pages than the machine has" not in text
    assert logged == []
    assert m.check() is None


@pytest.mark.parametrize("kernel, first", [
    ("3.2", "vmalloc: allocation failure: 0 bytes"),
    ("4.4", "vmalloc: allocation failure: 0 bytes"),
    ("4.11", "insmod: vmalloc: allocation failure: 0 bytes, mode:0x14000c2(GFP_KERNEL|__GFP_HIGHMEM), "
             "nodemask=(null)"),
    ("5.12", "insmod: vmalloc: allocation failure: 0 bytes, mode:0xcc0(GFP_KERNEL), nodemask=(null)"),
])
def test_allocation_failure_of_0_bytes_from_3_2_to_5_13(kernel, first):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    text, logged = _vmalloc0(m)
    assert text.splitlines()[0] == first and logged[0] == first
    assert "exceeds total pages" not in text and "WARNING" not in text


@pytest.mark.parametrize("kernel", ["5.14", "6.1", "6.3"])
def test_warn_on_once_from_5_14(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    text, logged = _vmalloc0(m)
    warning = "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c __vmalloc_node_range"
    assert text.splitlines()[0] == warning
    assert "exceeds total pages" not in text
    assert logged == [CUT, warning, f"CPU: 0 PID: 0 Comm: insmod Not tainted {m.config.flavour.release} #1"]
    text2, again = _vmalloc0(m)                  # WARN_ON_ONCE(): once per boot
    assert text2 == text and again == []
    m.vmalloc(4096)                              # and vmalloc() still works
    assert m.check() is None


def test_the_size_test_of_6_1_is_before_page_align():
    """6.1 tests size >> PAGE_SHIFT before PAGE_ALIGN(): one byte more than all pages passes
    that test (and fails later, on the pages); 2.6.24 aligns first and refuses it at once."""
    for kernel, exceeds in (("6.1", False), ("2.6", True)):
        m = engine.Machine.boot(ram="64M", kernel=kernel)
        total = sum(z.managed for z in m.all_zones)
        with pytest.raises(OutOfMemory) as err:
            m.vmalloc((total << 12) + 1)
        said = str(err.value)
        assert ("exceeds total pages" in said or "more pages than the machine has" in said) == exceeds, said
