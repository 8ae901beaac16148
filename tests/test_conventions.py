"""The conventions of a well-kept Textual app: --version, python -m mmviz, shell completion
from the argparse parser, the config file (mmviz config; theme, lang, keymap, speed, record
size), progress through rich.progress (silent without a terminal), a clean package."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version as dist_version
from pathlib import Path

import pytest

import mmviz as pkg
from app.config import ConfigFileError, Settings, binding_ids, load_settings

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str, env: dict | None = None, module: str = "mmviz",
        cwd: Path = ROOT) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", module, *argv], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=e, timeout=300)


# -- --version, python -m --------------------------------------------------------------------

def test_version_names_mmviz_textual_rich_and_python():
    p = run("--version")
    assert p.returncode == 0 and p.stderr == ""
    line = p.stdout.strip()
    assert line.startswith(f"mmviz {pkg.__version__} (")
    assert f"Textual {dist_version('textual')}" in line and f"Rich {dist_version('rich')}" in line
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}." in line


def test_version_is_the_one_pyproject_declares():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "mmviz.__version__"}
    assert "version" in meta["project"]["dynamic"]


@pytest.mark.parametrize("module", ["mmviz", "app"])
def test_python_dash_m_runs_the_command_line(module):
    p = run("lessons", module=module)
    assert p.returncode == 0 and "buddy" in p.stdout


def test_pyproject_is_clean_for_setuptools():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(meta["project"]["license"], str)            # SPDX, not a table
    st = meta["tool"]["setuptools"]
    packages = set(st["packages"])
    roots = [d for d in ROOT.iterdir() if (d / "__init__.py").exists() and d.name not in ("tests", "bench")]
    on_disk = {str(p.parent.relative_to(ROOT)).replace("/", ".") for d in roots for p in d.rglob("*.py")
               if "__pycache__" not in p.parts}
    assert on_disk <= packages, on_disk - packages
    data = st["package-data"]
    assert "lesson.schema.json" in data["scenarios"] and "*.toml" in data["scenarios.lessons"]
    assert "scenarios.lessons" in packages     # a data folder setuptools would warn about


# -- completion ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mmviz_on_path(tmp_path_factory) -> dict:
    """An ``mmviz`` executable running this checkout, first on PATH."""
    bindir = tmp_path_factory.mktemp("bin")
    exe = bindir / "mmviz"
    exe.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m mmviz "$@"\n')
    exe.chmod(0o755)
    return {"PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}


def bash_complete(script: str, line: str, env: dict) -> list[str]:
    """COMPREPLY after the bash function the script registers completes ``line``."""
    prog = f"""{script}
COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
COMPREPLY=()
_python_argcomplete mmviz
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    p = subprocess.run(["bash", "-c", prog], capture_output=True, text=True,
                       env={**os.environ, **env}, timeout=120)
    assert p.returncode == 0, p.stderr
    return [w.strip() for w in p.stdout.splitlines() if w.strip()]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_options_and_lessons(mmviz_on_path):
    script = run("completion", "bash").stdout
    assert "complete " in script and "mmviz" in script
    assert bash_complete(script, "mmviz rec", mmviz_on_path) == ["record"]
    assert "buddy" in bash_complete(script, "mmviz run bu", mmviz_on_path)
    assert set(bash_complete(script, "mmviz completion ", mmviz_on_path)) >= {"bash", "zsh", "fish"}
    assert "--lang" in bash_complete(script, "mmviz --la", mmviz_on_path)
    assert bash_complete(script, "mmviz quiz wal", mmviz_on_path) == ["walk", "walk-pae"]


@pytest.mark.parametrize("shell, check", [("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])])
def test_zsh_and_fish_scripts(shell, check, tmp_path):
    p = run("completion", shell)
    assert p.returncode == 0
    assert "mmviz" in p.stdout and "_ARGCOMPLETE" in p.stdout    # they ask mmviz's parser
    if shell == "zsh":
        assert p.stdout.startswith("#compdef mmviz")
    else:
        assert "complete --command mmviz" in p.stdout
    if shutil.which(check[0]) is None:
        pytest.skip(f"{check[0]} is not installed: syntax not checked")
    f = tmp_path / f"mmviz.{shell}"
    f.write_text(p.stdout)
    r = subprocess.run([*check, str(f)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_completion_needs_a_known_shell():
    p = run("completion", "tcsh-ish")
    assert p.returncode == 2 and "invalid choice" in p.stderr and "Traceback" not in p.stderr


# -- the config file -------------------------------------------------------------------------

def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_shows_path_and_defaults_without_a_file(tmp_path):
    path = tmp_path / "none" / "config.toml"
    p = run("config", env={"MMVIZ_CONFIG": str(path)})
    assert p.returncode == 0
    assert f"config file: {path} (not there" in p.stdout
    assert "record.size     - (160x48)" in p.stdout


def test_config_default_path_is_the_platforms(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MMVIZ_CONFIG"}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    p = subprocess.run([sys.executable, "-m", "mmviz", "config"], capture_output=True, text=True,
                       cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, timeout=120)
    if sys.platform.startswith("linux"):
        assert f"config file: {tmp_path / 'mmviz' / 'config.toml'}" in p.stdout


def test_config_shows_the_values_in_force(tmp_path):
    path = write(tmp_path, 'theme = "projector"\nlang = "zh"\nautoplay_speed = 1.5\n'
                           '[record]\nsize = "200x60"\n[keymap]\nstep = "x, n"\n')
    p = run("config", env={"MMVIZ_CONFIG": str(path)})
    assert p.returncode == 0, p.stderr
    rows = dict(line.split(None, 1) for line in p.stdout.splitlines()[1:])
    assert rows == {"theme": "projector", "lang": "zh", "autoplay_speed": "1.5", "lessons": "-",
                    "record.size": "200x60", "keymap.step": "x,n"}
    keys = run("config", "--keys", env={"MMVIZ_CONFIG": str(path)}).stdout     # the file's lang
    assert "step             right,n  -> x,n（配置文件）" in keys
    keys = run("config", "--keys", "--lang", "en", env={"MMVIZ_CONFIG": str(path)}).stdout
    assert "step             right,n  -> x,n (config)" in keys


def test_config_init_writes_a_file_that_loads(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    assert run("config", "--init", env={"MMVIZ_CONFIG": str(path)}).returncode == 0
    assert path.exists() and load_settings(path).exists
    again = run("config", "--init", env={"MMVIZ_CONFIG": str(path)})
    assert "exists; left as it is" in again.stdout


@pytest.mark.parametrize("text, where, words", [
    ('theme = "nope"\n', 1, "is not one of"),
    ('lang = "fr"\n', 1, "en"),
    ('\nautoplay_speed = 7\n', 2, "one of 0.5"),
    ('colour = 1\n', 1, "unknown setting 'colour'"),
    ('[keymap]\nsetp = "x"\n', 2, "did you mean 'step'"),
    ('[keymap]\nstep = ""\n', 2, "keys separated by commas"),
    ('[record]\nsize = "huge"\n', 2, "record.size"),
    ('theme = "a\n', 1, "bad TOML"),
    ('lang = "en"\nlessons = ["no-such-folder"]\n', 2, "lessons: no-such-folder: not a folder"),
])
def test_a_bad_config_is_one_located_line(tmp_path, text, where, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigFileError) as info:
        load_settings(path)
    assert info.value.line == where and words in info.value.msg
    p = run("lessons", env={"MMVIZ_CONFIG": str(path)})
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert str(info.value).startswith(f"{path}:{where}:")              # path:line[:column]:
    # the file came from MMVIZ_CONFIG, and the line says so
    assert p.stderr.strip().splitlines() == [f"{info.value} (the config file MMVIZ_CONFIG names)"]


def test_config_lang_is_the_default_and_the_flag_wins(tmp_path):
    path = write(tmp_path, 'lang = "zh"\n')
    zh = run("lessons", env={"MMVIZ_CONFIG": str(path), "LANG": "C"})
    assert "伙伴系统" in zh.stdout
    en = run("lessons", "--lang", "en", env={"MMVIZ_CONFIG": str(path)})
    assert "伙伴系统" not in en.stdout


def test_every_binding_id_of_the_app_is_remappable():
    ids = binding_ids()
    assert {"step", "back", "play", "language", "help", "pick-lesson", "close-help"} <= set(ids)
    assert ids["step"] == "right,n"


async def test_keymap_theme_and_speed_from_the_config_in_the_app(tmp_path):
    from app.app import MmvizApp
    from app.reading import SPEEDS
    settings = load_settings(write(tmp_path, 'theme = "projector"\nautoplay_speed = 2\n'
                                             '[keymap]\nstep = "x"\nback = "y"\nlanguage = "ctrl+l"\n'))
    app = MmvizApp(lesson="buddy", settings=settings)
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.theme == "projector" and SPEEDS[app.speed] == 2.0
        await pilot.press("x", "x", "x")
        assert app.timeline.position == 3
        await pilot.press("y")
        assert app.timeline.position == 2
        await pilot.press("n", "right")          # the default keys are replaced, not added
        assert app.timeline.position == 2
        await pilot.press("ctrl+l")
        assert app.lang == "zh"


async def test_without_settings_the_default_keys_work():
    from app.app import MmvizApp
    app = MmvizApp(lesson="buddy", settings=Settings(Path("none")))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n", "right")
        assert app.timeline.position == 2


# -- progress --------------------------------------------------------------------------------

class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_and_is_silent_in_a_pipe():
    from app.record import Progress
    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(True, stream)
        for i in range(5):
            bar(i, 4)
        bar.close()
    assert pipe.getvalue() == ""
    assert "recording" in tty.getvalue() and "4/4" in tty.getvalue()
    zh = Tty()
    bar = Progress(True, zh, lang="zh")                 # mmviz record --lang zh
    bar(4, 4)
    bar.close()
    assert "录制" in zh.getvalue() and "recording" not in zh.getvalue()
    quiet = Tty()
    bar = Progress(False, quiet)
    bar(1, 4)
    bar.close()
    assert quiet.getvalue() == ""


def test_no_carriage_return_progress_left_in_the_product():
    hits = []
    for folder in ("app", "engine", "scenarios", "widgets", "bench", "mmviz"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ('"\\r' in line or "'\\r" in line) and "write" in line:
                    hits.append(f"{path.relative_to(ROOT)}:{n}")
    assert hits == []


def test_record_to_a_pipe_writes_no_progress(tmp_path):
    out = tmp_path / "b.cast"
    p = run("record", "memory-map", "-o", str(out), "--size", "100x30", "--step-seconds", "1")
    assert p.returncode == 0, p.stderr
    assert p.stderr == "" and out.exists()


async def test_palette_screenshot_saves_without_a_downloads_folder(tmp_path, monkeypatch):
    """The palette's Screenshot writes into the current directory when ~/Downloads is missing
    (Textual's default folder), instead of failing."""
    from app.app import MmvizApp
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(tmp_path)
    app = MmvizApp(lesson="buddy", settings=Settings(Path("none")))
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_screenshot()
        for _ in range(50):
            await pilot.pause(0.05)
            if list(tmp_path.glob("*.svg")):
                break
    shots = list(tmp_path.glob("*.svg"))
    assert len(shots) == 1 and "<svg" in shots[0].read_text(encoding="utf-8")
    assert not (home / "Downloads").exists()


@pytest.mark.parametrize("key", ["question_mark", "G", "l", "Q", "g"])
async def test_every_dialog_fits_an_80x24_terminal(key):
    """Help, glossary, lesson picker, quiz and go-to keep their border inside 80 columns."""
    from textual.screen import ModalScreen
    from app.app import MmvizApp
    app = MmvizApp(lesson="highmem", settings=Settings(Path("none")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen)
        for box in app.screen.children:
            assert box.region.x >= 0 and box.region.right <= 80, (type(app.screen).__name__, box.region)
