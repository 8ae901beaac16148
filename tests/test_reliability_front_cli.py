"""#17, the command line and the outputs: bad arguments are one clear line before any
work; lesson text reaches no output as terminal commands (text mode, casts, SVG, the
TUI); an unexpected error is one line, a non-zero status and a crash log."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import app.cli as cli
from app.cli import main
from scenarios import load_lesson
from scenarios.textsafe import is_clean, sanitize

FUZZ = Path(__file__).parent / "broken_lessons" / "fuzz"
X04 = FUZZ / "x04_ansi_escape.toml"
RAW = ("\x1b[2J", "\x1b[31m", "\x1b]0;pwned", "\x07", "\x1b[H\x1b[2J")   # what x04 carries


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# -- the sanitising function ---------------------------------------------------------------

def test_sanitize_makes_controls_visible():
    assert sanitize("a\x1b[2Jb\x07") == "a␛[2Jb␇"
    assert sanitize("x\u009b31m") == "x\\x9b31m"                # 8-bit CSI
    assert sanitize("abc\u202edef") == "abc\\u202edef"         # right-to-left override
    assert sanitize("one\ntwo\tthree\r\n") == "one\ntwo three\n"
    assert sanitize("one\ntwo", newlines=False) == "one␤two"
    assert sanitize("伙伴系统 ok") == "伙伴系统 ok"
    assert sanitize("a\ud800b") == "a\\ud800b"                    # a lone surrogate cannot be printed
    assert is_clean("kmalloc-64") and not is_clean("a\x1bb")


def test_lesson_text_is_sanitized_at_load():
    lesson = load_lesson(X04)
    step = lesson.steps[0]
    for text in (step.narration("en"), step.narration("zh"), step.short_title("en")):
        assert not any(raw in text for raw in RAW) and "␛" in text


# -- one test per output ---------------------------------------------------------------------

def test_run_text_output_has_no_escape_from_the_lesson(capsys):
    code, out, _ = run_cli(capsys, "run", "--text", str(X04))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "␛[2J␛[31mRED␛]0;pwned␇" in out


def _no_lesson_escape(frame: str) -> None:
    assert "\x1b]" not in frame and "\x07" not in frame and "\x1b[31mRED" not in frame


def test_cast_recording_has_no_escape_from_the_lesson(tmp_path, capsys):
    out = tmp_path / "x.cast"
    code, _, _ = run_cli(capsys, "record", str(X04), "-o", str(out), "--quiet")
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert is_clean(header["title"])
    events = [json.loads(line) for line in lines[1:]]
    labels = [data for _, kind, data in events if kind == "m"]
    assert labels and all(is_clean(label) for label in labels)
    assert any("␛" in label for label in labels)
    for _, kind, data in events:
        if kind == "o":
            _no_lesson_escape(data)


def test_svg_screenshot_has_no_escape_from_the_lesson(tmp_path, capsys):
    code, _, _ = run_cli(capsys, "record", str(X04), "--svg", str(tmp_path), "--step", "1", "--quiet")
    assert code == 0
    svg = (tmp_path / "step-001.svg").read_text(encoding="utf-8")
    assert "\x1b" not in svg and "\x07" not in svg
    assert "␛" in svg


async def test_tui_shows_lesson_escapes_as_text():
    from app.app import MmvizApp
    from app.record import render_ansi
    app = MmvizApp(lesson=str(X04))
    async with app.run_test(size=(140, 45)) as pilot:
        app.action_step()
        await pilot.pause()
        frame = render_ansi(app)
        _no_lesson_escape(frame)
        assert "␛" in frame


# -- record arguments: refused before recording ------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--svg", "{tmp}", "--step", "999"], "--step must be 0..12"),
    (["--svg", "{tmp}", "--step", "-1"], "--step must be 0..12"),
    (["-o", "{tmp}/a.cast", "--step-seconds", "nan"], "--step-seconds"),
    (["-o", "{tmp}/a.cast", "--step-seconds", "inf"], "--step-seconds"),
    (["-o", "{tmp}/a.cast", "--size", "20x5"], "--size"),
    (["-o", "{tmp}/a.cast", "--size", "x"], "--size"),
])
def test_record_bad_arguments_are_usage_errors(capsys, tmp_path, args, words):
    code, _, err = run_cli(capsys, "record", "buddy", *[a.format(tmp=tmp_path) for a in args])
    assert code == 2 and len(err.splitlines()) == 1 and words in err


@pytest.mark.parametrize("target", ["/proc/version.cast", "{tmp}/dir.cast", "{tmp}/missing/a.cast"])
def test_record_unwritable_output_is_named_before_recording(capsys, tmp_path, target, monkeypatch):
    import app.record
    monkeypatch.setattr(app.record, "_play", lambda *a, **k: pytest.fail("recorded anyway"))
    (tmp_path / "dir.cast").mkdir()                       # a folder with a recording's name
    path = target.format(tmp=tmp_path)
    code, _, err = run_cli(capsys, "record", "buddy", "-o", path)
    assert code == 2 and len(err.splitlines()) == 1          # a bad -o: an argument error
    assert re.match(rf"^mmviz record: {re.escape(str(Path(path).parent if 'missing' in path else path))}: \S", err), err


def test_record_80x24_records_every_step(tmp_path, capsys):
    out = tmp_path / "a.cast"
    code, _, _ = run_cli(capsys, "record", "buddy", "-o", str(out), "--size", "80x24", "--quiet")
    assert code == 0
    marks = [json.loads(l)[2] for l in out.read_text(encoding="utf-8").splitlines()[1:]
             if json.loads(l)[1] == "m"]
    assert [m.split(":")[0] for m in marks] == [str(i) for i in range(13)]


# -- other commands ----------------------------------------------------------------------------

def test_proc_self_without_a_running_process(capsys):
    """No process to be /proc/self is a bad PATH (name a process): exit 2, as any argument error."""
    code, _, err = run_cli(capsys, "proc", "/proc/self/maps")
    assert code == 2 and "None" not in err and "no process is running" in err


def test_proc_self_while_a_process_runs(capsys):
    code, out, _ = run_cli(capsys, "proc", "/proc/self/maps", "--lesson", "fork-cow", "--step", "1")
    assert code == 0 and "[stack]" in out


@pytest.mark.parametrize("command", ["proc /proc/meminfo", "walk 0xc0000000"])
def test_step_without_lesson_is_refused(capsys, command):
    code, _, err = run_cli(capsys, *command.split(), "--step", "3")
    assert code == 2 and "--step needs --lesson" in err


@pytest.mark.parametrize("args", [["layout", "--ram", "1" + "0" * 320], ["layout", "--vmalloc", "4G"],
                                  ["layout", "--ram", "1" + "0" * 320 + "M"]])
def test_machine_arguments_are_checked_like_boot(capsys, args):
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and len(err.splitlines()) == 1 and "internal error" not in err


# -- the last resort: one line, non-zero status, a crash log -------------------------------------

def test_unexpected_error_is_one_line_and_a_crash_log(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MMVIZ_LOG_DIR", str(tmp_path))

    def boom(ns):
        raise RuntimeError("boom\nsecond line")
    monkeypatch.setitem(cli.COMMANDS, "lessons", boom)
    code, _, err = run_cli(capsys, "lessons")
    assert code == cli.EXIT_INTERNAL
    assert len(err.splitlines()) == 1
    m = re.search(r"details in (\S+)\)$", err.strip())
    assert m and Path(m.group(1)).parent == tmp_path
    assert "RuntimeError: boom" in Path(m.group(1)).read_text() and "Traceback" in Path(m.group(1)).read_text()


def test_tui_crash_exits_non_zero_with_a_crash_log(capsys, monkeypatch, tmp_path):
    from textual.app import App
    monkeypatch.setenv("MMVIZ_LOG_DIR", str(tmp_path))

    class Crashing(App):
        def on_mount(self) -> None:
            raise KeyError(0)

        def run(self, **kw):                      # no terminal in tests
            return super().run(headless=True)

    code = cli._run_app(Crashing())
    _, err = capsys.readouterr()
    assert code == cli.EXIT_INTERNAL
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    log = re.search(r"details in (\S+)$", err.strip()).group(1)
    assert "KeyError" in Path(log).read_text()


def test_unknown_textual_color_system_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setenv("TEXTUAL_COLOR_SYSTEM", "monochrome")
    code, _, err = run_cli(capsys, "lessons")
    assert code == 2 and "TEXTUAL_COLOR_SYSTEM" in err and len(err.splitlines()) == 1
