"""GFP names, bits and %pGg decoding per release (engine.gfp.LAYOUTS, rules gfp_layout).

The expected values are read from each release's include/linux/gfp.h (6.0+: gfp_types.h) and
include/trace/events/mmflags.h, i386 build; the rule sources in engine/kversion.py give lines.
"""
import pytest

import engine
from engine.errors import ConfigError
from engine.gfp import GfpTable, all_names
from scenarios.validate_args import check_gfp


def _has(kernel: str, name: str) -> bool:
    try:
        GfpTable(kernel).parse(name)
        return True
    except ConfigError:
        return False


@pytest.mark.parametrize("name, last_without, first_with", [
    ("__GFP_MOVABLE", None, "2.6.24"),
    ("GFP_TRANSHUGE", "2.6.37", "2.6.38"),       # THP
    ("__GFP_OTHER_NODE", "2.6.37", "2.6.38"),
    ("__GFP_WRITE", "3.1", "3.2"),
    ("__GFP_MEMALLOC", "3.5", "3.6"),
    ("__GFP_DIRECT_RECLAIM", "4.3", "4.4"),      # 4.4: __GFP_WAIT -> __GFP_RECLAIM
    ("__GFP_KSWAPD_RECLAIM", "4.3", "4.4"),
    ("__GFP_RECLAIM", "4.3", "4.4"),
    ("__GFP_ATOMIC", "4.3", "4.4"),
    ("GFP_KERNEL_ACCOUNT", "4.4", "4.5"),
    ("GFP_TRANSHUGE_LIGHT", "4.7", "4.8"),
    ("__GFP_RETRY_MAYFAIL", "4.12", "4.13"),
    ("__GFP_ZEROTAGS", "5.13", "5.14"),
])
def test_a_name_arrives_with_its_release(name, last_without, first_with):
    if last_without:
        assert not _has(last_without, name)
    assert _has(first_with, name)


@pytest.mark.parametrize("name, last_with, first_without", [
    ("__GFP_WAIT", "4.3", "4.4"),
    ("__GFP_NO_KSWAPD", "4.3", "4.4"),
    ("__GFP_OTHER_NODE", "4.9", "4.10"),
    ("__GFP_REPEAT", "4.12", "4.13"),
    ("GFP_TEMPORARY", "4.13", "4.14"),
    ("__GFP_COLD", "4.14", "4.15"),
    ("__GFP_SKIP_KASAN_POISON", "5.17", "5.18"),
    ("__GFP_ATOMIC", "6.2", "6.3"),
])
def test_a_name_leaves_with_its_release(name, last_with, first_without):
    assert _has(last_with, name)
    assert not _has(first_without, name)
    assert not _has("6.12", name)


@pytest.mark.parametrize("kernel, name, value", [
    ("2.6", "__GFP_MOVABLE", 0x100000),             # 2.6.24 gfp.h:52
    ("2.6", "GFP_HIGHUSER_MOVABLE", 0x1200d2),
    ("2.6", "GFP_KERNEL", 0xd0),
    ("2.6", "GFP_NOWAIT", 0),                       # (GFP_ATOMIC & ~__GFP_HIGH)
    ("2.6", "GFP_DMA32", 0x04),
    ("2.6.31", "GFP_HIGHUSER_MOVABLE", 0x200da),     # 2.6.32.69 gfp.h:28 __GFP_MOVABLE 0x08u
    ("3.16", "GFP_TRANSHUGE", 0x4352da),
    ("4.4", "GFP_KERNEL", 0x24000c0),               # 4.4.0 gfp.h:35-38
    ("4.4", "GFP_ATOMIC", 0x2080020),
    ("4.4", "GFP_TRANSHUGE", 0x4352ca),
    ("4.9", "GFP_HIGHUSER_MOVABLE", 0x24200ca),
    ("4.9", "GFP_TRANSHUGE", 0x4342ca),             # 4.8.15 gfp.h:259-261
    ("4.12", "GFP_KERNEL", 0x14000c0),              # 4.10.17 gfp.h:40-42
    ("4.19", "GFP_KERNEL", 0x6000c0),               # 4.19.0 gfp.h:40-41
    ("4.19", "GFP_TRANSHUGE", 0x2342ca),
    ("5.4", "GFP_KERNEL", 0xcc0),                   # 5.3.1 gfp.h:27-41
    ("5.15", "GFP_HIGHUSER_MOVABLE", 0x1100cca),     # 5.14.2 gfp.h:57, 450
    ("6.1", "GFP_HIGHUSER_MOVABLE", 0x100cca),
    ("6.1", "GFP_TRANSHUGE", 0x1c24ca),             # 6.1 gfp_types.h
    ("6.1", "GFP_TRANSHUGE_LIGHT", 0x1c20ca),
    ("6.1", "GFP_DMA32", 0x04),
    ("6.1", "GFP_ATOMIC", 0xa20),
    ("6.1", "__GFP_RECLAIM", 0xc00),
    ("6.6", "GFP_ATOMIC", 0x820),                   # no __GFP_ATOMIC
    ("6.6", "GFP_NOWAIT", 0x800),
    ("6.8", "GFP_NOWAIT", 0x2800),                  # 6.8.0 gfp_types.h:329
])
def test_bit_values_follow_the_release(kernel, name, value):
    assert GfpTable(kernel).parse(name) == value


def test_61_refuses_gfp_wait_and_takes_its_own_names():
    m = engine.Machine.boot(ram="160M")
    with pytest.raises(ConfigError, match="__GFP_WAIT.*did you mean __GFP_RECLAIM"):
        m.alloc_pages("__GFP_WAIT")
    for name in ("GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_DMA32", "__GFP_RECLAIM"):
        m.alloc_pages(name)
    m.check()


def test_2624_refuses_the_reclaim_split_names():
    m = engine.Machine.boot(ram="160M", kernel="2.6.24")
    for name in ("__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_RECLAIM", "__GFP_ATOMIC",
                 "GFP_TRANSHUGE", "__GFP_RETRY_MAYFAIL"):
        with pytest.raises(ConfigError, match=name):
            m.alloc_pages(name)
    assert m.gfp.parse("__GFP_WAIT") == 0x10


@pytest.mark.parametrize("kernel, word, want", [
    ("6.1", "__GFP_REPEAT", "__GFP_RETRY_MAYFAIL"),
    ("6.1", "__GFP_WAIT", "__GFP_RECLAIM"),
    ("2.6", "__GFP_RETRY_MAYFAIL", "__GFP_REPEAT"),
    ("2.6", "__GFP_DIRECT_RECLAIM", "__GFP_WAIT"),
    ("2.6", "__GFP_RECLAIM", "__GFP_WAIT"),
])
def test_check_suggests_the_releases_own_name(kernel, word, want):
    assert check_gfp(f"GFP_KERNEL | {word}", kernel).endswith(f"(did you mean {want}?)")


@pytest.mark.parametrize("kernel", ["2.6", "2.6.38", "3.16", "4.4", "4.9", "4.14", "4.19", "5.10",
                                    "5.15", "6.1", "6.6", "6.12"])
def test_suggestions_offer_only_names_the_release_has(kernel):
    table = GfpTable(kernel)
    for word in sorted(all_names() - set(table.names)) + ["GFP_KERNL", "__GFP_WAITT", "GFP_DMA3"]:
        hint = check_gfp(word, kernel)
        assert hint.startswith("unknown GFP flag"), (kernel, word)
        if "did you mean " in hint:
            assert hint.split("did you mean ")[1].rstrip("?)") in table.names, (kernel, word, hint)


@pytest.mark.parametrize("kernel, mask, text", [
    # include/trace/events/mmflags.h's order: composites first, then the flags
    ("4.9", "GFP_HIGHUSER_MOVABLE | __GFP_COLD", "GFP_HIGHUSER_MOVABLE|__GFP_COLD"),
    ("4.9", "GFP_KERNEL | __GFP_HIGHMEM", "GFP_KERNEL|__GFP_HIGHMEM"),
    ("6.1", "GFP_TRANSHUGE", "GFP_TRANSHUGE"),
    ("6.1", "GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN", "GFP_KERNEL|__GFP_NOWARN|__GFP_ZERO"),
    ("6.1", "GFP_DMA32", "GFP_DMA32"),
    ("6.1", "GFP_ATOMIC | __GFP_COMP", "GFP_ATOMIC|__GFP_COMP"),
    ("6.1", "GFP_NOWAIT", "GFP_NOWAIT"),
    ("6.1", "__GFP_DIRECT_RECLAIM", "__GFP_DIRECT_RECLAIM"),
    ("6.1", "0x10000000", "0x10000000"),
    ("6.8", "GFP_KERNEL | __GFP_NOWARN", "GFP_KERNEL|__GFP_NOWARN"),
])
def test_pgg_decoding_follows_mmflags_order(kernel, mask, text):
    g = GfpTable(kernel)
    assert g.format(g.parse(mask)) == text


def test_gfp_dma32_is_zone_normal_on_i386():
    """No ZONE_DMA32 on i386: 6.1 gfp.h OPT_ZONE_DMA32 is ZONE_NORMAL, 2.6.24 gfp_zone() tests
    __GFP_DMA32 only #ifdef CONFIG_ZONE_DMA32."""
    for kernel in ("2.6", "6.1"):
        m = engine.Machine.boot(ram="1G", kernel=kernel)
        pfn = m.alloc_pages("GFP_DMA32")
        zone = next(z for z in m.zones if z.start_pfn <= pfn < z.start_pfn + z.spanned)
        assert zone.name == "Normal", kernel


@pytest.mark.parametrize("kernel, mode", [
    ("2.6", "page allocation failure. order:10, mode:0x1200d2"),
    ("6.1", "page allocation failure: order:10, mode:0x100cca(GFP_HIGHUSER_MOVABLE)"),
])
def test_allocation_failure_prints_the_releases_mask(kernel, mode):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    with pytest.raises(engine.OutOfMemory) as exc:
        for _ in range(100):
            m.alloc_pages("GFP_HIGHUSER_MOVABLE", 10)
    assert mode in str(exc.value)
