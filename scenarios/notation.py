"""A step's operation and its checks as students read them.

Calls are written the way kernel C reads, with the kernel's own function names
(:mod:`scenarios.kcalls`): ``kmalloc(100, GFP_KERNEL)``, ``alloc_pages(GFP_KERNEL, 3)``,
``__free_pages(pfn_to_page(0x100), 3)``; addresses and pfns in hex, sizes in decimal, GFP
masks and PROT_/MAP_ flags by name, strings in C quotes; a process's system call says which
process makes it (``[pid 1] brk(0x0804d000)``).
Checks (the lesson's ``expect``) read as sentences: "zone.HighMem.start_pfn is 0x38000".
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import expr
from .kcalls import boot_spelling, spell
from .model import LOOP_NAMES, MAX_REPEAT
from .ops import EXPR_TYPES

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


# C's precedence of the expression language's operators (scenarios/expr.py, the same order)
_PREC = {"|": 0, "^": 1, "&": 2, "<<": 3, ">>": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}


def c_expr(node: Any, each: str | None = None) -> str:
    """An expression tree (scenarios/expr.py) written in C; in an ``each`` step the item
    ``it`` is the list's element ``each[i]`` (``it.order``: ``blocks[i].order``)."""
    return _c(node, each)[0]


def _c(node: Any, each: str | None) -> tuple[str, int]:
    if isinstance(node, expr.Num):
        return (f"{node.value:#x}" if node.value >= 0x10000 else str(node.value)), 9
    if isinstance(node, expr.Name):
        return (f"{each}[i]" if node.name == "it" and each else node.name), 9
    if isinstance(node, expr.Attr):
        return f"{_paren(node.base, each, 8)}.{node.name}", 8
    if isinstance(node, expr.Index):
        return f"{_paren(node.base, each, 8)}[{_c(node.index, each)[0]}]", 8
    if isinstance(node, expr.Unary):
        return f"{node.op}{_paren(node.operand, each, 7)}", 7
    prec = _PREC[node.op]
    return f"{_paren(node.left, each, prec)} {node.op} {_paren(node.right, each, prec + 1)}", prec


def _paren(node: Any, each: str | None, need: int) -> str:
    text, prec = _c(node, each)
    return text if prec >= need else f"({text})"


@lru_cache(maxsize=64)
def _stride(where: str) -> tuple[int, int] | None:
    """(start, step) when ``where`` over ``i`` alone picks i = start, start + step, ... for every
    iteration a step can have (MAX_REPEAT): ``i & 1`` -> (1, 2), ``(i + 1) & 1`` -> (0, 2)."""
    from .expr_columns import NotAColumn, truth_column
    try:
        tree = expr.parse(where)
        if expr.names(tree) != {"i"}:
            return None
        try:
            hits = truth_column(tree, MAX_REPEAT, where)        # every iteration at once
        except NotAColumn:
            get = expr.compile_tree(tree, where)
            hits = [i for i in range(MAX_REPEAT) if get({"i": i})]
    except Exception:  # noqa: BLE001 - an expression that fails is written out as it is
        return None
    if len(hits) < 2 or hits != list(range(hits[0], MAX_REPEAT, hits[1] - hits[0])):
        return None
    return hits[0], hits[1] - hits[0]


RANDOM_WORDS = {"en": ("random {lo}..{hi}", "one of {values} at random",
                       " (a random {part} of the iterations, seed {seed})", "{n}", "{pct} %"),
                "zh": ("随机 {lo}..{hi}", "随机取 {values} 之一",
                       "（随机抽取其中 {part}，种子 {seed}）", "{n} 次", "{pct}%")}


def _loop_arg(p: Any, raw: Any, resolved: Any, each: str | None) -> str:
    """One argument of a repeated call: an expression over ``i``/``it`` in C, anything else
    as the call shows it (its value where the step resolved it)."""
    if p.type not in EXPR_TYPES or not isinstance(raw, str):
        return arg_text(p.name, p.type, raw)
    try:
        tree = expr.parse(raw)
    except expr.ExprError:
        return raw
    if not expr.names(tree) & LOOP_NAMES and resolved is not None:
        return str(resolved) if p.name == "pid" else arg_text(p.name, p.type, resolved)
    return c_expr(tree, each)


def repeat_text(op: Any, raw_args: dict[str, Any], rep: Any, kernel: str | None = None,
                lang: str = "en", resolved: dict[str, Any] | None = None) -> str:
    """A stress step as a student reads it, in C: ``alloc_pages(GFP_KERNEL, random 0..3) × 2000``,
    ``for (i = 1; i < ARRAY_SIZE(blocks); i += 2) __free_pages(pfn_to_page(blocks[i]),
    blocks[i].order)`` (each = "blocks", where = "i & 1"), ``for (i = 0; i < 4; i++) if (...)``;
    mmviz's loop names (``it``, ``where``) never show.  ``resolved``: the arguments of the last
    iteration, whose values stand for the expressions that do not change between iterations."""
    words = RANDOM_WORDS.get(lang, RANDOM_WORDS["en"])
    resolved = resolved or {}
    shown: dict[str, str] = {}
    loop_names = bool(rep.each) or rep.where is not None
    for p in op.params:
        if p.name in rep.random:
            mode, spec = rep.random[p.name]
            shown[p.name] = words[0].format(lo=spec[0], hi=spec[1]) if mode == "range" else \
                words[1].format(values=", ".join(arg_text(p.name, p.type, v) for v in spec))
        elif p.name in raw_args:
            raw = raw_args[p.name]
            shown[p.name] = _loop_arg(p, raw, resolved.get(p.name), rep.each)
            loop_names |= isinstance(raw, str) and p.type in EXPR_TYPES and _uses_loop(raw)
    body = spell(op.name, shown, kernel, lang)
    prefix = ""
    if body.startswith("[pid "):                       # the process first, then its loop
        prefix, _, body = body.partition("] ")
        prefix += "] "
    if rep.count and not loop_names:
        text = f"{prefix}{body} × {rep.count}"
    else:
        bound = str(rep.count) if rep.count else f"ARRAY_SIZE({rep.each})"
        stride = _stride(rep.where_text) if rep.where is not None else (0, 1)
        start, step = stride or (0, 1)
        cond = "" if stride else f" if ({c_expr(rep.where, rep.each)})"
        text = (f"{prefix}for (i = {start}; i < {bound}; {'i++' if step == 1 else f'i += {step}'})"
                f"{cond} {body}")
    if rep.sample is not None:
        part = words[4].format(pct=round(rep.sample * 100)) if isinstance(rep.sample, float) \
            else words[3].format(n=rep.sample)
        text += words[2].format(part=part, seed=rep.seed)
    return text


def _uses_loop(raw: str) -> bool:
    try:
        return bool(expr.names(expr.parse(raw)) & LOOP_NAMES)
    except expr.ExprError:
        return False


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
