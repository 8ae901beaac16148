"""mm_struct and vm_area_struct: the user address space of one process (mm/mmap.c).

VMAs are kept ordered by address; ``find_vma`` has the kernel's semantics (the first
VMA whose ``vm_end`` is above the address).  ``vma_merge``/``split_vma`` follow
mm/mmap.c: a new range joins a neighbour with equal flags, the same file (or none),
contiguous ``vm_pgoff`` and compatible anon_vmas; munmap and mprotect split at their
boundaries.  File mappings are modelled as *named anonymous regions*: they carry the
path, device and inode /proc/<pid>/maps prints and their pgoff, but their pages are
demand-zero like anonymous memory (mmviz has no page cache).

Page-table work (zapping, changing protections) is done by engine.memory; this module
only edits the VMA list and the mm's counters.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .page_types import PAGE_MASK, PAGE_SIZE, TASK_SIZE  # noqa: F401 (re-exported)

TASK_UNMAPPED_BASE = 0x4000_0000           # PAGE_ALIGN(TASK_SIZE / 3)
MMAP_MIN_ADDR = 0x10000                    # vm.mmap_min_addr (ground truth: 65536)
STACK_GUARD_GAP = 256 << 12                # 6.x stack_guard_gap (1 MB)
RLIMIT_STACK = 8 << 20
MIN_GAP = 128 << 20                        # arch/x86/mm/mmap.c
STACK_RND_MASK = 0x7FF                     # pages

# vm_flags (include/linux/mm.h)
VM_READ, VM_WRITE, VM_EXEC, VM_SHARED = 0x1, 0x2, 0x4, 0x8
VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_MAYSHARE = 0x10, 0x20, 0x40, 0x80
VM_GROWSDOWN = 0x100
VM_PFNMAP = 0x400
VM_DENYWRITE = 0x800                       # before 5.15: MAP_DENYWRITE (ELF mappings)
VM_EXECUTABLE = 0x1000                     # before 3.7: MAP_EXECUTABLE (ELF mappings)
VM_IO = 0x4000
VM_DONTEXPAND = 0x40000
VM_DONTDUMP = 0x4000000
VM_ACCOUNT = 0x100000
VM_STACK = VM_GROWSDOWN
VM_NOT_ACCOUNTED = VM_ACCOUNT | VM_WRITE | VM_SHARED    # mprotect_fixup(): no new charge
VM_MAY = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
VM_DATA_DEFAULT = VM_READ | VM_WRITE | VM_EXEC | VM_MAY   # READ_IMPLIES_EXEC off: no EXEC


AVC_UNLINKED = -1                          # a chain entry copied with its VMA (engine.anon_vma)


def copy_chain(avc: list) -> list:
    """A VMA copy's anon_vma_chain: the same anon_vmas, linked later (engine.anon_vma.relink)."""
    return [(av, AVC_UNLINKED) for av, _ in avc]


def accountable(vm_flags: int) -> int:
    """VM_ACCOUNT for a private writable mapping (mmap_region()'s accountable_mapping(),
    2.6.24 do_mmap_pgoff(): a shared one's is cleared after shmem_zero_setup())."""
    return VM_ACCOUNT if vm_flags & (VM_SHARED | VM_WRITE) == VM_WRITE else 0


def page_align(x: int) -> int:
    return (x + PAGE_SIZE - 1) & PAGE_MASK


# the letters of a protection string and the PROT_* name of each (include/uapi/asm-generic/mman-common.h)
PROT_NAMES = (("r", "PROT_READ"), ("w", "PROT_WRITE"), ("x", "PROT_EXEC"))


def prot_flags(prot: str) -> int:
    """'rw-' / 'r-x' / '---' (or 'rwx' in any order) -> VM_READ|VM_WRITE|VM_EXEC.

    Raises ConfigError "prot: ... is not like 'rw-'" for anything else."""
    from .errors import ConfigError
    if not isinstance(prot, str):
        raise ConfigError(f"prot: {prot!r} is not like 'rw-'")
    f = 0
    for c in prot.replace("-", "").lower():
        if c not in "rwx":
            raise ConfigError(f"prot: {prot!r} is not like 'rw-'")
        f |= {"r": VM_READ, "w": VM_WRITE, "x": VM_EXEC}[c]
    return f


@dataclass(frozen=True)
class FileRef:
    """What /proc/<pid>/maps prints for a file mapping (the file itself is not modelled)."""
    path: str
    major: int
    minor: int
    inode: int


class SharedAnon:
    """A MAP_SHARED|MAP_ANONYMOUS object (shmem in the kernel): its pages by index."""
    _next = 1

    def __init__(self, pages: int) -> None:
        self.id = SharedAnon._next
        SharedAnon._next += 1
        self.pages: dict[int, int] = {}       # page index -> pfn (holds one page reference)
        self.users = 0                        # VMAs referring to it
        self.size = pages


class Vma:
    """vm_area_struct: [start, end), vm_flags, vm_pgoff, backing and the pseudo-name."""

    __slots__ = ("start", "end", "vm_flags", "pgoff", "file", "special", "shm", "ops",
                 "anon_vma", "avc", "addr", "driver")

    def __init__(self, start: int, end: int, vm_flags: int, pgoff: int, file=None,
                 special=None, shm=None, ops=None, driver=None) -> None:
        self.start, self.end, self.vm_flags, self.pgoff = start, end, vm_flags, pgoff
        self.file, self.special, self.shm, self.ops = file, special, shm, ops
        self.anon_vma = None                  # engine.anon_vma.AnonVma, from the first anonymous fault
        self.avc: list = []                   # its anon_vma_chain (engine.anon_vma)
        self.addr: int | None = None          # vm_area_struct object in the slab, if any
        self.driver = driver

    def copy(self) -> "Vma":
        v = Vma(self.start, self.end, self.vm_flags, self.pgoff, self.file, self.special,
                self.shm, self.ops, self.driver)
        v.anon_vma, v.avc = self.anon_vma, copy_chain(self.avc)
        return v

    @property
    def pages(self) -> int:
        return (self.end - self.start) >> 12

    @property
    def prot(self) -> str:
        f = self.vm_flags
        return ("r" if f & VM_READ else "-") + ("w" if f & VM_WRITE else "-") + \
               ("x" if f & VM_EXEC else "-")

    @property
    def flags(self) -> str:
        parts = ["shared" if self.vm_flags & VM_MAYSHARE else "private"]
        parts.append("file" if self.file else "anonymous")
        if self.vm_flags & VM_GROWSDOWN:
            parts.append("growsdown")
        if self.vm_flags & VM_PFNMAP or self.ops:
            parts.append("io")
        return "|".join(parts)

    @property
    def name(self) -> str | None:
        if self.file is not None:
            return self.file.path
        return self.special

    def __repr__(self) -> str:
        return (f"Vma({self.start:#010x}, {self.end:#010x}, {self.prot!r}, {self.flags!r}, "
                f"{self.name!r})")


def mergeable(a: Vma, b: Vma) -> bool:
    """a directly below b can become one VMA (is_mergeable_vma + anon_vma + pgoff)."""
    return (a.end == b.start and a.vm_flags == b.vm_flags and a.file is b.file
            and a.special is None and b.special is None and a.shm is None and b.shm is None
            and a.ops is None and b.ops is None and not a.vm_flags & VM_PFNMAP
            and a.pgoff + a.pages == b.pgoff
            and (a.anon_vma is None or b.anon_vma is None or a.anon_vma == b.anon_vma))


class MmStruct:
    """mm_struct: the VMAs, the page tables (pgd), the layout fields and counters."""

    def __init__(self, pgd, legacy: bool, mmap_base: int) -> None:
        self.vmas: list[Vma] = []
        self.pgd = pgd                        # engine.pgtable.PageTables
        self.legacy = legacy
        self.mmap_base = mmap_base
        self.start_code = self.end_code = self.start_data = self.end_data = 0
        self.start_brk = self.brk = self.start_stack = 0
        self.rss_anon = 0                     # MM_ANONPAGES (pages mapped, zero page excluded)
        self.rss_file = 0                     # MM_FILEPAGES (driver pages)
        self.rss_shmem = 0                    # MM_SHMEMPAGES
        self.swap_ents = 0                    # MM_SWAPENTS: the swap entries the page tables hold
        self.swap_ents_drift = 0              # MM_SWAPENTS - swap_ents: bad swap entries zapped (-1)
                                              # or copied by fork (+1), 2.6.34+ (rule swapents_bad_entry)
        self.hiwater_rss = 0
        self.hiwater_vm = 0
        self.addr: int | None = None          # the mm_struct object in the slab, if any
        self.mmap_cache: int | None = None    # vm_start of the VMA find_vma() found last (before
                                              # 3.15; mmviz sets it on page faults only)

    @property
    def swapents_counter(self) -> int:
        """get_mm_counter(mm, MM_SWAPENTS): a negative count reads as 0 (SPLIT_RSS_COUNTING)."""
        return max(0, self.swap_ents + self.swap_ents_drift)

    # -- lookup -------------------------------------------------------------------
    def find_vma(self, addr: int) -> Vma | None:
        """The first VMA with vm_end > addr (it may start above addr)."""
        i = bisect_right(self.vmas, addr, key=lambda v: v.end)
        return self.vmas[i] if i < len(self.vmas) else None

    def find_vma_prev(self, addr: int) -> tuple[Vma | None, Vma | None]:
        i = bisect_right(self.vmas, addr, key=lambda v: v.end)
        nxt = self.vmas[i] if i < len(self.vmas) else None
        prev = self.vmas[i - 1] if i > 0 else None
        return prev, nxt

    def vma_at(self, addr: int) -> Vma | None:
        v = self.find_vma(addr)
        return v if v is not None and v.start <= addr else None

    def index(self, vma: Vma) -> int:
        for i, v in enumerate(self.vmas):
            if v is vma:
                return i
        raise ValueError("VMA not in this mm")

    def insert(self, vma: Vma) -> None:
        i = bisect_right(self.vmas, vma.start, key=lambda v: v.start)
        self.vmas.insert(i, vma)

    def remove(self, vma: Vma) -> None:
        del self.vmas[self.index(vma)]
        if self.mmap_cache == vma.start:      # detach_vmas_to_be_unmapped(): mmap_cache = NULL
            self.mmap_cache = None

    # -- counters -------------------------------------------------------------------
    @property
    def total_vm(self) -> int:
        return sum(v.pages for v in self.vmas)

    def vm_kind_pages(self, data_vm: bool = True) -> tuple[int, int, int]:
        """(VmData, stack_vm, exec_vm) in pages, as vm_stat_account() keeps them.

        ``data_vm`` (4.5+, rule vm_stat_data_vm): mm->data_vm counts private writable non-stack
        VMAs, exec_vm every VM_EXEC VMA that is not writable (the vdso too).  Before 4.5
        (mm/mmap.c vm_stat_account(mm, flags, file, pages)): shared_vm counts every
        file-backed VMA, exec_vm only the file-backed ones that are executable and not
        writable, stack_vm the anonymous VM_GROWSDOWN ones; install_special_mapping() (the vdso)
        and brk only add to total_vm; VmData is total_vm - shared_vm - stack_vm
        (fs/proc/task_mmu.c task_mem())."""
        if not data_vm:
            shared = stack = exe = 0
            for v in self.vmas:
                f = v.vm_flags
                if v.file is not None:
                    shared += v.pages
                    exe += v.pages if f & (VM_EXEC | VM_WRITE) == VM_EXEC else 0
                elif f & VM_GROWSDOWN and v.special is None:
                    stack += v.pages
            return self.total_vm - shared - stack, stack, exe
        data = stack = exe = 0
        for v in self.vmas:
            f = v.vm_flags
            if f & VM_STACK:
                stack += v.pages
            elif f & VM_WRITE and not f & VM_SHARED:
                data += v.pages
            elif f & VM_EXEC and not f & VM_WRITE:
                exe += v.pages
        return data, stack, exe

    @property
    def rss(self) -> int:
        return self.rss_anon + self.rss_file + self.rss_shmem

    def rss_stat(self, shmem_counter: bool) -> tuple[tuple[str, int], ...]:
        """The mm's rss_stat counters as the kernel keeps them, (name, pages) in index order:
        MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS and, from 4.5 (``shmem_counter``: rule
        mm_shmempages), MM_SHMEMPAGES; before 4.5 a shared anonymous (shmem) page counts in
        MM_FILEPAGES (mm/memory.c do_set_pte(), zap_pte_range())."""
        counters = (("MM_FILEPAGES", self.rss_file + (0 if shmem_counter else self.rss_shmem)),
                    ("MM_ANONPAGES", self.rss_anon),
                    ("MM_SWAPENTS", self.swap_ents + self.swap_ents_drift))
        return counters + (("MM_SHMEMPAGES", self.rss_shmem),) if shmem_counter else counters

    def update_hiwater(self) -> None:
        self.hiwater_rss = max(self.hiwater_rss, self.rss)
        self.hiwater_vm = max(self.hiwater_vm, self.total_vm)

    # -- free space -------------------------------------------------------------------
    def _gap_start(self, v: Vma | None) -> int:
        return v.end if v is not None else 0

    @staticmethod
    def _start_gap(v: Vma) -> int:
        """vm_start_gap(): a stack VMA keeps stack_guard_gap free below it."""
        if v.vm_flags & VM_GROWSDOWN:
            return max(0, v.start - STACK_GUARD_GAP)
        return v.start

    def get_unmapped_area(self, length: int, addr: int | None = None) -> int | None:
        """arch_get_unmapped_area(_topdown): a hint if free, else bottom-up from
        TASK_UNMAPPED_BASE (legacy) or the highest gap below mmap_base (top-down)."""
        if length > TASK_SIZE - MMAP_MIN_ADDR:
            return None
        if addr:
            addr = page_align(addr)
            if MMAP_MIN_ADDR <= addr and addr + length <= TASK_SIZE:
                prev, nxt = self.find_vma_prev(addr)
                if (nxt is None or addr + length <= self._start_gap(nxt)) and \
                        (prev is None or addr >= prev.end):
                    return addr
        gaps = []                                 # (low, high) free ranges in order
        low = MMAP_MIN_ADDR
        for v in self.vmas:
            gaps.append((low, self._start_gap(v)))
            low = max(low, v.end)
        gaps.append((low, TASK_SIZE))
        if self.legacy:
            for lo, hi in gaps:
                lo = max(lo, self.mmap_base)
                if hi - lo >= length:
                    return lo
            return None
        for lo, hi in reversed(gaps):
            hi = min(hi, self.mmap_base)
            if hi - lo >= length:
                return (hi - length) & PAGE_MASK
        return None

    def largest_gap(self) -> int:
        """Size of the largest mapping mmap could place now (bytes)."""
        best, low = 0, MMAP_MIN_ADDR
        for v in self.vmas + [None]:
            hi = self._start_gap(v) if v is not None else TASK_SIZE
            if self.legacy:
                lo = max(low, self.mmap_base)
            else:
                lo, hi = low, min(hi, self.mmap_base)
            best = max(best, hi - lo)
            if v is not None:
                low = max(low, v.end)
        return best

    # -- structure edits (no page tables) ---------------------------------------------
    def split(self, vma: Vma, addr: int) -> Vma:
        """split_vma(): cut at addr; returns the new upper part (already inserted)."""
        upper = vma.copy()
        upper.start = addr
        upper.pgoff = vma.pgoff + ((addr - vma.start) >> 12)
        vma.end = addr
        self.vmas.insert(self.index(vma) + 1, upper)
        if upper.shm is not None:
            upper.shm.users += 1
        return upper

    def merge_around(self, vma: Vma, events: list, ev_merge) -> Vma:
        """Merge vma with its neighbours where the kernel's vma_merge() would."""
        i = self.index(vma)
        if i + 1 < len(self.vmas) and mergeable(vma, self.vmas[i + 1]):
            nxt = self.vmas.pop(i + 1)
            if vma.anon_vma is None:               # importer takes exporter's (anon_vma_clone)
                vma.anon_vma, vma.avc = nxt.anon_vma, copy_chain(nxt.avc)
            vma.end = nxt.end
            events.append(ev_merge(vma.start, vma.end, nxt.start))
        if i > 0 and mergeable(self.vmas[i - 1], vma):
            prev = self.vmas[i - 1]
            self.vmas.pop(i)
            if prev.anon_vma is None:
                prev.anon_vma, prev.avc = vma.anon_vma, copy_chain(vma.avc)
            events.append(ev_merge(prev.start, vma.end, vma.start))
            prev.end = vma.end
            vma = prev
        return vma


def mmap_base(legacy: bool, rnd_pages: int) -> int:
    """arch_pick_mmap_layout(): where mmap starts (rnd in pages, 0 without ASLR)."""
    if legacy:
        return TASK_UNMAPPED_BASE + (rnd_pages << 12)
    gap = RLIMIT_STACK + STACK_GUARD_GAP
    gap = min(max(gap, MIN_GAP), TASK_SIZE // 6 * 5)
    return page_align(TASK_SIZE - gap - (rnd_pages << 12))
