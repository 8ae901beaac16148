"""Lesson facts of the kernel allocators: cache, slab_list, slabinfo.<cache>.<column>, walk_paddr."""
from __future__ import annotations

import pytest

from inline_lesson import SAY, head
from inline_lesson import run as run_inline
from scenarios import LessonError, parse_lesson

HEAD = head("6.1")


def run(body: str):
    return run_inline(body, "6.1")


def failed(results):
    return [(r.index + 1, e.key, e.expected, e.actual) for r in results for e in r.expects if not e.ok]


def test_cache_and_slab_facts():
    body = (f'[[step]]\ndo = "kmalloc"\nsize = 100\nas = "k"\n{SAY}'
            'expect = { cache = "kmalloc-128", slab_list = "cpu", slabinfo.kmalloc-128.objsize = 128 }\n'
            f'[[step]]\ndo = "vmalloc"\nsize = "16K"\nas = "v"\n{SAY}'
            'expect = { cache = "none", walk_paddr = "> 0", region = "vmalloc" }\n')
    assert failed(run(body)) == []


def test_unknown_slabinfo_column_is_a_located_error():
    with pytest.raises(LessonError) as info:
        parse_lesson(HEAD + f'[[step]]\ndo = "kmalloc"\nsize = 8\n{SAY}'
                     'expect = { slabinfo.kmalloc-8.objects = 1 }\n', "t.toml")
    assert "unknown slabinfo column" in str(info.value) and "t.toml:" in str(info.value)


def test_a_missing_cache_fails_the_expect_not_the_run():
    body = f'[[step]]\ndo = "kmalloc"\nsize = 8\n{SAY}expect = {{ slabinfo.no-such.num_objs = 0 }}\n'
    (r,) = run(body)
    assert not r.ok and "cannot tell" in r.expects[0].actual
