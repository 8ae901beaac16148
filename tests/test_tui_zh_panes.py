"""Chinese inside every pane: with --lang zh (or after L) the panes' own words -- legends, table
headers, the walk's labels, the selection line, region labels, the buddy lines, the lesson
pane's headings and kernel-log lines, the help screens, the palette and the footer -- carry no
English word.  What may stay is what a Chinese kernel book keeps: kernel identifiers (names
with "_" or digits, ALL-CAPS names, paths, key=value fields, CamelCase event names, the names
in IDENTIFIERS) and the machine's own names (slab caches, processes, VMAs, vmalloc callers).
The lesson's narration is the lesson's text and is not checked here."""
from __future__ import annotations

import os
import re

import pytest

pyte = pytest.importorskip("pyte")

from app.app import MmvizApp            # noqa: E402
from app.record import render_ansi      # noqa: E402
from widgets import BuddyPane, LessonPane, PageWalkPane, PhysicalMapPane, SlabPane, VirtualMap  # noqa: E402
from widgets.selection import Selection  # noqa: E402

# plain words that are kernel or hardware names in any language
IDENTIFIERS = {"mmviz", "Linux", "Normal", "order", "slab", "freelist", "vmalloc", "kmalloc", "kmap",
               "pkmap", "pfn", "min", "low", "high", "pid", "bootmem", "vm", "kswapd", "insmod",
               "true", "false", "read", "write", "exec", "private", "anonymous", "help", "as",
               "key", "value", "crash", "vtop", "dev", "Esc", "Tab", "Shift", "Ctrl", "Home", "End",
               "PgUp", "PgDn", "Enter", "fixmap", "debugfs",
               "English", "gfp", "size", "libc", "mmap"}                           # the language switch names its languages
TOKEN = re.compile(r"[!-~]+")                     # a run of printable ASCII
PROT = re.compile(r"^[r-][w-][x-][ps]?$")
WORD = re.compile(r"[A-Za-z]{2,}")


def is_identifier(token: str, names: set[str]) -> bool:
    if re.search(r"\w\(", token):                        # a C call: kfree(), kmalloc(size,
        return True
    core = token.strip("()[]{},.:;!?'\"`*|")
    if not core or core in names or PROT.match(core):
        return True
    if core.startswith(("/", "0x", "#", "__")) or "_" in core or "=" in core or re.search(r"\d", core) \
            or re.search(r"\w\.\w", core):                # a dotted path: events.Merge, it.order
        return True
    if re.fullmatch(r"[0-9a-f]{5,}", core):             # an address or a vpn in hex: ffffffff
        return True
    letters = re.sub(r"[^A-Za-z]", "", core)
    if len(letters) >= 2 and letters.isupper():          # DMA, TLB, PDE, NX, GFP, SLUB
        return True
    return bool(re.search(r"[a-z][A-Z]", core))          # FreePages, HighMem, WalkStep


def english_words(text: str, names: set[str] = frozenset()) -> set[str]:
    out = set()
    for token in TOKEN.findall(text):
        if is_identifier(token, names):
            continue
        out.update(w for w in WORD.findall(token) if w not in IDENTIFIERS and w not in names)
    return out


def machine_names(m) -> set[str]:
    """Names the machine itself holds: caches, processes and their VMAs, vmalloc callers."""
    names = {c.name for c in getattr(m, "slab_caches", None) or ()}
    for p in (getattr(m, "processes", None) or {}).values():
        names.add(str(getattr(p, "comm", "")))
        for v in p.vmas:
            n = v.name() if callable(getattr(v, "name", None)) else getattr(v, "name", None)
            names.update(str(n or "").replace("/", " ").replace(".", " ").split())
    for a in getattr(m, "vmap_areas", None) or ():
        names.update(str(getattr(a, "caller", "")).replace("+", " ").split())
    return {w for n in names for w in [n, *re.split(r"[-_. ]", n)] if w}


def screen_of(app) -> pyte.Screen:
    screen = pyte.Screen(*app.size)
    pyte.Stream(screen).feed(render_ansi(app))
    return screen


def region_text(screen: pyte.Screen, region) -> str:
    """The cells of a widget's region (border and title included), row by row."""
    rows = []
    for y in range(region.y, region.y + region.height):
        line = screen.buffer[y]
        rows.append("".join(line[x].data for x in range(region.x, region.x + region.width)))
    return "\n".join(rows)


def lesson_chrome(app) -> str:
    """The lesson pane's own words: its text less what the lesson and the kernel wrote (title,
    summary, narration, errata and listings, the call, its output, events, kernel messages)."""
    from widgets.errata import teaching_text
    from widgets.i18n import engine_phrase
    from widgets.lesson import lesson_text
    from widgets.selection import describe
    view = app.view
    text = lesson_text(view, describe(view.machine, view.selection, "zh")).plain
    r = view.result
    cut = [view.title, view.summary]
    if r is not None:
        cut += [r.title("zh"), r.narration("zh").strip(), teaching_text(r.step, "zh").plain,
                r.call_text("zh"), *r.result_text().splitlines(), *(r.error_message or "").splitlines(),
                r.error_kind or ""]
        cut += [str(e.key) for e in r.expects]          # the lesson's names for what it checks
        cut += [str(e.value) for e in r.expects if e.value is not None]
        cut += [engine_phrase(line, "zh") for line in r.result_text().splitlines()]
        q = getattr(r, "question", None)
        if q is not None:
            cut += [q.ask("zh"), str(q.shown)]
    for line, _ in view.log:                      # kernel (and engine) messages: not UI words
        cut.append(line.split("：", 1)[-1])
    for line in text.splitlines():
        if line.startswith("  · "):
            cut.append(line)                      # an event: kernel tracepoint notation
    for c in sorted((c for c in cut if c), key=len, reverse=True):
        text = text.replace(c, " ")
    return text


CASES = [("buddy", ["end"], None), ("page-walk", ["end"], None),
         ("slab", ["end"], None), ("kmalloc-vmalloc", ["end"], "vmalloc"),
         ("process-memory", ["end"], "process"), ("highmem", ["end"], "pfn"),
         ("fork-cow", ["n", "n", "n"], "address")]


@pytest.mark.parametrize("lesson,keys,select", CASES, ids=[c[0] for c in CASES])
async def test_every_pane_is_chinese(lesson, keys, select):
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    app = MmvizApp(lesson=lesson, lang="zh")
    async with app.run_test(size=(250, 70)) as pilot:
        app.animation_level = "none"
        for k in keys:
            await pilot.press(k)
        await pilot.pause()
        m = app.machine
        if select == "vmalloc" and m.vmap_areas:
            app.selection = Selection("vmalloc", m.vmap_areas[-1].start)
        elif select == "process" and m.processes:
            app.selection = Selection("process", next(iter(m.processes)))
        elif select == "pfn":
            app.selection = Selection("pfn", m.max_pfn - 1)          # highmem: no __va
        elif select == "address":
            app.selection = Selection("address", m.layout.page_offset + 0x100000)
        await pilot.pause()
        names = machine_names(m)
        screen = screen_of(app)
        found = {}
        for pane in (VirtualMap, PhysicalMapPane, BuddyPane, PageWalkPane, SlabPane):
            widget = app.query_one(pane)
            text = region_text(screen, widget.region)
            if hasattr(widget, "_lines"):          # text panes: every line, scrolled or not
                text += "\n" + widget.plain
            found[pane.__name__] = english_words(text, names)
        found["LessonPane"] = english_words(lesson_chrome(app) + str(app.query_one(LessonPane).border_title),
                                            names)
        found["footer"] = english_words("\n".join(screen.display[-1:]), names)
        bad = {k: sorted(v) for k, v in found.items() if v}
        assert not bad, bad


async def test_screens_palette_and_messages_are_chinese():
    from app.chrome import help_path
    from app.commands import help_markdown
    from scenarios.ops import OPS
    app = MmvizApp(lesson="buddy", lang="zh")
    async with app.run_test(size=(160, 48)) as pilot:
        commands = [f"{c.title} {c.help}" for c in app.get_system_commands(app.screen)]
        assert english_words("\n".join(commands)) == set(), english_words("\n".join(commands))
        keys = [b.description for node in app.screen.walk_children(with_self=True)
                for bs in node._bindings.key_to_bindings.values() for b in bs if b.description]
        keys += [b.description for bs in app._bindings.key_to_bindings.values() for b in bs]
        assert english_words("\n".join(keys)) == set(), english_words("\n".join(keys))
        help_md = re.sub(r"`[^`]*`", " ", help_path("zh").read_text(encoding="utf-8"))
        assert english_words(help_md) == set()
        for name in (None, *OPS):
            md = re.sub(r"`[^`]*`", " ", help_markdown(name, "zh"))
            assert english_words(md, set(OPS)) == set(), (name, english_words(md, set(OPS)))
        await pilot.press("colon", *"kmallo 100", "enter")     # a mistyped operation
        await pilot.pause()
        error = str(app.query_one("#cmdline .error").render())
        assert "kmalloc" in error and english_words(error, set(OPS) | {"kmallo"}) == set(), error
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandInput
        assert not WORD.search(app.screen.query_one(CommandInput).placeholder)
        await pilot.press("escape", "plus")          # a notification in Chinese
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert notes and all(english_words(n) == set() for n in notes), notes


def test_detector_catches_english():
    """The detector is not blind: the old English words are found, identifiers are not."""
    assert english_words("touched by this step · free 3840 watermarks") >= {"touched", "watermarks"}
    assert english_words("no walk yet: select an address") >= {"walk", "select", "address"}
    assert english_words("free_area[order].nr_free GFP_KERNEL /proc/buddyinfo 0xc0000000 "
                         "PAGE_OFFSET ZONE_NORMAL FreePages: zone=Normal HighMem DMA") == set()


def test_step_results_read_in_chinese():
    """A step's one-line result (a boot, an access, a walk) in zh: the engine's English words
    become Chinese, the identifiers and numbers stay."""
    from engine.machine import Machine
    from scenarios.results import fmt_result
    from widgets.i18n import engine_phrase
    m = Machine.boot(ram="160M", kernel="2.6")
    booted = engine_phrase(fmt_result("machine", m), "zh")
    assert booted == "已启动 160 MB，非 PAE，Linux 2.6.24", booted
    hit = engine_phrase(fmt_result("access", m.access(0xc0100000)), "zh")
    assert re.fullmatch(r"paddr 0x00100000，TLB (命中|未命中)", hit), hit
    fault = engine_phrase(fmt_result("walk", m.walk(0xfffff000)), "zh")
    assert fault.startswith("paddr -，缺页：") and "fault" not in fault, fault


@pytest.mark.parametrize("lang, says", [("en", "no address selected"), ("zh", "没有选中的地址")])
async def test_walk_pane_without_an_address_says_none_is_selected_not_that_none_was_walked(lang, says):
    """page-walk step 9 (reload CR3) selects no address after steps 1-7 walked several: the
    pane said "no walk yet", which the lesson had just disproved."""
    app = MmvizApp(lesson="page-walk", lang=lang)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press(*["right"] * 9)
        await pilot.pause()
        text = app.query_one(PageWalkPane).plain
        assert says in text and "no walk yet" not in text and "还没有遍历" not in text
