"""The mm_struct -> VMA view: the mm_struct of the process the selection is in (a selected
process, the process a lesson's focus names with its address, else the one that runs) and its
VMAs drawn as linked boxes in address order, as the release keeps them.

* 2.6.24: ``mmap`` heads a list sorted by vm_start (vm_next), ``mm_rb`` a red-black tree
  of the same VMAs, ``mmap_cache`` the VMA find_vma() found last (3.15 to 6.0 replace it
  by a per-thread vmacache, not drawn);
* 6.1: ``mm_mt``, a maple tree of ranges -- each VMA and each gap between them (NULL) --
  with no list and no tree of VMAs.

Every value is read from the engine (engine.mm.MmStruct, engine.mm.Vma).  What is drawn
simpler than the kernel holds it is said under the drawing: the rb-tree is drawn balanced
(the kernel's shape and colours depend on the order of insertion), the maple tree's leaves
are filled in address order (the kernel's node splits differ), and mmviz sets mmap_cache
on page faults only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from engine.mm import VM_GROWSDOWN, VM_MAYSHARE
from engine.task_mmu import vma_name

from .selection import is_user_address, selected_address, user_space_pid
from .stepview import StepView
from .textlines import TextLines, set_border_title

if TYPE_CHECKING:
    from engine.machine import Machine
    from engine.mm import MmStruct, Vma

LEAF_SLOTS = 32          # maple_leaf_64 on 32-bit: MAPLE_RANGE64_SLOTS (include/linux/maple_tree.h)
HOT = "bold cyan"

_T = {
    "en": {"title": "mm_struct → VMAs", "none": "No process runs: spawn one (its mm_struct is "
           "what this view draws).", "task": "task {comm}[{pid}] · mm_struct{at}",
           "rb": "mm_rb: red-black tree by vm_start (drawn balanced; the kernel's shape and colours "
           "depend on the order of insertion)",
           "mt": "mm_mt: maple tree of ranges, each VMA or a NULL gap (leaves of {n} slots on i386, "
           "drawn filled in address order; the kernel's node splits differ)",
           "cache": "mmap_cache: the VMA the last find_vma() found (mmviz sets it on page faults only)",
           "vmacache": "3.15-6.0: a per-thread vmacache replaces mmap_cache (not drawn)",
           "gap": "gap (NULL)", "pages": "{n} pages", "page": "1 page"},
    "zh": {"title": "内存描述符与虚拟内存区域", "none": "没有运行中的进程：先创建一个（本视图画的是它的 mm_struct）。",
           "task": "进程 {comm}[{pid}] · mm_struct{at}",
           "rb": "mm_rb：按 vm_start 排序的红黑树（这里画成平衡的；内核中树的形状和颜色取决于插入顺序）",
           "mt": "mm_mt：区间的 maple 树，每个区间是一个 VMA 或一段空隙（NULL）（i386 上叶节点有 {n} 个槽，"
           "这里按地址顺序填满；内核实际的节点拆分不同）",
           "cache": "mmap_cache：上一次 find_vma() 找到的 VMA（mmviz 只在缺页时设置它）",
           "vmacache": "3.15-6.0：每个线程的 vmacache 取代了 mmap_cache（未画出）",
           "gap": "空隙（NULL）", "pages": "{n} 页", "page": "1 页"},
}


def styled(text: str, style: str = "") -> Text:
    """A line whose style is a span: TextLines draws a line's spans (Text.render ignores the
    base style of a Text without spans)."""
    t = Text(text)
    if style:
        t.stylize(style)
    return t


def tr(lang: str, key: str, **kw: Any) -> str:
    text = _T.get(lang, _T["en"])[key]
    return text.format(**kw) if kw else text


def shown_process(machine: Machine, selection: Any) -> Any:
    """The process the selection is in (widgets.selection.user_space_pid: a selected process,
    the one a lesson's focus puts its address in, else the one that runs), else the first
    live one (or None)."""
    procs = machine.processes
    pid = user_space_pid(machine, selection)
    if pid is not None:
        return procs[pid]
    return next(iter(procs.values()), None)


def _pages(n: int, lang: str) -> str:
    return tr(lang, "page") if n == 1 else tr(lang, "pages", n=n)


def vma_label(machine: Machine, mm: MmStruct, v: Vma) -> str:
    """A /proc/<pid>/maps-like label: range, permissions and the name maps prints."""
    kind = "s" if v.vm_flags & VM_MAYSHARE else "p"
    return f"{v.start:08x}-{v.end:08x} {v.prot}{kind} {vma_name(machine, mm, v) or ''}".rstrip()


def mm_lines(machine: Machine, p: Any, lang: str, hot: int | None = None) -> list[Text]:
    """The mm_struct box, the VMAs linked in address order, and the release's index of them."""
    mm: MmStruct = p.mm
    fl = machine.config.flavour
    vmas = list(mm.vmas)
    at = f" @ {mm.addr:08x}" if mm.addr is not None else ""
    out = [styled(tr(lang, "task", comm=p.comm, pid=p.pid, at=at), "bold")]
    try:
        pgd = f"{machine.phys_to_virt(p.cr3 & ~0x1F):08x}"
    except Exception:                          # a pgd outside lowmem: CR3 alone
        pgd = "?"
    cached = next((i for i, v in enumerate(vmas) if v.start == mm.mmap_cache), None)
    _, stack, exe = mm.vm_kind_pages(fl.vm_stat_data_vm)
    rows = [("pgd", f"{pgd}  (__pa = CR3 {p.cr3:08x})")]
    if fl.vma_index == "maple":
        rows.append(("mm_mt", f"maple tree, {len(_ranges(vmas))} ranges"))
    else:
        rows += [("mmap", "→ VMA 0" if vmas else "NULL"),
                 ("mm_rb", f"→ rb-tree of {len(vmas)} VMAs")]
        if fl.vma_index == "mmap_cache":
            rows.append(("mmap_cache", f"→ VMA {cached}" if cached is not None else "NULL"))
    rows += [("map_count", f"{len(vmas)}"), ("total_vm", _pages(mm.total_vm, lang)),
             ("exec_vm", f"{_pages(exe, lang)}   stack_vm  {_pages(stack, lang)}"),
             ("start_code", f"{mm.start_code:08x}   end_code  {mm.end_code:08x}"),
             ("start_data", f"{mm.start_data:08x}   end_data  {mm.end_data:08x}"),
             ("start_brk", f"{mm.start_brk:08x}   brk       {mm.brk:08x}"),
             ("start_stack", f"{mm.start_stack:08x}   mmap_base {mm.mmap_base:08x}"),
             ("rss", f"anon {mm.rss_anon}  file {mm.rss_file}  shmem {mm.rss_shmem}  swap {mm.swap_ents}")]
    out.append(styled("╭─ mm_struct", "bold"))
    for name, value in rows:
        out.append(styled("│ ", "bold") + styled(f"{name:<12} ", "cyan") + styled(value))
    out.append(styled("╰─┬ " + ("mm_mt (in address order)" if fl.vma_index == "maple" else "mmap"), "bold"))
    link = "mt_next" if fl.vma_index == "maple" else "vm_next"
    for i, v in enumerate(vmas):
        lit = hot is not None and v.start <= hot < v.end
        style = HOT if lit else ""
        obj = f" · vm_area_struct @ {v.addr:08x}" if v.addr is not None else ""
        mark = "  ◀ mmap_cache" if i == cached else ""
        name = vma_name(machine, mm, v) if v.file is None and v.special is None else None
        shown = f" {name}" if name else ""           # [heap], [stack]: the name maps prints
        out.append(styled("  ▼", "dim"))
        out.append(styled(f"┌ VMA {i}{shown}{obj}{mark}", style or "bold"))
        size = _pages(v.pages, lang)
        kind = "s" if v.vm_flags & VM_MAYSHARE else "p"
        grow = "  VM_GROWSDOWN" if v.vm_flags & VM_GROWSDOWN else ""
        out.append(styled(f"│ vm_start {v.start:08x}  vm_end {v.end:08x}  {size}", style))
        out.append(styled(f"│ vm_flags {v.vm_flags:#06x} {v.prot}{kind}{grow}", style))
        file = v.file.path if v.file is not None else "NULL"
        special = f"  ({v.special}: vm_ops of a special mapping)" if v.special else ""
        out.append(styled(f"│ vm_file {file}  vm_pgoff {v.pgoff:#x}{special}", style))
        out.append(styled(f"└─┬ {link}" if i < len(vmas) - 1 else f"└── {link} = NULL", "dim"))
    out.append(styled(""))
    if fl.vma_index == "maple":
        out += maple_lines(vmas, lang, hot)
    else:
        out += rb_lines(vmas, lang, hot)
        out.append(styled(tr(lang, "cache" if fl.vma_index == "mmap_cache" else "vmacache"), "dim"))
    return out


def rb_lines(vmas: list, lang: str, hot: int | None) -> list[Text]:
    """The VMAs as a binary search tree by vm_start, balanced (rb_left / rb_right)."""
    out = [styled(tr(lang, "rb"), "dim")]

    def walk(lo: int, hi: int, lead: str, tag: str) -> None:
        if lo >= hi:
            return
        mid = (lo + hi) // 2
        v = vmas[mid]
        lit = hot is not None and v.start <= hot < v.end
        out.append(styled(f"{lead}{tag}VMA {mid} {v.start:08x}", HOT if lit else ""))
        sub = lead + ("   " if tag in ("", "└ R ") else "│  ")
        walk(lo, mid, sub, "├ L " if mid + 1 < hi else "└ L ")
        walk(mid + 1, hi, sub, "└ R ")

    out.append(styled("mm_rb.rb_node", "cyan"))
    walk(0, len(vmas), " ", "")
    return out


def _ranges(vmas: list) -> list[tuple[int, int, Any]]:
    """[first, last] address ranges of the maple tree: VMAs and the NULL gaps between them."""
    out, at = [], 0
    for v in vmas:
        if v.start > at:
            out.append((at, v.start - 1, None))
        out.append((v.start, v.end - 1, v))
        at = v.end
    if at <= 0xFFFFFFFF:
        out.append((at, 0xFFFFFFFF, None))
    return out


def maple_lines(vmas: list, lang: str, hot: int | None) -> list[Text]:
    out = [styled(tr(lang, "mt", n=LEAF_SLOTS), "dim")]
    ranges = _ranges(vmas)
    index = {id(v): i for i, v in enumerate(vmas)}
    leaves = [ranges[i:i + LEAF_SLOTS] for i in range(0, len(ranges), LEAF_SLOTS)]
    lead = " "
    if len(leaves) > 1:
        pivots = " ".join(f"{leaf[-1][1]:08x}" for leaf in leaves[:-1])
        out.append(styled(f"mm_mt.ma_root → maple_arange_64, {len(leaves)} children, pivots {pivots}", "cyan"))
        lead = "   "
    for k, leaf in enumerate(leaves):
        root = "mm_mt.ma_root → " if len(leaves) == 1 else ""
        out.append(styled(f"{lead}{root}maple_leaf_64 #{k}: {len(leaf)} slots", "cyan"))
        for first, last, v in leaf:
            what = f"VMA {index[id(v)]}" if v is not None else tr(lang, "gap")
            lit = v is not None and hot is not None and first <= hot <= last
            out.append(styled(f"{lead}  {first:08x}-{last:08x}  {what}", HOT if lit else ("" if v else "dim")))
    return out


class MmStructPane(TextLines):
    """The process's mm_struct and its VMAs, linked as the release links them."""
    DRAW_WHEN_SHOWN = True   # no state of its own: behind other panes it draws nothing
    FOLLOWS_FOCUS = True     # scrolled to the VMA of the selected address
    MIN_WIDTH = 56       # cells, border included: a VMA's start, end and size on one line

    DEFAULT_CSS = """
    MmStructPane { border: round $secondary; height: 1fr; padding: 0 1; }
    MmStructPane:focus { border: round $accent; }
    """

    def show(self, view: StepView) -> None:
        """Draw the process the selection is in (else the running one); the VMA holding the
        selected user address is lit."""
        set_border_title(self, tr(view.lang, "title"))
        m = view.machine
        p = shown_process(m, view.selection) if m is not None else None
        if p is None:
            self.set_lines([styled(tr(view.lang, "none"), "italic")])
            return
        hot = selected_address(m, view.selection)
        if hot is None or not is_user_address(m, hot) or p.pid != user_space_pid(m, view.selection):
            hot = None                  # a kernel address, or one in no process's address space
        lines = mm_lines(m, p, view.lang, hot)
        self.set_lines(lines, focus=hot_vma(lines))


def hot_vma(lines: list[Text]) -> tuple[int, int] | None:
    """The lit VMA's box (┌ VMA n .. vm_file) in mm_lines(); None when none is lit.  The
    mm_struct box alone is 15 rows: the VMA of the selected address was below the fold."""
    for i, t in enumerate(lines):
        if t.plain.startswith("┌ VMA ") and any(str(s.style) == HOT for s in t.spans):
            return i, i + 4
    return None
