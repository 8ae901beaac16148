"""Layouts by size: the layout each terminal gets, every pane at or above its MIN_WIDTH, the
step's narration reachable, the layout key, the pane keys and the step's focus in front."""
from __future__ import annotations

import pytest

from app import layout
from app.app import MmvizApp
from widgets import LessonPane

SIZES = {(80, 24): "compact", (100, 30): "medium", (120, 40): "medium", (160, 48): "wide",
         (250, 70): "wide"}


def visible_panes(app) -> dict[str, int]:
    """Pane id -> drawn width, for every pane on screen."""
    out = {}
    for pane in ("lesson", *layout.PANES):
        w = app.query_one(f"#{pane}")
        if w.display and w.region.width and w.region.height and not w.has_class("-hidden"):
            out[pane] = w.region.width
    return out


async def reachable_narration(pilot) -> str:
    """Everything the lesson pane shows while J scrolls it to the end."""
    app = pilot.app
    pane = app.query_one(LessonPane)
    seen: list[str] = []
    for _ in range(40):
        top, h = int(pane.scroll_y), pane.scrollable_content_region.height
        seen.extend(t.plain for t in pane._lines[top:top + h])
        if pane.scroll_y >= pane.max_scroll_y:
            break
        await pilot.press("J")
        await pilot.pause()
    return " ".join(" ".join(seen).split())


@pytest.mark.parametrize("size", list(SIZES), ids=[f"{w}x{h}" for w, h in SIZES])
async def test_layout_for_size(size):
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=size) as pilot:
        for _ in range(3):
            await pilot.press("n")
        await pilot.pause()
        assert app.plan.layout == SIZES[size]
        mins = layout.min_widths()
        shown = visible_panes(app)
        assert "lesson" in shown and len(shown) >= 2
        for pane, width in shown.items():
            assert width >= mins[pane], (pane, width, mins[pane])
        if SIZES[size] == "wide":          # the drawings (mm, fault) only when in front
            assert set(shown) == {"lesson", *layout.WIDE_PANES}
        narration = " ".join(app.timeline.current.narration("en").split())
        assert narration in await reachable_narration(pilot)


async def test_layout_key_cycles_the_layouts_that_fit():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        seen = [app.plan.layout]
        for _ in range(3):
            await pilot.press("v")
            await pilot.pause()
            seen.append(app.plan.layout)
        assert seen == ["wide", "medium", "compact", "wide"]
        assert app.screen.has_class("-wide")
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(80, 24)) as pilot:     # only compact fits: v keeps it
        await pilot.press("v")
        await pilot.pause()
        assert app.plan.layout == "compact"
        await pilot.resize_terminal(160, 48)            # ... and pins nothing: a wider terminal
        await pilot.pause()                             # gets the wide layout back
        assert app.plan.layout == "wide"


async def test_pane_keys_bring_a_pane_in_front_in_compact():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(80, 24)) as pilot:
        assert len(layout.PANES) == 7
        for key, pane in zip("1234567", layout.PANES):
            await pilot.press(key)
            await pilot.pause()
            assert set(visible_panes(app)) == {"lesson", pane}
            assert app.focused is app.query_one(f"#{pane}")


async def test_step_focus_decides_what_is_in_front():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1")           # the reader looks at the virtual map ...
        for _ in range(2):
            await pilot.press("n")        # ... the buddy lesson's steps focus frames and zones
        await pilot.pause()
        focus = app.timeline.current.focus
        assert focus, "this step has a focus"
        want = layout.front_for(focus, app.timeline.current.op)
        assert set(want[:2]) <= set(visible_panes(app))


def test_plans_never_draw_a_pane_below_its_minimum():
    mins = layout.min_widths()
    for w in range(60, 301, 7):
        for h in range(16, 81, 5):
            for front in (("walk", "slab"), ("vmap", "physical"), ("slab",), ("buddy", "walk")):
                plan = layout.choose((w, h), front)
                assert plan is not None
                if plan.layout == "wide":
                    left, mid, right = layout.wide_columns(w, mins)
                    assert left + mid + right == w
                    assert mid >= max(mins["physical"], mins["buddy"])
                    assert right >= max(mins["lesson"], mins["walk"], mins["slab"])
                elif plan.layout == "medium":
                    assert plan.lesson_width >= mins["lesson"]
                    assert all(w - plan.lesson_width >= mins[p] for p in plan.visible)
                else:
                    assert all(w >= mins[p] for p in (*plan.visible, "lesson"))
    assert layout.choose((50, 14), ("vmap",)) is None


async def test_tab_bar_click_brings_a_pane_in_front():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tabs = app.query_one("#pane-tabs")
        text = str(tabs.render())
        x = text.index("5 ") + 1                     # padding 0 1: one column to the right
        await pilot.click("#pane-tabs", offset=(x + 1, 0))
        await pilot.pause()
        assert set(visible_panes(app)) == {"lesson", "slab"}


@pytest.mark.parametrize("lesson", ["buddy", "memory-map", "kmalloc-vmalloc"])
async def test_panes_in_front_depend_on_the_step_not_the_way_there(lesson):
    """At 120x40 (medium: the lesson beside the step's panes) every step shows the same panes
    stepping forward, stepping back from the end, and after Home: a step without a focus
    shows the latest earlier step's panes, not the panes of the step shown before it."""
    app = MmvizApp(lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        n = len(app.timeline)
        forward = [visible_panes(app)]
        for _ in range(n):
            await pilot.press("right")
            await pilot.pause()
            forward.append(visible_panes(app))
        for k in range(n - 1, -1, -1):
            await pilot.press("left")
            await pilot.pause()
            assert visible_panes(app) == forward[k], f"step {k} reached back from {k + 1}"
        await pilot.press("right", "home")
        await pilot.pause()
        assert visible_panes(app) == forward[0], "step 0 after Home"


def test_wide_keeps_a_drawing_beside_the_page_walk():
    """In the wide layout a drawing takes physical and buddy's column; a step about an address
    (the page walk in front) keeps it there, any other step's first pane decides.  process-memory
    steps 10-16 (faults, then addresses) kept swapping the fault path with physical and buddy:
    a layout and a repaint of a third of the screen at every other step."""
    from app.layout import plan
    size = (200, 60)
    mid = lambda front: plan("wide", size, front).visible[1]     # noqa: E731
    assert mid(("fault", "walk", "vmap", "physical", "buddy")) == "fault"
    assert mid(("walk", "vmap", "fault", "physical", "buddy")) == "fault"         # an address step
    assert mid(("walk", "vmap", "physical", "buddy", "fault")) == "physical"
    assert mid(("vmap", "walk", "fault", "physical", "buddy")) == "physical"      # a process step
    assert mid(("physical", "buddy", "mm", "walk", "vmap")) == "physical"
    assert mid(("walk", "vmap", "mm", "fault", "physical")) == "mm"

