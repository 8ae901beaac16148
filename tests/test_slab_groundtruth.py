"""SLUB geometry against the real 6.1 kernels' /proc/slabinfo and /sys/kernel/slab (CPUs=1)."""
from __future__ import annotations

import pytest

import engine
from groundtruth_data import CONFIGS, load


def _rows(text: str) -> dict[str, tuple[int, int, int]]:
    out = {}
    for line in text.splitlines()[2:]:
        p = line.split()
        out[p[0]] = (int(p[3]), int(p[4]), int(p[5]))      # objsize, objperslab, pagesperslab
    return out


@pytest.fixture(scope="module", params=CONFIGS)
def pair(request):
    gt = load(request.param)
    return gt, engine.Machine.boot(ram=gt.ram, pae=gt.pae, nx=gt.pae, vmalloc=gt.vmalloc)


def test_kmalloc_caches_match_real_slabinfo(pair):
    gt, m = pair
    assert "CPUs=1" in gt.file("dmesg.txt")
    real = _rows(gt.file("slabinfo.txt"))
    ours = _rows(m.proc("/proc/slabinfo"))
    kmalloc = [n for n in real if "kmalloc-" in n]
    assert len(kmalloc) == 52
    for name in kmalloc:
        assert ours[name] == real[name], name


def test_every_cache_matches_real_slabinfo_in_order(pair):
    gt, m = pair
    real = _rows(gt.file("slabinfo.txt"))
    ours = _rows(m.proc("/proc/slabinfo"))
    assert list(ours) == list(real)
    assert ours == real


def test_header_and_line_format(pair):
    gt, m = pair
    real = gt.file("slabinfo.txt").splitlines()
    ours = m.proc("/proc/slabinfo").splitlines()
    assert ours[:2] == real[:2]
    # an empty cache prints exactly like the real kernel's empty caches
    line = next(l for l in real if l.startswith("dma-kmalloc-8k "))
    assert line in ours


def test_sysfs_geometry(pair):
    gt, m = pair
    caches = {c.name: c for c in m.slab_caches}
    n = 0
    for line in gt.file("slab_sysfs.txt").splitlines()[1:]:
        name, alias, objsize, slabsz, per, order, align = line.split()[:7]
        c = caches.get(name)
        if c is None or alias != "-":
            continue
        n += 1
        assert (c.object_size, c.size, c.objects_per_slab, c.order, c.align) == \
            (int(objsize), int(slabsz), int(per), int(order), int(align)), name
    assert n > 50


def test_min_objects_depends_on_cpu_count():
    """min_objects = 4 * (fls(cpus) + 1): kmalloc-512 is 8 objects on 1 CPU, 16 on 2-7."""
    for cpus, want in ((1, (8, 0)), (2, (16, 1)), (4, (16, 1)), (8, (32, 2))):
        m = engine.Machine.boot(ram="256M", cpus=cpus)
        c = m.slab_cache("kmalloc-512")
        assert (c.objects_per_slab, c.order) == want, cpus
