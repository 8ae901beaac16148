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
from typing import Any

LANGS = ("en", "zh")

UI: dict[str, dict[str, str]] = {
    "en": {
        # panes (short names for the tab bar, titles are set by the panes)
        "pane.vmap": "Virtual 4 GB", "pane.physical": "Physical memory", "pane.buddy": "Buddy",
        "pane.walk": "Page walk + TLB", "pane.slab": "Slab caches", "pane.lesson": "Lesson",
        "layout.wide": "wide", "layout.medium": "medium", "layout.compact": "compact",
        "tabs.keys": "1-5 pane · v layout", "tabs.layout": "layout",
        "too_small": "The terminal is too small for mmviz: it needs at least {w}×{h}. "
                     "Enlarge the window or make the font smaller (Ctrl+Q quits).",
        # autoplay
        "play.on": "▶ playing · {seconds} s/step", "play.off": "⏸ paused",
        "play.speed": "autoplay: reading speed ×{factor} ({seconds} s for this step)",
        "play.end": "end of the lesson",
        # exploration branch
        "branch.on": "exploring from step {step} of {lesson} · b returns to the lesson",
        "branch.back": "back to the lesson at step {step}",
        "branch.none": "not exploring: type : and an operation to try something",
        "explore.hint": "Free exploration: press : and type an operation, e.g. kmalloc 100, "
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
        "help.close": "Esc closes",
        # bindings (footer, palette, help)
        "key.step": "Step", "key.back": "Back", "key.start": "Start", "key.end": "End",
        "key.play": "Play/Pause", "key.faster": "Faster", "key.slower": "Slower",
        "key.zoom_in": "Zoom in", "key.zoom_out": "Zoom out", "key.goto": "Go to",
        "key.command": "Command", "key.lessons": "Lessons", "key.theme": "Theme",
        "key.language": "中文/EN", "key.help": "Help", "key.layout": "Layout",
        "key.return": "Return to lesson", "key.scroll_down": "Scroll lesson down",
        "key.scroll_up": "Scroll lesson up", "key.patterns": "Patterns",
        "tip.patterns": "Physical map: a glyph per owner and zone, readable without colour", "key.pane": "Pane in front", "key.quit": "Quit",
        "tip.step": "Apply the next step", "tip.back": "Undo the last step exactly",
        "tip.goto": "Select a virtual address and walk it",
        "tip.layout": "Cycle the layouts that fit this terminal",
        "tip.return": "Leave the exploration branch: back to the untouched lesson",
        "tip.play": "Play the lesson, each step for its reading time",
        # messages
        "msg.theme": "theme: {name}", "msg.layout": "layout: {name}",
        "msg.layout_only": "only the {name} layout fits {w}×{h}",
        "msg.not_address": "not an address: {text}",
        "msg.not_32bit": "{addr} is not a 32-bit virtual address",
        "goto.prompt": "Go to virtual address (hex, decimal or a name bound with as):",
        "picker.title": "Lessons", "picker.steps": "{n} steps",
    },
    "zh": {
        "pane.vmap": "虚拟 4 GB", "pane.physical": "物理内存", "pane.buddy": "伙伴分配器",
        "pane.walk": "页表遍历 + TLB", "pane.slab": "slab 缓存", "pane.lesson": "课程",
        "layout.wide": "宽", "layout.medium": "中", "layout.compact": "紧凑",
        "tabs.keys": "1-5 切换窗格 · v 布局", "tabs.layout": "布局",
        "too_small": "终端太小，mmviz 至少需要 {w}×{h}。请放大窗口或调小字号（Ctrl+Q 退出）。",
        "play.on": "▶ 自动播放 · 每步 {seconds} 秒", "play.off": "⏸ 已暂停",
        "play.speed": "自动播放：阅读速度 ×{factor}（本步 {seconds} 秒）",
        "play.end": "课程结束",
        "branch.on": "从 {lesson} 第 {step} 步开始探索 · 按 b 回到课程",
        "branch.back": "回到课程第 {step} 步",
        "branch.none": "不在探索中：按 : 输入一个操作即可尝试",
        "explore.hint": "自由探索：按 : 输入一个操作，例如 kmalloc 100、vmalloc 1M 或 "
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
        "help.close": "Esc 关闭",
        "key.step": "下一步", "key.back": "上一步", "key.start": "开头", "key.end": "结尾",
        "key.play": "播放/暂停", "key.faster": "加快", "key.slower": "放慢",
        "key.zoom_in": "放大", "key.zoom_out": "缩小", "key.goto": "转到",
        "key.command": "命令", "key.lessons": "课程", "key.theme": "主题",
        "key.language": "中文/EN", "key.help": "帮助", "key.layout": "布局",
        "key.return": "回到课程", "key.scroll_down": "课程向下滚动",
        "key.scroll_up": "课程向上滚动", "key.patterns": "图案",
        "tip.patterns": "物理内存图：每种属主和 zone 加上字符标记，不靠颜色也能分辨", "key.pane": "切换前台窗格", "key.quit": "退出",
        "tip.step": "执行下一步", "tip.back": "精确撤销上一步",
        "tip.goto": "选中一个虚拟地址并遍历页表",
        "tip.layout": "在适合当前终端的布局之间切换",
        "tip.return": "离开探索分支，回到未改动的课程",
        "tip.play": "播放课程，每步停留其阅读时间",
        "msg.theme": "主题：{name}", "msg.layout": "布局：{name}",
        "msg.layout_only": "{w}×{h} 只放得下{name}布局",
        "msg.not_address": "不是地址：{text}",
        "msg.not_32bit": "{addr} 不是 32 位虚拟地址",
        "goto.prompt": "转到虚拟地址（十六进制、十进制或用 as 绑定的名字）：",
        "picker.title": "课程", "picker.steps": "{n} 步",
    },
}


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


def tr(lang: str, key: str, **kw: Any) -> str:
    """The UI string ``key`` in ``lang`` (en/zh), formatted with ``kw``."""
    text = UI.get(lang, UI["en"]).get(key) or UI["en"].get(key) or key
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
