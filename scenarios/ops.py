"""The operation registry: lesson op names -> engine calls, with argument schemas.

Each :class:`Op` names the engine method it calls (on the machine, or on a
process for brk/sbrk/mmap/munmap/mprotect), its parameters in positional
order (the order free exploration uses: ``alloc_pages GFP_KERNEL 3``), and the
kind of value it returns, which decides which ``expect`` facts apply.

Argument types (``Param.type``):

========  ==============================================================
int       an expression: ``3``, ``"order + 1"``
addr      an expression giving an address: ``"0xc0100000"``, ``"v + 0x1000"``
size      an expression with optional K/M/G suffix: ``100``, ``"1M"``, ``"4K * n"``
pid       an expression giving a pid, or a process result (``"p"``, ``"p.pid"``)
gfp       a GFP mask: ``"GFP_KERNEL"``, ``"GFP_DMA | GFP_KERNEL"``
kind      ``read`` / ``write`` / ``exec``
prot      ``rwx``-style protection: ``"rw-"``, ``"r--"``
flags     mmap flags: ``"private|anonymous"``
text      a plain string (cache name, process name, /proc path, data)
bool      ``true`` / ``false``
ram       a size as the engine's boot() takes it (``"160M"``, ``"4G"``)
config    a table of build options: ``{ DEBUG_RODATA = true, NR_CPUS = 8 }``
========  ==============================================================

Which values each type accepts is the engine's own vocabulary: see
:mod:`scenarios.validate_args`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


@dataclass(frozen=True)
class Op:
    name: str
    params: tuple[Param, ...]
    result: str                 # pfn vaddr paddr none cache pid process access walk text bytes machine driver
    method: str = ""            # engine method name (defaults to the op name)
    target: str = "machine"     # machine | process | timeline
    doc: str = ""
    aliases: tuple[str, ...] = field(default=())

    @property
    def engine_method(self) -> str:
        return self.method or self.name

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None


def P(name: str, type_: str, default: Any = _REQUIRED) -> Param:
    return Param(name, type_, default)


_PID = P("pid", "pid")
_OPT_PID = P("pid", "pid", None)

OPS: dict[str, Op] = {op.name: op for op in (
    Op("boot", (P("ram", "ram", "160M"), P("pae", "bool", False), P("nx", "bool", False),
                P("vmalloc", "ram", None), P("kernel", "text", "6.1"),
                P("allocator", "text", None), P("cpus", "int", 1), P("pcp", "bool", False),
                P("seed", "int", 0), P("swap", "ram", 0), P("config", "config", None)),
       "machine", target="timeline", doc="boot a fresh machine with this configuration"),
    Op("snapshot", (), "snapshot", target="timeline",
       doc="remember every zone's free pages and free_area counts (before.Normal.free_pages)"),
    Op("alloc_pages", (P("gfp", "gfp"), P("order", "int", 0)), "pfn",
       doc="take 2^order contiguous frames from the buddy allocator"),
    Op("free_pages", (P("pfn", "int"), P("order", "int", 0)), "none", method="free_pages",
       doc="give 2^order frames back (__free_pages)"),
    Op("get_free_pages", (P("gfp", "gfp"), P("order", "int", 0)), "vaddr",
       doc="__get_free_pages: frames from lowmem, returned as a direct-map address"),
    Op("free_pages_addr", (P("vaddr", "addr"), P("order", "int", 0)), "none",
       doc="free_pages(addr, order)"),
    Op("kmalloc", (P("size", "size"), P("gfp", "gfp", "GFP_KERNEL")), "vaddr",
       doc="a small, physically contiguous object from the kmalloc-N slab caches"),
    Op("kzalloc", (P("size", "size"), P("gfp", "gfp", "GFP_KERNEL")), "vaddr",
       doc="kmalloc, zero-filled"),
    Op("kfree", (P("vaddr", "addr"),), "none"),
    Op("kmem_cache_create", (P("name", "text"), P("size", "size"), P("align", "int", 0)),
       "cache"),
    Op("kmem_cache_alloc", (P("name", "text"), P("gfp", "gfp", "GFP_KERNEL")), "vaddr"),
    Op("kmem_cache_free", (P("name", "text"), P("vaddr", "addr")), "none"),
    Op("kmem_cache_destroy", (P("name", "text"),), "none",
       doc="destroy an empty cache; its slabs go back to the buddy allocator"),
    Op("vmalloc", (P("size", "size"),), "vaddr",
       doc="virtually contiguous memory, page by page, mapped in the vmalloc area"),
    Op("vfree", (P("vaddr", "addr"),), "none"),
    Op("kmap", (P("pfn", "int"),), "vaddr", doc="a persistent kernel mapping (pkmap area)"),
    Op("kunmap", (P("pfn", "int"),), "none"),
    Op("kmap_atomic", (P("pfn", "int"),), "vaddr", doc="a per-CPU fixmap slot"),
    Op("kunmap_atomic", (P("vaddr", "addr"),), "none"),
    Op("virt_to_phys", (P("vaddr", "addr"),), "paddr", doc="__pa(): direct map only"),
    Op("phys_to_virt", (P("paddr", "addr"),), "vaddr", doc="__va(): direct map only"),
    Op("spawn", (P("name", "text", "example"),), "process", doc="start a process"),
    Op("brk", (_PID, P("addr", "addr")), "vaddr", target="process"),
    Op("sbrk", (_PID, P("delta", "size")), "vaddr", target="process"),
    Op("mmap", (_PID, P("length", "size"), P("prot", "prot", "rw-"),
                P("flags", "flags", "private|anonymous"), P("addr", "addr", None),
                P("file", "text", None), P("offset", "size", 0)),
       "vaddr", target="process", doc="map anonymous memory, a file or a device (file = \"/dev/...\")"),
    Op("munmap", (_PID, P("addr", "addr"), P("length", "size")), "none", target="process"),
    Op("mprotect", (_PID, P("addr", "addr"), P("length", "size"), P("prot", "prot")),
       "none", target="process"),
    Op("fork", (_PID,), "pid", doc="copy a process; private pages become copy-on-write"),
    Op("switch_to", (_PID,), "none", doc="context switch: load that process's CR3"),
    Op("reclaim", (), "none", doc="wake kswapd now: age pages, swap some out"),
    Op("load_map_driver", (P("size", "size", 4096), P("device", "text", "/dev/mapfile")), "driver",
       doc="insmod the map_driver module: a vmalloc'ed buffer mmap-able through a device"),
    Op("exit", (_PID,), "none"),
    Op("access", (P("vaddr", "addr"), P("kind", "kind", "read"), _OPT_PID, P("user", "bool", None),
                  P("sp", "addr", None)), "access",
       doc="one CPU access through the TLB and the page tables", aliases=("touch",)),
    Op("walk", (P("vaddr", "addr"), _OPT_PID, P("kind", "kind", "read"), P("user", "bool", None)),
       "walk", doc="the page walk alone, no side effects (user = true: as a CPL-3 access)"),
    Op("write_virt", (P("vaddr", "addr"), P("data", "text"), _OPT_PID), "none"),
    Op("read_virt", (P("vaddr", "addr"), P("length", "size"), _OPT_PID), "bytes"),
    Op("proc", (P("path", "text"),), "text", doc="a /proc file as the kernel prints it"),
    Op("flush_tlb", (_OPT_PID,), "none"),
    Op("invlpg", (P("vaddr", "addr"),), "none",
       doc="INVLPG: drop the TLB entries of one page, global ones too"),
    Op("reload_cr3", (), "none", method="load_cr3",
       doc="MOV to CR3 (a context switch): the TLB keeps only global entries"),
    Op("check", (), "none", doc="run the machine's invariant checks"),
)}

ALIASES = {alias: op.name for op in OPS.values() for alias in op.aliases}


def lookup(name: str) -> Op | None:
    return OPS.get(ALIASES.get(name, name))


EXPR_TYPES = ("int", "addr", "size", "pid")
