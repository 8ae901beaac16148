"""The quiz screen (key Q, or "Quiz" in the palette): the seeded problems of
``mmviz quiz`` (scenarios.problems) in the TUI.

The whole state a problem needs is shown (free lists with pfns, page tables as hex words
with CR3, the slab line, zone watermarks, /proc/pid/maps); one question at a time is asked;
the student types an answer and Enter, and only then sees the engine's answer, right or
wrong, with its working.  Ctrl+N goes to the next kind, Ctrl+R draws a new seed.  The
"exercise" kind walks a textbook exercise the student types in:
``cr3=0xffff1000 mem=0xffff1ff0=0xf0f02007,0xf0f02800=0xff005007 vaddr=0xfff003fc [pae]``.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

WORDS = {
    "en": {"title": "Quiz", "keys": "Enter: answer · {key:quiz-next-kind}: next kind · {key:quiz-new-seed}: new seed · {key:close-quiz}: close",
           "kind": "kind", "seed": "seed", "q": "Question", "right": "✓ right", "wrong": "✗ the engine says",
           "you": "you said", "done": "Done: {0}/{1} right. {key:quiz-new-seed} for a new problem, {key:quiz-next-kind} for the next kind.",
           "type": "type your answer, then Enter", "ex": "Type an exercise, then Enter:",
           "ex_example": "(field case 14; add pae for 8-byte entries)", "walk": "mmviz walks it:",
           "bad": "cannot read that: {0}"},
    "zh": {"title": "练习", "keys": "Enter：提交答案 · {key:quiz-next-kind}：换题型 · {key:quiz-new-seed}：换随机数种子 · {key:close-quiz}：关闭",
           "kind": "题型", "seed": "随机数种子", "q": "问题", "right": "✓ 正确", "wrong": "✗ 模拟内核的答案是",
           "you": "你的答案", "done": "完成：答对 {0}/{1}。{key:quiz-new-seed} 换一道题，{key:quiz-next-kind} 换题型。",
           "type": "输入你的答案，然后按 Enter", "ex": "输入一道练习题，然后按 Enter：",
           "ex_example": "（现场案例 14；8 字节表项加 pae）", "walk": "mmviz 的查找过程：",
           "bad": "无法解析：{0}"},
}
EXAMPLE = "cr3=0xffff1000 mem=0xffff1000=0xf0f02007,0xf0f02800=0xff005007 vaddr=0x200ffc"


def parse_exercise(line: str, lang: str = "en") -> tuple[int, dict[int, int], int, bool]:
    """``cr3=.. mem=PADDR=VALUE,.. vaddr=.. [pae]`` -> (cr3, entries, vaddr, pae); ValueError
    (in ``lang`` for a decimal with a leading 0, which C reads as octal: app.cli_types)."""
    import re

    from scenarios.problems import parse_entries

    from .cli_types import leading_zero
    fields: dict[str, str] = {}
    pae = False
    for word in line.split():
        key, sep, value = word.partition("=")
        if key.lower() == "pae" and not sep:
            pae = True
        elif key.lower() in ("cr3", "mem", "vaddr") and sep:
            fields[key.lower()] = fields.get(key.lower(), "") + ("," if key.lower() == "mem" else "") + value
        else:
            raise ValueError(f"{word!r}（cr3=…、mem=PADDR=VALUE,…、vaddr=…、pae）" if lang == "zh" else
                             f"{word!r} (cr3=…, mem=PADDR=VALUE,…, vaddr=…, pae)")
    missing = [k for k in ("cr3", "mem", "vaddr") if k not in fields]
    if missing:
        raise ValueError(("缺少 " + "、".join(missing)) if lang == "zh" else "missing " + ", ".join(missing))
    for number in (fields["cr3"], fields["vaddr"], *re.split(r"[=,;]", fields["mem"])):
        hint = leading_zero(number, lang)
        if hint is not None:
            raise ValueError(hint)
    return int(fields["cr3"], 0), parse_entries(fields["mem"]), int(fields["vaddr"], 0), pae


class QuizScreen(ModalScreen[None]):
    """One problem at a time; answers are checked with scenarios.problems.answer_matches."""

    DEFAULT_CSS = """
    QuizScreen { align: center middle; }
    QuizScreen > Vertical { width: 96%; max-width: 150; height: 92%; border: thick $accent;
                            background: $surface; padding: 0 1; }
    QuizScreen #quiz-state-scroll { height: 1fr; }
    QuizScreen #quiz-question, QuizScreen #quiz-verdict { height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close", id="close-quiz"),
                Binding("ctrl+n", "next_kind", "Next kind", id="quiz-next-kind"),
                Binding("ctrl+r", "new_seed", "New seed", id="quiz-new-seed")]

    def __init__(self, lang: str = "en", kind: str = "buddy", seed: int = 1) -> None:
        super().__init__()
        self.lang = lang if lang in WORDS else "en"
        self.kind, self.seed = kind, seed
        self.problem: Any = None
        self.index = 0
        self.score = 0
        self.replies: list[tuple[str, bool]] = []

    @property
    def w(self) -> dict[str, str]:
        """The quiz's words, each key named as bound (widgets.i18n.with_keys)."""
        from widgets.i18n import with_keys
        return {k: with_keys(v) for k, v in WORDS[self.lang].items()}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="quiz-head")
            with VerticalScroll(id="quiz-state-scroll"):
                yield Static(id="quiz-state")
            yield Static(id="quiz-question")
            yield Input(id="quiz-answer")
            yield Static(id="quiz-verdict")

    def on_mount(self) -> None:
        self.load()

    # -- the problem -------------------------------------------------------------------
    def load(self) -> None:
        """Make the problem of the current kind and seed and ask its first question."""
        from scenarios.problems import problem
        self.index, self.score, self.replies = 0, 0, []
        self.problem = None if self.kind == "exercise" else problem(self.kind, self.seed)
        answer = self.query_one("#quiz-answer", Input)
        answer.value = EXAMPLE if self.kind == "exercise" else ""
        answer.placeholder = self.w["type"]
        self.query_one("#quiz-verdict", Static).update("")
        self._show()
        answer.focus()

    def _show(self) -> None:
        from scenarios.problems import ALL_KINDS
        head = Text()
        head.append(f"{self.w['title']}  ", "bold")
        for k in ALL_KINDS:
            head.append(f" {k} ", "bold reverse" if k == self.kind else "")   # (dim: 3.0:1 on nord)
        if self.kind != "exercise":
            head.append(f"   {self.w['seed']} {self.seed}", "cyan")
        head.append(f"\n{self.w['keys']}")
        self.query_one("#quiz-head", Static).update(head)
        state = self.query_one("#quiz-state", Static)
        question = self.query_one("#quiz-question", Static)
        if self.problem is None:
            state.update(Text(f"{self.w['ex']}\n  {EXAMPLE}\n  {self.w['ex_example']}"))
            question.update("")
            return
        state.update(Text("\n".join(self.problem.state_in(self.lang))))
        n = len(self.problem.questions)
        if self.index < n:
            q = self.problem.questions[self.index]
            # a span, not the Text's base style: Textual reads a base "yellow" as CSS's #FFFF00
            # (1.1:1 on the projector theme), a span's through the app's ANSI palette
            question.update(Text().append(f"{self.w['q']} {self.index + 1}/{n}: {q.get(self.lang) or q['en']}",
                                          "bold yellow"))
        else:
            question.update(Text(self.w["done"].format(self.score, n), "bold"))

    # -- answering -----------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reply = event.value.strip()
        if self.kind == "exercise":
            self._walk_exercise(reply)
            return
        if self.problem is None or self.index >= len(self.problem.questions) or not reply:
            return
        from scenarios.problems import answer_matches
        answer = self.problem.answers[self.index]
        right = answer_matches(answer, reply)
        self.score += right
        self.replies.append((reply, right))
        verdict = Text()
        if right:
            verdict.append(f"{self.w['right']}: {answer}", "bold green")
        else:
            verdict.append(f"{self.w['wrong']} {answer} ({self.w['you']} {reply})", "bold red")
        from widgets.notation import event_text
        working = self.problem.working(self.index, lambda ev, k: event_text(ev, k, self.lang))
        if working:
            verdict.append(f"\n  {working}", "dim")
        self.query_one("#quiz-verdict", Static).update(verdict)
        self.index += 1
        self.query_one("#quiz-answer", Input).value = ""
        self._show()

    def _walk_exercise(self, line: str) -> None:
        from scenarios.problems import exercise
        from scenarios.problems_walk import walk_answer
        verdict = Text()
        try:
            cr3, entries, vaddr, pae = parse_exercise(line, self.lang)
            answer, working = exercise(cr3, entries, vaddr, pae)
        except (ValueError, KeyError) as err:
            said = str(err)
            if self.lang == "zh":                # as the command line words it (app.cli_text)
                from .cli_text import error_zh
                said = error_zh(f"mmviz: --mem: {said}").removeprefix("mmviz：--mem：")
            verdict.append(self.w["bad"].format(said), "bold red")
        else:
            verdict.append(f"{self.w['walk']} CR3 = {cr3:#010x}, "
                           f"{'PAE 2/9/9/12' if pae else '10/10/12'}, {vaddr:#010x}\n", "bold")
            for part in working.split("; "):
                verdict.append(f"  {walk_answer(part, self.lang)}\n")
            verdict.append(f"=> {walk_answer(answer, self.lang)}", "bold green")
        self.query_one("#quiz-verdict", Static).update(verdict)

    # -- keys ----------------------------------------------------------------------------
    def action_next_kind(self) -> None:
        from scenarios.problems import ALL_KINDS
        self.kind = ALL_KINDS[(ALL_KINDS.index(self.kind) + 1) % len(ALL_KINDS)]
        self.load()

    def action_new_seed(self) -> None:
        self.seed += 1
        self.load()
