"""A failed step's error as the app shows it, in the user's language.

The engine's errors keep their English messages (the API and the tests read them); the app
shows them by error kind and the values in the message:

* kernel errors (an oops, a BUG(), a WARNING, the segfault line, an allocation failure) are
  what the kernel printed: its words stay as they are in any language (a real dmesg is
  English too); only their label is translated, and the "BadFree:" class name is not shown
  when the text is already the kernel's own WARNING/BUG line;
* input errors (ConfigError: an address outside the direct map, an unknown GFP flag, a pid
  that is gone ...) are translated by pattern, the numbers and identifiers kept; a message
  no pattern knows is shown in English after the Chinese label.
"""
from __future__ import annotations

import re

KIND_ZH = {"ConfigError": "参数错误", "KernelOops": "内核 Oops", "BadFree": "错误的释放",
           "SegFault": "段错误（SIGSEGV）", "OutOfMemory": "内存不足", "OomKilled": "OOM 杀手",
           "KernelError": "内核错误", "InvariantError": "不变量被破坏", "MmvizError": "错误",
           "CommandError": "命令错误", "LessonError": "课程错误"}
KERNEL_KINDS = ("KernelOops", "BadFree", "SegFault", "OutOfMemory", "OomKilled", "KernelError")
_KERNEL_WORDS = ("WARNING:", "BUG", "kernel BUG", "Oops", "invalid opcode",
                 "Bad page state in process '")   # bad_page() before 2.6.29

# (regex on the English message, the Chinese template with the groups as {1}, {2} ...)
CONFIG_ZH = (
    (r"phys_to_virt: (\S+) is not lowmem \(below (\S+)\); highmem needs kmap\(\)",
     "phys_to_virt：{1} 不在低端内存（应低于 {2}）；高端内存要用 kmap() 映射"),
    (r"virt_to_phys: (\S+) is not in the direct map \((\S+)-(\S+)\); only a page-table walk can translate it",
     "virt_to_phys：{1} 不在直接映射区（{2}-{3}）；只有页表遍历能翻译它"),
    (r"gfp: unknown flag ('[^']*') for the \S+ kernel \(did you mean (\S+)\?\)",
     "gfp：这个内核版本没有标志 {1}（是不是 {2}？）"),
    (r"gfp: unknown flag ('[^']*') .*", "gfp：这个内核版本没有标志 {1}（例如 GFP_KERNEL、GFP_ATOMIC、GFP_DMA、GFP_HIGHUSER、__GFP_ZERO）"),
    (r"gfp: expected flags like 'GFP_KERNEL', got (.*)", "gfp：应是 GFP_KERNEL 这样的标志，得到的是 {1}"),
    (r"pid (\S+): no such process \(it has exited\)", "pid {1}：没有这个进程（它已退出）"),
    (r"pid (\S+): no such process", "pid {1}：没有这个进程"),
    (r"pid (\S+): not a process id", "pid {1}：不是进程号"),
    (r"(\w+): size must be a byte count, got (.*)", "{1}：大小应是字节数，得到的是 {2}"),
    (r"(\w+): length must be a byte count, got (.*)", "{1}：长度应是字节数，得到的是 {2}"),
    (r"order: must be 0\.\.10 \(MAX_ORDER is 11\), got (.*)", "order：应在 0..10 之间（MAX_ORDER 为 11），得到的是 {1}"),
    (r"kmap: (.*) is not the pfn of a RAM page", "kmap：{1} 不是内存页的页帧号"),
    (r"kind: (.*) is not read, write or exec", "kind：{1} 不是 read、write 或 exec"),
    (r"address (\S+) is outside the 32-bit space", "地址 {1} 超出了 32 位地址空间"),
    (r"kmem_cache ('[^']*'): no such cache.*", "kmem_cache {1}：没有这个缓存"),
    (r"kmem_cache_create: a cache named ('[^']*') already exists", "kmem_cache_create：名为 {1} 的缓存已存在"),
    (r"mmap: unknown flag\(s\) (.*?) .*", "mmap：未知的标志 {1}"),
    (r"config: unknown build option ('[^']*').*", "config：未知的编译选项 {1}"),
    (r"ram: (.*) is too small for this kernel: (.*)", "ram：{1} 对这个内核太小：{2}"),
    (r"(\S+): No such file or directory \(ENOENT\): Linux (\S+) has no \S+; (\S+) creates it from (\S+) on",
     "{1}：没有这个文件或目录（ENOENT）：Linux {2} 没有这个文件；{3} 从 {4} 起才创建它"),
    (r"(\S+): no such file in this machine's /proc \(try (.*)\)", "{1}：这台机器的 /proc 里没有这个文件（可试 {2}）"),
)

# mmviz's own words in a kernel error that is not a line the kernel printed (the kernel would
# oops or BUG on these frees; mmviz says why in one line)
KERNEL_NOTE_ZH = (
    (r"(\w+): object pointer (\S+) is not a direct-map address \(slab objects live in lowmem\)",
     "{1}：对象指针 {2} 不是直接映射区的地址（slab 对象都在低端内存里）"),
    (r"free_pages: (\S+) is not a direct-map \(lowmem\) address", "free_pages：{1} 不是直接映射区（低端内存）的地址"),
)


def kernel_text(message: str) -> bool:
    """The message is the kernel's own printed line (an oops, BUG or WARNING)."""
    return message.lstrip().startswith(_KERNEL_WORDS)


def message_zh(kind: str, message: str) -> str:
    """The message in Chinese where a pattern knows it, else as the engine wrote it; mmviz's
    bracketed notes (engine.kmsg_notes.note) in Chinese, the kernel's own words as printed."""
    if message.startswith("["):
        from engine.kmsg_notes import note_zh
        return note_zh(message) or message
    for pattern, zh in KERNEL_NOTE_ZH if kind in KERNEL_KINDS else CONFIG_ZH:
        m = re.fullmatch(pattern, message, flags=re.S)
        if m:
            return zh.format(None, *m.groups())
    return message


def error_text(kind: str | None, message: str, lang: str = "en") -> str:
    """One line for a failed step: ``BadFree: ...`` / the kernel's WARNING line as printed /
    ``参数错误：phys_to_virt：...`` in zh."""
    first = (message or "").splitlines()[0] if message else ""
    kind = kind or "MmvizError"
    if kind == "KernelOops" or (kind in KERNEL_KINDS and kernel_text(first)):
        return first if lang != "zh" else f"内核打印：{first}"
    if lang != "zh":
        return f"{kind}: {first}"
    return f"{KIND_ZH.get(kind, kind)}：{message_zh(kind, first)}"


def error_lines(kind: str | None, message: str, lang: str = "en") -> list[str]:
    """Every line of the error: the first as :func:`error_text` words it, then the kernel's
    further lines (a WARNING's "object pointer:" line) or the rest of the message.  The lesson
    pane labels them itself ("kernel error" / "内核错误"), so the kernel's own lines come as
    printed, in zh too (no second "内核打印" label)."""
    lines = (message or "").splitlines() or [""]
    said = kind == "KernelOops" or (kind in KERNEL_KINDS and kernel_text(lines[0]))
    rest = [message_zh(kind or "", ln) if lang == "zh" and ln.startswith("[") else ln
            for ln in lines[1:]]
    return [error_text(kind, lines[0], "en" if said else lang), *rest]
