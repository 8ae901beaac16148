"""The page walk: CR3 → (PDPTE) → PDE → PTE → frame + offset, each entry's raw value
with its bits decoded, the fault and its #PF error code; the TLB beside it."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from .selection import Selection

ENTRY_BITS = ((0, "P"), (1, "R/W"), (2, "U/S"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
              (7, "PS"), (8, "G"), (63, "NX"))
PF_BITS = ((0, "P", "protection", "not present"), (1, "W/R", "write", "read"),
           (2, "U/S", "user", "kernel"), (3, "RSVD", "reserved bit", None),
           (4, "I/D", "instruction fetch", None))


def decode_entry(entry: int) -> str:
    """The set bits of an x86 paging entry, in the SDM's names."""
    return " ".join(name for bit, name in ENTRY_BITS if entry >> bit & 1) or "-"


def decode_error_code(code: int) -> str:
    out = []
    for bit, _, on, off in PF_BITS:
        if code >> bit & 1:
            out.append(on)
        elif off is not None:
            out.append(off)
    return ", ".join(out)


def walk_text(vaddr: int | None, walk: Any, pae: bool) -> Text:
    t = Text()
    if walk is None or vaddr is None:
        t.append("no walk yet", "dim italic")
        return t
    width = 16 if pae else 8
    t.append(f"walk of {vaddr:#010x}\n", "bold")
    for s in walk.steps:
        t.append(f"{s.level:<6}", "bold cyan")
        t.append(f" table {s.table_paddr:#011x} [{s.index:>3}] @ {s.entry_paddr:#011x}\n")
        t.append(f"       = {s.entry:0{width}x}  ", "yellow")
        t.append(decode_entry(s.entry) + "\n", "green" if s.entry & 1 else "red")
    if walk.fault is not None:
        f = walk.fault
        t.append(f"#PF error code {f.error_code:#x} ({decode_error_code(f.error_code)})\n", "bold red")
        t.append(f"  {f.reason}\n", "red")
    elif walk.paddr is not None:
        t.append("frame ", "bold")
        t.append(f"{walk.paddr & ~(walk.page_size - 1):#011x} + offset "
                 f"{vaddr & (walk.page_size - 1):#x} = paddr {walk.paddr:#011x} "
                 f"({walk.page_size >> 10} KB page)\n", "bold green")
    return t


def tlb_text(tlb: Any, limit: int) -> Text:
    t = Text("TLB\n", "bold")
    if tlb is None:
        t.append("no TLB yet", "dim italic")
        return t
    try:
        entries = list(tlb.entries())
    except Exception:
        entries = []
    hits, misses = getattr(tlb, "hits", None), getattr(tlb, "misses", None)
    if hits is not None and misses is not None:
        t.append(f"hits {hits}  misses {misses}\n")
    if not entries:
        t.append("empty\n", "dim")
    for name, set_index, way, e in entries[:limit]:
        t.append(f"{name:<6} {set_index:>2}.{way} {e.vpn:#07x}→{e.pfn:#07x}\n")
    if len(entries) > limit:
        t.append(f"... {len(entries) - limit} more\n", "dim")
    return t


class PageWalkPane(Static):
    """The walk of the selected address (or of the step's access) and the TLB."""

    DEFAULT_CSS = """
    PageWalkPane { border: round $secondary; height: 1fr; padding: 0 1; }
    PageWalkPane:focus { border: round $accent; }
    """
    can_focus = True

    def __init__(self, **kw: Any) -> None:
        super().__init__("", **kw)
        self.walk: Any = None
        self.vaddr: int | None = None

    def show_machine(self, machine: Any, result: Any, selection: Selection | None) -> None:
        self.border_title = "Page walk + TLB"
        self.walk, self.vaddr = None, None
        step_walk = getattr(result, "walk", None)
        if step_walk is not None and getattr(step_walk, "steps", None) is not None:
            self.walk = step_walk
            self.vaddr = getattr(getattr(step_walk, "fault", None), "vaddr", None)
        if (self.walk is None or self.vaddr is None) and selection is not None \
                and selection.kind in ("address", "vmalloc") and isinstance(selection.value, int) \
                and callable(getattr(machine, "walk", None)):
            try:
                self.walk, self.vaddr = machine.walk(selection.value), selection.value
            except Exception as err:           # a kernel error is shown, never raised
                self.walk, self.vaddr = None, None
                self.update(Text(f"walk {selection.value:#010x}: {err}", "red"), layout=False)
                return
        pae = bool(getattr(getattr(machine, "config", None), "pae", False))
        text = walk_text(self.vaddr, self.walk, pae)
        text.append("\n")
        text.append_text(tlb_text(getattr(machine, "tlb", None), max(2, (self.size.height or 20) - 12)))
        self.update(text, layout=False)
