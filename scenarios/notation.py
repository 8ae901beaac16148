"""A step's operation and its checks as students read them.

Calls are written the way kernel C reads, with the kernel's own function names
(:mod:`scenarios.kcalls`): ``kmalloc(100, GFP_KERNEL)``, ``alloc_pages(GFP_KERNEL, 3)``,
``__free_pages(pfn_to_page(0x100), 3)``; addresses and pfns in hex, sizes in decimal, GFP
masks and PROT_/MAP_ flags by name, strings in C quotes; a process's system call says which
process makes it (``[pid 1] brk(0x0804d000)``).
Checks (the lesson's ``expect``) read as sentences: "zone.HighMem.start_pfn is 0x38000".
"""
from __future__ import annotations

from typing import Any

from .kcalls import boot_spelling, spell

PROT_NAMES = (("r", "PROT_READ"), ("w", "PROT_WRITE"), ("x", "PROT_EXEC"))
MAP_NAMES = {"private": "MAP_PRIVATE", "shared": "MAP_SHARED", "anonymous": "MAP_ANONYMOUS",
             "anon": "MAP_ANONYMOUS", "fixed": "MAP_FIXED"}


def prot_text(prot: str) -> str:
    """'rw-' -> PROT_READ|PROT_WRITE (PROT_NONE for '---')."""
    names = [name for ch, name in PROT_NAMES if ch in str(prot)]
    return "|".join(names) or "PROT_NONE"


def flags_text(flags: str) -> str:
    """'private|anonymous' -> MAP_PRIVATE|MAP_ANONYMOUS."""
    parts = [p.strip() for p in str(flags).split("|") if p.strip()]
    return "|".join(MAP_NAMES.get(p.lower(), p.upper()) for p in parts)


def arg_text(name: str, ptype: str, value: Any) -> str:
    """One argument in C notation (without its name)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if ptype == "size":
            return str(value)
        if ptype == "addr" or name in ("pfn", "vaddr", "paddr", "addr") or value >= 0x10000:
            return f"{value:#010x}" if ptype == "addr" else f"{value:#x}"
        return str(value)
    if ptype == "gfp":
        return " | ".join(p.strip() for p in str(value).split("|"))
    if ptype == "prot":
        return prot_text(value)
    if name == "flags":
        return flags_text(value)
    if ptype in ("kind", "ram") or name == "kernel" or name == "allocator":
        return str(value)
    return '"' + str(value).replace('"', '\\"') + '"'


def _expr_text(value: Any) -> str:
    """An argument of a repeated step is an expression over ``i``/``it``: shown as written."""
    if isinstance(value, str):
        return value.replace("'", "")
    return str(value)


def call_text(op: Any, args: dict[str, Any], kernel: str | None = None, result: Any = None,
              lang: str = "en") -> str:
    """``kmalloc(100, GFP_KERNEL)``: the kernel function the op stands for, in the spelling of
    ``kernel`` (a release: ``"2.6.24"``, ``"6.1.0-50-686"``), with the resolved arguments in C
    notation.  ``result``: what the call returned, where the text shows more of it (sbrk);
    ``lang``: the ops that are no call (boot, a CPU access, a walk) are worded in it."""
    if op.name == "boot":
        return boot_spelling(args, lang)
    shown: dict[str, str] = {}
    for p in op.params:
        value = args.get(p.name)
        if value is None:
            continue
        shown[p.name] = str(value) if p.name == "pid" else arg_text(p.name, p.type, value)
    text = spell(op.name, shown, kernel, lang)
    if op.name == "alloc_pages" and isinstance(result, int) and not isinstance(result, bool) \
            and text.startswith("alloc_pages("):
        text = f"page_to_pfn({text})"         # alloc_pages() returns a struct page *, shown as its pfn
    return text


# system calls that return 0 when they succeed (strace's "= 0"): 2.6.24 mm/mmap.c:1907
# sys_munmap returns do_munmap()'s 0 (l.1892), mm/mprotect.c:310 sys_mprotect its error, 0
# after the last mprotect_fixup()
RETURN_ZERO = frozenset({"munmap", "mprotect"})


def returned_text(op_name: str, args: dict[str, Any], result: Any, shown: str) -> str:
    """What the call written by call_text() returned, as its line shows it after " = "
    (``shown``: the result as formatted for its kind).  libc's sbrk() returns the OLD break
    and moves it with the brk system call, which returns the NEW one (2.6.24 mm/mmap.c:236
    sys_brk: ``out: retval = mm->brk; return retval;``; glibc misc/sbrk.c: ``oldbrk =
    __curbrk; __brk (oldbrk + increment); return oldbrk;``, sbrk(0) no system call):
    ``sbrk(8192) = 0x0804986c  (brk(0x0804b86c) = 0x0804b86c)``."""
    if op_name in RETURN_ZERO and result is None:
        return "0"
    delta = args.get("delta")
    if op_name == "sbrk" and isinstance(result, int) and isinstance(delta, int) and delta:
        new = (result + delta) & 0xFFFFFFFF
        return f"{shown}  (brk({new:#010x}) = {new:#010x})"
    return shown


def boot_text(args: dict[str, Any]) -> str:
    """``boot: 1G RAM, Linux 2.6.24, PAE, NX`` (kept for callers of the old name)."""
    return boot_spelling(args)


def repeat_text(op: Any, raw_args: dict[str, Any], rep: Any, kernel: str | None = None,
                lang: str = "en") -> str:
    """A stress step: ``alloc_pages(GFP_KERNEL, random 0..3) × 2000``."""
    shown: dict[str, str] = {}
    for p in op.params:
        if p.name in rep.random:
            mode, spec = rep.random[p.name]
            text = f"random {spec[0]}..{spec[1]}" if mode == "range" else f"random of {spec}"
        elif p.name in raw_args:
            value = raw_args[p.name]
            text = arg_text(p.name, p.type, value) if p.type == "gfp" or not isinstance(value, str) \
                or p.type in ("kind", "prot") else _expr_text(value)
        else:
            continue
        shown[p.name] = text
    text = spell(op.name, shown, kernel, lang)
    text += f" × {rep.count}" if rep.count else f" for each it in {rep.each}"
    if rep.where is not None:
        text += f" where {rep.where_text}"
    if rep.sample is not None:
        text += f" (random sample {rep.sample}, seed {rep.seed})"
    return text


CMP_WORDS = {
    "en": {"==": "is", "!=": "is not", "<": "is below", "<=": "is at most", ">": "is above",
           ">=": "is at least", "contains": "contains"},
    "zh": {"==": "是", "!=": "不是", "<": "小于", "<=": "不超过", ">": "大于", ">=": "至少为",
           "contains": "包含"},
}
SUBJECT = {"contains": {"en": "the output", "zh": "输出"},
           "error": {"en": "the kernel's answer", "zh": "内核的回答"},
           "message": {"en": "the kernel's message", "zh": "内核的消息"},
           "value": {"en": "the result", "zh": "结果"}}


def expect_sentence(key: str, cmp: str, value: str, ok: bool, actual: str, lang: str = "en") -> str:
    """A check as a sentence: "the output contains “pages free”", "zone.Normal.free_pages is at
    most 5"; a failed one adds what the machine has instead."""
    words = CMP_WORDS.get(lang, CMP_WORDS["en"])
    subject = SUBJECT.get(key, {}).get(lang) or SUBJECT.get(key, {}).get("en") or key
    if key in ("message", "contains") or cmp == "contains":
        verb, shown = words["contains"], f"“{value}”"
    elif key == "error" and value == "none":
        return ("没有内核错误" if lang == "zh" else "no kernel error") + \
            ("" if ok else (f"，但得到 {actual}" if lang == "zh" else f", but got {actual}"))
    else:
        verb, shown = words.get(cmp, cmp), value
    text = f"{subject} {verb} {shown}"
    if not ok:
        text += f"，实际为 {actual}" if lang == "zh" else f", but it is {actual}"
    return text
