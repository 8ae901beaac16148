"""One decoder for the walk pane and `mmviz walk`, checked against entries worked out by hand
from the Intel SDM's tables (REFERENCE.md §10.1-10.3) and the kernels' swap-entry layouts
(arch/x86/include/asm/pgtable-2level.h, pgtable-3level.h; REFERENCE §10.3 PROT_NONE)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.paging_show import address_split, entry_meaning, split_text

ROOT = Path(__file__).resolve().parent.parent


# -- linear-address splits (SDM Figures 4-2..4-6; REFERENCE §10.1 examples) -------------
def test_splits_follow_the_page_size():
    # 0xC0123456 non-PAE: PDE 0x300, PTE 0x123, offset 0x456; PAE: 3, 0, 0x123, 0x456
    assert address_split(0xC0123456, False) == ((768, 0x123, 0x456), "10+10+12")
    assert address_split(0xC0123456, True) == ((3, 0, 0x123, 0x456), "2+9+9+12")
    # a 4 MB page: dir 31:22 = 0x308, offset 21:0 = 0x345678
    assert address_split(0xC2345678, False, large=True) == ((776, 0x345678), "10+22")
    # a 2 MB page: PDPT 31:30 = 3, dir 29:21 = 0x011, offset 20:0 = 0x145678
    assert address_split(0xC2345678, True, large=True) == ((3, 17, 0x145678), "2+9+21")
    assert split_text(0xC2000000, False, True) == "[776|0x000000] 10+22"
    assert split_text(0x08048000, True) == "[0|64|72|0x000] 2+9+9+12"


# -- present entries (SDM Tables 4-4..4-6, 4-8..4-11) -----------------------------------
def test_pde_to_a_page_table_has_no_dirty_bit():
    # 0x0120E063: bits 0 1 5 6 -> P R/W A, bit 6 ignored in a PDE that references a table
    e = entry_meaning(0x0120E063, "PDE", pae=False)
    assert (e.kind, e.flags, e.address) == ("table", ("P", "RW", "A"), 0x0120E000)


def test_4mb_pde_bit7_is_ps_and_pte_bit7_is_pat():
    # 0x020001E3: bits 0 1 5 6 7 8 -> P R/W A D PS G, a 4 MB page at 0x02000000
    pde = entry_meaning(0x020001E3, "PDE", pae=False)
    assert (pde.kind, pde.flags, pde.address) == ("large page", ("P", "RW", "A", "D", "PS", "G"), 0x02000000)
    # the same low byte in a PTE: bit 7 is PAT, not PS
    pte = entry_meaning(0x000001E3, "PTE", pae=False)
    assert pte.kind == "page" and "PAT" in pte.flags and "PS" not in pte.flags
    # without CR4.PSE a PDE's bit 7 is ignored: it references a page table
    assert entry_meaning(0x020001E3, "PDE", pae=False, pse=False).kind == "table"


def test_pae_2mb_page_with_xd_and_a_pdpte():
    e = entry_meaning((1 << 63) | 0x020001E3, "PDE", pae=True)
    assert e.kind == "large page" and e.flags[-1] == "NX" and "PS" in e.flags
    assert e.address == 0x02000000
    # a PDPTE has only P, PWT, PCD (bits 1-2 and 5-8 are reserved)
    pdpte = entry_meaning(0x0043C001, "PDPTE", pae=True)
    assert pdpte.flags == ("P",) and pdpte.address == 0x0043C000 and not pdpte.reserved
    assert entry_meaning(0x0043C003, "PDPTE", pae=True).reserved == 0x2


# -- non-present entries: empty, swap entries in each flavour's layout, PROT_NONE ----------
SWAP_PTES = [
    # 2.6 non-PAE: type in bits 1-5, offset from bit 8 (_PAGE_BIT_PROTNONE 7 + 1): (1<<1)|(5<<8)
    ("2.6", False, 0x0000_0502, (1, 5)),
    # 6.1 non-PAE: offset from bit 9 (_PAGE_BIT_PROTNONE = GLOBAL 8, + 1): (1<<1)|(5<<9)
    ("6.1", False, 0x0000_0A02, (1, 5)),
    # 2.6 PAE: swp_entry_t (type | offset << 5) = 0xa1 in the high word, low word 0
    ("2.6", True, 0x0000_00A1_0000_0000, (1, 5)),
    # 6.1 PAE (L1TF inversion): type in bits 63-59, ~offset from bit 9
    ("6.1", True, 0x0FFF_FFFF_FFFF_F400, (1, 5)),
]


@pytest.mark.parametrize("flavour,pae,pte,slot", SWAP_PTES)
def test_swap_entries_decode_to_type_and_offset(flavour, pae, pte, slot):
    e = entry_meaning(pte, "PTE", pae, flavour=flavour)
    assert not e.present and e.kind == "swap" and e.swap == slot and e.flags == ()
    assert e.text() == f"swap entry: type {slot[0]}, offset {slot[1]:#x}"


def test_prot_none_and_empty_entries():
    # 6.1: _PAGE_PROTNONE is bit 8; 2.6.24: bit 7.  P = 0, the frame stays in the entry
    assert entry_meaning(0x01234100, "PTE", False, flavour="6.1").kind == "prot_none"
    assert entry_meaning(0x01234080, "PTE", False, flavour="2.6").text() == \
        "PROT_NONE: pfn 0x1234, P = 0"
    assert entry_meaning(0, "PTE", False).text() == "not present (empty)"
    assert entry_meaning(0x300, "PDE", False).kind == "not present"


# -- mmviz walk -------------------------------------------------------------------------
def mmviz(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_mmviz_walk_4mb_2mb_and_4k_pages():
    four_mb = mmviz("walk", "0xc2000000", "--lesson", "page-walk", "--step", "5")
    assert "10+22: [776|0x0]" in four_mb
    assert re.search(r"PDE .* entry 020001e3  P RW A D PS G\n", four_mb)
    two_mb = mmviz("walk", "0xc2000000", "--lesson", "page-walk", "--step", "20")
    assert "PAE 2+9+21: [3|16|0x0]" in two_mb
    assert re.search(r"PDE .* entry 80000000020001e3  P RW A D PS G NX\n", two_mb)
    four_k = mmviz("walk", "0xc0100000", "--lesson", "page-walk", "--step", "2")
    assert "10+10+12: [768|256|0x0]" in four_k
    # the kernel PDE is _PAGE_TABLE (0x067): no D in a PDE that references a table
    assert re.search(r"PDE .* entry 0117a067  P RW US A\n", four_k)
    assert re.search(r"PTE .* entry 00100161  P A D G\n", four_k)
    # 2.6.24 without CONFIG_DEBUG_RODATA: PDE 768 is itself a 4 MB page
    pse = mmviz("walk", "0xc0100000", "--lesson", "page-walk", "--step", "16")
    assert "10+22: [768|0x100000]" in pse
    assert re.search(r"PDE .* entry 000001e3  P RW A D PS G\n", pse)
    built = mmviz("walk", "0xc0100000", "--kernel", "2.6", "--config", "DEBUG_RODATA=y")
    assert "10+10+12: [768|256|0x0]" in built and "mmviz" not in built


def swap_lesson(tmp_path: Path, kernel: str, pae: bool) -> str:
    text = (ROOT / "scenarios/lessons/swap.toml").read_text(encoding="utf-8")
    machine = f'machine = {{ ram = "64M", kernel = "{kernel}", swap = "32M", seed = 1' + \
        (", pae = true" if pae else "") + " }"
    text = re.sub(r"^machine = \{[^}]*\}", machine, text, count=1, flags=re.M)
    path = tmp_path / f"swap-{kernel}-{'pae' if pae else 'np'}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("kernel,pae", [("2.6", False), ("6.1", False), ("6.1", True)])
def test_mmviz_walk_shows_the_swap_entry_of_either_flavour(tmp_path, kernel, pae):
    """After reclaim the PTE of the first mmap page holds swap slot (type 0, offset 3) — the
    slot the SwapOut event reports; the raw entry is the hand-built one of that flavour's layout."""
    from scenarios import Timeline, find_lesson
    path = swap_lesson(tmp_path, kernel, pae)
    tl = Timeline(find_lesson(path))
    tl.jump(6)
    slots = [e.slot for e in tl.current.events if type(e).__name__ == "SwapOut"]
    text = mmviz("walk", hex(tl.env["v"]), "--pid", "1", "--lesson", path, "--step", "7")
    offset = 3
    assert offset in slots
    if not pae:
        raw = f"{(offset << (8 if kernel == '2.6' else 9)):08x}"
    else:
        raw = f"{((~offset << 14) & (1 << 64) - 1) >> 5:016x}"
    assert re.search(rf"PTE .* entry {raw}  swap entry: type 0, offset 0x3\n", text), text


# -- the walk pane ----------------------------------------------------------------------
async def _walk_pane_at(lesson: str, step: int) -> str:
    from app.app import MmvizApp
    from widgets import PageWalkPane
    app = MmvizApp(lesson=lesson)
    async with app.run_test(size=(200, 60)) as pilot:
        app.animation_level = "none"
        await pilot.pause()
        app._move(lambda: app.timeline.jump(step))
        await pilot.pause()
        return app.query_one(PageWalkPane).plain


async def test_walk_pane_decodes_through_the_engine():
    four_mb = await _walk_pane_at("page-walk", 5)
    assert "walk of 0xc2000000 [776|0x000000] 10+22" in four_mb
    assert "= 020001e3  P RW A D PS G" in four_mb
    two_mb = await _walk_pane_at("page-walk", 20)
    assert "[3|16|0x000000] 2+9+21" in two_mb
    assert "= 80000000020001e3  P RW A D PS G NX" in two_mb
    swap = await _walk_pane_at("swap", 7)
    after = swap.split("= 00000300", 1)[1].split("\n")
    assert after[1].strip().startswith("swap entry: type 0, offset 0x3")
    assert after[0].split("│")[0].strip() == ""           # no flag names on a P = 0 entry


def test_widgets_keep_no_table_of_bit_names():
    """The walk pane has no bit-name table of its own: names come from the engine."""
    src = (ROOT / "widgets/walk.py").read_text(encoding="utf-8")
    assert not re.search(r"\(\s*7\s*,\s*\"P[SA]", src) and "ENTRY_BITS" not in src
