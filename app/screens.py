"""Modal screens: help (Markdown from help.md), the lesson picker, go-to-address, and the
command palette."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from widgets.i18n import tr

HELP_PATH = Path(__file__).with_name("help.md")


class HelpScreen(ModalScreen[None]):
    """The keys and the panes, from help.md (help.zh.md in Chinese)."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: 80%; border: thick $accent;
                                  background: $surface; }
    /* a cell's long word (a Chinese sentence has no spaces, "Shift+↓") folds, never cut with … */
    HelpScreen MarkdownTableContent > .cell { text-overflow: fold; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="close-help")]

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown    # markdown-it: imported when a help is opened
        from widgets.i18n import with_keys
        from .chrome import help_path
        with VerticalScroll():       # its keys as bound ({key:return}), the keymap's if remapped
            yield Markdown(with_keys(help_path(self.lang).read_text(encoding="utf-8")), id="help-text")


class OpsHelp(ModalScreen[None]):
    """``help`` / ``help OP`` typed in the command line: generated from the operation table."""

    DEFAULT_CSS = """
    OpsHelp { align: center middle; }
    OpsHelp > VerticalScroll { width: 90%; max-width: 140; height: 85%; border: thick $accent;
                               background: $surface; }
    OpsHelp MarkdownTableContent > .cell { text-overflow: fold; }
    """
    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="close-ops-help")]

    def __init__(self, markdown: str, title: str = "") -> None:
        super().__init__()
        self.markdown = markdown
        self.title_text = title

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown
        with VerticalScroll() as scroll:
            scroll.border_subtitle = self.title_text
            yield Markdown(self.markdown, id="ops-help-text")


class LessonPicker(ModalScreen[Any]):
    """Choose a bundled lesson; Enter opens it, Esc keeps the current one."""

    DEFAULT_CSS = """
    LessonPicker { align: center middle; }
    LessonPicker > Vertical { width: 80; max-width: 100%; height: auto; max-height: 80%; border: thick $accent;
                              background: $surface; padding: 0 1; }
    LessonPicker OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Close", id="close-picker")]

    def __init__(self, lessons: list[Any], lang: str, current: str | None = None) -> None:
        super().__init__()
        self.lessons = lessons
        self.lang = lang
        self.current = current          # the open lesson's id: highlighted, Enter reopens it

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(tr(self.lang, "picker.title"))
            options = OptionList(*[Option(self._entry(i, l), id=f"lesson-{i}")
                                   for i, l in enumerate(self.lessons)], id="lesson-options")
            at = next((i for i, l in enumerate(self.lessons) if l.id == self.current), None)
            if at is not None:
                options.highlighted = at
            yield options

    def _entry(self, i: int, lesson: Any) -> Table:
        """One lesson: its number and id in a column of their own, the title and what it needs
        beside them, wrapped under the title (not under the number) on a narrow terminal, and
        the step count in a last column that never wraps (Rich breaks a line at any space, a
        no-break space included, so "(14 步)" could lose its 步 to the next line)."""
        needs = "needs" if self.lang == "en" else "先学"
        about = (lesson.title_in(self.lang)
                 + (f"  [{needs}: {', '.join(lesson.requires)}]" if lesson.requires else "")
                 + self._source(lesson))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_column(no_wrap=True)
        grid.add_column(width=1)                    # room before the list's scrollbar
        grid.add_row(f"{i + 1:>2}. {lesson.id:<16}", RichText(about),
                     f"({tr(self.lang, 'picker.steps', n=len(lesson))})", "")
        return grid

    def _source(self, lesson: Any) -> str:
        """A user's lesson (--lessons DIR, the config's lessons) names its folder."""
        from scenarios.library import is_bundled
        if is_bundled(lesson.path):
            return ""
        from pathlib import Path
        folder = Path(lesson.path).parent
        home = Path.home()
        shown = f"~/{folder.relative_to(home)}" if folder.is_relative_to(home) else str(folder)
        return f"  ({shown})"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.lessons[event.option_index])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class GotoAddress(ModalScreen[str | None]):
    """Type an address (0xc0100000, or a name from the lesson such as ``page``)."""

    DEFAULT_CSS = """
    GotoAddress { align: center middle; }
    GotoAddress > Vertical { width: 60; height: auto; border: thick $accent; background: $surface;
                             padding: 0 1; }
    GotoAddress Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Close", id="close-goto")]

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(tr(self.lang, "goto.prompt"))
            yield Input(placeholder="0xc0100000", id="goto-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class SafeCommandPalette(CommandPalette):
    """Textual's command palette, surviving PageUp/PageDown that arrive with Ctrl+P in one
    burst: the option list has no lines yet, and Textual 8.2's OptionList._move_page
    then raises KeyError."""

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):      # the list is not laid out yet: nothing to move
            pass
