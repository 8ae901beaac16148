"""The lesson pane: title, step n/N, narration, the operation in kernel notation and its
result, the complete /proc output (the lines the narration talks about highlighted), the
events, the checks as sentences, the selection, and the kernel log up to this step.

Drawn from the step view alone; when more lines follow below the visible part, the
border says how many.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text

from .i18n import engine_phrase, tr
from .notation import event_text, later_note
from .selection import describe
from .stepview import StepView, derived, per_step
from .textlines import TextLines, set_border_subtitle, set_border_title, split_lines

if TYPE_CHECKING:
    from engine.machine import Machine

WORD_KEYS = ("step", "start", "events", "expects", "error", "more", "selection", "question", "answer",
             "log", "intended", "output", "below", "title", "deeper")


def words(lang: str) -> dict[str, str]:
    """The lesson pane's words in ``lang`` (from widgets.i18n)."""
    return {k: tr(lang, f"lesson.{k}") for k in WORD_KEYS}


WORDS = {lang: words(lang) for lang in ("en", "zh")}
MAX_EVENTS = 8
_KEY = re.compile(r"^\s*(?:Node \d+, zone\s+)?([A-Za-z_][\w()/ ]*?)\s*[:\s]\s*[-\d(]")


def _kernel(machine: Machine | None) -> str:
    return machine.config.kernel if machine is not None else "6.1"


def highlighted_lines(lines: list[str], narration: str, needles: tuple[str, ...] = ()) -> set[int]:
    """Output lines the narration (or a check) talks about: a line whose leading field name
    (``MemTotal``, ``pages free``, ``zone Normal``, ``kmalloc-128``) the narration names, or
    that holds a checked text."""
    hits = set()
    for i, line in enumerate(lines):
        if any(n and n in line for n in needles):
            hits.add(i)
            continue
        stripped = line.strip()
        if stripped.startswith("Node ") and ", zone" in stripped:
            key = stripped.split()[-1]
        else:
            m = _KEY.match(line)
            key = m.group(1).strip() if m else stripped.split(" ")[0].rstrip(":")
        if len(key) >= 3 and named(key, narration):
            hits.add(i)
    return hits


def _word_char(ch: str) -> bool:
    """A character of a name: what ``\\w`` matches (a letter, digit or number, or ``_``) or ``-``."""
    return ch.isalnum() or ch in "_-"


def named(key: str, text: str) -> bool:
    """``key`` occurs in ``text`` as a whole name: not inside a longer identifier or number
    (``re.search(rf"(?<![\\w-]){re.escape(key)}(?![\\w-])", text)``, without compiling a
    pattern per key: an output of a hundred lines compiled a hundred, 7 ms a step)."""
    at = text.find(key)
    end = len(key)
    while at >= 0:
        if (at == 0 or not _word_char(text[at - 1])) and \
                (at + end >= len(text) or not _word_char(text[at + end])):
            return True
        at = text.find(key, at + 1)
    return False


def lesson_text(view: StepView, selection_line: str) -> Text:
    """Everything the lesson pane shows for this view."""
    lang, result = view.lang, view.result
    w = WORDS.get(lang, WORDS["en"])
    colon = "：" if lang == "zh" else ": "
    t = Text()
    t.append(f"{view.title}\n", "bold")
    t.append(f"{w['step']} {view.position}/{view.total}", "bold cyan")
    if result is None:
        t.append("\n\n")
        t.append(view.summary + "\n\n")
        t.append((tr(lang, "lesson.start") if view.total else tr(lang, "explore.hint")) + "\n", "dim")
    else:
        narration = result.narration(lang).strip()
        t.append(f"  {result.title(lang)}\n\n", "bold cyan")
        t.append(narration + "\n\n")
        from .errata import teaching_text
        t.append(teaching_text(result.step, lang))
        t.append("> ", "dim")
        t.append(result.call_text(lang), "bold")
        if result.error is not None:
            from .error_text import error_lines
            said = "\n    ".join(error_lines(result.error_kind, result.error_message, lang))
            if result.intended:
                t.append(f"\n  {w['intended']}{colon}{said}\n", "bold yellow")
            else:
                t.append(f"\n  {w['error']}{colon}{said}\n", "bold red")
        else:
            items = result.items
            shown = [tr(lang, "lesson.repeat", done=len(items), failed=result.errors)] \
                if items is not None else result.result_text().expandtabs(8).rstrip("\n").splitlines() or [""]
            if len(shown) == 1:
                t.append(" = ")
                t.append(engine_phrase(shown[0], lang) + "\n", "green")
            else:
                t.append(f"   ({len(shown)} {w['output']})\n", "dim")
                needles = tuple(e.value for e in result.expects if e.cmp == "contains" or e.key == "contains")
                marked = highlighted_lines(shown, narration, needles)
                for i, line in enumerate(shown):
                    t.append(("▸ " if i in marked else "  ") + line + "\n",
                             "bold yellow" if i in marked else "green")
        question = result.question
        if question is not None:
            t.append(f"{w['question']}{colon}{question.ask(lang)}\n", "bold yellow")
            if question.revealed:                       # never before the learner answered
                t.append(f"{w['answer']}{colon}{question.shown}\n", "yellow")
        if result.events:
            kernel = _kernel(view.machine)
            later = later_note(kernel, result.events[:MAX_EVENTS], lang)
            t.append(f"\n{w['events']}{later}{colon.rstrip()}\n", "dim")
            for ev in result.events[:MAX_EVENTS]:
                t.append(f"  · {event_text(ev, kernel, lang)}\n")
            if len(result.events) > MAX_EVENTS:
                t.append(f"  · … {len(result.events) - MAX_EVENTS} {w['more']}\n", "dim")
        failed = [e for e in result.expects if not e.ok]
        if failed:              # a passing check is the lesson author's test, not the student's
            t.append(f"\n{w['expects']}{colon.rstrip()}\n", "dim")
            for e in failed:
                t.append(f"  ✗ {e.sentence(lang)}\n", "bold red")
        deeper = result.step.deeper_in(lang)
        if deeper:              # below the step's own lines: read it after the step, if at all
            t.append(f"\n▸ {w['deeper']}\n", "bold dim")
            t.append(deeper + "\n", "italic")
    if selection_line:
        t.append(f"\n{w['selection']}{colon}", "dim")
        t.append(selection_line + "\n", "bold magenta")
    if view.log:
        t.append(f"\n{w['log']}{colon.rstrip()}\n", "dim")
        for line, intended in view.log[-4:]:
            t.append(f"  {line}\n", "yellow" if intended else "red")
    return t


def lesson_lines(view: StepView, selection_line: str) -> list[Text]:
    """:func:`lesson_text` as lines, made once per step result and what else they show (the
    same list each time the step is shown again: its lines are then laid out once, see
    ``TextLines.set_lines``)."""
    result = view.result
    if result is None:
        return split_lines(lesson_text(view, selection_line))
    q = result.question
    key = ("lesson_lines", view.lang, view.title, view.summary, view.position, view.total,
           selection_line, view.log[-4:], _kernel(view.machine),
           None if q is None else (q.revealed, q.shown))
    return derived(result, key, lambda: split_lines(lesson_text(view, selection_line)))


class LessonPane(TextLines):
    """Narration in the chosen language, and what the step did (drawn with the Line API)."""
    MIN_WIDTH = 40       # cells, border included: narration wraps; narrower is unreadable

    DEFAULT_CSS = """
    LessonPane { border: round $secondary; height: 1fr; padding: 0 1; overflow-y: scroll; }
    LessonPane:focus { border: round $accent; }
    """
    wrap = True

    def show(self, view: StepView) -> None:
        """Draw the lesson at this view; a move to another step scrolls back to the top."""
        w = WORDS.get(view.lang, WORDS["en"])
        set_border_title(self, w["title"])
        moved = (view.position, view.lang, view.title) != getattr(self, "_shown_at", None)
        self._shown_at = (view.position, view.lang, view.title)
        self._below_word = w["below"]
        selected = per_step(view, "describe", lambda: describe(view.machine, view.selection, view.lang))
        self.set_lines(lesson_lines(view, selected), keep=True)
        if moved and self.scroll_y:
            self.scroll_home(animate=False, immediate=True)
        self._mark_more()

    def _mark_more(self) -> None:
        """The border's subtitle says how many lines follow below the visible part."""
        below = len(self._lines) - int(self.scroll_y) - self.size.height
        text = f"{below} {getattr(self, '_below_word', 'more lines below ↓')}" if below > 0 else ""
        set_border_subtitle(self, text)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._mark_more()

    def on_resize(self) -> None:
        super().on_resize()
        self._mark_more()
