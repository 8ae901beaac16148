"""The app's command line: Tab completion, ``help``, and typed steps as an exploration branch.

A line typed during a lesson does not touch the lesson: the timeline is branched at the
current step (:meth:`scenarios.Timeline.branch`) and the typed steps go to the branch,
shown as such first on the line above the panes (the header, or the tab bar at 80x24:
app/layout_ui.py), in the lesson pane and in the footer; the ``return`` binding (b unless a
keymap says otherwise) goes back to the untouched lesson where it was.  In free exploration
(a lesson without steps) typed steps simply extend it.
"""
from __future__ import annotations

from typing import Any

from scenarios.textsafe import sanitize
from widgets import CommandLine
from widgets.i18n import tr


class ExploreMixin:
    """Mixed into MmvizApp: needs timeline, lesson_timeline, lang, _move, _after_move."""

    timeline: Any
    lesson_timeline: Any
    lang: str
    _focus_before_command: Any = None     # what had the focus when the command line opened

    def _complete(self, line: str) -> tuple[str, list[str]]:
        from .commands import complete
        return complete(line, self.timeline.env, self.timeline.machine.config.kernel)

    def action_command_line(self) -> None:
        cmd = self.query_one(CommandLine)
        cmd.set_completer(self._complete)
        cmd.set_placeholder(tr(self.lang, "cmd.placeholder"))
        self._focus_before_command = self.focused      # type: ignore[attr-defined]
        cmd.open()

    def on_command_line_submitted(self, message: CommandLine.Submitted) -> None:
        from scenarios import CommandError, LessonError, parse_command
        from .commands import HELP_WORDS, help_markdown
        cmd = self.query_one(CommandLine)
        words = message.line.split()
        if words and words[0] in HELP_WORDS:
            from .screens import OpsHelp
            cmd.show_error("")
            self.push_screen(OpsHelp(help_markdown(words[1] if len(words) > 1 else None, self.lang),
                                     tr(self.lang, "help.close")))
            return
        op_word = words[2] if len(words) > 2 and words[1] == "=" else words[0] if words else ""
        from scenarios.ops import lookup
        if self.lang != "en" and op_word and lookup(op_word) is None:    # "did you mean" in Chinese
            import difflib
            from .commands import op_names
            near = difflib.get_close_matches(op_word, op_names(), n=3)
            hint = tr(self.lang, "help.did_you_mean", names=", ".join(near)) if near else ""
            cmd.show_error(sanitize(f"{tr(self.lang, 'help.unknown', name=op_word)} {hint}".strip()))
            return
        tl = self.timeline
        try:
            step = parse_command(message.line, names=dict(tl.env), index=tl.position,
                                 machine={"kernel": tl.machine.config.kernel})
        except (CommandError, LessonError) as err:
            from .lesson_errors_zh import problem_zh
            text = str(err)                     # the validators' words, in Chinese where wholly so
            cmd.show_error(sanitize((problem_zh(text) or text) if self.lang == "zh" else text))
            return
        cmd.show_error("")
        from scenarios.explore import is_free_exploration
        if self.lesson_timeline is None and len(tl) > 0 and not is_free_exploration(tl.lesson):
            self.lesson_timeline = tl              # a lesson: explore on a branch of it
            self.playing = False
            tl = self.timeline = tl.branch()
        self._move(lambda: tl.add(step))
        if tl.current is not None and tl.current.error is not None:
            from widgets.error_text import error_text
            cmd.show_error(sanitize(error_text(tl.current.error_kind, tl.current.error_message, self.lang)))

    def on_command_line_closed(self) -> None:
        """The focus goes back where it was (the lesson, or the pane the user chose), or to
        the lesson if a command's step hid that pane: never to a hidden pane."""
        before = self._focus_before_command
        if before is None or not before.is_attached or before.has_class("-hidden"):
            before = self.query_one("#lesson")
        before.focus()

    def action_return_to_lesson(self) -> None:
        """Leave the exploration branch: the lesson comes back exactly where it was."""
        if self.lesson_timeline is None:
            self.notify(tr(self.lang, "branch.none"), timeout=2)
            return
        self.timeline, self.lesson_timeline = self.lesson_timeline, None
        self._after_move()
        self.notify(tr(self.lang, "branch.back", step=self.timeline.position), timeout=2)
