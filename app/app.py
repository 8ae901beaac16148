"""MmvizApp: the lesson (or free exploration) on the left of your eyes, every pane linked.

The app owns the Timeline and the one selection.  It applies a step, then tells the
panes what to show (attributes down); panes ask for a new selection with messages (up).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.reactive import reactive
from textual.widgets import Static

from widgets import (BuddyPane, CommandLine, FaultFlowPane, LessonPane, MmStructPane, PageWalkPane,
                     PhysicalMapPane, Selection, SlabPane, VirtualMap)
from widgets.i18n import tr
from widgets.selection import SelectionRequested, is_user_address, one_view, user_space_pid
from widgets.errata import lesson_summary
from widgets.stepview import StepView, machine_text
from scenarios.textsafe import sanitize

from .chrome import ChromeMixin, StableFooter, StableHeader, set_header
from .explore_ui import ExploreMixin
from .filters import safe_filters
from .layout_ui import LayoutMixin
from .screenshot_ui import ScreenshotMixin, screenshot_folder  # noqa: F401  (app.app's API)
from .startup import GC_THRESHOLDS, gc_policy_off, gc_policy_on  # noqa: F401  (app.app's API)
from .timeline_ui import TimelineMixin, load_timeline, zone_free  # noqa: F401  (app.app's API)

if TYPE_CHECKING:
    from engine.machine import Machine

PANES = "VirtualMap, PhysicalMapPane, MmStructPane, FaultFlowPane, LessonPane, PageWalkPane, BuddyPane, SlabPane"



FOCUS_ORDER = ("address", "pfn", "zone", "region", "process", "cache")
DEFAULT_FRONT = ("vmap", "walk", "physical", "buddy", "slab")     # panes in front at step 0


class MmvizApp(TimelineMixin, ChromeMixin, LayoutMixin, ExploreMixin, ScreenshotMixin, App):
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
        Binding("Q", "quiz", "Quiz", id="quiz", tooltip="Seeded problems: buddy, walks, slab, "
                "watermarks, VMAs, your own exercise", show=False),
        Binding("G", "glossary", "Glossary", id="glossary", tooltip="Terms en/zh with kernel names",
                show=False),
        Binding("v", "next_layout", "Layout", id="layout", tooltip="Cycle the layouts that fit"),
        Binding("J,shift+down", "scroll_lesson(3)", "Scroll lesson down", id="scroll-down",
                show=False),
        Binding("K,shift+up", "scroll_lesson(-3)", "Scroll lesson up", id="scroll-up", show=False),
        Binding("ctrl+p", "command_palette", "palette", id="palette", show=False, priority=True,
                tooltip="Open the command palette"),
        *[Binding(str(i), f"front('{pane}')", "Pane in front", id=f"front-{pane}", show=False)
          for i, pane in enumerate(("vmap", "physical", "buddy", "walk", "slab", "mm", "fault"), 1)],
    ]

    selection: reactive[Selection | None] = reactive(None, init=False)
    lang: reactive[str] = reactive("en", init=False)
    playing: reactive[bool] = reactive(False, init=False)
    speed: reactive[int] = reactive(2, init=False)      # index into reading.SPEEDS (x1.0)

    def __init__(self, lesson: Any = None, ram: str | None = None, pae: bool = False,
                 lang: str | None = "en", machine: dict[str, Any] | None = None,
                 layout: str | None = None, settings: Any = None) -> None:
        super().__init__()
        self._filters = safe_filters(self._filters)      # NO_COLOR, TEXTUAL_FILTERS=dim
        from .chrome import projector_theme
        self.register_theme(projector_theme())
        self.timeline = load_timeline(lesson, ram, pae, machine)
        if lang is None:
            from widgets.i18n import default_lang
            lang = default_lang()
        self.set_reactive(MmvizApp.lang, lang if lang in ("en", "zh") else "en")
        self._autoplay: Any = None
        self.last_error = ""
        self.front: tuple[str, ...] = DEFAULT_FRONT
        self.layout_wanted = layout or "auto"
        self.plan: Any = None
        self.lesson_timeline: Any = None       # the lesson while a typed command explores a branch
        self.view: StepView | None = None          # what the panes show now
        self._serial = 0
        self._start_free = zone_free(self.timeline.machine)   # the sparkline's step 0
        self._user_selection: Selection | None = None          # picked by the user, not the lesson
        if settings is not None:                               # the config file (app/config.py)
            from .config import apply_to_app
            apply_to_app(self, settings)

    # -- layout ---------------------------------------------------------------------------
    def get_default_screen(self) -> Any:
        """The main screen, with the class of the layout that fits the terminal from the start:
        set after mounting, the class restyled every pane (three times) before the first frame."""
        from .chrome import MainScreen
        plan = self._first_plan()
        return MainScreen(id="_default", classes=f"-{plan.layout}" if plan else "-too-small")

    def _first_plan(self) -> Any:
        from .layout import choose
        return choose(tuple(self.size), self.front, self.layout_wanted)

    def compose(self) -> ComposeResult:
        from . import layout
        plan = self._first_plan()        # the panes as _apply_layout will want them, before mounting

        def pane(cls: Any, name: str) -> Any:
            """A pane, hidden as _apply_layout hides it: the -hidden class names it, the
            inline display hides it.  No style rule hides it: such a rule, stale after
            _apply_layout's class flips (update=False), changed on the pane's next restyle
            (the focus coming to it) and laid the screen out again for nothing."""
            widget = cls(id=name)
            if plan and name not in plan.visible:
                widget.set_class(True, "-hidden")
                widget.display = False
            return widget
        grid = Grid(id="main")
        if plan is not None and plan.layout == "wide":
            grid.styles.grid_columns = " ".join(
                map(str, layout.wide_columns(self.size.width, layout.min_widths())))
        lesson = LessonPane(id="lesson")
        if plan is not None and plan.layout == "medium":
            lesson.styles.width = plan.lesson_width
        yield StableHeader()
        yield Static("", id="pane-tabs")
        with grid:
            yield pane(VirtualMap, "vmap")
            yield pane(PhysicalMapPane, "physical")
            yield pane(MmStructPane, "mm")
            yield pane(FaultFlowPane, "fault")
            yield lesson
            yield pane(PageWalkPane, "walk")
            yield pane(BuddyPane, "buddy")
            yield pane(SlabPane, "slab")
        yield Static("", id="too-small")
        yield CommandLine(id="cmdline")
        yield StableFooter()

    def on_mount(self) -> None:
        # the collector's full scans are what make frame-time spikes (DESIGN.md): everything
        # built at start-up is frozen out of them and young collections run less often.  The
        # same policy headless and in a terminal, so tests and benchmarks measure what users
        # run; machines are not left to it (the timeline frees what a restore replaces)
        self._gc_before = gc_policy_on()
        self._main_screen = self.screen
        self.readable_ansi_colours()       # the first theme's (watch_theme: the others')
        if self.no_color:                  # NO_COLOR: the map's classes as glyphs too
            self.query_one(PhysicalMapPane).patterns = True
        if self.lang != "en":
            self.translate_bindings()
        self.publish_keys()               # before the first text that names a key
        self._after_move()

    def on_unmount(self) -> None:
        gc_policy_off(getattr(self, "_gc_before", None))

    def on_resize(self, event: events.Resize) -> None:
        if event.size == getattr(self, "_resized_to", None):
            # the terminal's size again (the driver sends it three times at start-up): Textual
            # would post it to the screen, which lays out and draws every widget again
            event.prevent_default()
            return
        self._resized_to = event.size
        self._apply_layout(event.size)

    @property
    def machine(self) -> Machine:
        return self.timeline.machine

    # -- what the panes show: one step view -------------------------------------------
    def _focus_selection(self, result: Any) -> Selection | None:
        focus = result.focus if result is not None else {}
        for kind in FOCUS_ORDER:
            if kind in focus and focus[kind] is not None:     # a user address: in the focus's process
                pid = focus.get("process") if kind == "address" else None
                return Selection(kind, focus[kind], pid if isinstance(pid, int) else None)
        return None

    def _lesson_selection(self) -> Selection | None:
        """The selection the lesson gives at this position: the focus of the latest step that
        has one (so it is the same whether the step was reached forward, back or by a jump),
        back to the latest boot step: an earlier machine's address, frame or process means
        nothing in the new one."""
        for result in reversed(self.timeline.results):
            sel = self._focus_selection(result)
            if sel is not None:
                return sel
            if result is not None and result.step.op.name == "boot":
                break
        return None

    def _after_move(self, touched: Any = None) -> None:
        """The timeline moved: the step's focus (or the user's own pick, if the step has none)
        becomes the selection, the step's panes come in front, then every pane draws the new
        view.  ``touched``: the frames the move changed, when known (one step forward); None =
        redraw everything."""
        from .layout import front_for
        result = self.timeline.current
        sel = self._focus_selection(result)
        if sel is None:
            sel = self._user_selection or self._lesson_selection()
        self.set_reactive(MmvizApp.selection, sel)
        # the panes in front are those of the steps taken so far, the latest first, whichever
        # way the step was reached (a step without a focus kept the panes of the step shown
        # before it: a step back or Home showed other panes than stepping forward)
        front = DEFAULT_FRONT
        for r in self.timeline.results:
            step_front = front_for(r.focus, r.op)
            if step_front:
                front = (*step_front, *[p for p in front if p not in step_front])
        self.front = front
        self._apply_layout(deferred=False)         # the new view is published next
        self._publish(touched)

    def _log_error(self, line: str) -> None:
        """Errors of the app itself go to Textual's log and a notification, never a traceback."""
        line = line.splitlines()[0] if line else line
        self.log.error(line)

    @property
    def kernel_log(self) -> list[str]:
        """Kernel messages of the steps taken so far (1..position), oldest first."""
        return [line for line, _ in self._log_lines()]

    def _log_lines(self) -> tuple[tuple[str, bool], ...]:
        from widgets.error_text import error_text
        return tuple((tr(self.lang, "lesson.log_line", n=r.index + 1,
                         text=error_text(r.error_kind, r.error_message, self.lang)),
                      r.intended) for r in self.timeline.results if r.error is not None)

    def make_view(self, touched: Any = None) -> StepView:
        """The immutable view of the current step that every pane draws from."""
        tl = self.timeline
        start = self._start_free
        history = (start, *(r.zone_free for r in tl.results))
        self._serial += 1
        title = tl.lesson.title_in(self.lang)
        if self.lesson_timeline is not None:       # a branch: its "step n/n" is not the lesson's
            lesson = self.lesson_timeline
            title += "\n" + tr(self.lang, "branch.pane", step=lesson.position, total=len(lesson))
        return StepView(self._serial, tl.machine, tl.current, tl.position, len(tl),
                        self.selection, self.lang, title,
                        lesson_summary(tl.lesson, self.lang), history, self._log_lines(),
                        None if touched is None else tuple(touched), self._serial - 1)

    def _publish(self, touched: Any = None) -> None:
        """Build the view and hand it to every pane through the same method, ``show(view)``."""
        view = self.view = self.make_view(touched)
        set_header(self, title=f"mmviz · {machine_text(view.machine, view.lang)}")   # the running machine
        self._show_tabs()
        with one_view():                    # what several panes read of the machine, once
            for pane in self._panes():
                if pane.DRAW_WHEN_SHOWN and pane.has_class("-hidden"):
                    pane.deferred_view = view       # drawn when the layout brings it in front
                else:
                    pane.deferred_view = None
                    pane.show(view)

    def _panes(self) -> Any:
        """The panes of the screen in front (queried once for the main screen: a query matches
        every widget of the screen against six selectors, on every step)."""
        if self.screen is not getattr(self, "_main_screen", None):
            return self.query(PANES)
        panes = getattr(self, "_main_panes", None)
        if panes is None:
            panes = self._main_panes = tuple(self.query(PANES))
        return panes

    def refresh_view(self) -> None:
        """Draw the same step again (the machine did not change: e.g. a question answered)."""
        self._publish(())

    def watch_selection(self) -> None:
        self._publish(())

    def watch_lang(self) -> None:
        self.translate_bindings()
        self.publish_keys()
        from widgets.textlines import retitle
        for pane in self.query("#main > *"):
            retitle(pane)
        self._show_tabs()
        self._publish(())

    def on_selection_requested(self, message: SelectionRequested) -> None:
        self._user_selection = message.selection
        self.selection = message.selection

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
        except ValueError:                # 010: C's octal, refused as the command line refuses it
            from .cli_types import leading_zero
            why = leading_zero(text, self.lang) or tr(self.lang, "msg.not_address", text=text)
            self.notify(sanitize(why), severity="error", markup=False)
            return
        if not 0 <= addr < 1 << 32:
            self.notify(tr(self.lang, "msg.not_32bit", addr=f"{addr:#x}"), severity="error")
            return
        m = self.machine                 # a user address: in the process whose space is shown
        pid = user_space_pid(m, self.selection) if m is not None and is_user_address(m, addr) else None
        self._user_selection = Selection("address", addr, pid)
        self.selection = self._user_selection
        if self.front[:1] != ("walk",):          # the walk it asked for, in front (the lesson
            self.front = ("walk", *[p for p in self.front if p != "walk"])    # keeps the keys)
            self._apply_layout()

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette
        from .screens import SafeCommandPalette
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(SafeCommandPalette(id="--command-palette",
                                                placeholder=tr(self.lang, "palette.search")))

    def action_glossary(self) -> None:
        from .glossary import GlossaryScreen
        self.push_screen(GlossaryScreen(self.lang))

    def action_help(self) -> None:
        from .screens import HelpScreen
        self.push_screen(HelpScreen(self.lang))

    def action_switch_language(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"

    # -- command palette: every action by name ------------------------------------------
