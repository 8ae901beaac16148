"""A pane's new content rows are styled from a frame worked out once per styling
(widgets.linecache.ContentFrame): the screen is cell for cell the one Textual's own row
styling draws.  A pane coming in front for the first time is painted once, at its width."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                 # noqa: E402
from widgets import linecache                # noqa: E402

CASES = [("process-memory", (200, 60), "textual-dark", 10),
         ("slab", (120, 40), "projector", 6),
         ("buddy", (80, 24), "textual-light", 5),
         ("fork-cow", (200, 60), "nord", 8)]


def cells(app) -> list[list[tuple[str, str]]]:
    return [[(ch, str(seg.style)) for seg in strip for ch in seg.text]
            for strip in app.screen._compositor.render_strips()]


async def _screens(lesson, size, theme, steps) -> list:
    """The screen after each step forward, then after stepping back and focusing a pane."""
    app = MmvizApp(lesson=lesson, ram="1G")
    app.animation_level = "none"
    out = []
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await pilot.pause()
        for _ in range(steps):
            await pilot.press("right")
            await pilot.pause()
            out.append(cells(app))
        for key in ("left", "left", "1", "2", "end", "home", "right"):
            await pilot.press(key)
            await pilot.pause()
            out.append(cells(app))
    return out


@pytest.mark.parametrize("lesson, size, theme, steps", CASES,
                         ids=[f"{c[0]}-{c[1][0]}x{c[1][1]}-{c[2]}" for c in CASES])
async def test_rows_from_the_frame_are_textuals_rows(lesson, size, theme, steps, monkeypatch):
    rows = []
    row = linecache.ContentFrame.row
    monkeypatch.setattr(linecache.ContentFrame, "row",
                        lambda self, content: rows.append(1) or row(self, content))
    framed = await _screens(lesson, size, theme, steps)
    assert len(rows) > 50                   # the frame drew the new rows
    monkeypatch.setattr(linecache, "content_frame", lambda *args: None)
    textual = await _screens(lesson, size, theme, steps)
    assert len(framed) == len(textual)
    for i, (a, b) in enumerate(zip(framed, textual)):
        assert a == b, i


def test_effects_on_the_row_leave_it_to_textual():
    """Opacity, text opacity, tint, hatch or an outline: no frame (Textual draws the row)."""
    from textual.color import Color
    from textual.css.styles import Styles
    from textual.geometry import Size, Spacing
    from textual._styles_cache import StylesCache
    cache = StylesCache()
    base, bg = Color(0, 0, 0), Color(10, 20, 30)

    def frame(opacity=1.0, **rules):
        styles = Styles()
        styles.border = ("round", Color(200, 200, 200))
        for name, value in rules.items():
            setattr(styles, name, value)
        return linecache.content_frame(cache, styles, Size(20, 5), Size(16, 3), Spacing(0, 1, 0, 1),
                                       base, bg, opacity)
    assert frame() is not None
    assert frame(opacity=0.5) is None
    assert frame(text_opacity=0.5) is None
    assert frame(tint=Color(255, 0, 0, 0.3)) is None
    assert frame(hatch=("cross", Color(255, 0, 0))) is None
    assert frame(outline=("solid", Color(255, 0, 0))) is None


async def test_a_pane_first_in_front_is_painted_once(monkeypatch):
    """process-memory step 9 brings the mm view in front for the first time (step 10 the fault
    flow): one paint of the screen, the pane at its own width (it was painted at the width it
    had been laid out at behind, then once more after its Resize)."""
    from textual._compositor import Compositor
    paints = []
    update = Compositor.render_partial_update

    def counted(self):
        out = update(self)
        if out is not None:
            paints.append(len(out.spans))
        return out
    app = MmvizApp(lesson="process-memory", ram="1G")
    app.animation_level = "none"
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        for _ in range(8):
            await pilot.press("right")
        await pilot.pause()
        monkeypatch.setattr(Compositor, "render_partial_update", counted)
        for pane in ("mm", "fault"):
            paints.clear()
            await pilot.press("right")
            await pilot.pause()
            await pilot.pause()
            assert pane in app.plan.visible
            widget = app.query_one(f"#{pane}")
            assert widget._laid_width == widget.scrollable_content_region.width
            assert len(paints) == 1, (pane, paints)
