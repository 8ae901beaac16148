"""The lesson pane: title, step n/N, narration, the operation and its result, the
events, the expects (✓/✗), kernel errors as text, and the selection's links."""
from __future__ import annotations

from typing import Any

from rich.text import Text

from .i18n import tr
from .textlines import TextLines, set_border_title

WORDS = {
    "en": {"step": "step", "start": "Start: the freshly booted machine. Press → or n to step.",
           "events": "events", "expects": "expects", "error": "kernel error", "more": "more",
           "selection": "selection", "question": "Q", "answer": "A", "log": "kernel log"},
    "zh": {"step": "步骤", "start": "开始：刚启动的机器。按 → 或 n 前进一步。",
           "events": "事件", "expects": "检查", "error": "内核错误", "more": "更多",
           "selection": "选中", "question": "问", "answer": "答", "log": "内核日志"},
}


def _event_text(ev: Any) -> str:
    describe = getattr(ev, "describe", None)
    return describe() if callable(describe) else repr(ev)


def lesson_text(title: str, summary: str, position: int, total: int, result: Any, lang: str,
                selection_line: str, max_events: int = 8, log: tuple = ()) -> Text:
    w = WORDS.get(lang, WORDS["en"])
    t = Text()
    t.append(f"{title}\n", "bold")
    t.append(f"{w['step']} {position}/{total}", "bold cyan")
    if result is None:
        t.append("\n\n")
        t.append(summary + "\n\n")
        t.append((w["start"] if total else tr(lang, "explore.hint")) + "\n", "dim")
    else:
        t.append(f"  {result.title(lang)}\n\n", "bold cyan")
        t.append(result.narration(lang).strip() + "\n\n")
        from .errata import teaching_text
        t.append(teaching_text(result.step, lang))
        t.append("> ", "dim")
        t.append(result.call_text(), "bold")
        t.append("  =>  ")
        shown = result.result_text().rstrip("\n").splitlines() or [""]
        if result.error is not None:
            t.append(f"{w['error']}: {result.error_kind}: {result.error_message}\n", "bold red")
        else:
            t.append(shown[0] + "\n", "green")
            for line in shown[1:6]:
                t.append(f"     {line}\n", "green")
        question = getattr(result, "question", None)
        if question is not None:
            t.append(f"{w['question']}: {question.ask(lang)}\n", "bold yellow")
            if getattr(question, "revealed", False):     # never before the learner answered
                t.append(f"{w['answer']}: {question.shown}\n", "yellow")
        if result.events:
            t.append(f"\n{w['events']}:\n", "dim")
            for ev in result.events[:max_events]:
                t.append(f"  · {_event_text(ev)}\n")
            if len(result.events) > max_events:
                t.append(f"  · ... {len(result.events) - max_events} {w['more']}\n", "dim")
        if result.expects:
            t.append(f"\n{w['expects']}:\n", "dim")
            for e in result.expects:
                if e.ok:
                    t.append(f"  ✓ {e.key} {e.expected}\n", "green")
                else:
                    t.append(f"  ✗ {e.key}: expected {e.expected}, got {e.actual}\n", "bold red")
    if selection_line:
        t.append(f"\n{w['selection']}: ", "dim")
        t.append(selection_line + "\n", "bold magenta")
    if log:
        t.append(f"\n{w['log']}:\n", "dim")
        for line in log[-4:]:
            t.append(f"  {line}\n", "red")
    return t


class LessonPane(TextLines):
    """Narration in the chosen language, and what the step did (drawn with the Line API)."""
    MIN_WIDTH = 40       # cells, border included: narration wraps; narrower is unreadable

    DEFAULT_CSS = """
    LessonPane { border: round $secondary; height: 1fr; padding: 0 1; }
    LessonPane:focus { border: round $accent; }
    """
    wrap = True

    def show_step(self, title: str, summary: str, position: int, total: int, result: Any,
                  lang: str, selection_line: str, log: tuple = ()) -> None:
        set_border_title(self, "Lesson" if lang == "en" else "课程")
        moved = (position, lang) != getattr(self, "_shown_at", None)
        self._shown_at = (position, lang)
        self.set_text(lesson_text(title, summary, position, total, result, lang, selection_line,
                                  log=log))
        if moved:
            self.scroll_home(animate=False)
