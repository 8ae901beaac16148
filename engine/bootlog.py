"""The memory lines a real kernel prints at boot, in the flavour's exact formats."""
from __future__ import annotations


def _mem(a: int, b: int) -> str:
    return f"[mem {a:#018x}-{b - 1:#018x}]"


def boot_log_lines(bs, raw_last: int, max_arch_pfn: int) -> list[str]:
    cfg, fl = bs.cfg, bs.cfg.flavour
    zones = bs.zones
    out = ["BIOS-provided physical RAM map:"]
    out += [e.line() for e in bs.e820]
    era_c = fl.era == "C"
    if cfg.pae:
        out.append("NX (Execute Disable) protection: active" if cfg.nx
                   else "Notice: NX (Execute Disable) protection missing in CPU!")
    if era_c:
        out.append("e820: update [mem 0x00000000-0x00000fff] usable ==> reserved")
        out.append("e820: remove [mem 0x000a0000-0x000fffff] usable")
        out.append(f"last_pfn = {min(raw_last, max_arch_pfn):#x} max_arch_pfn = {max_arch_pfn:#x}")
    elif bs.trimmed:
        out.append("Warning only 4GB will be used.")
        out.append("Use a HIGHMEM64G enabled kernel.")
    high_pages = bs.max_pfn - bs.max_low_pfn
    out.append(f"{high_pages >> 8}MB HIGHMEM available.")
    out.append(f"{bs.max_low_pfn >> 8}MB LOWMEM available.")
    if era_c:
        out.append(f"  mapped low ram: 0 - {bs.max_low_pfn << 12:08x}")
        out.append(f"  low ram: 0 - {bs.max_low_pfn << 12:08x}")
        out.append("Zone ranges:")
        for z in zones[:3]:
            if z.spanned:
                out.append(f"  {z.name:<8} {_mem(z.start_pfn << 12, z.end_pfn << 12)}")
            else:
                out.append(f"  {z.name:<8} empty")
        out.append("Movable zone start for each node")
        out.append("Early memory node ranges")
        for s, e in bs.ranges:
            out.append(f"  node   0: {_mem(s << 12, e << 12)}")
        out.append(f"Initmem setup node 0 {_mem(bs.ranges[0][0] << 12, bs.ranges[-1][1] << 12)}")
        # holes: before the first range (within the zone) and between ranges
        prev_end = 0
        for s, e in bs.ranges:
            if s > prev_end:
                _holes(out, zones, prev_end, s)
            prev_end = e
        total = 0
        for z in zones[:3]:
            if not z.present:
                continue
            memmap = (z.present * fl.struct_page_size + 4095) >> 12
            total += z.present - (memmap if not z.is_highmem else 0)
        out.append(f"Built 1 zonelists, mobility grouping on.  Total pages: {total}")
    else:
        out.append("Zone PFN ranges:")
        for z in zones[:3]:
            out.append(f"  {z.name:<8} {z.start_pfn:>8} -> {z.end_pfn:>8}")
        out.append("early_node_map[%d] active PFN ranges" % len(bs.ranges))
        for s, e in bs.ranges:
            out.append(f"    0: {s:>8} -> {e:>8}")
        total = sum(z.present for z in zones[:3])
        out.append(f"Built 1 zonelists in Zone order, mobility grouping on.  Total pages: {total}")
    out.append(f"Dentry cache hash table entries: {bs.dentry_entries} "
               f"(order: {_order(bs.dentry_entries * 4)}, {bs.dentry_entries * 4} bytes"
               + (", linear)" if era_c else ")"))
    out.append(f"Inode-cache hash table entries: {bs.inode_entries} "
               f"(order: {_order(bs.inode_entries * 4)}, {bs.inode_entries * 4} bytes"
               + (", linear)" if era_c else ")"))
    if bs.swiotlb:
        out.append("software IO TLB: mapped [mem 64MB]" if not era_c else "software IO TLB: area num 1.")
    hz = zones[2]
    if hz.present:
        out.append(f"Initializing HighMem for node 0 ({hz.start_pfn:08x}:{hz.end_pfn:08x})")
    physpages = sum(z.present for z in zones)
    free = sum(z.free_pages for z in zones)
    highmem = hz.free_pages
    pae = int(cfg.pae)
    if era_c:
        out.append(f"Memory: {free * 4}K/{physpages * 4}K available ({fl.text_kb[pae]}K kernel code, "
                   f"{fl.rwdata_kb[pae]}K rwdata, {fl.rodata_kb[pae]}K rodata, {fl.init_kb[pae]}K init, "
                   f"{fl.bss_kb[pae]}K bss, {(physpages - sum(z.managed for z in zones)) * 4}K reserved, "
                   f"0K cma-reserved, {hz.managed * 4}K highmem)")
    else:
        reserved = sum(z.present - z.managed for z in zones[:2])
        out.append(f"Memory: {free * 4}k/{bs.max_pfn * 4}k available ({fl.text_kb[pae]}k kernel code, "
                   f"{reserved * 4}k reserved, {fl.rwdata_kb[pae]}k data, {fl.init_kb[pae]}k init, "
                   f"{highmem * 4}k highmem)")
        out += layout_block(bs)
    if bs.thp_raised_from is not None:
        out.append(f"khugepaged: raising min_free_kbytes from {bs.thp_raised_from} to "
                   f"{bs.min_free_kbytes} to help transparent hugepage allocations")
    return out


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
    text = ki["text"]
    data_end = ki["data"][1]
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
