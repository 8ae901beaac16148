"""Students read kernel notation: no lesson step, in either language, shows a Python keyword
repr (``name='x'``), a Python call with positional literals (``boot('1G', True, …)``) or an
address, pfn, entry or register in decimal (``cr3=18984960``)."""
from __future__ import annotations

import re

import pytest

from scenarios import Timeline, all_lessons
from widgets.lesson import lesson_text
from widgets.notation import event_text
from widgets.selection import Selection
from widgets.stepview import StepView
from scenarios.notation import call_text
from scenarios.ops import OPS

KEYWORD_REPR = re.compile(r"\b\w+='[^']*'")
TUPLE_REPR = re.compile(r"[(\[]'[^']*',")
PY_CALL = re.compile(r"\b\w+\([^()]*(?:'[^']*'|\bTrue\b|\bFalse\b|\bNone\b)[^()]*\)")
DECIMAL_ADDR = re.compile(r"\b(?:\w*addr|\w*pfn|cr3|entry|pte|vpn|start|end|old|new)=(?!0x)\d{2,}\b")
# a call line or event line holding a decimal of 7+ digits that is not a size or a count
# (the size argument of kmalloc/vmalloc is a size: vmalloc(1000000) as the article writes it)
BIG_DECIMAL = re.compile(r"(?<![\w.])(?<!=)(?<!alloc\()\d{7,}(?![\d.]*\s*(?:B|kB|KB|MB|GB|bytes|pages|frames)\b)")


def problems(line: str) -> list[str]:
    found = []
    for name, rx in (("keyword repr", KEYWORD_REPR), ("Python call", PY_CALL),
                     ("decimal address", DECIMAL_ADDR), ("tuple repr", TUPLE_REPR)):
        found += [f"{name}: {m.group(0)}" for m in rx.finditer(line)]
    return found


def step_views(lesson):
    tl = Timeline(lesson)
    results = tl.run_all()
    for r in results:
        sel = None
        for kind in ("address", "pfn", "zone", "region", "process", "cache"):
            if r.focus.get(kind) is not None:
                sel = Selection(kind, r.focus[kind])
                break
        yield r, sel, tl.machine


@pytest.mark.parametrize("lesson", [les.id for les in all_lessons()])
def test_no_developer_notation_in_any_step(lesson):
    les = next(x for x in all_lessons() if x.id == lesson)
    bad = []
    for r, sel, machine in step_views(les):
        for lang in ("en", "zh"):
            view = StepView(1, machine, r, r.index + 1, len(les), None, lang, "t", "s", (), ())
            text = lesson_text(view, "").plain
            narration = r.narration(lang) + r.step.deeper_in(lang)     # the author's prose
            for line in text.splitlines():
                if line.strip() and line.strip() in narration:
                    continue                 # the lesson's own prose is the author's
                bad += [f"step {r.index + 1} {lang}: {p}  in  {line.strip()[:100]}" for p in problems(line)]
                if line.startswith(("> ", "  · ")):
                    # the call and the event fields; not a kernel message or a /proc line,
                    # which print hex without 0x and sizes in decimal, as the kernel does
                    own = re.sub(r'message="[^"]*"', "", line.split(" = ", 1)[0])
                    bad += [f"step {r.index + 1}: decimal {m.group(0)} in {line.strip()[:100]}"
                            for m in BIG_DECIMAL.finditer(own)]
    assert not bad, "\n".join(bad[:20])


def test_calls_read_like_kernel_c():
    assert call_text(OPS["kmalloc"], {"size": 100, "gfp": "GFP_KERNEL"}) == "kmalloc(100, GFP_KERNEL)"
    assert call_text(OPS["alloc_pages"], {"gfp": "GFP_KERNEL", "order": 3}) == \
        "alloc_pages(GFP_KERNEL, 3)"
    assert call_text(OPS["free_pages"], {"pfn": 0x100, "order": 3}) == \
        "__free_pages(pfn_to_page(0x100), 3)"
    assert call_text(OPS["boot"], {"ram": "1G", "pae": True, "nx": True, "kernel": "2.6", "cpus": 1,
                                   "pcp": False, "seed": 1, "swap": 0}) == "boot: 1G RAM, Linux 2.6.24, PAE, NX"
    assert call_text(OPS["proc"], {"path": "/proc/zoneinfo"}) == "cat /proc/zoneinfo"
    mmap = call_text(OPS["mmap"], {"pid": 1, "length": 8192, "prot": "rw-", "flags": "private|anonymous"})
    assert mmap == "[pid 1] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
    assert call_text(OPS["vmalloc"], {"size": 1000000}) == "vmalloc(1000000)"


def test_events_in_one_format_with_hex_registers():
    from engine.events import EVENT_TYPES
    from engine.mmu_events import TlbFill
    switch = EVENT_TYPES["ContextSwitch"](prev=None, next=1, cr3=18948096)
    assert event_text(switch) == "sched_switch: prev=- next=1 cr3=0x1212000"
    fill = TlbFill("dtlb", 0, 0, 786688, 256, 4096, False, False, False, True, True)
    text = event_text(fill)
    assert "vpn=0xc0100" in text and "pfn=0x100" in text and "global=1" in text
    alloc = EVENT_TYPES["AllocPages"](zone="Normal", pfn=0x1212, order=0, gfp="0xd0", owner="pages")
    assert event_text(alloc, "2.6") == "mm_page_alloc: zone=Normal pfn=0x1212 order=0 gfp=GFP_KERNEL owner=pages"


def test_events_are_named_by_their_tracepoint_or_readably_in_both_languages():
    """The pane names an event by its kernel tracepoint where one exists; the others get
    a name in the student's language, never the Python class name."""
    import importlib
    import pkgutil
    import re
    import engine
    from engine.events import EVENT_TYPES
    from widgets.notation import EVENT_NAMES, event_name, has_tracepoints
    for mod in pkgutil.iter_modules(engine.__path__):
        importlib.import_module(f"engine.{mod.name}")
    for kind, cls in EVENT_TYPES.items():
        if cls.tracepoint:
            assert kind not in EVENT_NAMES, kind          # one name per event
            assert re.fullmatch(r"[a-z_]+", cls.tracepoint), cls.tracepoint
        else:
            en, zh = EVENT_NAMES[kind]
            assert en != kind and " " in en or "_" in en or en.islower(), (kind, en)
            assert zh and (re.search(r"[\u4e00-\u9fff]", zh) or "_" in zh or zh == en), (kind, zh)
    assert set(EVENT_NAMES) <= set(EVENT_TYPES)
    split = EVENT_TYPES["Split"]("Normal", 0x1212, 0, 0x1213)
    assert event_name(split) == "buddy split" and event_name(split, "zh") == "伙伴拆分"
    assert event_text(split, "6.1", "zh").startswith("伙伴拆分: zone=Normal pfn=0x1212")
    assert not has_tracepoints("2.6.24") and has_tracepoints("2.6.28") and has_tracepoints("6.1")


def test_the_detectors_catch_the_old_notation():
    """The patterns above find what the screen used to show."""
    assert problems("boot('1G', True, True, '2.6', 1, False, 1, 0)")
    assert problems("free_pages(pfn='it', order='it.order')")
    assert problems("ContextSwitch(prev=1, next=2, cr3=18984960)")
    assert problems("TlbFill(tlb='dtlb', vpn=786688, pfn=256)")
    assert problems('''path="('find_vma', 'good_area', 'bad_area')"''')
    assert not problems("kmalloc(100, GFP_KERNEL) = 0xc1212820")


def test_the_events_heading_names_the_release_each_tracepoint_arrived_in():
    """Tracepoints arrived in 2.6.28, the kmem ones in 2.6.30 and mm_page_alloc in 2.6.32
    (checked in released trees): the heading says so exactly when the kernel predates a name."""
    from engine.events import EVENT_TYPES
    from widgets.notation import TRACEPOINT_SINCE, later_note, later_tracepoints
    alloc = EVENT_TYPES["AllocPages"](zone="Normal", pfn=0x1212, order=0, gfp="0xd0", owner="pages")
    free = EVENT_TYPES["FreePages"](zone="Normal", pfn=0x1212, order=0, final_pfn=0x1212, final_order=0)
    assert later_tracepoints("2.6.24", [alloc, free]) == [("mm_page_alloc", "2.6.32"), ("mm_page_free", "3.3")]
    note = later_note("2.6.24", [alloc])
    assert "this kernel has none" in note and "2.6.28" in note and "mm_page_alloc in 2.6.32" in note
    assert "2.6.28" in later_note("2.6.24", [alloc], "zh") and "mm_page_alloc 出现于 2.6.32" in later_note("2.6.24", [alloc], "zh")
    assert later_note("2.6.31", [alloc]) == " (later kernels' tracepoint names: mm_page_alloc in 2.6.32)"
    assert later_note("2.6.32", [alloc]) == "" and later_note("6.1", [alloc, free]) == ""
    assert later_tracepoints("3.2", [free]) == [("mm_page_free", "3.3")]
    names = {cls.tracepoint for cls in EVENT_TYPES.values() if cls.tracepoint}
    assert names <= set(TRACEPOINT_SINCE)               # every name the engine uses has its release


def test_sequence_fields_read_as_text():
    """A fault's path reads as names in order and printk's lines as the kernel's words, never
    as a Python tuple."""
    from engine.kmsg import KernelMessage
    from engine.task_events import HandleFault
    fault = HandleFault(1, 0x804b000, 6, "anonymous page", ("find_vma", "good_area", "do_anonymous_page"))
    assert event_text(fault).endswith(' path=find_vma>good_area>do_anonymous_page')
    msg = KernelMessage("warning", ("Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fix your code!",))
    assert event_text(msg) == 'console: level=warning lines="Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fix your code!"'
    two = KernelMessage("err", ("BUG: a", "EIP: b"))
    assert event_text(two).endswith('lines="BUG: a | EIP: b"')
