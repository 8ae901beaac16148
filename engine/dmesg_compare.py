"""Comparing a real boot log with mmviz's: each real memory line paired with mmviz's line
of the same shape (equal / different / missing), and why a different line differs where
mmviz knows (a lowmem split the log does not state, sizeof(struct page), the sizes the
"Memory:" line leaves out).  engine.dmesg reads the log and boots its machine.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .machine import Machine


@dataclass(frozen=True)
class LinePair:
    status: str          # "equal" | "different" | "missing"
    real: str
    ours: str | None
    why: str = ""


def _key(line: str) -> str:
    """A line's shape: its words without the numbers."""
    return re.sub(r"0x[0-9a-f]+|[0-9a-f]{8,16}|\d+", "#", line.strip())


_WHY = (
    ("Dentry", "hash sizes follow lowmem; the kernel's hashdist/boot options may differ"),
    ("Inode", "hash sizes follow lowmem; the kernel's hashdist/boot options may differ"),
    ("Built", "Total pages depends on sizeof(struct page) (debug options enlarge it)"),
    ("  DMA zone", "the memmap and present pages depend on sizeof(struct page)"),
    ("fixmap", "the fixmap size depends on the build's fixmap entries"),
    ("      .init", "the sections between _edata and __init_begin are not modelled"),
)


# lines that follow where lowmem and HighMem end (max_low_pfn, highend_pfn)
_SPLIT_LINES = re.compile(r"\s*(Normal|HighMem)\b|Built |Initializing HighMem|\d+MB (HIGH|LOW)MEM available"
                          r"|\s*(mapped )?low ram:|Memory: |\s*lowmem\s*:|\s*vmalloc\s*:")
# the lines that say where they end: any of them unlike mmviz's, and the split differs
_SPLIT_SAYS = re.compile(r"\s+(Normal|HighMem)\s+(\[mem|0x|\d)|\d+MB (HIGH|LOW)MEM available|\s+low ram:"
                         r"|\s*lowmem\s*:")
SPLIT_WHY = ("the log's lowmem or HighMem ends elsewhere (its zone, LOWMEM or low ram lines): they follow "
             "mem=, highmem=, vmalloc=, the release and the build (fixmap, NR_CPUS, VMALLOC_RESERVE), one of "
             "which is not what mmviz read from the log")


def _split_differs(real_lines: list[str], ours: list[str]) -> bool:
    """A line saying where lowmem or HighMem ends is unlike mmviz's line of its shape."""
    mine = {_key(ln): ln for ln in ours if _SPLIT_SAYS.match(ln)}
    return any(_key(ln) in mine and mine[_key(ln)] != ln for ln in real_lines if _SPLIT_SAYS.match(ln))


def compare_lines(real_lines: list[str], ours: list[str]) -> list[LinePair]:
    """Pair each real memory line with mmviz's line of the same shape, in order; a
    different line says why where mmviz knows (a lowmem split the log does not state,
    sizeof(struct page), ...)."""
    split = _split_differs(real_lines, ours)
    pool: dict[str, list[str]] = {}
    for line in ours:
        pool.setdefault(_key(line), []).append(line)
    out = []
    for real in real_lines:
        cands = pool.get(_key(real))
        if not cands:
            out.append(LinePair("missing", real, None, "mmviz prints no line of this shape for this machine"))
            continue
        mine = real if real in cands else cands[0]
        cands.remove(mine)
        if mine == real:
            out.append(LinePair("equal", real, mine))
        else:
            why = next((w for p, w in _WHY if real.startswith(p) or real.strip().startswith(p.strip())), "")
            if split and _SPLIT_LINES.match(real):
                why = SPLIT_WHY
            out.append(LinePair("different", real, mine, why))
    return out


_MEM = re.compile(r"Memory: (\d+)[kK]/(\d+)[kK] available .*?(\d+)[kK] reserved")


def memory_total(text: str) -> int | None:
    """The total kB of the first "Memory: free/total available" line in ``text``, or None."""
    m = _MEM.search(text or "")
    return int(m.group(2)) if m else None


def memory_delta(real: str, ours: str) -> tuple[int, int] | None:
    """(free, reserved) kB of a real "Memory:" line minus mmviz's, or None if unreadable."""
    a, b = _MEM.search(real or ""), _MEM.search(ours or "")
    if not (a and b):
        return None
    return int(a.group(1)) - int(b.group(1)), int(a.group(3)) - int(b.group(3))


def memory_why(m: Machine, real: str, ours: str | None) -> str:
    """Why the "Memory:" line differs: the sizes the log does not state (engine.mem_init)."""
    from .mem_init import page_cgroup_kb
    fl, bs = m.config.flavour, m.boot_state
    d = memory_delta(real, ours)
    if d == (0, 0):                      # the free and reserved sizes agree: nothing to name
        return "free and reserved equal"
    out = [f"real - mmviz: free {d[0]:+d}k, reserved {d[1]:+d}k" if d else "free/reserved differ"]
    if not fl.initrd_kb:
        out.append("initrd size not in the log (a RAMDISK or 'Freeing initrd memory' line, or initrd=, gives it)")
    if fl.page_cgroup_bytes and not page_cgroup_kb(bs):
        spanned = bs.max_pfn - bs.ranges[0][0]
        out.append(f"a CONFIG_MEMCG build reserves {(spanned * fl.page_cgroup_bytes) >> 10}k of "
                   f"page_cgroup, the log has no 'allocated ... page_cgroup' line (config MEMCG=y)")
    if fl.version >= (5, 12) and not fl.kfence_pool_kb:
        out.append("a CONFIG_KFENCE build reserves a 2048k pool, the log has no kfence line "
                   "(config KFENCE=y)")
    if fl.version >= (2, 6, 30) and not fl.initial_map_pgt and not fl.brk_log_pages \
            and not fl.brk_pgt_pages:
        out.append("no 'initial memory mapped' line: head_32.S's page tables in .brk are the flavour's")
    out.append("the image's sections the log does not print (.bss before 2.6.3x's early reservation "
               "list; __bug_table/.vvar before __init_begin, .data_nosave after .smp_locks) are the flavour's")
    if m.dmesg_facts is not None and "percpu_pages" not in m.dmesg_facts.config:
        if fl.pcpu_min_unit_pages:       # pcpu_embed_first_chunk() (2.6.30 on) prints the unit
            out.append("no 'PERCPU: Embedded' line in the log: the per-CPU first chunk is the "
                       "flavour's (the line gives its pages per CPU)")
        else:
            out.append(f"the per-CPU areas are the flavour's: {fl.release} prints no 'PERCPU:' line "
                       f"(PERCPU_ENOUGH_ROOM: System.map's __per_cpu_end - __per_cpu_start + 8K)")
    if not fl.boot_pageset:
        out.append(f"mmviz leaves {sum(bs.pcp_parked.values())} pages on per-CPU lists (free_hot_cold_page "
                   f"of each single page free_all_bootmem_core frees, engine.bootmem places the "
                   f"allocations); the real count follows where each one ends inside a 32-page bitmap word")
    return "; ".join(out)


_LABELS = {"equal": "equal     ", "different": "different ", "missing": "missing   ", "ours": "   mmviz  "}


def report(m: Machine, label: Callable[[str], str] = _LABELS.__getitem__,
           why: Callable[[str], str] = "({})".format,
           assumed: Callable[[str], str] = "assumed: {}".format) -> list[str]:
    """The real lines beside mmviz's, each marked equal / different / missing, defaults first
    (nothing for a machine not booted from a log).  ``label``, ``why`` and ``assumed`` word
    the marks, a reason and a default (app.cli_machine gives them in Chinese)."""
    facts = m.dmesg_facts
    out = [assumed(d) for d in facts.defaults] if facts is not None else []
    for p in m.dmesg_comparison:
        if p.status == "equal":
            out.append(f"{label('equal')} {p.real}")
        elif p.status == "different":
            out.append(f"{label('different')} {p.real}")
            out.append(f"{label('ours')} {p.ours}" + (f"   {why(p.why)}" if p.why else ""))
        else:
            out.append(f"{label('missing')} {p.real}   {why(p.why)}")
    return out


def summary(m: Machine) -> list[str]:
    """``mmviz boot --dmesg``: the machine read from the log, the paired lines, the count."""
    c = m.config
    pairs = m.dmesg_comparison
    return [f"Machine: kernel {c.flavour.release}, {'PAE' if c.pae else 'non-PAE'}, {c.cpus} CPU(s), "
            f"NR_CPUS {c.flavour.nr_cpus_config}, {c.ram >> 20} MB usable RAM",
            *report(m),
            f"{sum(p.status == 'equal' for p in pairs)} of {len(pairs)} memory lines equal"]
