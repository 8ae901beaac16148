"""How students read what the engine did: one line per event, in one format.

The format follows the kernel's tracepoints (include/trace/events/kmem.h):
``name: key=value key=value``, the name being the event's tracepoint (``mm_page_alloc``,
``sched_switch``: engine.events ``Event.tracepoint``) or, for what no tracepoint reports,
a short readable name in the student's language; addresses, pfns, entries and registers in hex,
counts and orders in decimal, GFP masks by their flag names (``%pGg``), strings bare
(double-quoted when they hold spaces), never a Python repr.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.events import Event


@lru_cache(maxsize=4)
def _gfp_table(kernel: str) -> Any:
    from engine.gfp import GfpTable
    return GfpTable(kernel)


def gfp_text(value: Any, kernel: str = "6.1") -> str:
    """A GFP mask by its names: 0xd0 on 2.6 -> GFP_KERNEL (as the kernel's %pGg prints it)."""
    if isinstance(value, str) and not value.lower().startswith("0x"):
        return " | ".join(p.strip() for p in value.split("|"))
    try:
        mask = int(value, 16) if isinstance(value, str) else int(value)
        return _gfp_table(kernel).format(mask)
    except (ValueError, TypeError, KeyError):
        return str(value)


def value_text(key: str, value: Any, kernel: str = "6.1", hex_field: bool = False) -> str:
    """One field's value in the students' notation (ints in hex for hex-typed fields)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    if key == "gfp":
        return gfp_text(value, kernel)
    if isinstance(value, int):
        return f"{value:#x}" if hex_field else str(value)
    if isinstance(value, (tuple, list)):
        if key == "path":                         # a path of names (HandleFault.path): a>b>c
            return ">".join(map(str, value)) or "-"
        text = " | ".join(map(str, value))       # printk's lines, as printed
        return f'"{text}"' if " " in text or not text else text
    text = str(value)
    return f'"{text}"' if " " in text or not text else text


# events no tracepoint reports: (en, zh)
EVENT_NAMES: dict[str, tuple[str, str]] = {
    "AllocFail": ("allocation failure", "分配失败"),
    "ArrayFlush": ("array cache flush", "每 CPU 数组缓存回收"),
    "ArrayRefill": ("array cache refill", "每 CPU 数组缓存补充"),
    "BrkMove": ("brk moved", "brk 移动"),
    "CacheCreate": ("cache created", "创建缓存"),
    "CacheDestroy": ("cache destroyed", "销毁缓存"),
    "CowBreak": ("copy on write", "写时复制"),
    "CowReuse": ("COW reuse", "写时复制：直接复用"),
    "DriverFault": ("driver fault handler", "驱动的缺页处理"),
    "Fallback": ("zone fallback", "管理区回退"),
    "FreePgtable": ("page table freed", "释放页表"),
    "FreeReserved": ("boot memory freed", "释放启动内存"),
    "KernelMapPte": ("kernel PTE set", "设置内核 PTE"),
    "KernelUnmapPte": ("kernel PTE cleared", "清除内核 PTE"),
    "Kmap": ("kmap slot", "kmap 槽位"),
    "KmapAtomic": ("kmap_atomic slot", "kmap_atomic 槽位"),
    "Kunmap": ("kunmap", "kunmap"),
    "KunmapAtomic": ("kunmap_atomic", "kunmap_atomic"),
    "MapPte": ("user PTE set", "设置用户 PTE"),
    "Merge": ("buddy merge", "伙伴合并"),
    "PageFault": ("page fault raised", "触发缺页异常"),
    "PdeSync": ("kernel PDE copied", "复制内核 PDE"),
    "PkmapFlush": ("pkmap flush", "pkmap 刷新"),
    "Referenced": ("second chance", "第二次机会"),
    "Reserve": ("boot reservation", "启动时保留"),
    "SetAccessedDirty": ("A/D bits set", "置 A/D 位"),
    "SlabFree": ("slab freed", "释放 slab"),
    "SlabMove": ("slab moved", "slab 换链表"),
    "SlabNew": ("new slab", "新建 slab"),
    "Split": ("buddy split", "伙伴拆分"),
    "SwapIn": ("swap in", "换入"),
    "SwapOut": ("swap out", "换出"),
    "TlbEvict": ("TLB evict", "TLB 淘汰"),
    "TlbFill": ("TLB fill", "TLB 填充"),
    "TlbHit": ("TLB hit", "TLB 命中"),
    "TlbLookup": ("TLB lookup", "TLB 查找"),
    "TlbMiss": ("TLB miss", "TLB 未命中"),
    "UnmapPte": ("user PTE cleared", "清除用户 PTE"),
    "VmaCreate": ("VMA created", "创建 VMA"),
    "VmaExtend": ("VMA extended", "VMA 扩展"),
    "VmaMerge": ("VMA merged", "VMA 合并"),
    "VmaProtect": ("VMA protection", "VMA 权限修改"),
    "VmaRemove": ("VMA removed", "删除 VMA"),
    "VmaSplit": ("VMA split", "VMA 拆分"),
    "VmapAreaAlloc": ("vmalloc area", "vmalloc 区域"),
    "VmapAreaFree": ("vmalloc area freed", "释放 vmalloc 区域"),
    "WalkStep": ("page-table walk step", "页表查找一级"),
    "WatermarkCheck": ("watermark check failed", "水位线检查未通过"),
}


def event_name(ev: Event, lang: str = "en") -> str:
    """The event's tracepoint (``mm_page_alloc``), else its readable name in ``lang``."""
    if ev.tracepoint:
        return ev.tracepoint
    names = EVENT_NAMES.get(ev.kind)
    return names[1 if lang == "zh" else 0] if names else ev.kind


def event_text(ev: Event, kernel: str = "6.1", lang: str = "en") -> str:
    """``mm_page_alloc: zone=Normal pfn=0x1212 order=0 gfp=GFP_KERNEL owner=pages`` (a
    tracepoint), ``buddy split: zone=Normal pfn=0x1212 ...`` (none) for any engine event."""
    hexf = ev.hex_fields               # engine.events: hex is chosen by the field's type
    parts = [f"{k.rstrip('_')}={value_text(k, v, kernel, k in hexf)}"
             for k, v in ev._asdict().items()]
    name = event_name(ev, lang)
    return f"{name}: {' '.join(parts)}" if parts else name


# The first release with each tracepoint an engine event is named after, read in released
# trees (the name's DEFINE_TRACE / DECLARE_TRACE / TRACE_EVENT / DEFINE_EVENT in include/trace/
# or arch/x86/include/asm/trace/): tracepoints themselves arrived in 2.6.28 (include/linux/
# tracepoint.h and include/trace/sched.h: in 2.6.28, not in 2.6.27.57), the TRACE_EVENT macro in
# 2.6.30 (the sched events; 2.6.29 has DECLARE_TRACE only).  "~" marks a release that is the
# first checked tree to have it, the one before it being the last checked tree without it.
TRACEPOINTS_SINCE = (2, 6, 28)
TRACEPOINT_SINCE: dict[str, tuple[tuple[int, ...], str]] = {
    "sched_switch": ((2, 6, 28), "2.6.28"), "sched_process_fork": ((2, 6, 28), "2.6.28"),
    "sched_process_exit": ((2, 6, 28), "2.6.28"),
    # include/trace/kmemtrace.h in 2.6.30 (none in 2.6.29); include/trace/events/kmem.h from 2.6.31
    "kmalloc": ((2, 6, 30), "2.6.30"), "kmem_cache_alloc": ((2, 6, 30), "2.6.30"),
    "kfree": ((2, 6, 30), "2.6.30"), "kmem_cache_free": ((2, 6, 30), "2.6.30"),
    "mm_page_alloc": ((2, 6, 32), "2.6.32"),                  # not in 2.6.31.3, in 2.6.32.2
    "mm_page_free": ((3, 3), "3.3"),       # mm_page_free_direct 2.6.32-3.2.7, renamed by 3.3.8
    "signal_generate": ((2, 6, 33), "2.6.33"),                # not in 2.6.32.2, in 2.6.33.3
    "mm_vmscan_kswapd_wake": ((2, 6, 36), "2.6.36"),          # not in 2.6.35.3, in 2.6.36
    "sched_process_exec": ((3, 4), "3.4"), "console": ((3, 14), "~3.14"),   # not in 3.3.8
    "page_fault_user": ((3, 14), "~3.14"), "page_fault_kernel": ((3, 14), "~3.14"),
    "tlb_flush": ((3, 18), "~3.18"),                          # not in 3.14.1, in 3.18.30
    "mark_victim": ((4, 19), "~4.19"),                        # not in 4.11, in 4.19
}


def _version(kernel: str) -> tuple[int, ...] | None:
    from engine.kversion import parse_version
    try:
        return parse_version(kernel)
    except Exception:
        return None


def has_tracepoints(kernel: str) -> bool:
    """Whether the release has tracepoints at all (include/linux/tracepoint.h arrived in
    2.6.28): on 2.6.24 the names are those of later kernels, and the pane says so."""
    v = _version(kernel)
    return v is None or v >= TRACEPOINTS_SINCE


def later_tracepoints(kernel: str, events: Any) -> list[tuple[str, str]]:
    """(name, first release) of the events' tracepoints that ``kernel`` does not have yet,
    in order of release: [("mm_page_alloc", "2.6.32")] for an allocation on 2.6.24."""
    v = _version(kernel)
    names = {ev.tracepoint for ev in events if ev.tracepoint}
    later = [(since, n, shown) for n in names
             for since, shown in [TRACEPOINT_SINCE.get(n, ((0,), ""))] if v is not None and v < since]
    return [(n, shown) for since, n, shown in sorted(later)]


def later_note(kernel: str, events: Any, lang: str = "en") -> str:
    """The events heading's note on names this kernel does not have ('' when it has them all):
    on 2.6.24 that it has no tracepoints and when the shown ones arrived."""
    from .i18n import tr
    later = later_tracepoints(kernel, events)
    if not later:
        return ""
    sep = "，" if lang == "zh" else ", "
    names = sep.join(f"{n} {tr(lang, 'lesson.events_in')}{r}" for n, r in later)
    key = "lesson.events_newer" if has_tracepoints(kernel) else "lesson.events_later"
    return tr(lang, key, names=names)
