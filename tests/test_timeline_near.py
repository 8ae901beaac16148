"""Back-steps restore, they do not replay: a replay going back saves checkpoints near where
it lands (Timeline._save_near), and long jumps forward over known steps restore once.

Whether the machine is the same either way is tests/test_timeline_restore.py's and
tests/test_restore_state.py's business; these check the work a move does."""
from __future__ import annotations

import pytest

from scenarios import Timeline, load_lesson
from scenarios.library import LESSON_DIR


def counting(tl: Timeline) -> dict[str, int]:
    """Count the steps the timeline applies (forward or replayed) and its restores."""
    calls = {"apply": 0, "restore": 0}
    apply, restore = tl._apply, tl._restore

    def counted_apply(*a, **kw):
        calls["apply"] += 1
        return apply(*a, **kw)

    def counted_restore(*a, **kw):
        calls["restore"] += 1
        return restore(*a, **kw)
    tl._apply, tl._restore = counted_apply, counted_restore
    return calls


@pytest.mark.parametrize("name", ["buddy", "fork-cow", "process-memory"])
def test_going_back_replays_each_step_at_most_once(name):
    tl = Timeline(load_lesson(LESSON_DIR / f"{name}.toml"), heavy_ms=float("inf"))
    tl.run_all()
    n = len(tl)
    calls = counting(tl)
    replayed = 0
    while tl.position > 1:                      # the student re-reading: back, back, forward
        for _ in range(2):
            before = calls["apply"]
            tl.back()
            replayed += calls["apply"] - before
        tl.step()
    assert replayed < n, "each step is replayed at most once on the way back"
    calls["apply"] = 0
    tl.jump(n)
    while tl.position:                          # and a second time back: no replay at all
        tl.back()
    assert calls["apply"] <= 1                  # (the last step: no checkpoint after it)


def test_a_long_jump_forward_over_known_steps_restores_once():
    tl = Timeline(load_lesson(LESSON_DIR / "fork-cow.toml"), heavy_ms=float("inf"))
    tl.run_all()
    n = len(tl)
    while tl.position:
        tl.back()
    calls = counting(tl)
    tl.jump(n)
    assert tl.position == n and [r.index for r in tl.last_move.applied] == list(range(n))
    assert calls["restore"] == 1 and calls["apply"] <= 1     # the last position: no checkpoint


def test_checkpoints_a_replay_saves_are_bounded_and_do_not_thin_the_others():
    body = ''.join(f'''
[[step]]
do = "alloc_pages"
gfp = "GFP_KERNEL"
order = {k % 3}
say = {{ en = "x", zh = "x" }}
''' for k in range(60))
    from scenarios import parse_lesson
    head = ('[lesson]\nid = "t"\ntitle = { en = "T", zh = "T" }\nsummary = { en = "S", zh = "S" }\n'
            'machine = { ram = "64M", seed = 1 }\n')
    tl = Timeline(parse_lesson(head + body, "t.toml"), checkpoint_every=8, max_checkpoints=8,
                  heavy_ms=float("inf"), max_near=5)
    tl.run_all()
    every = tl.checkpoint_every
    for target in (59, 58, 40, 39, 12, 11, 10):
        tl.jump(target)
        assert len(tl._near) <= 5 and tl._near <= set(tl._checkpoints)
    assert tl._near == {9, 10, 11, 12, 35}      # 35..39 saved going to 39, 9..12 going to 12
    tl.jump(59)
    tl.jump(39)                                 # replayed from 35: the farthest (9..12) go
    assert tl._near == {35, 36, 37, 38, 39}
    assert tl.checkpoint_every == every, "saved by replays: not counted for thinning"
    assert len(tl._checkpoints) <= 8 + 5 + 2
