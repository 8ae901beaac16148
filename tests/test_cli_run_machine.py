"""``mmviz --ram 1G --pae run LESSON`` opens the lesson on that machine (the boot options
before ``run`` were once dropped: the TUI showed the lesson's own 160 MB machine)."""
from __future__ import annotations

import pytest

from app import cli


class Captured(Exception):
    pass


def test_boot_options_before_run_reach_the_tui(monkeypatch):
    got = {}

    class FakeApp:
        def __init__(self, **kw):
            got.update(kw)

    monkeypatch.setattr(cli, "_tui_app", lambda: FakeApp)
    monkeypatch.setattr(cli, "tui_wanted", lambda: True)

    def run(app):
        raise Captured

    monkeypatch.setattr(cli, "_run_app", run)
    ns = cli.build_parser().parse_args(["--ram", "1G", "--pae", "run", "buddy"])
    ns.settings = None
    with pytest.raises(Captured):
        cli.COMMANDS["run"](ns)
    assert got["lesson"] == "buddy"
    assert got["machine"] == {"ram": "1G", "pae": True}


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
