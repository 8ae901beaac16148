"""The page-fault flow view: the path of the step's last user page fault, drawn as the
kernel takes it, the branch it took lit and the others dim.

The chart is the release's (engine.fault_flow.chart: 2.6.24's do_page_fault() ->
do_linear_fault(), 6.1's do_user_addr_fault() -> do_fault(), ...); the path is the one
the engine reported on the fault's HandleFault or Segv event, so nothing here decides
a branch.  A step without a user fault shows the chart with nothing lit.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from engine.fault_flow import LEAVES, Chart, chart
from engine.mmu_events import PageFault
from engine.task_events import HandleFault, Segv

from .i18n import engine_phrase
from .mmview import styled, vma_label
from .stepview import StepView
from .textlines import TextLines, set_border_title

if TYPE_CHECKING:
    from engine.machine import Machine

ON, OFF, PATH = "bold", "dim", "bold cyan"

_T = {
    "en": {"title": "Page fault path", "none": "No user page fault in this step: the chart "
           "shows where one would go.", "pf": "#PF  CR2 = {vaddr}  error code {code}  pid {pid}",
           "last": "(the last of {n} faults in this step)", "names": "function names of {rel}, {src}",
           "names_near": "function names of {rel} (the nearer model; this release's may differ)",
           "vma": "VMA {vma}", "novma": "no VMA", "result": "result: {how}", "sig": "SIGSEGV: {msg}",
           "taken": "taken", "alt": "not taken"},
    "zh": {"title": "缺页处理路径", "none": "这一步没有用户态缺页：图中给出缺页时会走的路径。",
           "pf": "#PF  CR2 = {vaddr}  错误码 {code}  pid {pid}", "last": "（这一步共 {n} 次缺页，显示最后一次）",
           "names": "函数名取自 {rel}，{src}", "names_near": "函数名取自 {rel}（较近的模型；本版本的名字可能不同）",
           "vma": "VMA {vma}", "novma": "没有 VMA", "result": "结果：{how}", "sig": "SIGSEGV：{msg}",
           "taken": "走了这条", "alt": "没走"},
}


def tr(lang: str, key: str, **kw: Any) -> str:
    text = _T.get(lang, _T["en"])[key]
    return text.format(**kw) if kw else text


def last_user_fault(events: Any) -> tuple[Any, Any, int]:
    """(the last HandleFault or Segv, the PageFault that raised it or None, faults in the step)."""
    fault, raised, n, pending = None, None, 0, None
    for e in events:
        if isinstance(e, PageFault):
            pending = e
        elif isinstance(e, (HandleFault, Segv)) and (not isinstance(e, Segv) or e.path):
            fault, raised, pending = e, pending, None
            n += 1
    return fault, raised, n


def _node_lines(c: Chart, id: str, lang: str, lit: bool, lead: str) -> list[Text]:
    """A node: its kernel names after ``lead`` (● taken, ○ not), what it decides below."""
    n = c.node(id)
    head = styled(lead, PATH if lit else OFF)
    head.append(("● " if lit else "○ ") + (n.code_zh if lang == "zh" else n.code), ON if lit else OFF)
    pad = " " * (len(lead) + 2)
    return [head, styled(pad + (n.zh if lang == "zh" else n.en), "italic" if lit else OFF)]


def flow_lines(machine: Machine, events: Any, lang: str = "en") -> list[Text]:
    """The chart of ``machine``'s release with the last user fault of ``events`` lit."""
    c = chart(machine.config.flavour)
    fault, raised, n = last_user_fault(events)
    path = set(fault.path) if fault is not None else set()
    fl = machine.config.flavour
    exact = fl.release.startswith(c.names_of) or (c.names_of == "2.6.24" and fl.name == "2.6")
    lines = [styled(tr(lang, "names" if exact else "names_near", rel=c.names_of, src=c.source), "dim")]
    if fault is None:
        lines.append(styled(tr(lang, "none"), "italic"))
    else:
        code = fault.error_code
        lines.append(styled(tr(lang, "pf", vaddr=f"{fault.vaddr:#010x}", code=code, pid=fault.pid), PATH))
        if n > 1:
            lines.append(styled(tr(lang, "last", n=n), "dim"))
        if raised is not None:
            lines.append(styled(f"  {engine_phrase(raised.reason, lang)}", "dim"))
        p = machine.processes.get(fault.pid)
        if p is not None and "find_vma" in path:
            v = p.mm.find_vma(fault.vaddr)
            text = tr(lang, "vma", vma=vma_label(machine, p.mm, v)) if v is not None else tr(lang, "novma")
            lines.append(styled("  " + text, "dim"))
    add = lines.extend
    add(_node_lines(c, "entry", lang, fault is not None, ""))
    add(_node_lines(c, "kernel_address", lang, "kernel_address" in path, "  ├ "))
    lines.append(styled("  ▼", PATH if "find_vma" in path else OFF))
    add(_node_lines(c, "find_vma", lang, "find_vma" in path, ""))
    for id in ("no_vma", "expand_stack"):
        add(_node_lines(c, id, lang, id in path, "  ├ "))
    lines.append(styled("  ▼", PATH if "good_area" in path else OFF))
    add(_node_lines(c, "good_area", lang, "good_area" in path, ""))
    add(_node_lines(c, "access_error", lang, "access_error" in path, "  ├ "))
    lines.append(styled("  ▼", PATH if "handle_mm_fault" in path else OFF))
    add(_node_lines(c, "handle_mm_fault", lang, "handle_mm_fault" in path, ""))
    for leaf in LEAVES:
        add(_node_lines(c, leaf, lang, leaf in path, "  ├ " if leaf != LEAVES[-1] else "  └ "))
        if leaf in path:
            for o in c.children(leaf) + (c.node("retry"),):
                if o.id in path:
                    add(_node_lines(c, o.id, lang, True, "      ⇒ "))
    if "bad_area" in path:
        lines.append(styled("  ▼", PATH))
        add(_node_lines(c, "bad_area", lang, True, ""))
        lines.append(styled("  " + tr(lang, "sig", msg=fault.message), "red"))
    elif fault is not None:
        lines.append(styled(tr(lang, "result", how=fault_outcome(fault.how, lang)), PATH))
    return lines


# what handle_mm_fault() did (engine/fault.py, engine/mapdriver.py return these), in Chinese
FAULT_OUTCOME_ZH = {
    "special mapping": "特殊映射", "zero page": "零页", "anonymous page (read)": "匿名页（读）",
    "file page": "文件页", "anonymous page": "匿名页", "file page (written)": "文件页（写）",
    "spurious (TLB refreshed)": "虚假缺页（刷新 TLB）", "shared page made writable": "共享页变为可写",
    "copy-on-write: reused (last user)": "写时复制：直接复用（最后一个使用者）",
    "retry (page went away under reclaim)": "重试（页在回收中被换走）", "retry": "重试",
    "copy-on-write: copied": "写时复制：已复制", "zero page replaced": "零页被替换",
    "swap-in": "换入", "shared anonymous page": "共享匿名页", "map_driver nopage": "map_driver nopage",
}


def fault_outcome(how: str, lang: str) -> str:
    """The engine's outcome of a fault (``HandleFault.how``) in ``lang``."""
    if lang == "zh":
        return FAULT_OUTCOME_ZH.get(how) or engine_phrase(how, lang)
    return how


class FaultFlowPane(TextLines):
    """The release's page-fault flow chart, the last fault's branch lit (engine.fault_flow)."""
    DRAW_WHEN_SHOWN = True   # no state of its own: behind other panes it draws nothing
    FOLLOWS_FOCUS = True     # scrolled to the branch the fault took and its result
    MIN_WIDTH = 56       # cells, border included: a node's kernel names on one line
    wrap = True

    DEFAULT_CSS = """
    FaultFlowPane { border: round $secondary; height: 1fr; padding: 0 1; }
    FaultFlowPane:focus { border: round $accent; }
    """

    def show(self, view: StepView) -> None:
        """Draw the chart for this view's machine and the step's events."""
        set_border_title(self, tr(view.lang, "title"))
        if view.machine is None:
            self.set_lines([])
            return
        lines = flow_lines(view.machine, view.events, view.lang)
        self.set_lines(lines, focus=taken_end(lines))


def taken_end(lines: list[Text]) -> tuple[int, int] | None:
    """Where the path a fault took ends: its last lit node (the handle_mm_fault branch, or
    bad_area) with what it called below it (⇒); None when no fault was handled.  The chart is
    30-odd rows: at 80x24 (eight rows) the branch taken was below the fold."""
    if not any("CR2 = " in t.plain for t in lines[:3]):
        return None                              # no "#PF  CR2 = ..." line: nothing lit
    lit = [i for i, t in enumerate(lines) if "● " in t.plain]
    heads = [i for i in lit if "⇒" not in lines[i].plain.split("●")[0]]
    if not heads:
        return None
    return heads[-1], max(lit) + 2               # a node is its name and what it decides
