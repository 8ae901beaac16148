"""Lesson ops and facts of the MMU: invlpg, reload_cr3, user walks, walk-level facts."""
from __future__ import annotations

import pytest

from inline_lesson import SAY, head
from inline_lesson import run as run_inline
from scenarios import LessonError, parse_lesson
from scenarios.facts import entry_flags
from engine import Machine
from scenarios.ops import OPS

HEAD = head("2.6")


def run(body: str):
    return run_inline(body, "2.6")


def step(do: str, **kw) -> str:
    args = "".join(f"{k} = {v!r}\n".replace("'", '"').replace("True", "true").replace("False", "false")
                   for k, v in kw.items())
    return f'\n[[step]]\ndo = "{do}"\n{args}{SAY}'


def test_new_ops_are_registered_and_available():
    for name in ("invlpg", "reload_cr3"):
        assert name in OPS and callable(getattr(Machine, OPS[name].engine_method))
    assert OPS["walk"].param("user") is not None


def test_walk_facts_name_levels_indexes_entries_and_flags():
    # 2.6.24 maps PDE 768 with one 4 MB page unless CONFIG_DEBUG_RODATA splits it
    rodata = '\n[[step]]\ndo = "boot"\nram = "160M"\nkernel = "2.6"\nseed = 1\n' \
        f'config = {{ DEBUG_RODATA = true }}\n{SAY}'
    body = rodata + step("walk", vaddr="0xc0100000") + \
        'expect = { levels = 2, index.PDE = 768, index.PTE = 256, table.PDE = "cpu.cr3", ' \
        'flags.PTE = "P A D G", entry.PTE = "0x100161" }\n'
    _, r = run(body)
    assert r.ok, [(e.key, e.actual) for e in r.expects]
    assert [type(e).__name__ for e in r.events] == ["WalkStep", "WalkStep"]


def test_a_walk_reports_its_own_events_not_the_previous_ops():
    body = step("access", vaddr="0xc0100000") + step("walk", vaddr="layout.vmalloc_start")
    first, second = run(body)
    assert any(type(e).__name__ == "TlbFill" for e in first.events)
    assert [type(e).__name__ for e in second.events] == ["WalkStep", "PageFault"]


def test_reload_cr3_keeps_global_entries_and_invlpg_drops_one():
    body = (step("access", vaddr="0xc0100000") + step("access", vaddr="0xc2000000")
            + step("reload_cr3") + 'expect = { tlb_entries = 2, events.TlbFlush = 1 }\n'
            + step("access", vaddr="0xc0100000") + 'expect = { tlb_hit = true }\n'
            + step("invlpg", vaddr="0xc0100000") + 'expect = { tlb_entries = 1 }\n'
            + step("access", vaddr="0xc0100000") + 'expect = { tlb_hit = false }\n')
    results = run(body)
    assert all(r.ok for r in results), [(r.index, e.key, e.actual) for r in results for e in r.expects]


def test_user_walk_of_a_kernel_page_faults_with_code_5():
    (r,) = run(step("walk", vaddr="0xc0100000", user=True) + 'expect = { fault_code = 5 }\n')
    assert r.ok


@pytest.mark.parametrize("key,msg", [("index.PMD", "unknown paging level"),
                                     ("flags", "should look like")])
def test_bad_level_facts_are_located_errors(key, msg):
    with pytest.raises(LessonError) as info:
        parse_lesson(HEAD + step("walk", vaddr="0xc0100000") + f'expect = {{ {key} = 1 }}\n', "t.toml")
    assert msg in str(info.value) and "t.toml:" in str(info.value)


def test_level_facts_do_not_apply_to_other_ops():
    with pytest.raises(LessonError) as info:
        parse_lesson(HEAD + step("alloc_pages", gfp="GFP_KERNEL") + 'expect = { index.PDE = 1 }\n',
                     "t.toml")
    assert "does not apply" in str(info.value)


def test_entry_flags_follow_the_level():
    assert entry_flags("PDE", 0x020001E3) == "P RW A D PS G"
    assert entry_flags("PTE", 0x000001E3) == "P RW A D PAT G"
    assert entry_flags("PDPTE", 0x1F) == "P PWT PCD"
    assert entry_flags("PDE", (1 << 63) | 0x1E3) == "P RW A D PS G NX"
