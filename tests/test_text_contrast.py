"""Every word the panes draw reads at 4.5:1 (WCAG AA) in every theme the `t` key cycles, in
every lesson: what each widget renders (after Textual's ANSI-to-RGB and dim filters) is
checked segment by segment against its own background.

This is what caught: hit orders in the buddy pane drawn "dim bold magenta" (2.5:1) because
the row's "dim" base style covered them; the walk pane's TLB column taking the walk line's
colour; Alabaster's yellow and cyan on textual-light (2.1 and 3.3:1); Monokai's red on nord
(3.0:1); fixed greys for addresses (2.0:1 on light themes); the header's dimmed lesson title
and the light footer's key colour; nord's panel text at 4.4:1 in a 256-colour terminal."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("textual")

from textual.geometry import Region          # noqa: E402

from app.ansi_palette import MIN_CONTRAST, contrast, in_256_colours, readable, readable_ansi, reads  # noqa: E402
from app.app import MmvizApp                 # noqa: E402
from app.chrome import THEMES                # noqa: E402
from scenarios.library import LESSON_DIR     # noqa: E402

WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
BORDER = re.compile(r"^[─│╭╮╰╯]+$")       # a pane's round border: 3:1, WCAG's for what is not text
PANES = {"VirtualMap", "PhysicalMapPane", "BuddyPane", "PageWalkPane", "SlabPane", "MmStructPane",
         "FaultFlowPane", "LessonPane"}
AA, NON_TEXT = 4.5, 3.0


def low_contrast_words(app: MmvizApp) -> list[tuple]:
    """(widget, text, ratio, fg, bg) of every segment with a letter or digit below 4.5:1, or
    of a pane's border below 3:1, in true colour or as a 256-colour terminal (tmux) shows it."""
    out = []
    for w in app.screen.query("*"):
        if not w.display or not w.size.area:
            continue
        for strip in w.render_lines(Region(0, 0, w.size.width, w.size.height)):
            for seg in strip:
                st = seg.style
                text = seg.text.strip()
                if st is None or st.color is None or st.bgcolor is None:
                    continue
                need = AA if WORD.search(text) else \
                    NON_TEXT if BORDER.match(text) and type(w).__name__ in PANES else 0
                if not need:
                    continue
                fg, bg = tuple(st.color.get_truecolor()), tuple(st.bgcolor.get_truecolor())
                if not reads(fg, bg, need):
                    ratio = min(contrast(fg, bg), contrast(in_256_colours(fg), in_256_colours(bg)))
                    out.append((type(w).__name__, seg.text.strip()[:30], round(ratio, 2), fg, bg))
    return out


CASES = [(p.stem, (200, 60), "en") for p in sorted(LESSON_DIR.glob("*.toml"))] + \
    [("buddy", (80, 24), "en"), ("slab", (120, 40), "zh"), ("page-walk", (80, 24), "zh")]


@pytest.mark.parametrize("lesson,size,lang", CASES)
async def test_every_word_of_every_pane_is_readable_in_every_theme(lesson, size, lang):
    app = MmvizApp(lesson=lesson, lang=lang)
    async with app.run_test(size=size) as pilot:
        n = len(app.timeline.steps)
        marks = {1, n // 2, n}
        bad: dict = {}
        for at in range(1, n + 1):
            await pilot.press("right")
            if at not in marks:
                continue
            await pilot.pause()
            for theme in THEMES:
                app.theme = theme
                await pilot.pause()
                for widget, text, ratio, fg, bg in low_contrast_words(app):
                    bad.setdefault((theme, widget, fg, bg), (at, ratio, text))
            app.theme = THEMES[0]
        assert not bad, bad


@pytest.mark.parametrize("dark,backgrounds", [
    (True, ((18, 18, 18), (30, 30, 30), (36, 47, 56))), (True, ((46, 52, 64), (59, 66, 82), (67, 76, 94))),
    (False, ((224, 224, 224), (216, 216, 216), (208, 208, 208))), (False, ((255, 255, 255), (232, 232, 232)))])
def test_the_ansi_palette_reads_on_the_backgrounds_it_is_made_for(dark, backgrounds):
    theme = readable_ansi(dark, backgrounds)
    for i in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14):
        colour = tuple(theme.ansi_colors[i])
        assert all(reads(colour, bg) for bg in backgrounds), (i, colour)
    red, magenta = tuple(theme.ansi_colors[1]), tuple(theme.ansi_colors[5])
    assert red != magenta                     # Monokai's magenta is its red


def test_a_readable_colour_is_kept():
    assert readable((240, 240, 240), ((0, 0, 0),), True) == (240, 240, 240)
    assert readable((200, 200, 0), ((255, 255, 255),), False) != (200, 200, 0)


async def test_the_tab_bar_state_reads_in_every_theme():
    """Autoplay's state at the start of the 80-column tab bar, in the accent colour."""
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        state = app.query_one("#pane-tabs").render()
        assert str(state).strip() and not str(state).lstrip().startswith("1 ")     # a state is shown
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            assert not low_contrast_words(app), (theme, low_contrast_words(app))
        await pilot.press("space")


async def test_the_too_small_message_reads_in_every_theme():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            assert not low_contrast_words(app), (theme, low_contrast_words(app))


@pytest.mark.parametrize("key", ["question_mark", "l", "g", "colon", "Q", "G", "ctrl+p"])
async def test_the_screens_over_the_panes_read_in_every_theme(key):
    """Help, the lesson picker, go-to-address, the command line, the quiz, the glossary and
    the command palette."""
    app = MmvizApp(lesson="buddy", lang="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("right", key)
        await pilot.pause()
        bad = {}
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            for found in low_contrast_words(app):
                bad.setdefault((theme, found[0], found[3], found[4]), found)
        assert not bad, bad
