"""`mmviz layout --ram 16G` without PAE says that the RAM at or above 4 GB is not used (it
printed "16384 MB RAM" and zones that end below 4 GB, with no word of the rest)."""
from __future__ import annotations

import pytest

from app.cli import main


@pytest.mark.parametrize("argv, line", [
    (["layout", "--ram", "16G"], "the 13312 MB of RAM at or above 4 GB are not used: --pae uses them"),
    (["--lang", "zh", "layout", "--ram", "6G", "--kernel", "2.6"], "4 GB 及以上的 3072 MB 内存用不上"),
    (["layout", "--ram", "64G", "--pae"], "the 1024 MB of RAM at or above 64 GB are not used"),
    (["--lang", "zh", "layout", "--ram", "64G", "--pae"], "64 GB 及以上的 1024 MB 内存用不上"),
])
def test_ram_above_4g_without_pae_is_said_unused(argv, line, capsys):
    assert main(argv if "--lang" in argv else ["--lang", "en", *argv]) == 0
    assert line in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["layout", "--ram", "16G", "--pae"], ["layout", "--ram", "3G"],
                                  ["layout", "--ram", "63G", "--pae"]])
def test_nothing_is_said_when_all_ram_is_used(argv, capsys):
    assert main(["--lang", "en", *argv]) == 0
    assert "not used" not in capsys.readouterr().out
