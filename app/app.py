"""MmvizApp: the lesson (or free exploration) on the left of your eyes, every pane linked.

The app owns the Timeline and the one selection.  It applies a step, then tells the
panes what to show (attributes down); panes ask for a new selection with messages (up).
"""
from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.filter import Monochrome
from textual.reactive import reactive
from textual.widgets import Footer, Header, Static

from widgets import (BuddyPane, CommandLine, LessonPane, PageWalkPane, PhysicalMapPane, Selection,
                     SlabPane, VirtualMap)
from widgets.i18n import tr
from widgets.selection import SelectionRequested, describe
from scenarios.textsafe import sanitize

from .chrome import ChromeMixin
from .explore_ui import ExploreMixin
from .layout_ui import LayoutMixin

NULL_STYLE = Style()


class SafeMonochrome(Monochrome):
    """NO_COLOR: Textual's grey filter, which also accepts unstyled segments (padding)."""

    def apply(self, segments: list[Segment], background: Any) -> list[Segment]:
        return super().apply([s if s.style is not None else Segment(s.text, NULL_STYLE, s.control)
                              for s in segments], background)


GC_THRESHOLDS = (50_000, 20, 100)
FOCUS_ORDER = ("address", "pfn", "zone", "region", "process", "cache")


def gc_policy_on() -> tuple[int, int, int]:
    """The app's collector policy: start-up objects frozen out of full scans, young
    collections every GC_THRESHOLDS[0] allocations.  Returns the old thresholds."""
    import gc
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return before


def gc_policy_off(before: tuple[int, int, int] | None) -> None:
    """Undo :func:`gc_policy_on` (the app exits; a test process goes on)."""
    import gc
    if before is not None:
        gc.unfreeze()
        gc.set_threshold(*before)


def load_timeline(lesson: Any = None, ram: str | None = None, pae: bool = False,
                  machine: dict[str, Any] | None = None) -> Any:
    """A Timeline for a lesson (id, path or Lesson), the first lesson, or free exploration on
    ``machine`` (boot options: ram, pae, kernel, vmalloc, ...; ram/pae are shortcuts)."""
    from scenarios import Timeline, all_lessons, explore_lesson, find_lesson
    machine = {**(machine or {}), **({"ram": ram} if ram else {}), **({"pae": True} if pae else {})}
    if lesson is None and not machine:
        lessons = all_lessons()
        lesson = lessons[0] if lessons else explore_lesson({})
    elif lesson is None:
        lesson = explore_lesson(machine)
    elif isinstance(lesson, str):
        lesson = find_lesson(lesson)
    if lesson.steps and machine:     # boot options given with a lesson override its machine
        lesson.machine = {**lesson.machine, **machine}
    return Timeline(lesson)


class MmvizApp(ChromeMixin, LayoutMixin, ExploreMixin, App):
    """mmviz: how 32-bit x86 Linux manages memory, step by step."""

    CSS_PATH = "mmviz.tcss"
    TITLE = "mmviz"
    BINDINGS = [
        Binding("right,n", "step", "Step", id="step", tooltip="Apply the next step"),
        Binding("left,p", "back", "Back", id="back", tooltip="Undo the last step exactly"),
        Binding("home", "jump_start", "Start", id="jump-start", show=False),
        Binding("end", "jump_end", "End", id="jump-end", show=False),
        Binding("space", "toggle_play", "Play/Pause", id="play"),
        Binding("plus,equals_sign", "speed(1)", "Faster", id="faster", show=False),
        Binding("minus", "speed(-1)", "Slower", id="slower", show=False),
        Binding("z", "zoom(0.25)", "Zoom in", id="zoom-in"),
        Binding("Z", "zoom(4)", "Zoom out", id="zoom-out", show=False),
        Binding("g", "goto", "Go to", id="goto", tooltip="Select a virtual address and walk it"),
        Binding("colon", "command_line", "Command", id="command-line"),
        Binding("l", "pick_lesson", "Lessons", id="pick-lesson"),
        Binding("t", "next_theme", "Theme", id="theme"),
        Binding("L", "switch_language", "中文/EN", id="language"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("b", "return_to_lesson", "Return to lesson", id="return", show=False,
                tooltip="Leave the exploration branch: back to the untouched lesson"),
        Binding("P", "toggle_patterns", "Patterns", id="patterns", show=False,
                tooltip="Physical map: a glyph per owner and zone, readable without colour"),
        Binding("v", "next_layout", "Layout", id="layout", tooltip="Cycle the layouts that fit"),
        Binding("J,shift+down", "scroll_lesson(3)", "Scroll lesson down", id="scroll-down",
                show=False),
        Binding("K,shift+up", "scroll_lesson(-3)", "Scroll lesson up", id="scroll-up", show=False),
        *[Binding(str(i), f"front('{pane}')", "Pane in front", id=f"front-{pane}", show=False)
          for i, pane in enumerate(("vmap", "physical", "buddy", "walk", "slab"), 1)],
    ]

    selection: reactive[Selection | None] = reactive(None, init=False)
    lang: reactive[str] = reactive("en", init=False)
    playing: reactive[bool] = reactive(False, init=False)
    speed: reactive[int] = reactive(2, init=False)      # index into reading.SPEEDS (x1.0)

    def __init__(self, lesson: Any = None, ram: str | None = None, pae: bool = False,
                 lang: str | None = "en", machine: dict[str, Any] | None = None,
                 layout: str | None = None) -> None:
        super().__init__()
        self._filters = [SafeMonochrome() if type(f) is Monochrome else f for f in self._filters]
        from .chrome import projector_theme
        self.register_theme(projector_theme())
        self.timeline = load_timeline(lesson, ram, pae, machine)
        if lang is None:
            from widgets.i18n import default_lang
            lang = default_lang()
        self.set_reactive(MmvizApp.lang, lang if lang in ("en", "zh") else "en")
        self._autoplay: Any = None
        self.last_error = ""
        self.kernel_log: list[str] = []        # kernel errors of this session, oldest first
        self.front: tuple[str, ...] = ("vmap", "walk", "physical", "buddy", "slab")
        self.layout_wanted = layout or "auto"
        self.plan: Any = None
        self.lesson_timeline: Any = None       # the lesson while a typed command explores a branch

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="pane-tabs")
        with Grid(id="main"):
            yield VirtualMap(id="vmap")
            yield PhysicalMapPane(id="physical")
            yield LessonPane(id="lesson")
            yield PageWalkPane(id="walk")
            yield BuddyPane(id="buddy")
            yield SlabPane(id="slab")
        yield Static("", id="too-small")
        yield CommandLine(id="cmdline")
        yield Footer()

    def on_mount(self) -> None:
        # the collector's full scans are what make frame-time spikes (DESIGN.md): everything
        # built at start-up is frozen out of them and young collections run less often.  The
        # same policy headless and in a terminal, so tests and benchmarks measure what users
        # run; machines are not left to it (the timeline frees what a restore replaces)
        self._gc_before = gc_policy_on()
        self._main_screen = self.screen
        if self.no_color:                  # NO_COLOR: the map's classes as glyphs too
            self.query_one(PhysicalMapPane).patterns = True
        if self.lang != "en":
            self.translate_bindings()
        self._after_move()

    def on_unmount(self) -> None:
        gc_policy_off(getattr(self, "_gc_before", None))

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size)

    @property
    def machine(self) -> Any:
        return self.timeline.machine

    # -- what the panes show --------------------------------------------------------------
    def _focus_selection(self, result: Any) -> Selection | None:
        focus = getattr(result, "focus", None) or {}
        for kind in FOCUS_ORDER:
            if kind in focus and focus[kind] is not None:
                return Selection(kind, focus[kind])
        return None

    def _after_move(self) -> None:
        """The timeline moved: take the step's focus as the selection and the panes it puts in
        front, then show everything."""
        from .layout import front_for
        result = self.timeline.current
        sel = self._focus_selection(result)
        if sel is not None:
            self.set_reactive(MmvizApp.selection, sel)
        if result is not None:
            front = front_for(result.focus, result.op)
            if front:
                self.front = (*front, *[p for p in self.front if p not in front])
        self._apply_layout()
        if result is not None and result.error is not None:
            self._log_error(f"step {self.timeline.position}: {result.error_kind}: {result.error_message}")
        self._show_all(result.events if result is not None else [], self.timeline.last_move)

    def _log_error(self, line: str) -> None:
        """Kernel errors go to the lesson pane's kernel log and Textual's log, never a traceback."""
        line = line.splitlines()[0] if line else line
        if not self.kernel_log or self.kernel_log[-1] != line:
            self.kernel_log.append(line)
            self.log.error(line)

    def _show_all(self, events: list, move: Any = None) -> None:
        """Every pane shows the machine.  ``events``: the current step's (highlighted).
        ``move`` (Timeline.last_move): after a back-step or jump the machine is the same
        object in an earlier state; what the undone steps touched is redrawn from it."""
        m, tl, sel = self.machine, self.timeline, self.selection
        undone = [e for r in move.undone for e in r.events] if move is not None else []
        recount: list[tuple[int, int]] = []
        if move is not None and (move.undone or move.chunks):
            from widgets.physmap import event_pfn_ranges
            recount = [m.memmap.chunk_range(c) for c in move.chunks] + event_pfn_ranges(undone)
        self._show_tabs()
        vmap = self.query_one(VirtualMap)
        vmap.show_machine(m)
        vmap.selection = sel
        line = describe(m, sel)
        self.query_one(PhysicalMapPane).show_machine(m, events, sel, line, recount)
        self.query_one(BuddyPane).show_machine(m, events, tl.position, sel)
        self.query_one(PageWalkPane).show_machine(m, tl.current, sel, undone)
        self.query_one(SlabPane).show_machine(m, self.lang, sel, [*events, *undone])
        self._show_lesson(line)

    def _show_lesson(self, line: str | None = None) -> None:
        tl = self.timeline
        self.query_one(LessonPane).show_step(
            tl.lesson.title_in(self.lang), tl.lesson.summary_in(self.lang), tl.position, len(tl),
            tl.current, self.lang, describe(self.machine, self.selection) if line is None else line,
            tuple(self.kernel_log))

    def watch_selection(self, sel: Selection | None) -> None:
        m, tl = self.machine, self.timeline
        self.query_one(VirtualMap).selection = sel
        self.query_one(PhysicalMapPane).show_machine(m, None, sel)
        self.query_one(BuddyPane).show_machine(m, tl.current.events if tl.current else [],
                                               tl.position, sel)
        self.query_one(PageWalkPane).show_machine(m, None, sel)
        self.query_one(SlabPane).show_machine(m, self.lang, sel)
        self._show_lesson()

    def watch_lang(self) -> None:
        self.translate_bindings()
        cur = self.timeline.current
        self._show_all(cur.events if cur is not None else [])
        from widgets.textlines import retitle
        for pane in self.query("#main > *"):
            retitle(pane)
        self.query_one(SlabPane).show_machine(self.machine, self.lang, self.selection)
        self._show_lesson()

    def on_selection_requested(self, message: SelectionRequested) -> None:
        self.selection = message.selection

    # -- stepping -------------------------------------------------------------------------
    def _move(self, how: Any) -> None:
        try:
            how()
        except Exception as err:        # a step must never become a traceback
            self.last_error = f"{type(err).__name__}: {err}"
            self._log_error(self.last_error)
            self.notify(sanitize(self.last_error), severity="error", markup=False)
        self._after_move()

    def action_step(self) -> None:
        if not self.timeline.at_end:
            self._move(self.timeline.step)
            from widgets.question import ask_current
            ask_current(self)            # predict, then see: the step's question first

    def action_back(self) -> None:
        if self.timeline.position:
            self._move(self.timeline.back)

    def action_jump_start(self) -> None:
        self._move(self.timeline.restart)

    def action_jump_end(self) -> None:
        self._move(lambda: self.timeline.jump(len(self.timeline)))

    def action_toggle_play(self) -> None:
        self.playing = not self.playing

    def _step_seconds(self) -> float:
        from .reading import SPEEDS, step_seconds
        return step_seconds(self.timeline, self.lang, SPEEDS[self.speed])

    def watch_playing(self, playing: bool) -> None:
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = None
        if playing:
            if self.timeline.at_end:
                self.set_reactive(MmvizApp.playing, False)
                self.notify(tr(self.lang, "play.end"), timeout=1.5)
            else:
                self._autoplay = self.set_timer(self._step_seconds(), self._autoplay_tick)
        self._show_tabs()

    def _autoplay_tick(self) -> None:
        self._autoplay = None
        if self.timeline.at_end:
            self.playing = False
            return
        self.action_step()
        if self.playing:
            self.watch_playing(True)

    def action_speed(self, delta: int) -> None:
        from .reading import SPEEDS
        self.speed = max(0, min(len(SPEEDS) - 1, self.speed + delta))

    def watch_speed(self) -> None:
        from .reading import SPEEDS
        if self.playing:
            self.watch_playing(True)
        self.notify(tr(self.lang, "play.speed", factor=SPEEDS[self.speed],
                       seconds=self._step_seconds()), timeout=1.5)

    # -- views ----------------------------------------------------------------------------
    def action_zoom(self, factor: float) -> None:
        self.query_one(VirtualMap).zoom(factor)

    def action_goto(self) -> None:
        from .screens import GotoAddress
        self.push_screen(GotoAddress(self.lang), self._goto)

    def _goto(self, text: str | None) -> None:
        if not text:
            return
        value = self.timeline.env.get(text)
        try:
            addr = value if isinstance(value, int) else int(text.replace("_", ""), 0)
        except ValueError:
            self.notify(sanitize(tr(self.lang, "msg.not_address", text=text)), severity="error",
                        markup=False)
            return
        if not 0 <= addr < 1 << 32:
            self.notify(tr(self.lang, "msg.not_32bit", addr=f"{addr:#x}"), severity="error")
            return
        self.selection = Selection("address", addr)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette
        from .screens import SafeCommandPalette
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        from .screens import HelpScreen
        self.push_screen(HelpScreen(self.lang))

    def action_pick_lesson(self) -> None:
        from scenarios import all_lessons
        from .screens import LessonPicker
        self.push_screen(LessonPicker(all_lessons(), self.lang), self._open_lesson)

    def _open_lesson(self, lesson: Any) -> None:
        if lesson is None:
            return
        self.playing = False
        self.timeline = load_timeline(lesson)
        self.lesson_timeline = None
        import gc
        gc.collect()                       # the old lesson's machines are in reference cycles
        self._after_move()

    def action_switch_language(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"

    # -- command palette: every action by name ------------------------------------------
