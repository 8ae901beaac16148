"""kunmap_atomic() of an address that is no atomic kmap (or not the most recent one), as each
release reports it (rule log_kunmap_atomic, engine.kmsg_bug): CONFIG_DEBUG_HIGHMEM's BUG_ONs
before 5.11 (2.6.24 arch/x86/mm/highmem_32.c:69-70), kmap_atomic_idx_pop()'s BUG_ON with no
kmap left, WARN_ON_ONCE() for another slot (2.6.37 on; 6.1.0 mm/highmem.c:609), 5.11+'s
silent return outside the slots.  A BUG taints D, a WARN W; the machine is left as it was."""
from __future__ import annotations

import pytest

import engine

CUT = "------------[ cut here ]------------"


def _machine(kernel):
    m = engine.Machine.boot(ram="1G", kernel=kernel, seed=1)
    pages = [m.alloc_pages("GFP_HIGHUSER") for _ in range(2)]
    if m.config.flavour.kmap_atomic_stack:
        vas = [m.kmap_atomic(p) for p in pages]
    else:
        vas = [m.kmap_atomic(p, t) for p, t in zip(pages, ("KM_USER0", "KM_USER1"))]
    return m, vas


def _unmap(m, vaddr, kind=engine.KernelError):
    before, log = (m.proc("/proc/meminfo"), m.proc("/proc/buddyinfo")), len(m.kmsg)
    walk = [m.walk(m.layout.fix_to_virt(m.layout.fix_kmap_begin + i)).paddr for i in range(4)]
    with pytest.raises(kind) as err:
        m.kunmap_atomic(vaddr)
    assert (m.proc("/proc/meminfo"), m.proc("/proc/buddyinfo")) == before
    assert [m.walk(m.layout.fix_to_virt(m.layout.fix_kmap_begin + i)).paddr for i in range(4)] == walk
    m.check()
    return err.value, m.kmsg[log:]


@pytest.mark.parametrize("kernel,file_line", [
    ("2.6.24", "arch/x86/mm/highmem_32.c:70"), ("3.16", "arch/x86/mm/highmem_32.c:98"),
    ("5.10", "arch/x86/mm/highmem_32.c:60")])
def test_a_vmalloc_address_is_a_debug_highmem_bug(kernel, file_line):
    m, _ = _machine(kernel)
    v = m.vmalloc(4096)
    err, logged = _unmap(m, v, engine.KernelOops)
    assert logged[:2] == [CUT, f"kernel BUG at {file_line}!"] and logged[2].startswith("invalid opcode")
    assert "CONFIG_DEBUG_HIGHMEM" in str(err) and m.tainted_mask == 1 << 7


def test_a_user_address_2_6_24_is_the_other_bug_on():
    m, _ = _machine("2.6.24")
    _, logged = _unmap(m, 0x0804_8000, engine.KernelOops)
    assert logged[1] == "kernel BUG at arch/x86/mm/highmem_32.c:69!"


def test_6_1_outside_the_slots_is_ignored_a_user_address_warns():
    m, _ = _machine("6.1")
    err, logged = _unmap(m, m.vmalloc(4096), engine.BadFree)
    assert logged == [] and m.tainted_mask == 0 and "returns and unmaps nothing" in str(err)
    _, logged = _unmap(m, 0x0804_8000, engine.BadFree)
    assert logged[:2] == [CUT, "WARNING: CPU: 0 PID: 0 at mm/highmem.c:603 kunmap_local_indexed"]
    assert m.tainted_mask == 1 << 9


@pytest.mark.parametrize("kernel,where", [
    ("3.16", "arch/x86/mm/highmem_32.c:83 __kunmap_atomic"), ("5.10", "arch/x86/mm/highmem_32.c:45 kunmap_atomic_high"),
    ("6.1", "mm/highmem.c:609 kunmap_local_indexed")])
def test_out_of_order_warns_once_and_changes_nothing(kernel, where):
    m, vas = _machine(kernel)
    err, logged = _unmap(m, vas[0], engine.BadFree)
    assert logged[:2] == [CUT, f"WARNING: CPU: 0 PID: 0 at {where}"]
    assert logged[2].startswith("CPU: 0 PID: 0 Comm: insmod Not tainted")
    assert m.tainted_mask == 1 << 9
    assert f"the most recent slot, {vas[1]:#010x}" in str(err)
    _, again = _unmap(m, vas[0], engine.BadFree)
    assert again == []                                   # WARN_ON_ONCE
    m.kunmap_atomic(vas[1])
    m.kunmap_atomic(vas[0])


@pytest.mark.parametrize("kernel,where", [("3.16", "include/linux/highmem.h:111"), ("6.1", "mm/highmem.c:478")])
def test_none_left_is_the_pop_bug(kernel, where):
    m, vas = _machine(kernel)
    m.kunmap_atomic(vas[1])
    m.kunmap_atomic(vas[0])
    _, logged = _unmap(m, vas[0], engine.KernelOops)
    assert logged[:2] == [CUT, f"kernel BUG at {where}!"] and m.tainted_mask == 1 << 7


def test_2_6_24_an_own_slot_already_clear_is_no_error():
    m, vas = _machine("2.6.24")
    m.kunmap_atomic(vas[0])
    log = len(m.kmsg)
    m.kunmap_atomic(vas[0])                              # its km_type's slot: the PTE is cleared again
    assert m.kmsg[log:] == [] and m.tainted_mask == 0
    m.check()
