"""The app's chrome in the chosen language: the footer's and the palette's binding texts,
the help screen (help.md / help.zh.md)."""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from rich.cells import cell_len
from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle

from textual.filter import ANSIToTruecolor

from .ansi_palette import readable_ansi, readable_variables, triplet
from widgets.i18n import KEY_DESCRIPTIONS_EN, KEY_DESCRIPTIONS_ZH, KEYS_ZH, SYSTEM_COMMANDS_ZH, tr, with_keys

# binding id -> (description key, tooltip key or "")
BINDING_TEXT = {
    "step": ("key.step", "tip.step"), "back": ("key.back", "tip.back"),
    "jump-start": ("key.start", ""), "jump-end": ("key.end", ""),
    "play": ("key.play", "tip.play"), "faster": ("key.faster", ""), "slower": ("key.slower", ""),
    "zoom-in": ("key.zoom_in", ""), "zoom-out": ("key.zoom_out", ""),
    "goto": ("key.goto", "tip.goto"), "command-line": ("key.command", ""),
    "pick-lesson": ("key.lessons", ""), "theme": ("key.theme", ""),
    "language": ("key.language", ""), "help": ("key.help", ""),
    "return": ("key.return", "tip.return"), "layout": ("key.layout", "tip.layout"),
    "scroll-down": ("key.scroll_down", ""), "scroll-up": ("key.scroll_up", ""),
    "patterns": ("key.patterns", "tip.patterns"), "palette": ("key.palette", "tip.palette"),
    "glossary": ("key.glossary", "tip.glossary"), "quiz": ("key.quiz", "tip.quiz"),
}
PALETTE_SKIP = {"theme", "palette"}    # Textual's palette has its own "Theme" entry
THEMES = ("textual-dark", "textual-light", "projector", "nord", "gruvbox", "dracula")


def projector_theme() -> Any:
    """High contrast for projectors and light rooms: black on white, saturated accents."""
    from textual.theme import Theme
    return Theme(name="projector", primary="#0040c0", secondary="#000000", accent="#c00000",
                 warning="#a05000", error="#c00000", success="#006000",
                 foreground="#000000", background="#ffffff", surface="#ffffff", panel="#e8e8e8",
                 boost="#dde4ff", dark=False)


def binding_text(binding: Binding, lang: str) -> tuple[str, str]:
    """(description, tooltip) of one of the app's bindings in ``lang``."""
    bid = binding.id or ""
    if bid.startswith("front-"):
        pane = bid[len("front-"):]
        return f"{tr(lang, 'key.pane')}{'：' if lang == 'zh' else ': '}{tr(lang, f'pane.{pane}')}", ""
    keys = BINDING_TEXT.get(bid)
    if keys is None:
        return binding.description, binding.tooltip
    return tr(lang, keys[0]), tr(lang, keys[1]) if keys[1] else ""


def help_path(lang: str) -> Path:
    here = Path(__file__).parent
    zh = here / "help.zh.md"
    return zh if lang == "zh" and zh.exists() else here / "help.md"


def footer_key_width(key_display: str, description: str, compact: bool) -> int:
    """Cells a footer key takes (Textual's FooterKey: the key padded by one cell each side and
    the description followed by one, or in compact form the key and " description")."""
    if not description:
        return cell_len(key_display)
    if compact:
        return cell_len(key_display) + 1 + cell_len(description)
    return cell_len(key_display) + 2 + cell_len(description) + 1


PALETTE_KEY_EXTRA = 2      # the palette's key: a bar on its left and a cell of padding on its right
FOOTER_FIRST = ("return_to_lesson",)     # b, shown while exploring a branch (app.layout_ui)
FOOTER_KEPT = ("help",)                  # ?, the way to every other key: never left out


class StableFooter(Footer):
    """Textual's footer, recomposed only when the keys it shows change, showing only the keys
    that fit.  Textual rebuilds every key of the footer (widgets, styles) on each bindings
    signal -- focus moves, mounts, refreshes -- even when nothing it shows changed; at
    start-up that was most of the first frame's style work.  And it lays every key out in
    one row whatever the width, with the palette's key docked on the right over them: at 80
    columns the key under it was cut in half (and a Chinese character cut by it showed as a
    gap).  Keys that do not fit beside the palette's key are left out, from the last one
    but ``?`` (FOOTER_KEPT); they are all in the palette and the help screen."""

    _shown: tuple | None = None
    _width = -1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the keys are composed with the footer, so the first frame has them: Textual's footer
        # waits for the screen's first bindings signal, then for a refresh, then recomposes
        # (the whole screen was drawn four times before the footer appeared)
        self.set_reactive(Footer._bindings_ready, True)

    @staticmethod
    def keys_shown(screen: Any) -> tuple:
        """What the footer shows of the screen's active bindings (it recomposes when this changes)."""
        return tuple((b.key, b.description, b.tooltip, b.action, enabled, tooltip)
                     for (_, b, enabled, tooltip) in screen.active_bindings.values() if b.show)

    def compose(self) -> Any:
        """Textual's keys that fit, each created with the footer's ``compact`` already set: a
        key starts compact and its binding to the footer then unsets it, restyling every key
        twice.  (The palette's key is not bound to the footer: it stays compact.)"""
        from textual.widgets._footer import FooterKey
        self._shown = self.keys_shown(self.screen)
        keys, palette = [], []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.has_class("-command-palette"):
                palette.append(widget)
                continue
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
            keys.append(widget)
        # a key that comes and goes with the app's state goes first, where it is never left out
        keys.sort(key=lambda w: not (isinstance(w, FooterKey) and w.action in FOOTER_FIRST))
        self._width = width = self.app.size.width
        room = width - sum(footer_key_width(k.key_display, k.description, True) + PALETTE_KEY_EXTRA
                           for k in palette)
        def cells(key: FooterKey) -> int:
            return footer_key_width(key.key_display, key.description, self.compact)
        kept = [k for k in keys if isinstance(k, FooterKey) and k.action in FOOTER_KEPT]
        room -= sum(cells(k) for k in kept)
        for widget in keys:
            if isinstance(widget, FooterKey) and widget not in kept:
                room -= cells(widget)
                if room < 0:
                    continue
            yield widget
        yield from palette

    def on_resize(self) -> None:
        if self.app.size.width != self._width and self._shown is not None:
            self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Any) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            return
        shown = self.keys_shown(screen)
        if shown != self._shown:
            self._shown = shown
            self.call_after_refresh(self.recompose)


class MainScreen(Screen):
    """The app's main screen.  Its first resume does not restyle every node: they were styled
    as they mounted, just before (Textual restyles the whole screen on each resume)."""

    _resumed = False
    # the lesson has the focus until the user gives it to a pane (Tab, 1-7), and gets it back
    # when a step hides that pane (app/layout_ui.py): a step never picks a pane to light, so
    # step N's screen is the same however it was reached (the first pane shown, lit before,
    # stayed lit while shown: End then back lit another pane than stepping forward)
    AUTO_FOCUS = "#lesson"
    # Textual's Screen.focused repaints the whole screen when the focus moves (a reactive
    # with repaint): a full-screen paint, ~16 ms at 200x60, for what the restyle of the pane
    # focused and the pane blurred (their :focus border) repaints where it changed
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # runs before Screen's own handler (Textual calls each class's handler in MRO order)
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False


class FixedHeaderTitle(HeaderTitle):
    """The header's title: one row whose size never depends on its text (it ends in an
    ellipsis), so a new title repaints the row without laying out the whole screen."""

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(content, layout=False)


class StableHeader(Header):
    """Textual's header with :class:`FixedHeaderTitle`: the title changes with the machine
    (a boot step), and each change relaid out every pane."""

    def compose(self) -> Any:
        yield HeaderIcon().data_bind(Header.icon)
        yield FixedHeaderTitle()
        yield (HeaderClock().data_bind(Header.time_format) if self._show_clock
               else HeaderClockSpace())


def set_header(app: Any, title: str | None = None, sub_title: str | None = None) -> None:
    """Set the app's title and sub-title, repainting only the header's title row.  Textual's
    ``App.title``/``sub_title`` setters repaint the whole screen (every row of every pane,
    30-50 ms at 200x60) whenever the text changes: a boot step changes the machine's line."""
    from textual.app import App
    changed = False
    for name, value in (("title", title), ("sub_title", sub_title)):
        if value is not None and getattr(app, name) != value:
            app.set_reactive(getattr(App, name), value)
            changed = True
    if not changed:
        return
    screen = getattr(app, "_main_screen", None)
    header = None
    if screen is not None:
        header = getattr(app, "_header", None)
        if header is None:
            header = app._header = next(iter(screen.query(StableHeader)), None)
    if header is None or not header.is_mounted:
        app.refresh()                # not mounted yet: the next full paint shows it
        return
    for title_widget in header.query(HeaderTitle):
        title_widget.update(header.format_title())


def header_title(title: str, sub_title: str) -> Any:
    """The header's "mmviz · machine — lesson title" as App.format_title makes it, the lesson
    title at full strength (Textual dims the sub-title: 3.8:1 on nord's header)."""
    from textual.content import Content
    if not sub_title:
        return Content(title)
    return Content.assemble(Content(title), (" — ", "dim"), Content(sub_title))


class ChromeMixin:
    """Mixed into MmvizApp: needs lang, BINDINGS, _bindings."""

    lang: str

    def get_css_variables(self) -> dict[str, str]:
        """Textual's theme variables with the text and borders made readable on their
        backgrounds, and mmviz's own (``$mmviz-border``, ...): app.ansi_palette.readable_variables."""
        return readable_variables(super().get_css_variables(), self.current_theme.dark)  # type: ignore

    def watch_theme(self) -> None:
        """Every theme gets ANSI colours its text backgrounds can carry (app.ansi_palette)."""
        self.readable_ansi_colours()

    def readable_ansi_colours(self) -> None:
        """Set the terminal theme Textual maps the panes' ANSI colour names through to one
        made readable (4.5:1) on this theme's background, surface and panel."""
        css = self.get_css_variables()                   # type: ignore[attr-defined]
        backgrounds = tuple(triplet(css[k]) for k in ("background", "surface", "panel"))
        kinds = [type(f) for f in self._filters]          # type: ignore[attr-defined]
        if self.current_theme.dark:                      # type: ignore[attr-defined]
            self.ansi_theme_dark = readable_ansi(True, backgrounds)
        else:
            self.ansi_theme_light = readable_ansi(False, backgrounds)
        # Textual puts a plain ANSIToTruecolor in the place of the one a recording fixes the
        # dim factor of (app.filters.FixedDimTruecolor): the same kind again, with the new theme
        for i, (was, f) in enumerate(zip(kinds, self._filters)):   # type: ignore[attr-defined]
            if was is not type(f) and issubclass(was, ANSIToTruecolor) and isinstance(f, ANSIToTruecolor):
                self._filters[i] = was(f._terminal_theme, f.enabled)   # type: ignore[attr-defined]

    def action_next_theme(self) -> None:
        i = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(i + 1) % len(THEMES)]
        self.notify(tr(self.lang, "msg.theme", name=self.theme), timeout=1.5)

    def action_quiz(self) -> None:
        """Q: the seeded problems of ``mmviz quiz`` (app.quiz_ui)."""
        from .quiz_ui import QuizScreen
        self.push_screen(QuizScreen(self.lang))

    def action_toggle_patterns(self) -> None:
        """P: the physical map's classes as glyphs too (colour-blind readers, projectors)."""
        from widgets import PhysicalMapPane
        pane = self.query_one(PhysicalMapPane)
        pane.patterns = not pane.patterns
        pane._legend = []
        pane._rows.clear()
        pane.refresh()

    def translate_bindings(self) -> None:
        """Rewrite the app's bindings' descriptions in the current language (footer, palette)."""
        words = KEY_DESCRIPTIONS_ZH if self.lang == "zh" else KEY_DESCRIPTIONS_EN
        table = self._bindings.key_to_bindings
        for key, bindings in table.items():
            out = []
            for b in bindings:
                if b.id and (b.id in BINDING_TEXT or b.id.startswith("front-")):
                    desc, tip = binding_text(b, self.lang)
                    b = replace(b, description=desc, tooltip=tip)
                elif b.description in words:             # Textual's own (ctrl+q Quit)
                    b = replace(b, description=words[b.description])
                out.append(b)
            table[key] = out
        screen = getattr(self, "_main_screen", None) or self.screen
        for node in screen.walk_children(with_self=True):   # the panes' and Textual's own keys
            keymap = node._bindings.key_to_bindings
            for key, bindings in keymap.items():
                keymap[key] = [replace(b, description=words[b.description])
                               if b.description in words else b for b in bindings]
        self.refresh_bindings()

    def shown_key(self, binding: Binding) -> str:
        """One key of a binding as a text names it: Textual's display, ^q as Ctrl+Q, home as Home."""
        shown = self.get_key_display(binding)
        if shown.startswith("^") and len(shown) > 1:
            return "Ctrl+" + shown[1:].upper()
        return "+".join(p.capitalize() if len(p) > 1 and p.isascii() and p.isalpha() else p
                        for p in shown.split("+"))

    def publish_keys(self) -> None:
        """The keys each binding has now (the keymap applied, in the app's language) for the
        texts that name them (widgets.i18n KEY_NAMES: {key:return} -> b)."""
        from widgets import i18n
        from textual.binding import BindingsMap
        from .config import binding_owners
        keys: dict[str, list[str]] = {}
        maps = [self._bindings.copy()] + [BindingsMap(cls.BINDINGS) for cls in binding_owners()
                                          if not isinstance(self, cls) and issubclass(cls, Screen)]
        for n, bound in enumerate(maps):   # Textual applies the keymap to copies, key by key
            if self._keymap:
                bound.apply_keymap(self._keymap)
            for bindings in bound.key_to_bindings.values():
                for b in bindings:
                    if n == 0 or b.id:      # the app's own (ctrl+q: its action), the screens' ids
                        keys.setdefault(b.id or b.action, []).append(self.shown_key(b))
        names = {name: " / ".join(dict.fromkeys(shown)) for name, shown in keys.items()}
        front = [keys[b.id][0] for b in self.BINDINGS if b.id and b.id.startswith("front-") and b.id in keys]
        digits = [str(i) for i in range(1, len(front) + 1)]
        names["front"] = f"{front[0]}-{front[-1]}" if front == digits else "/".join(front)
        i18n.KEY_NAMES.clear()
        i18n.KEY_NAMES.update(names)

    def get_key_display(self, binding: Binding) -> str:
        """A key's name in the footer: Textual's, with its English key words in Chinese."""
        shown = super().get_key_display(binding)         # type: ignore[misc]
        return KEYS_ZH.get(shown, shown) if self.lang == "zh" else shown

    def get_system_commands(self, screen: Any) -> Iterable[SystemCommand]:
        for cmd in super().get_system_commands(screen):   # type: ignore[misc]
            if self.lang == "zh" and cmd.title in SYSTEM_COMMANDS_ZH:
                title, help_text = SYSTEM_COMMANDS_ZH[cmd.title]
                cmd = SystemCommand(title, help_text, cmd.callback, cmd.discover)
            yield cmd
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            if b.id in PALETTE_SKIP:
                continue
            desc, tip = binding_text(b, self.lang)
            if not tip:                       # say which key does it (as bound), not the title again
                key = with_keys(f"{{key:{b.id}}}").split(" / ")[0]
                tip = f"按键：{key}" if self.lang == "zh" else f"key: {key}"
            yield SystemCommand(desc, tip, partial(self.call_later, self.run_action, b.action))
