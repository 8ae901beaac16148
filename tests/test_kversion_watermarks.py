"""The watermark base per release: which pages freed after mem_init() the watermark code counts,
and whether khugepaged's min_free_kbytes survives boot (engine.kversion_boot rules
wmark_base_frees, thp_boot_raise and managed_pages; sources in docs/KERNEL_VERSIONS.md)."""
from __future__ import annotations

import pytest

import engine
from groundtruth_data import load

# what free_init_pages() gave back before init_per_zone_wmark_min() and zone->managed_pages counts
COUNTED = {
    "3.10": set(),                       # adjust_managed_page_count(): totalram_pages only
    "3.11": {"smp", "initrd"},           # module_init: after populate_rootfs
    "3.16": {"smp", "initrd"},
    "4.4": {"smp", "initrd"},            # mainline 4.4 (4.4.1 l.6176) and 4.5 (4.5.0 l.6197)
    "4.5": {"smp", "initrd"},
    "4.4.11": {"smp"},                   # the stable backport of core_initcall (l.6196)
    "4.4.155": {"smp"},
    "4.5.7": {"smp"},                    # (l.6217)
    "4.6": {"smp"},                      # core_initcall (bc22af74f271): the initrd is still reserved
    "4.9": {"smp"},
    "6.1": {"smp"},                      # postcore_initcall
}


def base_at_initcall(m, counted: set[str]) -> dict[str, int]:
    """Each lowmem zone's managed pages when the initcall ran: the booted machine's, less
    what boot freed after it (.init always, .smp_locks and the initrd unless counted)."""
    from engine.events import FreeReserved
    freed = [e for e in m.boot_state.events if isinstance(e, FreeReserved)]
    assert {e.what for e in freed} >= {"kernel init", "SMP alternatives", "initrd (RAMDISK)"}
    out = {}
    for z in m.zones[:2]:
        size = z.managed
        for e in freed:
            if not z.start_pfn <= e.pfn < z.end_pfn:
                continue
            later = (e.what == "kernel init"
                     or (e.what == "SMP alternatives" and "smp" not in counted)
                     or (e.what.startswith("initrd") and "initrd" not in counted))
            if later:
                size -= e.nr_pages
        out[z.name] = size
    return out


@pytest.mark.parametrize("kernel", sorted(COUNTED))
def test_lowmem_min_watermarks_use_the_pages_managed_when_the_initcall_ran(kernel):
    m = engine.Machine.boot(ram="1G", kernel=kernel, initrd="8M")
    base = base_at_initcall(m, COUNTED[kernel])
    lowmem = sum(base.values())
    pages_min = m.min_free_kbytes >> 2
    for z in m.zones[:2]:
        # __setup_per_zone_wmarks(): min = pages_min * managed / lowmem_pages
        assert z.watermark_min == pages_min * base[z.name] // lowmem, (kernel, z.name)


@pytest.mark.parametrize("kernel,counted", [("2.6.32", True), ("3.8", True), ("3.9", False), ("3.10", False),
                                            ("3.16", True), ("4.4", True), ("4.6", False),
                                            ("6.1", False)])
def test_initrd_size_moves_the_watermarks_only_where_it_is_not_counted(kernel, counted):
    """Before 3.9 the base is present_pages (fixed at free_area_init_core); 3.11-4.5 count the
    freed initrd; 3.9-3.10 and 4.6+ see it still reserved."""
    small = engine.Machine.boot(ram="1G", kernel=kernel, initrd=0)
    big = engine.Machine.boot(ram="1G", kernel=kernel, initrd="8M")
    same = [(z.watermark_min, z.watermark_low, z.watermark_high, z.lowmem_reserve)
            for z in small.zones] == [(z.watermark_min, z.watermark_low, z.watermark_high,
                                       z.lowmem_reserve) for z in big.zones]
    assert (same and small.min_free_kbytes == big.min_free_kbytes) == counted, kernel


@pytest.mark.parametrize("kernel,raised", [("3.16", True), ("4.0", True), ("4.1", False),
                                           ("4.4", False), ("4.4.0", False), ("4.4.1", False),
                                           ("4.4.11", True), ("4.5", False), ("4.5.7", True),
                                           ("4.6", True),
                                           ("4.19", True), ("6.1", True)])
def test_khugepaged_min_free_kbytes_survives_boot_except_41_to_45(kernel, raised):
    thp = engine.Machine.boot(ram="1G", kernel=kernel)
    plain = engine.Machine.boot(ram="1G", kernel=kernel, config={"THP": False})
    assert (thp.min_free_kbytes > plain.min_free_kbytes) == raised, kernel
    if not raised:
        assert [z.watermark_min for z in thp.zones] == [z.watermark_min for z in plain.zones]


def test_no_khugepaged_raising_line_at_boot():
    """set_recommended_min_free_kbytes() prints only when user_min_free_kbytes >= 0: the 6.1
    ground truth (min_free_kbytes raised to 43144) has no such line."""
    gt = load("686-1G")
    assert "raising min_free_kbytes" not in gt.file("dmesg.txt")
    m = engine.Machine.boot(ram=gt.ram, pae=gt.pae, nx=gt.pae, vmalloc=gt.vmalloc)
    assert m.min_free_kbytes == 43144
    assert not [line for line in m.boot_log if "raising min_free_kbytes" in line]


@pytest.mark.parametrize("kernel,stable", [("4.4", False), ("4.4.0", False), ("4.4.1", False),
                                           ("4.4.11", True), ("4.4.155", True), ("4.5", False),
                                           ("4.5.6", False), ("4.5.7", True), ("4.6", True),
                                           ("4.6.0", True), ("4.3.99", False)])
def test_stable_backport_of_the_core_initcall_follows_the_sublevel(kernel, stable):
    """"4.4" is mainline 4.4 (module_init), "4.4.11" a stable release with the core_initcall
    backport: rules wmark_base_frees and thp_boot_raise list the stable releases (Rule.stable)."""
    from engine.kversion import parse_version, rule_values
    vals = rule_values(parse_version(kernel))
    assert (vals["wmark_base_frees"] == "smp_locks") is stable, kernel
    assert vals["thp_boot_raise"] is stable, kernel
