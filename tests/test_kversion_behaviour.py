"""Subsystem behaviour switches on named Flavour fields, each at the release that changed it.

Where a switch moved away from mmviz's old two-family split (everything below 4.15 behaved
like 2.6.24, everything from 4.15 like 6.1), the tests below pin the releases in between.
"""
from __future__ import annotations

import dataclasses
import pathlib
import re

import pytest

import engine
from engine.config import FLAVOURS, Flavour, flavour_for
from engine.kversion import BEHAVIOUR_RULES, RULES, rule_values
from engine.paging import _PAGE_PRESENT, protnone_bit, swp_pte, swp_pte_decode
from engine.swap import max_swap_pages

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIELDS = {f.name for f in dataclasses.fields(Flavour)}


def test_no_era_comparisons_remain():
    hits = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[-2] == "tests" or ".venv" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bera\s*[!=]=|\.era\b|startswith\(\"2\.6\"\)", line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []
    assert "era" not in FIELDS


def test_every_behaviour_rule_is_a_flavour_field_whose_default_is_the_61_value():
    v61 = rule_values((6, 1))
    for r in BEHAVIOUR_RULES:
        assert r.field in FIELDS, r.field
        assert r.source and r.before != r.after, r.field
        assert getattr(FLAVOURS["6.1"], r.field) == v61[r.field], r.field
        default = next(f.default for f in dataclasses.fields(Flavour) if f.name == r.field)
        assert default == v61[r.field], r.field
    assert set(BEHAVIOUR_RULES) <= set(RULES)


@pytest.mark.parametrize("kernel, bit", [("2.6", 7), ("2.6.24", 7), ("2.6.28", 7), ("2.6.29", 8),
                                         ("2.6.31", 8), ("3.16", 8), ("6.1", 8)])
def test_protnone_bit_by_release(kernel, bit):
    # the old rule (kernel.startswith("2.6") -> PSE) was wrong for 2.6.29 .. 2.6.39
    assert protnone_bit(kernel) == bit
    assert protnone_bit(flavour_for(kernel)) == bit


@pytest.mark.parametrize("kernel, inverted", [("2.6", False), ("3.16", False), ("4.18", False),
                                              ("4.19", True), ("6.1", True)])
def test_pae_swap_entries_are_inverted_from_419(kernel, inverted):
    pte = swp_pte(0, 5, True, kernel)
    assert not pte & _PAGE_PRESENT
    assert (pte == (5 << 5) << 32) != inverted       # high word: type | offset << 5
    assert swp_pte_decode(pte, True, kernel) == (0, 5)


@pytest.mark.parametrize("kernel, bits", [("2.6", 27), ("3.0", 27), ("3.16", 25), ("4.19", 25),
                                          ("4.20", 26), ("6.1", 26)])
def test_pae_swap_area_limit_follows_the_generic_swp_entry(kernel, bits):
    assert max_swap_pages(True, kernel) == 1 << bits


@pytest.mark.parametrize("kernel, eager", [("2.6", False), ("4.19", False), ("5.4", False),
                                           ("5.8", True), ("6.1", True)])
def test_vmalloc_page_tables_sync_eagerly_from_58(kernel, eager):
    # the old rule made 4.15 .. 5.7 eager; x86-32 arch_sync_kernel_mappings arrived in 5.8
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    v = m.vmalloc(1 << 20)
    synced = m.read_phys(p.mm.pgd.root + 4 * (v >> 22), 4) != bytes(4)
    assert synced == eager
    acc = m.access(v, "read", pid=p.pid, user=False)
    assert (acc.fault is None) == eager
    m.check()


@pytest.mark.parametrize("kernel, gap", [("2.6", 0), ("4.9", 0), ("4.12", 256), ("6.1", 256)])
def test_stack_guard_gap_from_412(kernel, gap):
    assert flavour_for(kernel).stack_guard_gap_pages == gap


@pytest.mark.parametrize("kernel, cpu", [("4.19", False), ("5.10", False), ("6.1", True)])
def test_segfault_line_names_the_cpu_from_61(kernel, cpu):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    with pytest.raises(engine.SegFault) as e:
        m.access(0x10, "read", pid=p.pid)
    assert ("likely on CPU 0" in str(e.value)) == cpu


@pytest.mark.parametrize("kernel, names", [("2.6", ("__GFP_WAIT",)), ("4.3", ("__GFP_WAIT",)),
                                           ("4.4", ("__GFP_DIRECT_RECLAIM", "__GFP_ATOMIC")),
                                           ("6.1", ("__GFP_ACCOUNT", "__GFP_ATOMIC"))])
def test_gfp_tables_by_release(kernel, names):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    for n in names:
        assert n in m.gfp.bits
    assert ("__GFP_ACCOUNT" in m.gfp.bits) == (kernel == "6.1")


def test_gfp_atomic_flag_gone_in_63():
    g = engine.Machine.boot(ram="160M", kernel="6.6").gfp
    assert "__GFP_ATOMIC" not in g.bits
    assert g.parse("GFP_ATOMIC") == g.bits["__GFP_HIGH"] | g.bits["__GFP_KSWAPD_RECLAIM"]


@pytest.mark.parametrize("kernel, cg", [("4.19", False), ("5.10", False), ("5.14", True), ("6.1", True)])
def test_kmalloc_cg_caches_from_514(kernel, cg):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    assert ("kmalloc-cg-64" in m.kmem.caches) == cg
    cache = m.kmem.cache_for(64, m.gfp.parse("GFP_KERNEL_ACCOUNT"))
    assert cache.name == ("kmalloc-cg-64" if cg else "kmalloc-64")
    m.kmalloc(64, "GFP_KERNEL_ACCOUNT")
    m.check()


@pytest.mark.parametrize("kernel, stack", [("2.6", False), ("2.6.36", False), ("2.6.37", True),
                                           ("3.16", True)])
def test_kmap_atomic_is_a_stack_from_2637(kernel, stack):
    assert flavour_for(kernel).kmap_atomic_stack == stack


@pytest.mark.parametrize("kernel, line", [
    ("2.6.20", "Built 1 zonelists.  Total pages:"),
    ("2.6.22", "Built 1 zonelists.  Total pages:"),
    ("2.6.23", "Built 1 zonelists in Zone order.  Total pages:"),
    ("2.6.24", "Built 1 zonelists in Zone order, mobility grouping on.  Total pages:"),
    ("4.13", "Built 1 zonelists in Zone order, mobility grouping on.  Total pages:"),
    ("4.14", "Built 1 zonelists, mobility grouping on.  Total pages:"),
    ("6.1", "Built 1 zonelists, mobility grouping on.  Total pages:")])
def test_zonelist_line_per_release(kernel, line):
    """build_all_zonelists(): the order name arrived in 2.6.23, mobility grouping in 2.6.24."""
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    assert [ln for ln in m.boot_state.log if ln.startswith("Built ")] == [
        next(ln for ln in m.boot_state.log if ln.startswith(line))]


@pytest.mark.parametrize("kernel, slab", [("2.6.20", "slab"), ("2.6.22", "slab"), ("2.6.23", "slub"),
                                          ("3.16", "slub"), ("6.1", "slub")])
def test_slab_allocator_default_per_release(kernel, slab):
    """init/Kconfig: SLUB merged in 2.6.22, the default from 2.6.23; before, SLAB is the only choice."""
    assert flavour_for(kernel).slab_default == slab
