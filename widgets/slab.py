"""Slab caches: the kmem_caches when the engine has a slab allocator."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static


class SlabPane(Static):
    """/proc/slabinfo as a table once the engine models SLUB/SLAB; until then, says so."""

    DEFAULT_CSS = """
    SlabPane { border: round $secondary; height: 1fr; padding: 0 1; }
    SlabPane:focus { border: round $accent; }
    """
    can_focus = True

    def __init__(self, **kw: Any) -> None:
        super().__init__("", **kw)
        self._machine: Any = None

    def show_machine(self, machine: Any, lang: str = "en") -> None:
        self.border_title = "Slab caches"
        caches = getattr(machine, "slab", None)
        if caches is None:
            msg = ("SLUB arrives with the kernel-allocators lesson" if lang == "en"
                   else "SLUB 将在“内核分配器”一课中出现")
            self.update(Text(msg, style="dim italic"), layout=False)
            return
        try:
            text = machine.proc("/proc/slabinfo")
        except Exception as err:   # the engine's slab is not ready: say what it said
            self.update(Text(f"/proc/slabinfo: {err}", style="dim"), layout=False)
            return
        lines = text.splitlines()
        self.update(Text("\n".join(lines[:max(3, self.size.height or 12)])), layout=False)
