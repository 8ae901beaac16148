"""Start-up: what the first frame needs and nothing else, with the same screen as before.

- ``mmviz`` with no lesson loads one lesson file, the first in teaching order, reading only
  the ``[lesson]`` table of the others;
- the command line starts without garbage collection (imports and boot allocate about a
  million long-lived objects and collecting them frees nothing); the app's collector policy
  turns it on at mount, every other command before it runs, and main() leaves the process as
  it found it; numpy gets one OpenBLAS thread unless the user chose;
- the footer's keys are in the first frame, and the main screen is not restyled in full
  right after its nodes were styled.
"""
from __future__ import annotations

import asyncio
import gc
import shutil

import pytest

from app import cli
from app.app import MmvizApp
from scenarios.library import all_lessons, first_lesson, set_user_dirs


def lesson(lid: str, order: int) -> str:
    """A lesson as ``mmviz new`` writes it, with this id and order."""
    from app.cli_author import SCAFFOLD
    return SCAFFOLD.format(id=lid, file=f"{lid}.toml").replace("order = 1000", f"order = {order}", 1)


def test_the_default_lesson_is_the_first_of_all_lessons(tmp_path):
    assert first_lesson().id == all_lessons()[0].id
    try:
        set_user_dirs([tmp_path])
        (tmp_path / "late.toml").write_text(lesson("late", 5000))
        assert first_lesson().id == all_lessons()[0].id != "late"
        (tmp_path / "early.toml").write_text(lesson("early", 1))
        (tmp_path / "broken.toml").write_text(lesson("broken", 0)
                                              .replace('do = "proc"', 'do = "no_such_op"'))
        (tmp_path / "bad.toml").write_text("[lesson\norder = -1\n")
        assert first_lesson().id == all_lessons()[0].id == "early"
    finally:
        set_user_dirs([])


@pytest.mark.parametrize("argv", [["buddy"], ["buddy", "--lang", "zh"], ["run", "buddy"]])
def test_a_named_lesson_is_loaded_once_before_the_app_starts(monkeypatch, argv):
    """``mmviz LESSON`` checks the lesson before anything starts; the app gets the lesson as
    loaded then, not its name to load it again (one parse and validation: 7-15 ms)."""
    import scenarios.library as library
    from app.timeline_ui import load_timeline
    loaded, started = [], []
    real = library.load_lesson
    monkeypatch.setattr(library, "load_lesson", lambda p: loaded.append(p) or real(p))

    class App:            # the app as far as the command line sees it: it loads the timeline
        def __init__(self, lesson=None, machine=None, **_):
            started.append(load_timeline(lesson, machine=machine))
    monkeypatch.setattr(cli, "tui_wanted", lambda: True)
    monkeypatch.setattr(cli, "_tui_app", lambda: App)
    monkeypatch.setattr(cli, "_run_app", lambda app: 0)
    assert cli.main(argv) == 0
    assert len(loaded) == 1 and [tl.lesson.id for tl in started] == ["buddy"]


def test_lesson_files_are_loaded_once_for_the_default_lesson(monkeypatch):
    import scenarios.library as library
    loaded = []
    real = library.load_lesson
    monkeypatch.setattr(library, "load_lesson", lambda p: loaded.append(p) or real(p))
    assert first_lesson() is not None and len(loaded) == 1


@pytest.mark.parametrize("text", [
    '[lesson]\norder = 1\ntags = [\n  ["a"],\n]\nid = "x"\n[[step]]\n',       # array rows
    'x = """\n[lesson]\n"""\n[lesson]\nid = "y"\norder = 3\n[[step]]\n',          # in a string
    '[lesson]\nid = "z"\ns = """\n[foo]\n"""\norder = 2\n[[step]]\n',
    '  [ lesson ]  # c\nid = "q"\n  [other]\nk = 1\n',
    'title = "no lesson table"\n[[step]]\n'])
def test_the_lesson_table_is_read_as_from_the_whole_file(text):
    import tomllib

    from scenarios.library import lesson_head, lesson_paths
    from scenarios.loader import read_lesson_text
    assert lesson_head(text) == tomllib.loads(text).get("lesson")
    for path in lesson_paths():
        whole = read_lesson_text(path)
        assert lesson_head(whole) == tomllib.loads(whole)["lesson"]


@pytest.mark.parametrize("command", [["lessons"], ["check", "buddy"]])
def test_commands_run_with_the_collector_and_main_restores_it(monkeypatch, command, capsys):
    seen = []
    name = command[0]
    real = cli.COMMANDS[name]
    monkeypatch.setitem(cli.COMMANDS, name, lambda ns: seen.append(gc.isenabled()) or real(ns))
    assert gc.isenabled()
    assert cli.main(command) == 0
    assert seen == [True] and gc.isenabled()
    gc.disable()
    try:
        assert cli.main(command) == 0
        assert not gc.isenabled()             # as main() found it
    finally:
        gc.enable()


def test_the_tui_starts_without_the_collector_and_the_app_turns_it_on(monkeypatch):
    seen = []

    class FakeApp:
        def __init__(self, **kw):
            seen.append(gc.isenabled())

    monkeypatch.setattr(cli, "_tui_app", lambda: FakeApp)
    monkeypatch.setattr(cli, "tui_wanted", lambda: True)
    monkeypatch.setattr(cli, "_run_app", lambda app: seen.append(gc.isenabled()) or 0)
    assert cli.main(["run", "buddy"]) == 0
    assert seen == [False, False] and gc.isenabled()

    async def mount() -> bool:
        app = MmvizApp(lesson="buddy")
        gc.disable()
        async with app.run_test(size=(160, 48)):
            return gc.isenabled()
    try:
        assert asyncio.run(mount())
    finally:
        gc.enable()


def test_one_openblas_thread_unless_the_user_chose(monkeypatch, capsys):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    cli.main(["lessons"])
    import os
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    cli.main(["lessons"])
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


def test_the_first_frame_has_the_footer_keys_and_no_full_restyle(monkeypatch):
    from textual import events
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets._footer import FooterKey
    first: list[int] = []
    restyled: list[object] = []
    real_refresh, real_styles = Screen._compositor_refresh, App.update_styles

    def refresh(screen):
        if not first:
            first.append(len(screen.query(FooterKey)))
        return real_refresh(screen)

    def update_styles(app, node, animate=True):
        restyled.append(node)
        return real_styles(app, node, animate)
    monkeypatch.setattr(Screen, "_compositor_refresh", refresh)
    monkeypatch.setattr(App, "update_styles", update_styles)

    async def run() -> list[str]:
        app = MmvizApp(lesson="buddy")
        async with app.run_test(size=(200, 60)) as pilot:
            await pilot.pause()
            assert app.screen not in restyled          # styled as it mounted, not again
            app.screen.post_message(events.ScreenResume())   # a later resume restyles, as
            await pilot.pause()                               # Textual's screens do
            assert app.screen in restyled
            return [k.key for k in app.screen.query(FooterKey)]
    keys = asyncio.run(run())
    assert first and first[0] == len(keys) > 5 and "right" in keys


def test_the_process_ends_with_what_the_command_made_frozen(tmp_path):
    """``mmviz ...`` (main() reading the process's own arguments) freezes the objects at exit, so
    the interpreter's teardown does not walk them all once more (0.3-0.4 s after a recording);
    main() called with arguments (a test, another program) leaves the collector alone."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
             "from app.cli import main\n"
             "sys.argv = ['mmviz', 'lessons']\n"
             "main({})\n")
    for argv, frozen in (("", "True"), ("['lessons']", "False")):
        out = subprocess.run([sys.executable, "-c", probe.format(argv)], capture_output=True,
                             text=True, cwd=root, timeout=120).stdout
        assert out.splitlines()[-1] == f"frozen {frozen}", out[-300:]


def test_the_first_frame_imports_no_help_renderer():
    """The help screens' Markdown (markdown-it, 40-70 ms of imports) is imported when a help
    opens, not for the first frame (the keys of every screen are read at mount)."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    probe = ("import asyncio, sys\n"
             "from app.app import MmvizApp\n"
             "async def run():\n"
             "    app = MmvizApp(lesson='buddy')\n"
             "    async with app.run_test(size=(120, 40)) as pilot:\n"
             "        await pilot.pause()\n"
             "        print('first', 'markdown_it' in sys.modules)\n"
             "        await pilot.press('question_mark')\n"
             "        await pilot.pause()\n"
             "        print('help', 'markdown_it' in sys.modules, type(app.screen).__name__)\n"
             "asyncio.run(run())\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=root,
                         timeout=120).stdout
    assert out.splitlines()[-2:] == ["first False", "help True HelpScreen"], out[-300:]
