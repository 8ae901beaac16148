"""``mmviz --ram 1G --pae run LESSON``: a lesson boots its own machine, so the boot options
are refused with one line (tests/test_cli_lesson_machine.py has every command)."""
from __future__ import annotations

import pytest

from app import cli


class Captured(Exception):
    pass


def test_boot_options_before_run_are_refused_not_passed_to_the_tui(tui_made, capsys):
    # they were once dropped (the TUI showed the lesson's own machine), then applied to the
    # lesson, whose narration and expects hold on its own machine only: now one line, exit 2
    made = tui_made
    assert cli.main(["--ram", "1G", "--pae", "run", "buddy"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert made == []
    assert len(err) == 1 and "--ram 1G --pae cannot be used with a lesson" in err[0]


def test_a_bad_machine_before_run_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(cli, "tui_wanted", lambda: True)
    assert cli.main(["--ram", "3Q", "run", "buddy"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ram" in err[0].lower()


@pytest.mark.parametrize("cpus", ["0", "-1"])
def test_cpus_out_of_range_is_refused_not_ignored(capsys, cpus):
    # --cpus 0 once compared equal to False and was dropped: a 1-CPU machine booted silently
    assert cli.main(["--cpus", cpus, "--text"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cpus" in err[0] and "1.." in err[0]
