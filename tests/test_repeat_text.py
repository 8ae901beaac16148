"""A repeat/each step reads as C a student knows, in en and zh: mmviz's loop names never show
(the buddy lesson printed ``__free_pages(pfn_to_page(it), it.order) for each it in blocks
where i & 1``).  A ``where`` over ``i`` that picks every k-th iteration becomes the loop's
stride, any other condition an ``if``; the item of an ``each`` list is ``list[i]``; what does
not change between iterations shows its value."""
from __future__ import annotations

import re

import pytest

from scenarios import Timeline, all_lessons
from tests.inline_lesson import SAY, run

def _header_ok(text: str) -> bool:
    """``i`` appears only where a for loop declares it (or in the loop's own body)."""
    return "for (i = " in text if re.search(r"\bi\b", text) else True


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson", [les.id for les in all_lessons()])
def test_shipped_repeat_steps_show_no_loop_names(lesson, lang):
    les = next(x for x in all_lessons() if x.id == lesson)
    for r in Timeline(les).run_all():
        if r.step.repeat is None:
            continue
        text = r.call_text(lang)
        assert not re.search(r"\bit\b|\bwhere\b|for each|\bit\.", text), text
        assert _header_ok(text), text


ALLOC = ('[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 24\nas = "blocks"\n'
         'random = { seed = 3, order = [0, 2] }\n' + SAY)


def _free(where: str | None, extra: str = "") -> str:
    return (ALLOC + '[[step]]\ndo = "free_pages"\neach = "blocks"\npfn = "it"\norder = "it.order"\n'
            + (f'where = "{where}"\n' if where else "") + extra + SAY)


@pytest.mark.parametrize("where,loop,count", [
    ("i & 1", "for (i = 1; i < ARRAY_SIZE(blocks); i += 2)", 12),
    ("(i + 1) & 1", "for (i = 0; i < ARRAY_SIZE(blocks); i += 2)", 12),
    ("~i & 1", "for (i = 0; i < ARRAY_SIZE(blocks); i += 2)", 12),
    ("1 - (i % 3 + 2) / 3", "for (i = 0; i < ARRAY_SIZE(blocks); i += 3)", 8),
    ("i >> 4", "for (i = 16; i < ARRAY_SIZE(blocks); i++)", 8),
    ("i % 3", "for (i = 0; i < ARRAY_SIZE(blocks); i++) if (i % 3)", 16),
    ("it.order & 1", "for (i = 0; i < ARRAY_SIZE(blocks); i++) if (blocks[i].order & 1)", None),
    (None, "for (i = 0; i < ARRAY_SIZE(blocks); i++)", 24),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_with_every_kind_of_where(where, loop, count, lang):
    r = run(_free(where))[-1]
    assert r.error is None
    text = r.call_text(lang)
    assert text == f"{loop} __free_pages(pfn_to_page(blocks[i]), blocks[i].order)", text
    if count is not None:
        assert len(r.items) == count          # the loop as written runs what the step ran


def test_repeat_with_i_in_an_argument_and_the_process_first():
    r = run('[[step]]\ndo = "spawn"\nas = "p"\n' + SAY
            + '[[step]]\ndo = "mmap"\npid = "p"\nlength = 16384\nas = "v"\n' + SAY
            + '[[step]]\ndo = "write_virt"\npid = "p"\nvaddr = "v + i * PAGE_SIZE"\ndata = "hi"\n'
              'repeat = 4\n' + SAY)[-1]
    assert r.call_text("en") == '[pid 1] for (i = 0; i < 4; i++) store "hi" at v + i * PAGE_SIZE'
    assert r.call_text("zh") == '[pid 1] for (i = 0; i < 4; i++) 在 v + i * PAGE_SIZE 写入 "hi"'


def test_random_choice_and_sample_in_words():
    r = run('[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 10\n'
            'random = { seed = 1, order = { choice = [0, 2] }, sample = 0.5 }\n' + SAY)[-1]
    assert r.call_text("en") == ("alloc_pages(GFP_KERNEL, one of 0, 2 at random) × 10 "
                                 "(a random 50 % of the iterations, seed 1)")
    assert r.call_text("zh") == "alloc_pages(GFP_KERNEL, 随机取 0, 2 之一) × 10（随机抽取其中 50%，种子 1）"
    r = run('[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 10\n'
            'random = { seed = 1, order = [0, 3], sample = 4 }\n' + SAY)[-1]
    assert r.call_text("en") == ("alloc_pages(GFP_KERNEL, random 0..3) × 10 "
                                 "(a random 4 of the iterations, seed 1)")
    assert r.call_text("zh") == "alloc_pages(GFP_KERNEL, 随机 0..3) × 10（随机抽取其中 4 次，种子 1）"
