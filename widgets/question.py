"""Predict, then see: the question of the step about to be shown, on a screen of its
own so that no pane gives the answer away.  Type an answer (or pick one of the
step's ``choices``); Enter checks it against the engine's value and reveals it;
Enter again (or Esc) returns to the lesson.  Esc before answering skips the question.
"""
from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from .i18n import tr

WORD_KEYS = ("head", "type", "pick", "right", "wrong", "answer", "back")


def words(lang: str) -> dict[str, str]:
    """The question's words in ``lang``, read when shown: they name keys as bound ({key:ID})."""
    return {k: tr(lang if lang in ("en", "zh") else "en", f"ask.{k}") for k in WORD_KEYS}


class QuestionScreen(ModalScreen[bool | None]):
    """Ask ``question`` (a scenarios.Question); dismiss with True/False, or None if skipped.
    Modal, so none of the app's keys (step, play, pick a lesson ...) acts on the lesson behind
    it, and opaque, so no pane gives the answer away."""

    DEFAULT_CSS = """
    QuestionScreen { align: center middle; background: $background; }
    QuestionScreen > Vertical { width: 90; max-width: 100%; height: auto; border: thick $warning; padding: 1 2; }
    QuestionScreen #question-text { margin-bottom: 1; text-style: bold; }
    QuestionScreen OptionList { height: auto; max-height: 8; }
    QuestionScreen #question-verdict { margin-top: 1; }
    """
    # The lesson's step keys: once answered they return to the lesson at this step; before,
    # the answer box keeps its own left/right/home/end (a focused widget's bindings come
    # first) and the others do nothing (the lesson behind stepped on unseen, the next step's
    # question stacked on this one).
    BINDINGS = [Binding("escape", "leave", "Skip", id="skip-question"),
                Binding("right,left,home,end,n,p", "lesson_key", show=False)]

    def __init__(self, question: Any, lang: str = "en", choices: list[str] | None = None,
                 title: str = "") -> None:
        super().__init__()
        self.question = question
        self.lang = lang
        self.choices = list(choices or [])
        self.title_text = title
        self.verdict: bool | None = None

    def compose(self) -> ComposeResult:
        w = words(self.lang)
        with Vertical():
            yield Label(f"{w['head']}{'  -  ' + self.title_text if self.title_text else ''}",
                        id="question-head")
            yield Static(self.question.ask(self.lang), id="question-text")
            yield Label(w["type"])
            yield Input(id="question-input")
            if self.choices:
                yield Label(w["pick"])
                yield OptionList(*[Option(c) for c in self.choices], id="question-choices")
            yield Static("", id="question-verdict")

    def on_mount(self) -> None:
        self.query_one("#question-input", Input).focus()

    def _answer(self, reply: str) -> None:
        if self.verdict is not None:
            self.action_leave()
            return
        w = words(self.lang)
        self.verdict = bool(self.question.check(reply))
        self.question.revealed = True
        mark = w["right"] if self.verdict else w["wrong"]
        self.query_one("#question-verdict", Static).update(
            f"{mark} - {w['answer']}: {self.question.shown}\n{w['back']}")
        self.query_one("#question-input", Input).disabled = True
        self.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip() and self.verdict is None:
            return                  # nothing typed yet: still asking (Esc skips)
        self._answer(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._answer(self.choices[event.option_index])

    def on_key(self, event: Any) -> None:
        if self.verdict is not None and event.key == "enter":
            event.stop()
            self.action_leave()

    def action_leave(self) -> None:
        self.dismiss(self.verdict)

    def action_lesson_key(self) -> None:
        """A step key: back to the lesson at this step once answered, else nothing."""
        if self.verdict is not None:
            self.action_leave()


def ask_current(app: Any) -> None:
    """After a step: if it has a question not yet answered, pause and ask it first.

    Only when ``app.ask_questions`` is true: ``mmviz`` sets it for a learner at a terminal;
    recordings and scripted runs step without stopping (the pane still hides the answer)."""
    r = app.timeline.current
    q = r.question if r is not None else None
    if q is None or q.revealed or not getattr(app, "ask_questions", False):
        return
    app.playing = False
    ask = r.step.ask
    app.push_screen(QuestionScreen(q, app.lang, ask.choices if ask is not None else None, r.title(app.lang)),
                    lambda _verdict: app.refresh_view())
