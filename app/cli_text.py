"""The command line's own words in English and Chinese: headings, notes, labels and error
messages of every subcommand (``--lang``; the lessons' narration lives in the lessons, the
panes' words in widgets/i18n.py).  What the kernel prints -- /proc files, boot-log and dmesg
lines, WARNING/BUG lines -- stays as the kernel prints it in both languages, as do kernel
identifiers (``free_area``, ``GFP_KERNEL``) and the fields of /proc/zoneinfo (present,
managed).

    t("zh", "zones")                 -> "管理区："
    error_zh("mmviz walk: argument --pid: expected a whole number >= 0, got -1")
                                     -> "mmviz walk：参数 --pid：应为 >= 0 的整数，得到的是 -1"
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

WORDS: dict[str, tuple[str, str]] = {
    # layout (and the default machine without a terminal)
    "machine": ("Machine: {ram} MB RAM, {pae}, kernel {kernel}, {alloc}",
                "机器：{ram} MB 内存，{pae}，内核 {kernel}，{alloc}"),
    "pae": ("PAE", "PAE"), "nopae": ("non-PAE", "非 PAE"),
    "col.region": ("region", "区域"), "col.start": ("start", "起始"), "col.end": ("end", "结束"),
    "col.size": ("size", "大小"),
    "fixmap": ("(fixmap: {n} permanent slots, an estimate for {rel}: fixmap.h's enum depends on the "
               "build; the addresses below FIXADDR_START follow it)",
               "（fixmap：{n} 个永久槽位，是对 {rel} 的估计：fixmap.h 的枚举随编译配置而变；"
               "FIXADDR_START 以下的地址随之而变）"),
    "zones": ("Zones:", "管理区："),
    "zone": ("  {name:<8} pfn {lo}-{hi}  present {present:>7}  managed {managed:>7}  free {free:>7}  "
             "watermarks min {min} low {low} high {high}",
             "  {name:<8} pfn {lo}-{hi}  present {present:>7}  managed {managed:>7}  空闲 {free:>7}  "
             "水位 min {min} low {low} high {high}"),
    "no_block": ("({rel} no longer prints this block; these are the same symbols in its format)",
                 "（{rel} 已不再打印这一段；下面是同样的符号，按它的格式）"),
    "boot_log": ("Boot log:", "启动日志："),
    # walk
    "w.virtual": ("VIRTUAL", "虚拟地址"), "w.page": ("PAGE", "页"), "w.physical": ("PHYSICAL", "物理地址"),
    "w.kernel": ("kernel", "内核"), "w.pid": ("pid {pid}", "pid {pid}"),
    "w.kind.read": ("read", "读"), "w.kind.write": ("write", "写"), "w.kind.exec": ("exec", "执行"),
    "w.step": ("table {table} index {index:>4}  entry {entry}  {meaning}",
               "表 {table} 下标 {index:>4}  表项 {entry}  {meaning}"),
    "w.fault": ("error code {code}: {reason}", "错误码 {code}：{reason}"),
    "w.size": ("{n}{unit} page", "{n}{unit} 页"),
    # check, record, new, schema, config, quiz, lessons, run
    "check.ok": ("{path}: ok ({id}, {steps})", "{path}：通过（{id}，{steps}）"),
    "record.cast": ("{file}: {n} steps, {size}", "{file}：{n} 步，{size}"),
    "record.svg": ("{dir}: {n} SVG screenshot(s)", "{dir}：{n} 张 SVG 截图"),
    "new.done": ("{path}: a 3-step lesson '{id}'; check it with: mmviz check {path}",
                 "{path}：一个 3 步的课程 '{id}'；检查它：mmviz check {path}"),
    "schema.done": ("{path}: the lesson schema (JSON Schema draft-07)",
                    "{path}：课程文件的 JSON Schema（draft-07）"),
    "config.file": ("config file: {path}", "配置文件：{path}"),
    "config.none": (" (not there: every default applies)", "（不存在：全部取默认值）"),
    "config.exists": ("{path}: exists; left as it is", "{path}：已存在，保持原样"),
    "config.written": ("{path}: written (every line commented out)", "{path}：已写入（每一行都是注释）"),
    "config.bound": ("  -> {keys} (config)", "  -> {keys}（配置文件）"),
    "quiz.score": ("score: {right}/{total}", "得分：{right}/{total}"),
    "quiz.translate": ("translate {vaddr}", "翻译 {vaddr}"),
    "lessons.steps": ("steps", "步数"), "lessons.broken": ("(not runnable: {why})", "（无法运行：{why}）"),
    "run.failed": ("{where}: step {n} ({title}) failed: {fact} expected {expected}, got {actual}",
                   "{where}：第 {n} 步（{title}）检查未通过：{fact} 应为 {expected}，实际是 {actual}"),
    # boot --dmesg: the comparison's frame (the log's lines stay as printed)
    "boot.machine": ("Machine: kernel {rel}, {pae}, {cpus} CPU(s), NR_CPUS {nr}, {mb} MB usable RAM",
                     "机器：内核 {rel}，{pae}，{cpus} 个 CPU，NR_CPUS {nr}，可用内存 {mb} MB"),
    "boot.assumed": ("assumed: {what}", "假定：{what}"),
    "boot.equal": ("equal     ", "相同      "), "boot.different": ("different ", "不同      "),
    "boot.missing": ("missing   ", "缺少      "), "boot.ours": ("   mmviz  ", "   mmviz  "),
    "boot.count": ("{equal} of {total} memory lines equal", "{total} 行内存信息中 {equal} 行相同"),
}


def t(lang: str, key: str, **values: Any) -> str:
    """The CLI's string ``key`` in ``lang`` (en, zh), formatted with ``values``."""
    en, zh = WORDS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def cells(text: str) -> int:
    """Terminal cells of ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` cells (left-aligned, or right)."""
    fill = " " * max(0, width - cells(text))
    return fill + text if right else text + fill


# the quiz's page walks ("page fault (not present, error code 0)", "PDE[0x1] at 0x1000 = 0x3")
from scenarios.problems import walk_answer  # noqa: E402,F401


# -- errors: one line, in zh when the user chose zh -----------------------------------------
# (regex on the English message, its Chinese); the values (options, paths, numbers) are kept
_FORMS = (
    (r"a whole number (-?\d+)\.\.(-?\d+)", r"\1..\2 的整数"), (r"a whole number >= (-?\d+)", r">= \1 的整数"),
    (r"a whole number", "整数"),
    (r"a size like 160M, 1G or 4096 \(bytes; K, M, G suffixes\)", "160M、1G 或 4096 这样的大小（字节；可加 K、M、G）"),
    (r"a number of seconds, 0 < s <= 3600", "秒数，0 < s <= 3600"),
    (r"an address like 0xc0100000 \(hex with 0x, or decimal\)", "0xc0100000 这样的地址（0x 开头的十六进制，或十进制）"),
    (r"PADDR=VALUE,\.\.\.", "PADDR=VALUE,..."),
    (r" ?\(e\.g\. ([^)]*)\)", r"（例如 \1）"), (r", got ", "，得到的是 "),
    (r"('[^']*'): the file name must end in (\S+) or (\S+)", r"\1：文件名必须以 \2 或 \3 结尾"),
    (r"('[^']*'): the file name must end in (\S+)", r"\1：文件名必须以 \2 结尾"),
    (r"is a file; give a folder \(one SVG per step is written into it\)", "是一个文件；请给出文件夹（每一步写一张 SVG）"),
    (r"looks like a file name; give a folder \(for one animated SVG use -o FILE\.svg\)",
     "像是文件名；请给出文件夹（要一个动画 SVG 请用 -o FILE.svg）"),
    (r"is outside the 32-bit address space", "超出了 32 位地址空间"),
    (r"PADDR must be below 2\^36 and VALUE below 2\^64", "PADDR 必须小于 2^36，VALUE 必须小于 2^64"),
)
_MESSAGES = (
    (r"argument (\S+): expected (.*)", r"参数 \1：应为 \2"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"参数 \1：无效的值 \2（可选：\3）"),
    (r"argument (\S+): expected one argument", r"参数 \1：需要一个值"),
    (r"argument (\S+): (.*)", r"参数 \1：\2"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"(\S+) does not apply to this command \((.*)\)", r"\1 不适用于这个命令（\2）"),
    (r"--step needs --lesson \(the step of which lesson\?\)", "--step 需要 --lesson（哪个课程的第几步？）"),
    (r"--step must be 0\.\.(\d+)(.*)", r"--step 必须在 0..\1 之间"),
    (r"--step needs --svg", "--step 需要 --svg"),
    (r"give -o FILE\.cast and/or --svg DIR", "请给出 -o FILE.cast 和/或 --svg DIR"),
    (r"needs --cr3, --mem PADDR=VALUE,\.\.\. and --vaddr", "需要 --cr3、--mem PADDR=VALUE,... 和 --vaddr"),
    (r"('.*') is not an address \(try 0xc0100000\)", r"\1 不是地址（例如 0xc0100000）"),
    (r"(\S+) is outside the 32-bit address space", r"\1 超出了 32 位地址空间"),
    (r"the TUI is not available here; add --text", "这里无法启动 TUI；请加 --text"),
    (r"--lessons (.*): not a folder", r"--lessons \1：不是文件夹"),
    (r"(.*) exists \(add --force to overwrite it\)", r"\1 已存在（加 --force 覆盖）"),
    (r"(.*) is not a folder", r"\1 不是文件夹"),
    (r"('.*') is not a lesson id \(lower-case letters, digits, - or _\)", r"\1 不是课程 id（小写字母、数字、- 或 _）"),
    (r"(.*): no such lesson \(see: mmviz lessons\)", r"\1：没有这个课程（见 mmviz lessons）"),
    (r"(.*): no such file in this machine's /proc \(try (.*)\)", r"\1：这台机器的 /proc 里没有这个文件（可试 \2）"),
    (r"(.*): No such file or directory", r"\1：没有这个文件或目录"),
    (r"(.*): Is a directory", r"\1：是一个目录"), (r"(.*): Not a directory", r"\1：不是目录"),
    (r"(.*): Permission denied", r"\1：权限不够"), (r"(.*): No such directory", r"\1：没有这个目录"),
    # the machine options: the engine's messages (engine.config, engine.layout, engine.swap)
    (r"--ram: (.*) is too small; an i386 kernel needs at least (\S+)", r"--ram：\1 太小；i386 内核至少需要 \2"),
    (r"--ram: (.*) is more than x86-32 can address \(PAE: 36-bit physical addresses, 64G at most\)",
     r"--ram：\1 超出了 x86-32 能寻址的范围（PAE：36 位物理地址，最多 64G）"),
    (r"--ram: (.*) is not a whole number of 4K pages", r"--ram：\1 不是 4K 页的整数倍"),
    (r"--nx: the NX bit exists only in PAE page tables \(add --pae\)", "--nx：只有 PAE 页表才有 NX 位（请加 --pae）"),
    (r"--cpus: must be 1\.\.(\d+) \(CONFIG_NR_CPUS\), got (.*)", r"--cpus：必须在 1..\1 之间（CONFIG_NR_CPUS），得到的是 \2"),
    (r"--vmalloc: a (\d+M) vmalloc reserve leaves (\d+M) of lowmem; the kernel needs far more",
     r"--vmalloc：\1 的 vmalloc 预留只剩下 \2 低端内存；内核需要的远不止这些"),
    (r"--swap: (\S+) is more than one swap area can address: (.*)", r"--swap：\1 超出一个交换区能寻址的大小：\2"),
    (r"--config: unknown build option ('[^']*') \(known: (.*)\)", r"--config：未知的编译选项 \1（已知：\2）"),
    (r"config: --config ('[^']*'): expected KEY=VALUE \(e\.g\. MEMCG=1\)", r"--config \1：应为 KEY=VALUE（例如 MEMCG=1）"),
    (r"(--[a-z-]+): (.*)", r"\1：\2"),
    (r"internal error: (.*)", r"内部错误：\1"), (r"interrupted", "已中断"),
)


def error_zh(line: str) -> str:
    """One error line of the CLI (``mmviz CMD: message``) in Chinese where a pattern knows
    it; an engine message inside is translated as the app translates it (widgets.error_text)."""
    head, sep, msg = line.partition(": ")
    if not sep or not head.startswith("mmviz"):
        head, msg = "", line
    for pattern, zh in _MESSAGES:
        found = re.fullmatch(pattern, msg, flags=re.S)
        if found:
            msg = found.expand(zh)
            break
    else:
        from widgets.error_text import message_zh
        msg = message_zh("ConfigError", msg)
    for pattern, zh in _FORMS:
        msg = re.sub(pattern, zh, msg)
    return f"{head}：{msg}" if head else msg
