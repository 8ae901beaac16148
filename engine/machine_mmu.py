"""The MMU side of the Machine: control registers, swapper_pg_dir, walks, accesses, the TLB."""
from __future__ import annotations

from .errors import ConfigError
from .kpgtable import KernelPageTables
from .mmu import (EFER_NXE, X86_CR0_PE, X86_CR0_PG, X86_CR0_WP, X86_CR4_PAE, X86_CR4_PGE,
                  X86_CR4_PSE, CpuRegs, Tlb)
from .mmu import access as _access
from .mmu import walk as _walk

X86_CR0_MP, X86_CR0_ET, X86_CR0_NE, X86_CR0_AM = 1 << 1, 1 << 4, 1 << 5, 1 << 18


class MmuMixin:
    """Adds m.cpu, m.tlb, m.walk(), m.access(), m.flush_tlb() to a booted Machine."""

    def _init_mmu(self) -> None:
        cfg = self.config
        self.kernel_pt = KernelPageTables(self)
        cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_PG
        cr4 = (X86_CR4_PSE if cfg.pse else 0) | (X86_CR4_PAE if cfg.pae else 0) | \
              (X86_CR4_PGE if cfg.pge else 0)
        efer = EFER_NXE if cfg.pae and cfg.nx else 0
        self.cpu = CpuRegs(cr0=cr0, cr3=self.kernel_pt.swapper_pg_dir, cr4=cr4, efer=efer,
                           maxphyaddr=36)
        self.tlb = Tlb(pae=cfg.pae)

    @property
    def swapper_pg_dir(self) -> int:
        """Physical address of the kernel's page directory (PDPT under PAE)."""
        return self.kernel_pt.swapper_pg_dir

    def _cr3_for(self, pid) -> int:
        if pid is None:
            return self.kernel_pt.swapper_pg_dir
        procs = getattr(self, "processes", {})
        if pid not in procs:
            raise ConfigError(f"pid {pid}: no such process")
        return procs[pid].cr3

    def walk(self, vaddr: int, pid=None, kind: str = "read", user: bool | None = None):
        """The page walk alone, without side effects (no A/D bits, no TLB fill)."""
        if kind not in ("read", "write", "exec"):
            raise ConfigError(f"kind: {kind!r} is not read, write or exec")
        if not 0 <= vaddr < (1 << 32):
            raise ConfigError(f"address {vaddr:#x} is outside the 32-bit space")
        cpu = self.cpu.copy()
        cpu.cr3 = self._cr3_for(pid)
        if user is None:
            user = pid is not None
        return _walk(self.frames, cpu, vaddr, kind, user, set_ad=False)

    def access(self, vaddr: int, kind: str = "read", pid=None, user: bool | None = None):
        """One CPU access through the TLB (kernel mode on swapper_pg_dir when pid is None).

        With a pid the access is a user-mode one in that process; ``user=False`` makes it a
        kernel-mode access while that process runs (its page directory in CR3)."""
        if kind not in ("read", "write", "exec"):
            raise ConfigError(f"kind: {kind!r} is not read, write or exec")
        if not 0 <= vaddr < (1 << 32):
            raise ConfigError(f"address {vaddr:#x} is outside the 32-bit space")
        handler = getattr(self, "_access_with_faults", None)
        if handler is not None:
            return handler(vaddr, kind, pid, user)
        if pid is not None:
            raise ConfigError("user processes arrive with the processes lesson")
        acc = _access(self.frames, self.cpu, self.tlb, vaddr, kind, False)
        self.events = acc.events
        return acc

    def flush_tlb(self, pid=None) -> None:
        """flush_tlb_all() (pid None) or a CR3 reload for that process (non-global only)."""
        events: list = []
        if pid is None:
            self.tlb.flush_all(events)
        else:
            self.tlb.flush_nonglobal(events)
        self.events = events

    def invlpg(self, vaddr: int) -> None:
        events: list = []
        self.tlb.invlpg(vaddr, events)
        self.events = events
