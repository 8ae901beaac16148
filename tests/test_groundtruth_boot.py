"""Boot each ground-truth configuration and compare with what the real kernel reported."""
from __future__ import annotations

import pytest

import engine
from groundtruth_data import CONFIGS, load


def within(ours: int, real: int, pct: float = 2.0) -> bool:
    if real == 0:
        return ours == 0
    return abs(ours - real) <= abs(real) * pct / 100


@pytest.fixture(scope="module", params=CONFIGS)
def pair(request):
    gt = load(request.param)
    m = engine.Machine.boot(ram=gt.ram, pae=gt.pae, nx=gt.pae, vmalloc=gt.vmalloc)
    return gt, m


def test_layout_symbols_exact(pair):
    gt, m = pair
    L = m.layout
    assert L.high_memory == gt.high_memory
    assert L.vmalloc_start == gt.vmalloc_start
    assert L.vmalloc_end == gt.vmalloc_end


def test_vmalloc_total_exact(pair):
    gt, m = pair
    ours = engine_meminfo(m)
    assert ours["VmallocTotal"] == gt.meminfo["VmallocTotal"]


def engine_meminfo(m) -> dict[str, int]:
    out = {}
    for line in m.proc("/proc/meminfo").splitlines():
        k, v = line.split(":", 1)
        out[k] = int(v.split()[0])
    return out


def test_zone_spans_exact(pair):
    gt, m = pair
    for z in m.all_zones:
        real = gt.zones[z.name]
        assert z.spanned == real["spanned"], z.name
        assert z.present == real["present"], z.name
        if z.present:
            assert z.start_pfn == real["start_pfn"], z.name


def test_managed_and_watermarks_within_2pct(pair):
    gt, m = pair
    for z in m.all_zones:
        real = gt.zones[z.name]
        assert within(z.managed, real["managed"]), (z.name, z.managed, real["managed"])
        for ours, key in ((z.watermark_min, "min"), (z.watermark_low, "low"),
                          (z.watermark_high, "high")):
            assert within(ours, real[key]), (z.name, key, ours, real[key])
        for ours, real_p in zip(z.lowmem_reserve, real["protection"]):
            assert within(ours, real_p), (z.name, z.lowmem_reserve, real["protection"])


def test_meminfo_totals_within_2pct(pair):
    gt, m = pair
    ours = engine_meminfo(m)
    for key in ("MemTotal", "LowTotal", "HighTotal"):
        assert within(ours[key], gt.meminfo[key]), (key, ours[key], gt.meminfo[key])


def test_meminfo_field_order_matches_kernel(pair):
    gt, m = pair
    ours = [line.split(":")[0] for line in m.proc("/proc/meminfo").splitlines()]
    real = [line.split(":")[0] for line in gt.file("meminfo.txt").splitlines()]
    assert ours == real


def test_zoneinfo_line_shape_matches_kernel(pair):
    """Same lines in the same order; only the numbers may differ."""
    import re
    gt, m = pair
    shape = lambda text: [re.sub(r"\d+", "N", l) for l in text.splitlines()]
    assert shape(m.proc("/proc/zoneinfo")) == shape(gt.file("zoneinfo.txt"))


def test_buddyinfo_line_shape(pair):
    import re
    gt, m = pair
    shape = lambda text: [re.sub(r"\s+\d+", " N", l) for l in text.splitlines()]
    assert shape(m.proc("/proc/buddyinfo")) == shape(gt.file("buddyinfo.txt"))


def test_boot_log_lines_appear_in_real_dmesg(pair):
    """Lines the real kernel printed verbatim (those that do not depend on the initrd)."""
    gt, m = pair
    dmesg = [l.split("] ", 1)[1] for l in gt.file("dmesg.txt").splitlines() if "] " in l]
    ours = m.boot_log
    must = [l for l in ours if l.startswith(("BIOS-e820", "Zone ranges", "  DMA", "  Normal",
                                             "  HighMem", "  node", "Initmem", "On node",
                                             "Built 1 zonelists", "Dentry", "Inode-cache",
                                             "Initializing HighMem", "last_pfn", "e820: ",
                                             "software IO TLB", "PCI-DMA", "PM: hibernation"))
            or l.endswith(("HIGHMEM available.", "LOWMEM available."))]
    assert len(must) > 12
    for line in must:
        assert line in dmesg, line


def _dmesg(gt) -> list[str]:
    return [l.split("] ", 1)[1] for l in gt.file("dmesg.txt").splitlines() if "] " in l]


def test_memory_line_exact(pair):
    """mem_init_print_info()'s whole line: free and reserved to the page (engine/memblock.py:
    where each early memblock allocation falls decides how many pages it holds)."""
    gt, m = pair
    real = next(l for l in _dmesg(gt) if l.startswith("Memory: "))
    assert next(l for l in m.boot_log if l.startswith("Memory: ")) == real


def test_managed_pages_exact(pair):
    """/proc/zoneinfo's managed per zone after boot (init, initrd and .smp_locks freed)."""
    gt, m = pair
    for z in m.all_zones:
        assert z.managed == gt.zones[z.name]["managed"], (z.name, z.managed, gt.zones[z.name]["managed"])


def test_min_free_kbytes_watermarks_and_protection_exact(pair):
    """init_per_zone_wmark_min() and khugepaged run as initcalls: .smp_locks ("Freeing SMP
    alternatives memory") is already free then, the initrd and .init are not, so
    min_free_kbytes, every zone's min/low/high and protection[] are those of the managed
    pages of that moment (they were a page or four off when taken from mem_init's)."""
    gt, m = pair
    sysvm = gt.file("sysvm.txt")
    real_min_free = int(sysvm.split("min_free_kbytes =", 1)[1].split()[0])
    assert m.min_free_kbytes == real_min_free
    for z in m.all_zones:
        real = gt.zones[z.name]
        ours = (z.watermark_min, z.watermark_low, z.watermark_high)
        assert ours == (real["min"], real["low"], real["high"]), (z.name, ours, real)
        assert list(z.lowmem_reserve) == list(real["protection"]), (z.name, z.lowmem_reserve)


def test_relocated_initrd_and_swiotlb_where_the_kernel_put_them(pair):
    """Checks of the top-down placement, not inputs: relocate_initrd()'s "Allocated new
    RAMDISK" (or the loader's place when it stays) and swiotlb's "mapped [mem ...]"."""
    import re
    gt, m = pair
    text = "\n".join(_dmesg(gt))
    res = {r.what: r for r in m.reservations}
    initrd = next(e for e in m.boot_state.events if e.what == "initrd (RAMDISK)")
    new = re.search(r"Allocated new RAMDISK: \[mem (0x[0-9a-f]+)-", text)
    at = re.search(r"RAMDISK: \[mem (0x[0-9a-f]+)-", text)
    assert initrd.pfn << 12 == int((new or at).group(1), 16)
    tlb = re.search(r"software IO TLB: mapped \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]", text)
    assert (tlb is not None) == ("software IO TLB" in res)
    if tlb:
        r = res["software IO TLB"]
        assert (r.start_pfn << 12, r.end_pfn << 12) == (int(tlb.group(1), 16), int(tlb.group(2), 16))


def test_percpu_chunk_where_the_kernel_put_it():
    """The boot CPU's GDT (gdt_page, a page-aligned per-CPU variable) is what the real
    cpu_entry_area maps at 0xff401000 (kcoredump): in every configuration it lies inside
    mmviz's per-CPU chunk, at one and the same offset -- so the chunk sits where the real
    one does, behind mem_map, the small allocations and pcpu_embed_first_chunk()'s freed pages."""
    import re
    offsets = set()
    for name in CONFIGS:
        gt = load(name)
        m = engine.Machine.boot(ram=gt.ram, pae=gt.pae, nx=gt.pae, vmalloc=gt.vmalloc)
        gdt = int(re.search(r"^0xff401000-\S+ .*phys=(0x[0-9a-f]+)", gt.file("kcoredump.txt"), re.M).group(1), 16)
        pc = next(r for r in m.reservations if r.what == "percpu")
        assert pc.start_pfn <= gdt >> 12 < pc.end_pfn, name
        offsets.add((gdt >> 12) - pc.start_pfn)
    assert len(offsets) == 1, offsets


def test_booted_from_its_own_dmesg_the_memory_line_is_equal(pair):
    """Machine.from_dmesg() reads the log's inputs (e820, percpu's static size, the MADT's
    IO-APICs and HPET, ...) and its "Memory:" line compares equal to the real one."""
    gt, _ = pair
    m = engine.Machine.from_dmesg(gt.file("dmesg.txt"))
    pair = next(p for p in m.dmesg_comparison if p.real.startswith("Memory: "))
    assert pair.status == "equal", (pair.real, pair.ours if hasattr(pair, "ours") else None)
    assert m.config.flavour.nr_ioapics == 1 and m.config.flavour.hpet
