"""Styled rows kept by content (widgets.linecache): a kept row is given back only for the
very content strip and styling it was made for; new text, a focus border, another theme or
another width draw the row again."""
from __future__ import annotations

from rich.text import Text
from textual.app import App

from widgets.linecache import ContentStylesCache, StripPool
from widgets.textlines import TextLines


class Pane(TextLines):
    DEFAULT_CSS = "Pane { border: round $secondary; height: 8; padding: 0 1; } Pane:focus { border: round $accent; }"


class One(App):
    def compose(self):
        yield Pane(id="pane")


def rows(pane) -> list[str]:
    """The pane's rows as drawn (border, padding and colours included)."""
    return [repr(list(strip)) for strip in pane.render_lines(pane.size.region)]


async def test_a_kept_row_is_drawn_again_when_its_text_or_styling_changes():
    app = One()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(Pane)
        assert isinstance(pane._styles_cache, ContentStylesCache)
        pane.set_lines([Text("alpha"), Text("beta", "bold")])
        await pilot.pause()
        first = rows(pane)
        pane.set_lines([Text("alpha"), Text("gamma", "bold")])
        await pilot.pause()
        second = rows(pane)
        assert second[1] == first[1] and second[2] != first[2] and "gamma" in second[2]
        pane.set_lines([Text("alpha"), Text("beta", "bold")])      # back: the kept rows
        await pilot.pause()
        assert rows(pane) == first
        assert pane.has_focus
        pane.screen.set_focus(None)                             # the border's colour changes
        await pilot.pause()
        blurred = rows(pane)
        assert blurred[1] != first[1] and "alpha" in blurred[1]
        pane.focus()
        await pilot.pause()
        assert rows(pane) == first
        app.theme = "textual-light"                             # every colour changes
        await pilot.pause()
        light = rows(pane)
        assert light[1] != first[1] and light[2] != first[2]
        app.theme = "textual-dark"
        await pilot.pause()
        assert rows(pane) == first


async def test_rows_drawn_the_same_in_another_app_are_equal():
    """What the kept rows draw equals Textual's own drawing (a fresh pane, empty caches)."""
    texts = [Text(f"line {i}", "bold" if i % 2 else "") for i in range(5)]
    app = One()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(Pane)
        pane.set_lines(texts)
        await pilot.pause()
        pane.set_lines([Text("other")])
        await pilot.pause()
        pane.set_lines(texts)
        await pilot.pause()
        again = rows(pane)
    fresh = One()
    async with fresh.run_test(size=(40, 12)) as pilot:
        pane = fresh.query_one(Pane)
        pane.set_lines(texts)
        await pilot.pause()
        assert rows(pane) == again


def test_strip_pool_gives_the_same_strip_for_the_same_segments():
    from rich.segment import Segment
    from rich.style import Style
    pool = StripPool(limit=4)
    a = pool.strip([Segment("ab", Style(bold=True)), Segment("c")], 6)
    assert pool.strip([Segment("ab", Style(bold=True)), Segment("c")], 6) is a
    assert a.cell_length == 6
    assert pool.strip([Segment("ab", Style(bold=True)), Segment("d")], 6) is not a
    assert pool.strip([Segment("ab", Style(bold=True)), Segment("c")], 5) is not a
