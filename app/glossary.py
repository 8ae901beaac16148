"""The glossary screen (key G): every term in English and Chinese with its kernel identifier."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class GlossaryScreen(ModalScreen[None]):
    """scenarios.glossary as a scrollable list; Esc, G or q closes it."""

    DEFAULT_CSS = """
    GlossaryScreen { align: center middle; }
    GlossaryScreen > VerticalScroll { width: 100; max-width: 100%; height: 85%; border: thick $accent;
                                      background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,G,q", "dismiss", "Close", id="close-glossary")]

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        from rich.text import Text

        from scenarios.glossary import GLOSSARY
        t = Text()
        t.append("Glossary 术语表\n\n" if self.lang == "en" else "术语表 Glossary\n\n", "bold")
        for term in GLOSSARY:
            first = term.zh if self.lang == "zh" else term.en
            second = term.other_name(self.lang)
            gloss = term.gloss_zh if self.lang == "zh" else term.gloss_en
            t.append(first, "bold cyan")
            t.append(f"  {second}  " if second else "  ")
            t.append(f"[{term.ident}]\n", "magenta")
            t.append(f"    {gloss}\n")
        with VerticalScroll():
            yield Static(t, id="glossary-text")
