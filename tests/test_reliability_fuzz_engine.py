"""#17: the review's lesson reproductions whose outcome depends on the engine (bad pids, frees of
memory still in use, huge reads, impossible swap areas, long lessons on 64 GB) end in the right
outcome or one located kernel-style line, never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main

FUZZ = Path(__file__).parent / "broken_lessons" / "fuzz"

# file -> (exit status, line of the error or None, words of the last line)
OUTCOMES = {
    "b12_1000_steps": (0, None, "all expects passed (1000 steps)"),
    "m01_64G_many_steps": (0, None, "all expects passed (800 steps)"),
    "m03_64G_200_steps": (0, None, "all expects passed (200 steps)"),
    "e03_vfree_driver_uaf": (0, None, "all expects passed"),
    "e01_switch_to_bad_pid": (1, 6, "ConfigError: pid 99: no such"),
    "e04_vfree_after_kfree_array": (1, 13, "BadFree: WARNING: CPU: 0 PID: 0 at mm/slab_common.c:923 free_large_kmalloc"),
    "o06_read_virt_huge": (1, 19, "ConfigError: read_virt:"),
    "r22_swap_huge": (1, 5, "more than one swap area can address"),
    "r23_swap_absurd": (1, 5, "more than one swap area can address"),
}


@pytest.mark.parametrize("stem", sorted(OUTCOMES))
def test_engine_reproduction_outcome(capsys, stem):
    code_wanted, line, words = OUTCOMES[stem]
    path = FUZZ / f"{stem}.toml"
    code = main(["run", "--text", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    assert code == code_wanted, err
    if line is None:
        assert words in out.strip().splitlines()[-1]
    else:
        first = err.strip().splitlines()[0]
        assert first.startswith(f"{path}:{line}: ") and words in first, first
        # a one-line error names things, it never dumps an engine object's repr
        assert len(first) < len(str(path)) + 240 and "Flavour(" not in first, first
