"""``mmviz run LESSON --text``: a lesson as text, asking its questions first.

Each step with a question prints the question *before* the step's title,
narration and result.  On a terminal the learner types an answer, which the
engine's value then checks; with ``--answers`` (for teachers) the answer is
printed after the step; otherwise it is never printed.  Errata, listings and
the "try it yourself" commands are printed in both languages' styles.
"""
from __future__ import annotations

import re
import sys
import textwrap
import unicodedata
from typing import Any, Callable

WIDTH = 88


def _more(w: dict, key: str, n: int) -> str:
    """'1 more line; --full shows it' / '3 more lines; --full shows them' (zh: one form)."""
    return w.get(f"{key}1", w[key]).format(n) if n == 1 else w[key].format(n)


def referred_lines(lines: list[str], said: str) -> list[int]:
    """The indexes of the output lines (after the first) that ``said`` (the step's title and
    narration) names: a line whose label -- the text before its ':' (SwapFree:), else its
    words (Node 0, zone Normal 1 2 ...) -- has a word the other lines' labels lack
    and the narration has (a whole word as written: SwapFree, Normal, kmalloc-32)."""
    word = re.compile(r"[A-Za-z_][\w()-]*[\w)]")
    labels = [set(word.findall(line.partition(":")[0] if ":" in line else line)) for line in lines]
    common = set.intersection(*labels) if len(labels) > 1 else set()
    words = set(word.findall(said))
    return [i for i in range(1, len(lines)) if (labels[i] - common) & words]


def steps_count(n: int, lang: str = "en") -> str:
    """'1 step' / '12 steps' / '12 步'."""
    if lang == "zh":
        return f"{n} 步"
    return f"{n} step" if n == 1 else f"{n} steps"

WORDS = {"en": {"q": "Predict", "a": "Answer", "you": "your answer", "hidden":
                "(think first: the answer is not shown; on a terminal you type it, "
                "teachers add --answers)", "score": "predictions right", "kernel": "kernel",
                "needs": "do first", "ok": "all expects passed", "steps": "steps",
                "lines": "{} more lines; --full shows them", "events": "{} more events",
                "lines1": "{} more line; --full shows it", "events1": "{} more event",
                "deeper": "deeper: versions and detail", "machine": "machine", "defaults": "defaults"},
         "zh": {"q": "先预测", "a": "答案", "you": "你的答案", "hidden":
                "（先想一想：这里不显示答案；在终端里可以输入答案，教师可加 --answers 显示）",
                "score": "预测正确", "kernel": "内核", "needs": "建议先学", "ok": "全部检查通过",
                "steps": "步", "lines": "另有 {} 行；加 --full 全部显示", "events": "另有 {} 个事件",
                "deeper": "深入：版本差异与细节", "machine": "机器", "defaults": "默认"}}


def list_lessons(ns: Any, out: Callable[..., None]) -> int:
    """``mmviz lessons [--all] [--json]``: the runnable lessons in order, then the files that do
    not load (a teacher's broken lesson is listed with why, never dropped)."""
    from scenarios.library import is_bundled, lesson_status
    rows = []
    waiting = []
    for path, lesson, err in lesson_status():
        if lesson is not None:
            rows.append((lesson.order, lesson.id, lesson.title_in(ns.lang), len(lesson.steps),
                         ", ".join(lesson.requires)))
        else:
            from .lesson_errors_zh import shown
            waiting.append((path.stem, shown(err.lines()[0], ns.lang) if err else "invalid", is_bundled(path)))
    rows.sort()
    if ns.json:
        import json
        out(json.dumps([{"id": lid, "title": title, "steps": n, "requires": req.split(", ") if req else []}
                        for _, lid, title, n, req in rows],
                       ensure_ascii=False, indent=2), raw=True)
        return 0
    shown = [w for w in waiting if ns.all or not w[2]]
    width = max([len(r[1]) for r in rows] + [len(w[0]) for w in shown], default=8)
    head_title = "标题" if ns.lang == "zh" else "title"
    needs = "先学" if ns.lang == "zh" else "needs"
    from .cli_text import pad, t
    out(f" #  {'id':<{width}}  {pad(t(ns.lang, 'lessons.steps'), 5, True)}  {head_title}")
    for i, (_, lid, title, n, req) in enumerate(rows):
        out(f"{i + 1:>2}  {lid:<{width}}  {n:>5}  {title}" + (f"  [{needs}: {req}]" if req else ""))
    for stem, why, _ in shown:              # a teacher's broken lesson is listed, never dropped
        out(f"    {stem:<{width}}  {'-':>5}  {t(ns.lang, 'lessons.broken', why=why)}")
    return 0


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, indent: str, lang: str, width: int = WIDTH) -> list[str]:
    """Wrap on display width; never inside an ASCII word or number (zh: widgets.wrap, the
    same CJK-aware wrapper as the TUI's panes)."""
    if lang != "zh":
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False) or [indent]
    from widgets.wrap import wrap as wrap_cells
    return wrap_cells(text, width, indent)


def _ask(question: Any, lang: str, interactive: bool, print: Callable[[str], None]) -> bool | None:
    """Print the question; on a terminal read and check a reply (None: not asked)."""
    w = WORDS.get(lang, WORDS["en"])
    for line in wrap(f"{w['q']}: {question.ask(lang)}", "   ? ", lang):
        print(line)
    if not interactive:
        return None
    try:
        reply = input(f"   {w['you']}> ")
    except EOFError:
        reply = ""
    return bool(question.check(reply))


def machine_refused(lesson: Any, err: Exception) -> Exception:
    """A lesson whose machine boot() refuses where only booting finds it (``ram = "16M"`` on
    6.1: the image ends near 31M): the lesson's problem at its ``machine`` line, as ``check``
    words a machine the loader refuses (``path:line: bad machine: ...``, exit 1)."""
    from pathlib import Path

    from scenarios import LessonError
    from scenarios.source import scan
    try:
        line = scan(Path(lesson.path).read_text(encoding="utf-8")).lesson.line("machine")
    except (OSError, ValueError):
        line = 0
    return LessonError(lesson.path, [(line, f"bad machine: {err}")])


def lesson_boot(lesson: Any) -> Callable[[dict], Any]:
    """The Timeline's ``boot`` for ``lesson``: boot() refusing its machine is the lesson's
    problem (:func:`machine_refused`), not an engine error of the command."""
    def boot(config: dict) -> Any:
        import engine
        from scenarios.timeline import boot_machine
        try:
            return boot_machine(config)
        except engine.ConfigError as err:
            raise machine_refused(lesson, err) from None
    return boot


def check_lesson_boots(lesson: Any) -> None:
    """Boot a lesson file's machine once before the app, a recording or ``check`` takes it (a
    refusal inside the app would stop it with an internal error); the bundled lessons boot
    (their tests run them), so they are not booted twice."""
    from scenarios.library import is_bundled
    if not is_bundled(lesson.path):
        lesson_boot(lesson)(dict(lesson.machine))


def play_text(ns: Any, event_text: Callable[..., str], out: Callable[..., None] | None = None,
              err: Callable[[str], None] | None = None) -> int:
    """Play ``ns.lesson`` as text; returns the exit status (1 if an expect failed).

    ``out``/``err`` write one line to stdout/stderr (the CLI's sanitizing writers)."""
    print = out or (lambda text="": sys.stdout.write(text + "\n"))   # noqa: A001
    err = err or (lambda text: sys.stderr.write(text + "\n"))
    from scenarios import Timeline, find_lesson
    from scenarios.exhibits import listing
    from scenarios.teaching import WORDS as TW
    lesson = find_lesson(ns.lesson)      # on its own machine (app.cli_machine_args refuses machine options)
    lang = ns.lang
    w, tw = WORDS.get(lang, WORDS["en"]), TW.get(lang, TW["en"])
    answers = bool(getattr(ns, "answers", False))
    checks = bool(getattr(ns, "checks", False))
    full = bool(getattr(ns, "full", False))
    interactive = not answers and sys.stdin.isatty() and sys.stdout.isatty()
    tl = Timeline(lesson, boot=lesson_boot(lesson))
    machine = ", ".join(f"{k}={v}" for k, v in lesson.machine.items()) or w["defaults"]
    colon = "：" if lang == "zh" else ": "
    print(f"{lesson.title_in(lang)}  [{lesson.id}, {steps_count(len(lesson), lang)}; "
          f"{w['machine']}{colon}{machine}]")
    if lesson.kernel:
        print(f"  [{w['kernel']}{colon}{lesson.kernel.get(lang) or lesson.kernel.get('en')}]")
    if lesson.requires:
        print(f"  [{w['needs']}{colon}{', '.join(lesson.requires)}]")
    for line in wrap(lesson.summary_in(lang), "  ", lang):
        print(line)
    failures = []
    noted: set[tuple[str, str | None]] = set()   # (kernel, tracepoint) whose release was noted
    right = asked = 0
    n = 0
    while n < len(lesson):
        step = lesson.steps[n]
        verdict = None
        asked += step.ask is not None
        r = tl.step()
        if r is None:
            break
        n += 1
        if r.question is not None:          # asked before the step is narrated
            print()
            verdict = _ask(r.question, lang, interactive, print)
            if not interactive and not answers:
                print(f"     {w['hidden']}")
        print()
        print(f"-- {r.index + 1}/{len(lesson)}: {r.title(lang)}")
        for line in wrap(r.narration(lang), "   ", lang):
            print(line)
        if step.listing:
            caption, text = listing(step.listing, lang)
            print(f"   ┌ {caption}")
            for line in text.expandtabs(8).splitlines():     # aligned as cat shows them
                print(f"   │ {line}")
            print("   └")
        for e in step.errata:
            for line in wrap(e.title(lang), "   ! ", lang):
                print(line)
            for line in wrap(e.body(lang), "     ", lang):
                print(line)
        from widgets.i18n import tr
        shown = [tr(lang, "lesson.repeat", done=len(r.items), failed=r.errors)] if r.items is not None \
            else r.result_text().rstrip("\n").splitlines() or [""]      # as the lesson pane words it
        from widgets.i18n import engine_phrase        # the TUI's zh wording of engine details
        if r.error is not None:                          # the kernel's words / the zh input error
            from widgets.error_text import error_text
            shown = [error_text(r.error_kind, r.error_message, lang)]
        # the first line, then every line with --full, else the lines the narration names
        # (SwapFree:, zone Normal) and how many more there are
        later = list(range(1, len(shown))) if full else \
            referred_lines(shown, f"{r.title(lang)} {r.narration('en')} {r.narration(lang)}")
        hidden = len(shown) - 1 - len(later)
        left_out = f"（{_more(w, 'lines', hidden)}）" if lang == "zh" else f"({_more(w, 'lines', hidden)})"
        more = f"  ... {left_out}" if hidden and not later else ""
        print(f"   > {r.call_text(lang)} = {engine_phrase(shown[0], lang)}{more}")
        for i in later:
            print(f"     {engine_phrase(shown[i], lang)}")
        if hidden and later:
            print(f"     ... {left_out}")
        kernel = str(tl.machine.config.kernel)
        if r.events and ns.max_events > 0:              # each later name noted once per kernel
            from widgets.notation import later_note
            shown = [ev for ev in r.events[: ns.max_events] if (kernel, ev.tracepoint) not in noted]
            noted.update((kernel, ev.tracepoint) for ev in shown)
            note = later_note(kernel, shown, lang).strip()
            if note:
                print(f"     {note}")
        for ev in r.events[: max(0, ns.max_events)]:
            print(f"     . {event_text(ev, kernel, lang)}")
        if len(r.events) > ns.max_events:
            print(f"     . ... {_more(w, 'events', len(r.events) - ns.max_events)}")
        deeper = step.deeper_in(lang)
        if deeper:
            print(f"   ▸ {w['deeper']}")
            for line in wrap(deeper, "     ", lang):
                print(line)
        for e in r.expects:            # the author's checks: only with --checks, or failed
            if checks or not e.ok:
                print(f"   {'✓' if e.ok else '✗'} {e.sentence(lang)}")
            if not e.ok:
                failures.append((r, e))
        if r.question is not None and (verdict is not None or answers):
            mark = "" if verdict is None else ("✓ " if verdict else "✗ ")
            right += bool(verdict)
            print(f"   {mark}{w['a']}: {r.question.shown}")
    print()
    if lesson.tries:
        print(f"{tw['try']}:")
        for t in lesson.tries:
            for line in wrap(t.line(lang), "  ", lang):
                print(line)
        print()
    if interactive and asked:
        print(f"{w['score']}: {right}/{asked}")
    if failures:
        from .cli_text import t
        for r, e in failures:
            err(t(lang, "run.failed", where=f"{lesson.path}:{e.line}", n=r.index + 1,
                  title=r.title(lang), fact=e.key, expected=e.expected, actual=e.actual))
        return 1
    print(f"{w['ok']} ({steps_count(len(lesson), lang)})")
    return 0


def exercise_args(ns: Any, usage_error: type) -> tuple[int, int, dict[int, int]]:
    """``quiz exercise``'s --cr3, --vaddr and --mem as (cr3, vaddr, {paddr: entry});
    raises ``usage_error`` with one line when one is missing (a bad value is refused by the
    parser, naming its option)."""
    if ns.cr3 is None or ns.mem is None or ns.vaddr is None:
        raise usage_error("mmviz: exercise needs --cr3, --mem PADDR=VALUE,... and --vaddr")
    return ns.cr3, ns.vaddr, ns.mem             # parsed by app.cli_types (address, entries)


def quiz_problem(ns: Any, usage_error: type, out: Callable[..., None]) -> int:
    """``mmviz quiz KIND --seed N [-c]`` and ``mmviz quiz exercise --cr3 --mem --vaddr``."""
    from scenarios.problems import exercise, walk_answer
    if ns.topic == "exercise":
        from .cli_text import t
        cr3, vaddr, mem = exercise_args(ns, usage_error)
        try:
            answer, working = exercise(cr3, mem, vaddr, ns.pae)
        except ValueError as err:
            raise usage_error(f"mmviz: --mem: {err}") from None
        sep = "；" if ns.lang == "zh" else "; "
        out(f"CR3 = {cr3:#010x}, {'PAE 2/9/9/12' if ns.pae else '10/10/12'}{sep}"
            + t(ns.lang, "quiz.translate", vaddr=f"{vaddr:#010x}"))
        for part in working.split("; "):
            out(f"  {walk_answer(part, ns.lang)}")
        out(f"=> {walk_answer(answer, ns.lang)}")
        return 0
    if ns.count is not None and not 1 <= ns.count <= 50:
        raise usage_error("mmviz quiz: --count must be 1..50")
    from widgets.notation import event_text
    fmt = lambda ev, kernel: event_text(ev, kernel, ns.lang)   # noqa: E731
    for line in quiz_of(ns, usage_error).text(ns.lang, ns.answers, fmt).splitlines():
        out(line)
    return 0


def quiz_of(ns: Any, usage_error: type) -> Any:
    """The seeded problem ``mmviz quiz KIND [--seed] [--count] [--ram] [--pae]`` asks for; steps
    that fail on the --ram machine (out of memory) are a bad --ram: one line, exit 2."""
    from scenarios.problems import ProblemError, problem
    try:
        return problem(ns.topic, ns.seed, ns.count, ram=ns.ram, pae=ns.pae)
    except ProblemError as err:
        raise usage_error(f"mmviz quiz: {err}") from None
