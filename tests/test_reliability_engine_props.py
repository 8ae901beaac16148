"""Property: random operation sequences, failing ones included (OOM, bad frees, bad pids,
bad arguments, scribbled PTEs), never raise anything but engine errors; after every
operation m.check() passes, and an operation that failed changed nothing a user can
see (the /proc files, every task's maps and status, the running task, the kernel log).
An OOM kill is not a failure: it is the kernel's outcome, checked by check() alone."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from tests.test_reliability_engine import snapshot

N = st.integers(0, 1 << 16)
OPS = st.lists(st.tuples(st.sampled_from([
    "spawn", "fork", "exit", "mmap", "mmap_populate", "mmap_huge_populate", "munmap",
    "mprotect", "touch", "write_virt", "alloc_pages", "free_pages", "bad_free_pages",
    "kmalloc", "kfree", "vmalloc", "vfree", "kfree_vmalloc_array", "switch_to",
    "driver", "scribble", "exhaust_then_fork", "reclaim", "stale", "read_huge",
]), N, N), min_size=5, max_size=28)

PROTS = ["rw-", "r--", "---", "r-x", "rwx", "xyz", "rw"]


class World:
    def __init__(self, m):
        self.m = m
        self.regions: dict[int, list[tuple[int, int]]] = {}
        self.pages: list[tuple[int, int]] = []
        self.objs: list[int] = []
        self.areas: list[int] = []
        self.dead = None

    def pid(self, r):
        pids = sorted(self.m.processes)
        return pids[r % len(pids)] if pids else None

    def region(self, pid, r):
        rs = [x for x in self.regions.get(pid, []) if x[1] > 0]
        return rs[r % len(rs)] if rs else None


def step(w: World, op: str, a: int, b: int):
    m = w.m
    pid = w.pid(a)
    if op == "spawn":
        w.regions[m.spawn(["example", "cat", "hog"][a % 3]).pid] = []
    elif op == "fork" and pid is not None:
        c = m.fork(pid)
        w.regions[c] = list(w.regions.get(pid, []))
    elif op == "exit" and pid is not None:
        m.exit(pid)
    elif op.startswith("mmap") and pid is not None:
        n = 1 + b % (4096 if op == "mmap_huge_populate" else 512)
        if op == "mmap_huge_populate":
            n += 8192
        flags = "private|anonymous" if a & 1 else "shared|anonymous"
        if op != "mmap":
            flags += "|populate"
        addr = m.process(pid).mmap(n * 4096, prot="rw-", flags=flags)
        w.regions.setdefault(pid, []).append((addr, n))
    elif op in ("munmap", "mprotect", "touch", "write_virt") and pid is not None:
        reg = w.region(pid, b)
        if reg is None:
            return
        addr, n = reg
        k = (b >> 4) % n
        if op == "munmap":
            m.process(pid).munmap(addr + k * 4096, (1 + (b >> 8) % (n - k)) * 4096)
        elif op == "mprotect":
            m.process(pid).mprotect(addr + k * 4096, (1 + (b >> 8) % (n - k)) * 4096,
                                    PROTS[(a >> 3) % len(PROTS)])
        elif op == "touch":
            m.access(addr + k * 4096, "write" if b & 1 else "read", pid)
        else:
            m.write_virt(addr + k * 4096 + 8, b.to_bytes(4, "little"), pid)
    elif op == "alloc_pages":
        order = b % 5
        w.pages.append((m.alloc_pages(["GFP_KERNEL", "GFP_HIGHUSER", "GFP_DMA"][a % 3], order),
                        order))
    elif op == "free_pages" and w.pages:
        pfn, order = w.pages.pop(b % len(w.pages))
        m.free_pages(pfn, order)
    elif op == "bad_free_pages":
        if w.pages and b & 1:
            pfn, order = w.pages[b % len(w.pages)]
            m.free_pages(pfn, order + 1)           # wrong order
        else:
            m.free_pages(b % m.max_pfn)              # usually not an allocated head
    elif op == "kmalloc":
        w.objs.append(m.kmalloc(1 + b % 9000))
    elif op == "kfree":
        va = w.objs.pop(b % len(w.objs)) if w.objs and b & 1 else m.layout.page_offset + b * 8
        m.kfree(va)
    elif op == "vmalloc":
        w.areas.append(m.vmalloc(1 + (b * 97) % (6 << 20)))
    elif op == "vfree":
        va = w.areas.pop(b % len(w.areas)) if w.areas and b & 1 else m.layout.vmalloc_start + b
        m.vfree(va)
    elif op == "kfree_vmalloc_array" and w.areas:
        area = next((x for x in m.vmap_areas if x.start == w.areas[-1]), None)
        if area is not None and area.array and not area.array_vmalloc:
            m.kfree(area.array)
    elif op == "switch_to":
        m.switch_to([None, 999, pid][a % 3])
    elif op == "driver" and pid is not None:
        d = m.map_drivers.get("/dev/mapfile")
        if d is not None and d.kaddr not in [x.start for x in m.vmap_areas]:
            return                                  # its buffer is gone: mmap would SIGBUS
        d = m.load_map_driver(4096 * (1 + a % 3))
        addr = m.process(pid).mmap(d.size, flags="shared", file=d.device)
        m.access(addr, "write", pid)
        if b & 1 and d.kaddr in [x.start for x in m.vmap_areas]:
            m.vfree(d.kaddr)                        # mapped: freed when the mapping goes
        w.regions.setdefault(pid, []).append((addr, 0))
    elif op == "scribble" and pid is not None:
        reg = w.region(pid, b)
        if reg is None:
            return
        addr = reg[0]
        m.access(addr, "write", pid)
        if m.process(pid).mm.vma_at(addr) is None:
            return
        walk = m.walk(addr, pid=pid)
        if walk.fault is not None:
            return
        pa = walk.steps[-1].entry_paddr
        size = 8 if m.config.pae else 4
        old = m.read_phys(pa, size)
        bad = [0xfffff067, 0x7ffffe00][a & 1]
        m.write_virt(m.layout.page_offset + pa, bad.to_bytes(size, "little"))
        try:
            m.check()
            raise AssertionError("a scribbled PTE went unnoticed")
        except engine.InvariantError as e:
            assert "Bad" in str(e)
        m.write_virt(m.layout.page_offset + pa, old)
    elif op == "exhaust_then_fork" and pid is not None:
        held = []
        try:
            while True:
                held.append(m.alloc_pages("GFP_KERNEL"))
        except engine.OutOfMemory:
            pass
        try:
            for _ in range(a % 3):
                if held:
                    m.free_pages(held.pop())
            before = snapshot(m)
            try:
                m.fork(pid)
            except engine.OomKilled:
                pass
            except engine.MmvizError:
                assert snapshot(m) == before, "failed fork changed the machine"
        finally:
            for p in held:
                m.free_pages(p)
    elif op == "reclaim":
        m.reclaim()
    elif op == "stale":
        if w.dead is not None:
            w.dead.mmap(4096)
        elif pid is not None:
            p = m.process(pid)
            m.exit(pid)
            w.dead = p
    elif op == "read_huge" and pid is not None:
        m.read_virt(0x10000000, 64 << 20, pid)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS, kernel=st.sampled_from(["6.1", "2.6"]), pae=st.booleans(),
       swap=st.sampled_from([0, "4M"]))
def test_random_operations_are_all_or_nothing(ops, kernel, pae, swap):
    m = engine.Machine.boot(ram="40M", kernel=kernel, pae=pae, swap=swap)
    w = World(m)
    for op, a, b in ops:
        before = snapshot(m)
        log = len(m.kmsg)
        try:
            step(w, op, a, b)
        except engine.OomKilled:
            pass
        except engine.MmvizError as e:
            after = snapshot(m)
            changed = [k for k in before if after.get(k) != before[k]]
            assert not changed, f"{op} failed ({type(e).__name__}: {e}) and changed {changed}"
            # only the kernel's report of the failure is logged (engine.kmsg.failure_lines)
            new = m.kmsg[log:]
            if isinstance(e, engine.ConfigError):
                assert not new, f"{op} failed on its input and logged"
            elif new:
                assert new[0] in (str(e).splitlines()[0], "------------[ cut here ]------------"), new
        m.check()
