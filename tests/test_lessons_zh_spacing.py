"""Chinese narration is not spaced like English: no space between two Chinese characters or
before Chinese punctuation.  A TOML line that ends in ' \\' keeps its space, which is how
'每一阶 一条空闲链表' and 'k 阶 的块' reached the lesson pane."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "scenarios" / "lessons").glob("*.toml"))
CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
SPACED = re.compile(rf"(?<={CJK}) (?={CJK})")


def zh_texts(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from zh_texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from zh_texts(value, f"{path}[{i}]")
    elif isinstance(node, str) and path.endswith("zh"):
        yield path, node


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_space_between_chinese_characters(path):
    bad = [(where, text[max(0, m.start() - 6):m.end() + 6])
           for where, text in zh_texts(tomllib.loads(path.read_text("utf-8")))
           for m in SPACED.finditer(text)]
    assert not bad, bad


def test_the_real_machine_captions_use_chinese_commas():
    """'（真实机器：Debian 12，6.1，i386，1 GB, PAE，...）' had an English comma."""
    from scenarios.captures import CAPTURES, caption
    for cap in CAPTURES.values():
        zh = caption(cap, "zh")
        assert ", " not in zh, zh
