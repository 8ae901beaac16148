"""The memory system calls of a process: mmap, munmap, mprotect, brk (mm/mmap.c,
mm/mprotect.c), on top of engine.mm (VMAs) and engine.memory (page tables).

Errors the kernel returns as -errno are raised: ``ConfigError`` for EINVAL (bad
arguments), ``OutOfMemory`` for ENOMEM (no room, or a range that is not mapped).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import tasks
from .config import byte_count
from .errors import ConfigError, OutOfMemory, shown
from .memory import change_protection, check_mapcounts, zap_range
from .mm import (MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE, VM_ACCOUNT, VM_DONTEXPAND,
                 VM_GROWSDOWN, VM_IO, VM_MAY, VM_MAYSHARE, VM_NOT_ACCOUNTED, VM_SHARED,
                 VM_WRITE, SharedAnon, Vma, accountable, page_align, prot_flags)
from .task_events import BrkMove, VmaCreate, VmaExtend, VmaMerge, VmaProtect, VmaRemove, VmaSplit

if TYPE_CHECKING:
    from .machine import Machine


# the mmap flag words lessons and the command line use, with the MAP_* name each stands for
# (include/uapi/asm-generic/mman-common.h); "MAP_PRIVATE" etc. are accepted too
MAP_FLAG_WORDS = {"private": "MAP_PRIVATE", "shared": "MAP_SHARED", "anonymous": "MAP_ANONYMOUS",
                  "anon": "MAP_ANONYMOUS", "fixed": "MAP_FIXED", "growsdown": "MAP_GROWSDOWN",
                  "populate": "MAP_POPULATE", "noreserve": "MAP_NORESERVE"}


def parse_map_flags(flags: str) -> set[str]:
    """"private|anonymous" (or "MAP_PRIVATE|MAP_ANONYMOUS") -> the set of flag words.

    Raises ConfigError "mmap: unknown flag(s) ..." for a word not in MAP_FLAG_WORDS, and
    "mmap: EINVAL: exactly one of private or shared is required" (do_mmap's check)."""
    if not isinstance(flags, str):
        raise ConfigError(f"mmap: flags must be words like private|anonymous, got {shown(flags)}")
    words = {w.strip().lower().removeprefix("map_") for w in flags.split("|") if w.strip()}
    bad = words - MAP_FLAG_WORDS.keys()
    if bad:
        raise ConfigError(f"mmap: unknown flag(s) {', '.join(sorted(bad))} "
                          f"(use private|shared, anonymous, fixed)")
    if ("private" in words) == ("shared" in words):
        raise ConfigError("mmap: EINVAL: exactly one of private or shared is required")
    if "anon" in words:
        words.add("anonymous")
    return words


def _new_vma(m: Machine, p, vma: Vma, events) -> Vma:
    """Insert, then let vma_merge() fold it into its neighbours (the slab objects of
    VMAs are reconciled by the caller, Machine._sync_vmas)."""
    p.mm.insert(vma)
    events.append(VmaCreate(p.pid, vma.start, vma.end, vma.prot, vma.name))
    return p.mm.merge_around(vma, events, VmaMerge)


def do_mmap(m: Machine, p, length: int, prot: str, flags: str, addr: int | None, events,
            file: str | None = None, offset: int = 0) -> int:
    words = parse_map_flags(flags)
    length = byte_count(length, "mmap")
    if length <= 0:
        raise ConfigError("mmap: EINVAL: length must be positive")
    if offset & (PAGE_SIZE - 1):
        raise ConfigError("mmap: EINVAL: offset must be a multiple of the page size")
    length = page_align(length)
    vm_flags = prot_flags(prot) | VM_MAY
    if "shared" in words:
        vm_flags |= VM_SHARED | VM_MAYSHARE
    if "growsdown" in words:
        vm_flags |= VM_GROWSDOWN
    vm_flags |= accountable(vm_flags)
    driver = m.map_drivers.get(file) if file else None
    if driver is not None:
        vm_flags |= VM_IO | VM_DONTEXPAND
    if "fixed" in words:
        if addr is None or addr & (PAGE_SIZE - 1):
            raise ConfigError("mmap: EINVAL: MAP_FIXED needs a page-aligned address")
        if addr < MMAP_MIN_ADDR or addr + length > TASK_SIZE:
            raise OutOfMemory(f"mmap: EPERM/ENOMEM: {addr:#x} is outside the user range")
        do_munmap(m, p, addr, length, events)
    else:
        addr = p.mm.get_unmapped_area(length, addr)
        if addr is None:
            raise OutOfMemory(f"mmap: ENOMEM: no free range of {length:#x} bytes")
    if file and driver is None:
        ref = tasks.file_ref(m, file)
        vma = Vma(addr, addr + length, vm_flags, offset >> 12, file=ref)
    elif driver is not None:
        vma = Vma(addr, addr + length, vm_flags, offset >> 12, file=tasks.file_ref(m, file),
                  ops=driver)
    elif "shared" in words:
        shm = SharedAnon(length >> 12)
        shm.users = 1
        vma = Vma(addr, addr + length, vm_flags, 0, shm=shm, special="/dev/zero (deleted)")
    else:
        vma = Vma(addr, addr + length, vm_flags, addr >> 12)
    _new_vma(m, p, vma, events)
    p.mm.update_hiwater()
    if "populate" in words:
        for va in range(addr, addr + length, PAGE_SIZE):
            tasks.fault_in(m, p, va, "write" if "w" in prot else "read", events)
    return addr


def _split_range(m: Machine, p, start: int, end: int, events) -> list[Vma]:
    """The VMAs inside [start, end) after splitting those that straddle its ends."""
    out = []
    for v in list(p.mm.vmas):
        if v.end <= start or v.start >= end:
            continue
        if v.start < start:
            lo = v.start
            v = p.mm.split(v, start)
            events.append(VmaSplit(p.pid, lo, v.end, start))
        if v.end > end:
            upper = p.mm.split(v, end)
            events.append(VmaSplit(p.pid, v.start, upper.end, end))
        out.append(v)
    return out


def do_munmap(m: Machine, p, addr: int, length: int | str, events) -> None:
    length = byte_count(length, "munmap")
    if addr & (PAGE_SIZE - 1) or length <= 0:
        raise ConfigError("munmap: EINVAL: address must be page aligned, length positive")
    end = addr + page_align(length)
    if end > TASK_SIZE:
        raise ConfigError("munmap: EINVAL: range reaches kernel space")
    check_mapcounts(m, p, addr, end)            # 2.6.20-2.6.28's BUG(), before anything changes
    victims = _split_range(m, p, addr, end, events)
    if not victims:
        return
    for v in victims:
        p.mm.remove(v)
        events.append(VmaRemove(p.pid, v.start, v.end))
    prev, nxt = p.mm.find_vma_prev(victims[0].start)
    floor = prev.end if prev is not None else 0
    ceiling = nxt.start if nxt is not None else TASK_SIZE
    for v in victims:
        zap_range(m, p, v.start, v.end, events, free_tables=False, vma=v)
        release_vma(m, v, events)
    from .memory import free_pgtables
    free_pgtables(m, p, floor, ceiling, events)


def release_vma(m: Machine, v: Vma, events) -> None:
    """remove_vma(): drop what the VMA pins (a shared-anonymous object)."""
    if v.shm is not None:
        v.shm.users -= 1
        if v.shm.users == 0:
            from .memory import release_page
            for pfn in v.shm.pages.values():
                release_page(m, pfn, events)
            v.shm.pages.clear()


def do_mprotect(m: Machine, p, addr: int, length: int, prot: str, events) -> None:
    newbits = prot_flags(prot)
    length = byte_count(length, "mprotect")
    if addr & (PAGE_SIZE - 1):
        raise ConfigError("mprotect: EINVAL: address must be page aligned")
    end = addr + page_align(length)
    if length <= 0:
        return
    pos = addr                                        # the whole range must be mapped
    for v in p.mm.vmas:
        if v.end <= pos or v.start >= end:
            continue
        if v.start > pos:
            break
        pos = v.end
    if pos < end:
        raise OutOfMemory(f"mprotect: ENOMEM: {pos:#x} is not mapped")
    # mprotect_fixup(): a VMA whose flags would not change is left alone -- not split, its PTEs
    # untouched ("if (newflags == oldflags) { *pprev = vma; return 0; }" first thing in
    # mm/mprotect.c mprotect_fixup(), 2.6.2x to 6.x); only the VMAs that change are split
    changing = [v for v in p.mm.vmas if v.start < end and v.end > addr
                and (v.vm_flags & ~0x7) | newbits != v.vm_flags]
    touched = [t for v in changing for t in _split_range(m, p, max(addr, v.start), min(end, v.end), events)]
    for v in touched:
        if newbits & VM_WRITE and not v.vm_flags & VM_NOT_ACCOUNTED:
            v.vm_flags |= VM_ACCOUNT            # mprotect_fixup(): charged when made writable
        v.vm_flags = (v.vm_flags & ~0x7) | newbits
        events.append(VmaProtect(p.pid, v.start, v.end, v.prot))
        change_protection(m, p, v, v.start, v.end, events)
    for v in touched:
        if any(x is v for x in p.mm.vmas):
            p.mm.merge_around(v, events, VmaMerge)


def vm_brk(m: Machine, p, start: int, length: int, events, brkvma_only: bool) -> bool:
    """do_brk_flags(): extend the brk VMA, or add one.  6.1 only extends the VMA that
    already holds the heap (above start_brk); 2.6 merges with any compatible neighbour."""
    if length <= 0:
        return True
    flags = 0x3 | VM_MAY | VM_ACCOUNT     # VM_DATA_DEFAULT_FLAGS (no READ_IMPLIES_EXEC) | VM_ACCOUNT
    prev, nxt = p.mm.find_vma_prev(start)
    if prev is not None and prev.end > start:
        return False
    if brkvma_only:
        if (prev is not None and prev.end == start and prev.start >= p.mm.start_brk
                and prev.vm_flags == flags and prev.file is None and prev.special is None):
            old = prev.end
            prev.end = start + length
            events.append(VmaExtend(p.pid, prev.start, prev.end, prev.start, old))
            return True
        vma = Vma(start, start + length, flags, start >> 12)
        p.mm.insert(vma)
        events.append(VmaCreate(p.pid, vma.start, vma.end, vma.prot, None))
        return True
    _new_vma(m, p, Vma(start, start + length, flags, start >> 12), events)
    return True


def do_brk(m: Machine, p, brk: int, events) -> int:
    """sys_brk(): moves mm->brk by bytes, maps and unmaps whole pages."""
    mm = p.mm
    fl = m.config.flavour
    min_brk = mm.start_brk if fl.brk_min_start_brk else mm.end_code
    if brk < min_brk:
        return mm.brk
    newbrk, oldbrk = page_align(brk), page_align(mm.brk)
    old = mm.brk
    if oldbrk == newbrk:
        mm.brk = brk
    elif brk <= mm.brk:
        do_munmap(m, p, newbrk, oldbrk - newbrk, events)
        mm.brk = brk
    else:
        nxt = mm.find_vma(oldbrk)
        gap = fl.stack_guard_gap_pages * PAGE_SIZE if nxt is not None and \
            nxt.vm_flags & VM_GROWSDOWN else 0
        if nxt is not None and newbrk + PAGE_SIZE > nxt.start - gap:
            return mm.brk
        if not vm_brk(m, p, oldbrk, newbrk - oldbrk, events, brkvma_only=fl.brk_vma_only):
            return mm.brk
        mm.brk = brk
    events.append(BrkMove(p.pid, old, mm.brk))
    mm.update_hiwater()
    return mm.brk
