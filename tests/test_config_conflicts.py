"""Build options that contradict the other boot options or the release are refused in one line
(ConfigError; exit 2 on the command line, in Chinese with --lang zh), as KFENCE before 5.12 is:
--pae with a build without PAE was silently taken as non-PAE, THP before 2.6.38 (mm/huge_memory.c
is new in 2.6.38) was accepted."""
from __future__ import annotations

import subprocess
import sys

import pytest

import engine
from engine.errors import ConfigError


@pytest.mark.parametrize("kw, words", [
    (dict(kernel="2.6.24", config={"THP": True}), "transparent hugepages exist from Linux 2.6.38"),
    (dict(kernel="2.6.37", config={"THP": True}), "transparent hugepages exist from Linux 2.6.38"),
    (dict(pae=True, config={"HIGHMEM64G": False}), "builds a kernel without PAE"),
    (dict(pae=True, config={"HIGHMEM4G": True}), "builds a kernel without PAE"),
])
def test_contradictions_are_refused(kw, words):
    with pytest.raises(ConfigError, match=words):
        engine.Machine.boot(ram="512M", **kw)


@pytest.mark.parametrize("kw", [dict(kernel="2.6.38", config={"THP": True}),
                                dict(pae=True, config={"HIGHMEM64G": True}),
                                dict(config={"HIGHMEM64G": True}), dict(config={"HIGHMEM4G": True})])
def test_agreeing_options_boot(kw):
    engine.Machine.boot(ram="512M", **kw).check()


@pytest.mark.parametrize("args", [["--kernel", "2.6.24", "--config", "THP=y"],
                                  ["--kernel", "2.6.24", "--pae", "--config", "HIGHMEM64G=n"]])
def test_the_command_line_says_it_in_one_line(args):
    for lang in ("en", "zh"):
        r = subprocess.run([sys.executable, "-m", "app.cli", "layout", "--ram", "1G", *args, "--lang", lang],
                           capture_output=True, text=True)
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr
        if lang == "zh":
            assert "exist" not in r.stderr and "builds" not in r.stderr, r.stderr
