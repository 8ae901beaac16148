"""MemMap.watched counts the chunks a checkpoint still shares (sum of watch): a numpy store
finds its chunks only while one is, and every path that changes watch keeps the count."""
from __future__ import annotations

import random

import pytest

import engine
from engine import checkpoint
from engine import physmem


def _consistent(mm) -> None:
    assert mm.watched == sum(mm.watch)


def test_the_count_follows_stores_checkpoints_restores_and_undo():
    m = engine.Machine.boot(ram="1G", seed=1)
    mm = m.memmap
    _consistent(mm)
    rng = random.Random(3)
    live: list[tuple[int, int]] = []
    cks = []
    for step in range(40):
        if step % 7 == 0:
            cks.append(checkpoint.save(m))
            assert mm.watched > 0
        for _ in range(50):
            if live and rng.random() < 0.4:
                m.free_pages(*live.pop(rng.randrange(len(live))))
            else:
                order = rng.choice([0, 0, 1, 3])
                live.append((m.alloc_pages("GFP_KERNEL", order), order))
        mm.sync()
        _consistent(mm)
        pfn = rng.randrange(mm.nr_pfns)
        mm.flags[pfn] = mm.flags[pfn]                   # a numpy store through __setitem__
        _consistent(mm)
        if step % 11 == 10:
            checkpoint.restore(m, cks[rng.randrange(len(cks))])
            live = []
            _consistent(mm)
    point = mm.undo_point()
    mm.flags[5] = mm.flags[5]
    mm.undo(point)
    _consistent(mm)
    m.check()


def test_a_store_looks_for_no_chunk_when_no_checkpoint_shares_one(monkeypatch):
    m = engine.Machine.boot(ram="1G", seed=1)
    mm = m.memmap
    checkpoint.save(m)
    for c in range(mm.nr_chunks):                       # every chunk written once: copied
        mm.flags[c << physmem.CHUNK_SHIFT] = mm.flags[c << physmem.CHUNK_SHIFT]
    assert mm.watched == 0

    def chunks(self, key):
        raise AssertionError("looked for chunks with none watched")
    monkeypatch.setattr(physmem._Column, "_chunks", chunks)
    mm.flags[[1, 2, 3]] = 0
    ck = checkpoint.save(m)
    with pytest.raises(AssertionError):
        mm.flags[[1, 2, 3]] = 1                         # watched again: it must look
    assert ck
