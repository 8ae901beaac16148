"""Every entry point of the public engine API (API.md) documents itself the way a kernel
reader needs: its arguments with their units, what it returns, the errors it raises with
the kernel's message, and the kernel function it models."""
from __future__ import annotations

import inspect
import re

import pytest

import engine

# API.md's entry points: Booting, Kernel allocation, Processes, The MMU, Inspection
MACHINE = ("boot", "alloc_pages", "free_pages", "get_free_pages", "free_pages_addr", "kmalloc",
           "kfree", "kmem_cache_create", "kmem_cache_alloc", "kmem_cache_free", "vmalloc", "vfree",
           "kmap", "kunmap", "kmap_atomic", "kunmap_atomic", "virt_to_phys", "phys_to_virt",
           "spawn", "fork", "exit", "switch_to", "write_virt", "read_virt", "access", "walk",
           "flush_tlb", "read_phys", "proc", "check")
PROCESS = ("brk", "sbrk", "mmap", "munmap", "mprotect")
ENTRY_POINTS = [(engine.Machine, n) for n in MACHINE] + [(engine.Process, n) for n in PROCESS]
UNITS = re.compile(r"\b(bytes?|pages?|pfn|vaddr|paddr|address|pid|mask|order|name|size string|"
                   r"protection|flags?|path|release|None)\b", re.I)
ERRORS = ("ConfigError", "OutOfMemory", "BadFree", "SegFault", "KernelOops", "KernelError",
          "InvariantError")


def _section(doc: str, title: str) -> str:
    m = re.search(rf"^{title}:\n?(.*?)(?=^\w[\w ]*:|\Z)", doc, re.S | re.M)
    return m.group(1) if m else ""


@pytest.mark.parametrize("cls, name", ENTRY_POINTS, ids=[f"{c.__name__}.{n}" for c, n in ENTRY_POINTS])
def test_entry_point_docstring_gives_units_returns_errors_and_kernel_function(cls, name):
    fn = getattr(cls, name)
    doc = inspect.getdoc(fn) or ""
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
    args = _section(doc, "Args")
    for p in params:
        line = next((ln for ln in args.splitlines() if re.search(rf"\b{p}\b", ln)), "")
        assert line, f"{name}: Args: does not describe {p!r}"
        assert UNITS.search(line + args), f"{name}: {p!r} without a unit"
    assert _section(doc, "Returns").strip(), f"{name}: no Returns:"
    raises = _section(doc, "Raises")
    assert raises.strip(), f"{name}: no Raises:"
    assert any(e in raises for e in ERRORS) or raises.strip().startswith("nothing"), name
    if any(e in raises for e in ERRORS):
        assert '"' in raises or "as " in raises, f"{name}: Raises: without the kernel's message"
    assert re.search(r"^Kernel:", doc, re.M), f"{name}: no Kernel: line naming the function modelled"
