"""Unit tests: entry formats, swap entries, PageTables, walker details and the TLB."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import paging as P
from engine.mmu import (EFER_NXE, X86_CR0_PE, X86_CR0_PG, X86_CR0_WP, X86_CR4_PAE,
                        X86_CR4_PGE, X86_CR4_PSE, CpuRegs, Tlb, access, walk)
from engine.mmu_events import SetAccessedDirty, TlbEvict, TlbFill, TlbFlush, TlbHit, TlbMiss
from engine.paging import (_PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX,
                           _PAGE_PRESENT, _PAGE_PSE, _PAGE_RW, _PAGE_USER, decode)
from engine.physmem import FrameStore
from engine.pgtable import PageTables

swp_entry = getattr(P, "__swp_entry")


class Pool:
    def __init__(self, first: int = 0x100) -> None:
        self.next, self.freed = first, []

    def alloc(self) -> int:
        self.next += 1
        return self.next

    def free(self, pfn: int) -> None:
        self.freed.append(pfn)


def machine(pae: bool, nx: bool = True, pge: bool = True):
    fs, pool = FrameStore(1 << 36), Pool()
    pt = PageTables(fs, pae, pool.alloc, pool.free)
    cpu = CpuRegs(cr0=X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, cr3=pt.cr3,
                  cr4=X86_CR4_PSE | (X86_CR4_PAE if pae else 0) | (X86_CR4_PGE if pge else 0),
                  efer=EFER_NXE if nx else 0)
    return fs, pool, pt, cpu


# --- entry formats ----------------------------------------------------------------------
def test_bit_values_match_the_kernel():
    assert (_PAGE_PRESENT, _PAGE_RW, _PAGE_USER, P._PAGE_PWT, P._PAGE_PCD) == (1, 2, 4, 8, 0x10)
    assert (_PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PSE, P._PAGE_PAT, _PAGE_GLOBAL) == (
        0x20, 0x40, 0x80, 0x80, 0x100)
    assert P._PAGE_PAT_LARGE == 0x1000 and _PAGE_NX == 1 << 63
    assert P._PAGE_TABLE == 0x67 and P._KERNPG_TABLE == 0x63
    assert P.PAGE_KERNEL & P.supported_pte_mask(pae=False, nx=False) == 0x163


def test_address_split_examples():
    assert (P.pgd_index(0xC0123456, False), P.pte_index(0xC0123456, False)) == (0x300, 0x123)
    assert (P.pgd_index(0xC0123456, True), P.pmd_index(0xC0123456),
            P.pte_index(0xC0123456, True)) == (3, 0, 0x123)
    assert (P.pgd_index(0x08048000, True), P.pmd_index(0x08048000),
            P.pte_index(0x08048000, True)) == (0, 0x40, 0x48)


def test_pse36_large_pde_roundtrip():
    e = P.mk_pde_large(0x3_4540_0000, 0x1E3, maxphyaddr=36)
    assert e & 0x3F_E000 == 0x3 << 13 and e & _PAGE_PSE
    assert P.entry_addr(e, "PDE", False, large=True, maxphyaddr=36) == 0x3_4540_0000
    assert P.reserved_mask("PDE", False, True, 36) == 0x3E_0000     # bits 21:17
    assert P.reserved_mask("PDE", False, True, 40) == 0x20_0000     # bit 21
    with pytest.raises(ValueError):
        P.mk_pde_large(0x10_0000_0000, 0x83, maxphyaddr=36)


def test_pae_reserved_masks():
    assert P.reserved_mask("PDPTE", True, maxphyaddr=36) == (
        0x7FFF_FFF0_0000_0000 | 0x1E6 | _PAGE_NX)
    assert P.reserved_mask("PTE", True, maxphyaddr=36, nxe=True) == 0x7FFF_FFF0_0000_0000
    assert P.reserved_mask("PTE", True, maxphyaddr=36, nxe=False) & _PAGE_NX
    assert P.reserved_mask("PDE", True, True, 36, True) & 0x1F_E000 == 0x1F_E000
    with pytest.raises(ValueError):
        P.mk_pdpte(0x5000, _PAGE_PRESENT | _PAGE_RW)


def test_decode_lists_every_field():
    pte = P.mk_pae_entry(0x1234_5000, 0x1E7 | _PAGE_NX)
    d = decode(pte, "PTE", pae=True)
    names = [f.name for f in d.fields]
    assert names == ["P", "R/W", "U/S", "PWT", "PCD", "A", "D", "PAT", "G", "NX"]
    assert d["NX"] == 1 and d["PAT"] == 1 and d["PWT"] == 0 and d.address == 0x1234_5000
    assert d.flag_string() == "P RW US A D PAT G NX"
    big = decode(P.mk_pde_large(0x40_0000, 0x83 | P._PAGE_PAT_LARGE), "PDE", pae=False)
    assert big.large and big["PS"] == 1 and big["PAT"] == 1 and big.address == 0x40_0000
    table = decode(0x0010_3067, "PDE", pae=False)
    assert not table.large and "D" not in [f.name for f in table.fields]
    assert not decode(0x0010_3087, "PDE", pae=False, pse=False).large
    pdpte = decode(0x0010_3001 | 1 << 45, "PDPTE", pae=True, maxphyaddr=36)
    assert [f.name for f in pdpte.fields] == ["P", "PWT", "PCD"] and pdpte.reserved == 1 << 45


@given(st.integers(0, (1 << 24) - 1), st.integers(0, 0xFFF), st.booleans())
def test_pae_entry_roundtrip(pfn, flags, nx):
    e = P.mk_pae_entry(pfn << 12, flags | (_PAGE_NX if nx else 0))
    d = decode(e, "PTE", True)
    assert d.address == pfn << 12 and d["NX"] == nx and d["P"] == flags & 1


# --- swap entries -----------------------------------------------------------------------
@pytest.mark.parametrize("pae,flavour,expected", [
    (False, "2.6", 0x502),                     # (type << 1) | (offset << 8)
    (False, "6.1", 0xA02),                     # (type << 1) | (offset << 9)
    (True, "2.6", 0xA1 << 32),                 # high word = type | offset << 5
    (True, "6.1", 0x0FFF_FFFF_FFFF_F400),      # type << 59 | inverted offset from bit 9
])
def test_swap_pte_encoding(pae, flavour, expected):
    pte = P.swp_pte(1, 5, pae, flavour)
    assert pte == expected
    assert P.swp_pte_decode(pte, pae, flavour) == (1, 5)
    assert P.is_swap_pte(pte, flavour)


@given(st.integers(0, 31), st.integers(0, (1 << 20) - 1), st.booleans(),
       st.sampled_from(["2.6", "6.1"]))
def test_swap_roundtrip(type_, offset, pae, flavour):
    pte = P.swp_pte(type_, offset, pae, flavour)
    assert not pte & _PAGE_PRESENT and not pte & (1 << P.protnone_bit(flavour))
    assert P.swp_pte_decode(pte, pae, flavour) == (type_, offset)
    val = swp_entry(type_, offset, pae, flavour)
    assert getattr(P, "__swp_type")(val, pae, flavour) == type_
    assert getattr(P, "__swp_offset")(val, pae, flavour) == offset


# --- PageTables -------------------------------------------------------------------------
@pytest.mark.parametrize("pae", [False, True])
def test_map_lookup_unmap_and_ranges(pae):
    fs, pool, pt, _ = machine(pae)
    for i in range(3):
        pt.map_page(0x0804_8000 + i * 4096, 0x20_0000 + i * 4096, 0x67)
    pt.map_large(0xC000_0000, 0, P.PAGE_KERNEL_LARGE & P.supported_pte_mask(pae, True))
    m = pt.lookup(0x0804_9123)
    assert (m.vaddr, m.paddr, m.size, m.level) == (0x0804_9000, 0x20_1000, 4096, "PTE")
    assert pt.lookup(0xC000_1234).size == P.large_page_size(pae)
    ranges = list(pt.mapped_ranges())
    assert [(r.start, r.end, r.paddr) for r in ranges] == [
        (0x0804_8000, 0x0804_B000, 0x20_0000),
        (0xC000_0000, 0xC000_0000 + P.large_page_size(pae), 0)]
    assert pt.unmap_page(0x0804_9000) & ~0xFFF & 0xFFFF_FFFF == 0x20_1000
    assert pt.lookup(0x0804_9000) is None and pt.unmap_page(0x0804_9000) == 0
    assert len(list(pt.leaves())) == 3
    with pytest.raises(ValueError):
        pt.map_page(0xC000_3000, 0x5000, 0x63)         # covered by a large page
    pt.unmap_page(0x0804_8000)
    pt.unmap_page(0x0804_A000)
    freed = pt.free_empty_tables(0, 0xC000_0000)
    assert freed and set(freed) <= set(pool.freed)
    assert pt.lookup(0x0804_8000) is None and pt.table_pfns() >= {pt.root >> 12}


def test_kernel_templates_for_intermediate_entries():
    fs, _, pt, _ = machine(pae=True)
    pt.map_page(0x0804_8000, 0x1000, 0x65)
    pt.map_page(0xC010_0000, 0x10_0000, 0x163)
    assert fs.read_u64(pt.root) & 0xFFF == _PAGE_PRESENT             # PDPTE: P only
    assert fs.read_u64(pt.pde_paddr(0x0804_8000)) & 0xFFF == P._PAGE_TABLE
    assert fs.read_u64(pt.pde_paddr(0xC010_0000)) & 0xFFF == P._KERNPG_TABLE


def test_clone_top_entries_shares_the_kernel_part():
    fs, pool, kern, _ = machine(pae=False)
    kern.map_page(0xC000_0000, 0, 0x163)
    proc = PageTables(fs, False, pool.alloc, pool.free)
    proc.clone_top_entries(kern, 0xC000_0000, 1 << 32)
    assert proc.lookup(0xC000_0000).paddr == 0
    assert proc.lookup(0x0804_8000) is None


# --- walker details ---------------------------------------------------------------------
@pytest.mark.parametrize("pae", [False, True])
def test_walk_without_side_effects_and_with(pae):
    fs, _, pt, cpu = machine(pae)
    pt.map_page(0x0804_8000, 0x30_0000, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER)
    before = {k: bytes(v) for k, v in fs.frames.items()}
    w = walk(fs, cpu, 0x0804_8abc, "write", user=True, set_ad=False)
    assert w.fault is None and w.paddr == 0x30_0abc and w.dirty
    assert {k: bytes(v) for k, v in fs.frames.items()} == before
    assert [s.level for s in w.steps] == (["PDPTE", "PDE", "PTE"] if pae else ["PDE", "PTE"])
    events: list = []
    walk(fs, cpu, 0x0804_8abc, "write", user=True, events=events)
    assert pt.lookup(0x0804_8000).entry & 0x60 == 0x60
    assert [e.level for e in events if isinstance(e, SetAccessedDirty)] == ["PTE"]


def test_fault_error_codes_and_reasons():
    fs, _, pt, cpu = machine(pae=True)
    pt.map_page(0x1000, 0x5000, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX)
    pt.map_page(0xC000_0000, 0x6000, _PAGE_PRESENT | _PAGE_RW)
    cases = [(0x2000, "read", True, 0x04, "not present"),
             (0x1000, "write", True, 0x07, "write to read-only page"),
             (0x1000, "exec", True, 0x15, "NX: instruction fetch from no-execute page"),
             (0xC000_0000, "read", True, 0x05, "user access to supervisor page"),
             (0x2000, "exec", False, 0x10, "not present")]
    for va, kind, user, code, reason in cases:
        f = walk(fs, cpu, va, kind, user, set_ad=False).fault
        assert (f.error_code, f.reason) == (code, reason), (va, kind)
    cpu.cr0 &= ~X86_CR0_WP
    assert walk(fs, cpu, 0x1000, "write", False).fault is None      # WP=0: kernel may write
    cpu.efer = 0                                                    # NX now a reserved bit
    assert walk(fs, cpu, 0x1000, "read", True).fault.error_code == 0x0D


# --- TLB --------------------------------------------------------------------------------
def test_repeated_access_hits():
    fs, _, pt, cpu = machine(pae=False)
    pt.map_page(0x0804_8000, 0x30_0000, 0x67)
    tlb = Tlb()
    first = access(fs, cpu, tlb, 0x0804_8010, "read", user=True)
    second = access(fs, cpu, tlb, 0x0804_8ff0, "read", user=True)
    assert not first.tlb_hit and first.walk is not None
    assert any(isinstance(e, TlbFill) for e in first.events)
    assert second.tlb_hit and second.walk is None and second.paddr == 0x30_0ff0
    assert any(isinstance(e, TlbHit) for e in second.events)
    assert (tlb.hits, tlb.misses) == (1, 1)


def test_write_to_clean_entry_walks_again_and_sets_dirty():
    fs, _, pt, cpu = machine(pae=True)
    pt.map_page(0x0804_8000, 0x30_0000, 0x07)
    tlb = Tlb(pae=True)
    access(fs, cpu, tlb, 0x0804_8000, "read", user=True)
    assert not pt.lookup(0x0804_8000).entry & _PAGE_DIRTY
    w = access(fs, cpu, tlb, 0x0804_8000, "write", user=True)
    assert not w.tlb_hit and pt.lookup(0x0804_8000).entry & _PAGE_DIRTY
    assert any(isinstance(e, TlbMiss) and "clean" in e.reason for e in w.events)
    assert access(fs, cpu, tlb, 0x0804_8004, "write", user=True).tlb_hit
    assert len(tlb) == 1


def test_cr3_reload_keeps_only_global_entries():
    fs, _, pt, cpu = machine(pae=False)
    pt.map_page(0x0804_8000, 0x30_0000, 0x67)
    pt.map_page(0xC000_0000, 0x0, 0x163)                             # PAGE_KERNEL, G
    tlb = Tlb()
    access(fs, cpu, tlb, 0x0804_8000, "read", user=True)
    access(fs, cpu, tlb, 0xC000_0000, "read")
    events: list = []
    assert tlb.flush_nonglobal(events) == 1
    assert isinstance(events[-1], TlbFlush) and events[-1].scope == "nonglobal"
    assert access(fs, cpu, tlb, 0xC000_0000, "read").tlb_hit
    assert not access(fs, cpu, tlb, 0x0804_8000, "read", user=True).tlb_hit
    cpu.cr4 &= ~X86_CR4_PGE                                          # G only counts with PGE
    tlb.flush_all()
    access(fs, cpu, tlb, 0xC000_0000, "read")
    tlb.flush_nonglobal()
    assert len(tlb) == 0


def test_invlpg_drops_one_page_only():
    fs, _, pt, cpu = machine(pae=False)
    for i in range(3):
        pt.map_page(0xC000_0000 + i * 4096, i * 4096, 0x163)
    pt.map_large(0xC040_0000, 0x40_0000, 0x1E3)
    tlb = Tlb()
    for va in (0xC000_0000, 0xC000_1000, 0xC000_2000, 0xC041_0000):
        access(fs, cpu, tlb, va, "read")
    assert tlb.invlpg(0xC000_1000) == 1
    assert [access(fs, cpu, tlb, va, "read").tlb_hit
            for va in (0xC000_0000, 0xC000_1000, 0xC000_2000)] == [True, False, True]
    assert tlb.invlpg(0xC05F_F000) == 1                              # anywhere in the 4 MB page
    assert {a for a, *_ in tlb.entries()} == {"dtlb"}


def test_lru_eviction_within_a_set():
    fs, _, pt, cpu = machine(pae=False)
    tlb = Tlb()                                  # DTLB: 16 sets x 4 ways
    vas = [0xC000_0000 + i * 16 * 4096 for i in range(5)]            # same set
    for va in vas:
        pt.map_page(va, va - 0xC000_0000, 0x163)
    for va in vas[:4]:
        access(fs, cpu, tlb, va, "read")
    access(fs, cpu, tlb, vas[0], "read")                             # vas[1] is now LRU
    ev = access(fs, cpu, tlb, vas[4], "read").events
    evicted = [e for e in ev if isinstance(e, TlbEvict)]
    assert len(evicted) == 1 and evicted[0].vpn == vas[1] >> 12
    assert access(fs, cpu, tlb, vas[0], "read").tlb_hit


def test_exec_uses_itlb_and_fault_invalidates():
    fs, _, pt, cpu = machine(pae=True)
    pt.map_page(0x0804_8000, 0x30_0000, 0x25)
    tlb = Tlb(pae=True)
    access(fs, cpu, tlb, 0x0804_8000, "exec", user=True)
    assert {a for a, *_ in tlb.entries()} == {"itlb"}
    access(fs, cpu, tlb, 0x0804_8000, "read", user=True)
    r = access(fs, cpu, tlb, 0x0804_8000, "write", user=True)
    assert r.fault is not None and r.fault.error_code == 0x07 and cpu.cr2 == 0x0804_8000
    assert len(tlb) == 0


@given(st.booleans(), st.lists(st.tuples(st.integers(0, (1 << 20) - 1),
                                         st.integers(0, (1 << 20) - 1),
                                         st.integers(0, 0x1FF)), min_size=1, max_size=12),
       st.integers(0, 0xFFF))
def test_walk_agrees_with_lookup(pae, maps, offset):
    fs, _, pt, cpu = machine(pae)
    for vpn, pfn, flags in maps:
        pt.map_page(vpn << 12, pfn << 12, flags | _PAGE_PRESENT)
    for vpn, _, _ in maps:
        m = pt.lookup(vpn << 12)
        w = walk(fs, cpu, (vpn << 12) | offset, "read", False, set_ad=False)
        if m is None:
            assert w.fault is not None
        else:
            assert w.fault is None and w.paddr == m.paddr + offset
