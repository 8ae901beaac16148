"""mprotect() to the protection a VMA already has leaves it alone (mprotect_fixup(): newflags ==
oldflags returns at once): no split, no event, /proc/PID/maps unchanged -- the [vvar]/[vdso]
special mappings, which never merge back, used to stay split in two."""
from __future__ import annotations

import pytest

import engine


@pytest.mark.parametrize("kernel", ["2.6.24", "4.9", "6.1"])
def test_same_protection_changes_nothing(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn(name="t")
    a = p.mmap(4 * 4096, prot="rw-")
    maps = m.proc(f"/proc/{p.pid}/maps")
    n_events = len(m.events)
    p.mprotect(a + 4096, 4096, "rw-")                  # the protection it has
    for v in p.vmas:
        if v.name in ("[vdso]", "[vvar]"):
            p.mprotect(v.start, 4096, v.prot)
    assert m.proc(f"/proc/{p.pid}/maps") == maps
    assert not [e for e in m.events[n_events:] if type(e).__name__.startswith("Vma")]
    m.check()


def test_a_range_over_a_changing_and_an_unchanged_vma_splits_only_the_changing_one():
    m = engine.Machine.boot(ram="160M", kernel="6.1")
    p = m.spawn(name="t")
    a = p.mmap(2 * 4096, prot="r--", addr=0x50000000, flags="private|anonymous|fixed")
    b = p.mmap(2 * 4096, prot="rw-", addr=0x50002000, flags="private|anonymous|fixed")
    p.mprotect(a + 4096, 2 * 4096, "rw-")              # a's upper page becomes rw-; b stays
    spans = [(v.start, v.end, v.prot) for v in p.vmas if 0x50000000 <= v.start < 0x50004000]
    # a's upper half changes and merges with b (same flags): r-- [0x50000000, 0x50001000), rw- the rest
    assert spans == [(0x50000000, 0x50001000, "r--"), (0x50001000, 0x50004000, "rw-")], spans
    m.check()
