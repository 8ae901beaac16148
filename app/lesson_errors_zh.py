"""A lesson's problems in Chinese: what ``mmviz check`` (and run, record, lessons) prints
for a lesson file that does not load, ``path:line: message`` or ``path:line:col: message``
(scenarios/loader.py and its validators, the expression parser, the engine's checks of a
machine and of arguments, tomllib's syntax errors).

Whole or nothing: a message is translated only when every part of it has a pattern here
(a message inside a message -- ``bad argument gfp: unknown GFP flag ...`` -- is translated
on its own); otherwise it stays in English exactly as the loader wrote it.  The values stay
as written: paths, line numbers, quoted names, numbers, TOML keys and the kernel's
identifiers (GFP_KERNEL, MAX_ORDER, kmalloc-64).

    lesson_line_zh("a.toml:9: bad argument order: order must be 0..10 (MAX_ORDER is 11), got 12")
        -> "a.toml:9：参数 order 有误：order 必须在 0..10 之间（MAX_ORDER 为 11），得到的是 12"
"""
from __future__ import annotations

import re
from typing import Any

LINE = re.compile(r"(?P<head>.+?:\d+:(?:\d+:)?) (?P<msg>.*)", re.S)   # path:line[:col]: message
_HINT = re.compile(r" \(did you mean (.+?)\?\)")                      # difflib's suggestion
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
Q = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""                   # a name as repr() quotes it
NEAR = r"((?:（是不是 .+?？）)?)"                                       # the suggestion, after _HINT
NUM = r"(-?(?:0x[0-9a-f]+|\d+))"
VAL = rf"({Q[1:-1]}|-?\d+)"                                           # a setting: quoted, or a number
M = "msg"                                                             # a group that is a message

WHAT = {"title": "标题", "summary": "简介", "narration": "讲解", "deeper note": "深入说明",
        "step title": "步骤标题", "correction": "更正", "kernel banner": "内核横幅",
        "try text": "说明", "question": "问题"}
_WHAT = "(" + "|".join(sorted(WHAT, key=len, reverse=True)) + ")"
STRERROR = {"No such file or directory": "没有这个文件或目录", "Permission denied": "权限不够",
            "Is a directory": "是一个目录", "Not a directory": "不是目录",
            "Too many levels of symbolic links": "符号链接层数过多", "File name too long": "文件名太长",
            "No such device or address": "没有这个设备或地址", "Input/output error": "输入/输出错误"}
UTF8 = {"invalid start byte": "无效的起始字节", "invalid continuation byte": "无效的后续字节",
        "unexpected end of data": "数据意外结束"}
SHLEX = {"No closing quotation": "引号没有闭合", "No escaped character": "转义符后没有字符"}
EXPECTED = {"expected an operator": "应为运算符", "expected an attribute name after '.'": "'.' 后应为属性名",
            "expected ']'": "应为 ']'", "expected ')'": "应为 ')'", "expected a number or a name": "应为数字或名字"}
KINDS = {"a process": "进程", "a map_driver module": "map_driver 模块", "an access record": "访问记录",
         "a page walk": "页表遍历", "a machine": "机器", "a snapshot": "快照", "a cache name": "缓存名",
         "text": "文本", "bytes": "字节串", "nothing": "空值", "the list of a repeat step's results": "重复步骤的结果列表"}
_KINDS = "(" + "|".join(re.escape(k) for k in KINDS) + ")"


def _where(what: str) -> str:
    """Where an expression is: ``argument pfn`` -> 参数 pfn; focus.address, where, expect X as written."""
    return "参数 " + what[len("argument "):] if what.startswith("argument ") else what


def _takes(names: str) -> str:
    return "无参数" if names in ("no arguments", "nothing") else names


def _proc_try(files: str) -> str:
    return files.replace(" or ", " 或 ")


# (regex on the English message, its Chinese with the groups as \1 \2 ...[, how a group is
# translated: M a message of its own, a dict of words, a function]); the first that fits wins
PROBLEMS: tuple[tuple[Any, ...], ...] = (
    # reading the file, its TOML syntax, the lexer's limits (loader.read_lesson_text, source)
    (r"cannot read lesson: it is a directory, not a \.toml file", "无法读取课程：这是目录，不是 .toml 文件"),
    (r"cannot read lesson: not a regular file \(a device, FIFO or socket\)",
     "无法读取课程：不是普通文件（是设备、FIFO 或套接字）"),
    (r"cannot read lesson: not UTF-8 text \((.+) at byte (\d+)\)", r"无法读取课程：不是 UTF-8 文本（第 \2 字节处\1）",
     {1: UTF8}),
    (r"cannot read lesson: (.+)", r"无法读取课程：\1", {1: STRERROR}),
    (r"lesson file too large: (\d+) bytes \(at most (\d+)\)", r"课程文件太大：\1 字节（最多 \2 字节）"),
    (r"lesson file too large: more than (\d+) bytes", r"课程文件太大：超过 \1 字节"),
    (r"bad TOML: (.+)", r"TOML 有误：\1", {1: "toml"}),
    (r"tables nested too deeply \(a key of too many dotted parts\?\)", "表嵌套太深（某个键的点分部分太多？）"),
    (r"nested too deeply: more than (\d+) arrays or inline tables inside each other",
     r"嵌套太深：数组或内联表相互嵌套超过 \1 层"),
    (r"a number with more than (\d+) digits", r"数字超过 \1 位"),
    (r"a key with more than (\d+) dotted parts", r"键的点分部分超过 \1 个"),
    # [lesson] and the tables around it (loader.Validator.run/header/bilingual)
    (r"unknown table \[(.+)\] \(a lesson has \[lesson\] and \[\[step\]\] tables\)",
     r"未知的表 [\1]（课程只有 [lesson] 和 [[step]] 表）"),
    (rf"unknown top-level key {Q} \(put it under \[lesson\] or a \[\[step\]\]\)",
     r"未知的顶层键 \1（请放在 [lesson] 或某个 [[step]] 下）"),
    (r"missing \[lesson\] table \(id, title, summary, machine\)", "缺少 [lesson] 表（id、title、summary、machine）"),
    (r"a lesson needs at least one \[\[step\]\]", "课程至少要有一个 [[step]]"),
    (rf"missing {_WHAT} \((\S+)\.en and \2\.zh\)", r"缺少\1（\2.en 和 \2.zh）", {1: WHAT}),
    (rf"missing (en|zh) {_WHAT} \((\S+)\)", r"缺少 \1 \2（\3）", {2: WHAT}),
    (rf"(en|zh) {_WHAT} too long: (\d+) columns \(at most (\d+); a Chinese character takes two\)",
     r"\1 \2太长：\3 列（最多 \4 列；一个汉字占两列）", {2: WHAT}),
    (rf"zh {_WHAT} has no Chinese character: (\S+)\.zh reads as English \(translate it\)",
     r"zh \1没有一个汉字：\2.zh 读起来是英文（请翻译）", {1: WHAT}),
    (rf"zh {_WHAT} has Japanese kana: (\S+)\.zh reads as Japanese \(write it in Chinese\)",
     r"zh \1含有日文假名：\2.zh 读起来是日文（请用中文写）", {1: WHAT}),
    (r"(do|listing) must be a string \((an operation's name|a listing's name)\), got (.+)",
     r"\1 必须是字符串（\2），得到的是 \3", {2: {"an operation's name": "操作名", "a listing's name": "代码清单名"}}),
    (r"(\S+) must be a table with en and zh texts", r"\1 必须是含 en 和 zh 文本的表"),
    (rf"unknown language {Q} in (\S+) \(use en and zh\)", r"\2 中有未知的语言 \1（请用 en 和 zh）"),
    (rf"unknown key {Q} in \[lesson\]{NEAR}", r"[lesson] 中有未知的键 \1\2"),
    (r"lesson id must be lower-case letters, digits, - or _", "课程 id 只能由小写字母、数字、- 或 _ 组成"),
    (r"machine must be a table \(ram, pae, kernel, \.\.\.\)", "machine 必须是表（ram、pae、kernel 等）"),
    (r"order must be an integer", "order 必须是整数"),
    (rf"unknown machine setting {Q}{NEAR}", r"未知的机器设置 \1\2"),
    (r"bad machine setting (\w+): (.+)", r"机器设置 \1 有误：\2", {2: M}),
    (r"bad machine: (.+)", r"机器配置有误：\1", {1: M}),
    # [lesson] teaching extras (teaching.header)
    (r"requires must be a list of lesson ids", "requires 必须是课程 id 的列表"),
    (r"kernel must be a table with en and zh banners", "kernel 必须是含 en 和 zh 横幅的表"),
    (r"try must be a list of \{ cmd, en, zh \}", "try 必须是 { cmd, en, zh } 的列表"),
    (r"each try needs cmd = \"\.\.\.\" \(a ':' command\) and en/zh texts",
     "每个 try 都需要 cmd = \"...\"（一条 ':' 命令）和 en/zh 文本"),
    (rf"bad try command {Q}: (.+)", r"try 命令 \1 有误：\2", {2: M}),
    # a typed command (explore.command_table, parse_command)
    (r"cannot read the line: (.+)", r"无法读取这一行：\1", {1: SHLEX}),
    (r"type an operation, e\.g\. kmalloc 100 or vmalloc 1M", "请输入一个操作，例如 kmalloc 100 或 vmalloc 1M"),
    (r"too many arguments for (\w+) \(takes: (.+)\)", r"\1 的参数太多（它接受：\2）", {2: _takes}),
    (r"the line is longer than (\d+) characters", r"这一行超过 \1 个字符"),
    (r"not a valid step", "不是有效的步骤"),
    # [[step]] (loader.Validator.step/argument/expression/focus)
    (r"step (\d+) has no 'do' \(the operation to run\)", r"第 \1 步没有 'do'（要执行的操作）"),
    (rf"unknown operation {Q}{NEAR}", r"未知的操作 \1\2"),
    (rf"unknown key {Q} for (\w+) \(takes: (.+?)\){NEAR}", r"\2 没有键 \1（它接受：\3）\4", {3: _takes}),
    (rf"(\w+) needs argument {Q}", r"\1 需要参数 \2"),
    (r"'as' must be a simple name, got (.+)", r"'as' 必须是简单的名字，得到的是 \1"),
    (rf"{Q} is a reserved name", r"\1 是保留的名字"),
    (r"(\w+) returns nothing to name", r"\1 没有返回值可以命名"),
    (r"bad argument (\w+): (.+)", r"参数 \1 有误：\2", {2: M}),
    (r"bad expression in (.+?): (.+)", r"\1 的表达式有误：\2", {1: _where, 2: M}),
    (rf"unknown name {Q} in (.+?){NEAR} \(names come from an earlier step's 'as'\)",
     r"\2 中有未知的名字 \1\3（名字来自前面步骤的 'as'）", {2: _where}),
    (r"focus must be a table like \{ address = \"v\" \}", "focus 必须是 { address = \"v\" } 这样的表"),
    (rf"unknown focus {Q}{NEAR} \(one of (.+)\)", r"未知的 focus \1\2（可选：\3）"),
    (rf"unknown zone {Q}{NEAR} \(one of (.+)\)", r"未知的管理区 \1\2（可选：\3）"),
    (rf"unknown region {Q}{NEAR} \(one of (.+)\)", r"未知的区域 \1\2（可选：\3）"),
    (r"focus\.view must be one of (.+), got (.+)", r"focus.view 必须是 \1 之一，得到的是 \2"),
    (r"focus\.(\w+) must be a name without control characters", r"focus.\1 必须是不含控制字符的名字"),
    (r"focus\.(\w+) must be a number or an expression", r"focus.\1 必须是数字或表达式"),
    # repeat/each steps (validate_repeat)
    (r"too many operations: the lesson would run more than (\d+) \(plain steps and repeat iterations together\)",
     r"操作太多：这个课程会执行超过 \1 个操作（普通步骤和重复迭代合计）"),
    (rf"{Q} needs 'repeat' or 'each'", r"\1 需要 'repeat' 或 'each'"),
    (r"use either 'repeat' or 'each', not both", "'repeat' 和 'each' 只能用一个"),
    (r"repeat must be a positive integer, got (.+)", r"repeat 必须是正整数，得到的是 \1"),
    (r"huge repeat: (\d+) iterations \(at most (\d+)\)", r"repeat 太大：\1 次迭代（最多 \2 次）"),
    (r"'each' must name an earlier repeat step's result, got (.+)", r"'each' 必须是前面某个重复步骤的结果名，得到的是 \1"),
    (r"on_error must be \"stop\" or \"continue\", got (.+)", r'on_error 必须是 "stop" 或 "continue"，得到的是 \1'),
    (r"where must be an expression like \"i & 1\"", "where 必须是 \"i & 1\" 这样的表达式"),
    (r"random must be a table like \{ seed = 3, order = \[0, 3\] \}", "random 必须是 { seed = 3, order = [0, 3] } 这样的表"),
    (r"random needs an integer seed \(random\.seed\)", "random 需要整数种子（random.seed）"),
    (r"random\.sample must be a fraction \(0, 1\] or a count, got (.+)",
     r"random.sample 必须是 (0, 1] 之间的比例或一个次数，得到的是 \1"),
    (r"random\.(\w+) must be \[low, high\] or \{ choice = \[\.\.\.\] \}", r"random.\1 必须是 [low, high] 或 { choice = [...] }"),
    (rf"random\.(\w+): (\w+) has no argument {Q}", r"random.\1：\2 没有参数 \3"),
    (r"random\.(\w+): empty range \[(-?\d+), (-?\d+)\]", r"random.\1：范围 [\2, \3] 为空"),
    (r"random\.(\w+): (.+)", r"random.\1：\2", {2: M}),
    # expect and ask (validate_expects)
    (r"(bad expect|bad ask answer): (.+)", r"\1：\2", {1: {"bad expect": "expect 有误", "bad ask answer": "ask 的答案有误"},
                                                   2: M}),
    (rf"unknown expect {Q}{NEAR}", r"未知的 expect \1\2"),
    (rf"expect {Q} should look like {Q}", r"expect \1 应写成 \2 的形式"),
    (rf"unknown zone {Q} in {Q}{NEAR} \(zones: DMA, Normal, HighMem\)", r"\2 中有未知的管理区 \1\3（管理区：DMA、Normal、HighMem）"),
    (rf"order {Q} in {Q} must be 0\.\.10", r"\2 中的 order \1 必须在 0..10 之间"),
    (rf"unknown zone field {Q} in {Q}{NEAR}", r"\2 中有未知的管理区字段 \1\3"),
    (rf"unknown layout field {Q} in {Q}{NEAR}", r"\2 中有未知的布局字段 \1\3"),
    (rf"unknown paging level {Q} in {Q}{NEAR} \(PDPTE, PDE, PTE\)", r"\2 中有未知的分页层级 \1\3（PDPTE、PDE、PTE）"),
    (rf"bad cache name {Q} in {Q}", r"\2 中的缓存名 \1 有误"),
    (rf"unknown slabinfo column {Q} in {Q}{NEAR}", r"\2 中有未知的 slabinfo 列 \1\3"),
    (rf"bad event name {Q} in {Q}", r"\2 中的事件名 \1 有误"),
    (rf"{Q} does not apply to a repeat/each step", r"\1 不适用于 repeat/each 步骤"),
    (rf"{Q} does not apply to (\w+) \((it returns nothing|no virtual address|no address or frame|no process|"
     r"no page order)\)", r"\1 不适用于 \2（\3）", {3: {"it returns nothing": "它没有返回值", "no virtual address": "没有虚拟地址",
                                                   "no address or frame": "没有地址或页框", "no process": "没有进程",
                                                   "no page order": "没有页的阶"}}),
    (rf"{Q} does not apply to (\w+) \(it returns (\w+)\)", r"\1 不适用于 \2（它返回 \3）"),
    (rf"{Q} applies to free_pages and free_pages_addr only", r"\1 只适用于 free_pages 和 free_pages_addr"),
    (r"expect must be a table like \{ zone = \"Normal\" \}", "expect 必须是 { zone = \"Normal\" } 这样的表"),
    (r"([^\s:]+) must be (true or false|True or False), got (.+)", r"\1 必须是 \2，得到的是 \3",
     {2: {"true or false": "true 或 false", "True or False": "True 或 False"}}),
    (r"(\S+) must be a string, got (.+)", r"\1 必须是字符串，得到的是 \2"),
    (rf"control character in (\S+) {Q} \(expected text is shown as text\)", r"\1 的值 \2 中有控制字符（期望的文本按文本显示）"),
    (r"(\S+) must be a number or an expression, got (.+)", r"\1 必须是数字或表达式，得到的是 \2"),
    (r"ask must be a table with en, zh and answer", "ask 必须是含 en、zh 和 answer 的表"),
    (r"ask needs an answer: the fact the engine computes \(e\.g\. \"merged_to\"\)",
     "ask 需要 answer：由引擎算出的事实（例如 \"merged_to\"）"),
    # a step's teaching extras (teaching.step)
    (r"ask\.choices must be a list of answers", "ask.choices 必须是答案的列表"),
    (r"errata must be a table \{ article, claim, en, zh \} or a list of them",
     "errata 必须是 { article, claim, en, zh } 表或这种表的列表"),
    (rf"unknown key {Q} in errata \(article, claim, en, zh\)", r"errata 中有未知的键 \1（article、claim、en、zh）"),
    (r"errata article must be one of (.+), got (.+)", r"errata 的 article 必须是 \1 之一，得到的是 \2"),
    (r"errata needs the article's claim \(claim = \"\.\.\.\"\)", "errata 需要文章的原话（claim = \"...\"）"),
    (rf"unknown listing {Q} \(one of (.+)\)", r"未知的 listing \1（可选：\2）"),
    # argument values (validate_args: what the engine would refuse)
    (r'expected a size like ("?)160M\1, got (.+)', r"应为 \1160M\1 这样的大小，得到的是 \2"),
    (rf"{Q}(\.\.\.)? is not a size \(try 160M, 1G, 4096\)", r"\1\2 不是大小（例如 160M、1G、4096）"),
    (rf"{Q} is far too large", r"\1 太大了"),
    (r"must not be negative", "不能为负"),
    (r"expected a GFP mask like \"GFP_KERNEL\", got (.+)", r'应为 "GFP_KERNEL" 这样的 GFP 掩码，得到的是 \1'),
    (rf"unknown GFP flag {Q} for the (\S+) kernel{NEAR}", r"\2 内核没有 GFP 标志 \1\3"),
    (rf"bad GFP mask {Q}", r"GFP 掩码 \1 有误"),
    (r"__GFP_HIGHMEM is not allowed \(highmem pages have no kernel address\)", "不允许 __GFP_HIGHMEM（高端内存页没有内核地址）"),
    (r"expected mmap flags like \"private\|anonymous\", got (.+)", r'应为 "private|anonymous" 这样的 mmap 标志，得到的是 \1'),
    (r"unknown flag\(s\) (.+) \(use private\|shared, anonymous, fixed\)", r"未知的标志 \1（请用 private|shared、anonymous、fixed）"),
    (r"exactly one of private or shared is required", "private 和 shared 必须有且只有一个"),
    (r"expected a protection like \"rw-\" or \"r-x\", got (.+)", r'应为 "rw-" 或 "r-x" 这样的权限，得到的是 \1'),
    (r"(.+): no such file in this machine's /proc \(try (.+)\)", r"\1：这台机器的 /proc 里没有这个文件（可试 \2）",
     {2: _proc_try}),
    (r"expected a string, got (.+)", r"应为字符串，得到的是 \1"),
    (rf"control character in (\w+) {Q} \(names are shown as text\)", r"\1 的值 \2 中有控制字符（名字按文本显示）"),
    (rf"bad cache name {Q} \(1\.\.64 characters, no spaces\)", r"缓存名 \1 有误（1..64 个字符，不含空格）"),
    (r"order must be 0\.\.(\d+) \(MAX_ORDER is (\d+)\), got (.+)", r"order 必须在 0..\1 之间（MAX_ORDER 为 \2），得到的是 \3"),
    (rf"(\w+) {NUM} is outside the 32-bit address space", r"\1 \2 超出了 32 位地址空间"),
    (rf"address {NUM} must be page aligned", r"地址 \1 必须按页对齐"),
    (r"(\w+) must not be negative, got (.+)", r"\1 不能为负，得到的是 \2"),
    (r"pid must be a positive number, got (.+)", r"pid 必须是正数，得到的是 \1"),
    (rf"delta {NUM} does not fit a 32-bit long", r"delta \1 超出了 32 位 long 的范围"),
    (rf"(\w+) {NUM} does not fit a 32-bit size_t", r"\1 \2 超出了 32 位 size_t 的范围"),
    (rf"(\w+) {NUM} does not fit 32 bits", r"\1 \2 超出了 32 位"),
    (r"size must be 1\.\.(\d+)", r"size 必须在 1..\1 之间"),
    (r"align must be 0 or a power of two", "align 必须是 0 或 2 的幂"),
    (r"(\w+) must be positive", r"\1 必须为正"),
    (r"offset must be a multiple of the page size", "offset 必须是页大小的整数倍"),
    (r"EINVAL: (.+)", r"EINVAL：\1", {1: M}),
    (r"expected one of read, write, exec, got (.+)", r"应为 read、write、exec 之一，得到的是 \1"),
    (r"expected true or false, got (.+)", r"应为 true 或 false，得到的是 \1"),
    (r"must be a release as text \(\"2\.6\.24\", \"3\.10\", \"6\.1\"\), got (.+)",
     '必须是文本形式的版本号（"2.6.24"、"3.10"、"6.1"），得到的是 \\1'),
    (r"must be true or false, got (.+)", r"必须是 true 或 false，得到的是 \1"),
    (r"expected the log as text, got (\w+)( \(decode the bytes first\))?",
     r"应为文本形式的日志，得到的是 \1\2", {2: {" (decode the bytes first)": "（请先把字节解码）"}}),
    (r"the log is empty", "日志是空的"),
    (r"(\S+) must be true, false, a whole number or a string, got (.+)", r"\1 必须是 true、false、整数或字符串，得到的是 \2"),
    (r"expected a table of build options \(\{ DEBUG_RODATA = true \}\), got (.+)",
     r"应为编译选项的表（{ DEBUG_RODATA = true }），得到的是 \1"),
    (r"expected a number, got (.+)", r"应为数字，得到的是 \1"),
    (r"expected an integer, got (.+)", r"应为整数，得到的是 \1"),
    (r"expected a number or an expression, got (.+)", r"应为数字或表达式，得到的是 \1"),
    (rf"{Q} is {_KINDS}(?: \(use (.+)\))?, not a number", r"\1 是\2，不是数字（请用 \3）",
     {2: KINDS, 3: lambda use: use.replace(" or ", " 或 ")}),
    # the machine boot() would refuse (engine.config, engine.kversion, engine.layout, engine.swap)
    (r"(\w+): must be 1\.\.(\d+) \(CONFIG_NR_CPUS\), got (.+)", r"\1：必须在 1..\2 之间（CONFIG_NR_CPUS），得到的是 \3"),
    (r"(\w+): must be an integer, got (.+)", r"\1：必须是整数，得到的是 \2"),
    (rf"{VAL} is too small; an i386 kernel needs at least (\S+), this one more: its image is loaded at (\S+) "
     r"\(CONFIG_PHYSICAL_START\)", r"\1 太小；i386 内核至少需要 \2，这个内核需要更多：它的映像加载在 \3（CONFIG_PHYSICAL_START）"),
    (rf"{VAL} is too small; an i386 kernel needs at least (\S+)", r"\1 太小；i386 内核至少需要 \2"),
    (rf"{VAL} is more than x86-32 can address \(PAE: 36-bit physical addresses, 64G at most\)",
     r"\1 超出了 x86-32 能寻址的范围（PAE：36 位物理地址，最多 64G）"),
    (rf"{VAL} is not a whole number of 4K pages", r"\1 不是 4K 页的整数倍"),
    # a size with a leading 0 (engine.config parse_size: memparse() would read it as octal)
    (rf"{Q} starts with 0, which C reads as octal: write (\d+\S*) for octal, (\d+\S*) for decimal",
     r"\1 以 0 开头，C 会把它当作八进制：八进制写 \2，十进制写 \3"),
    (rf"{Q} starts with 0, which C reads as octal: write (\d+\S*)", r"\1 以 0 开头，C 会把它当作八进制：请写 \2"),
    # what only booting finds (engine/boot.py, bootmem.py, memblock.py): app.cli_lesson boots it
    (r"(\S+) is too small for this kernel: its image is loaded at (\S+) \(CONFIG_PHYSICAL_START\) and ends at "
     r"(\S+), with lowmem ending at (\S+) \(the boot allocations need 256 KB above it\)",
     r"\1 对这个内核太小：内核映像加载在 \2（CONFIG_PHYSICAL_START），结束于 \3，而低端内存止于 \4"
     r"（启动时的分配需要映像之上 256 KB）"),
    (r"(\S+) is too small for this kernel: its bootmem allocations do not fit in lowmem",
     r"\1 对这个内核太小：bootmem 的分配放不进低端内存"),
    (r"(\S+) is too small for this kernel: its early allocations \((\d+K)\) do not fit below lowmem's end "
     r"beside the (\d+M) kernel image", r"\1 对这个内核太小：除去 \3 的内核映像，早期分配（\2）放不进低端内存"),
    (r"(\S+) is too small for this kernel: its early allocations \((.+)\) do not fit below lowmem's end",
     r"\1 对这个内核太小：早期分配（\2）放不进低端内存"),
    (r"the NX bit exists only in PAE page tables \(use pae = true\)", "只有 PAE 页表才有 NX 位（请设 pae = true）"),
    (rf"unknown memory split {Q} \(choose (.+)\)", r"未知的内存划分 \1（可选：\2）"),
    (r"VMSPLIT_(\S+) is not available with PAE", r"VMSPLIT_\1 不能和 PAE 一起用"),
    (rf"unknown {Q} \(choose slub or slab\)", r"未知的 \1（请选 slub 或 slab）"),
    (rf"{Q} is not a version; mmviz models i386 releases 2\.6\.20 \.\. 6\.12 \(2\.6 and 6\.1 are aliases; "
     r"e\.g\. 2\.6\.24, 3\.16, 4\.19\)", r"\1 不是版本号；mmviz 模拟 i386 的 2.6.20 .. 6.12 版（2.6 和 6.1 是别名；例如 2.6.24、3.16、4.19）"),
    (rf"{Q} is outside the modelled range 2\.6\.20 \.\. 6\.12 \(2\.6 and 6\.1 are aliases; e\.g\. 2\.6\.24, 3\.16, 4\.19\)",
     r"\1 超出了模拟的范围 2.6.20 .. 6.12（2.6 和 6.1 是别名；例如 2.6.24、3.16、4.19）"),
    (rf"{Q} is not an i386 2\.6 or later kernel", r"\1 不是 i386 的 2.6 或更新的内核"),
    (r"expected a dict like \{'NR_CPUS': 8\}, got (.+)", r"应为 {'NR_CPUS': 8} 这样的表，得到的是 \1"),
    (rf"unknown build option {Q} \(known: (.+)\)", r"未知的编译选项 \1（已知：\2）"),
    (r"fixmap_slots=(\S+) is fewer than the kmap slots need", r"fixmap_slots=\1 少于 kmap 槽位的需要"),
    (r"the log's lines do not fit Linux (\S+), assumed for a log without its release \((.+)\); "
     r"--kernel RELEASE gives it", r"日志的内容与假定的 Linux \1 不符（日志没有写明版本）：\2；--kernel RELEASE "
     r"可以指定版本", {2: M}),
    (r"the log says Linux (\S+); a release is given only for a log without a 'Linux version' line",
     r"日志里写着 Linux \1；只有日志没有 'Linux version' 这一行时才能指定内核版本"),
    (r"(\w+) must be a whole number, got (.+) \(a string: write the number without quotes\)",
     r"\1 必须是整数，得到的是 \2（这是字符串：数字不要加引号）"),
    (r"(\w+) must be a whole number, got (.+)", r"\1 必须是整数，得到的是 \2"),
    (rf"{Q} names a PAE build \(-pae, -bigmem\); add pae = true \(--pae\)",
     r"\1 是 PAE 内核（-pae、-bigmem）；请加上 pae = true（--pae）"),
    (r"(\w+)=(\S+): the log gives (\w+)=(\S+); config gives only what the log does not print",
     r"\1=\2：日志里已给出 \3=\4；config 只用来给出日志没有打印的值"),
    (r"(\w+)=(\d+) is fewer than the (\d+) CPU\(s\) the log counts", r"\1=\2 少于日志里数到的 \3 个 CPU"),
    (r"CONFIG_NR_CPUS must be 1\.\.(\d+) on i386 (\S+) \(arch/x86/Kconfig\), got (.+)",
     r"i386 \2 的 CONFIG_NR_CPUS 必须在 1..\1 之间（arch/x86/Kconfig），得到的是 \3"),
    (r"sizeof\(struct page\) (\S+) is not one an i386 build gives \(32\.\.64\)",
     r"sizeof(struct page) \1 不是 i386 编译会得到的值（32..64）"),
    (r"PHYSICAL_START (\S+) must be a 1 MB multiple in 1M\.\.256M", r"PHYSICAL_START \1 必须是 1M..256M 之间 1 MB 的整数倍"),
    (r"(\w+) cannot be turned off from 4\.6 on \(always built in\)", r"\1 从 4.6 起不能关闭（总是编译进内核）"),
    (r"memory_model must be flatmem or sparsemem, got (.+)", r"memory_model 必须是 flatmem 或 sparsemem，得到的是 \1"),
    (r"(\w+) must be a size in kB, got (.+)", r"\1 必须是以 kB 计的大小，得到的是 \2"),
    (r"(\w+) must be 1 kB or more: every i386 image has kernel code and an init section, got 0",
     r"\1 至少要 1 kB：每个 i386 内核映像都有内核代码和 init 段，得到的是 0"),
    (r"the log's kernel image has (-?\d+)k of (.+?): no i386 image has that \(vmlinux\.lds\.S: every image "
     r"has kernel code and an init section\)", r"日志中的内核映像只有 \1k 的 \2：没有这样的 i386 内核映像"
     r"（vmlinux.lds.S：每个映像都有内核代码和 init 段）"),
    (r"(\w+) must be a size in kB \(or like '7M'\), got (.+)", r"\1 必须是以 kB 计的大小（或 '7M' 这样的写法），得到的是 \2"),
    (r"(\w+): KFENCE exists from Linux 5\.12 \(this kernel is (\S+)\)", r"\1：KFENCE 从 Linux 5.12 起才有（这个内核是 \2）"),
    (r"(\w+): transparent hugepages exist from Linux 2\.6\.38 \(this kernel is (\S+)\)",
     r"\1：透明大页（THP）从 Linux 2.6.38 起才有（这个内核是 \2）"),
    (r"(\w+=\w+) builds a kernel without PAE, but PAE was asked for \(pae = true, --pae\): give one of the two",
     r"\1 编译的是不带 PAE 的内核，但又要求了 PAE（pae = true、--pae）：两者只能给一个"),
    (r"(\w+) must be a physical address like 0x8b2000, got (.+)", r"\1 必须是 0x8b2000 这样的物理地址，得到的是 \2"),
    (r"a (\d+M) vmalloc reserve leaves (\d+M) of lowmem; the kernel needs far more",
     r"\1 的 vmalloc 预留只剩下 \2 低端内存；内核需要的远不止这些"),
    (r"a (\d+M) reserve puts VMALLOC_START (\S+) above VMALLOC_END (\S+); the kernel stops at mem_init\(\)'s "
     r"BUG_ON\(VMALLOC_START (>=?) VMALLOC_END\)",
     r"\1 的预留让 VMALLOC_START \2 高于 VMALLOC_END \3；内核会停在 mem_init() 的 BUG_ON(VMALLOC_START \4 VMALLOC_END)"),
    (r"a (\d+M) reserve leaves lowmem ending at (\S+), so VMALLOC_START wraps past 4G to (\S+); the kernel stops "
     r"at mem_init\(\)'s BUG_ON\(\(unsigned long\)high_memory > VMALLOC_START\)",
     r"\1 的预留让低端内存止于 \2，于是 VMALLOC_START 越过 4G 回绕到 \3；内核会停在 mem_init() 的 "
     r"BUG_ON((unsigned long)high_memory > VMALLOC_START)"),
    (r"(\d+M) is more than one swap area can address: Linux (\S+) (\S+) swap entries keep (\d+) offset bits, "
     r"at most (\S+) per area", r"\1 超出一个交换区能寻址的大小：Linux \2 \3 的交换项只有 \4 位偏移，每个交换区最多 \5",
     {3: {"PAE": "PAE", "non-PAE": "非 PAE"}}),
    # expressions (scenarios.expr.ExprError)
    (r"expression longer than (\d+) characters", r"表达式超过 \1 个字符"),
    (rf"unexpected character {Q} in expression {Q}", r"表达式 \2 中有意外的字符 \1"),
    (rf"bad number {Q} in expression {Q}", r"表达式 \2 中的数字 \1 有误"),
    (rf"{Q} in expression {Q} starts with 0, which C reads as octal: write (0o[0-7]+) or (\d+) for octal, "
     r"(\d+) for decimal", r"表达式 \2 中的 \1 以 0 开头，C 会把它当作八进制：八进制写 \3 或 \4，十进制写 \5"),
    (rf"{Q} in expression {Q} starts with 0, which C reads as octal: write (\d+)",
     r"表达式 \2 中的 \1 以 0 开头，C 会把它当作八进制：请写 \3"),
    (rf"({'|'.join(re.escape(e) for e in EXPECTED)}), found (end of expression|{Q[1:-1]}) in expression {Q}",
     r"表达式 \3 中\1，却遇到 \2", {1: EXPECTED, 2: lambda w: "表达式末尾" if w == "end of expression" else w}),
    (r"empty expression", "表达式为空"),
    (rf"expression nested too deeply: {Q}", r"表达式嵌套太深：\1"),
    (rf"attribute {Q} is not allowed in expression {Q}", r"表达式 \2 中不允许属性 \1"),
    (rf"name {Q} is not allowed in expression {Q}", r"表达式 \2 中不允许名字 \1"),
    (rf"(\w+) value used in arithmetic in expression {Q}", r"表达式 \2 中把 \1 值用于算术"),
    (rf"unknown name {Q} in expression {Q}", r"表达式 \2 中有未知的名字 \1"),
    (rf"{Q} is a method, not a value, in expression {Q}", r"表达式 \2 中 \1 是方法，不是值"),
    (rf"no attribute {Q} on (\w+) in expression {Q}", r"表达式 \3 中 \2 没有属性 \1"),
    (rf"(\w+) cannot be indexed in expression {Q}", r"表达式 \2 中 \1 不能取下标"),
    (rf"index (-?\d+) out of range \(length (\d+)\) in expression {Q}", r"表达式 \3 中下标 \1 越界（长度 \2）"),
    (rf"division by zero in expression {Q}", r"表达式 \1 中除以零"),
    (rf"shift count (-?\d+) out of range in expression {Q}", r"表达式 \2 中移位数 \1 越界"),
    (rf"cannot evaluate expression {Q}", r"无法计算表达式 \1"),
    # an engine message after its setting or operation ("ram: ...", "mmap: EINVAL: ...")
    (r"([A-Za-z_]\w*): (.+)", r"\1：\2", {2: M}),
)

# tomllib's messages (Python 3.11-3.14, Lib/tomllib/_parser.py), after "bad TOML: "
TOML: tuple[tuple[Any, ...], ...] = (
    (r"Invalid statement", "无效的语句"),
    (r"Expected '\]' at the end of a table declaration", "表声明的末尾应为 ']'"),
    (r"Expected '\]\]' at the end of an array declaration", "数组声明的末尾应为 ']]'"),
    (r"Expected '=' after a key in a key/value pair", "键值对的键后应为 '='"),
    (r"Expected newline or end of document after a statement", "语句后应为换行或文件结尾"),
    (rf"Expected {Q}", r"应为 \1"),
    (rf"Found invalid character {Q}", r"发现无效的字符 \1"),
    (r"Cannot declare (.+) twice", r"不能两次声明 \1"),
    (r"Cannot overwrite a value", "不能覆盖已有的值"),
    (r"Cannot mutate immutable namespace (.+)", r"不能修改不可变的命名空间 \1"),
    (r"Cannot redefine namespace (.+)", r"不能重新定义命名空间 \1"),
    (r"Invalid initial character for a key part", "键的首字符无效"),
    (r"Unclosed array", "数组没有闭合"),
    (rf"Duplicate inline table key {Q}", r"内联表的键 \1 重复"),
    (r"Unclosed inline table", "内联表没有闭合"),
    (r"Unescaped '\\' in a string", "字符串中有未转义的 '\\'"),
    (r"Invalid hex value", "无效的十六进制值"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不是 Unicode 标量值"),
    (r"Unterminated string", "字符串没有结束"),
    (rf"Illegal character {Q}", r"非法字符 \1"),
    (r"Invalid date or datetime", "无效的日期或日期时间"),
    (r"Invalid value", "无效的值"),
)

_HITS: dict[str, int] = {}       # pattern -> times it translated a part (tests read it)


def _translate(text: str, table: tuple[tuple[Any, ...], ...]) -> str | None:
    for pattern, zh, *how in table:
        found = re.fullmatch(pattern, text, flags=re.S)
        if found is None:
            continue
        groups = _groups(found, how[0] if how else {})
        if groups is None:
            continue                      # a part without Chinese: another pattern may fit
        _HITS[pattern] = _HITS.get(pattern, 0) + 1
        return re.sub(r"\\(\d)", lambda k: groups[int(k.group(1)) - 1], zh)
    return None


def _groups(found: re.Match, how: dict[int, Any]) -> list[str] | None:
    out = []
    for i, value in enumerate(found.groups(), 1):
        rule: Any = how.get(i)
        if value is None:
            value = ""
        elif rule == M or rule == "toml":
            value = _translate(value, PROBLEMS if rule == M else TOML)
        elif isinstance(rule, dict):
            value = rule.get(value)
        elif callable(rule):
            value = rule(value)
        if value is None:
            return None
        out.append(value)
    return out


def problem_zh(message: str) -> str | None:
    """One problem's message in Chinese, or None when some part of it has no Chinese."""
    zh = _translate(_HINT.sub(r"（是不是 \1？）", message), PROBLEMS)
    if zh is None:
        return None
    zh = zh.replace("（请用 ）", "")             # a kind without a "(use ...)" hint
    return _CJK_SPACE.sub("", zh)


def lesson_line_zh(line: str) -> str | None:
    """``path:line[:col]: message`` with the message in Chinese (the prefix as written), or
    None when the line is not a lesson problem or its message has no Chinese."""
    m = LINE.fullmatch(line)
    zh = problem_zh(m["msg"]) if m else None
    return None if zh is None else f"{m['head'][:-1]}：{zh}"


def shown(line: str, lang: str) -> str:
    """A lesson problem line as the user reads it: in Chinese where it translates wholly."""
    return (lesson_line_zh(line) or line) if lang == "zh" else line
