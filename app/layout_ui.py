"""The app's layout: applies app/layout.py's plan to the screen, the tab bar, the status line.

The screen gets one class per layout (-wide, -medium, -compact, -too-small, styled in
mmviz.tcss); hidden panes get -hidden; the lesson's width (medium) and the wide grid's
columns come from the panes' MIN_WIDTH.
"""
from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.css.scalar import Scalar
from textual.widgets import Static

from widgets import LessonPane
from widgets.i18n import tr

from .chrome import set_header


class LayoutMixin:
    """Mixed into MmvizApp: needs front, layout_wanted, plan, timeline, lang, playing."""

    front: tuple[str, ...]
    layout_wanted: str
    plan: Any

    def _apply_layout(self, size: Any = None, deferred: bool = True) -> None:
        """Choose the layout for this size and the panes in front, and set it on the screen.
        A pane that draws only when shown (``DRAW_WHEN_SHOWN``) and comes in front draws the
        view it missed (``deferred``: False when a new view is published right after)."""
        from . import layout
        screen = getattr(self, "_main_screen", None)
        if screen is None:
            return
        w, h = size or self.size
        plan = layout.choose((w, h), self.front, self.layout_wanted)
        self.plan = plan
        self.layout_width = w        # the tab bar's width: on a resize self.size is still the old one
        for name in (*layout.LAYOUTS, "too-small"):
            screen.set_class(name == (plan.layout if plan else "too-small"), f"-{name}")
        if plan is None:
            self.query_one("#too-small", Static).update(
                tr(self.lang, "too_small", w=layout.COMPACT_MIN[0], h=layout.COMPACT_MIN[1]))
            return
        main = self._by_id("main")
        lesson = self._by_id("lesson")
        width = plan.lesson_width if plan.layout == "medium" else None
        if plan.layout == "wide":
            left, mid, right = layout.wide_columns(w, layout.min_widths())
            main.styles.grid_columns = f"{left} {mid} {right}"
        if lesson.styles.inline.get_rule("width") != (None if width is None else Scalar.parse(str(width))):
            lesson.styles.width = width          # setting it, even unchanged, relayouts the screen
        for pane in layout.PANES:
            widget = self._by_id(pane)
            hide = pane not in plan.visible
            if widget.has_class("-hidden") != hide:
                # the class names it; display (inline) hides it: a class change restyles the
                # pane and its scroll bars from the stylesheet (~1 ms a pane), display does not
                widget.set_class(hide, "-hidden", update=False)
                widget.display = not hide
            view = getattr(widget, "deferred_view", None)
            if deferred and view is not None and pane in plan.visible:
                widget.deferred_view = None
                widget.show(view)
        focused = self.focused
        if focused is not None and focused.has_class("-hidden"):
            lesson.focus()          # as at the start (MainScreen.AUTO_FOCUS), whatever the step
        self._show_tabs()

    def _by_id(self, name: str) -> Any:
        """A widget of the main screen by id, found once (a query walks the whole screen)."""
        found = self.__dict__.setdefault("_main_widgets", {})
        widget = found.get(name)
        if widget is None:
            widget = found[name] = self._main_screen.query_one(f"#{name}")
        return widget

    def _show_tabs(self) -> None:
        """The chrome that follows the step and the app's state: the tab bar (medium and
        compact: the layout, the panes, front ones lit), the header, the footer's ``b``.
        The exploration branch and autoplay come first wherever they are shown, so a narrow
        terminal cuts the titles after them, never them (at 80x24 the tab bar is the only
        line above the panes: the header is hidden there)."""
        plan = getattr(self, "plan", None)
        forms = self._state_forms()
        self._header_state = forms[0] if forms else ""
        self._show_return_key()
        if plan is not None and plan.layout != "wide":
            bar = self._tab_bar(plan.visible, forms if plan.layout == "compact" else ())
            tabs = self._by_id("pane-tabs")
            if bar != tabs.content:
                # one row of the screen's full width (app/mmviz.tcss): its text never moves
                # another widget, so no relayout (Static.update lays the screen out by default:
                # at 80x24 and 120x40 every step was a relayout and a repaint of the screen)
                tabs.update(bar, layout=False)
        set_header(self, sub_title=self._status_line())

    def _tab_bar(self, visible: Any, states: tuple[str, ...] = ()) -> str:
        """The tab bar's markup, fitted to the terminal's width: the state first (``states``:
        its full and its short form, :meth:`_state_forms`), then every pane's key, always
        shown; to make room the keys' hint goes first, then the panes behind lose their
        names, then the state takes its short form, and last it is cut (a line too long for
        the terminal was cut at its end, hiding the last panes' keys or the state)."""
        from rich.cells import cell_len, set_cell_size
        from . import layout
        room = getattr(self, "layout_width", self.size.width) - 2     # the bar's padding
        hint = tr(self.lang, "tabs.keys")
        fits = False
        for state in states or ("",):
            for named, hinted in ((True, True), (True, False), (False, True), (False, False)):
                labels = [(i, pane, tr(self.lang, f"pane.{pane}") if named or pane in visible else "")
                          for i, pane in enumerate(layout.PANES, 1)]
                used = sum(cell_len(f" {i} {name} " if name else f" {i} ") for i, _, name in labels)
                used += len(labels) - 1 + (2 + cell_len(hint) if hinted else 0)
                used += cell_len(state) + 2 if state else 0
                fits = used <= room
                if fits:
                    break
            if fits:
                break
        if not fits and state:           # the panes' keys and what is left of the state
            left = max(1, room - (used - cell_len(state)))
            state = set_cell_size(state, left - 1) + "…"
        parts = []
        for i, pane, name in labels:
            # the panes in front reversed, the others plain (dim was 4.1:1 on nord's panel)
            text = f" {i} {escape(name)} " if name else f" {i} "
            parts.append(f"[@click=app.front('{pane}')][reverse bold]{text}[/][/]" if pane in visible
                         else f"[@click=app.front('{pane}')]{text}[/]")
        bar = " ".join(parts)
        if hinted:
            bar += f"  {escape(hint)}"
        return f"[bold $mmviz-accent-text]{escape(state)}[/]  {bar}" if state else bar

    def _state_forms(self) -> tuple[str, ...]:
        """The exploration branch and the autoplay state, in full and in short (the tab bar
        at 80 columns); () when the app just shows the lesson."""
        full, short = [], []
        if self.lesson_timeline is not None:
            step = self.lesson_timeline.position
            full.append(tr(self.lang, "branch.on", step=step, lesson=self.lesson_timeline.lesson.id))
            short.append(tr(self.lang, "branch.short", step=step))
        if self.playing:
            seconds = self._step_seconds()
            full.append(tr(self.lang, "play.on", seconds=seconds))
            short.append(tr(self.lang, "play.short", seconds=seconds))
        return (" · ".join(full), " · ".join(short)) if full else ()

    def _status_line(self) -> str:
        """The header's sub-title: the state (:meth:`_state_forms`), then the lesson's title."""
        forms = self._state_forms()
        return " · ".join([*forms[:1], self.timeline.lesson.title_in(self.lang)])

    def format_title(self, title: str, sub_title: str) -> Any:
        """The header's row: the state first, in bold, then the machine and the lesson's title
        (Textual puts the sub-title after the title: at 120 columns the row ends before it)."""
        from .chrome import header_title
        state = getattr(self, "_header_state", "")
        if not state or not sub_title.startswith(state):
            return header_title(title, sub_title)
        from textual.content import Content
        rest = sub_title[len(state):].removeprefix(" · ")
        return Content.assemble((state, "bold"), ("  ", ""), header_title(title, rest))

    def _show_return_key(self) -> None:
        """``b`` (back to the lesson) in the footer while a typed command explores a branch
        of it, hidden otherwise (the key works always: out of a branch it says so)."""
        from dataclasses import replace
        exploring = self.lesson_timeline is not None
        table = self._bindings.key_to_bindings          # type: ignore[attr-defined]
        changed = False
        for key, bindings in table.items():
            if any(b.id == "return" and b.show != exploring for b in bindings):
                table[key] = [replace(b, show=exploring) if b.id == "return" else b for b in bindings]
                changed = True
        if changed:
            self.refresh_bindings()                     # type: ignore[attr-defined]

    def action_front(self, pane: str) -> None:
        """Bring a pane in front (medium, compact) or focus it (wide)."""
        from . import layout
        if pane not in layout.PANES:
            return
        self.front = (pane, *[p for p in self.front if p != pane])
        self._apply_layout()
        self.query_one(f"#{pane}").focus()

    def action_next_layout(self) -> None:
        """Cycle through the layouts that fit this terminal."""
        from . import layout
        fits = layout.fitting(self.size, self.front)
        if not fits:
            return
        if len(fits) == 1:              # nothing to choose: no choice is pinned for a later resize
            self.notify(tr(self.lang, "msg.layout_only", name=tr(self.lang, f"layout.{fits[0]}"),
                           w=self.size.width, h=self.size.height), timeout=2)
            return
        current = self.plan.layout if self.plan else fits[0]
        nxt = fits[(fits.index(current) + 1) % len(fits)] if current in fits else fits[0]
        self.layout_wanted = nxt
        self._apply_layout()
        self.notify(tr(self.lang, "msg.layout", name=tr(self.lang, f"layout.{nxt}")), timeout=1.5)

    def action_scroll_lesson(self, lines: int) -> None:
        self.query_one(LessonPane).scroll_relative(y=lines, animate=False)
