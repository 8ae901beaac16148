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


def bar_rows(pane) -> list[str]:
    bar = pane.vertical_scrollbar
    return [repr(list(strip)) for strip in bar.render_lines(bar.size.region)]


async def test_scroll_bar_rows_follow_the_thumb():
    """The kept scroll bar rows change with the line count, and a count shown before draws
    what Textual draws for it from scratch."""
    from widgets.linecache import KeptScrollBar
    many = [Text(f"line {i}") for i in range(20)]
    app = One()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(Pane)
        pane.set_lines(many)
        await pilot.pause()
        assert isinstance(pane.vertical_scrollbar, KeptScrollBar) and pane.vertical_scrollbar.display
        first = bar_rows(pane)
        pane.set_lines(many * 3)
        await pilot.pause()
        assert bar_rows(pane) != first                        # a shorter thumb
        pane.set_lines(many)
        await pilot.pause()
        assert bar_rows(pane) == first
    fresh = One()
    async with fresh.run_test(size=(40, 12)) as pilot:
        pane = fresh.query_one(Pane)
        pane.set_lines(many)
        await pilot.pause()
        assert bar_rows(pane) == first


def test_a_process_s_frames_are_shared_only_while_one_view_is_drawn():
    from types import SimpleNamespace
    from widgets.selection import one_view, process_frames
    walks = []

    class Pgd:
        def __init__(self):
            self.leaves_now = [SimpleNamespace(paddr=0x5000)]

        def leaves(self, start, end):
            walks.append((start, end))
            return list(self.leaves_now)

    proc = SimpleNamespace(mm=SimpleNamespace(pgd=Pgd()))
    with one_view():
        assert process_frames(proc) == [5] and process_frames(proc) == [5]
    assert len(walks) == 1
    proc.mm.pgd.leaves_now.append(SimpleNamespace(paddr=0x7000))   # the next step maps a page
    assert process_frames(proc) == [5, 7]                           # outside a view: read again
    with one_view():
        assert process_frames(proc) == [5, 7]
    assert len(walks) == 3


async def test_a_line_without_spans_is_drawn_in_its_base_style():
    """Text.render() applies a Text's own style only through its spans: a line with none (the
    walk pane's "this step: 0 hit, 1 miss" in magenta, "TLB" in bold) was drawn plain."""
    app = One()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(Pane)
        pane.set_lines([Text("plain"), Text("magenta line", "bold magenta"), Text("x", "bold").append(" y", "red")])
        await pilot.pause()
        styles = {seg.text.strip(): seg.style for y in range(3) for seg in pane.render_line(y) if seg.text.strip()}
        assert styles["magenta line"].bold and styles["magenta line"].color is not None
        assert styles["magenta line"].color != (styles["plain"].color if styles["plain"] else None)
        assert styles["x"].bold and styles["y"].bold and styles["y"].color != styles["x"].color
