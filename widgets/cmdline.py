"""The command line: one typed operation per line; Tab completes, never moves the focus."""
from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.content import Content
from textual.widgets import Input, Static


Completer = Callable[[str], "tuple[str, list[str]]"]


class CommandInput(Input):
    """An Input whose Tab completes the line (through ``completer``) instead of moving focus."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]
    completer: Completer | None = None

    def action_complete(self) -> None:
        parent = self.parent
        if self.completer is None or not isinstance(parent, CommandLine):
            return
        line, options = self.completer(self.value.lstrip(":"))
        if line != self.value:
            self.value = line
            self.cursor_position = len(line)
        parent.show_options(options)


class CommandLine(Vertical):
    """An input (``kmalloc 100``, ``v = vmalloc 1M``, ``help``); one line of errors or
    completions below it."""

    DEFAULT_CSS = """
    CommandLine { height: auto; display: none; dock: bottom; layer: overlay; }
    CommandLine.-open { display: block; }
    CommandLine > Input { border: tall $accent; height: 3; }
    CommandLine > .error { height: auto; max-height: 3; color: $error; }
    CommandLine > .error.-options { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    class Submitted(Message):
        def __init__(self, line: str) -> None:
            self.line = line
            super().__init__()

    class Closed(Message):
        pass

    def __init__(self, *, completer: Completer | None = None, placeholder: str = "", **kw) -> None:
        super().__init__(**kw)
        self._completer = completer
        self._placeholder = placeholder or "operation, e.g. alloc_pages GFP_KERNEL 3 as a"

    def compose(self) -> ComposeResult:
        field = CommandInput(placeholder=self._placeholder, id="command-input")
        field.completer = self._completer
        yield field
        yield Static("", classes="error")

    def set_completer(self, completer: Completer | None) -> None:
        self._completer = completer
        self.query_one(CommandInput).completer = completer

    def set_placeholder(self, text: str) -> None:
        self.query_one(CommandInput).placeholder = text

    def open(self) -> None:
        self.add_class("-open")
        self.query_one(Input).focus()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    def show_error(self, message: str) -> None:
        line = self.query_one(".error", Static)
        line.remove_class("-options")
        text = message.splitlines()[0] if message else ""
        line.update(Content(text))          # text, not markup (the app sanitizes it)

    def show_options(self, options: list[str], limit: int = 24) -> None:
        """The completions that remain (several): shown below the input, dimmed."""
        line = self.query_one(".error", Static)
        line.set_class(bool(options), "-options")
        shown = "  ".join(options[:limit]) + ("  …" if len(options) > limit else "")
        line.update(Content(shown))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip().lstrip(":").strip()
        if line:
            self.post_message(self.Submitted(line))
            event.input.value = ""

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")
