"""The OOM report's Mem-Info block per release (engine.show_mem, rule show_free_areas): the
fields of show_free_areas()'s lines as the kernel's printk formats of each release print them.

The tables below are transcribed from mm/page_alloc.c show_free_areas() (6.1: __show_free_areas)
of the released trees named by their keys: the words of the format strings, in order, with
"#" for each number (CONFIG_TRANSPARENT_HUGEPAGE on, CONFIG_SHADOW_CALL_STACK off as on i386)."""
from __future__ import annotations

import re

import pytest

import engine
from engine.kversion import rules_for
from engine.oom_kill import mem_info
from engine.show_mem import NODE_FIELDS, ZONE_FIELDS

ZONE_LINE = {
    '2.6.24':
        'free min low high active inactive present pages_scanned all_unreclaimable?',
    '2.6.30':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable present pages_scanned all_unreclaimable?',
    '2.6.32':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce writeback_tmp pages_scanned all_unreclaimable?',
    '3.5':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce writeback_tmp pages_scanned all_unreclaimable?',
    '3.8':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '3.9':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '3.10':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '3.11':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '3.19':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.0':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.1':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_pcp local_pcp free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.4':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_pcp local_pcp free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.5':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_pcp local_pcp free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.6':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_pcp local_pcp free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.7':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present managed mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_pcp local_pcp free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.9':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked slab_reclaimable slab_unreclaimable kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '4.14':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '4.19':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '5.0':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '5.8':
        'free min low high reserved_highatomic active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '5.10':
        'free min low high reserved_highatomic active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked pagetables bounce free_pcp local_pcp free_cma',
    '5.15':
        'free min low high reserved_highatomic active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked bounce free_pcp local_pcp free_cma',
    '6.1':
        'free boost min low high reserved_highatomic active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked bounce free_pcp local_pcp free_cma',
    # zone printk from " free:%lukB": 3.6.0 l.2881 (no free_cma), 3.7.2 l.2942 (free_cma, no
    # managed), 4.11 l.4552, 4.12.0 l.4604 (slab_* still in the zone), 4.13.4 (gone), 6.0.1 (as 6.1.0)
    '3.6':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce writeback_tmp pages_scanned all_unreclaimable?',
    '3.7':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) present mlocked dirty writeback mapped shmem slab_reclaimable slab_unreclaimable kernel_stack pagetables unstable bounce free_cma writeback_tmp pages_scanned all_unreclaimable?',
    '4.11':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked slab_reclaimable slab_unreclaimable kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '4.12':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked slab_reclaimable slab_unreclaimable kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '4.13':
        'free min low high active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked kernel_stack pagetables bounce free_pcp local_pcp free_cma',
    '6.0':
        'free boost min low high reserved_highatomic active_anon inactive_anon active_file inactive_file unevictable writepending present managed mlocked bounce free_pcp local_pcp free_cma',
}
NODE_LINE = {
    '4.9':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable pages_scanned all_unreclaimable?',
    '4.14':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable all_unreclaimable?',
    '4.19':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable all_unreclaimable?',
    '5.0':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable all_unreclaimable?',
    '5.8':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp all_unreclaimable?',
    '5.10':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp kernel_stack all_unreclaimable?',
    '5.15':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp kernel_stack pagetables all_unreclaimable?',
    '6.1':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp kernel_stack pagetables sec_pagetables all_unreclaimable?',
    # 4.11 l.4493-4513 (pages_scanned), 4.12.0 l.4546-4565 and 4.13.4 (none), 6.0.1 (no sec_pagetables)
    '4.11':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable pages_scanned all_unreclaimable?',
    '4.12':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable all_unreclaimable?',
    '4.13':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp unstable all_unreclaimable?',
    '6.0':
        'active_anon inactive_anon active_file inactive_file unevictable isolated(anon) isolated(file) mapped dirty writeback shmem shmem_thp shmem_pmdmapped anon_thp writeback_tmp kernel_stack pagetables all_unreclaimable?',
}
GLOBAL_LINES = {
    '2.6.24':
        ['Active:# inactive:# dirty:# writeback:# unstable:#', ' free:# slab:# mapped:# pagetables:# bounce:#'],
    '2.6.30':
        ['Active_anon:# active_file:# inactive_anon:#', ' inactive_file:# unevictable:# dirty:# writeback:# unstable:#', ' free:# slab:# mapped:# pagetables:# bounce:#'],
    '2.6.32':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#'],
    '3.5':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#'],
    '3.8':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '3.9':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '3.10':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '3.11':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '3.19':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '4.0':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '4.1':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.4':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.5':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.6':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.7':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.9':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.14':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '4.19':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '5.0':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '5.8':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '5.10':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '5.15':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' kernel_misc_reclaimable:#', ' free:# free_pcp:# free_cma:#'],
    '6.1':
        ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:#', ' sec_pagetables:# bounce:#', ' kernel_misc_reclaimable:#', ' free:# free_pcp:# free_cma:#'],
    # v2.6.25-v2.6.27 tags (the 2.6.24 block), 3.6.0 l.2850 (no free_cma), 3.7.2 l.2909-2915,
    # 5.14.2 (no kernel_misc_reclaimable), 6.0.1 (bounce still on the mapped line)
    '2.6.25': ['Active:# inactive:# dirty:# writeback:# unstable:#', ' free:# slab:# mapped:# pagetables:# bounce:#'],
    '2.6.26': ['Active:# inactive:# dirty:# writeback:# unstable:#', ' free:# slab:# mapped:# pagetables:# bounce:#'],
    '2.6.27': ['Active:# inactive:# dirty:# writeback:# unstable:#', ' free:# slab:# mapped:# pagetables:# bounce:#'],
    '3.6': ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#'],
    '3.7': ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:# unstable:#', ' free:# slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free_cma:#'],
    '5.14': ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' free:# free_pcp:# free_cma:#'],
    '6.0': ['active_anon:# inactive_anon:# isolated_anon:#', ' active_file:# inactive_file:# isolated_file:#', ' unevictable:# dirty:# writeback:#', ' slab_reclaimable:# slab_unreclaimable:#', ' mapped:# shmem:# pagetables:# bounce:#', ' kernel_misc_reclaimable:#', ' free:# free_pcp:# free_cma:#'],
}

KERNEL = {"2.6.24": "2.6"}


def _report(kernel: str):
    m = engine.Machine.boot(ram="1G", kernel=KERNEL.get(kernel, kernel))
    return m, mem_info(m)


@pytest.mark.parametrize("release", sorted(ZONE_LINE))
def test_zone_lines_print_the_fields_of_the_release(release):
    m, lines = _report(release)
    for z in m.zones:
        line = next(x for x in lines if x.startswith(z.name + " free:"))
        names = re.findall(r" ([a-z_()?]+)[: ]", line[len(z.name):])
        assert " ".join(names) == ZONE_LINE[release], (release, z.name)
        assert f" min:{z.watermark_min * 4}kB low:{z.watermark_low * 4}kB " in line
        assert f" high:{z.watermark_high * 4}kB" in line and f" present:{z.present * 4}kB" in line
        i = lines.index(line)
        assert lines[i + 1] == "lowmem_reserve[]: " + " ".join(map(str, z.lowmem_reserve))
        free = next(x for x in lines if x.startswith(z.name + ": "))
        assert re.fullmatch(rf"{z.name}: (\d+\*\d+kB ){{11}}= \d+kB", free)


@pytest.mark.parametrize("release", sorted(ZONE_LINE))
def test_node_line_from_48(release):
    m, lines = _report(release)
    node = [x for x in lines if x.startswith("Node 0 ")]
    if release not in NODE_LINE:
        assert not node
        return
    assert len(node) == 1
    names = re.findall(r" ([a-z_()?]+)[: ]", node[0][len("Node 0"):])
    assert " ".join(names) == NODE_LINE[release]
    i = lines.index(node[0])
    assert lines[i + 1].startswith(m.zones[0].name + " free:")


@pytest.mark.parametrize("release", sorted(GLOBAL_LINES))
def test_global_block_and_header_of_the_release(release):
    m, lines = _report(release)
    old = release in ("2.6.24", "2.6.25", "2.6.26")     # lib/show_mem.c "Mem-Info:" from 2.6.27
    assert lines[0] == ("Mem-info:" if old else "Mem-Info:")
    n = len(GLOBAL_LINES[release])
    got = [re.sub(r"\d+", "#", x) for x in lines[1:1 + n]]
    assert got == GLOBAL_LINES[release]


def test_every_field_boundary_is_a_rule():
    """Each release where a field comes or goes is a show_free_areas rule (docs/KERNEL_VERSIONS.md)."""
    since = {r.since for r in rules_for("show_free_areas")}
    for table in (ZONE_FIELDS, NODE_FIELDS):
        for _name, first, gone in table:
            for v in (first, gone):
                assert v in ((0,), (99,)) or v in since, v


# dump_header()'s first printk of each checked tree (mm/oom_kill.c), %-conversions as written
INVOKED = {
    "2.6.24": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oomkilladj=%d",
    "2.6.30": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oomkilladj=%d",
    "2.6.32": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_adj=%d",
    "2.6.36": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_adj=%d, oom_score_adj=%d",
    "2.6.39": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_adj=%d, oom_score_adj=%d",
    "3.5": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_adj=%d, oom_score_adj=%d",
    "3.6": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_adj=%d, oom_score_adj=%d",
    "3.7": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_score_adj=%d",
    "3.8": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_score_adj=%hd",
    "4.0": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_score_adj=%hd",
    "4.4": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_score_adj=%hd",
    "4.5": "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_score_adj=%hd",
    "4.6": "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd",
    "4.7": "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd",
    "4.8": "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd",
    "4.9": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd",
    "4.10": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd",
    "4.11": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=(null),  order=%d, oom_score_adj=%hd",
    "4.14": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=(null),  order=%d, oom_score_adj=%hd",
    "4.15": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd",
    "4.18": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd",
    "4.19": "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd",
    "5.0": "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd",
    "5.10": "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd",
    "6.1": "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd",
}
# what %*pbl prints there: 4.9-4.10 the cpuset's mems_allowed (node 0), 4.15-4.19 a NULL nodemask
# (4.11-4.14 print "(null)" themselves, then ",  order" with two spaces: 4.11 l.409-416)
PBL = {"4.9": "0", "4.10": "0", "4.15": "(null)", "4.18": "(null)", "4.19": "(null)"}


def _pattern(release: str, fmt: str) -> str:
    out = re.escape(fmt)
    for conv, rx in ((r"%s", r"\S+"), (r"0x%x", r"0x[0-9a-f]+"), (r"%\#x", r"0x[0-9a-f]+"),
                     (r"%pGg", r"[A-Za-z_|]+"), (r"%\*pbl", re.escape(PBL.get(release, ""))),
                     (r"%hd", r"-?\d+"), (r"%d", r"-?\d+")):
        out = out.replace(conv, rx)
    return out


@pytest.mark.parametrize("release", sorted(INVOKED))
def test_oom_invoked_line_per_release(release):
    m = engine.Machine.boot(ram="48M", kernel=KERNEL.get(release, release))
    p = m.spawn()
    a = p.mmap(64 << 20)
    with pytest.raises(engine.OomKilled):
        for i in range(0, 64 << 20, 4096):
            m.access(a + i, "write", p.pid)
    line = next(x for x in m.kmsg if "invoked oom-killer" in x)
    assert re.fullmatch(_pattern(release, INVOKED[release]), line), (release, line)
    stack = m.kmsg[m.kmsg.index(line) + 1]
    old = m.config.flavour.version < (3, 10)          # dump_stack(): lib/dump_stack.c from 3.10
    assert stack.startswith(f"Pid: {p.pid}, comm: example" if old else f"CPU: 0 PID: {p.pid} Comm: example")


# oom_kill_process()'s lines and dump_tasks()'s header in the checked trees (mm/oom_kill.c)
KILL = {
    "2.6.24": (None, r"Out of memory: kill process \d+ \(\w+\) score \d+ or a child",
               r"Killed process \d+ \(\w+\)"),
    "2.6.32": (None, r"Out of memory: kill process \d+ \(\w+\) score \d+ or a child",
               r"Killed process \d+ \(\w+\)"),
    "2.6.36": ("[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name",
               r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
               r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB"),
    "3.5": ("[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB"),
    "3.8": ("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB"),
    "3.6": ("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB"),
    "4.4": ("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB"),
    "4.9": ("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "4.14": ("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
             r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
             r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "4.15": ("[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
             r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
             r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "4.18": ("[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
             r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
             r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "4.19": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
             r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
             r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "5.0": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "5.1": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            r"Out of memory: Kill process \d+ \(\w+\) score \d+ or sacrifice child",
            r"Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB"),
    "5.2": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name", None,
            r"Out of memory: Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, "
            r"shmem-rss:\d+kB"),
    "5.3": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name", None,
            r"Out of memory: Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, "
            r"shmem-rss:\d+kB"),
    "5.4": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name", None,
            r"Out of memory: Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, "
            r"shmem-rss:\d+kB, UID:\d+ pgtables:\d+kB oom_score_adj:-?\d+"),
    "6.1": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name", None,
            r"Out of memory: Killed process \d+ \(\w+\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, "
            r"shmem-rss:\d+kB, UID:\d+ pgtables:\d+kB oom_score_adj:-?\d+"),
}


@pytest.mark.parametrize("release", sorted(KILL))
def test_oom_kill_lines_and_task_table_per_release(release):
    """A parent that fills memory and a forked child with its own mm: before 5.2 the child is
    killed first (2.6.24: the first child; 2.6.36: the one with the highest badness)."""
    m = engine.Machine.boot(ram="48M", kernel=KERNEL.get(release, release))
    p = m.spawn()
    cpid = m.fork(p.pid)
    child = m.processes[cpid] if isinstance(cpid, int) else cpid
    a = p.mmap(64 << 20)
    with pytest.raises(engine.OomKilled):
        for i in range(0, 64 << 20, 4096):
            m.access(a + i, "write", p.pid)
    table, kill, killed = KILL[release]
    log = m.kmsg
    first = next(i for i, x in enumerate(log) if "invoked oom-killer" in x)
    report = log[first:]
    assert (table in report) if table else not any("uid  tgid" in x for x in report)
    if m.config.flavour.version >= (4, 19):
        assert report[report.index(table) - 1] == "Tasks state (memory values in pages):"
    kills = [x for x in report if re.fullmatch(killed, x)]
    assert kills, (release, report[-4:])
    sacrificed = kill is not None
    if sacrificed:
        i = report.index(kills[0])
        assert re.fullmatch(kill, report[i - 1]), report[i - 1]
        assert f"({child.comm})" in kills[0] and kills[0].startswith(f"Killed process {child.pid} ")
    else:
        assert kills[0].startswith(f"Out of memory: Killed process {p.pid} ")
    summary = [x for x in report if x.startswith("oom-kill:constraint=")]
    assert bool(summary) == (m.config.flavour.version >= (4, 20))


@pytest.mark.parametrize("kernel,hides", [("5.15", False), ("6.0", False), ("6.1", True)])
def test_61_report_shows_zones_up_to_the_allocations_gfp_zone(kernel, hides):
    """6.1 dump_header(): __show_mem(..., gfp_zone(oc->gfp_mask)); 5.15 and 6.0.1 (l.464):
    show_mem(), every zone."""
    m = engine.Machine.boot(ram="1G", kernel=kernel)
    assert m.zone("HighMem").present
    kernel_mask = m.gfp.parse("GFP_KERNEL")
    user_mask = m.gfp.parse("GFP_HIGHUSER_MOVABLE")
    for mask, shown in ((kernel_mask, not hides), (user_mask, True)):
        lines = mem_info(m, mask)
        assert any(x.startswith("HighMem free:") for x in lines) is shown
        assert any(x.startswith("HighMem: ") for x in lines) is shown
        assert any(x.startswith("Normal free:") for x in lines)


# show_mem()'s lines after the free lists: show_swap_cache_info() (mm/swap_state.c) and the page
# counts of arch/x86/mm/pgtable_32.c show_mem() (before 2.6.27) or lib/show_mem.c; digits as #,
# runs of spaces as one
_LIB = ["# pages RAM", "# pages HighMem", "# pages reserved"]
_LIB_MOVABLE = ["# pages RAM", "# pages HighMem/MovableOnly", "# pages reserved"]
_SWAP = ["Free swap = #kB", "Total swap = #kB"]
_STATS = ["# total pagecache pages", "# pages in swap cache", "Swap cache stats: add #, delete #, find #/#"]
TAIL = {
    "2.6.24": ["Swap cache: add #, delete #, find #/#, race #+#"] + _SWAP
              + ["Free swap: #kB", "# pages of RAM", "# pages of HIGHMEM", "# reserved pages"],
    "2.6.25": ["# total pagecache pages", "Swap cache: add #, delete #, find #/#"] + _SWAP
              + ["Free swap: #kB", "# pages of RAM", "# pages of HIGHMEM", "# reserved pages"],
    "2.6.26": ["# total pagecache pages", "Swap cache: add #, delete #, find #/#"] + _SWAP
              + ["# pages of RAM", "# pages of HIGHMEM", "# reserved pages"],
    "2.6.27": _STATS + _SWAP + _LIB,
    "2.6.28": _STATS + _SWAP + _LIB,
    "3.12": _STATS + _SWAP + _LIB,
    "3.13": _STATS + _SWAP + _LIB_MOVABLE,
    "5.19": _STATS + _SWAP + _LIB_MOVABLE,
    "6.0": _STATS[:2] + _SWAP + _LIB_MOVABLE,
    "6.1": _STATS[:2] + _SWAP + _LIB_MOVABLE,
}


@pytest.mark.parametrize("release", sorted(TAIL))
def test_show_mem_tail_of_the_release(release):
    """v2.6.24 race counts; v2.6.25 pagecache count, no race (e6f3602d2c58, bb63be0a091c); v2.6.26 no
    "Free swap:" (1415d160c7f7); v2.6.27 lib/show_mem.c and swap cache stats (454c63b02e53,
    2c97b7fc0d8c); 3.13.0 lib/show_mem.c l.43 "HighMem/MovableOnly"; 6.0.1 no "Swap cache stats"."""
    from engine.show_mem import show_mem_tail
    m = engine.Machine.boot(ram="1G", kernel=KERNEL.get(release, release))
    got = [re.sub(r" +", " ", re.sub(r"\d+", "#", x)) for x in show_mem_tail(m)]
    assert got == TAIL[release]
