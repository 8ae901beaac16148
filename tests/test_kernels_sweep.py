"""No crash at any size: every RAM size x kernel x PAE x split x vmalloc= boots or says ConfigError."""
from __future__ import annotations

import itertools

import pytest

import engine
from engine import ConfigError

MB, GB = 1 << 20, 1 << 30
SIZES = [1 * MB, 8 * MB, 15 * MB + 4096, 16 * MB, 20 * MB, 24 * MB, 28 * MB, 30 * MB, 31 * MB + MB // 2,
         32 * MB, 33 * MB, 40 * MB, 64 * MB, 100 * MB, 255 * MB, 512 * MB, 880 * MB, 896 * MB,
         900 * MB, 1 * GB, 2 * GB, 3 * GB, 3 * GB + GB // 2, 4 * GB, 6 * GB, 16 * GB]
KERNELS = ["2.6", "6.1", "2.6.20", "2.6.31", "3.5", "4.9", "4.15", "4.19", "6.12"]
SPLITS = ["3G", "3G_OPT", "2G", "2G_OPT", "1G"]
VMALLOCS = [None, "16M", "256M", "700M", "1G", "3G"]


def boots_or_config_error(**kw) -> str:
    try:
        m = engine.Machine.boot(**kw)
    except ConfigError as err:
        msg = str(err)
        assert "\n" not in msg and msg, kw
        return "config-error"
    m.check()
    # the free lists are finite and agree with the counters (a cyclic list never ends)
    for z in m.zones:
        for order in range(11):
            assert len(z.free_list(order)) == z.nr_free[order]
    assert m.layout.page_offset < m.layout.high_memory <= m.layout.vmalloc_start
    assert m.layout.vmalloc_start < m.layout.vmalloc_end
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.free_pages(pfn, 0)
    m.check()
    return "boot"


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("pae", [False, True])
def test_every_ram_size_boots_or_gives_a_config_error(kernel, pae):
    seen = {boots_or_config_error(ram=size, kernel=kernel, pae=pae, nx=pae) for size in SIZES}
    assert seen == {"boot", "config-error"}          # 1 MB is refused, 1 GB boots


def test_64g_pae_boots_and_64g_without_pae_keeps_4g():
    m = engine.Machine.boot(ram="64G", pae=True, nx=True)
    assert m.max_pfn == (64 * GB - 3 * GB) // 4096 + (3 * GB >> 12) - 0 or m.max_pfn > 1 << 20
    m = engine.Machine.boot(ram="8G", kernel="2.6")
    assert m.max_pfn == 1 << 20                      # 2.6.24: max_pfn = MAX_NONPAE_PFN


@pytest.mark.parametrize("kernel", ["2.6", "6.1", "3.5"])
@pytest.mark.parametrize("pae", [False, True])
def test_splits_and_vmalloc_boot_or_give_a_config_error(kernel, pae):
    sizes = [16 * MB, 31 * MB, 64 * MB, 512 * MB, 1 * GB, 4 * GB]
    outcomes = set()
    for i, (split, vm) in enumerate(itertools.product(SPLITS, VMALLOCS)):
        for size in (sizes[i % len(sizes)], sizes[(i * 7 + 3) % len(sizes)]):
            outcomes.add(boots_or_config_error(ram=size, kernel=kernel, pae=pae, nx=pae, split=split,
                                               vmalloc=vm))
    assert outcomes == {"boot", "config-error"}


@pytest.mark.parametrize("ram, shown", [("16M", "16M"), ("20M", "20M"), ("24M", "24M"), ("30M", "30M"),
                                        ("31232K", "31232K")])
def test_61_below_its_load_address_is_a_config_error_not_a_crash(ram, shown):
    with pytest.raises(ConfigError, match=f"ram: {shown} is too small for this kernel"):
        engine.Machine.boot(ram=ram)


@pytest.mark.parametrize("ram", ["16M", "30M", "31232K", "32000K"])
def test_too_small_for_the_image_says_what_is_short(ram):
    """The refusal's numbers are the reason: the image ends within 256 KB of lowmem's end (32000K:
    the image ends at 31.0M, below the 31.2M of RAM, so 'beyond usable lowmem' was false)."""
    import re
    from app.cli_text import error_zh
    with pytest.raises(ConfigError) as err:
        engine.Machine.boot(ram=ram)
    got = re.search(r"ends at ([\d.]+)M, with lowmem ending at ([\d.]+)M \(the boot allocations "
                    r"need 256 KB above it\)", str(err.value))
    assert got, str(err.value)
    image_end, lowmem_end = (float(x) for x in got.groups())
    assert image_end + 0.25 > lowmem_end - 0.05
    zh = error_zh("mmviz: --" + str(err.value))          # as the command line prints it
    assert "lowmem ending" not in zh and "低端内存止于" in zh


RELEASES = ([f"2.6.{i}" for i in range(20, 40)] + [f"3.{i}" for i in range(20)] +
            [f"4.{i}" for i in range(21)] + [f"5.{i}" for i in range(20)] + [f"6.{i}" for i in range(13)])
CASES = [("48M", None), ("1G", "300M"), ("4G", None), ("900M", "16M"), ("3G", None), ("24M", None)]


@pytest.mark.parametrize("chunk", range(4))
def test_every_release_boots_with_a_consistent_direct_map(chunk):
    """Every release 2.6.20-6.12, rotating RAM size, vmalloc= and PAE: a boot or a one-line
    ConfigError; the direct map maps RAM only up to its end (max_low_pfn, or the PMD
    boundary on 2.6.20-2.6.26)."""
    outcomes = set()
    for i, release in enumerate(RELEASES):
        if i % 4 != chunk:
            continue
        ram, vm = CASES[i % len(CASES)]
        pae = (i // len(CASES)) % 2 == 1
        outcome = boots_or_config_error(ram=ram, kernel=release, pae=pae, nx=pae, vmalloc=vm)
        outcomes.add(outcome)
        if outcome == "boot":
            m = engine.Machine.boot(ram=ram, kernel=release, pae=pae, nx=pae, vmalloc=vm)
            assert m.kernel_pt.lowmem_is_mapped_exactly(), (release, ram, pae, vm)
            L = m.layout
            assert m.walk(L.page_offset + 0x100000).fault is None
            assert m.walk(L.high_memory - 4096).paddr == (m.max_low_pfn - 1) << 12
    assert "boot" in outcomes
