"""The user interface's own words in English and Chinese (lesson narration lives in the lessons).

    from widgets.i18n import tr
    tr("zh", "pane.buddy")                -> "伙伴分配器"
    tr("en", "play.on", seconds=12)       -> "▶ playing · 12 s/step"

Every key exists in both languages (tests check it); a missing key falls back to
English, then to the key itself, so a typo never becomes a traceback.  Kernel
identifiers (``free_area``, ``GFP_KERNEL``, ``/proc/buddyinfo``) stay as they are in
both languages: they are names, not words.
"""
from __future__ import annotations

import locale
import os
import re
from typing import Any

LANGS = ("en", "zh")

UI: dict[str, dict[str, str]] = {
    "en": {
        # panes (short names for the tab bar, titles are set by the panes)
        "pane.vmap": "Virtual 4 GB", "pane.physical": "Physical memory", "pane.buddy": "Buddy",
        "pane.walk": "Page walk + TLB", "pane.slab": "Slab caches", "pane.lesson": "Lesson",
        "pane.mm": "mm → VMAs", "pane.fault": "Fault path",
        "layout.wide": "wide", "layout.medium": "medium", "layout.compact": "compact",
        "tabs.keys": "{key:front} pane · {key:layout} layout", "tabs.layout": "layout",
        "too_small": "The terminal is too small for mmviz: it needs at least {w}×{h}. "
                     "Enlarge the window or make the font smaller ({key:quit} quits).",
        # autoplay
        "play.on": "▶ playing · {seconds} s/step", "play.off": "⏸ paused",
        "play.speed": "autoplay: reading speed ×{factor} ({seconds} s for this step)",
        "play.end": "end of the lesson",
        # exploration branch
        "branch.on": "exploring from step {step} of {lesson} · {key:return} returns to the lesson",
        "branch.short": "exploring · {key:return}: back to step {step}",
        "branch.pane": "exploring from step {step}/{total} of the lesson · {key:return} returns to it",
        "play.short": "▶ {seconds} s/step",
        "branch.back": "back to the lesson at step {step}",
        "branch.none": "not exploring: type {key:command-line} and an operation to try something",
        "explore.hint": "Free exploration: press {key:command-line} and type an operation, e.g. kmalloc 100, "
                        "vmalloc 1M or alloc_pages GFP_KERNEL 3; help lists them all.",
        # command line
        "cmd.placeholder": "operation, e.g. alloc_pages GFP_KERNEL 3 as a · Tab completes · "
                           "help · Esc closes",
        "cmd.no_match": "no operation starts with {prefix!r}; help lists them",
        "cmd.matches": "{n} matches: {names}",
        # help for operations (command line)
        "help.title": "Operations", "help.intro": "Type one per line after `:`; positional "
        "arguments fill the parameters in order, `key=value` any of them, `as NAME` binds the "
        "result. `help OP` shows one operation. Tab completes names and arguments.",
        "help.op": "operation and parameters", "help.kernel": "kernel function",
        "help.what": "what it does", "help.param": "parameter", "help.type": "type",
        "help.default": "default", "help.required": "required", "help.none": "none",
        "help.aliases": "also", "help.example": "Example: {example}",
        "help.unknown": "There is no operation {name!r}.", "help.did_you_mean": "Did you mean: {names}?",
        "help.close": "{key:close-ops-help} closes",
        # bindings (footer, palette, help)
        "key.step": "Step", "key.back": "Back", "key.start": "Start", "key.end": "End",
        "key.play": "Play/Pause", "key.faster": "Faster", "key.slower": "Slower",
        "key.zoom_in": "Zoom in", "key.zoom_out": "Zoom out", "key.goto": "Go to",
        "key.command": "Command", "key.lessons": "Lessons", "key.theme": "Theme",
        "key.language": "中文/EN", "key.help": "Help", "key.layout": "Layout",
        "key.return": "Return to lesson", "key.scroll_down": "Scroll lesson down",
        "key.scroll_up": "Scroll lesson up", "key.patterns": "Patterns",
        "key.palette": "palette", "tip.palette": "Open the command palette",
        "key.glossary": "Glossary", "tip.glossary": "Terms en/zh with kernel names",
        "palette.search": "Search for commands…",
        "key.quiz": "Quiz", "tip.quiz": "Seeded problems: buddy, walks, slab, watermarks, VMAs, your own exercise",
        "tip.patterns": "Physical map: a glyph per owner and zone, readable without colour", "key.pane": "Pane in front", "key.quit": "Quit",
        "tip.step": "Apply the next step", "tip.back": "Undo the last step exactly",
        "tip.goto": "Select a virtual address and walk it",
        "tip.layout": "Cycle the layouts that fit this terminal",
        "tip.return": "Leave the exploration branch: back to the untouched lesson",
        "tip.play": "Play the lesson, each step for its reading time",
        # messages
        "msg.theme": "theme: {name}", "msg.layout": "layout: {name}",
        "msg.end_next": "the last step of this lesson; next: {title} ({key:pick-lesson} picks it)",
        "msg.end_last": "the last step of the last lesson ({key:pick-lesson} picks another)",
        "msg.end_explore": "the last step so far: {key:command-line} adds one",
        "msg.lesson_open": "already open, at step {step}/{total} ({key:jump-start} goes to its start)",
        "msg.explore_left": "left the exploration: its {n} typed step(s) are gone",
        "msg.layout_only": "only the {name} layout fits {w}×{h}",
        "msg.not_address": "not an address: {text}",
        "msg.not_32bit": "{addr} is not a 32-bit virtual address",
        "msg.screenshot": "screenshot saved: {path}", "msg.screenshot_web": "screenshot sent to the browser",
        "msg.screenshot_failed": "screenshot not saved: {error}",
        "goto.prompt": "Go to virtual address (hex, decimal or a name bound with as):",
        "picker.title": "Lessons", "picker.steps": "{n} steps",
    },
    "zh": {
        "pane.vmap": "虚拟 4 GB", "pane.physical": "物理内存", "pane.buddy": "伙伴分配器",
        "pane.walk": "页表遍历 + TLB", "pane.slab": "slab 缓存", "pane.lesson": "课程",
        "pane.mm": "内存描述符", "pane.fault": "缺页路径",
        "layout.wide": "宽", "layout.medium": "中", "layout.compact": "紧凑",
        "tabs.keys": "{key:front} 切换窗格 · {key:layout} 布局", "tabs.layout": "布局",
        "too_small": "终端太小，mmviz 至少需要 {w}×{h}。请放大窗口或调小字号（{key:quit} 退出）。",
        "play.on": "▶ 自动播放 · 每步 {seconds} 秒", "play.off": "⏸ 已暂停",
        "play.speed": "自动播放：阅读速度 ×{factor}（本步 {seconds} 秒）",
        "play.end": "课程结束",
        "branch.on": "从 {lesson} 第 {step} 步开始探索 · 按 {key:return} 回到课程",
        "branch.short": "探索中 · {key:return} 回到第 {step} 步",
        "branch.pane": "从课程第 {step}/{total} 步开始探索 · 按 {key:return} 回到课程",
        "play.short": "▶ 每步 {seconds} 秒",
        "branch.back": "回到课程第 {step} 步",
        "branch.none": "不在探索中：按 {key:command-line} 输入一个操作即可尝试",
        "explore.hint": "自由探索：按 {key:command-line} 输入一个操作，例如 kmalloc 100、vmalloc 1M 或 "
                        "alloc_pages GFP_KERNEL 3；输入 help 列出全部操作。",
        "cmd.placeholder": "操作，例如 alloc_pages GFP_KERNEL 3 as a · Tab 补全 · help 帮助 · "
                           "Esc 关闭",
        "cmd.no_match": "没有以 {prefix!r} 开头的操作；help 列出全部",
        "cmd.matches": "{n} 个匹配：{names}",
        "help.title": "操作", "help.intro": "在 `:` 之后每行输入一个操作；按顺序给出的参数依次填入，"
        "`key=value` 可指定任一参数，`as NAME` 给结果命名。`help OP` 查看单个操作。Tab 补全名字和参数。",
        "help.op": "操作与参数", "help.kernel": "对应的内核函数", "help.what": "作用",
        "help.param": "参数", "help.type": "类型", "help.default": "默认值", "help.required": "必填",
        "help.none": "无", "help.aliases": "别名", "help.example": "示例：{example}",
        "help.unknown": "没有名为 {name!r} 的操作。", "help.did_you_mean": "你是不是想输入：{names}？",
        "help.close": "{key:close-ops-help} 关闭",
        "key.step": "下一步", "key.back": "上一步", "key.start": "开头", "key.end": "结尾",
        "key.play": "播放/暂停", "key.faster": "加快", "key.slower": "放慢",
        "key.zoom_in": "放大", "key.zoom_out": "缩小", "key.goto": "转到",
        "key.command": "命令", "key.lessons": "课程", "key.theme": "主题",
        "key.language": "中文/EN", "key.help": "帮助", "key.layout": "布局",
        "key.return": "回到课程", "key.scroll_down": "课程向下滚动",
        "key.scroll_up": "课程向上滚动", "key.patterns": "图案",
        "key.palette": "命令面板", "tip.palette": "打开命令面板",
        "key.glossary": "术语表", "tip.glossary": "中英文术语及对应的内核名字",
        "palette.search": "搜索命令…",
        "tip.patterns": "物理内存图：每种属主和管理区加上字符标记，不靠颜色也能分辨", "key.pane": "切换前台窗格", "key.quit": "退出",
        "key.quiz": "练习", "tip.quiz": "随机生成的练习题：伙伴系统、页表查找、slab、水位线、VMA，以及自己输入的习题",
        "tip.step": "执行下一步", "tip.back": "精确撤销上一步",
        "tip.goto": "选中一个虚拟地址并遍历页表",
        "tip.layout": "在适合当前终端的布局之间切换",
        "tip.return": "离开探索分支，回到未改动的课程",
        "tip.play": "播放课程，每步停留其阅读时间",
        "msg.end_next": "这是本课程的最后一步；下一课：{title}（按 {key:pick-lesson} 选择）",
        "msg.end_last": "这是最后一个课程的最后一步（按 {key:pick-lesson} 选择别的课程）",
        "msg.end_explore": "这是目前的最后一步：按 {key:command-line} 再加一步",
        "msg.lesson_open": "这门课程已经打开，在第 {step}/{total} 步（按 {key:jump-start} 回到开头）",
        "msg.explore_left": "已离开探索：输入的 {n} 步不再保留",
        "msg.theme": "主题：{name}", "msg.layout": "布局：{name}",
        "msg.layout_only": "{w}×{h} 只放得下{name}布局",
        "msg.not_address": "不是地址：{text}",
        "msg.not_32bit": "{addr} 不是 32 位虚拟地址",
        "msg.screenshot": "截图已保存：{path}", "msg.screenshot_web": "截图已发送到浏览器",
        "msg.screenshot_failed": "截图未保存：{error}",
        "goto.prompt": "转到虚拟地址（十六进制、十进制或用 as 绑定的名字）：",
        "picker.title": "课程", "picker.steps": "{n} 步",
    },
}


# the panes' own words: key -> (English, Chinese).  Kernel identifiers (free_area, nr_free,
# order as a column name, PAGE_OFFSET, GFP names, /proc fields, zone names DMA/Normal/HighMem)
# stay in their kernel spelling in both, as a Chinese kernel book keeps them.
PANES: dict[str, tuple[str, str]] = {
    # physical map: frame classes (engine.physmem.OWNER_NAMES, then free frames by zone)
    "cls.free": ("free", "空闲"), "cls.hole": ("hole", "空洞"), "cls.kernel": ("kernel", "内核映像"),
    "cls.mem_map": ("mem_map", "mem_map"), "cls.bootmem": ("bootmem", "bootmem"),
    "cls.pgtable": ("pgtable", "页表"), "cls.pages": ("pages", "页分配"), "cls.slab": ("slab", "slab"),
    "cls.vmalloc": ("vmalloc", "vmalloc"), "cls.user": ("user", "用户页"),
    "cls.pagecache": ("pagecache", "页缓存"), "cls.free DMA": ("free DMA", "空闲 DMA"),
    "cls.free Normal": ("free Normal", "空闲 Normal"), "cls.free HighMem": ("free HighMem", "空闲 HighMem"),
    "map.touched": ("touched by this step", "本步改动"), "map.selected": ("selected", "选中"),
    "map.linked": ("linked to the selection", "与选中项关联"),
    "map.linked_touched": ("linked and touched", "关联且本步改动"),
    "map.title": ("Physical memory: {frames} frames ({mb} MB)", "物理内存：{frames} 个页帧（{mb} MB）"),
    "map.title_hole": ("Physical memory: {frames} frames ({mb} MB of addresses: {ram} MB RAM, the rest "
                       "firmware and the PCI hole below 4 GB)",
                       "物理内存：{frames} 个页帧（{mb} MB 的地址：{ram} MB 内存，其余是固件区和 4 GB 以下的 PCI 空洞）"),
    "rmap.at": ("mapped at: ", "映射于："), "rmap.none": ("no virtual address (not mapped)",
                                                      "没有虚拟地址（未映射）"),
    "more": ("… {n} more", "… 另有 {n} 项"),
    # the selection line
    "sel.address": ("address", "地址"), "sel.vmalloc": ("vmalloc", "vmalloc 地址"),
    "sel.zone": ("zone", "管理区"), "sel.region": ("region", "区域"), "sel.process": ("process", "进程"),
    "sel.cache": ("cache", "缓存"), "sel.in_region": ("region {name}", "位于{name}"),
    "sel.in_process": ("in {comm}[{pid}]", "属于进程 {comm}[{pid}]"),
    "sel.no_process": ("no process runs: no user address space", "没有运行中的进程：没有用户地址空间"),
    "sel.area": ("vmalloc area {start}-{end} {pages} pages {caller}",
                 "vmalloc 区域 {start}-{end}，{pages} 页 {caller}"),
    "sel.object": ("slab {cache} object {idx} of the slab at pfn {pfn}",
                   "slab {cache} 中 pfn {pfn} 处 slab 的第 {idx} 个对象"),
    "sel.metadata": ("slab {cache} metadata of the slab at pfn {pfn}",
                     "slab {cache} 中 pfn {pfn} 处 slab 的管理数据"),
    "sel.slab_pages": ("{n} slab pages", "{n} 个 slab 页"),
    "sel.proc": ("{comm} · {vmas} VMAs · {pages} resident pages · CR3 {cr3}",
                 "{comm} · {vmas} 个 VMA · {pages} 个驻留页 · CR3 {cr3}"),
    "sel.zone_of": ("zone {zone}", "管理区 {zone}"), "sel.owner": ("owner {owner}", "属主：{owner}"),
    "sel.highmem": ("highmem: no direct-map address", "高端内存：没有直接映射地址"),
    "zone.hole": ("hole", "空洞"),
    # virtual map: regions (engine.layout names) and what is mapped inside them
    "reg.user": ("user", "用户空间"), "reg.direct": ("direct", "直接映射"), "reg.gap": ("gap", "空隙"),
    "reg.vmalloc": ("vmalloc", "vmalloc 区"), "reg.pkmap": ("pkmap", "pkmap 区"),
    "reg.ldt": ("ldt", "LDT 映射"), "reg.cpu_entry_area": ("cpu_entry_area", "cpu_entry_area"),
    "reg.fixmap_boot": ("fixmap_boot", "早期固定映射"), "reg.fixmap": ("fixmap", "固定映射"),
    "vmap.title": ("Virtual 4 GB  {start} +{span}", "虚拟 4 GB  {start} +{span}"),
    "vmap.anon": ("anon", "匿名"), "vmap.kmap": ("kmap slot {slot} count {count}",
                                              "kmap 槽 {slot} 计数 {count}"),
    "vmap.guard": ("guard page", "保护页"),
    # buddy
    "buddy.title": (r"Buddy allocator: free_area\[order].nr_free", r"伙伴分配器：free_area\[order].nr_free"),
    "buddy.nr_free_head": ("free {free:>8}", "空闲 {free:>8}"),
    "buddy.wmarks": ("watermarks min {min} low {low} high {high}", "水位 min {min} low {low} high {high}"),
    "buddy.unusable": ("unusable", "不可用"), "buddy.per_step": ("free/step", "每步空闲"),
    "buddy.split": ("split", "拆分"), "buddy.merge": ("merge", "合并"), "buddy.alloc": ("alloc", "分配"),
    "buddy.free": ("free", "释放"), "buddy.hit": ("{what} order {order}: pfn {first}-{last}",
                                                "{what} {order} 阶：pfn {first}-{last}"),
    "buddy.magenta": ("magenta", "品红"),
    "buddy.marked": (": split/merged/allocated/freed by this step · ", "：本步拆分/合并/分配/释放的块 · "),
    "buddy.zone": ("zone", "管理区"), "buddy.chosen": (": the selection's zone", "：选中项所在的管理区"),
    "buddy.legend": ("unusable: extfrag/unusable_index (0 = every free page fits the order); "
                     "sparkline: free pages at steps 0..now, red ≤ min, yellow ≤ low, cyan ≤ high, "
                     "green > high",
                     "不可用：extfrag/unusable_index（0 = 每个空闲页都满足该阶）；走势：第 0 步至今的"
                     "空闲页数，红 ≤ min，黄 ≤ low，青 ≤ high，绿 > high"),
    # page walk and TLB
    "walk.title": ("Page walk + TLB", "页表遍历 + TLB"),
    "walk.none": ("no address selected: pick one to walk ({key:goto})", "没有选中的地址：按 {key:goto} 选一个来遍历"),
    "walk.of": ("walk of {vaddr} {split}", "遍历 {vaddr} {split}"),
    "walk.pgd": ("page directory", "页目录"), "walk.tables_of": (" · page tables of pid {pid}", " · pid {pid} 的页表"), "walk.pdpt": ("page directory pointer table", "页目录指针表"),
    "walk.error_code": ("#PF error code {code} ({bits})", "#PF 错误码 {code}（{bits}）"),
    "walk.frame": ("frame {base} (pfn {pfn})", "页帧 {base}（pfn {pfn}）"),
    "walk.offset": ("+ offset {off} = {paddr} ({size})", "+ 偏移 {off} = {paddr}（{size}）"),
    "walk.failed": ("walk {vaddr}: {err}", "遍历 {vaddr}：{err}"),
    "pf.protection": ("protection", "权限违例"), "pf.not present": ("not present", "页不存在"),
    "pf.write": ("write", "写"), "pf.read": ("read", "读"), "pf.user": ("user", "用户态"),
    "pf.kernel": ("kernel", "内核态"), "pf.reserved bit": ("reserved bit", "保留位"),
    "pf.instruction fetch": ("instruction fetch", "取指"),
    "entry.empty": ("not present (empty)", "不存在（空）"), "entry.absent": ("not present", "不存在"),
    "entry.swap": ("swap entry: type {type}, offset {offset}", "交换项：type {type}，offset {offset}"),
    "entry.reserved": ("  reserved bits {bits}!", "  保留位 {bits}！"),
    "tlb.none": ("no TLB yet", "还没有 TLB"), "tlb.counts": ("hits {hits} misses {misses}",
                                                          "命中 {hits} 未命中 {misses}"),
    "tlb.step": ("this step: {hits} hit, {misses} miss", "本步：命中 {hits}，未命中 {misses}"),
    "tlb.empty": ("empty", "空"),
    "tlb.other": ("TLB of pid {pid} (runs)", "TLB：运行中的 pid {pid}"),
    "tlb.no_task": ("TLB (no task runs)", "TLB（没有进程运行）"),
    # slab
    "slab.title": ("Slab caches", "slab 缓存"),
    "slab.name": ("name", "名称"), "slab.objsize": ("objsize", "对象大小"), "slab.active": ("active", "活跃"),
    "slab.total": ("total", "总数"), "slab.slabs": ("slabs", "slab 数"),
    "slab.cache": ("{name}: {n} slabs of {per} × {size} B, order {order}",
                   "{name}：{n} 个 slab，每个 {per} × {size} B，{order} 阶"),
    "slab.none": ("no slabs yet", "还没有 slab"), "slab.freelist": ("freelist: {list}", "freelist：{list}"),
    "slab.more": ("… {n} more slabs", "… 另有 {n} 个 slab"),
    "slab.legend": ("■ used  □ free  ▣ on a CPU freelist", "■ 已用  □ 空闲  ▣ 在 CPU 的 freelist 上"),
    "where.new": ("new", "新建"), "where.cpu": ("cpu", "CPU"), "where.full": ("full", "满"),
    "where.partial": ("partial", "部分"), "where.free": ("free", "空闲"), "where.freed": ("freed", "已释放"),
    # lesson pane
    "lesson.title": ("Lesson", "课程"), "lesson.step": ("step", "步骤"),
    "lesson.start": ("Start: the freshly booted machine. Press {key:step} to step.",
                     "开始：刚启动的机器。按 {key:step} 前进一步。"),
    "lesson.events": ("events", "事件"),
    "lesson.events_later": (" (named after later kernels' tracepoints: this kernel has none, they "
                            "arrived in 2.6.28; {names})", "（按后来内核的跟踪点命名：这个内核还没有跟踪点，"
                            "跟踪点 2.6.28 才出现；{names}）"),
    "lesson.events_newer": (" (later kernels' tracepoint names: {names})", "（后来内核的跟踪点名：{names}）"),
    "lesson.events_in": ("in ", "出现于 "),
    "lesson.expects": ("checks", "检查"),
    "lesson.error": ("kernel error", "内核错误"), "lesson.more": ("more", "更多"),
    "lesson.selection": ("selection", "选中"), "lesson.question": ("Q", "问"), "lesson.answer": ("A", "答"),
    "lesson.log": ("kernel log", "内核日志"), "lesson.intended": ("expected outcome", "预期的结果"),
    "lesson.output": ("lines", "行"), "lesson.below": ("more lines below ↓", "行在下面 ↓"),
    "lesson.deeper": ("Deeper: versions and detail", "深入：版本差异与细节"),
    "lesson.repeat": ("{done} done, {failed} failed", "完成 {done} 次，失败 {failed} 次"),
    "lesson.log_line": ("step {n}: {text}", "第 {n} 步：{text}"),
    # question screen
    "ask.head": ("Predict, then see", "先预测，再验证"),
    "ask.type": ("Type your answer and press Enter ({key:skip-question}: skip)", "输入你的答案后按回车（{key:skip-question}：跳过）"),
    "ask.pick": ("or pick one:", "或从下面选一个："), "ask.right": ("✓ right", "✓ 正确"),
    "ask.wrong": ("✗ not quite", "✗ 不对"), "ask.answer": ("answer", "答案"),
    "ask.back": ("Enter or {key:skip-question}: back to the lesson", "按回车或 {key:skip-question} 回到课程"),
}
for _key, (_en, _zh) in PANES.items():
    UI["en"].setdefault(_key, _en)
    UI["zh"].setdefault(_key, _zh)


# phrases the engine writes into details shown by the panes (rmap, faults, slab lists)
ENGINE_ZH = (("__va(), lowmem direct map", "__va()，低端内存直接映射"), ("vmalloc area", "vmalloc 区域"),
             ("kmap slot", "kmap 槽"), ("user access to supervisor page", "用户态访问内核页"),
             ("write to read-only page", "写只读页"),
             ("NX: instruction fetch from no-execute page", "NX：从不可执行页取指"),
             ("reserved bit set", "保留位被置位"), ("not present", "页不存在"),
             # a step's result (scenarios.results.fmt_result): boot, access and walk
             ("booted ", "已启动 "), (" MB, non-PAE, ", " MB，非 PAE，"), (" MB, PAE, ", " MB，PAE，"),
             (", TLB hit", "，TLB 命中"), (", TLB miss", "，TLB 未命中"), (", fault: ", "，缺页："))


def engine_phrase(text: str, lang: str) -> str:
    """A detail the engine wrote in English, in ``lang`` (identifiers stay)."""
    if lang != "zh":
        return text
    for en, zh in ENGINE_ZH:
        text = text.replace(en, zh)
    return text


# Textual's own words in its footer and command palette: key names, system commands
KEYS_ZH = {"space": "空格", "enter": "回车", "escape": "Esc", "tab": "Tab"}
SYSTEM_COMMANDS_ZH = {
    "Theme": ("主题", "切换配色主题"), "Quit": ("退出", "立即退出程序"),
    "Keys": ("按键", "显示或隐藏当前窗格的帮助和可用按键"),
    "Maximize": ("最大化", "最大化当前窗格"), "Minimize": ("还原", "把窗格还原到正常大小"),
    "Screenshot": ("截图", "把当前屏幕保存为 SVG 截图"),
}


# the command line's help (app.commands) in Chinese: what each operation does, the kernel
# function where the English table explains it in words, and the parameter types
OPS_ZH = {
    "boot": "按给定配置启动一台新机器", "snapshot": "记下每个管理区的空闲页数和 free_area 计数（before.Normal.free_pages）",
    "alloc_pages": "从伙伴分配器取 2^order 个连续页帧", "free_pages": "归还 2^order 个页帧（__free_pages）",
    "get_free_pages": "__get_free_pages：取低端内存页帧，返回直接映射地址", "free_pages_addr": "free_pages(addr, order)",
    "kmalloc": "从 kmalloc-N slab 缓存取一个物理连续的小对象", "kzalloc": "kmalloc，并清零",
    "kfree": "释放 kmalloc 得到的对象", "kmem_cache_create": "创建一个专用 slab 缓存",
    "kmem_cache_alloc": "从专用缓存分配一个对象", "kmem_cache_free": "把对象还给它的缓存",
    "kmem_cache_destroy": "销毁一个空缓存，它的 slab 还给伙伴分配器",
    "vmalloc": "虚拟连续的内存，逐页分配，映射在 vmalloc 区", "vfree": "释放 vmalloc 区域及其页帧",
    "kmap": "持久内核映射（pkmap 区）", "kunmap": "解除 kmap 映射", "kmap_atomic": "每 CPU 一个的 fixmap 槽",
    "kunmap_atomic": "解除原子映射", "virt_to_phys": "__pa()：仅限直接映射", "phys_to_virt": "__va()：仅限直接映射",
    "spawn": "启动一个进程", "brk": "设置进程的堆顶", "sbrk": "把堆顶移动 `delta` 字节",
    "mmap": "映射匿名内存、文件或设备（`file = \"/dev/...\"`）", "munmap": "解除一段映射",
    "mprotect": "修改一段映射的访问权限", "fork": "复制进程；私有页变为写时复制",
    "switch_to": "上下文切换：加载该进程的 CR3", "reclaim": "立即唤醒 kswapd：老化页面，换出一部分",
    "load_map_driver": "insmod map_driver 模块：一块经 vmalloc 分配、可通过设备 mmap 的缓冲区",
    "exit": "进程退出，释放它的地址空间", "access": "一次 CPU 访问：经过 TLB 和页表",
    "walk": "只做页表遍历，没有副作用（`user = true`：按 CPL 3 访问）", "write_virt": "经 MMU 写入这些字节",
    "read_virt": "经 MMU 读出若干字节", "proc": "按内核的格式输出一个 /proc 文件", "flush_tlb": "清空 TLB",
    "invlpg": "INVLPG：丢弃某一页的 TLB 项，全局项也丢弃",
    "reload_cr3": "写 CR3（一次上下文切换）：TLB 只保留全局项", "check": "运行机器的不变量检查",
}
KERNEL_FUNCTIONS_ZH = {
    "snapshot": "（复制每个管理区的计数器，即 /proc/zoneinfo 所示）",
    "kmap_atomic": "kmap_atomic()（6.x 上为 kmap_local_page()）：一个 fixmap 槽",
    "spawn": "fork() + execve() 一个小程序", "switch_to": "context_switch() → switch_mm()：加载 CR3",
    "load_map_driver": "insmod：vmalloc() + 驱动 mmap 中的 remap_vmalloc_range()",
    "access": "CPU 的一次读/写：查 TLB、遍历页表，未命中时 do_page_fault()",
    "walk": "MMU 的页表遍历（无副作用），类似 crash 的 vtop", "write_virt": "经 MMU 写入这些字节",
    "read_virt": "经 MMU 读取", "proc": "该 /proc 文件的 show() 函数（如 /proc/buddyinfo 的 frag_show）",
    "reload_cr3": "写 CR3（2.6 上为 local_flush_tlb()）",
    "check": "（机器自身的不变量检查，类似 CONFIG_DEBUG_VM）",
}
TYPE_WORDS_ZH = {"int": "数字", "addr": "地址", "size": "大小（K/M/G）", "pid": "pid", "gfp": "GFP 掩码",
                 "kind": "read|write|exec", "prot": "rwx", "flags": "mmap 标志", "text": "文本",
                 "bool": "true|false", "ram": "大小",
                 "config": "编译选项（课程中写 { DEBUG_RODATA = true }）"}


# the panes' own key bindings and Textual's (shown by the palette's "Keys" panel)
KEY_DESCRIPTIONS_ZH = {
    "Previous cell": "上一格", "Next cell": "下一格", "Row up": "上一行", "Row down": "下一行",
    "Pan up": "向上平移", "Pan down": "向下平移", "Page up": "上翻半屏", "Page down": "下翻半屏",
    "Select row": "选中这一行", "Next VMA / area / slot": "下一个 VMA / 区域 / 槽",
    "Previous VMA / area / slot": "上一个 VMA / 区域 / 槽", "Previous cache": "上一个缓存",
    "Next cache": "下一个缓存", "Sort caches": "切换排序列", "Reverse sort": "反向排序",
    "Select cache": "选中缓存", "Select first object": "选中第一个对象", "Select next zone": "选下一个管理区",
    "Complete": "补全", "Close": "关闭", "Skip": "跳过", "Scroll Up": "向上滚动", "Scroll Down": "向下滚动",
    "Scroll Left": "向左滚动", "Scroll Right": "向右滚动", "Scroll Home": "滚到开头", "Scroll End": "滚到结尾",
    "Page Up": "上翻一页", "Page Down": "下翻一页", "Page Left": "左翻一页", "Page Right": "右翻一页",
    "Focus Next": "下一个窗格", "Focus Previous": "上一个窗格", "Copy selected text": "复制选中的文字",
    "Quit": "退出", "Submit": "提交", "Cut selected text": "剪切选中的文字",
    "Paste text from the clipboard": "从剪贴板粘贴", "Select all": "全选", "Go to start": "到行首",
    "Go to end": "到行尾", "Select line start": "选到行首", "Select line end": "选到行尾",
    "Move cursor left": "光标左移", "Move cursor left and select": "光标左移并选择",
    "Move cursor left a word": "光标左移一个词", "Move cursor left a word and select": "左移一个词并选择",
    "Move cursor right and select": "光标右移并选择", "Move cursor right a word": "光标右移一个词",
    "Move cursor right a word and select": "右移一个词并选择",
    "Move cursor right or accept the completion suggestion": "光标右移或接受补全建议",
    "Delete character left": "删除左边的字符", "Delete character right": "删除右边的字符",
    "Delete left to start of word": "向左删到词首", "Delete right to start of word": "向右删到下一个词",
    "Delete all to the left": "删除左边全部", "Delete all to the right": "删除右边全部",
}
KEY_DESCRIPTIONS_EN = {zh: en for en, zh in KEY_DESCRIPTIONS_ZH.items()}


# pane titles as the panes set them (English) -> Chinese; kernel identifiers stay
TITLES_ZH = (("Physical memory", "物理内存"), (" frames", " 个页帧"), ("Buddy allocator", "伙伴分配器"),
             ("Virtual 4 GB", "虚拟 4 GB"), ("Page walk + TLB", "页表遍历 + TLB"),
             ("Slab caches", "slab 缓存"), ("Lesson", "课程"))


def pane_title(title: str, lang: str) -> str:
    """A pane's border title in ``lang`` (the panes build it in English)."""
    if lang != "zh":
        return title
    for en, zh in TITLES_ZH:
        title = title.replace(en, zh)
    return title


# binding id -> its keys as the running app shows them ("→ / n"), published by the app
# (app/chrome.py publish_keys) once its keymap is applied: a text that names a key says the one
# that works, never a key name written into it ({key:return}, not "b").  KEY_DEFAULTS are the
# class bindings' keys (a test checks they are what the app publishes without a keymap), for
# text shown with no app running.
KEY_NAMES: dict[str, str] = {}
KEY_DEFAULTS = {"step": "→ / n", "return": "b", "command-line": ":", "goto": "g", "layout": "v",
                "front": "1-7", "quit": "Ctrl+Q", "skip-question": "Esc", "quiz-next-kind": "Ctrl+N",
                "quiz-new-seed": "Ctrl+R", "close-quiz": "Esc", "close-help": "Esc / ? / q", "close-ops-help": "Esc / q"}
_KEY_REF = re.compile(r"\{key:([\w-]+)\}")


def with_keys(text: str) -> str:
    """``text`` with each ``{key:ID}`` replaced by the keys of binding ID."""
    return _KEY_REF.sub(lambda m: KEY_NAMES.get(m.group(1)) or KEY_DEFAULTS.get(m.group(1), m.group(1)), text)


def tr(lang: str, key: str, **kw: Any) -> str:
    """The UI string ``key`` in ``lang`` (en/zh), formatted with ``kw``, keys named as bound."""
    text = with_keys(UI.get(lang, UI["en"]).get(key) or UI["en"].get(key) or key)
    return text.format(**kw) if kw else text


def default_lang(environ: dict[str, str] | None = None) -> str:
    """zh when the locale says Chinese (LC_ALL, then LC_MESSAGES, then LANG), else en."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    if environ is None:
        try:
            loc = locale.getlocale()[0] or ""
        except ValueError:
            loc = ""
        return "zh" if loc.lower().startswith("zh") else "en"
    return "en"
