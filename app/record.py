"""Screencasts of a lesson: asciicast v2 files and SVG screenshots, headless and deterministic.

The app runs headless (Textual's run_test driver discards terminal output), so each
frame is rendered by us: the screen's compositor renders a full update through a Rich
console forced to a truecolor terminal, exactly what a real terminal would receive.
Timestamps are logical, never wall time: each step stays on screen for its reading time
(app/reading.py, the same as autoplay) or a fixed ``step_seconds``.  Every step's screen
is written first and its asciicast marker ("m", labelled with the step's title) right
after it at the same time, so a player that pauses on a marker shows that step.  The
cursor, hidden while playing, is shown again at the end.
Nothing varies between runs: no timestamp in the header, only TERM/SHELL in env.
"""
from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from scenarios.textsafe import sanitize

from .settle import settle

HIDE_CURSOR, SHOW_CURSOR, CLEAR = "\x1b[?25l", "\x1b[?25h", "\x1b[H\x1b[2J"
RESET = "\x1b[0m"
DEFAULT_SIZE = (160, 48)


MAX_SIZE = (400, 200)


def parse_size(text: str) -> tuple[int, int]:
    """``COLSxROWS`` -> (cols, rows), at least the smallest size the app draws
    (app.layout.COMPACT_MIN); ValueError otherwise."""
    from app.layout import COMPACT_MIN as MIN_SIZE
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 5 for p in parts):
        raise ValueError(f"--size: expected COLSxROWS like 120x40, got {sanitize(text)!r}")
    w, h = int(parts[0]), int(parts[1])
    if not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1]):
        raise ValueError(f"--size: {w}x{h} is outside {MIN_SIZE[0]}x{MIN_SIZE[1]} .. "
                         f"{MAX_SIZE[0]}x{MAX_SIZE[1]} (mmviz needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]})")
    return w, h


def check_writable(path: Path, is_dir: bool = False) -> None:
    """Report an unwritable output before any work is done (raises OSError naming the path).

    A file is opened for appending (and removed again if it did not exist), so special
    files such as /proc/version and directories are refused here, not after recording."""
    if is_dir:
        if path.exists() and not path.is_dir():
            raise OSError(20, "Not a directory", str(path))
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK):
            raise OSError(13, "Permission denied", str(path))
        return
    if path.is_dir():
        raise OSError(21, "Is a directory", str(path))
    if not path.parent.is_dir():
        raise OSError(2, "No such directory", str(path.parent))
    existed = path.exists()
    if existed and not path.is_file():
        raise OSError(22, "Not a regular file", str(path))
    try:
        with open(path, "ab"):
            pass
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None
    if not existed:
        path.unlink()


def render_ansi(app: Any) -> str:
    """The current screen as the bytes a truecolor terminal would be sent.  The compositor's
    record of what changed since the last frame (which Frames reads) is left as it was."""
    from rich.console import Console
    w, h = app.size
    console = Console(width=w, height=h, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False,
                      _environ={})
    compositor = app.screen._compositor
    changed = set(compositor._dirty_regions)
    update = compositor.render_update(full=True, screen_stack=app._background_screens)
    compositor._dirty_regions.update(changed)
    console.print(update, end="")
    return console.file.getvalue()


class Frames:
    """Frames of one recording as terminal output.  The screen is cut where the panes meet,
    as Textual's compositor cuts it; each piece is positioned absolutely, and a frame writes
    only the pieces that differ from the frame before it (all of a row whose cuts moved).
    Replayed in order, every frame shows exactly the screen render_ansi() gives, and a step
    that redraws two panes costs two panes.

    Only the pieces the compositor marked changed since the last frame are rendered (the
    regions Textual itself would repaint on a terminal, ``_dirty_regions``); the first frame,
    a resize, a screen change or moved cuts render everything.  Nothing else may take those
    marks between frames (render_ansi() leaves them)."""

    def __init__(self) -> None:
        from rich.console import Console
        self.console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                               legacy_windows=False, safe_box=False, _environ={})
        self.rows: dict[int, tuple[tuple[int, ...], dict[int, str]]] = {}
        self.drawn: tuple[Any, Any] = (None, None)       # (compositor, size) of the last frame

    def _spans(self, compositor: Any) -> dict[int, list[tuple[int, int]]] | None:
        """{row: [(x1, x2), ...]} to render, or None for the whole screen."""
        dirty, size = compositor._dirty_regions, compositor.size
        if (compositor, size) != self.drawn or size.region in dirty or not self.rows:
            return None
        rows = self.rows
        cuts = compositor.cuts
        if any(tuple(cuts[y][:-1]) != rows[y][0] for y in range(size.height)):
            return None
        spans: dict[int, list[tuple[int, int]]] = {}
        for y, x1, x2 in compositor._regions_to_spans(dirty):
            spans.setdefault(y, []).append((x1, x2))
        return spans

    def next(self, app: Any) -> str:
        """The output that turns the previous frame (none at first) into the screen now."""
        from rich.control import Control
        from textual._compositor import visible_screen_stack
        from textual.geometry import Region
        compositor = app.screen._compositor
        visible_screen_stack.set(app._background_screens)    # as render_update(full=True)
        spans = self._spans(compositor) if not app._background_screens else None
        if spans is None:
            crop = compositor.size.region
            chops = compositor._render_chops(crop, lambda y: True)
        elif spans:
            crop = Region.from_union(list(compositor._dirty_regions))
            chops = compositor._render_chops(crop, spans.__contains__)
        else:
            chops = []
        compositor._dirty_regions.clear()
        self.drawn = (compositor, compositor.size)
        console, out, rows = self.console, [], self.rows
        move_to = Control.move_to
        for y, chop in enumerate(chops):
            if spans is not None:
                row_spans = spans.get(y)
                if row_spans is None:
                    continue
                cuts, old = rows[y]
                new = dict(old)
                ends = compositor.cuts[y][1:]
                for x, end in zip(cuts, ends):
                    if not any(x < x2 and x1 < end for x1, x2 in row_spans):
                        continue                     # not marked: as the last frame drew it
                    strip = chop[x]
                    text = strip.render(console) if strip is not None else ""
                    new[x] = text
                    if old.get(x) != text:
                        out.append(move_to(x, y).segment.text + text)
                rows[y] = (cuts, new)
                continue
            cuts = tuple(chop)
            old_cuts, old = rows.get(y, ((), {}))
            if cuts != old_cuts:
                old = {}
            new = {}
            for x, strip in chop.items():
                text = strip.render(console) if strip is not None else ""
                new[x] = text
                if old.get(x) != text:
                    out.append(move_to(x, y).segment.text + text)
            rows[y] = (cuts, new)
        return "".join(out)


def _full_frames_only(screen: Any) -> None:
    """Every frame is rendered in full when it is taken (render_ansi, export_screenshot):
    the screen's own partial updates would only go to the headless driver, which drops
    them, so they are not rendered (the frames are the same, at a fraction of the cost)."""
    def refresh() -> None:
        screen._dirty_widgets.clear()
    screen._compositor_refresh = refresh


_PARSED_CSS: dict[tuple, list] = {}       # (CSS variables, Textual's key) -> parsed rule sets


@contextmanager
def css_parsed_once() -> Iterator[None]:
    """Parse each piece of CSS once per process, not once per app.

    Textual keeps parsed rules per Stylesheet (``Stylesheet._parse_cache``, keyed by the
    CSS text, where it came from, its scope and priority), and each app makes new ones:
    the .tcss file and every widget's DEFAULT_CSS were parsed again for every lesson
    recorded in a process (a third of a lesson's start).  Inside this block every
    Stylesheet looks in one process-wide cache first, keyed by its CSS variables as well
    (the parsed rules depend on nothing else); the rule sets are shared read-only, as
    Textual already shares them between the parses of one Stylesheet."""
    from textual.css.stylesheet import Stylesheet
    parse_rules = Stylesheet._parse_rules

    def cached(self: Any, css: str, read_from: Any, is_default_rules: bool = False,
               tie_breaker: int = 0, scope: str = "") -> list:
        key = (tuple(self._variables.items()), css, read_from, is_default_rules, tie_breaker, scope)
        rules = _PARSED_CSS.get(key)
        if rules is None:
            rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
            _PARSED_CSS[key] = rules
        return rules
    Stylesheet._parse_rules = cached        # type: ignore[method-assign]
    try:
        yield
    finally:
        Stylesheet._parse_rules = parse_rules          # type: ignore[method-assign]


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """No garbage collection while frames are taken (a recording is a batch job).

    When the frames are done, the objects they left are frozen (``gc.freeze``) before the
    collector is on again: otherwise the first allocation after would start a young
    collection over every object the recording made since the collector went off (~18 ms a
    lesson, 4-6 % of a recording, to free a few kB).  The app's policy unfreezes them when it
    unmounts (app.startup.gc_policy_off): they join the oldest generation, and a full collection
    frees what is garbage; a one-lesson ``mmviz record`` exits before that."""
    import gc
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


RECORD_THEME = "textual-dark"      # Textual's default theme: every recording is drawn in it


def recording_app(lesson: Any, lang: str) -> Any:
    """The app a recording is made from, the same whatever the environment: a recording is a
    file to share, made of its arguments alone.  So the recorder's own terminal settings stay
    out of it: the theme is RECORD_THEME whatever TEXTUAL_THEME says, NO_COLOR's grey (and its
    glyph patterns) and TEXTUAL_FILTERS' dimming are not applied, dim text is blended at
    Textual's default factor whatever TEXTUAL_DIM_FACTOR says, and nothing animates (a walk
    revealed level by level would be caught half-way)."""
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from app.app import MmvizApp
    from app.filters import recording_filters
    app = MmvizApp(lesson=lesson, lang=lang)
    app.animation_level = "none"     # before mount: textual may have read the env var already
    app.theme = RECORD_THEME         # App.theme's default is TEXTUAL_THEME, read when Textual loads
    app.no_color = False             # read from NO_COLOR by App.__init__; the patterns follow it
    app._filters = recording_filters(app._filters)
    return app


async def _play(lesson: Any, lang: str, size: tuple[int, int], on_frame: Callable[[Any, int], None],
                only: int | None = None) -> int:
    with css_parsed_once():
        return await _play_app(lesson, lang, size, on_frame, only)


async def _play_app(lesson: Any, lang: str, size: tuple[int, int],
                    on_frame: Callable[[Any, int], None], only: int | None) -> int:
    app = recording_app(lesson, lang)
    default_screen = app.get_default_screen

    def main_screen() -> Any:        # from its first layout on: a quarter of a lesson's start
        screen = default_screen()
        _full_frames_only(screen)
        return screen
    app.get_default_screen = main_screen        # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        tl = app.timeline
        total = len(tl)
        if only is not None:
            if not 0 <= only <= total:
                raise ValueError(f"--step: this lesson has steps 0..{total}")
            await settle(pilot)
            app._move(lambda: tl.jump(only))
            await settle(pilot)
            on_frame(app, only)
            return total
        await settle(pilot)
        with no_collector_pauses():          # the app's own policy is on from its mount
            on_frame(app, 0)
            for i in range(1, total + 1):
                app.action_step()
                await settle(pilot)
                on_frame(app, i)
        return total


class Progress:
    """``recording ━━━━━━ 3/12`` on stderr through rich.progress, only when stderr is a
    terminal (a pipe or a CI log gets nothing); transient: gone when the recording ends."""

    def __init__(self, enabled: bool = True, stream: Any = None, lang: str = "en") -> None:
        from rich.console import Console
        console = Console(file=stream if stream is not None else sys.stderr)
        self.bar = None
        if enabled and console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn
            self.bar = Bar(TextColumn("录制" if lang == "zh" else "recording"), BarColumn(), MofNCompleteColumn(),
                           console=console, transient=True)
            self.task = self.bar.add_task("recording", total=None)
            self.bar.start()

    def __call__(self, i: int, total: int) -> None:
        """Frame ``i`` of ``total`` (0 is the start) is done."""
        if self.bar is not None:
            self.bar.update(self.task, completed=i, total=max(1, total))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def record_cast(lesson: Any, out: Path, lang: str = "en", size: tuple[int, int] = DEFAULT_SIZE,
                step_seconds: float | None = None, progress: bool = True) -> int:
    """Write an asciicast v2 file of the whole lesson; returns the number of steps.

    Each step stays on screen ``step_seconds`` (None: its reading time, app/reading.py)."""
    from .reading import step_seconds as reading_time
    check_writable(out)
    events: list[str] = []
    titles: dict[int, str] = {}
    clock = [0.0]

    frames = Frames()

    def on_frame(app: Any, i: int) -> None:
        t = round(clock[0], 6)
        frame = (HIDE_CURSOR + CLEAR if i == 0 else "") + frames.next(app)
        cur = app.timeline.current
        label = sanitize(f"{i}: {cur.title(lang)}" if cur is not None
                         else f"0: {app.timeline.lesson.title_in(lang)}", newlines=False)
        titles[i] = label
        events.append(json.dumps([t, "o", frame], ensure_ascii=False))
        events.append(json.dumps([t, "m", label], ensure_ascii=False))
        clock[0] += step_seconds if step_seconds else reading_time(app.timeline, lang)
        bar(i, len(app.timeline))

    bar = Progress(progress, lang=lang)
    try:
        total = asyncio.run(_play(lesson, lang, size, on_frame))
    finally:
        bar.close()
    end = round(clock[0], 6)
    events.append(json.dumps([end, "o", RESET + SHOW_CURSOR]))
    header = {"version": 2, "width": size[0], "height": size[1], "duration": end,
              "title": titles.get(0, "mmviz")[3:], "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"}}
    out.write_text(json.dumps(header, ensure_ascii=False) + "\n" + "\n".join(events) + "\n",
                   encoding="utf-8")
    return total


def record_svg(lesson: Any, out_dir: Path, lang: str = "en", size: tuple[int, int] = DEFAULT_SIZE,
               only: int | None = None, progress: bool = True) -> list[Path]:
    """One SVG screenshot per step (or only step ``only``); returns the files written."""
    from .svgcast import still_svg
    check_writable(out_dir, is_dir=True)
    written: list[Path] = []

    def on_frame(app: Any, i: int) -> None:
        path = out_dir / f"step-{i:03d}.svg"
        path.write_text(still_svg(app, f"mmviz — step {i}"), encoding="utf-8")
        written.append(path)
        bar(i, len(app.timeline))

    bar = Progress(progress and only is None, lang=lang)
    try:
        asyncio.run(_play(lesson, lang, size, on_frame, only))
    finally:
        bar.close()
    return written
