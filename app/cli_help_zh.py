"""``mmviz --help`` and every ``mmviz COMMAND --help`` in Chinese (``--lang zh`` or a Chinese
locale): each option's help, each command's line, argparse's own headings.  Option names,
metavars and kernel identifiers stay as they are typed."""
from __future__ import annotations

HEADINGS_ZH = (("usage: ", "用法："), ("\noptions:\n", "\n选项：\n"),
               ("\npositional arguments:\n", "\n位置参数：\n"),
               ("\nlessons (mmviz LESSON opens one):\n", "\n课程（mmviz LESSON 打开一个）：\n"))

TOP_USAGE_ZH = """mmviz [LESSON] [--lang en|zh] [--layout wide|medium|compact]
  mmviz [explore] [--ram SIZE] [--pae] [--kernel RELEASE] [--vmalloc SIZE] [--allocator slab|slub]
        [--nx] [--swap SIZE] [--cpus N] [--config KEY=VALUE]   在这样一台机器上自由探索
  mmviz COMMAND ...                                 （命令见下）"""

HELP_ZH = {
    "See how 32-bit x86 Linux manages memory, step by step.": "一步一步看 32 位 x86 Linux 怎样管理内存。",
    "show this help message and exit": "显示这段帮助并退出",
    "print mmviz's version (and Textual's, Rich's, Python's) and exit":
        "显示 mmviz 的版本（以及 Textual、Rich、Python 的）并退出",
    "language (default: from LC_ALL / LANG)": "语言（默认取自 LC_ALL / LANG）",
    "also list the lessons in this folder (repeatable; config: lessons = [...])":
        "也列出这个文件夹里的课程（可重复；配置文件：lessons = [...]）",
    "also list the lessons in this folder": "也列出这个文件夹里的课程",
    "also list lessons this engine cannot run yet": "也列出这个引擎还不能运行的课程",
    "print the default machine instead of the TUI": "打印默认的机器，不启动 TUI",
    "print the machine instead of the TUI": "打印这台机器，不启动 TUI",
    "print the lesson instead of opening the TUI": "以文本打印课程，不打开 TUI",
    "TUI: step without stopping at the lessons' prediction questions": "TUI：单步时不停在课程的预测问题上",
    "TUI: step without stopping at the prediction questions": "TUI：单步时不停在预测问题上",
    "free exploration on a machine with this much RAM": "在有这么多内存的机器上自由探索",
    "a PAE machine (3-level page tables)": "PAE 机器（三级页表）",
    "kernel: 2.6 (2.6.24, SLAB), 6.1 (Debian 6.1, SLUB; the default) or any release 2.6.20 .. 6.12 "
    "(e.g. 3.16, 4.19)": "内核：2.6（2.6.24，SLAB）、6.1（Debian 6.1，SLUB；默认）或 2.6.20 .. 6.12 之间的任一版本"
                         "（例如 3.16、4.19）",
    "2.6 (2.6.24), 6.1 (Debian 6.1, the default) or any release 2.6.20 .. 6.12":
        "2.6（2.6.24）、6.1（Debian 6.1，默认）或 2.6.20 .. 6.12 之间的任一版本",
    "vmalloc area size (the vmalloc= boot option)": "vmalloc 区的大小（启动参数 vmalloc=）",
    "NX pages (needs --pae)": "NX 页（需要 --pae）",
    "a swap area of this size": "这么大的交换区",
    "CPUs (1 .. the build's NR_CPUS)": "CPU 个数（1 .. 编译配置的 NR_CPUS）",
    "a build option, e.g. DEBUG_RODATA=y, NR_CPUS=8 (repeatable)": "编译选项，例如 DEBUG_RODATA=y、NR_CPUS=8（可重复）",
    "start in this layout (default: the roomiest that fits; v cycles)": "以这种布局启动（默认：放得下的最宽布局；v 切换）",
    # commands
    "list the lessons": "列出课程",
    "play a lesson": "播放一个课程",
    "the lessons' terms, en/zh, with kernel identifiers": "课程里的术语，中英对照，附内核标识符",
    "validate lesson files": "检查课程文件",
    "seeded practice questions answered by the engine": "由引擎作答的随机种子练习题",
    "the virtual memory layout of a machine": "一台机器的虚拟内存布局",
    "print a /proc file": "打印一个 /proc 文件",
    "boot the machine a real boot log describes; real vs mmviz lines": "启动一份真实启动日志描述的机器；逐行对比真实与 mmviz",
    "free exploration on a machine: the TUI (text without a terminal)": "在一台机器上自由探索：TUI（没有终端时打印文本）",
    "record a lesson as an asciicast v2 file or SVG screenshots": "把课程录成 asciicast v2 文件或 SVG 截图",
    "translate a virtual address level by level (like crash's vtop)": "逐级翻译一个虚拟地址（像 crash 的 vtop）",
    "serve the TUI to browsers (needs the mmviz[web] extra)": "把 TUI 提供给浏览器（需要 mmviz[web]）",
    "Serve mmviz to web browsers: one app per browser tab. Pages take ?lesson=ID&lang=en|zh.":
        "把 mmviz 提供给网页浏览器：每个标签页一个应用。页面地址可带 ?lesson=ID&lang=en|zh。",
    "write a lesson scaffold that passes mmviz check": "写一个能通过 mmviz check 的课程骨架",
    "the JSON Schema of lesson files, for editors (taplo, VS Code)": "课程文件的 JSON Schema，供编辑器使用（taplo、VS Code）",
    "the config file's path and the values in force": "配置文件的路径和当前生效的值",
    "print a shell completion script (bash, zsh, fish)": "打印 shell 补全脚本（bash、zsh、fish）",
    # run, quiz
    "a lesson id (see: mmviz lessons) or a .toml file": "课程 id（见 mmviz lessons）或 .toml 文件",
    "events shown per step (default 8)": "每步显示的事件数（默认 8）",
    "with --text: print each question's answer (for teachers)": "与 --text 一起：打印每个问题的答案（给教师）",
    "with --text: print each step's output in full (by default its first line and the lines the "
    "narration names)": "与 --text 一起：完整打印每一步的输出（默认只打印第一行和讲解提到的行）",
    "with --text: print every step's checks (for lesson authors); by default only a failed one is printed":
        "与 --text 一起：打印每一步的检查（给课程作者）；默认只打印未通过的",
    "about this many questions (1..50)": "大约这么多道题（1..50）",
    "type answers; the engine checks them": "输入答案，由引擎检查",
    "print the worked answers": "打印带推导的答案",
    "exercise: CR3 (hex)": "exercise：CR3（十六进制）",
    "exercise: PADDR=VALUE,... entries in memory": "exercise：内存里的表项 PADDR=VALUE,...",
    "exercise: the virtual address to translate": "exercise：要翻译的虚拟地址",
    "PAE: the machine of buddy, slab, watermark, vma; the exercise's 8-byte entries (walk-pae is the PAE walk)":
        "PAE：buddy、slab、watermark、vma 题的机器用 PAE；exercise 用 8 字节表项（PAE 的页表遍历是 walk-pae）",
    # proc, walk, boot
    "play this lesson first": "先播放这个课程",
    "stop after this step (default: the last)": "停在这一步之后（默认：最后一步）",
    "a boot log ('-': stdin)": "启动日志（'-'：标准输入）",
    "the release (2.6.20 .. 6.12) if the log has no 'Linux version'": "日志里没有 'Linux version' 时的内核版本（2.6.20 .. 6.12）",
    "the initramfs size (e.g. 7M) when the log does not give it": "日志没有给出时 initramfs 的大小（例如 7M）",
    "a build fact the log does not print, e.g. MEMCG=1, KFENCE=1, NR_CPUS=8":
        "日志没有打印的编译事实，例如 MEMCG=1、KFENCE=1、NR_CPUS=8",
    # record
    "the file to write: .cast (asciicast v2) or .svg (one animated SVG)": "要写的文件：.cast（asciicast v2）或 .svg（一个动画 SVG）",
    "write one SVG screenshot per step into DIR": "每一步写一张 SVG 截图到 DIR",
    "with --svg: only this step": "与 --svg 一起：只录这一步",
    "terminal COLSxROWS (default: the config's record.size, else 160x48: the wide layout, every pane; "
    "smaller sizes record the medium or compact layout)":
        "终端大小 COLSxROWS（默认：配置文件的 record.size，否则 160x48：宽布局，所有窗格；更小的尺寸录中等或紧凑布局）",
    "seconds per step (default: each step's reading time, as autoplay)": "每步的秒数（默认：每步的阅读时间，同自动播放）",
    "no progress bar": "不显示进度条",
    "print JSON (the same data, English keys)": "打印 JSON（同样的数据，英文键名）",
    "the problem's seed (default 1): the same seed, the same problem": "题目的随机种子（默认 1）：种子相同，题目相同",
    "RAM of the problem's machine (buddy, slab, watermark, vma; the walks and the exercise boot none)":
        "题目所用机器的内存（buddy、slab、watermark、vma；两种页表遍历题和 exercise 不启动机器）",
    "RAM size (default 160M)": "内存大小（默认 160M）",
    "walk this process's page tables (default: the kernel's)": "遍历这个进程的页表（默认：内核的）",
    "the access (default read)": "访问方式（默认 read）",
    "the object allocator (default: the kernel's: SLAB on 2.6.24, SLUB on 6.1)":
        "对象分配器（默认随内核：2.6.24 用 SLAB，6.1 用 SLUB）",
    "the language a page opens in by default": "页面默认的语言",
    # serve, new, schema, config
    "the lesson a page opens by default": "页面默认打开的课程",
    "address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for a classroom)":
        "监听的地址（默认 127.0.0.1：仅本机；教室里用 0.0.0.0）",
    "default 8000": "默认 8000",
    "a lesson id (writes ID.toml here) or a path ending in .toml": "课程 id（在这里写 ID.toml）或以 .toml 结尾的路径",
    "overwrite an existing file": "覆盖已有的文件",
    "print where the installed schema file is": "打印安装的 schema 文件在哪里",
    "write a copy to this file (.json)": "写一份副本到这个文件（.json）",
    "list the binding ids a [keymap] can remap": "列出 [keymap] 可以重新绑定的按键 id",
    "write a commented config file if none exists": "没有配置文件时写一个带注释的",
}
