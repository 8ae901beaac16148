"""SLAB's kfree() of a bad pointer as each release reports it (engine.kmsg_bug, rule
slab_kfree_nonslab): a pointer inside a slab but at no object's start meets
cache_free_debugcheck()'s BUG_ON() ("kernel BUG at mm/slab.c:2903!" on 2.6.24, l.2708 on 6.1),
a pointer into a page that is no slab page_get_cache()'s BUG_ON() before 3.7 (l.591), nothing
in 3.7-5.3, virt_to_cache()'s WARN_ONCE() from 5.4.  A BUG() taints D; the machine is left as
it was."""
from __future__ import annotations

import pytest

import engine

CUT = "------------[ cut here ]------------"


def _state(m):
    return m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo"), m.proc("/proc/meminfo")


def _kfree(m, ptr):
    before, log = _state(m), len(m.kmsg)
    with pytest.raises(engine.KernelError) as err:
        m.kfree(ptr)
    assert _state(m) == before
    m.check()
    return err.value, m.kmsg[log:]


@pytest.mark.parametrize("kernel,line,note", [
    ("2.6.24", 2903, None), ("3.3", 3024, None), ("3.16", 2798, "3.14.1"), ("6.1", 2708, None)])
def test_inside_an_object_is_a_bug(kernel, line, note):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator="slab", seed=1)
    a = m.kmalloc(64)
    err, logged = _kfree(m, a + 4)
    assert isinstance(err, engine.KernelOops)
    assert logged[:2] == [CUT, f"kernel BUG at mm/slab.c:{line}!"]
    assert logged[2].startswith("invalid opcode: 0000 [#1]") and len(logged) == 3
    assert m.tainted_mask == 1 << 7                          # TAINT_DIE
    notes = [ln for ln in str(err).splitlines() if ln.startswith("[")]
    assert any("verify_redzone_free()" in n for n in notes)
    assert any(f"{note}'s" in n for n in notes) if note else not any("nearest release" in n for n in notes)
    m.kfree(a)                                               # the object is still allocated


def _page_ptr(m):
    return m.layout.page_offset + (m.alloc_pages("GFP_KERNEL", 0) << 12)


def test_a_page_that_is_no_slab_2_6_24_bug():
    m = engine.Machine.boot(ram="256M", kernel="2.6.24", allocator="slab", seed=1)
    err, logged = _kfree(m, _page_ptr(m))
    assert logged == [CUT, "kernel BUG at mm/slab.c:591!", "invalid opcode: 0000 [#1] SMP "]
    assert m.tainted_mask == 1 << 7


def test_a_page_that_is_no_slab_3_16_is_not_checked():
    m = engine.Machine.boot(ram="256M", kernel="3.16", allocator="slab", seed=1)
    err, logged = _kfree(m, _page_ptr(m))
    assert isinstance(err, engine.BadFree) and logged == [] and m.tainted_mask == 0
    assert "does not check it" in str(err)


@pytest.mark.parametrize("kernel,line", [("5.10", 438), ("6.1", 625)])
def test_a_page_that_is_no_slab_5_4_on_warns_once(kernel, line):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator="slab", seed=1)
    _, logged = _kfree(m, _page_ptr(m))
    assert logged[:3] == [CUT, "virt_to_cache: Object is not a Slab page!",
                          f"WARNING: CPU: 0 PID: 0 at mm/slab.h:{line} kfree"]
    assert logged[3].startswith("CPU: 0 PID: 0 Comm: insmod Not tainted")
    assert m.tainted_mask == 1 << 9                          # TAINT_WARN
    _, again = _kfree(m, _page_ptr(m))
    assert again == []                                       # WARN_ONCE
