"""How each lesson op is written for a student: the kernel function (or system call,
instruction, shell command) it stands for, in the spelling of the machine's kernel release.

The op names are mmviz's command vocabulary (``get_free_pages``, ``spawn``, ``walk``); what
the screen shows must be real: ``__get_free_pages(GFP_KERNEL, 0)``, ``kmap_atomic(page,
KM_USER0)`` on 2.6.24 but ``kmap_atomic(page)`` on 6.1, ``$ ./example`` for a new process,
``invlpg 0xc0100000`` for the instruction.  Anything mmviz does that is no kernel call is
written without parentheses (``boot: 160 MB, Linux 2.6.24``, ``CPU write at 0xbfffd000``).

Every name written with ``(`` here is listed, with its source line in 2.6.24 and 6.1, in
tests/test_call_names.py.
"""
from __future__ import annotations

import re
from typing import Any, Callable

KMAP_TYPE_ARG_UNTIL = (2, 6, 37)   # "mm: stack based kmap_atomic()": the km_type argument goes


def version(release: str | None) -> tuple[int, ...]:
    """'2.6.24' / '6.1.0-50-686' / '2.6' -> (2, 6, 24) / (6, 1, 0) / (2, 6, 24); '' -> (6, 1, 0)."""
    m = re.match(r"\s*(\d+)\.(\d+)(?:\.(\d+))?", str(release or ""))
    if not m:
        return (6, 1, 0)
    v = tuple(int(x) for x in m.groups() if x is not None)
    return (2, 6, 24) if v == (2, 6) else v


def release_of(kernel: Any) -> str:
    """The uname -r of a boot argument (``"2.6"`` -> ``"2.6.24"``); the argument itself if unknown."""
    try:
        from engine.config import flavour_for
        return str(flavour_for(str(kernel)).release)
    except Exception:  # an impossible kernel= is the boot step's own error
        return str(kernel)


def ident(name: str) -> str:
    """A cache name as the C variable a driver would keep it in: ``my-cache`` -> ``my_cache``."""
    text = re.sub(r"\W", "_", str(name).strip('"'))
    if not text.strip("_"):
        return "cachep"
    return text if not text[0].isdigit() else f"cache_{text}"


def _page(pfn: str) -> str:
    return f"pfn_to_page({pfn})"


def _km(v: tuple[int, ...]) -> str:
    return ", KM_USER0" if v < KMAP_TYPE_ARG_UNTIL else ""


def _mmap(a: dict[str, str], v: tuple[int, ...]) -> str:
    addr = a.get("addr") or "NULL"
    file = a.get("file")
    fd = "fd" if file else "-1"
    text = (f"mmap({addr}, {a['length']}, {a.get('prot', 'PROT_READ|PROT_WRITE')}, "
            f"{a.get('flags', 'MAP_PRIVATE|MAP_ANONYMOUS')}, {fd}, {a.get('offset', '0')})")
    return text + (f"  /* fd = open({file}) */" if file else "")


def _walk(a: dict[str, str], v: tuple[int, ...]) -> str:
    how = {"read": "a read", "write": "a write", "exec": "an instruction fetch"}.get(
        a.get("kind", "read"), a.get("kind", "read"))
    mode = {"true": ", user mode", "false": ", kernel mode"}.get(a.get("user", ""), "")
    return f"MMU walk of {a['vaddr']} for {how}{mode}"


# op name -> text from the op's arguments, each already written in C notation
SPELLING: dict[str, Callable[[dict[str, str], tuple[int, ...]], str]] = {
    "alloc_pages": lambda a, v: f"alloc_pages({a['gfp']}, {a.get('order', '0')})",
    "free_pages": lambda a, v: f"__free_pages({_page(a['pfn'])}, {a.get('order', '0')})",
    "get_free_pages": lambda a, v: f"__get_free_pages({a['gfp']}, {a.get('order', '0')})",
    "free_pages_addr": lambda a, v: f"free_pages({a['vaddr']}, {a.get('order', '0')})",
    "kmalloc": lambda a, v: f"kmalloc({a['size']}, {a.get('gfp', 'GFP_KERNEL')})",
    "kzalloc": lambda a, v: f"kzalloc({a['size']}, {a.get('gfp', 'GFP_KERNEL')})",
    "kfree": lambda a, v: f"kfree({a['vaddr']})",
    "kmem_cache_create": lambda a, v: (f"{ident(a['name'])} = kmem_cache_create({a['name']}, "
                                       f"{a['size']}, {a.get('align', '0')}, 0, NULL)"),
    "kmem_cache_alloc": lambda a, v: (f"kmem_cache_alloc({ident(a['name'])}, "
                                      f"{a.get('gfp', 'GFP_KERNEL')})"),
    "kmem_cache_free": lambda a, v: f"kmem_cache_free({ident(a['name'])}, {a['vaddr']})",
    "kmem_cache_destroy": lambda a, v: f"kmem_cache_destroy({ident(a['name'])})",
    "vmalloc": lambda a, v: f"vmalloc({a['size']})",
    "vfree": lambda a, v: f"vfree({a['vaddr']})",
    "kmap": lambda a, v: f"kmap({_page(a['pfn'])})",
    "kunmap": lambda a, v: f"kunmap({_page(a['pfn'])})",
    "kmap_atomic": lambda a, v: f"kmap_atomic({_page(a['pfn'])}{_km(v)})",
    "kunmap_atomic": lambda a, v: f"kunmap_atomic({a['vaddr']}{_km(v)})",
    "virt_to_phys": lambda a, v: f"virt_to_phys({a['vaddr']})",
    "phys_to_virt": lambda a, v: f"phys_to_virt({a['paddr']})",
    "spawn": lambda a, v: f"$ ./{a.get('name', 'example').strip(chr(34))}",
    "brk": lambda a, v: f"brk({a['addr']})",
    "sbrk": lambda a, v: f"sbrk({a['delta']})",
    "mmap": _mmap,
    "munmap": lambda a, v: f"munmap({a['addr']}, {a['length']})",
    "mprotect": lambda a, v: f"mprotect({a['addr']}, {a['length']}, {a['prot']})",
    "fork": lambda a, v: "fork()",
    "exit": lambda a, v: "exit(0)",
    "switch_to": lambda a, v: f"schedule() → pid {a['pid']}" if a.get("pid") else "schedule()",
    # what balance_pgdat() returns changed (2.6.34 mm/vmscan.c:2204 sc.nr_reclaimed, 2.6.39
    # l.2577 the order, 6.1 l.7197 sc.order): the line shows the pages reclaimed by name
    "reclaim": lambda a, v: "kswapd: balance_pgdat(pgdat, …), pages reclaimed",
    "load_map_driver": lambda a, v: (f"$ insmod map_driver.ko  # a {a.get('size', '4096')}-byte "
                                     f"vmalloc buffer behind {a.get('device', '/dev/mapfile')}"
                                     .replace('"', "")),
    "access": lambda a, v: {"read": "CPU read at", "write": "CPU write at",
                            "exec": "CPU instruction fetch at"}.get(a.get("kind", "read"),
                                                                   "CPU access at") + f" {a['vaddr']}",
    "walk": _walk,
    "write_virt": lambda a, v: f"store {a['data']} at {a['vaddr']}",
    "read_virt": lambda a, v: f"load {a['length']} bytes at {a['vaddr']}",
    "proc": lambda a, v: f"cat {a.get('path', '').strip(chr(34))}",
    "flush_tlb": lambda a, v: "flush_tlb_mm(mm)" if a.get("pid") else "flush_tlb_all()",
    "invlpg": lambda a, v: f"invlpg {a['vaddr']}",
    "reload_cr3": lambda a, v: "mov %cr3, %eax; mov %eax, %cr3",
    "check": lambda a, v: "mmviz: check the invariants",
    "snapshot": lambda a, v: "mmviz: remember the free counts",
}

def _walk_zh(a: dict[str, str], v: tuple[int, ...]) -> str:
    how = {"read": "读", "write": "写", "exec": "取指令"}.get(a.get("kind", "read"), a.get("kind", "read"))
    mode = {"true": "，用户态", "false": "，内核态"}.get(a.get("user", ""), "")
    return f"MMU 查找 {a['vaddr']}（{how}{mode}）"


# the Chinese text of the ops written without call syntax (the calls read the same in both)
SPELLING_ZH: dict[str, Callable[[dict[str, str], tuple[int, ...]], str]] = {
    "access": lambda a, v: {"read": "CPU 读取", "write": "CPU 写入", "exec": "CPU 取指令于"}.get(
        a.get("kind", "read"), "CPU 访问") + f" {a['vaddr']}",
    "walk": _walk_zh,
    "write_virt": lambda a, v: f"在 {a['vaddr']} 写入 {a['data']}",
    "read_virt": lambda a, v: f"从 {a['vaddr']} 读 {a['length']} 字节",
    "check": lambda a, v: "mmviz：检查不变量",
    "reclaim": lambda a, v: "kswapd：balance_pgdat(pgdat, …)，回收的页数",
    "snapshot": lambda a, v: "mmviz：记下各管理区的空闲计数",
    "load_map_driver": lambda a, v: (f"$ insmod map_driver.ko  # {a.get('device', '/dev/mapfile')} 背后是"
                                     f"一个 {a.get('size', '4096')} 字节的 vmalloc 缓冲区").replace('"', ""),
}

PROCESS_TARGET = frozenset({"brk", "sbrk", "mmap", "munmap", "mprotect", "fork", "exit",
                            "access", "walk", "write_virt", "read_virt", "flush_tlb"})


class _Shown(dict):
    """Arguments as shown: one the step could not resolve (a failed expression) reads "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


def spell(op_name: str, args: dict[str, str], release: str | None, lang: str = "en") -> str:
    """The student's text for one op, its arguments already in C notation (``pid`` plain);
    ``lang`` "zh" words the ops that are no call (a CPU access, a walk) in Chinese."""
    v = version(release)
    args = _Shown(args)
    fn = (SPELLING_ZH.get(op_name) if lang == "zh" else None) or SPELLING.get(op_name)
    text = fn(args, v) if fn is not None else f"{op_name}({', '.join(args.values())})"
    pid = args.get("pid")
    if pid and op_name in PROCESS_TARGET:
        text = f"[pid {pid}] {text}"
    return text


def boot_spelling(args: dict[str, Any], lang: str = "en") -> str:
    """``boot: 1G RAM, Linux 2.6.24, PAE, NX`` (zh ``启动：1G 内存，…``): only what differs
    from the defaults."""
    zh = lang == "zh"
    parts = [f"{args.get('ram', '160M')} {'内存' if zh else 'RAM'}"]
    if args.get("kernel") is not None:
        parts.append(f"Linux {release_of(args['kernel'])}")
    for key, label in (("pae", "PAE"), ("nx", "NX"), ("pcp", "pcp 链表" if zh else "pcp lists")):
        if args.get(key):
            parts.append(label)
    for key in ("vmalloc", "allocator", "swap"):
        if args.get(key):
            parts.append(f"{key}={args[key]}")
    if args.get("cpus") not in (None, 1):
        parts.append(f"{args['cpus']} 个 CPU" if zh else f"{args['cpus']} CPUs")
    for key, value in (args.get("config") or {}).items():
        name = key if key.startswith("CONFIG_") else "CONFIG_" + key
        parts.append(f"{name}={'y' if value is True else 'n' if value is False else value}")
    return f"启动：{'，'.join(parts)}" if zh else f"boot: {', '.join(parts)}"
