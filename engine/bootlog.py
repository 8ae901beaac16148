"""The memory lines a real kernel prints at boot, in the flavour's exact formats."""
from __future__ import annotations


def _mem(a: int, b: int) -> str:
    return f"[mem {a:#018x}-{b - 1:#018x}]"


def _range(style: str, a_pfn: int, b_pfn: int) -> str:
    """One zone or node range, end exclusive, in the release's format."""
    if style == "dec":
        return f"{a_pfn:>8} -> {b_pfn:>8}"
    if style == "hex":
        return f"{a_pfn:#010x} -> {b_pfn:#010x}"
    if style == "mem32":
        return f"[mem {a_pfn << 12:#010x}-{(b_pfn << 12) - 1:#010x}]"
    return _mem(a_pfn << 12, b_pfn << 12)


def zone_sizes_lines(bs) -> list[str]:
    """free_area_init_nodes(): the zone and node ranges (2.6.24 ... 6.x formats)."""
    fl, zones = bs.cfg.flavour, bs.zones
    style = fl.log_zone_ranges
    out = []
    if fl.log_add_active_range:
        for i, (s, e) in enumerate(bs.ranges):
            out.append(f"Entering add_active_range(0, {s}, {e}) {i} entries of 256 used")
    out.append("Zone PFN ranges:" if style in ("dec", "hex") else "Zone ranges:")
    prev_end = 0
    for z in zones[:3]:
        if z.spanned:
            out.append(f"  {z.name:<8} {_range(style, z.start_pfn, z.end_pfn)}")
            prev_end = z.end_pfn
        elif style in ("dec", "hex"):       # an empty zone spans [previous end, previous end)
            out.append(f"  {z.name:<8} {_range(style, prev_end, prev_end)}")
        else:
            out.append(f"  {z.name:<8} empty")
    if fl.zone_movable:
        out.append(fl.log_movable_start)
    if style in ("dec", "hex"):
        out.append("early_node_map[%d] active PFN ranges" % len(bs.ranges))
        for s, e in bs.ranges:
            out.append(f"    0: {_range(style, s, e)}")
    else:
        out.append("Early memory node ranges")
        for s, e in bs.ranges:
            out.append(f"  node   0: {_range(style, s, e)}")
    if fl.log_initmem_setup:
        out.append(f"Initmem setup node 0 {_mem(bs.ranges[0][0] << 12, bs.ranges[-1][1] << 12)}")
    if fl.log_unavailable:
        prev = 0
        for s, e in bs.ranges:
            if s > prev:
                _holes(out, zones, prev, s)
            prev = e
    if fl.log_memmap_block:
        out.append(f"On node 0 totalpages: {sum(bs.realsize)}")
        for z in zones:
            mp = bs.memmap_pages[z.idx]
            if mp or fl.log_memmap_zero:
                out.append(f"  {z.name} zone: {mp} pages used for memmap")
            if z.idx == 0:
                out.append(f"  {z.name} zone: 0 pages reserved")
            if z.present:
                out.append(f"  {z.name} zone: {z.present} pages, LIFO batch:{zone_batchsize(bs, z)}")
    return out


def zone_batchsize(bs, z) -> int:
    """zone_batchsize() (mm/page_alloc.c): about 1/1000 of the zone, capped, /4, then 2^n - 1."""
    fl = bs.cfg.flavour
    size = z.managed if fl.managed_pages else z.present
    batch = min(size // 1024, (fl.pcp_batch_cap_kb * 1024) // 4096)
    batch //= 4
    batch = max(batch, 1)
    return (1 << ((batch + batch // 2).bit_length() - 1)) - 1


def total_pages(bs) -> int:
    """build_all_zonelists()'s "Total pages": the zones' pages less their memmap at that point."""
    fl = bs.cfg.flavour
    total = 0
    for z in bs.zones[:3]:
        real, mp = bs.realsize[z.idx], bs.memmap_pages[z.idx]
        if z.is_highmem and not fl.highmem_memmap_counted:
            mp = 0
        total += real - mp if real >= mp else real
    return total


def highmem_param_lines(bs) -> list[str]:
    """What find_low_pfn_range() prints when it ignores highmem=N (engine.layout's
    highmem_param_refused(): arch/x86/mm/init_32.c MSG_* from 2.6.30, 2.6.24 setup_32.c
    find_max_low_pfn()'s words before); [] otherwise."""
    from .layout import highmem_param_refused
    cfg, max_pfn, maxmem_pfn = bs.cfg, bs.max_pfn_e820, bs.layout.maxmem >> 12
    why = highmem_param_refused(cfg, max_pfn, maxmem_pfn)
    if not why:
        return []
    mb, new = ((cfg.highmem >> 12) & 0xFFFFFFFF) >> 8, cfg.flavour.log_highmem_param == "msg"
    if why == "too_small":
        return [f"only {(max_pfn - maxmem_pfn) >> 8}MB highmem pages available, ignoring highmem size "
                f"of {mb}MB{'!' if new else '.'}"]
    if why == "too_big":
        return [f"highmem size ({mb}MB) is bigger than pages available ({max_pfn >> 8}MB)!" if new else
                f"highmem size specified ({mb}MB) is bigger than pages available ({max_pfn >> 8}MB)!."]
    return [f"highmem size ({mb}MB) results in <64MB lowmem, ignoring it!" if new else
            f"highmem size {mb}MB results in smaller than 64MB lowmem, ignoring it."]


def boot_log_lines(bs, raw_last: int, max_arch_pfn: int) -> list[str]:
    cfg, fl = bs.cfg, bs.cfg.flavour
    zones = bs.zones
    style = "mem" if fl.log_e820 == "mem" else "dash"
    if cfg.e820_label == "modified":
        out = ["modified physical RAM map:"]
        out += [e.line(style).replace("BIOS-e820:", "modified:") for e in bs.firmware_e820]
    else:
        out = ["BIOS-provided physical RAM map:"]
        out += [e.line(style) for e in bs.firmware_e820]
    if bs.e820 != bs.firmware_e820 or cfg.memmap:    # userdef: any mem= or memmap= (even one
        out.append("user-defined physical RAM map:")  # that changes nothing, or mem=0's -EINVAL)
        out += [e.line(style).replace("BIOS-e820", "user") for e in bs.e820]
    if cfg.pae or fl.version >= (2, 6, 28):
        if cfg.pae and cfg.nx:
            out.append("NX (Execute Disable) protection: active")
        elif cfg.pae or fl.log_nx_missing:
            out.append("Notice: NX (Execute Disable) protection missing in CPU!")
    if fl.e820_low_reserved_kb:
        out.append(f"e820: update [mem 0x00000000-{(fl.e820_low_reserved_kb << 10) - 1:#010x}] "
                   f"usable ==> reserved")
    if fl.version >= (3, 4):
        out.append("e820: remove [mem 0x000a0000-0x000fffff] usable")
    if fl.log_last_pfn:
        out.append(f"{fl.log_last_pfn_prefix}last_pfn = {bs.last_pfn:#x} max_arch_pfn = {max_arch_pfn:#x}")
    out += highmem_param_lines(bs)
    if bs.trimmed and not cfg.pae and fl.nonpae_4g_clamp == "max_pfn":
        out.append("Warning only 4GB will be used.")
        out.append("Use a HIGHMEM64G enabled kernel.")
    lowmem_end = bs.max_low_pfn << 12
    if fl.log_init_memory_mapping == "dash":
        out.append(f"init_memory_mapping: {0:016x}-{lowmem_end:016x}")
    elif fl.log_init_memory_mapping == "mem32":
        out.append(f"init_memory_mapping: [mem 0x00000000-{lowmem_end - 1:#010x}]")
    high_pages = bs.max_pfn - bs.max_low_pfn
    out.append(f"{high_pages >> 8}MB HIGHMEM available.")
    out.append(f"{bs.max_low_pfn >> 8}MB LOWMEM available.")
    if fl.log_low_ram:
        out.append(f"  mapped low ram: 0 - {lowmem_end:08x}")
        out.append(f"  low ram: 0 - {lowmem_end:08x}")
    out += zone_sizes_lines(bs)
    if fl.memblock_itemized:
        from .memblock import nosave_regions
        out += [f"PM: hibernation: Registered nosave memory: [mem {s << 12:#010x}-{(e << 12) - 1:#010x}]"
                for s, e in nosave_regions(bs.e820, bs.max_pfn)]
    order = " in Zone order" if fl.log_zonelist_order else ""
    mobility = ", mobility grouping on" if fl.log_zonelist_mobility else ""
    out.append(f"Built 1 zonelists{order}{mobility}.  Total pages: {total_pages(bs)}")
    lin = ", linear)" if fl.log_hash_linear else ")"
    out.append(f"Dentry cache hash table entries: {bs.dentry_entries} "
               f"(order: {_order(bs.dentry_entries * 4)}, {bs.dentry_entries * 4} bytes" + lin)
    out.append(f"Inode-cache hash table entries: {bs.inode_entries} "
               f"(order: {_order(bs.inode_entries * 4)}, {bs.inode_entries * 4} bytes" + lin)
    tlb = swiotlb_mapped_line(bs)
    if tlb:
        out.append("software IO TLB: area num 1." if fl.log_swiotlb == "area_num" else tlb)
    hz = zones[2]
    if fl.log_highmem_init:
        # set_highmem_pages_init(): every highmem zone, an empty one as 00000000:00000000;
        # ZONE_MOVABLE counts as highmem when HighMem is the movable zone (populated)
        out.append(f"Initializing HighMem for node 0 ({hz.start_pfn:08x}:{hz.end_pfn:08x})")
    if fl.log_movable_init and len(zones) > 3 and hz.present:
        out.append("Initializing Movable for node 0 (00000000:00000000)")
    out.append(memory_line(bs))
    if fl.log_layout_block:
        out += layout_block(bs)
    # set_recommended_min_free_kbytes() says "raising min_free_kbytes from ..." only when
    # user_min_free_kbytes >= 0 (3.19.8 mm/huge_memory.c, 6.1 mm/khugepaged.c), i.e. after a
    # write to /proc/sys/vm/min_free_kbytes; 2.6.38-3.18 raise it silently: never at boot
    if tlb and fl.log_swiotlb == "area_num":
        # pci_swiotlb_late_init()/swiotlb_print_info(), after the network hash tables
        out += ["PCI-DMA: Using software bounce buffering for IO (SWIOTLB)", tlb]
    return out


def swiotlb_mapped_line(bs) -> str | None:
    """swiotlb_print_info() (kernel/dma/swiotlb.c): the bounce buffer's memblock range
    ("%pa": a 64-bit phys_addr_t on PAE), or None without swiotlb."""
    r = next((r for r in bs.reservations if r.what == "software IO TLB"), None) if bs.swiotlb else None
    if r is None:
        return None
    return (f"software IO TLB: mapped [mem {r.start_pfn << 12:#018x}-{r.end_pfn << 12:#018x}] "
            f"({r.nr_pages >> 8}MB)")


def image_kb(bs) -> dict[str, int]:
    """The kernel image sizes both "Memory:" and the layout block print (same symbols)."""
    fl, pae = bs.cfg.flavour, int(bs.cfg.pae)
    sym = bs.image_symbols
    kb = {"text": fl.text_kb[pae], "data": fl.rwdata_kb[pae], "rodata": fl.rodata_kb[pae],
          "init": fl.init_kb[pae], "bss": fl.bss_kb[pae]}
    for name, (a, b) in sym.items():
        kb[name] = (b - a) >> 10
    return kb


def memory_line(bs) -> str:
    """mem_init()'s "Memory:" line: the old (2.6 ... 3.10) or mem_init_print_info() format
    (counts: engine.mem_init.memory_counts)."""
    from .mem_init import memory_counts
    cfg, fl, zones = bs.cfg, bs.cfg.flavour, bs.zones
    kb = image_kb(bs)
    hz = zones[2]
    physpages = sum(z.present for z in zones)
    free, reserved = memory_counts(bs)
    if fl.log_memory_line == "new":
        return (f"Memory: {free * 4}K/{physpages * 4}K available ({kb['text']}K kernel code, "
                f"{kb['data']}K rwdata, {kb['rodata']}K rodata, {kb['init']}K init, "
                f"{kb['bss']}K bss, {reserved * 4}K reserved, "
                f"0K cma-reserved, {hz.managed * 4}K highmem)")
    data = kb["data"] + (kb["rodata"] if "data" not in bs.image_symbols else 0)
    return (f"Memory: {free * 4}k/{bs.max_pfn * 4}k available ({kb['text']}k kernel code, "
            f"{reserved * 4}k reserved, {data}k data, {kb['init']}k init, {hz.managed * 4}k highmem)")


def _holes(out, zones, a, b) -> None:
    # memmap_init() counts holes per zone; the DMA zone's memmap starts at pfn 0
    for z in zones[:3]:
        zstart = 0 if z.idx == 0 else z.start_pfn
        lo, hi = max(a, zstart), min(b, z.end_pfn)
        if z.spanned and hi > lo:
            out.append(f"On node 0, zone {z.name}: {hi - lo} pages in unavailable ranges")


def _order(nbytes: int) -> int:
    pages = (nbytes + 4095) >> 12
    return max(0, (pages - 1).bit_length())


def layout_block(bs) -> list[str]:
    """mem_init()'s "virtual kernel memory layout:" block (2.6.24 ... 4.19 kernels)."""
    L = bs.layout
    ki = bs.kernel_image
    va = lambda p: p + L.page_offset
    sym = bs.image_symbols
    text = sym.get("text", ki["text"])
    data_end = sym["data"][1] if "data" in sym else ki["data"][1]
    init = ki.get("init", (data_end, data_end))
    lines = ["virtual kernel memory layout:",
             f"    fixmap  : 0x{L.fixaddr_start:08x} - 0x{L.fixaddr_top:08x}   "
             f"({(L.fixaddr_top - L.fixaddr_start) >> 10:4d} kB)"]
    if L.cpu_entry_area_base:
        lines.append(f"  cpu_entry : 0x{L.cpu_entry_area_base:08x} - 0x{L.cpu_entry_area_end:08x}   "
                     f"({(L.cpu_entry_area_end - L.cpu_entry_area_base) >> 10:4d} kB)")
    lines += [
        f"    pkmap   : 0x{L.pkmap_base:08x} - 0x{L.pkmap_end:08x}   ({(L.pkmap_end - L.pkmap_base) >> 10:4d} kB)",
        f"    vmalloc : 0x{L.vmalloc_start:08x} - 0x{L.vmalloc_end:08x}   "
        f"({(L.vmalloc_end - L.vmalloc_start) >> 20:4d} MB)",
        f"    lowmem  : 0x{L.page_offset:08x} - 0x{L.high_memory:08x}   "
        f"({(L.high_memory - L.page_offset) >> 20:4d} MB)",
        f"      .init : 0x{va(init[0]):08x} - 0x{va(init[1]):08x}   ({(init[1] - init[0]) >> 10:4d} kB)",
        f"      .data : 0x{va(text[1]):08x} - 0x{va(data_end):08x}   ({(data_end - text[1]) >> 10:4d} kB)",
        f"      .text : 0x{va(text[0]):08x} - 0x{va(text[1]):08x}   ({(text[1] - text[0]) >> 10:4d} kB)",
    ]
    return lines
