"""A task (struct task_struct + its mm): pid, comm, VMAs, page tables, and the memory
system calls it makes (mmap, munmap, mprotect, brk)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import tasks
from .errors import ConfigError
from .mm import MmStruct

if TYPE_CHECKING:
    from .machine import Machine


MAX_RW_BYTES = 16 << 20
"""The most bytes one read_virt/write_virt copies (a simulation limit: every page is
a separate MMU access)."""


class Process:
    """A task: pid, comm, its mm (VMAs + page tables) and the memory system calls."""

    def __init__(self, m: Machine, pid: int, comm: str, mm: MmStruct, ppid: int = 0) -> None:
        self.m, self.pid, self.comm, self.mm, self.ppid = m, pid, comm, mm, ppid
        self.ip = self.sp = 0
        self.symbols: dict[str, int] = {}
        self.task_addr: int | None = None

    @property
    def vmas(self) -> list:
        return list(self.mm.vmas)

    @property
    def cr3(self) -> int:
        return self.mm.pgd.cr3

    def _live(self):
        """The machine, after checking that this task has not exited (a stale Process
        object raises ConfigError: ESRCH)."""
        m = self.m
        if m.processes.get(self.pid) is not self:
            raise ConfigError(f"pid {self.pid}: no such process (it has exited)")
        return m

    def _op(self, fn, *args, **kw):
        m = self._live()
        comm, m.comm = m.comm, self.comm            # messages name the calling task
        with m.trace.with_list() as events:
            try:
                return fn(m, self, *args, events, **kw)
            finally:
                m.comm = comm
                tasks.sync_vmas(m, self, events)

    def brk(self, addr: int) -> int:
        """Move the program break (the heap's end) to addr; whole pages are mapped or unmapped.

        Args:
            addr: the new break, a vaddr (unaligned is fine).
        Returns:
            the break after the call (the old one when the move is refused, as sys_brk does).
        Raises:
            OomKilled (an OutOfMemory): "Out of memory: Killed process 1 (x) ..." when the heap's pages
                cannot be had and the OOM killer ends this very task.
        Kernel: mm/mmap.c sys_brk() -> do_brk_flags() / do_munmap()."""
        from .mmap_ops import do_brk
        return self._op(do_brk, addr)

    def sbrk(self, delta: int) -> int:
        """glibc sbrk(): move the break by delta bytes.

        Args:
            delta: bytes to add (negative to shrink).
        Returns:
            the old break (a vaddr).
        Raises:
            OutOfMemory: "sbrk: ENOMEM ..." when sys_brk refuses the move.
        Kernel: glibc sbrk() over mm/mmap.c sys_brk()."""
        from .errors import OutOfMemory
        old = self.mm.brk
        if delta and self.brk(old + delta) != old + delta:
            raise OutOfMemory(f"sbrk({delta:#x}): ENOMEM (brk stays at {old:#x})")
        return old

    def mmap(self, length: int, prot: str = "rw-", flags: str = "private|anonymous",
             addr: int | None = None, file: str | None = None, offset: int = 0) -> int:
        """Map anonymous memory, a file or a device into the process.

        Args:
            length: bytes (an int, or a size string like "8K"; rounded up to pages).
            prot: "rw-"-style protection (engine.mm.PROT_NAMES).
            flags: words of engine.mmap_ops.MAP_FLAG_WORDS joined by "|" ("private|anonymous").
            addr: a hint, or the address with "fixed" (page aligned); None: the kernel chooses.
            file: a path ("/dev/mapfile" for the map driver); None: anonymous.
            offset: bytes into the file, page aligned.
        Returns:
            the mapping's start vaddr.
        Raises:
            ConfigError: "mmap: unknown flag(s) locked (use private|shared, anonymous, fixed)",
                "mmap: EINVAL: length must be positive",
                "mmap: EINVAL: MAP_FIXED needs a page-aligned address".
            OutOfMemory: no gap in the address space (ENOMEM), or MAP_POPULATE cannot be satisfied.
        Kernel: mm/mmap.c do_mmap() -> get_unmapped_area() -> mmap_region()."""
        from .config import byte_count
        from .lifecycle import atomic
        from .mmap_ops import do_mmap
        m = self._live()
        length = byte_count(length, "mmap")
        if isinstance(flags, str) and "populate" in flags.lower():
            need = (max(length, 0) >> 12) + (max(length, 0) >> 21) + 4
            pid = self.pid
            return atomic(m, need, lambda mm: mm.processes[pid]._op(
                lambda m2, p, ev: do_mmap(m2, p, length, prot, flags, addr, ev,
                                          file=file, offset=offset)))
        return self._op(lambda m, p, ev: do_mmap(m, p, length, prot, flags, addr, ev,
                                                 file=file, offset=offset))

    def munmap(self, addr: int, length: int) -> None:
        """Unmap [addr, addr + length): pages freed, VMAs split or removed, TLB flushed.

        Args:
            addr: page-aligned vaddr.
            length: bytes (an int, or a size string like "8K"; rounded up to pages).
        Returns:
            None.
        Raises:
            ConfigError: "munmap: EINVAL: address must be page aligned, length positive".
        Kernel: mm/mmap.c do_munmap() -> unmap_region() -> zap_page_range()."""
        from .mmap_ops import do_munmap
        self._op(do_munmap, addr, length)

    def mprotect(self, addr: int, length: int, prot: str) -> None:
        """Change the protection of [addr, addr + length); present PTEs are rewritten.

        Args:
            addr: page-aligned vaddr.
            length: bytes (an int, or a size string like "8K"; rounded up to pages).
            prot: "rw-"-style protection.
        Returns:
            None.
        Raises:
            OutOfMemory: "mprotect: ENOMEM: 0x50000000 is not mapped".
            ConfigError: "mprotect: EINVAL: ..." for an unaligned address; "prot: ... is not like 'rw-'".
        Kernel: mm/mprotect.c do_mprotect_pkey() -> mprotect_fixup() -> change_protection()."""
        from .mmap_ops import do_mprotect
        self._op(do_mprotect, addr, length, prot)

    def maps(self) -> str:
        return self.m.proc_pid(self.pid, "maps")

    def __repr__(self) -> str:
        return f"<Process pid={self.pid} {self.comm} vmas={len(self.mm.vmas)} cr3={self.cr3:#x}>"
