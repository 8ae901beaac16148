"""The command line for free exploration: one typed operation per line."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.content import Content
from textual.widgets import Input, Static

from scenarios.textsafe import sanitize


class CommandLine(Vertical):
    """An input (``kmalloc 100``, ``v = vmalloc 1M``); errors stay on one line below it."""

    DEFAULT_CSS = """
    CommandLine { height: auto; display: none; dock: bottom; layer: overlay; }
    CommandLine.-open { display: block; }
    CommandLine > Input { border: tall $accent; height: 3; }
    CommandLine > .error { height: 1; color: $error; }
    """
    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    class Submitted(Message):
        def __init__(self, line: str) -> None:
            self.line = line
            super().__init__()

    class Closed(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Input(placeholder="operation, e.g. alloc_pages GFP_KERNEL 3 as a  (Esc closes)",
                    id="command-input")
        yield Static("", classes="error")

    def open(self) -> None:
        self.add_class("-open")
        self.query_one(Input).focus()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    def show_error(self, message: str) -> None:
        line = message.splitlines()[0] if message else ""
        self.query_one(".error", Static).update(Content(sanitize(line)))   # text, not markup

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if line:
            self.post_message(self.Submitted(line))
            event.input.value = ""

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")
