"""What the physical map works out once: its legend per width, language, patterns and theme
(a lesson whose steps hide the map and bring it back, the width going 0 -> 79 -> 0, made it
again on every read while hidden and after every flip), and the frames a selection lights
up per step result; either is what a fresh build gives."""
from __future__ import annotations

import os

import widgets.physmap as physmap
from app.app import MmvizApp


async def test_the_legend_is_made_once_per_width_language_and_patterns(monkeypatch):
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    built = []
    pack = physmap.pack_pairs
    monkeypatch.setattr(physmap, "pack_pairs", lambda *a, **kw: (built.append(a[1]), pack(*a, **kw))[1])
    app = MmvizApp(lesson="process-memory", ram="1G")
    async with app.run_test(size=(200, 60)) as pilot:
        pm = app.query_one(physmap.PhysicalMapPane)
        widths = set()
        for key in ["right"] * len(app.timeline) + ["left"] * 6:
            await pilot.press(key)
            widths.add(pm.size.width)
        assert len(widths) > 1, "the lesson hides the map and brings it back"
        assert len(built) <= len(widths), f"{len(built)} legends made for widths {sorted(widths)}"
        for change in (lambda: setattr(app, "lang", "zh"), lambda: app.action_toggle_patterns(),
                       lambda: setattr(app, "lang", "en"), lambda: app.action_toggle_patterns()):
            change()
            await pilot.pause()
            shown = [s.text for s in pm._legend_lines()]
            pm._legends.clear()
            pm._legend = []
            assert [s.text for s in pm._legend_lines()] == shown
        assert pm._legend_lines() and any("free" in s.text for s in pm._legend_lines())


async def test_the_frames_a_selection_lights_up_are_worked_out_once_per_step(monkeypatch):
    """A process's resident frames (a walk of its page tables) are worked out once per step
    result and selection, and are what a fresh walk gives at every position, however reached."""
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    walks, described = [], []
    linked, describe = physmap.linked_pfns, physmap.describe
    monkeypatch.setattr(physmap, "linked_pfns", lambda m, s: (walks.append(s), linked(m, s))[1])
    monkeypatch.setattr(physmap, "describe", lambda *a: (described.append(a[1]), describe(*a))[1])
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(200, 60)) as pilot:
        pm = app.query_one(physmap.PhysicalMapPane)
        for _ in range(len(app.timeline)):
            await pilot.press("right")
        first, told = len(walks), len(described)
        while app.timeline.position > 1:
            await pilot.press("left")
            m = app.timeline.machine
            assert pm.linked == set(linked(m, app.selection)), app.timeline.position
            fresh = describe(m, app.selection, app.lang).split("\n")[:len(pm._info)]
            assert [t.plain for t in pm._info[:len(fresh)]] == fresh, app.timeline.position
        await pilot.press("end")
        assert pm.linked == set(linked(app.timeline.machine, app.selection))
        again = [s for s in walks[first:] if s is not None]
        assert first and not again, f"walked again going back: {again[:3]}"
        assert told and len(described) == told, "described again going back"


async def test_the_lesson_and_the_map_share_one_description_per_step(monkeypatch):
    """The selection's description line is shown by the lesson and the physical map: it is
    worked out once per step result for both (it walks a process's page tables), forward and
    back, and both panes show the same text."""
    import widgets.lesson as lesson
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    described = []
    describe = physmap.describe
    counted = lambda *a: (described.append((app.timeline.position, a[1])), describe(*a))[1]     # noqa: E731
    monkeypatch.setattr(physmap, "describe", counted)
    monkeypatch.setattr(lesson, "describe", counted)
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(200, 60)) as pilot:
        pm = app.query_one(physmap.PhysicalMapPane)
        steps = len(app.timeline)
        for _ in range(steps):
            await pilot.press("right")
        for _ in range(3):
            await pilot.press("left")
        from collections import Counter
        again = {pos: n for pos, n in Counter(pos for pos, _ in described if pos > 0).items() if n > 1}
        assert described and not again, f"described again at positions {again}"   # 0: no result
        line = describe(app.timeline.machine, app.selection, app.lang)
        if line:
            assert line.split("\n")[0] in app.query_one(lesson.LessonPane).plain.replace("\n", " ")
            assert pm._info[0].plain == line.split("\n")[0]
