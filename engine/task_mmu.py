"""/proc/<pid>/maps and /proc/<pid>/status (fs/proc/task_mmu.c, fs/proc/array.c).

maps: ``%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu `` then, when there is a name,
spaces up to column 49 (25 + 6 * sizeof(void *)) and the name.  The offset column is
vm_pgoff << PAGE_SHIFT for every VMA on 2.6 (so an anonymous VMA shows its own start,
a stack that grew down a wrapped negative number) and 0 for anonymous VMAs on 6.1.
Names: the file's path, ``[heap]`` (a VMA overlapping start_brk..brk), ``[stack]``
(the VMA holding start_stack), ``[vvar]``/``[vdso]``; shared anonymous memory is
shmem's ``/dev/zero (deleted)`` with inode and device of the shmem mount.
status: the memory lines of task_mem() in their order and ``%8lu kB`` format.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .mm import VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE

if TYPE_CHECKING:
    from .machine import Machine


def vma_name(m: Machine, mm, v) -> str | None:
    """The name /proc/<pid>/maps prints for VMA ``v`` of ``mm`` (show_map / show_map_vma):
    the file's path, shmem's ``/dev/zero (deleted)``, a special mapping's name
    (``[vdso]``...), ``[heap]``, ``[stack]``; None for other anonymous memory.

    [heap]: a VMA overlapping start_brk..brk, the check of 2.6.39 on (commit 0db0c01b53a1
    "procfs: fix /proc/<pid>/maps heap check").  Simplified for 2.6.24-2.6.38, which named
    only a VMA holding all of start_brk..brk: mmviz's 2.6 start_brk is the seed program's,
    at the byte inside the data VMA, so that check would name no heap at all."""
    if v.file is not None:
        return v.file.path
    if v.shm is not None:
        return "/dev/zero (deleted)"
    if v.special is not None:
        return v.special
    if v.start <= mm.brk and v.end >= mm.start_brk:
        return "[heap]"
    if v.start <= mm.start_stack <= v.end:
        return "[stack]"
    return None


def maps_line(m: Machine, p, v) -> str:
    anon_pgoff_zero = m.config.flavour.maps_anon_pgoff_zero
    f = v.vm_flags
    perms = ("r" if f & VM_READ else "-") + ("w" if f & VM_WRITE else "-") + \
            ("x" if f & VM_EXEC else "-") + ("s" if f & VM_MAYSHARE else "p")
    major = minor = ino = 0
    pgoff = v.pgoff if v.file is not None or v.shm is not None or not anon_pgoff_zero else 0
    if v.file is not None:
        major, minor, ino = v.file.major, v.file.minor, v.file.inode
    elif v.shm is not None:
        major, minor, ino = 0, 1, 1000 + v.shm.id
    name = vma_name(m, p.mm, v)
    head = (f"{v.start:08x}-{v.end:08x} {perms} {(pgoff << 12) & 0xFFFFFFFF:08x} "
            f"{major:02x}:{minor:02x} {ino} ")
    if name is None:
        return head + "\n"
    return head + " " * max(0, 49 - len(head)) + name + "\n"


def maps(m: Machine, p) -> str:
    return "".join(maps_line(m, p, v) for v in p.mm.vmas)


def status(m: Machine, p) -> str:
    mm = p.mm
    data, stack, exe = mm.vm_kind_pages(m.config.flavour.vm_stat_data_vm)
    text = min(((mm.end_code + 0xFFF) & ~0xFFF) - (mm.start_code & ~0xFFF), exe << 12)
    lib = (exe << 12) - text
    ptes = len(mm.pgd.owned) - 1 if not m.config.pae else len(mm.pgd.owned) - 1
    kb = lambda pages: pages * 4     # noqa: E731
    rows = [("VmPeak", kb(max(mm.hiwater_vm, mm.total_vm))), ("VmSize", kb(mm.total_vm)),
            ("VmLck", 0), ("VmPin", 0), ("VmHWM", kb(max(mm.hiwater_rss, mm.rss))),
            ("VmRSS", kb(mm.rss)), ("RssAnon", kb(mm.rss_anon)), ("RssFile", kb(mm.rss_file)),
            ("RssShmem", kb(mm.rss_shmem)), ("VmData", kb(data)), ("VmStk", kb(stack)),
            ("VmExe", text >> 10), ("VmLib", lib >> 10), ("VmPTE", kb(ptes)),
            ("VmSwap", kb(mm.swapents_counter))]
    fl = m.config.flavour
    drop = (() if fl.status_vmpin else ("VmPin",)) + \
        (() if fl.status_rss_split else ("RssAnon", "RssFile", "RssShmem")) + \
        (() if fl.status_vmswap else ("VmSwap",))
    rows = [r for r in rows if r[0] not in drop]
    head = [f"Name:\t{p.comm}", "Umask:\t0022", "State:\tR (running)" if m.current == p.pid
            else "State:\tS (sleeping)", f"Tgid:\t{p.pid}", f"Pid:\t{p.pid}",
            f"PPid:\t{p.ppid}"]
    return "\n".join(head) + "\n" + "".join(f"{k}:\t{v:8d} kB\n" for k, v in rows) + \
        "Threads:\t1\n"
