"""New vmalloc page tables reach processes' page directories: lazily (2.6) or eagerly (6.1)."""
from __future__ import annotations

import pytest

import engine


def _pde(m, p, vaddr):
    return m.read_phys(p.mm.pgd.root + 4 * (vaddr >> 22), 4)


def test_26_vmalloc_fault_copies_the_pde_on_first_kernel_access():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    p = m.spawn("example")
    v = m.vmalloc(1 << 20)
    assert _pde(m, p, v) == bytes(4)                     # only swapper_pg_dir knows it
    m.check()                                            # lagging behind is allowed on 2.6
    acc = m.access(v, "read", pid=p.pid, user=False)
    assert acc.fault is not None and acc.paddr is not None
    assert any(e.kind == "PdeSync" and e.why == "vmalloc_fault" for e in m.events)
    assert _pde(m, p, v) == m.read_phys(m.swapper_pg_dir + 4 * (v >> 22), 4)
    again = m.access(v + 4096, "read", pid=p.pid, user=False)
    assert again.fault is None
    m.check()


def test_61_syncs_every_pgd_when_the_page_table_is_installed():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn("example")
    v = m.vmalloc(1 << 20)
    assert _pde(m, p, v) == m.read_phys(m.swapper_pg_dir + 4 * (v >> 22), 4)
    assert any(e.kind == "PdeSync" and e.why == "arch_sync_kernel_mappings" for e in m.events)
    acc = m.access(v, "read", pid=p.pid, user=False)
    assert acc.fault is None
    m.check()


def test_pae_shares_the_kernel_pmd():
    m = engine.Machine.boot(ram="1G", pae=True)
    p = m.spawn("example")
    v = m.vmalloc(1 << 20)
    assert m.access(v, "read", pid=p.pid, user=False).fault is None
    assert not any(e.kind == "PdeSync" for e in m.events)


def test_kernel_access_to_an_unmapped_kernel_address_oopses():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    p = m.spawn("example")
    with pytest.raises(engine.KernelOops, match="unable to handle kernel paging request"):
        m.access(m.layout.vmalloc_end - 0x10000, "read", pid=p.pid, user=False)
    m.check()
