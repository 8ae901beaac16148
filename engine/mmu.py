"""The x86 MMU of a 32-bit CPU: page walker (32-bit paging and PAE), A/D bits, #PF, TLB.

The walker reads real entries from simulated physical memory (``FrameStore``), follows
the SDM's rules (Vol. 3A ch. 4) and, where QEMU's TCG MMU (as shipped in unicorn 2.1,
target/i386/excp_helper.c ``handle_mmu_fault``) differs, follows QEMU, which the
differential tests run against.  Differences from the SDM, all deliberate:

* PAE PDPTEs are read from memory at walk time (QEMU: "XXX: load them when cr3 is
  loaded?"), not latched at MOV CR3.  Linux reloads CR3 after changing a PDPTE, so a
  kernel model sees no difference.
* A PDPTE with bits 1,2 or 5..8 set is accepted (the SDM makes MOV CR3 raise #GP);
  bits M..63 set give a reserved-bit #PF at walk time (the SDM: #GP at MOV CR3).  Where
  CR3 is typed in (the quiz's exercise), engine.paging.mov_cr3_pdpte_fault() gives the #GP.
* PAE PDE/PTE: bits 62:M and (without EFER.NXE) bit 63 are reserved, as in the SDM.
* A 32-bit 4 MB PDE: only bits 21:(M-19) are reserved (QEMU's MAXPHYADDR is 40, so
  just bit 21); bits 20:13 give physical-address bits 39:32 (PSE-36/PSE-40).

A/D: Accessed is set in every PDE that points to a page table as soon as the walk
moves past it (so it stays set even if the walk then faults lower down); the final
entry (PTE, or a 4 MB/2 MB PDE) gets A, and D for a write, only if the access is
allowed.  PDPTEs have no A bit.  I/D (bit 4) of the #PF error code is reported only
with PAE and EFER.NXE=1 (no SMEP on these CPUs).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .mmu_events import (PageFault, SetAccessedDirty, TlbEvict, TlbFill, TlbFlush,
                         TlbHit, TlbLookup, TlbMiss, WalkStep)
from .paging import PAE_ADDR_MASK, pse36_reserved

X86_CR0_PE = 1 << 0
X86_CR0_WP = 1 << 16
X86_CR0_PG = 1 << 31
X86_CR3_PWT = 1 << 3
X86_CR3_PCD = 1 << 4
X86_CR4_PSE = 1 << 4
X86_CR4_PAE = 1 << 5
X86_CR4_PGE = 1 << 7
EFER_NXE = 1 << 11

# #PF error code (arch/x86/include/asm/trap_pf.h)
X86_PF_PROT = 1 << 0
X86_PF_WRITE = 1 << 1
X86_PF_USER = 1 << 2
X86_PF_RSVD = 1 << 3
X86_PF_INSTR = 1 << 4

# the kinds of access a walk or an access makes (the #PF error code's W/R and I/D bits)
ACCESS_KINDS = ("read", "write", "exec")
_KIND = {k: i for i, k in enumerate(ACCESS_KINDS)}


class CpuRegs:
    """Control registers with their real bit meanings (and the CPU's MAXPHYADDR)."""

    __slots__ = ("cr0", "cr2", "cr3", "cr4", "efer", "maxphyaddr")

    def __init__(self, cr0: int = X86_CR0_PE, cr2: int = 0, cr3: int = 0, cr4: int = 0,
                 efer: int = 0, maxphyaddr: int = 36) -> None:
        self.cr0, self.cr2, self.cr3, self.cr4, self.efer = cr0, cr2, cr3, cr4, efer
        self.maxphyaddr = maxphyaddr

    paging = property(lambda self: bool(self.cr0 & X86_CR0_PG))
    wp = property(lambda self: bool(self.cr0 & X86_CR0_WP))
    pse = property(lambda self: bool(self.cr4 & X86_CR4_PSE))
    pae = property(lambda self: bool(self.cr4 & X86_CR4_PAE))
    pge = property(lambda self: bool(self.cr4 & X86_CR4_PGE))
    nxe = property(lambda self: bool(self.cr4 & X86_CR4_PAE and self.efer & EFER_NXE))

    def copy(self) -> "CpuRegs":
        return CpuRegs(self.cr0, self.cr2, self.cr3, self.cr4, self.efer, self.maxphyaddr)

    def __repr__(self) -> str:
        return (f"CpuRegs(cr0={self.cr0:#010x}, cr2={self.cr2:#010x}, cr3={self.cr3:#010x}, "
                f"cr4={self.cr4:#010x}, efer={self.efer:#x})")


@dataclass(slots=True)
class Fault:
    error_code: int
    vaddr: int
    reason: str


@dataclass(slots=True)
class Walk:
    """Result of one page walk; rw/user/nx are the rights combined over all levels."""
    steps: list
    paddr: int | None
    fault: Fault | None
    page_size: int
    rw: bool = False
    user: bool = False
    nx: bool = False
    dirty: bool = False         # final entry's D after this access
    global_: bool = False       # final entry's G bit


@dataclass(slots=True)
class Access:
    paddr: int | None
    tlb_hit: bool
    walk: Walk | None
    fault: Fault | None
    events: list = field(default_factory=list)


_u32 = struct.Struct("<I").unpack_from
_u64 = struct.Struct("<Q").unpack_from
_p32 = struct.Struct("<I").pack_into
_PAE_MASKS: dict = {}


def _pae_masks(maxphyaddr: int, nxe: bool) -> tuple[int, int, int]:
    """(PDPTE, PDE/PTE, 2 MB PDE) reserved masks as QEMU checks them."""
    key = (maxphyaddr, nxe)
    m = _PAE_MASKS.get(key)
    if m is None:
        hi = (PAE_ADDR_MASK & ~((1 << maxphyaddr) - 1)) | 0x7FF0_0000_0000_0000  # 62:M
        rsvd = hi if nxe else hi | (1 << 63)
        pdpte = hi | (1 << 63)                                 # never NX in a PDPTE
        m = _PAE_MASKS[key] = (pdpte, rsvd, rsvd | 0x1F_E000)  # 2 MB: + 20:13
    return m


def _fault(walk_steps, vaddr, kind, user, pf_bits, reason, instr_bit, events, size):
    code = pf_bits | (X86_PF_WRITE if kind == 1 else 0) | (X86_PF_USER if user else 0)
    if kind == 2 and instr_bit:
        code |= X86_PF_INSTR
    f = Fault(code, vaddr, reason)
    if events is not None:
        events.append(PageFault(vaddr, code, reason))
    return Walk(walk_steps, None, f, size)


def walk(frames, cpu: CpuRegs, vaddr: int, kind: str = "read", user: bool = False,
         set_ad: bool = True, events: list | None = None) -> Walk:
    """Translate ``vaddr`` as the CPU would; ``set_ad=False`` leaves memory untouched.

    ``events``, when given, receives each WalkStep, SetAccessedDirty and PageFault.
    """
    k = _KIND[kind]
    if not cpu.cr0 & X86_CR0_PG:
        return Walk([], vaddr, None, 4096, True, True, False, True, False)
    fd = frames.frames
    steps: list = []
    write = k == 1
    if cpu.cr4 & X86_CR4_PAE:
        nxe = bool(cpu.efer & EFER_NXE)
        m_pdpte, m_rsvd, m_large = _pae_masks(cpu.maxphyaddr, nxe)
        table = cpu.cr3 & 0xFFFF_FFE0
        idx = vaddr >> 30
        ea = table + (idx << 3)
        buf = fd.get(ea >> 12)
        e = _u64(buf, ea & 0xFFF)[0] if buf is not None else 0
        st = WalkStep("PDPTE", table, idx, ea, e)
        steps.append(st)
        if events is not None:
            events.append(st)
        if not e & 1:
            return _fault(steps, vaddr, k, user, 0, "not present", nxe, events, 4096)
        if e & m_pdpte:
            return _fault(steps, vaddr, k, user, 9, "reserved bit set", nxe, events, 4096)
        table = e & PAE_ADDR_MASK
        idx = (vaddr >> 21) & 0x1FF
        ea = table + (idx << 3)
        buf = fd.get(ea >> 12)
        pde = _u64(buf, ea & 0xFFF)[0] if buf is not None else 0
        st = WalkStep("PDE", table, idx, ea, pde)
        steps.append(st)
        if events is not None:
            events.append(st)
        if not pde & 1:
            return _fault(steps, vaddr, k, user, 0, "not present", nxe, events, 4096)
        if pde & 0x80:
            size = 0x20_0000
            if pde & m_large:
                return _fault(steps, vaddr, k, user, 9, "reserved bit set", nxe, events, size)
            final, final_ea, level = pde, ea, "PDE"
            rights = pde
            nx = bool(pde >> 63)
            base = pde & PAE_ADDR_MASK & ~0x1F_FFFF
        else:
            if pde & m_rsvd:
                return _fault(steps, vaddr, k, user, 9, "reserved bit set", nxe, events, 4096)
            if set_ad and not pde & 0x20:
                _set_bits(buf, ea, pde, 0x20, "PDE", events)
            table = pde & PAE_ADDR_MASK
            idx = (vaddr >> 12) & 0x1FF
            ea = table + (idx << 3)
            buf = fd.get(ea >> 12)
            pte = _u64(buf, ea & 0xFFF)[0] if buf is not None else 0
            st = WalkStep("PTE", table, idx, ea, pte)
            steps.append(st)
            if events is not None:
                events.append(st)
            size = 4096
            if not pte & 1:
                return _fault(steps, vaddr, k, user, 0, "not present", nxe, events, size)
            if pte & m_rsvd:
                return _fault(steps, vaddr, k, user, 9, "reserved bit set", nxe, events, size)
            final, final_ea, level = pte, ea, "PTE"
            rights = pde & pte
            nx = bool((pde | pte) >> 63)
            base = pte & PAE_ADDR_MASK
    else:
        nxe = False
        table = cpu.cr3 & 0xFFFF_F000
        idx = vaddr >> 22
        ea = table + (idx << 2)
        buf = fd.get(ea >> 12)
        pde = _u32(buf, ea & 0xFFF)[0] if buf is not None else 0
        st = WalkStep("PDE", table, idx, ea, pde)
        steps.append(st)
        if events is not None:
            events.append(st)
        if not pde & 1:
            return _fault(steps, vaddr, k, user, 0, "not present", False, events, 4096)
        nx = False
        if pde & 0x80 and cpu.cr4 & X86_CR4_PSE:
            size = 0x40_0000
            m = cpu.maxphyaddr
            if pde & pse36_reserved(m):
                return _fault(steps, vaddr, k, user, 9, "reserved bit set", False, events, size)
            final, final_ea, level, rights = pde, ea, "PDE", pde
            high = (pde >> 13) & ((1 << max(0, min(m, 40) - 32)) - 1)
            base = (pde & 0xFFC0_0000) | (high << 32)
        else:
            if set_ad and not pde & 0x20:
                _set_bits(buf, ea, pde, 0x20, "PDE", events)
            table = pde & 0xFFFF_F000
            idx = (vaddr >> 12) & 0x3FF
            ea = table + (idx << 2)
            buf = fd.get(ea >> 12)
            pte = _u32(buf, ea & 0xFFF)[0] if buf is not None else 0
            st = WalkStep("PTE", table, idx, ea, pte)
            steps.append(st)
            if events is not None:
                events.append(st)
            size = 4096
            if not pte & 1:
                return _fault(steps, vaddr, k, user, 0, "not present", False, events, size)
            final, final_ea, level = pte, ea, "PTE"
            rights = pde & pte
            base = pte & 0xFFFF_F000
    rw, us = bool(rights & 2), bool(rights & 4)
    if user and not us:
        return _fault(steps, vaddr, k, user, 1, "user access to supervisor page", nxe,
                      events, size)
    if write and not rw and (user or cpu.cr0 & X86_CR0_WP):
        return _fault(steps, vaddr, k, user, 1, "write to read-only page", nxe, events, size)
    if k == 2 and nx:
        return _fault(steps, vaddr, k, user, 1, "NX: instruction fetch from no-execute page",
                      nxe, events, size)
    new = final | (0x60 if write else 0x20)
    if set_ad and new != final:
        _set_bits(buf, final_ea, final, new & 0x60, level, events)
    return Walk(steps, base | (vaddr & (size - 1)), None, size, rw, us, nx,
                bool(new & 0x40) if set_ad else bool(final & 0x40) or write,
                bool(final & 0x100))


def _set_bits(buf, ea, old, bits, level, events):
    """Locked OR of A/D into the low dword of an entry (x86_stl_phys_notdirty)."""
    low = (old | bits) & 0xFFFF_FFFF
    _p32(buf, ea & 0xFFF, low)
    if events is not None:
        events.append(SetAccessedDirty(level, ea, old, old | bits))


class TlbEntry:
    __slots__ = ("vpn", "pfn", "page_size", "rw", "user", "nx", "dirty", "global_", "stamp")

    def __init__(self, vpn, pfn, page_size, rw, user, nx, dirty, global_, stamp):
        self.vpn, self.pfn, self.page_size = vpn, pfn, page_size
        self.rw, self.user, self.nx, self.dirty, self.global_ = rw, user, nx, dirty, global_
        self.stamp = stamp

    def __repr__(self) -> str:
        flags = "".join(c for c, on in (("W", self.rw), ("U", self.user), ("X", not self.nx),
                                        ("D", self.dirty), ("G", self.global_)) if on)
        return f"TlbEntry(vpn={self.vpn:#x}, pfn={self.pfn:#x}, {self.page_size >> 10}K, {flags})"


class TlbArray:
    """One set-associative TLB array with LRU replacement within a set."""

    __slots__ = ("name", "nsets", "ways", "sets", "shift")

    def __init__(self, name: str, entries: int, ways: int, shift: int) -> None:
        self.name, self.ways, self.shift = name, ways, shift
        self.nsets = entries // ways
        self.sets: list[list[TlbEntry | None]] = [[None] * ways for _ in range(self.nsets)]


class Tlb:
    """Instruction and data TLBs of a P6-class CPU (Pentium Pro / II / III).

    Sizes are the CPUID leaf-2 descriptors those CPUs report (Intel AP-485):
    0x01 ITLB 4 KB pages, 32 entries, 4-way; 0x02 ITLB 4 MB pages, 2 entries, fully
    associative; 0x03 DTLB 4 KB pages, 64 entries, 4-way; 0x04 DTLB 4 MB pages,
    8 entries, 4-way.  Under PAE the large-page arrays hold 2 MB pages.  Set index =
    low bits of the virtual page number; LRU within a set.  Entries cache the rights
    combined over all levels, the D state of the final entry and G (only with
    CR4.PGE).  Exec accesses use the ITLB, reads and writes the DTLB.
    (Slotted: every access looks it up, engine.slots.)
    """

    __slots__ = ("dtlb", "dtlb_large", "itlb", "itlb_large", "arrays", "hits", "misses", "_tick")

    def __init__(self, dtlb=(64, 4), dtlb_large=(8, 4), itlb=(32, 4), itlb_large=(2, 2),
                 pae: bool = False) -> None:
        ls = 21 if pae else 22
        self.dtlb = TlbArray("dtlb", *dtlb, 12)
        self.dtlb_large = TlbArray("dtlb_large", *dtlb_large, ls)
        self.itlb = TlbArray("itlb", *itlb, 12)
        self.itlb_large = TlbArray("itlb_large", *itlb_large, ls)
        self.arrays = (self.itlb, self.itlb_large, self.dtlb, self.dtlb_large)
        self.hits = self.misses = 0
        self._tick = 0

    def set_pae(self, pae: bool, events: list | None = None) -> None:
        """CR4.PAE changed: everything goes, large pages change size."""
        self.flush_all(events)
        self.dtlb_large.shift = self.itlb_large.shift = 21 if pae else 22

    def lookup(self, vaddr: int, exec_: bool = False):
        """(entry, array, set, way) of a matching entry, or None.  Marks it most recent."""
        for arr in ((self.itlb, self.itlb_large) if exec_ else (self.dtlb, self.dtlb_large)):
            vpn = vaddr >> arr.shift
            si = vpn & (arr.nsets - 1)
            way = 0
            for e in arr.sets[si]:
                if e is not None and e.vpn == vpn:
                    self._tick += 1
                    e.stamp = self._tick
                    return e, arr, si, way
                way += 1
        return None

    def fill(self, vaddr: int, w: Walk, exec_: bool, pge: bool,
             events: list | None = None) -> TlbEntry:
        if w.page_size == 4096:
            arr = self.itlb if exec_ else self.dtlb
        else:
            arr = self.itlb_large if exec_ else self.dtlb_large
        vpn = vaddr >> arr.shift
        si = vpn & (arr.nsets - 1)
        s = arr.sets[si]
        way = free = lru = None
        for i, e in enumerate(s):
            if e is None:
                if free is None:
                    free = i
            elif e.vpn == vpn:
                way = i
                break
            elif lru is None or e.stamp < s[lru].stamp:
                lru = i
        if way is None:
            way = free
        if way is None:
            way = lru
            old = s[way]
            if events is not None:
                events.append(TlbEvict(arr.name, si, old.vpn, old.pfn, old.page_size, "lru"))
        self._tick += 1
        pfn = (w.paddr & ~(w.page_size - 1)) >> 12
        e = s[way] = TlbEntry(vpn, pfn, w.page_size, w.rw, w.user, w.nx, w.dirty,
                              w.global_ and pge, self._tick)
        if events is not None:
            events.append(TlbFill(arr.name, si, way, vpn, pfn, w.page_size, w.rw, w.user,
                                  w.nx, w.dirty, e.global_))
        return e

    def _drop(self, keep, events, scope, vaddr=None, reason=None) -> int:
        n = 0
        for arr in self.arrays:
            for si, s in enumerate(arr.sets):
                for way, e in enumerate(s):
                    if e is not None and not keep(arr, e):
                        s[way] = None
                        n += 1
                        if reason is not None and events is not None:
                            events.append(TlbEvict(arr.name, si, e.vpn, e.pfn,
                                                   e.page_size, reason))
        if events is not None and scope is not None:
            events.append(TlbFlush(scope, vaddr, n))
        return n

    def flush_all(self, events: list | None = None) -> int:
        """CR4.PGE/PAE change, or a full flush: every entry, global ones too."""
        return self._drop(lambda a, e: False, events, "all")

    def flush_nonglobal(self, events: list | None = None) -> int:
        """MOV to CR3: all entries except global ones."""
        return self._drop(lambda a, e: e.global_, events, "nonglobal")

    def invlpg(self, vaddr: int, events: list | None = None, reason: str = "invlpg") -> int:
        """INVLPG: the entries (any size, global too) that translate ``vaddr``."""
        return self._drop(lambda a, e: e.vpn != vaddr >> a.shift, events,
                          "invlpg" if reason == "invlpg" else None, vaddr, reason)

    def entries(self) -> list[tuple[str, int, int, TlbEntry]]:
        """(array name, set, way, entry) of every valid entry."""
        return [(a.name, si, way, e) for a in self.arrays for si, s in enumerate(a.sets)
                for way, e in enumerate(s) if e is not None]

    def __len__(self) -> int:
        return sum(e is not None for a in self.arrays for s in a.sets for e in s)


def access(frames, cpu: CpuRegs, tlb: Tlb, vaddr: int, kind: str = "read",
           user: bool = False) -> Access:
    """One CPU access through the TLB; walks (setting A/D) on a miss.

    A hit whose cached rights refuse the access, or a write hitting an entry cached
    while the page was clean, goes back to the walk, as real CPUs (and QEMU) do; a
    #PF drops the TLB entries of the faulting address (SDM §4.10.4.1).
    """
    k = _KIND[kind]
    events: list = [TlbLookup(vaddr, kind, user)]
    if not cpu.cr0 & X86_CR0_PG:
        return Access(vaddr, False, None, None, events)
    hit = tlb.lookup(vaddr, k == 2)
    reason = "not cached"
    if hit is not None:
        e, arr, si, way = hit
        allowed = ((not user or e.user)
                   and (k != 1 or e.rw or (not user and not cpu.cr0 & X86_CR0_WP))
                   and (k != 2 or not e.nx))
        if allowed and (k != 1 or e.dirty):
            tlb.hits += 1
            paddr = (e.pfn << 12) | (vaddr & (e.page_size - 1))
            events.append(TlbHit(vaddr, arr.name, si, way, paddr))
            return Access(paddr, True, None, None, events)
        reason = "clean entry: write must set D" if allowed else "permission"
    tlb.misses += 1
    events.append(TlbMiss(vaddr, reason))
    w = walk(frames, cpu, vaddr, kind, user, True, events)
    if w.fault is not None:
        cpu.cr2 = vaddr
        tlb.invlpg(vaddr, events, reason="fault")
        return Access(None, False, w, w.fault, events)
    tlb.fill(vaddr, w, k == 2, bool(cpu.cr4 & X86_CR4_PGE), events)
    return Access(w.paddr, False, w, None, events)
