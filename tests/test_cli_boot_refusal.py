"""A machine the options ask for that only booting refuses (``--ram 16M``: 6.1's image is
loaded at 16M and ends near 31M) is an argument error like every other bad --ram value:
``mmviz: --ram: ...``, exit 2, in zh too (it was ``mmviz: ram: ...`` with exit 1)."""
from __future__ import annotations

import pytest

from app import cli


@pytest.mark.parametrize("argv", [["--ram", "16M", "--text"], ["layout", "--ram", "16M"],
                                  ["walk", "0xc0000000", "--ram", "16M"], ["--ram", "3Q", "--text"]])
def test_a_ram_the_kernel_cannot_boot_is_an_argument_error(argv, capsys, monkeypatch):
    monkeypatch.setattr(cli, "tui_wanted", lambda: False)
    assert cli.main(["--lang", "en", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--ram: " in err[0], err


def test_in_chinese(capsys, monkeypatch):
    monkeypatch.setattr(cli, "tui_wanted", lambda: False)
    assert cli.main(["--lang", "zh", "--ram", "16M", "--text"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mmviz：--ram：16M 对这个内核太小") and "too small" not in err


def test_a_config_number_with_a_leading_zero_is_one_line(capsys):
    # int('010', 0) raised ValueError: an internal error, exit 70
    assert cli.main(["--lang", "en", "layout", "--config", "NR_CPUS=010"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--config" in err[0] and "starts with 0, which C reads as octal" in err[0], err
