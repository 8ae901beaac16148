"""Property-based: random process traffic with m.check() after every step, and
nothing left behind once every process has exited."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import physmem as pm

OPS = st.lists(st.tuples(st.sampled_from(["mmap", "munmap", "mprotect", "brk", "fork", "exit",
                                          "write", "read", "reclaim"]),
                         st.integers(0, 1 << 30)), min_size=5, max_size=40)


def _step(m, procs, regions, op, r):
    pid = procs[r % len(procs)]
    p = m.process(pid)
    rs = regions[pid]
    try:
        if op == "mmap" or not rs:
            n = 1 + r % 9
            prot = ["rw-", "r--", "rwx", "---"][r % 4]
            flags = "shared|anonymous" if r % 7 == 0 else "private|anonymous"
            rs.append((p.mmap(n * 4096, prot=prot, flags=flags), n))
        elif op == "munmap":
            a, n = rs[r % len(rs)]
            k = r % n
            p.munmap(a + k * 4096, (1 + (r >> 4) % (n - k)) * 4096)
        elif op == "mprotect":
            a, n = rs[r % len(rs)]
            k = r % n
            p.mprotect(a + k * 4096, (1 + (r >> 4) % (n - k)) * 4096,
                       ["rw-", "r--", "---", "rwx"][(r >> 8) % 4])
        elif op == "brk":
            p.brk(p.mm.brk + (r % 50000) - 12000)
        elif op == "fork" and len(procs) < 4:
            c = m.fork(pid)
            procs.append(c)
            regions[c] = list(rs)
        elif op == "exit" and len(procs) > 1:
            m.exit(pid)
            procs.remove(pid)
            del regions[pid]
        elif op == "write":
            a, n = rs[r % len(rs)]
            m.write_virt(a + (r >> 3) % (n * 4096 - 4), r.to_bytes(4, "little"), pid)
        elif op == "read":
            a, n = rs[r % len(rs)]
            m.access(a + (r >> 3) % (n * 4096), "read", pid)
        elif op == "reclaim":
            m.reclaim()
    except (engine.SegFault, engine.OutOfMemory):
        pass


def _free_or_slab(m) -> int:
    return sum(z.free_pages for z in m.all_zones) + int((m.memmap.owner == pm.OWNER_SLAB).sum())


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS, pae=st.booleans(), kernel=st.sampled_from(["6.1", "2.6"]))
def test_random_traffic_keeps_invariants(ops, pae, kernel):
    m = engine.Machine.boot(ram="48M", pae=pae, kernel=kernel, swap="8M")
    warm = m.spawn("example")
    m.exit(warm.pid)
    free0 = _free_or_slab(m)
    p = m.spawn("example")
    procs, regions = [p.pid], {p.pid: []}
    for op, r in ops:
        _step(m, procs, regions, op, r)
        m.check()
    for pid in list(procs):
        m.exit(pid)
        m.check()
    assert not (m.memmap.owner == pm.OWNER_USER).any()
    assert m.swap_state.used == 0 and not m.swap_state.lru
    assert _free_or_slab(m) == free0          # slab caches may keep empty slabs


def test_data_survives_cow_and_swap_with_checks():
    m = engine.Machine.boot(ram="48M", swap="64M")
    p = m.spawn("example")
    a = p.mmap(64 << 20)
    n = (64 << 20) >> 12
    for i in range(n):
        if i % 97:
            m.access(a + i * 4096, "write", p.pid)
        else:
            m.write_virt(a + i * 4096, i.to_bytes(4, "little"), p.pid)
    assert m.swap_state.pswpout > 0
    c = m.fork(p.pid)
    for i in range(0, n, 97 * 3):
        m.write_virt(a + i * 4096, (i + 1).to_bytes(4, "little"), c)
    m.check()
    for i in range(0, n, 97):
        assert int.from_bytes(m.read_virt(a + i * 4096, 4, p.pid), "little") == i
        want = i + 1 if i % (97 * 3) == 0 else i
        assert int.from_bytes(m.read_virt(a + i * 4096, 4, c), "little") == want
    m.check()
