"""Every theme the `t` key cycles draws the pane titles readable: at least 4.5:1 against the
background (WCAG AA for text).  textual-dark's $secondary border colour, which titles took,
is 1.9:1 on its background."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp          # noqa: E402
from app.ansi_palette import contrast  # noqa: E402
from app.chrome import THEMES         # noqa: E402


def _contrast(a, b) -> float:
    return contrast((a.r, a.g, a.b), (b.r, b.g, b.b))


async def test_pane_titles_are_readable_in_every_theme():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(200, 60)) as pilot:
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            for pane in app.query_one("#main").children:
                if not pane.display:
                    continue
                bg = pane.background_colors[1]
                styles = pane.styles        # a title without its own colour takes the border's
                colour = styles.border_title_color if styles.has_rule("border_title_color") \
                    else styles.border_top[1]
                title = bg + colour
                assert _contrast(title, bg) >= 4.5, (theme, pane.id, title.hex, bg.hex)
