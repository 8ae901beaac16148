"""Argument checks that ``mmviz check`` shares with the engine (part of the loader).

Whatever passes ``check`` must run: an argument the engine would refuse with a
``ConfigError`` (EINVAL, an unknown flag, an order beyond MAX_ORDER, a negative size,
a RAM size the flavour cannot boot) is refused here, at its ``file:line``.  The
accepted values come from the engine itself, never from a copied list:

- GFP masks: the release's ``engine.gfp.GfpTable`` (names and bits per release, rules gfp_layout);
- mmap flags: ``engine.mmap_ops.parse_map_flags``; protections: ``engine.mm.prot_flags``;
- orders: ``engine.zone.MAX_ORDER``; cache sizes: ``engine.kmalloc.KMALLOC_MAX_SIZE``;
- sizes: ``engine.config.parse_size``; the machine: ``engine.config.make_config`` and
  the boot-time layout (``engine.layout.compute_layout``, which refuses a vmalloc=
  reserve that leaves no lowmem);
- /proc paths: the files of ``engine.procfs`` (PROC_FILES, PID_FILES).

Expression arguments are checked when they are constant (``"1 << 64"``); names are
checked for their kind (a map_driver or a process is not an address).
"""
from __future__ import annotations

import re
from typing import Any

from engine.errors import shown
from engine.mmu import ACCESS_KINDS
from engine.page_types import PAGE_SIZE

from . import expr
from .textsafe import is_clean

SIZE_TEXT_MAX = 32                 # characters of a size string like "160M"
U32 = 1 << 32                      # i386: addresses and size_t are 32 bits
NUMERIC_KINDS = frozenset({"pfn", "vaddr", "paddr", "pid"})
_KIND_WORDS = {"process": "a process (use {n}.pid)", "driver": "a map_driver module (use {n}.kaddr)",
               "access": "an access record (use {n}.paddr)", "walk": "a page walk (use {n}.paddr)",
               "machine": "a machine", "snapshot": "a snapshot", "cache": "a cache name",
               "text": "text", "bytes": "bytes", "none": "nothing", "list": "the list of a repeat "
               "step's results (use {n}[i] or each = \"{n}\")"}


def _engine() -> Any:
    try:
        import engine
        return engine
    except ImportError:                # the loader also runs without an engine
        return None


def _config_error() -> tuple[type, ...]:
    eng = _engine()
    return (eng.ConfigError,) if eng is not None else ()


# -- machine configuration ---------------------------------------------------------------

def check_size_text(value: Any, what: str) -> str:
    """A size as boot() takes it ("160M", 4096); an error message or ''."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return f"expected a size like \"160M\", got {shown(value)}"
    if isinstance(value, str) and len(value) > SIZE_TEXT_MAX:
        return f"{what}: {value[:SIZE_TEXT_MAX]!r}... is not a size (try 160M, 1G, 4096)"
    eng = _engine()
    if eng is None:
        return ""
    try:
        n = eng.parse_size(value, what)
    except eng.ConfigError as err:
        return str(err)
    except (OverflowError, ValueError):
        return f"{what}: {value!r} is far too large"
    if n >= 1 << 64:
        return f"{what}: {value!r} is far too large"
    return ""


def check_machine(args: dict) -> str:
    """Everything boot() would refuse about a configuration; an error message or ''."""
    eng = _engine()
    if eng is None:
        return ""
    for key in ("ram", "vmalloc", "swap"):
        if key in args and args[key] not in (None, "", 0):
            msg = check_size_text(args[key], key)
            if msg:
                return msg
    from engine.config import make_config
    try:
        cfg = make_config(**args)
        from engine.layout import compute_layout
        compute_layout(cfg, cfg.ram >> 12)
        from engine.swap import check_swap_size
        check_swap_size(cfg.swap, cfg.pae, cfg.flavour)
    except eng.ConfigError as err:
        return str(err)
    except Exception as err:  # noqa: BLE001 - whatever boot would trip on is a bad machine
        return f"{type(err).__name__}: {err}"
    return ""


# -- literal argument values -------------------------------------------------------------

def gfp_table(kernel: str) -> Any:
    """The engine's GFP table (engine.gfp.GfpTable) for a kernel version string; the
    6.1 table when the version cannot be read (that error is reported on its own)."""
    from engine.gfp import GfpTable
    try:
        return GfpTable(kernel)
    except _config_error():
        return GfpTable("6.1")


def check_gfp(value: Any, kernel: str = "6.1") -> str:
    """A GFP mask as this flavour's engine.gfp.GfpTable.parse takes it."""
    if not isinstance(value, str) or not value.strip():
        return f"expected a GFP mask like \"GFP_KERNEL\", got {shown(value)}"
    table = gfp_table(kernel)
    try:
        table.parse(value)
    except _config_error():
        for part in value.split("|"):
            word = part.strip()
            if word not in table.names:
                near = table.suggest(word)        # only names this release has
                hint = f" (did you mean {near}?)" if near else ""
                return f"unknown GFP flag {word!r} for the {kernel} kernel{hint}"
        return f"bad GFP mask {value!r}"
    return ""


def check_flags(value: Any) -> str:
    """mmap flags as engine.mmap_ops.parse_map_flags takes them."""
    if not isinstance(value, str):
        return f"expected mmap flags like \"private|anonymous\", got {shown(value)}"
    from engine.mmap_ops import parse_map_flags
    try:
        parse_map_flags(value)
    except _config_error() as err:
        return str(err)
    return ""


def check_prot(value: Any) -> str:
    """A protection as engine.mm.prot_flags takes it ("rw-", "r-x")."""
    if not isinstance(value, str) or not value or len(value) > 3:
        return f"expected a protection like \"rw-\" or \"r-x\", got {shown(value)}"
    from engine.mm import prot_flags
    try:
        prot_flags(value)
    except ValueError:
        return f"expected a protection like \"rw-\" or \"r-x\", got {shown(value)}"
    return ""


def check_proc_path(value: str) -> str:
    from engine.procfs import PID_FILES, PROC_FILES
    m = re.fullmatch(r"/proc/(\d+|self)/(\w+)/?", value)
    if value.rstrip("/") in PROC_FILES or (m is not None and m.group(2) in PID_FILES):
        return ""
    return f"{value}: no such file in this machine's /proc (try {', '.join(sorted(PROC_FILES))}, " \
           f"{' or '.join(f'/proc/<pid>/{n}' for n in PID_FILES)})"


def check_text(op: str, name: str, value: Any) -> str:
    """Text arguments: names are shown, so no control characters."""
    if not isinstance(value, str):
        return f"expected a string, got {shown(value)}"
    if not is_clean(value, newlines=(name == "data")):
        return f"control character in {name} {value[:40]!r} (names are shown as text)"
    if op == "kmem_cache_create" and name == "name" and (not value or len(value) > 64 or " " in value):
        return f"kmem_cache_create: bad cache name {value!r} (1..64 characters, no spaces)"
    if op == "proc" and name == "path":
        return check_proc_path(value)
    return ""


def check_number(op: str, name: str, value: int) -> str:
    """An integer argument's value (a literal, or a constant expression)."""
    from engine.kmalloc import KMALLOC_MAX_SIZE
    from engine.zone import MAX_ORDER
    if name == "order":
        if not 0 <= value < MAX_ORDER:
            return f"order must be 0..{MAX_ORDER - 1} (MAX_ORDER is {MAX_ORDER}), got {value}"
        return ""
    if name in ("vaddr", "addr", "paddr"):
        if not 0 <= value < U32:
            return f"{name} {value:#x} is outside the 32-bit address space"
        if op in ("munmap", "mprotect") and value % PAGE_SIZE:
            return f"{op}: EINVAL: address {value:#x} must be page aligned"
        return ""
    if name == "pfn":
        if value < 0:
            return f"pfn must not be negative, got {value}"
        return ""
    if name == "pid":
        return "" if 0 <= value < U32 else f"pid must be a positive number, got {value}"
    if name == "delta":                                     # sbrk: may shrink the heap
        return "" if -U32 < value < U32 else f"delta {value} does not fit a 32-bit long"
    if name in ("size", "length", "offset", "align"):
        if value < 0:
            return f"{name} must not be negative, got {value}"
        if value >= U32:
            return f"{name} {value} does not fit a 32-bit size_t"
        if op == "kmem_cache_create" and name == "size" and not 1 <= value <= KMALLOC_MAX_SIZE:
            return f"kmem_cache_create: size must be 1..{KMALLOC_MAX_SIZE}"
        if name == "align" and value & (value - 1):
            return "kmem_cache_create: align must be 0 or a power of two"
        if op in ("mmap", "munmap", "load_map_driver") and name in ("length", "size") \
                and value == 0:
            return f"{op}: EINVAL: {name} must be positive"
        if name == "offset" and value % PAGE_SIZE:
            return "mmap: EINVAL: offset must be a multiple of the page size"
        return ""
    return "" if -U32 < value < U32 else f"{name} {value} does not fit 32 bits"


def check_value(op: Any, param: Any, value: Any, machine: dict) -> str:
    """One argument value against what the engine accepts; an error message or ''."""
    kernel = str(machine.get("kernel", "6.1"))
    t = param.type
    if t == "gfp":
        msg = check_gfp(value, kernel)
        table = gfp_table(kernel)
        if not msg and op.name == "get_free_pages" and \
                not table.flavour.get_free_pages_strips_highmem:
            if table.parse(value) & table.HIGHMEM:
                msg = "__get_free_pages: __GFP_HIGHMEM is not allowed (highmem pages have no kernel address)"
        return msg
    if t == "kind":
        return "" if value in ACCESS_KINDS else \
            f"expected one of read, write, exec, got {shown(value)}"
    if t == "prot":
        return check_prot(value)
    if t == "flags":
        return check_flags(value)
    if t == "text":
        return "" if value is None and not param.required else check_text(op.name, param.name, value)
    if t == "bool":
        return "" if isinstance(value, bool) or (value is None and not param.required) else \
            f"expected true or false, got {shown(value)}"
    if t == "ram":
        return check_size_text(value, param.name)
    if t == "config":
        if value is not None and not isinstance(value, dict):
            return f"expected a table of build options ({{ DEBUG_RODATA = true }}), got {shown(value)}"
        bad = next(((k, v) for k, v in (value or {}).items() if not isinstance(v, (bool, int, str))), None)
        return "" if bad is None else f"{bad[0]} must be true, false, a whole number or a string, got {shown(bad[1])}"
    if isinstance(value, bool):
        return f"expected a number, got {shown(value)}"
    if isinstance(value, int):
        return check_number(op.name, param.name, value)
    return ""


# -- names of the wrong kind -------------------------------------------------------------

def kind_problem(tree: Any, ptype: str, kinds: dict[str, str]) -> str:
    """A name whose value cannot be this argument (``vfree d`` with d a map_driver)."""
    def bad(node: Any, allowed: frozenset) -> str:
        if isinstance(node, expr.Name) and node.name in kinds:
            kind = kinds[node.name]
            if kind not in allowed:
                return f"{node.name!r} is {_KIND_WORDS.get(kind, kind).format(n=node.name)}, not a number"
        if isinstance(node, expr.Unary):
            return bad(node.operand, NUMERIC_KINDS)
        if isinstance(node, expr.Binary):
            return bad(node.left, NUMERIC_KINDS) or bad(node.right, NUMERIC_KINDS)
        return ""
    return bad(tree, NUMERIC_KINDS | ({"process"} if ptype == "pid" else set()))


def constant(tree: Any, text: str) -> tuple[bool, Any]:
    """(True, value) for an expression without names, else (False, None); ExprError if it fails."""
    if expr.names(tree):
        return False, None
    return True, expr.evaluate(tree, {}, text)
