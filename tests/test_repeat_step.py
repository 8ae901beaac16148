"""A repeat step's events and items are those of its iterations run one by one: the runner
sets the step up once and builds the events at the end (scenarios.runner.apply_op)."""
from __future__ import annotations

import random

import pytest

import engine
from engine.errors import KernelError
from tests.inline_lesson import run

REPEATS = {
    # fixed arguments, failing part of the way: watermark checks, fallbacks, failures
    "fixed": ('gfp = "GFP_KERNEL"\norder = 6\nrepeat = 600\non_error = "continue"\n',
              lambda i, rng: ("GFP_KERNEL", 6)),
    # an argument drawn per iteration
    "random": ('gfp = "GFP_KERNEL"\nrepeat = 300\nrandom = { seed = 5, order = [0, 4] }\n',
               lambda i, rng: ("GFP_KERNEL", rng.randint(0, 4))),
}


@pytest.mark.parametrize("kind", sorted(REPEATS))
def test_repeat_step_events_and_items_are_its_iterations(kind):
    body, args_of = REPEATS[kind]
    result = run(f'\n[[step]]\ndo = "alloc_pages"\n{body}say = {{ en = "x", zh = "x" }}\n')[0]
    m = engine.Machine.boot(ram="160M", kernel="6.1", seed=1)
    rng = random.Random(5)
    events, values, errors = [], [], 0
    for i in range(len(result.items) + result.errors):
        try:
            pfn = m.alloc_pages(*args_of(i, rng))
        except KernelError:
            errors += 1
        else:
            values.append(pfn)
        events += m.events or []
    assert errors == result.errors and (errors > 0) == (kind == "fixed")
    assert [it.value for it in result.items] == values
    assert [e.describe() for e in result.events] == [e.describe() for e in events]
    assert all(type(e) is not tuple for e in result.events)


def test_items_carry_each_iterations_arguments():
    """``it.<arg>`` of every Item is the argument that iteration used, drawn (range and
    choice) or computed from the item it came from (``each`` + ``where``), as ints; the
    attributes as Item(value, args) sets them, in the same order."""
    from scenarios.runner import Item
    results = run('\n[[step]]\ndo = "alloc_pages"\nrepeat = 40\nas = "blocks"\n'
                  'random = { seed = 9, order = [0, 2], gfp = { choice = ["GFP_KERNEL", "GFP_HIGHUSER"] } }\n'
                  'say = { en = "x", zh = "x" }\n'
                  '\n[[step]]\ndo = "free_pages"\neach = "blocks"\nwhere = "i % 3"\n'
                  'pfn = "it"\norder = "it.order"\nsay = { en = "x", zh = "x" }\n')
    rng = random.Random(9)
    drawn = [(rng.randint(0, 2), rng.choice(["GFP_KERNEL", "GFP_HIGHUSER"])) for _ in range(40)]
    allocs, frees = results
    assert [(it.order, it.gfp) for it in allocs.items] == drawn
    for it in allocs.items:        # the op's optional arguments, then those only drawn
        assert vars(it) == vars(Item(it.value, {"order": it.order, "gfp": it.gfp}))
        assert list(vars(it)) == ["value", "order", "gfp"]
    kept = [it for i, it in enumerate(allocs.items) if i % 3]
    assert [(f.pfn, f.order) for f in frees.items] == [(it.value, it.order) for it in kept]
    assert all(type(f.pfn) is int for f in frees.items)
    assert list(vars(frees.items[0])) == ["value", "pfn", "order"]
