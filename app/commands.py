"""The command line's teaching side: Tab completion and ``help`` from the operation table.

Everything here is read from :data:`scenarios.ops.OPS` (names, parameters in positional
order, their types and defaults, the doc line), so a new operation is completed and
documented without touching this file; only the kernel function it models is named here,
and a test checks that every operation has one.
"""
from __future__ import annotations

import os
from typing import Any, Iterable

# operation -> the kernel (or CPU) function it models
KERNEL_FUNCTIONS = {
    "boot": "start_kernel() → setup_arch(), paging_init(), mem_init()",
    "snapshot": "(a copy of every zone's counters, as /proc/zoneinfo shows them)",
    "alloc_pages": "alloc_pages() → __alloc_pages() (mm/page_alloc.c)",
    "free_pages": "__free_pages() → __free_one_page()",
    "get_free_pages": "__get_free_pages() = page_address(alloc_pages())",
    "free_pages_addr": "free_pages(addr, order)",
    "kmalloc": "kmalloc() → __cache_alloc() (SLAB, 2.6) / slab_alloc() (SLUB)",
    "kzalloc": "kzalloc() = kmalloc(size, gfp | __GFP_ZERO)",
    "kfree": "kfree() → slab_free()",
    "kmem_cache_create": "kmem_cache_create()",
    "kmem_cache_alloc": "kmem_cache_alloc()",
    "kmem_cache_free": "kmem_cache_free()",
    "kmem_cache_destroy": "kmem_cache_destroy()",
    "vmalloc": "vmalloc() → __vmalloc_node_range() (mm/vmalloc.c)",
    "vfree": "vfree() → remove_vm_area()",
    "kmap": "kmap() → kmap_high() (mm/highmem.c)",
    "kunmap": "kunmap() → kunmap_high()",
    "kmap_atomic": "kmap_atomic() (kmap_local_page() on 6.x): a fixmap slot",
    "kunmap_atomic": "kunmap_atomic()",
    "virt_to_phys": "__pa() / virt_to_phys()",
    "phys_to_virt": "__va() / phys_to_virt()",
    "spawn": "fork() + execve() of a small program",
    "brk": "sys_brk()",
    "sbrk": "sbrk() (libc) → sys_brk()",
    "mmap": "sys_mmap_pgoff() → do_mmap()",
    "munmap": "sys_munmap() → do_munmap()",
    "mprotect": "sys_mprotect() → mprotect_fixup()",
    "fork": "sys_fork() → copy_process() → dup_mm()",
    "switch_to": "context_switch() → switch_mm(): load CR3",
    "reclaim": "kswapd → shrink_zone() / shrink_node()",
    "load_map_driver": "insmod: vmalloc() + remap_vmalloc_range() in the driver's mmap",
    "exit": "do_exit() → exit_mm() → mmput()",
    "access": "a CPU load/store: TLB lookup, page walk, do_page_fault() on a miss",
    "walk": "the MMU's page walk (no side effects), like crash's vtop",
    "write_virt": "a store of these bytes through the MMU",
    "read_virt": "loads through the MMU",
    "proc": "the /proc file's show() function (e.g. frag_show for /proc/buddyinfo)",
    "flush_tlb": "flush_tlb_mm() / local_flush_tlb()",
    "invlpg": "__flush_tlb_one(): INVLPG",
    "reload_cr3": "MOV to CR3 (local_flush_tlb() on 2.6)",
    "check": "(the machine's own invariant checks, like CONFIG_DEBUG_VM)",
}
TYPE_WORDS = {"int": "number", "addr": "address", "size": "size (K/M/G)", "pid": "pid",
              "gfp": "GFP mask", "kind": "read|write|exec", "prot": "rwx", "flags": "mmap flags",
              "text": "text", "bool": "true|false", "ram": "size",
              "config": "build options (lessons: { DEBUG_RODATA = true })"}
HELP_WORDS = ("help", "?")


def _ops() -> dict[str, Any]:
    from scenarios.ops import OPS
    return OPS


def op_names() -> list[str]:
    from scenarios.ops import ALIASES
    return sorted([*_ops(), *ALIASES])


def param_text(p: Any) -> str:
    """``order=0`` for a parameter with a default, ``gfp`` for a required one."""
    from scenarios.ops import Param
    if p.required:
        return p.name
    default = p.default
    if default is None:
        return f"[{p.name}]"
    if isinstance(default, bool):
        default = str(default).lower()
    return f"{p.name}={default}"


def usage(op: Any) -> str:
    return " ".join([op.name, *(param_text(p) for p in op.params)])


def proc_files() -> list[str]:
    """The /proc files the engine renders (engine.procfs), a process's files for pid 1."""
    from engine.procfs import PID_FILES, PROC_FILES
    return [*sorted(PROC_FILES), *(f"/proc/1/{name}" for name in PID_FILES)]


def _values_for(param: Any, prefix: str, names: Iterable[str], kernel: str) -> list[str]:
    """Candidate words for one parameter (GFP names from the flavour's engine.gfp.GfpTable)."""
    if param.type == "gfp":
        from scenarios.validate_args import gfp_table
        head, _, last = prefix.rpartition("|")
        lead = head + "|" if head else ""
        table = gfp_table(kernel)
        return [lead + g for g in sorted(table.names) if g.startswith(last)]
    if param.type == "kind":
        from engine.mmu import ACCESS_KINDS
        words: Iterable[str] = ACCESS_KINDS
    elif param.type == "bool":
        words = ("true", "false")
    elif param.type == "prot":
        words = ("rw-", "r--", "r-x", "rwx", "---")
    elif param.type == "flags":
        words = ("private|anonymous", "shared", "private")
    elif param.name == "path":
        words = proc_files()
    elif param.name == "kernel":
        words = ("2.6", "6.1")
    elif param.name == "allocator":
        words = ("slab", "slub")
    elif param.type in ("int", "addr", "size", "pid"):
        words = sorted(names)
    else:
        words = ()
    return [w for w in words if w.startswith(prefix)]


def candidates(line: str, names: Iterable[str] = (), kernel: str = "6.1") -> tuple[str, list[str]]:
    """What the word being typed (the last one) can become: (that word, candidates)."""
    from scenarios.ops import lookup
    words = line.split(" ")
    current = words[-1]
    done = [w for w in words[:-1] if w]
    if done and done[0] not in HELP_WORDS and "=" in done[0] and len(done) == 1:
        done = []               # "v =" is a binding, not an operation
    if len(done) >= 2 and done[1] == "=":
        done = done[2:]
    if not done:
        return current, [n for n in [*op_names(), "help"] if n.startswith(current)]
    if done[0] in HELP_WORDS:
        return current, [n for n in op_names() if n.startswith(current)] if len(done) == 1 else []
    op = lookup(done[0])
    if op is None or (len(done) >= 2 and done[-1] == "as"):
        return current, []
    given = {w.split("=", 1)[0] for w in done[1:] if "=" in w}
    if "=" in current:
        key, _, value = current.partition("=")
        p = op.param(key)
        return current, [f"{key}={v}" for v in _values_for(p, value, names, kernel)] if p else []
    free = [p for p in op.params if p.name not in given]
    positional = [w for w in done[1:] if "=" not in w]
    if len(positional) < len(free):
        out = _values_for(free[len(positional)], current, names, kernel)
        if not out and not current:
            out = [f"{p.name}=" for p in free[len(positional):]]
        return current, out
    return current, [f"{p.name}=" for p in free if p.name.startswith(current)] + \
        (["as"] if "as".startswith(current) and current else [])


def complete(line: str, names: Iterable[str] = (), kernel: str = "6.1") -> tuple[str, list[str]]:
    """Tab: the line with the current word completed (as far as it is unambiguous) and the
    candidates when more than one remains (GFP names of this kernel flavour)."""
    current, cands = candidates(line, names, kernel)
    if not cands:
        return line, []
    head = line[:len(line) - len(current)]
    if len(cands) == 1:
        word = cands[0]
        tail = "" if word.endswith(("=", "|")) else " "
        return head + word + tail, []
    common = os.path.commonprefix(cands)
    return head + (common if len(common) > len(current) else current), cands


def help_markdown(name: str | None = None, lang: str = "en") -> str:
    """``help``: every operation with its parameters; ``help OP``: one in detail (Markdown)."""
    from scenarios.ops import lookup
    from widgets.i18n import KERNEL_FUNCTIONS_ZH, OPS_ZH, TYPE_WORDS_ZH, tr
    ops = _ops()
    zh = lang == "zh"
    types = TYPE_WORDS_ZH if zh else TYPE_WORDS

    def kernel(name: str) -> str:
        return (KERNEL_FUNCTIONS_ZH.get(name) if zh else None) or KERNEL_FUNCTIONS.get(name, "")

    def doc(op: Any) -> str:
        return (OPS_ZH.get(op.name) if zh else None) or op.doc or ""
    if name:
        op = lookup(name)
        if op is None:
            import difflib
            near = difflib.get_close_matches(name, op_names(), n=3)
            hint = tr(lang, "help.did_you_mean", names=", ".join(near)) if near else ""
            return f"# help {name}\n\n{tr(lang, 'help.unknown', name=name)} {hint}"
        rows = [f"# {op.name}", "", f"`{usage(op)}`", "",
                f"**{tr(lang, 'help.kernel')}:** {kernel(op.name) or op.name + '()'}", ""]
        if doc(op):
            rows += [doc(op), ""]
        if op.params:
            rows += [f"| {tr(lang, 'help.param')} | {tr(lang, 'help.type')} | "
                     f"{tr(lang, 'help.default')} |", "|---|---|---|"]
            for p in op.params:
                default = tr(lang, "help.required") if p.required else (
                    tr(lang, "help.none") if p.default is None else f"`{p.default}`")
                rows.append(f"| `{p.name}` | {types.get(p.type, p.type)} | {default} |")
            rows.append("")
        if op.aliases:
            rows.append(f"{tr(lang, 'help.aliases')}: " + ", ".join(f"`{a}`" for a in op.aliases))
        rows.append(tr(lang, "help.example", example=f"`{example(op)}`"))
        return "\n".join(rows)
    rows = [f"# {tr(lang, 'help.title')}", "", tr(lang, "help.intro"), "",
            f"| {tr(lang, 'help.op')} | {tr(lang, 'help.kernel')} | {tr(lang, 'help.what')} |",
            "|---|---|---|"]
    for op in ops.values():
        rows.append(f"| `{usage(op)}` | {kernel(op.name)} | {doc(op)} |")
    return "\n".join(rows)


def example(op: Any) -> str:
    """A line that runs this operation with made-up but valid arguments."""
    sample = {"gfp": "GFP_KERNEL", "int": "0", "addr": "0xc0100000", "size": "100",
              "pid": "1", "kind": "write", "prot": "r--", "flags": "private|anonymous",
              "text": "my_cache", "bool": "true", "ram": "1G"}
    words = [op.name]
    for p in op.params:
        if p.required:
            words.append("/proc/buddyinfo" if p.name == "path" else sample.get(p.type, "1"))
    return " ".join(words)
