"""The page walk: CR3 → (PDPTE) → PDE → PTE → frame + offset, each entry's raw value
with its bits decoded, the fault and its #PF error code, animated level by level;
the TLB beside it with its hits and misses.

The walk is redone from the machine at every step view (a walk has no side effects);
the animation restarts only when what it shows changed.  With ``animation_level == "none"``
(TEXTUAL_ANIMATIONS=none) the final state is shown at once.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable

from rich.text import Text

from engine.errors import MmvizError
from engine.mmu_events import PageFault, TlbHit, TlbMiss
from engine.paging_show import entry_meaning, split_text

from .i18n import engine_phrase, tr
from .selection import is_user_address, selected_address, user_space_pid
from .stepview import StepView, derived
from .textlines import TextLines, set_border_title, wrap_text

if TYPE_CHECKING:
    from engine.machine import Machine
    from engine.mmu import Tlb, Walk

PF_BITS = ((0, "P", "protection", "not present"), (1, "W/R", "write", "read"),
           (2, "U/S", "user", "kernel"), (3, "RSVD", "reserved bit", None),
           (4, "I/D", "instruction fetch", None))
LEVEL_DELAY = 0.4


def decode_error_code(code: int, lang: str = "en") -> str:
    out = []
    for bit, _, on, off in PF_BITS:
        if code >> bit & 1:
            out.append(tr(lang, f"pf.{on}"))
        elif off is not None:
            out.append(tr(lang, f"pf.{off}"))
    return ("，" if lang == "zh" else ", ").join(out)


def meaning_text(meaning: Any, lang: str = "en") -> str:
    """An entry's decoded bits (engine.paging_show.EntryMeaning.text) in ``lang``."""
    if lang == "en":
        return meaning.text()
    if meaning.present:
        out = " ".join(meaning.flags)
        return out + (tr(lang, "entry.reserved", bits=f"{meaning.reserved:#x}") if meaning.reserved else "")
    if meaning.kind == "empty":
        return tr(lang, "entry.empty")
    if meaning.kind == "swap":
        return tr(lang, "entry.swap", type=meaning.swap[0], offset=f"{meaning.swap[1]:#x}")
    if meaning.kind == "prot_none":
        return meaning.text()               # PROT_NONE: pfn 0x1234, P = 0 (identifiers)
    return tr(lang, "entry.absent")


def phys_hex(paddr: int, pae: bool) -> str:
    """A physical address as wide as the mode makes it: 32 bits without PAE (8 hex digits, as
    the kernel prints them), 36 with (9).  CR3 itself is a 32-bit register in both modes (PAE:
    the PDPT lies below 4 GB), so it is always shown with ``pae=False``."""
    return f"{paddr:#011x}" if pae else f"{paddr:#010x}"


def walk_lines(vaddr: int | None, walk: Walk | None, pae: bool, cr3: int | None, shown: int,
               pse: bool = True, flavour: str = "6.1", lang: str = "en") -> list[Text]:
    """The walk, with the first ``shown`` levels revealed (the CR3 line is level 0).
    Entries are decoded by the engine (``engine.paging_show``), the split follows the page
    size the walk ends in (10+22 for a 4 MB page, 2+9+21 for a 2 MB one)."""
    if walk is None or vaddr is None:
        return [Text(tr(lang, "walk.none"), "dim italic")]
    width = 16 if pae else 8
    large = any(s.level == "PDE" and entry_meaning(s.entry, s.level, pae, pse, flavour).kind == "large page"
                for s in walk.steps)
    lines = [Text(tr(lang, "walk.of", vaddr=f"{vaddr:#010x}", split=split_text(vaddr, pae, large)), "bold")]
    total = len(walk.steps) + 1
    cur = Text()                          # (a base style would colour what follows too)
    cur.append("CR3    ", "bold cyan")
    cur.append(phys_hex(cr3, False) if cr3 is not None else "?")
    cur.append("  " + tr(lang, "walk.pdpt" if pae else "walk.pgd"), "dim")
    lines.append(cur)
    for i, s in enumerate(walk.steps, start=1):
        if i > shown:
            lines.append(Text(f"{s.level:<6} …", "dim"))
            continue
        mark = "▶ " if i == shown and shown < total else "  "
        head = Text(mark, "bold yellow")
        head.append(f"{s.level:<5}", "bold cyan")
        head.append(f" [{s.index:>3}] @ {phys_hex(s.entry_paddr, pae)}")
        lines.append(head)
        val = Text(f"       = {s.entry:0{width}x}  ", "yellow")
        meaning = entry_meaning(s.entry, s.level, pae, pse, flavour)
        if meaning.present:
            val.append(meaning_text(meaning, lang), "green")
        else:                  # P = 0: what Linux keeps there, on a line of its own
            lines.append(val)
            val = Text("       " + meaning_text(meaning, lang), "red")
        lines.append(val)
    if shown < total:
        lines.append(Text("…", "dim"))
    elif walk.fault is not None:
        f = walk.fault
        lines.append(Text(tr(lang, "walk.error_code", code=f"{f.error_code:#x}",
                             bits=decode_error_code(f.error_code, lang)), "bold red"))
        lines.append(Text(f"  {engine_phrase(f.reason, lang)}", "red"))
    elif walk.paddr is not None:
        base = walk.paddr & ~(walk.page_size - 1)
        lines.append(Text(tr(lang, "walk.frame", base=phys_hex(base, pae), pfn=f"{base >> 12:#x}"), "bold green"))
        size = f"{walk.page_size >> 20} MB" if walk.page_size >= 1 << 20 else f"{walk.page_size >> 10} KB"
        lines.append(Text(tr(lang, "walk.offset", off=f"{vaddr & (walk.page_size - 1):#x}",
                             paddr=phys_hex(walk.paddr, pae), size=size), "bold green"))
    return lines


def tlb_step_counts(events: Iterable[Any]) -> tuple[int, int]:
    """(TLB hits, TLB misses) among a step's events."""
    hits = misses = 0
    for cls, n in Counter(map(type, events)).items():    # by class: thousands of events
        if issubclass(cls, TlbHit):
            hits += n
        elif issubclass(cls, TlbMiss):
            misses += n
    return hits, misses


def faulted_accesses(events: Iterable[Any]) -> dict[int, tuple[str, bool]]:
    """{virtual page: (kind, user)} of the step's page faults, the last per page, read back from
    each #PF error code (I/D: an instruction fetch, W/R: a write, U/S: CPL 3): the walk of that
    page is redone as that access, so a write to a read-only page shows its fault, not a read's
    translation."""
    out: dict[int, tuple[str, bool]] = {}
    for ev in events:
        if isinstance(ev, PageFault):
            code = ev.error_code
            out[ev.vaddr >> 12] = ("exec" if code & 0x10 else "write" if code & 2 else "read", bool(code & 4))
    return out


def tlb_lines(tlb: Tlb | None, vaddr: int | None, step_counts: tuple[int, int], limit: int,
              lang: str = "en") -> list[Text]:
    """The TLB's counters, this step's hits and misses (``step_counts``) and its entries."""
    out = [Text("TLB", "bold")]
    if tlb is None:
        return [*out, Text(tr(lang, "tlb.none"), "dim italic")]
    out.append(Text(tr(lang, "tlb.counts", hits=tlb.hits, misses=tlb.misses)))
    step_hits, step_miss = step_counts
    if step_hits or step_miss:
        out.append(Text(tr(lang, "tlb.step", hits=step_hits, misses=step_miss), "magenta"))
    entries = tlb.entries()
    if not entries:
        out.append(Text(tr(lang, "tlb.empty"), "dim"))
    vpn = vaddr >> 12 if vaddr is not None else None
    for name, set_index, way, e in entries[:limit]:
        span = e.page_size >> 12                            # 4 KB pages the entry covers
        here = vpn is not None and e.vpn * span <= vpn < (e.vpn + 1) * span
        label = name.replace("_large", "L").upper()         # DTLB, DTLBL, ITLB, ITLBL
        out.append(Text(f"{label:<5}{set_index:>2}.{way} {e.vpn:05x}→{e.pfn:05x}",
                        "bold reverse" if here else ""))
    if len(entries) > limit:
        out.append(Text(tr(lang, "more", n=len(entries) - limit), "dim"))
    return out


TLB_WIDTH = 22


def _walk_key(walk: Walk | None) -> Any:
    """What a walk shows, to tell whether a new walk differs from the one on screen."""
    if walk is None:
        return None
    fault = walk.fault
    return (tuple((s.level, s.entry_paddr, s.entry) for s in walk.steps), walk.paddr,
            walk.page_size, None if fault is None else (fault.error_code, fault.reason))


class PageWalkPane(TextLines):
    """The walk of the selected address (or of the step's access), the TLB beside it."""
    FOLLOWS_FOCUS = True     # the walk from its first line at every step (no scroll kept)
    MIN_WIDTH = 60       # cells, border included: an entry with its decoded bits, the TLB beside

    DEFAULT_CSS = """
    PageWalkPane { border: round $secondary; height: 1fr; padding: 0 1; }
    PageWalkPane:focus { border: round $accent; }
    """

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.walk: Walk | None = None
        self.vaddr: int | None = None
        self.shown = 0                 # levels revealed so far (CR3 = 0)
        self._key: Any = None
        self._timer: Any = None
        self._machine: Machine | None = None
        self._lang = "en"
        self._tlb_step = (0, 0)           # this step's TLB hits and misses
        self._cr3: int | None = None
        self._tlb_other: tuple[int | None, int] | None = None   # (running pid, walked pid)
        self._error: Text | None = None

    @property
    def levels(self) -> int:
        return len(self.walk.steps) + 1 if self.walk is not None else 0

    @property
    def animating(self) -> bool:
        return self.walk is not None and self.shown < self.levels

    def show(self, view: StepView) -> None:
        """The walk of the selected address (a lesson step selects it with its focus), in the
        process the lesson's focus names or else the one that runs (a user address), with its
        CR3; a lowmem frame is walked through
        its direct-map address.  The walk is recomputed from the machine at every view (it has
        no side effects), so it is never stale; the animation restarts only when it changed."""
        self._lang = view.lang
        machine, selection = view.machine, view.selection
        result = view.result            # counted once per step: a heavy step has thousands of events
        counts = derived(result, "tlb_counts", lambda: tlb_step_counts(result.events)) \
            if result is not None else (0, 0)
        vaddr, walk = None, None
        cr3 = machine.cpu.cr3 if machine is not None else None
        self._error = None
        sel_addr = selected_address(machine, selection) \
            if selection is not None and selection.kind in ("address", "vmalloc", "pfn") else None
        running = machine.current if machine is not None and machine.current in machine.processes else None
        pid = running
        if sel_addr is not None:
            vaddr = sel_addr
            pid = None
            if is_user_address(machine, vaddr):          # the focus's process, else the running one
                pid = user_space_pid(machine, selection)
            cr3 = machine.cr3_for(pid)
            faulted = derived(result, "faulted_accesses", lambda: faulted_accesses(result.events)) \
                if result is not None else {}
            kind, user = faulted.get(vaddr >> 12, ("read", None))   # the step's access, if it faulted there
            try:
                walk = machine.walk(vaddr, pid=pid, kind=kind, user=user)
            except MmvizError as err:        # a kernel error is shown, never raised
                walk, self._error = None, Text(tr(view.lang, "walk.failed", vaddr=f"{vaddr:#010x}",
                                                  err=err), "red")
        key = (vaddr, cr3, _walk_key(walk))
        restart = key != self._key
        self._machine, self._tlb_step, self._cr3 = machine, counts, cr3
        title = tr(view.lang, "walk.title")             # a user address: whose page tables
        set_border_title(self, title + tr(view.lang, "walk.tables_of", pid=pid)
                         if vaddr is not None and pid is not None else title)
        # the TLB holds the running task's translations (and the kernel's, global or not:
        # every page directory maps the kernel alike); another process's user address is not there
        self._tlb_other = (running, pid) if vaddr is not None and pid is not None and pid != running else None
        self.walk, self.vaddr, self._key = walk, vaddr, key
        if restart:
            self._start_animation()
        self._draw()

    def on_resize(self) -> None:
        """The walk and the TLB are laid out for the pane's size: lay them out again."""
        if self._machine is not None:
            self._draw()
        super().on_resize()

    def _start_animation(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.walk is None or self.app.animation_level == "none":
            self.shown = self.levels
            return
        self.shown = 0
        self._timer = self.set_interval(LEVEL_DELAY, self._next_level)

    def _next_level(self) -> None:
        self.shown += 1
        if self.shown >= self.levels and self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._draw()

    def finish_animation(self) -> None:
        """Show the whole walk now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.shown = self.levels
        self._draw()

    def _draw(self) -> None:
        """The walk and the TLB side by side when the walk's lines fit beside the TLB;
        otherwise the walk wrapped to the whole width (never cut) and the TLB below it."""
        m, lang = self._machine, self._lang
        if self._error is not None:
            left = [self._error]
        elif m is None:
            left = walk_lines(None, None, False, None, 0, lang=lang)
        else:
            c = m.config
            left = walk_lines(self.vaddr, self.walk, c.pae, self._cr3, self.shown, c.pse, c.kernel, lang)
        other = self._tlb_other
        right = tlb_lines(m.tlb if m is not None else None, self.vaddr if other is None else None,
                          self._tlb_step, max(2, (self.size.height or 13) - 4), lang)
        if other is not None and m is not None and m.tlb is not None:   # whose entries they are
            right[0] = Text(tr(lang, "tlb.other", pid=other[0]) if other[0] is not None
                            else tr(lang, "tlb.no_task"), "bold")
        width = self.text_width - TLB_WIDTH - 2
        if max(t.cell_len for t in left) > width:          # stacked: nothing is cut
            lines = [part for t in left for part in wrap_text(t, self.text_width)]
            self.set_lines([*lines, Text("─" * min(TLB_WIDTH, self.text_width), "dim"), *right])
            return
        lines = []
        for i in range(max(len(left), len(right))):
            row = Text()                # the TLB column takes no style of the walk's line
            if i < len(left):
                row.append_text(left[i])
            row.truncate(width, pad=True)
            row.append("│", "dim")
            if i < len(right):
                row.append_text(right[i])
            lines.append(row)
        self.set_lines(lines)
