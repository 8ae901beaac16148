"""``mmviz record LESSON -o LESSON.svg``: one self-contained animated SVG of a lesson.

Each step's screen is Rich's SVG export of the app (what ``App.export_screenshot`` and the
snapshot tests use), taken headless like the asciicast (app/record.py).  The scenes are
stacked in one document and a CSS animation shows one at a time, each for the step's
reading time (app/reading.py, as autoplay and the .cast), then starts again.  A viewer
without CSS animation shows the first scene.

Self-contained: no external font or image; the text keeps Rich's per-span ``textLength``,
so the grid (and the two cells of every CJK character) holds whatever monospace and CJK
fonts the viewer has.  Colour classes are shared by all scenes, so the file grows with
what the screens show, not with a style table per step.

Structure (what the tests read): ``<g class="scene" id="step-N" data-step="N"
data-start="S" data-duration="D">`` per step, with ``<title>N: step title</title>``, and a
``@keyframes step-N`` rule that makes it visible from S to S + D of the whole duration.
"""
from __future__ import annotations

import asyncio
import io
import re
from html import escape, unescape
from pathlib import Path
from typing import Any

from scenarios.textsafe import sanitize

from .record import DEFAULT_SIZE, _play, check_writable

UID = "mmviz"
FONTS = ('"Fira Code", "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "Noto Sans CJK SC", '
         '"Source Han Sans SC", "Microsoft YaHei", monospace')
_PARTS = ("styles", "lines", "chrome", "backgrounds", "matrix", "width", "height", "terminal_x",
          "terminal_y", "terminal_width", "terminal_height", "char_width", "char_height",
          "line_height")
_FORMAT = "\x1e".join("{%s}" % p for p in _PARTS)
_STYLE = re.compile(r"\.(?P<uid>[\w-]+?)-r(?P<n>\d+) \{ (?P<decl>[^}]*?) \}")
_RECT = re.compile(r'<rect fill="(?P<fill>[^"]+)" x="(?P<x>[\d.]+)" y="(?P<y>[\d.]+)" '
                   r'width="(?P<w>[\d.]+)" height="(?P<h>[\d.]+)" shape-rendering="crispEdges"/>')
_TEXT_LINE = re.compile(r'(<text [^>]*?) clip-path="url\(#[\w-]+?-line-(\d+)\)"([^>]*>[^<]*</text>)')
_TEXT = re.compile(r'(<text [^>]*?textLength=")[\d.]+("[^>]*>)([^<]*)(</text>)')


_FONT_URL = re.compile(r',\s*url\("https?://[^"]*"\)\s*format\("[^"]*"\)')


def offline_fonts(svg: str) -> str:
    """Rich's SVG without the web sources of its @font-face rules: a picture opened in a
    browser fetched Fira Code from cdnjs.cloudflare.com (a classroom may have no network, and
    nothing should be fetched to show a picture); the installed font (``local()``) or the
    monospace fallback draws it."""
    return _FONT_URL.sub("", svg)


def still_svg(app: Any, title: str) -> str:
    """The screen as one SVG picture, as ``mmviz record --svg`` writes it: Textual's
    screenshot with CJK spans as wide as their cells, its fonts not fetched from the web."""
    return offline_fonts(fix_text_lengths(app.export_screenshot(title=title), 20 * 0.61))  # Rich's cell px


def fix_text_lengths(matrix: str, char_width: float) -> str:
    """Rich sizes each span by its number of characters (``textLength = len(text)``), which
    squeezes every CJK character into one cell; size it by its cells, as its x is."""
    from rich.cells import cell_len

    def one(m: re.Match) -> str:
        cells = cell_len(unescape(m[3]))
        return f"{m[1]}{round(cells * char_width, 2):g}{m[2]}{m[3]}{m[4]}"
    return _TEXT.sub(one, matrix)


def frame_parts(app: Any, title: str, uid: str) -> dict[str, str]:
    """The current screen as Rich's SVG pieces (styles, clip lines, chrome, backgrounds,
    matrix, sizes in px) with element ids prefixed by ``uid``."""
    from rich.console import Console
    w, h = app.size
    console = Console(width=w, height=h, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False,
                      safe_box=False, _environ={})
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens,
                                                  simplify=True)
    console.print(update)
    text = console.export_svg(title=title, code_format=_FORMAT, unique_id=uid)
    return dict(zip(_PARTS, text.split("\x1e")))


class Scenes:
    """Collects one scene per step and writes the animated SVG."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.classes: dict[str, str] = {}          # CSS declaration -> shared class name
        self.scenes: list[tuple[int, str, float, float, str]] = []   # step, label, start, dur, body
        self.rows: dict[str, str] = {}             # a screen row's markup -> its id in <defs>
        self.frame: dict[str, str] | None = None   # the first frame's pieces (sizes, chrome)
        self.clock = 0.0

    def _class_for(self, decl: str) -> str:
        if decl not in self.classes:
            self.classes[decl] = f"c{len(self.classes)}"
        return self.classes[decl]

    @staticmethod
    def _rows(backgrounds: str, matrix: str, line_height: float) -> list[str]:
        """The frame cut into screen rows (background rects, then text), top to bottom."""
        rects: dict[int, list[str]] = {}
        texts: dict[int, list[str]] = {}
        for m in _RECT.finditer(backgrounds):
            row = rects.setdefault(int(float(m["y"]) // line_height), [])
            x, w = float(m["x"]), float(m["w"])
            if row and row[-1][0] == m["fill"] and abs(row[-1][1] + row[-1][2] - x) < 0.01:
                row[-1][2] += w                  # one rect for a run of the same background
            else:
                row.append([m["fill"], x, w, m["y"], m["h"]])
        for m in _TEXT_LINE.finditer(matrix):
            texts.setdefault(int(m[2]), []).append(m[1] + m[3])
        rows = []
        for y in sorted(set(rects) | set(texts)):
            text = "".join(texts.get(y, ()))
            rows.append("".join(f'<rect fill="{f}" x="{x:g}" y="{ry}" width="{round(w, 2):g}" '
                                f'height="{h}"/>' for f, x, w, ry, h in rects.get(y, ()))
                        + (f'<g class="{UID}-matrix" clip-path="url(#{UID}-line-{y})">{text}</g>'
                           if text else ""))
        return rows

    def _row_id(self, markup: str) -> str:
        """Rows repeat from step to step (most panes do not change): each is stored once."""
        if markup not in self.rows:
            self.rows[markup] = f"r{len(self.rows)}"
        return self.rows[markup]

    def add(self, parts: dict[str, str], step: int, label: str, seconds: float) -> None:
        """One step's screen (frame_parts with uid ``f{step}``), shown for ``seconds``."""
        uid = f"f{step}"
        local = {m["n"]: self._class_for(m["decl"].strip()) for m in _STYLE.finditer(parts["styles"])}
        matrix = fix_text_lengths(parts["matrix"], float(parts["char_width"]))
        matrix = re.sub(rf'class="{uid}-r(\d+)"', lambda m: f'class="{local[m[1]]}"', matrix)
        matrix = matrix.replace(f"url(#{uid}-line-", f"url(#{UID}-line-")
        body = "\n".join(f'<use href="#{self._row_id(markup)}"/>'
                         for markup in self._rows(parts["backgrounds"], matrix,
                                                  float(parts["line_height"])))
        if self.frame is None:
            self.frame = {k: v.replace(f"{uid}-", f"{UID}-") for k, v in parts.items()}
        self.scenes.append((step, label, round(self.clock, 3), round(seconds, 3), body))
        self.clock += seconds

    def svg(self) -> str:
        """The whole document."""
        assert self.frame is not None, "no scene"
        f = self.frame
        total = round(self.clock, 3) or 1.0
        classes = "\n".join(f"    .{name} {{ {decl} }}" for decl, name in self.classes.items())
        keyframes, groups = [], []
        for step, label, start, dur, body in self.scenes:
            a, b = 100 * start / total, 100 * (start + dur) / total
            frames = [f"{a:.4f}% {{ visibility: visible }}"]
            if a > 0:
                frames.insert(0, "0% { visibility: hidden }")
            if b < 100:
                frames.append(f"{b:.4f}% {{ visibility: hidden }}")
            keyframes.append(f"    @keyframes step-{step} {{ {' '.join(frames)} }}\n"
                             f"    #step-{step} {{ animation-name: step-{step} }}")
            groups.append(f'<g class="scene" id="step-{step}" data-step="{step}" '
                          f'data-start="{start:g}" data-duration="{dur:g}">\n'
                          f"<title>{escape(label)}</title>\n{body}\n</g>")
        return f"""<svg class="rich-terminal" viewBox="0 0 {f['width']} {f['height']}" \
xmlns="http://www.w3.org/2000/svg" data-duration="{total:g}" data-scenes="{len(self.scenes)}">
<!-- mmviz record: one scene per step, each for its reading time; Rich SVG export per scene -->
<title>{escape(self.title)}</title>
<style>
    .{UID}-matrix {{ font-family: {FONTS}; font-size: {f['char_height']}px;
        line-height: {f['line_height']}px; }}
    #{UID}-rows rect {{ shape-rendering: crispEdges; }}
    .{UID}-title {{ font-size: 18px; font-weight: bold; font-family: sans-serif; }}
{classes}
    .scene {{ visibility: hidden; animation-duration: {total:g}s; animation-iteration-count: infinite;
        animation-timing-function: step-end; animation-fill-mode: both; }}
    #step-{self.scenes[0][0]} {{ visibility: visible; }}
{chr(10).join(keyframes)}
</style>
<defs>
<clipPath id="{UID}-clip-terminal">
  <rect x="0" y="0" width="{f['terminal_width']}" height="{f['terminal_height']}" />
</clipPath>
{f['lines']}
<g id="{UID}-rows">
{chr(10).join(f'<g id="{rid}">{markup}</g>' for markup, rid in self.rows.items())}
</g>
</defs>
{f['chrome']}
<g transform="translate({f['terminal_x']}, {f['terminal_y']})" clip-path="url(#{UID}-clip-terminal)">
{chr(10).join(groups)}
</g>
</svg>
"""


def record_animated_svg(lesson: Any, out: Path, lang: str = "en", size: tuple[int, int] = DEFAULT_SIZE,
                        step_seconds: float | None = None, progress: bool = True) -> int:
    """Write the lesson as one animated SVG (see the module doc); returns the number of steps.

    Each step stays on screen ``step_seconds`` (None: its reading time, app/reading.py).
    OSError naming ``out`` if it cannot be written (checked before recording)."""
    from .reading import step_seconds as reading_time
    from .record import Progress
    check_writable(out)
    scenes: list[Scenes] = []

    def on_frame(app: Any, i: int) -> None:
        tl = app.timeline
        if not scenes:
            scenes.append(Scenes(sanitize(f"mmviz — {tl.lesson.title_in(lang)}", newlines=False)))
        cur = tl.current
        label = sanitize(f"{i}: {cur.title(lang)}" if cur is not None
                         else f"0: {tl.lesson.title_in(lang)}", newlines=False)
        seconds = step_seconds if step_seconds else reading_time(tl, lang)
        scenes[0].add(frame_parts(app, scenes[0].title, f"f{i}"), i, label, seconds)
        bar(i, len(tl))

    bar = Progress(progress, lang=lang)   # rich.progress, only when stderr is a terminal
    try:
        total = asyncio.run(_play(lesson, lang, size, on_frame))
    finally:
        bar.close()
    out.write_text(scenes[0].svg(), encoding="utf-8")
    return total
