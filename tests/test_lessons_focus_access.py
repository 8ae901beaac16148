"""A step that makes an access selects the page it accesses: the page-walk pane walks the
selected address, and process-memory's stack-growth step selected 0xbfffd000 while it wrote
0xbffde000 (the walk said 'not present, read', the fault path 'CR2 0xbffde000, code 6')."""
import tomllib
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "scenarios" / "lessons").glob("*.toml"))


def _page(text):
    try:
        return int(str(text), 0) >> 12
    except ValueError:
        return None                       # an expression: compared as written


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_an_access_step_focuses_the_page_it_accesses(path):
    lesson = tomllib.loads(path.read_text(encoding="utf-8"))
    for n, step in enumerate(lesson.get("step", []), 1):
        focus = step.get("focus") if isinstance(step.get("focus"), dict) else {}
        if step.get("do") != "access" or "address" not in focus:
            continue
        said, done = focus["address"], step["vaddr"]
        same = _page(said) == _page(done) if None not in (_page(said), _page(done)) else \
            "".join(str(said).split()) == "".join(str(done).split())
        assert same, f"{path.stem} step {n}: focus {said} but the access is at {done}"
