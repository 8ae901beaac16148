"""A lesson written inline in a test: a minimal header, one narration, run it to the end."""
from __future__ import annotations

from scenarios import Timeline, parse_lesson

SAY = 'say = { en = "x", zh = "x" }\n'


def head(kernel: str = "6.1", ram: str = "160M") -> str:
    return ('[lesson]\nid = "t"\ntitle = { en = "T", zh = "T" }\nsummary = { en = "S", zh = "S" }\n'
            f'machine = {{ ram = "{ram}", kernel = "{kernel}", seed = 1 }}\n')


def run(body: str, kernel: str = "6.1"):
    """Every step's result of a lesson made of this header and ``body``."""
    return Timeline(parse_lesson(head(kernel) + body, "t.toml")).run_all()
