"""The exit statuses README promises: 2 for a bad command line -- a bad value, no such lesson,
file, /proc file or process -- as one line and never a traceback; 1 for a lesson (or boot log)
that is read and fails its checks."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import cli

ROOT = Path(__file__).resolve().parent.parent

USAGE = [
    ["nosuchlesson"], ["010"], ["run", "nosuch", "--text"], ["check", "/nonexistent.toml"],
    ["check", "buddy", "/nonexistent.toml"], ["check", "{tmp}"], ["run", "{tmp}", "--text"],
    ["record", "nosuch", "-o", "x.cast"], ["walk", "0xc0100000", "--lesson", "nosuch"],
    ["walk", "0xc0100000", "--pid", "3"], ["walk", "0xc0100000", "--pid", "-1"],
    ["walk", "0xc0100000", "--pid", "99999999999999999999999"],
    ["proc", "/proc/nonexistent"], ["proc", "/proc/abc/maps", "--lesson", "swap", "--step", "3"],
    ["proc", "/proc/9999/maps"], ["proc", "/proc/meminfo", "--lesson", "swap", "--step", "99"],
    ["boot", "--dmesg", "/no/such/file"], ["boot", "--dmesg", "{tmp}"],
    ["record", "buddy", "-o", "{tmp}/missing/a.cast"], ["schema", "-o", "{tmp}/missing/s.json"],
]


@pytest.mark.parametrize("argv", USAGE, ids=" ".join)
def test_a_bad_argument_exits_2_with_one_line(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    code = cli.main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def test_a_lesson_file_that_fails_its_checks_exits_1(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is not = = toml\n", encoding="utf-8")
    assert cli.main(["check", str(bad)]) == cli.EXIT_FAIL == 1
    assert cli.main(["run", str(bad), "--text"]) == 1
    assert cli.main(["check", str(bad), str(tmp_path / "missing.toml")]) == 2   # a bad argument too
    capsys.readouterr()


def test_readme_states_the_exit_statuses():
    text = " ".join(ROOT.joinpath("README.md").read_text(encoding="utf-8").split())
    found = re.search(r"Exit status(?:es)?: (.*?)\.(?: |$)", text)
    assert found, "README has no 'Exit status: ...' sentence"
    said = found.group(1)
    for status in (0, cli.EXIT_FAIL, cli.EXIT_USAGE, cli.EXIT_INTERNAL, 130):
        assert f"{status} " in said, (status, said)
