"""Free exploration takes build options as machine commands do (``--config KEY=VALUE``), in
text mode, in ``mmviz explore`` and in the TUI; a broken config file does not stop ``mmviz check``."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from app import cli

ROOT = Path(__file__).resolve().parent.parent


def _fixmap_line(out: str) -> str:
    return next(l for l in out.splitlines() if l.startswith("fixmap "))


def test_explore_text_takes_config(capsys):
    assert cli.main(["explore", "--text", "--ram", "64M"]) == 0
    default = _fixmap_line(capsys.readouterr().out)
    assert cli.main(["explore", "--text", "--ram", "64M", "--config", "NR_CPUS=2"]) == 0
    two = _fixmap_line(capsys.readouterr().out)
    assert default != two                        # fewer kmap slots: a smaller fixmap
    # the top-level form is the same free exploration
    assert cli.main(["--text", "--ram", "64M", "--config", "NR_CPUS=2"]) == 0
    assert _fixmap_line(capsys.readouterr().out) == two


def test_explore_bad_config_is_one_line(capsys):
    for bad in (["--config", "FOO=1"], ["--config", "NR_CPUS"], ["--config", "NR_CPUS=0"]):
        assert cli.main(["explore", "--text", *bad]) != 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "config" in err[0], err


def test_numbers_stay_numbers_and_switches_stay_switches(capsys):
    """NR_CPUS=1 is one CPU (a uniprocessor build), not "yes"; MEMCG=1 and DEBUG_RODATA=0 are
    switches; NR_CPUS=0 is refused for its range."""
    from app.cli_boot import _config
    assert _config(["NR_CPUS=1", "MEMCG=1", "DEBUG_RODATA=0", "KFENCE=y", "THP=0"]) == {
        "NR_CPUS": 1, "MEMCG": True, "DEBUG_RODATA": False, "KFENCE": True, "THP": False}
    assert cli.main(["explore", "--text", "--ram", "64M", "--config", "NR_CPUS=1"]) == 0
    assert _fixmap_line(capsys.readouterr().out)
    assert cli.main(["explore", "--text", "--config", "NR_CPUS=0"]) != 0
    err = capsys.readouterr().err
    assert "1..64 on i386 6.1" in err and "False" not in err, err


def test_explore_config_reaches_the_tui(tui_made):
    assert cli.main(["explore", "--kernel", "2.6", "--config", "DEBUG_RODATA=y"]) == 0
    got = tui_made[-1]
    assert got["machine"] == {"kernel": "2.6", "config": {"DEBUG_RODATA": True}}


def test_tui_free_exploration_boots_with_the_config():
    from app.app import MmvizApp

    async def go():
        app = MmvizApp(machine={"kernel": "2.6", "config": {"DEBUG_RODATA": True}})
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            return app.timeline.machine.config.flavour.rodata_ro
    assert asyncio.run(go()) is True


def test_a_broken_config_file_does_not_stop_check(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "nope"\n', encoding="utf-8")
    env = {**os.environ, "MMVIZ_CONFIG": str(cfg), "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "app.cli", "check", "buddy"], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and f"{cfg}:1:" in err[0] and "ignored" in err[0]
    assert "Traceback" not in p.stderr
    # other commands still refuse it in one line
    p = subprocess.run([sys.executable, "-m", "app.cli", "lessons"], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=300)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
