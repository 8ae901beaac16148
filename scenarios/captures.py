"""Real 6.1 captures a lesson step shows beside mmviz's own file (``listing = "zoneinfo-6.1"``).

The lines are those a real Debian 12 kernel (6.1.0-50-686 / -686-pae, i386, booted under QEMU)
printed: they are read when the step is shown from ``scenarios/groundtruth/<config>/<file>``,
byte-for-byte copies of the project's ground truth (``tests/groundtruth``; a test keeps the two
equal), never pasted into a lesson.  A capture picks lines with regular expressions; what mmviz
adds (the command line, a note) is marked ``$`` and ``(...)`` and is never a capture line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).parent / "groundtruth"
MACHINES = {"686-64M": "64 MB", "686-160M": "160 MB", "686-1G": "1 GB", "686-pae-1G": "1 GB, PAE"}


@dataclass(frozen=True)
class Part:
    """Lines of one captured file: ``start``..``stop`` (regexes; the whole file when empty),
    then only the lines matching ``keep`` (all when empty)."""
    file: str                    # "zoneinfo.txt"
    command: str                 # what printed it: "cat /proc/zoneinfo"
    keep: str = ""
    start: str = ""
    stop: str = ""


@dataclass(frozen=True)
class Capture:
    config: str                  # "686-1G": a directory of tests/groundtruth
    en: str                      # caption
    zh: str
    parts: tuple[Part, ...]
    note_en: str = ""            # one line set after the capture, in parentheses
    note_zh: str = ""


def file_lines(config: str, name: str) -> list[str]:
    """The captured file's lines (trailing blanks stripped); OSError if it is missing."""
    return _read(config, name)


@lru_cache(maxsize=32)
def _read(config: str, name: str) -> list[str]:
    return [line.rstrip() for line in (ROOT / config / name).read_text().splitlines()]


def picked(part: Part, config: str) -> list[str]:
    """The capture lines ``part`` shows, in file order."""
    lines = file_lines(config, part.file)
    if part.start:
        first = next((i for i, line in enumerate(lines) if re.search(part.start, line)), len(lines))
        lines = lines[first:]
    if part.stop:
        end = next((i for i, line in enumerate(lines) if i and re.search(part.stop, line)), len(lines))
        lines = lines[:end]
    return [line for line in lines if not part.keep or re.search(part.keep, line)]


def render(cap: Capture, lang: str = "en") -> str:
    """The listing text: per part a ``$ command`` line and its capture lines, then the note."""
    out = []
    for part in cap.parts:
        selected = " (selected lines)" if part.keep else ""
        if lang == "zh":
            selected = "（节选）" if part.keep else ""
        out.append(f"$ {part.command}{selected}")
        out += picked(part, cap.config)
    note = cap.note_zh if lang == "zh" else cap.note_en
    if note:
        out.append(f"({note})" if lang != "zh" else f"（{note}）")
    return "\n".join(out)


def caption(cap: Capture, lang: str = "en") -> str:
    size = MACHINES.get(cap.config, cap.config)
    if lang == "zh":
        size = size.replace(", ", "，")
        return f"{cap.zh}（真实机器：Debian 12，6.1，i386，{size}，tests/groundtruth/{cap.config}）"
    return f"{cap.en} (real machine: Debian 12, 6.1, i386, {size}; tests/groundtruth/{cap.config})"


_DMESG_T = r"^\[ *\d+\.\d+\] "

CAPTURES: dict[str, Capture] = {
    "buddyinfo-6.1": Capture(
        "686-160M", "/proc/buddyinfo and /proc/pagetypeinfo", "/proc/buddyinfo 与 /proc/pagetypeinfo",
        (Part("buddyinfo.txt", "cat /proc/buddyinfo"),
         Part("pagetypeinfo.txt", "cat /proc/pagetypeinfo", keep=r"^(Free pages|Node )", stop=r"^Number of blocks")),
        "the same free blocks, on one list per order and migratetype: mmviz keeps one list per order",
        "同样的空闲块，按阶和迁移类型分链：mmviz 每阶只有一条链表"),
    "slabinfo-6.1": Capture(
        "686-160M", "/proc/slabinfo (SLUB)", "/proc/slabinfo（SLUB）",
        (Part("slabinfo.txt", "cat /proc/slabinfo",
              keep=r"^(# name|dentry |task_struct |kmalloc-\d+k? )"),),
        "SLUB counts every object of a CPU slab as in use, so most lines read active = total",
        "SLUB 把 CPU slab 里的对象都算作在用，所以多数行的 active 等于总数"),
    "vmallocinfo-6.1": Capture(
        "686-160M", "/proc/vmallocinfo", "/proc/vmallocinfo",
        (Part("vmallocinfo.txt", "cat /proc/vmallocinfo"),),
        "ioremap areas share the range with vmalloc; every size includes one guard page",
        "ioremap 区域与 vmalloc 共用这段地址；每个大小都包括一个保护页"),
    "maps-6.1": Capture(
        "686-160M", "/proc/self/maps of cat", "cat 的 /proc/self/maps",
        (Part("maps_cat_self.txt", "cat /proc/self/maps"),),
        "run it twice and [heap], the b7f... mappings and [stack] move: ASLR",
        "运行两次，[heap]、b7f... 开头的映射和 [stack] 都会移动：这就是 ASLR"),
    "layout-6.1": Capture(
        "686-1G", "the kernel map of a 1 GB 6.1 machine", "1 GB 机器上 6.1 内核的地址布局",
        (Part("dmesg.txt", "dmesg",
              keep=_DMESG_T + r"(\d+MB (HIGH|LOW)MEM available|  mapped low ram|Zone ranges|  (DMA|Normal|HighMem) +\[)"),
         Part("kcoredump.txt", "kcoredump",
              start=r"^--- /proc/kcore program headers", keep=r"^(type|LOAD)"),
         Part("meminfo.txt", "cat /proc/meminfo", keep=r"^(LowTotal|HighTotal|Vmalloc)")),
        "6.1 no longer prints the virtual kernel memory layout block; /proc/kcore's LOAD segments are "
        "the direct map [0xc0000000, high_memory) and the vmalloc area",
        "6.1 不再打印 virtual kernel memory layout 一段；/proc/kcore 的 LOAD 段就是直接映射区 "
        "[0xc0000000, high_memory) 和 vmalloc 区"),
    "zoneinfo-6.1": Capture(
        "686-1G", "zones and watermarks", "管理区与水位线",
        (Part("zoneinfo.txt", "cat /proc/zoneinfo",
              keep=r"^(Node|  pages free|        (boost|min|low|high|spanned|present|managed) |"
                   r"        protection:)"),
         Part("sysvm.txt", "sysctl vm",
              keep=r"^(min_free_kbytes|lowmem_reserve_ratio|watermark_scale_factor|watermark_boost_factor) ")),),
    "highmem-6.1": Capture(
        "686-1G", "low and high memory", "低端内存与高端内存",
        (Part("dmesg.txt", "dmesg", keep=_DMESG_T + r"(\d+MB (HIGH|LOW)MEM available|Memory: )"),
         Part("meminfo.txt", "cat /proc/meminfo", keep=r"^(MemTotal|HighTotal|HighFree|LowTotal|LowFree|VmallocTotal)"),
         Part("kcoredump.txt", "kcoredump",
              start=r"^--- kernel page tables", keep=r"^(# range|0xf[f][0-9a-f]{6}-)"))),
    "pagetables-6.1": Capture(
        "686-pae-1G", "swapper_pg_dir's direct map, PAE", "swapper_pg_dir 的直接映射（PAE）",
        (Part("kcoredump.txt", "kcoredump",
              start=r"^--- kernel page tables", keep=r"^(---|# range|# PDPT\[3\]|0xc|0xf6)"),)),
    "status-6.1": Capture(
        "686-160M", "/proc/1/status of the shell that forked every command",
        "每条命令都由它 fork 出来的 shell 的 /proc/1/status",
        (Part("status_shell.txt", "cat /proc/$$/status",
              keep=r"^(Name|Pid|PPid|VmPeak|VmSize|VmHWM|VmRSS|RssAnon|RssFile|RssShmem|VmData|VmStk|"
                   r"VmExe|VmLib|VmPTE|VmSwap):"),)),
    "swap-6.1": Capture(
        "686-64M", "memory, swap and the reclaim knobs", "内存、交换区与回收参数",
        (Part("meminfo.txt", "cat /proc/meminfo",
              keep=r"^(MemTotal|MemFree|MemAvailable|Active\(anon\)|Inactive\(anon\)|SwapCached|SwapTotal|SwapFree|Zswap)"),
         Part("sysvm.txt", "sysctl vm", keep=r"^(swappiness|page-cluster|min_free_kbytes) "))),
    "vmalloc-used-6.1": Capture(
        "686-160M", "vmalloc areas and their accounting", "vmalloc 区域及其统计",
        (Part("vmallocinfo.txt", "cat /proc/vmallocinfo", keep=r" vmalloc$"),
         Part("meminfo.txt", "cat /proc/meminfo", keep=r"^Vmalloc"))),
}
