"""A text that names a key names the one bound to it: a [keymap] in the config file remaps
bindings (App.set_keymap), yet the exploration state said "b returns to the lesson", the help
screen listed `b`, the lesson's first screen "Press → or n", the tab bar "1-7 pane · v layout"
and the walk pane "(g)" whatever the keys were.  They are now {key:ID} references filled from
the running app's bindings (widgets.i18n.KEY_NAMES)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import quiz_ui
from app.app import MmvizApp
from widgets import LessonPane, i18n
from widgets.i18n import KEY_DEFAULTS, KEY_NAMES, tr

from tests.test_state_visible import _type, above_panes, rows

ROOT = Path(__file__).resolve().parent.parent
KEYMAP = {"return": "x", "step": "right,j", "command-line": "semicolon", "goto": "ctrl+g",
          "layout": "V", "front-vmap": "F1", "skip-question": "ctrl+s", "quiz-next-kind": "ctrl+k"}


async def test_without_a_keymap_the_defaults_are_the_bound_keys():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=(120, 40)):
        assert {k: KEY_NAMES[k] for k in KEY_DEFAULTS} == KEY_DEFAULTS


async def test_every_key_reference_names_a_binding():
    texts = [v for table in i18n.UI.values() for v in table.values()]
    texts += [v for pair in i18n.PANES.values() for v in pair]
    texts += [v for table in quiz_ui.WORDS.values() for v in table.values()]
    texts += [(ROOT / "app" / name).read_text(encoding="utf-8") for name in ("help.md", "help.zh.md")]
    refs = {ref for text in texts for ref in re.findall(r"\{key:([\w-]+)\}", text)}
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=(120, 40)):
        assert refs and refs <= set(KEY_NAMES), refs - set(KEY_NAMES)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_remapped_keys_are_the_ones_the_texts_name(lang):
    app = MmvizApp(lesson="zones-gfp", lang=lang)
    app.ask_questions = False
    app.set_keymap(KEYMAP)
    async with app.run_test(size=(120, 40)) as pilot:
        start = " ".join(app.query_one(LessonPane).plain.split())
        assert "→ / j" in start and "→ or n" not in start and "→ 或 n" not in start, start
        assert tr(lang, "tabs.keys").split()[0] == "F1/2/3/4/5/6/7" and " V " in tr(lang, "tabs.keys")
        assert "Ctrl+S" in tr(lang, "ask.type") and "Esc" not in tr(lang, "ask.type")
        assert "Ctrl+K" in i18n.with_keys(quiz_ui.WORDS[lang]["keys"])
        assert "Ctrl+G" in tr(lang, "walk.none")
        await pilot.press("right", "right", "semicolon")
        await _type(pilot, "kmalloc 100")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.lesson_timeline is not None
        top = above_panes(app)
        said = (tr(lang, "branch.on", step=2, lesson="zones-gfp"), tr(lang, "branch.short", step=2))
        assert any(s in top for s in said) and all("x" in s and " b " not in s for s in said), top
        assert f"x {tr(lang, 'key.return')}" in rows(app)[-1]
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = app.screen.query_one("#help-text")._markdown
        assert "`x`" in help_text and "`b`" not in help_text and "`→ / j`" in help_text
        assert "{key:" not in help_text
        await pilot.press("escape")
        await pilot.press("x")
        await pilot.pause()
        assert app.lesson_timeline is None


@pytest.mark.parametrize("name", ["help.md", "help.zh.md"])
def test_the_help_lists_every_key_of_the_app(name):
    """`?` shows every key (the README says so): each binding of the app has its row, the
    pane keys 1-7 one row ({key:front}).  `P` (the physical map as letters) had none."""
    text = (ROOT / "app" / name).read_text(encoding="utf-8")
    refs = set(re.findall(r"\{key:([\w-]+)\}", text))
    ids = {b.id for b in MmvizApp.BINDINGS if getattr(b, "id", None)}
    missing = {i for i in ids if i not in refs and not (i.startswith("front-") and "front" in refs)}
    assert not missing, missing


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_goto_prompt_is_shown_whole(lang):
    """The go-to dialog's prompt wraps inside its box: it was cut after "bound with"."""
    app = MmvizApp(lesson="memory-map", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = " ".join("".join(seg.text for seg in strip).strip("▊▎ ")
                          for strip in app.screen._compositor.render_strips())
        words = tr(lang, "goto.prompt")
        assert all(part in screen for part in words.split()), (words, screen)


def test_the_pane_bindings_read_as_chinese_in_chinese():
    """The palette said '切换前台窗格: slab 缓存' with an English colon."""
    from textual.binding import Binding

    from app.chrome import binding_text
    zh, _ = binding_text(Binding("5", "front('slab')", "x", id="front-slab"), "zh")
    en, _ = binding_text(Binding("5", "front('slab')", "x", id="front-slab"), "en")
    assert "：" in zh and ": " not in zh and en.startswith("Pane in front: "), (zh, en)
