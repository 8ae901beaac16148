"""Keys written before any table (``id``, ``title``, ``machine`` outside ``[lesson]``) are each
refused at their own line: all three were reported at line 1."""
from __future__ import annotations

import pytest

from scenarios import LessonError
from scenarios.loader import parse_lesson

TEXT = 'id = "x"\ntitle.en = "t"\nmachine = { ram = "64M" }\n[[step]]\ndo = "snapshot"\n'


def test_each_top_level_key_at_its_line():
    with pytest.raises(LessonError) as err:
        parse_lesson(TEXT, "t.toml")
    lines = str(err.value).splitlines()
    for n, key in ((1, "id"), (2, "title"), (3, "machine")):
        assert any(line.startswith(f"t.toml:{n}: unknown top-level key '{key}'") for line in lines), lines
