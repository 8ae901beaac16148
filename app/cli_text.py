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

from .lesson_errors_zh import _CJK_SPACE, STRERROR     # the OS's reasons, as a lesson's problems word them

WORDS: dict[str, tuple[str, str]] = {
    # layout (and the default machine without a terminal)
    "machine": ("Machine: {ram} MB RAM, {pae}, kernel {kernel}, {alloc}, {cpus} CPU(s), NR_CPUS {nr}",
                "机器：{ram} MB 内存，{pae}，内核 {kernel}，{alloc}，{cpus} 个 CPU，NR_CPUS {nr}"),
    "pae": ("PAE", "PAE"), "nopae": ("non-PAE", "非 PAE"),
    "unused": ("(non-PAE: page tables reach physical addresses below 4 GB only; the {unused} MB of RAM "
               "at or above 4 GB are not used: --pae uses them)",
               "（非 PAE：页表只能映射 4 GB 以下的物理地址；4 GB 及以上的 {unused} MB 内存用不上：加 --pae 才能用）"),
    "unused_pae": ("(PAE: 36-bit physical addresses reach 64 GB; the {unused} MB of RAM at or above 64 GB "
                   "are not used: max_arch_pfn caps last_pfn)",
                   "（PAE：36 位物理地址只到 64 GB；64 GB 及以上的 {unused} MB 内存用不上：last_pfn 被 max_arch_pfn 截断）"),
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
    "w.cea": ("simplified: mmviz does not map the cpu_entry_area; a real kernel maps its pages here "
              "(setup_cpu_entry_areas(): the read-only IDT, each CPU's GDT, entry stack and TSS)",
              "简化：mmviz 不映射 cpu_entry_area；真实内核在这里映射它的页"
              "（setup_cpu_entry_areas()：只读的 IDT，以及每个 CPU 的 GDT、入口栈和 TSS）"),
    "w.size": ("{n}{unit} page", "{n}{unit} 页"),
    # check, record, new, schema, config, quiz, lessons, run
    "check.ok": ("{path}: ok ({id}, {steps})", "{path}：通过（{id}，{steps}）"),
    "record.cast": ("{file}: {n} steps, {size}", "{file}：{n} 步，{size}"),
    "record.svg": ("{dir}: {n} SVG screenshot(s)", "{dir}：{n} 张 SVG 截图"),
    "new.done": ("{path}: a 3-step lesson '{id}'; check it with: mmviz check {path}; check its expects "
                 "on the engine with: mmviz run {path} --text",
                 "{path}：一个 3 步的课程 '{id}'；检查它：mmviz check {path}；在引擎上核对它的 expect："
                 "mmviz run {path} --text"),
    "schema.done": ("{path}: the lesson schema (JSON Schema draft-07)",
                    "{path}：课程文件的 JSON Schema（draft-07）"),
    "config.file": ("config file: {path}", "配置文件：{path}"),
    "config.none": (" (not there: every default applies)", "（不存在：全部取默认值）"),
    "config.exists": ("{path}: exists; left as it is", "{path}：已存在，保持原样"),
    "config.written": ("{path}: written (every line commented out)", "{path}：已写入（每一行都是注释）"),
    "config.bound": ("  -> {keys} (config)", "  -> {keys}（配置文件）"),
    "quiz.score": ("score: {right}/{total}", "得分：{right}/{total}"),
    "quiz.eof": ("end of input: {asked} of {total} questions answered",
                 "输入结束：{total} 道题中回答了 {asked} 道"),
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


# boot --dmesg: what mmviz assumed and why a line differs (engine/dmesg.py), phrase by phrase;
# the log's own words inside quotes and the kernel's identifiers stay
BOOT_ZH = (
    (r"kernel version: no 'Linux version' line, (\S+) read from BOOT_IMAGE",
     r"内核版本：没有 'Linux version' 这一行，\1 取自 BOOT_IMAGE"),
    (r"kernel version: no 'Linux version' line, (\S+) assumed \(--kernel RELEASE gives it\)",
     r"内核版本：没有 'Linux version' 这一行，假定为 \1（--kernel RELEASE 可以指定）"),
    (r"kernel version: the log's formats are older than 6\.1's \((.+)\): its lines will differ unless "
     r"--kernel gives its release", r"内核版本：日志的格式比 6.1 的旧（\1）：除非用 --kernel 指定它的版本，"
     r"这些行都会不同"),
    (r"e820: no firmware map in the log, QEMU's map for (\d+K) of RAM assumed: the size whose pages give the "
     r"Memory line's total \((\d+k)\)", r"e820：日志里没有固件内存图，假定为 \1 内存的 QEMU 内存图：这个大小的页数"
     r"正好给出 Memory 行的总数（\2）"),
    (r"e820: no firmware map in the log, and no RAM size of QEMU's map gives the Memory line's total "
     r"\((\d+k)\): 160M assumed", r"e820：日志里没有固件内存图，也没有哪个 QEMU 内存图的内存大小能给出 Memory "
     r"行的总数（\1）：假定为 160M"),
    (r"kernel version: the 'Linux version' line names no release \((.+)\), (\S+) assumed \(--kernel RELEASE "
     r"gives it\)", r"内核版本：'Linux version' 这一行没有写出版本（\1），假定为 \2（--kernel RELEASE 可以指定）"),
    (r"e820: no firmware map in the log, QEMU's map for the RAM size assumed",
     "e820：日志里没有固件内存图，按内存大小假定为 QEMU 的内存图"),
    (r"PAE: no max_arch_pfn or pkmap line, non-PAE assumed",
     "PAE：没有 max_arch_pfn 或 pkmap 这一行，假定为非 PAE"),
    (r"PAE: no max_arch_pfn or pkmap line, PAE assumed",
     "PAE：没有 max_arch_pfn 或 pkmap 这一行，假定为 PAE"),
    (r"command line: no 'Kernel command line' line, no mem=, memmap=, highmem= or vmalloc= assumed",
     "命令行：没有 'Kernel command line' 这一行，假定没有 mem=、memmap=、highmem= 或 vmalloc="),
    (r"boots: the log holds (\d+) boots; the last one is read",
     r"启动：日志里有 \1 次启动；读取最后一次"),
    (r"CONFIG_NR_CPUS: no setup_percpu line, the flavour's default assumed",
     "CONFIG_NR_CPUS：没有 setup_percpu 这一行，假定为该版本模型的默认值"),
    (r"CPUs: none counted in the log, 1 assumed", "CPU：日志里数不出 CPU，假定为 1 个"),
    (r"initrd: the log unpacks an initramfs but gives no size; none assumed \(initrd= sets it\)",
     "initrd：日志解开了 initramfs，却没有给出大小；假定没有（initrd= 可以指定）"),
    (r"initrd: no RAMDISK or 'Freeing initrd memory' line; none assumed \(initrd= sets it\)",
     "initrd：没有 RAMDISK 或 'Freeing initrd memory' 这一行；假定没有（initrd= 可以指定）"),
    (r"kernel image: no 'Memory:' line or layout block, the flavour's sizes assumed",
     "内核映像：没有 'Memory:' 这一行或布局段，假定为该版本模型的大小"),
    (r"sizeof\(struct page\): (\d+), the size whose memmap gives the log's Total pages",
     r"sizeof(struct page)：\1，这个大小的 memmap 才给出日志里的 Total pages"),
    (r"real - mmviz: free (\S+), reserved (\S+)", r"真实 - mmviz：free \1，reserved \2"),
    (r"free/reserved differ", "free/reserved 不同"),
    (r"initrd size not in the log \(a RAMDISK or 'Freeing initrd memory' line, or initrd=, gives it\)",
     "日志里没有 initrd 的大小（RAMDISK 或 'Freeing initrd memory' 这一行，或 initrd=，可以给出）"),
    (r"a CONFIG_MEMCG build reserves (\d+k) of page_cgroup, the log has no 'allocated \.\.\. page_cgroup' "
     r"line \(config MEMCG=y\)", r"CONFIG_MEMCG 的内核为 page_cgroup 预留 \1，日志里没有 'allocated ... "
     r"page_cgroup' 这一行（config MEMCG=y）"),
    (r"a CONFIG_KFENCE build reserves a (\d+k) pool, the log has no kfence line \(config KFENCE=y\)",
     r"CONFIG_KFENCE 的内核预留 \1 的池，日志里没有 kfence 这一行（config KFENCE=y）"),
    (r"no 'initial memory mapped' line: head_32\.S's page tables in \.brk are the flavour's",
     "没有 'initial memory mapped' 这一行：head_32.S 放在 .brk 里的页表取该版本模型的"),
    (r"the image's sections the log does not print \(\.bss before 2\.6\.3x's early reservation list; "
     r"__bug_table/\.vvar before __init_begin, \.data_nosave after \.smp_locks\) are the flavour's",
     "日志没有打印的映像各段（2.6.3x 早期保留列表之前的 .bss；__init_begin 之前的 __bug_table/.vvar、"
     ".smp_locks 之后的 .data_nosave）取该版本模型的大小"),
    (r"no 'PERCPU: Embedded' line in the log: the per-CPU first chunk is the flavour's \(the line gives "
     r"its pages per CPU\)",
     "日志里没有 'PERCPU: Embedded' 这一行：每 CPU 的第一块取该版本模型的大小（这一行会给出每个 CPU 的页数）"),
    (r"the per-CPU areas are the flavour's: (\S+) prints no 'PERCPU:' line \(PERCPU_ENOUGH_ROOM: "
     r"System\.map's __per_cpu_end - __per_cpu_start \+ 8K\)",
     r"每 CPU 区取该版本模型的大小：\1 不打印 'PERCPU:' 这一行（PERCPU_ENOUGH_ROOM："
     r"System.map 的 __per_cpu_end - __per_cpu_start + 8K）"),
    (r"mmviz leaves (\d+) pages on per-CPU lists \(free_hot_cold_page of each single page "
     r"free_all_bootmem_core frees, engine\.bootmem places the allocations\); the real count follows "
     r"where each one ends inside a 32-page bitmap word",
     r"mmviz 在每 CPU 链表上留下 \1 页（free_all_bootmem_core 逐页释放时的 free_hot_cold_page，各分配的"
     r"位置由 engine.bootmem 决定）；真实的数目取决于每个分配在 32 页位图字中的结束位置"),
    (r"mmviz prints no line of this shape for this machine", "mmviz 对这台机器不打印这种形式的行"),
    (r"hash sizes follow lowmem; the kernel's hashdist/boot options may differ",
     "哈希表大小随低端内存而定；内核的 hashdist 和启动参数可能不同"),
    (r"Total pages depends on sizeof\(struct page\) \(debug options enlarge it\)",
     "Total pages 取决于 sizeof(struct page)（调试选项会让它变大）"),
    (r"the memmap and present pages depend on sizeof\(struct page\)",
     "memmap 和 present 页数取决于 sizeof(struct page)"),
    (r"the log's lowmem or HighMem ends elsewhere \(its zone, LOWMEM or low ram lines\): they follow mem=, "
     r"highmem=, vmalloc=, the release and the build \(fixmap, NR_CPUS, VMALLOC_RESERVE\), one of which is not "
     r"what mmviz read from the log",
     "日志里的低端内存或高端内存在别处结束（见它的 zone、LOWMEM 或 low ram 行）：它们取决于 mem=、highmem=、"
     "vmalloc=、内核版本和编译配置（fixmap、NR_CPUS、VMALLOC_RESERVE），其中有一项不是 mmviz 从日志里读到的那样"),
    (r"free and reserved equal", "free 和 reserved 相同"),
    (r"the fixmap size depends on the build's fixmap entries", "fixmap 的大小取决于编译出的 fixmap 项"),
    (r"the sections between _edata and __init_begin are not modelled", "_edata 与 __init_begin 之间的段没有模拟"),
    (r"; ", "；"),
)


def boot_zh(text: str, lang: str) -> str:
    """An assumption or a reason of ``boot --dmesg`` (engine/dmesg.py) in ``lang``."""
    if lang != "zh":
        return text
    for pattern, zh in BOOT_ZH:
        text = re.sub(pattern, zh, text)
    return text


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


# -- errors: one line, in zh when the user chose zh -----------------------------------------
# (regex on the English message, its Chinese); the values (options, paths, numbers) are kept
_FORMS = (
    # --config's kinds (app/cli_config.py)
    (r"(\S+) must be y or n \(a Kconfig bool\)", r"\1 应为 y 或 n（Kconfig 的 bool）"),
    (r"(\S+) must be y, n or a size in kB \(256, or like 7M\)", r"\1 应为 y、n 或以 kB 计的大小（256，或 7M 这样）"),
    (r"(\S+) must be a size in kB \(256, or like 7M\)", r"\1 应为以 kB 计的大小（256，或 7M 这样）"),
    (r"(\S+) must be a size like 16M or 0x1000000", r"\1 应为 16M 或 0x1000000 这样的大小"),
    (r"(\S+) must be one of (.*), got ", r"\1 应为以下之一：\2，得到的是 "),
    (r"(\S+) must be a whole number (-?\d+)\.\.(-?\d+)", r"\1 应为 \2..\3 的整数"),
    (r"(\S+) must be a physical address like ([0-9a-fx]+)", r"\1 应为 \2 这样的物理地址"),
    (r"expected KEY=VALUE \(e\.g\. (\S+)\)", r"应为 KEY=VALUE（例如 \1）"),
    (r"\b([Tt]rue) or ([Ff]alse)\b", r"\1 或 \2"), (r"a size in kB \(or like ('7M')\)", r"以 kB 计的大小（或 \1 这样）"),
    (r"a whole number (-?\d+)\.\.(-?\d+)", r"\1..\2 的整数"), (r"a whole number >= (-?\d+)", r">= \1 的整数"),
    (r"a whole number", "整数"), (r"a size of at most (\S+)", r"不超过 \1 的大小"),
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
    # a decimal with a leading 0 (app/cli_types.py octal_hint; the lesson's form: app/lesson_errors_zh.py)
    (r"(\w+): ('[^']*') starts with 0", r"\1：\2 starts with 0"),
    (r"('[^']*') starts with 0, which C reads as octal: write (0o[0-7]+) or (\d+) for octal, (\d+) for decimal",
     r"\1 以 0 开头，C 会把它当作八进制：八进制写 \2 或 \3，十进制写 \4"),
    (r"('[^']*') starts with 0, which C reads as octal: write (\d+\S*) for octal, (\d+\S*) for decimal",
     r"\1 以 0 开头，C 会把它当作八进制：八进制写 \2，十进制写 \3"),
    (r"('[^']*') starts with 0, which C reads as octal: write (\d+\S*)", r"\1 以 0 开头，C 会把它当作八进制：请写 \2"),
    (r"PADDR must be below 2\^36 and VALUE below 2\^64", "PADDR 必须小于 2^36，VALUE 必须小于 2^64"),
    (r"\bnon-PAE\b", "非 PAE"),                 # --swap's "Linux 6.1 non-PAE swap entries"
    # the OS's reasons (strerror) wherever they end a message: "无法读取课程：没有这个文件或目录"
    *((re.escape(en), zh) for en, zh in STRERROR.items()),
)
# "--ram: ...", "--initrd 4G: ...", "dmesg.txt: ...": where the engine's message (after it) came from
ENGINE_AT = re.compile(r"(?P<at>--[a-z][-a-z]*(?: \S+)?|-|[^\s:]*[/.][^\s:]*): (?P<msg>.+)", re.S)
CJK_SPACE = _CJK_SPACE     # "应为 整数" -> "应为整数"
_MESSAGES = (
    (r"argument --kernel: ('.*') is not a kernel mmviz models: give 2\.6, 6\.1 or a release (\S+) \.\. (\S+) "
     r"\(e\.g\. (.*)\)", r"参数 --kernel：\1 不是 mmviz 模拟的内核：请给 2.6、6.1 或 \2 .. \3 之间的版本（例如 \4）"),
    (r"(/proc/self/\w+): no process is running \(the CPU is in the kernel\); name one, e\.g\. (\S+)",
     r"\1：没有正在运行的进程（CPU 在内核里）；请指明一个，例如 \2"),
    (r"(/proc/\S+): no such process", r"\1：没有这个进程"),
    (r"(.*): no memory line of a boot log in it \(BIOS-e820, Zone ranges, Memory: \.\.\.\): nothing to compare",
     r"\1：其中没有启动日志的内存信息行（BIOS-e820、Zone ranges、Memory: 等），无可比较"),
    (r"no such lesson ('.*'); lessons: (.*)", r"没有课程 \1；课程有：\2"),
    (r"argument (\S+): expected one argument", r"参数 \1：需要一个值"),
    (r"argument (\S+): expected (.*)", r"参数 \1：应为 \2"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"参数 \1：无效的值 \2（可选：\3）"),
    (r"argument (\S+): (.*)", r"参数 \1：\2"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"(\S+) does not apply to this command \((.*) --help lists its options\)",
     r"\1 不适用于这个命令（\2 --help 列出它的选项）"),
    (r"(.*) cannot be used with a lesson: (\S+) boots its own machine \((.*)\) and its steps are checked "
     r"on it \(for a machine of your choice: (.*)\)",
     r"\1 不能和课程一起用：\2 启动它自己的机器（\3），每一步都在这台机器上检查（要用自选的机器：\4）"),
    (r"--step needs --lesson \(the step of which lesson\?\)", "--step 需要 --lesson（哪个课程的第几步？）"),
    (r"--step must be 0\.\.(\d+)(.*)", r"--step 必须在 0..\1 之间"),
    (r"--step needs --svg", "--step 需要 --svg"),
    (r"give -o FILE\.cast and/or --svg DIR", "请给出 -o FILE.cast 和/或 --svg DIR"),
    (r"exercise needs --cr3, --mem PADDR=VALUE,\.\.\. and --vaddr", "exercise 需要 --cr3、--mem PADDR=VALUE,... 和 --vaddr"),
    (r"--mem: (0x[0-9a-f]+=0x[0-9a-f]+): 32-bit paging: PADDR and VALUE below 2\^32 \(--pae for PAE's 8-byte entries\)",
     r"--mem：\1：32 位分页：PADDR 和 VALUE 都必须小于 2^32（PAE 的 8 字节项请加 --pae）"),
    (r"--mem: (0x[0-9a-f]+=0x[0-9a-f]+): PAE entries are 8 bytes: PADDR below 2\^36, VALUE below 2\^64",
     r"--mem：\1：PAE 项是 8 字节：PADDR 必须小于 2^36，VALUE 必须小于 2^64"),
    # quiz --ram (app/cli_commands.py cmd_quiz; scenarios.problems.ProblemError): the kernel's line as printed
    (r"--ram is for the kinds that boot a machine \((.*)\); (\S+) boots none",
     r"--ram 只用于启动一台机器的题型（\1）；\2 不启动机器"),
    (r"--pae: walk is the 10/10/12 walk; quiz walk-pae is the PAE one \(2/9/9/12\)",
     r"--pae：walk 是 10/10/12 的页表遍历；PAE 的是 quiz walk-pae（2/9/9/12）"),
    (r"(\S+) on a (\S+(?: PAE)?) machine: (\S+) fails: (.*) \(give more RAM; the default is (\S+)\)",
     r"\1 题在 \2 内存的机器上：\3 失败：\4（请给更多内存；默认是 \5）"),
    (r"('.*') is not an address \(try 0xc0100000\)", r"\1 不是地址（例如 0xc0100000）"),
    (r"(\S+) is outside the 32-bit address space", r"\1 超出了 32 位地址空间"),
    (r"the TUI is not available here; add --text", "这里无法启动 TUI；请加 --text"),
    (r"--lessons (.*): not a folder", r"--lessons \1：不是文件夹"),
    (r"(.*) exists \(add --force to overwrite it\)", r"\1 已存在（加 --force 覆盖）"),
    (r"('[^']*') is a bundled lesson's id; give yours another", r"\1 是自带课程的 id；请给你的课程另取一个"),
    (r"(.*) is not a folder", r"\1 不是文件夹"),
    (r"('.*'): ('[^']*') is not a lesson id \(lower-case letters, digits, - or _\)",
     r"\1：\2 不是课程 id（小写字母、数字、- 或 _）"),
    (r"('.*') is not a lesson id \(lower-case letters, digits, - or _\)", r"\1 不是课程 id（小写字母、数字、- 或 _）"),
    (r"(.*): no such lesson \(see: mmviz lessons\)", r"\1：没有这个课程（见 mmviz lessons）"),
    *((rf"(.*): {re.escape(en)}", rf"\1：{zh}") for en, zh in STRERROR.items()),   # the OS's reason
    (r"(.*): No such directory", r"\1：没有这个目录"),                                # app/record.py's
    # the machine options whose line is not the engine's message after the option: --nx's hint
    # names the option (the engine's: pae=True), --cpus's has no key; the others are the
    # engine's, translated by app.lesson_errors_zh (error_zh: ENGINE_AT)
    (r"--nx: the NX bit exists only in PAE page tables \(add --pae\)", "--nx：只有 PAE 页表才有 NX 位（请加 --pae）"),
    (r"--cpus: must be 1\.\.(\d+) \(CONFIG_NR_CPUS\), got (.*)", r"--cpus：必须在 1..\1 之间（CONFIG_NR_CPUS），得到的是 \2"),
    (r"--size: expected COLSxROWS like 120x40, got (.*)", r"--size：应为 120x40 这样的 列x行，得到的是 \1"),
    (r"--size: (\S+) is outside (\S+) \.\. (\S+) \(mmviz needs at least (\S+)\)",
     r"--size：\1 不在 \2 .. \3 之内（mmviz 至少需要 \4）"),
    (r"TEXTUAL_COLOR_SYSTEM=(.*) is not one of (.*)", r"TEXTUAL_COLOR_SYSTEM=\1 不是以下之一：\2"),
    # Textual's other environment variables (app/environment.py)
    (r"(TEXTUAL_DIM_FACTOR=.*) is more than 100 \(a percentage: 0 hides dim text, 100 does not dim it\)",
     r"\1 大于 100（这是百分比：0 让 dim 文字看不见，100 不变暗）"),
    (r"(TEXTUAL_DRIVER=.*) is not a Textual driver \(module:Class\): No module named (.*)",
     r"\1 不是 Textual 的驱动（module:Class）：没有名为 \2 的模块"),
    (r"(TEXTUAL_DRIVER=.*) is not a Textual driver \(module:Class\): (.*)", r"\1 不是 Textual 的驱动（module:Class）：\2"),
    (r"(TEXTUAL_DRIVER=.*) is not a Textual driver \(module:Class\)", r"\1 不是 Textual 的驱动（module:Class）"),
    (r"(TEXTUAL_SCREENSHOT=.*): the delay must be at least 1 second", r"\1：延时至少要 1 秒"),
    (r"(TEXTUAL_\w+=.*): no such folder (.*)", r"\1：没有文件夹 \2"),
    (r"(TEXTUAL_\w+=.*): the folder (.*) is not writable", r"\1：文件夹 \2 不可写"),
    (r"(TEXTUAL_LOG=.*) is a folder, not a file", r"\1 是文件夹，不是文件"),
    (r"needs textual-serve: pip install 'mmviz\[web\]'", "需要 textual-serve：pip install 'mmviz[web]'"),
    (r"lang must be one of (.*), not (.*)", r"lang 必须是 \1 之一，而不是 \2"),
    (r"internal error: the app stopped \(exit status (\d+)\)(?:; details in (.*))?",
     r"内部错误：应用已停止（退出状态 \1）；详情见 \2"),
    (r"internal error: (\w+): (.*) \(details in (.*)\)", r"内部错误：\1：\2（详情见 \3）"),
    # the config file (app/config.py): path:line: message
    (r"(.*): cannot read the config file: (.*)", r"\1：无法读取配置文件：\2"),
    (r"(.*): bad TOML: (.*) \(column (\d+)\)", r"\1：TOML 有误：\2（第 \3 列）"),
    (r"(.*): unknown setting ('[^']*') \(known: (.*)\)", r"\1：未知的设置 \2（已知：\3）"),
    (r"(.*): theme ('[^']*') is not one of (.*)", r"\1：主题 \2 不是以下之一：\3"),
    (r"(.*): lang must be \"en\" or \"zh\"", r'\1：lang 必须是 "en" 或 "zh"'),
    (r"(.*): autoplay_speed must be one of (.*)", r"\1：autoplay_speed 必须是以下之一：\2"),
    (r"(.*): lessons must be a folder or a list of folders", r"\1：lessons 必须是文件夹或文件夹列表"),
    (r"(.*): lessons: (.*): not a folder", r"\1：lessons：\2：不是文件夹"),
    (r"(.*): record must be a table \(\[record\] size = \"160x48\"\)", r'\1：record 必须是表（[record] size = "160x48"）'),
    (r"(.*): unknown setting record\.(\S+) \(known: size\)", r"\1：未知的设置 record.\2（已知：size）"),
    (r"(.*): record\.size: --size: (.*)", r"\1：record.size：\2"),
    (r"(.*): keymap must be a table \(\[keymap\] step = \"right,n\"\)", r'\1：keymap 必须是表（[keymap] step = "right,n"）'),
    (r"(.*): unknown binding id ('[^']*') \(did you mean ('[^']*')\?\)", r"\1：未知的按键 id \2（是不是 \3？）"),
    (r"(.*): unknown binding id ('[^']*')", r"\1：未知的按键 id \2"),
    (r"(.*): keymap\.(\S+) must be keys separated by commas, like \"right,n\"",
     r'\1：keymap.\2 必须是用逗号分隔的按键，例如 "right,n"'),
    (r"(--[a-z-]+): (.*)", r"\1：\2"),
    (r"internal error: (.*)", r"内部错误：\1"), (r"interrupted", "已中断"),
)


def error_zh(line: str) -> str:
    """One error line of the CLI (``mmviz CMD: message``) in Chinese where a pattern knows
    it.  The engine's message after an option or a file (``--ram: ...``, ``dmesg.txt: ...``)
    or alone is translated by the table of a lesson's problems (app.lesson_errors_zh: the
    same messages reach a lesson's machine), else as the app translates it (widgets.error_text)."""
    from .cli_author import FROM_ENV, IGNORED
    for note, zh_note in ((IGNORED, "（已忽略配置文件；不用它检查课程）"),
                          (FROM_ENV, "（MMVIZ_CONFIG 指定的配置文件）")):
        if line.endswith(" " + note):            # a config file error's notes
            return error_zh(line[:-len(note) - 1]) + zh_note
    head, sep, msg = line.partition(": ")
    lesson = False
    at = ENGINE_AT.fullmatch(msg) if sep and head.startswith("mmviz") else None
    if at is not None:                           # an option or a file, then the engine's message
        from .lesson_errors_zh import problem_zh
        found = problem_zh(at["msg"])
        if found is not None:
            return f"{head}：{at['at']}：{found}"
    if sep and head.partition(" ")[0] == "mmviz":   # mmviz [CMD]: path:line: a problem of a file
        from .lesson_errors_zh import lesson_line_zh
        found = lesson_line_zh(msg)
        if found is not None:
            return f"{head}：{found}"
    if not sep or not head.startswith("mmviz"):
        head, msg = "", line
        from .lesson_errors_zh import LINE, lesson_line_zh   # a lesson's problem: path:line: message
        lesson_zh = lesson_line_zh(line)
        if lesson_zh is not None:
            return lesson_zh
        lesson = LINE.fullmatch(line) is not None
    for pattern, zh in _MESSAGES:
        found = re.fullmatch(pattern, msg, flags=re.S)
        if found:
            msg = found.expand(zh)
            break
    else:
        if lesson:                  # whole or nothing: no half-translated lesson problem
            return line
        from .lesson_errors_zh import problem_zh
        from widgets.error_text import message_zh
        msg = problem_zh(msg) or message_zh("ConfigError", msg)     # mmviz: ram: ... (the engine's)
    for pattern, zh in _FORMS:
        msg = re.sub(pattern, zh, msg)
    msg = CJK_SPACE.sub("", msg)
    return f"{head}：{msg}" if head else msg
