"""anon_vma objects (engine.anon_vma): allocated by the first anonymous fault of a VMA,
linked, cloned on fork per release, freed with the last VMA; the slab caches count them."""
import pytest

import engine


def live(m, name):
    """Objects of the cache handed out (not free in a slab or a CPU cache)."""
    c = m.slab_cache(name)
    return sum(s.objects - len(s.freelist()) for s in c.slabs) - len(c.cpu_freelist())


def slabinfo_active(m, name):
    for line in m.proc("/proc/slabinfo").splitlines():
        f = line.split()
        if f and f[0] == name:
            return int(f[1])
    return None


def counts(m):
    chain = "anon_vma_chain" in m.kmem.caches
    return live(m, "anon_vma"), (live(m, "anon_vma_chain") if chain else None)


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_first_anonymous_fault_allocates_one_anon_vma(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    before = counts(m)
    assert slabinfo_active(m, "anon_vma") > 0           # padzero's write and the argument page
    a = p.mmap(3 * 4096)
    assert counts(m) == before
    m.write_virt(a, b"x", pid=p.pid)
    v = p.mm.vma_at(a)
    assert v.anon_vma is not None and v.anon_vma.addr is not None
    assert m.slab_of(v.anon_vma.addr).cache.name == "anon_vma"
    one = (before[0] + 1, None if kernel == "2.6" else before[1] + 1)
    assert counts(m) == one
    m.write_virt(a + 4096, b"x", pid=p.pid)              # the same VMA: nothing new
    assert counts(m) == one
    p.munmap(a, 3 * 4096)                                # the last VMA goes: freed
    assert counts(m) == before
    m.check()


def test_read_fault_mapping_the_zero_page_allocates_none():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn("example")
    before = counts(m)
    a = p.mmap(4096)
    m.read_virt(a, 4, pid=p.pid)
    assert counts(m) == before and p.mm.vma_at(a).anon_vma is None


def test_2_6_24_read_fault_allocates_one():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    p = m.spawn("example")
    before = counts(m)
    a = p.mmap(4096)
    m.read_virt(a, 4, pid=p.pid)
    assert counts(m) == (before[0] + 1, None)


@pytest.mark.parametrize("kernel", ["2.6", "2.6.33", "2.6.34", "6.1"])
def test_fork_shares_or_clones_per_release(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    a = p.mmap(4096)
    m.write_virt(a, b"x", pid=p.pid)
    anon = [v for v in p.vmas if v.anon_vma is not None]
    before = counts(m)
    c = m.fork(p.pid)
    after = counts(m)
    child = m.process(c)
    assert (after[1] is not None) == m.config.flavour.anon_vma_chain   # the cache from 2.6.34
    if m.config.flavour.anon_vma_chain:            # anon_vma_fork: an anon_vma + 2 chains each
        assert after[0] == before[0] + len(anon)
        assert after[1] == before[1] + 2 * len(anon)
        cv = child.mm.vma_at(a)
        assert cv.anon_vma is not p.mm.vma_at(a).anon_vma
        assert cv.anon_vma.root is p.mm.vma_at(a).anon_vma
    else:                                          # anon_vma_link: the parent's
        assert after == before
        assert child.mm.vma_at(a).anon_vma is p.mm.vma_at(a).anon_vma
    m.write_virt(a, b"y", pid=c)                   # the COW copy needs nothing new
    assert counts(m) == after
    m.exit(p.pid)                                  # the root stays while the child lives
    m.exit(c)
    assert counts(m) == (0, None if after[1] is None else 0)
    m.check()


def test_fork_reuses_an_orphaned_anon_vma_from_3_19():
    for kernel, reuse in (("3.18", False), ("3.19", True)):
        m = engine.Machine.boot(ram="160M", kernel=kernel)
        p = m.spawn("example")
        a = p.mmap(4096)
        m.write_virt(a, b"x", pid=p.pid)
        c1 = m.fork(p.pid)
        c2 = m.fork(c1)
        m.exit(c1)                                 # c1's anon_vma: no VMA, one child (c2's)
        before = counts(m)
        m.fork(c2)
        grew = counts(m)[0] - before[0]
        n = sum(1 for v in m.process(c2).vmas if v.anon_vma is not None)
        assert n and grew == (0 if reuse else n), kernel   # each VMA reuses c1's
        m.check()


def test_split_shares_and_neighbour_is_reused():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn("example")
    a = p.mmap(2 * 4096)
    m.write_virt(a, b"x", pid=p.pid)
    before = counts(m)
    p.mprotect(a, 4096, "r--")                     # split: one anon_vma, one more chain
    assert counts(m) == (before[0], before[1] + 1)
    assert p.mm.vma_at(a).anon_vma is p.mm.vma_at(a + 4096).anon_vma
    p.munmap(a + 4096, 4096)
    b = p.mmap(4096, addr=a + 4096, flags="private|anonymous|fixed")
    m.write_virt(b, b"x", pid=p.pid)               # find_mergeable_anon_vma(): the r-- one
    assert counts(m) == (before[0], before[1] + 1)
    assert p.mm.vma_at(b).anon_vma is p.mm.vma_at(a).anon_vma
    m.check()


def test_checkpoint_restore_keeps_the_objects():
    from engine.checkpoint import restore, save
    m = engine.Machine.boot(ram="160M")
    p = m.spawn("example")
    a = p.mmap(4096)
    ck = save(m)
    m.write_virt(a, b"x", pid=p.pid)
    restore(m, ck)
    assert m.process(p.pid).mm.vma_at(a).anon_vma is None
    m.write_virt(a, b"x", pid=p.pid)
    m.exit(p.pid)
    assert counts(m) == (0, 0)
    m.check()
