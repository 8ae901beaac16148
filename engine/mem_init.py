"""mem_init(): the early allocations a boot log states, and what the "Memory:" line counts.

``Memory: <free>k/<physpages>k available (... <reserved>k reserved ...)``

* free: ``nr_free_pages()``, the zones' NR_FREE_PAGES.  A page sitting in a per-CPU list is
  not in it.  Before 2.6.34 a kernel without CONFIG_NUMA gives each zone its real pagesets
  from the start (mm/page_alloc.c zone_pcp_init), so the pages that
  free_all_bootmem_core() (mm/bootmem.c) frees one at a time, and every highmem page that
  add_one_highpage_init() (arch/x86/mm/init_32.c) frees, go through free_hot_cold_page():
  up to ``high = 6 * batch`` of them stay on the boot CPU's hot list.  From 2.6.34 the
  boot pagesets have high 0, so nothing stays.
* reserved: up to 3.10 (arch/x86/mm/init_32.c mem_init) the PageReserved pages below
  max_low_pfn that page_is_ram(); from 3.11 (mm/page_alloc.c mem_init_print_info)
  ``physpages - totalram_pages``.

Early allocations by formula: the zone wait tables (mm/page_alloc.c zone_wait_table_init,
before 4.9) and the PID hash (kernel/pid.c pidhash_init, before 4.15).  The others, mem_map
(alloc_node_mem_map), the per-CPU units (setup_per_cpu_areas / pcpu_embed_first_chunk), the
dentry and inode hashes (alloc_large_system_hash) and swiotlb, are in engine/boot.py.

The early allocations a log can state, each in the kernel's own words:
initrd ("RAMDISK: ...", "Freeing initrd memory: ..."; setup.c reserve_initrd), the memcg
page_cgroup array ("allocated N bytes of page_cgroup"; mm/page_cgroup.c
alloc_node_page_cgroup, 2.6.27 ... 3.18), the KFENCE pool ("kfence: initialized - using N
bytes"; mm/kfence/core.c kfence_alloc_pool, memblock_alloc(KFENCE_POOL_SIZE)), a memblock log
buffer ("log_buf_len: N bytes"; kernel/printk/printk.c setup_log_buf) and the crash kernel
("Reserving NMB of memory at ... for crashkernel"; setup.c reserve_crashkernel).
"""
from __future__ import annotations

import numpy as np

from . import physmem as pm
from .config import parse_size
from .errors import ConfigError, shown, unquoted_hint

BITS_PER_LONG = 32      # free_all_bootmem_core() walks the bitmap one long (32 pages) at a time


# CONFIG_KFENCE_NUM_OBJECTS default 255: KFENCE_POOL_SIZE = (255 + 1) * 2 * PAGE_SIZE (include/linux/kfence.h)
KFENCE_DEFAULT_POOL_KB = (255 + 1) * 2 * 4
# the Flavour fields config= (and boot(initrd=)) set through early_input()
EARLY_KEYS = ("initrd_kb", "page_cgroup_kb", "kfence_pool_kb", "log_buf_kb", "crashkernel_kb",
              "percpu_pages_per_cpu", "memcg", "stackdepot_kb", "trampoline_kb", "brk_log_pages",
              "initial_map_pgt", "debug_pagealloc", "initrd_start_pfn", "pcpu_static_bytes",
              "nr_ioapics", "hpet")


def early_input(k: str, name: str, v, fl):
    """config= values of the early allocations: sizes (kB, or '7M'), MEMCG/KFENCE switches."""
    if name in ("pcpu_static_bytes", "nr_ioapics"):     # "s<bytes>" of the percpu line; MADT IO-APICs
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 1 << 24:
            raise ConfigError(f"config: {k} must be a whole number, got {shown(v)}{unquoted_hint(v)}")
        return (v, v) if name == "pcpu_static_bytes" else v
    if name in ("memcg", "debug_pagealloc", "hpet"):
        if not isinstance(v, bool):
            raise ConfigError(f"config: {k} must be true or false, got {shown(v)}")
        return v
    if name == "kfence_pool_kb" and isinstance(v, bool):
        if v and fl.version < (5, 12):
            raise ConfigError(f"config: {k}: KFENCE exists from Linux 5.12 (this kernel is {fl.release})")
        return KFENCE_DEFAULT_POOL_KB if v else 0
    if name == "initrd_start_pfn":        # a physical address (the log's RAMDISK start)
        try:
            addr = int(v, 0) if isinstance(v, str) else v
        except ValueError:
            addr = None
        if not isinstance(addr, int) or isinstance(addr, bool) or not 0 <= addr < 1 << 36:
            raise ConfigError(f"config: {k} must be a physical address like 0x8b2000, got {shown(v)}")
        return addr >> 12
    if name in ("initial_map_pgt", "brk_log_pages"):      # a page-table count / the log's BRK kB
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 4 << 20:
            raise ConfigError(f"config: {k} must be a whole number, got {shown(v)}{unquoted_hint(v)}")
        return v if name == "initial_map_pgt" else -(-v // 4)
    if isinstance(v, str):
        v = parse_size(v, k) >> 10
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 4 << 20:
        raise ConfigError(f"config: {k} must be a size in kB (or like '7M'), got {shown(v)}")
    return v


def _pages(nbytes: int) -> int:
    return (nbytes + 4095) >> 12


def page_cgroup_kb(bs) -> int:
    """The page_cgroup array: sizeof(struct page_cgroup) per spanned page of the node (FLATMEM)."""
    fl = bs.cfg.flavour
    if fl.page_cgroup_kb:
        return fl.page_cgroup_kb
    if not (fl.memcg and fl.page_cgroup_bytes):
        return 0
    spanned = bs.max_pfn - bs.ranges[0][0]
    return (spanned * fl.page_cgroup_bytes) >> 10


WAIT_QUEUE_HEAD_BYTES = 12     # wait_queue_head_t on i386: spinlock_t (4) + list_head (8)


def wait_table_entries(pages: int) -> int:
    """wait_table_hash_nr_entries() (mm/page_alloc.c, !CONFIG_MEMORY_HOTPLUG)."""
    size, pages = 1, pages // 256
    while size < pages:
        size <<= 1
    return max(min(size, 4096), 4)


def pidhash_entries(nr_kernel_pages: int) -> int:
    """pidhash_init() (kernel/pid.c): 1 << min(12, max(4, fls(megabytes * 4)))."""
    return 1 << min(12, max(4, ((nr_kernel_pages >> 8) * 4).bit_length()))


def early_allocations(bs) -> list[tuple[str, int, int]]:
    """(what, pages, owner) of the early allocations the release makes by formula (zone wait
    tables, PID hash) and those a log states (none by default)."""
    fl = bs.cfg.flavour
    out = []
    if fl.zone_wait_tables:
        nbytes = sum(wait_table_entries(z.spanned) * WAIT_QUEUE_HEAD_BYTES for z in bs.zones if z.spanned)
        out.append(("zone wait tables", _pages(nbytes), pm.OWNER_BOOTMEM))
    if fl.pidhash:
        out.append(("PID hash table", _pages(pidhash_entries(bs.nr_kernel_pages) * 4), pm.OWNER_BOOTMEM))
    for what, n in kernel_page_tables(bs):
        out.append((what, n, pm.OWNER_BOOTMEM))
    for what, kb in (("page_cgroup array (memcg)", page_cgroup_kb(bs)),
                     ("KFENCE pool", fl.kfence_pool_kb),
                     ("stack depot hash table", fl.stackdepot_kb),
                     ("real-mode trampoline", 0 if fl.reserve_low_1m else fl.trampoline_kb),
                     ("log buffer (log_buf_len)", fl.log_buf_kb),
                     ("crash kernel (crashkernel=)", fl.crashkernel_kb)):
        if kb:
            out.append((what, _pages(kb * 1024), pm.OWNER_BOOTMEM))
    return out


def brk_holds_head_tables(fl) -> bool:
    """2.6.30 .. 3.8: head_32.S's page tables are .brk's own reservation (engine.boot): after
    pg0 (rule head_pgt_pg0), before 3.9's INIT_PGT_BUF (rule brk_pgt_pages) and 6.1's itemized
    .brk (rule memblock_itemized)."""
    return not fl.head_pgt_pg0 and not fl.brk_pgt_pages and not fl.memblock_itemized


def calibrated_head_tables(fl, pae: bool) -> int:
    """head_32.S's tables inside the 3.x calibrated early block: Debian 6.1's (its log:
    "initial memory mapped: [mem 0x00000000-0x023fffff]", 36 MB: 9 tables, 18 with PAE);
    none in the 2.6 family's block."""
    return 0 if fl.version < (3, 0) else 18 if pae else 9


def block_head_tables(fl, pae: bool) -> int:
    """Pages taken out of the calibrated early block because .brk is reserved on its own
    (2.6.30 .. 3.8, brk_holds_head_tables): the head tables and dmi_alloc()'s page, which the
    block (Debian 6.1's remainder of every early reservation) held."""
    if not (brk_holds_head_tables(fl) and fl.early_alloc_kb[pae] and calibrated_head_tables(fl, pae)):
        return 0
    return calibrated_head_tables(fl, pae) + 1


def head_pgt_baseline(fl, pae: bool) -> int:
    """Initial page tables the flavour's calibration already holds (calibrated_head_tables);
    none where .brk reserves them itself (2.6.30 .. 3.8) and in the 2.6 family."""
    return 0 if brk_holds_head_tables(fl) else calibrated_head_tables(fl, pae)


def kernel_page_tables(bs) -> list[tuple[str, int]]:
    """Kernel page tables a log shows beyond the flavour's calibration.

    * head_32.S (arch/x86/kernel/head_32.S; mk_early_pgtbl_32() from 4.x) maps up to
      _end + MAPPING_BEYOND_END with page tables in .brk, kept reserved (reserve_brk());
      "initial memory mapped" gives how far: one table per 4 MB (2 MB with PAE).
    * debug_pagealloc: init_memory_mapping() sets no large-page mask when
      debug_pagealloc_enabled() (arch/x86/mm/init.c), so every lowmem PMD gets a page table
      from alloc_low_pages(): the head's are reused, the others come from memblock; the
      flavour already counts the two 4 KB PMDs (first and tail) a large-page map has.
    """
    fl, pae = bs.cfg.flavour, bs.cfg.pae
    out = []
    base = head_pgt_baseline(fl, pae)
    head = fl.initial_map_pgt or base
    if fl.initial_map_pgt and base and fl.initial_map_pgt > base:
        out.append(("initial page tables (head_32.S, .brk)", fl.initial_map_pgt - base))
    if fl.debug_pagealloc:
        large = (2 if pae else 4) << 20
        pmds = -(-(bs.max_low_pfn << 12) // large)
        out.append(("direct-map page tables (debug_pagealloc: 4 KB pages)", max(0, pmds - head - 2)))
    return out


def _left_on_list(n: int, high: int, batch: int) -> int:
    """free_hot_cold_page() n times: count++; if count >= high: free batch to the buddy."""
    if n <= 0 or high <= 0:
        return 0
    if n < high:
        return n
    return high - batch + (n - high) % batch


def pcp_parked(bs, bitmap=None) -> dict[int, int]:
    """Pages per zone left on the boot CPU's hot list when mem_init() prints "Memory:".

    ``bitmap``: the bootmem bitmap's reservation, whose pages free_all_bootmem_core() frees
    one by one after walking the map (so they count as single frees).
    """
    fl = bs.cfg.flavour
    if fl.boot_pageset:
        return {}
    from .bootlog import zone_batchsize
    mm, lim = bs.memmap, bs.max_low_pfn
    free = np.zeros(-(-lim // BITS_PER_LONG) * BITS_PER_LONG, dtype=bool)
    free[:lim] = mm.owner[:lim] == pm.OWNER_FREE
    words = free.reshape(-1, BITS_PER_LONG)
    single = (words & ~words.all(axis=1)[:, None]).reshape(-1)   # free bits of partly free words
    out = {}
    for z in bs.zones:
        if not z.present:
            continue
        if z.is_highmem:          # set_highmem_pages_init(): every RAM page, one at a time
            n = int((mm.owner[z.start_pfn:z.end_pfn] == pm.OWNER_FREE).sum())
        else:
            n = int(single[z.start_pfn:min(z.end_pfn, lim)].sum())
            if bitmap is not None and z.start_pfn <= bitmap.start_pfn < z.end_pfn:
                n += bitmap.nr_pages
        batch = zone_batchsize(bs, z)
        left = _left_on_list(n, 6 * batch, max(1, batch))
        if left:
            out[z.idx] = left
    return out


def old_reserved_pages(bs) -> int:
    """2.6 ... 3.10 mem_init(): PageReserved pages below max_low_pfn that page_is_ram()."""
    mm, lim = bs.memmap, bs.max_low_pfn
    owner = mm.owner[:lim]
    n = int(((owner != pm.OWNER_FREE) & (owner != pm.OWNER_HOLE)).sum())
    if not bs.cfg.flavour.page0_is_ram and lim and owner[0] not in (pm.OWNER_FREE, pm.OWNER_HOLE):
        n -= 1              # page_is_ram(0) is false from 2.6.25
    return n


def memory_counts(bs) -> tuple[int, int]:
    """(free pages, reserved pages) of the "Memory:" line."""
    zones = bs.zones
    free = sum(z.free_pages for z in zones) - sum(bs.pcp_parked.values())
    if bs.cfg.flavour.log_memory_line == "new":
        physpages = sum(z.present for z in zones)
        return free, physpages - sum(z.managed for z in zones)
    return free, old_reserved_pages(bs)

