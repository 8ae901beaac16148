"""User processes on the Machine: spawn, fork, exit, VMAs, faults, copy-on-write, swap."""
from __future__ import annotations


class ProcessMixin:
    """m.spawn, m.fork, m.exit, m.current, m.processes, m.write_virt/read_virt, swap."""

    def _init_processes(self) -> None:
        """Called by Machine.__init__ after the kernel allocators are up."""
