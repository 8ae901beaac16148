"""The engine reproductions of the reliability review (fuzz/repro_findings.py), each
ending in a clear engine error or the kernel's outcome, with m.check() passing and
every page back after cleanup."""
from __future__ import annotations

import pytest

import engine
from engine.procfs import has_file
from engine import physmem as pm

PROC = ("/proc/buddyinfo", "/proc/zoneinfo", "/proc/meminfo", "/proc/slabinfo",
        "/proc/vmallocinfo")


def snapshot(m) -> dict:
    """What a user can see: the /proc files, every task's maps and status."""
    out = {p: m.proc(p) for p in PROC if has_file(m, p)}
    for pid in sorted(m.processes):
        out[f"{pid}/maps"] = m.proc_pid(pid, "maps")
        out[f"{pid}/status"] = m.proc_pid(pid, "status")
    out["pids"] = sorted(m.processes)
    out["current"] = m.current
    return out


def unchanged(m, before: dict) -> None:
    after = snapshot(m)
    for k in before:
        assert after[k] == before[k], f"{k} changed by a failed operation"
    assert after.keys() == before.keys()


def used_frames(m, kernel_tables=True) -> dict:
    """Frames held by anything but the buddy free lists and the slab caches (which keep
    empty slabs as the kernel does); without ``kernel_tables`` the page tables of the
    kernel (vmalloc's stay, as in the kernel) are not counted."""
    own = m.memmap.owner
    return {name: int((own == code).sum()) for code, name in
            ((pm.OWNER_USER, "user"), (pm.OWNER_VMALLOC, "vmalloc"),
             (pm.OWNER_PGTABLE, "pgtable"), (pm.OWNER_PAGES, "pages"))
            if kernel_tables or code != pm.OWNER_PGTABLE}


def free_or_slab(m) -> int:
    return sum(z.free_pages for z in m.all_zones) + int((m.memmap.owner == pm.OWNER_SLAB).sum())


def exhaust(m, gfp="GFP_KERNEL") -> list[int]:
    held = []
    while True:
        try:
            held.append(m.alloc_pages(gfp))
        except engine.OutOfMemory:
            return held


# -- A.3 vfree is atomic --------------------------------------------------------------
@pytest.mark.parametrize("kernel", ["6.1", "2.6"])
def test_vfree_after_its_page_array_was_freed_completes_and_logs(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    base, frames, frames0 = free_or_slab(m), used_frames(m, False), used_frames(m)
    v = m.vmalloc(4096)
    m.kfree(m.vmap_areas[0].array)
    m.vfree(v)                                   # the kernel goes on and complains
    assert m.vmap_areas == []
    assert any("already free" in line or "Bad" in line or "double" in line.lower()
               for line in m.kmsg), m.kmsg
    assert any(e.kind == "KernelMessage" for e in m.events)
    m.check()
    with pytest.raises(engine.BadFree, match="nonexistent vm area"):
        m.vfree(v)
    m.check()
    assert used_frames(m, False) == frames
    kernel_tables = used_frames(m)["pgtable"] - frames0["pgtable"]
    assert free_or_slab(m) + kernel_tables == base


def test_vfree_after_its_vmalloced_page_array_was_vfreed():
    m = engine.Machine.boot(ram="160M")
    base, frames, frames0 = free_or_slab(m), used_frames(m, False), used_frames(m)
    v = m.vmalloc(8 << 20)
    area = next(a for a in m.vmap_areas if a.start == v)
    assert area.array_vmalloc
    m.vfree(area.array)
    m.check()
    m.vfree(v)
    assert any("nonexistent vm area" in line for line in m.kmsg)
    assert m.vmap_areas == []
    m.check()
    assert used_frames(m, False) == frames
    kernel_tables = used_frames(m)["pgtable"] - frames0["pgtable"]
    assert free_or_slab(m) + kernel_tables == base


# -- A.2 vfree of the driver buffer while a process maps it ------------------------------
def test_vfree_of_a_mapped_driver_buffer_is_deferred_until_the_last_mapping_goes():
    m = engine.Machine.boot(ram="160M")
    base, frames = free_or_slab(m), used_frames(m)
    d = m.load_map_driver(8192)
    p = m.spawn()
    a = p.mmap(8192, flags="shared", file="/dev/mapfile")
    pfn = m.access(a, "read", p.pid).paddr >> 12
    m.vfree(d.kaddr)
    m.check()
    assert m.memmap.refcount[pfn] == 1 and m.memmap.owner[pfn] == pm.OWNER_VMALLOC
    k = m.alloc_pages("GFP_KERNEL")
    assert k != pfn                               # the mapped frame was not handed out
    m.write_virt(a, b"USER", pid=p.pid)
    assert m.read_phys(k << 12, 4) != b"USER"
    assert m.read_phys(pfn << 12, 4) == b"USER"
    with pytest.raises(engine.SegFault, match="SIGBUS"):
        m.access(a + 4096, "read", p.pid)          # never faulted in: nothing to give
    m.check()
    m.exit(p.pid)
    m.check()
    assert m.memmap.owner[pfn] == pm.OWNER_FREE
    m.free_pages(k)
    m.check()
    assert used_frames(m)["vmalloc"] == frames["vmalloc"]
    assert used_frames(m)["user"] == 0


def test_check_sees_a_frame_that_is_free_and_mapped():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    free_pfn = m.zone("Normal").free_list(0)[0] if m.zone("Normal").nr_free[0] else \
        next(pfn for o in range(11) for pfn in m.zone("Normal").free_list(o))
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    old = m.read_phys(pte_pa, 4)
    m.write_virt(m.layout.page_offset + pte_pa, ((free_pfn << 12) | 0x67).to_bytes(4, "little"))
    with pytest.raises(engine.InvariantError, match="Bad page map in process example"):
        m.check()
    m.write_virt(m.layout.page_offset + pte_pa, old)
    m.check()


# -- A.4 failed fork / spawn / populate leave nothing behind --------------------------------
def _forking_machine(kernel):
    m = engine.Machine.boot(ram="48M", kernel=kernel)
    p = m.spawn()
    p.mmap(4 << 20, flags="private|anonymous|populate")
    return m, p.pid


@pytest.mark.parametrize("kernel", ["6.1", "2.6"])
def test_failed_fork_changes_nothing(kernel):
    # Fork until the machine runs out of memory, then build the same machine again and
    # snapshot it just before the fork that fails (one snapshot, not one per fork: the
    # machine is deterministic, so the failing fork is the same one).
    m, pid = _forking_machine(kernel)
    forks = 0
    while forks < 5000:
        try:
            m.fork(pid)
        except engine.OutOfMemory:
            break
        forks += 1
    else:
        pytest.fail("fork never ran out of memory")
    m, pid = _forking_machine(kernel)
    for _ in range(forks):
        m.fork(pid)
    before = snapshot(m)
    with pytest.raises(engine.OutOfMemory) as e:
        m.fork(pid)
    assert "example" in str(e.value) and "insmod" not in str(e.value)
    unchanged(m, before)
    m.check()


@pytest.mark.parametrize("kernel", ["6.1", "2.6"])
def test_failed_spawn_changes_nothing(kernel):
    m = engine.Machine.boot(ram="48M", kernel=kernel)
    held = exhaust(m)
    before = snapshot(m)
    with pytest.raises(engine.OutOfMemory):
        m.spawn()
    unchanged(m, before)
    m.check()
    for pfn in held:
        m.free_pages(pfn)
    m.check()


def test_spawn_near_oom_kills_the_new_task_and_returns_its_memory():
    m = engine.Machine.boot(ram="48M")
    frames = used_frames(m)
    held = exhaust(m)
    for _ in range(3):
        m.free_pages(held.pop())
    with pytest.raises(engine.OutOfMemory):
        m.spawn()
    assert m.processes == {}
    m.check()
    for pfn in held:
        m.free_pages(pfn)
    m.check()
    assert used_frames(m) == frames


def test_populate_that_the_oom_killer_cannot_save_takes_the_task_and_its_vmas():
    m = engine.Machine.boot(ram="48M")
    frames = used_frames(m)
    p = m.spawn()
    with pytest.raises(engine.OomKilled, match=r"Killed process 1 \(example\)"):
        p.mmap(64 << 20, flags="private|anonymous|populate")
    assert p.pid not in m.processes
    m.check()
    assert used_frames(m) == frames


def test_populate_gets_its_memory_from_the_biggest_task():
    m = engine.Machine.boot(ram="48M")
    big = m.spawn("hog")
    big.mmap(22 << 20, flags="private|anonymous|populate")
    small = m.spawn("example")
    a = small.mmap(14 << 20, flags="private|anonymous|populate")
    assert big.pid not in m.processes and small.pid in m.processes
    assert any(line.startswith(f"Out of memory: Killed process {big.pid} (hog)")
               for line in m.kmsg)
    assert m.read_virt(a, 4, small.pid) == b"\0\0\0\0"
    m.check()


# -- B.24 the OOM killer's report -------------------------------------------------------------
@pytest.mark.parametrize("kernel", ["6.1", "2.6"])
def test_user_fault_at_oom_runs_the_oom_killer(kernel):
    m = engine.Machine.boot(ram="48M", kernel=kernel)
    frames = used_frames(m)
    p = m.spawn()
    a = p.mmap(64 << 20)
    with pytest.raises(engine.OomKilled) as ei:
        for i in range(0, 64 << 20, 4096):
            m.access(a + i, "write", p.pid)
    assert ei.value.pid == p.pid and p.pid not in m.processes
    log = "\n".join(m.kmsg)
    assert "example invoked oom-killer: gfp_mask=0x" in log and "insmod" not in log
    for z in m.zones:
        assert f"{z.name} free:" in log and f"present:{z.present * 4}kB" in log
        assert f"\n{z.name}: " in log
    assert "lowmem_reserve[]: " in log and "*4kB " in log and "Total swap = 0kB" in log
    if kernel == "6.1":
        assert "Mem-Info:" in log and "[  pid  ]   uid  tgid total_vm" in log
        assert f"Out of memory: Killed process {p.pid} (example) total-vm:" in log
        assert "oom_reaper: reaped process" in log
    else:
        assert "Mem-info:" in log and "oomkilladj=0" in log
        assert f"Out of memory: kill process {p.pid} (example) score" in log
        assert f"Killed process {p.pid} (example)" in log
    m.check()
    assert used_frames(m) == frames


def test_26_kills_a_child_of_the_worst_task_first():
    m = engine.Machine.boot(ram="64M", kernel="2.6")
    parent = m.spawn("parent")
    parent.mmap(400 << 20)                     # 2.6.24 scores total_vm, touched or not
    child = m.fork(parent.pid)
    hog = m.spawn("writer")
    a = hog.mmap(60 << 20)
    for i in range(0, 60 << 20, 4096):
        m.access(a + i, "write", hog.pid)
        if child not in m.processes:
            break
    assert child not in m.processes and parent.pid in m.processes
    kills = [line for line in m.kmsg if line.startswith(("Out of memory", "Killed process"))]
    assert kills[0].startswith(f"Out of memory: kill process {parent.pid} (parent) score ")
    assert kills[0].endswith(" or a child")
    assert kills[1] == f"Killed process {child} (parent)"
    m.check()


# -- C.18/25 clear errors --------------------------------------------------------------------
def test_switch_to_bad_or_missing_pid():
    m = engine.Machine.boot()
    p = m.spawn()
    before = snapshot(m)
    for bad in (99, "x", None and 0):
        if bad is None:
            continue
        with pytest.raises(engine.ConfigError, match="no such process|not a process id"):
            m.switch_to(bad)
        unchanged(m, before)
    m.switch_to()                          # no pid: back to the kernel's page tables
    assert m.current is None and m.cpu.cr3 == m.swapper_pg_dir
    m.switch_to(p.pid)
    assert m.current == p.pid


def test_stale_process_and_bad_prot_are_config_errors():
    m = engine.Machine.boot()
    p = m.spawn()
    m.exit(p.pid)
    before = snapshot(m)
    for call in (lambda: p.mmap(4096), lambda: p.brk(p.mm.brk + 4096),
                 lambda: p.mmap(1 << 20, flags="private|anonymous|populate"),
                 lambda: p.munmap(0x08048000, 4096), lambda: m.fork(p.pid),
                 lambda: m.exit(p.pid), lambda: m.read_virt(0x08048000, 4, p.pid)):
        with pytest.raises(engine.ConfigError, match="no such process"):
            call()
        unchanged(m, before)
    q = m.spawn()
    before = snapshot(m)
    for prot in ("xyz", 7, None):
        with pytest.raises(engine.ConfigError, match="prot"):
            q.mprotect(0x08048000, 4096, prot)
        unchanged(m, before)
    m.check()


# -- B.10/13 bounded work --------------------------------------------------------------------
@pytest.mark.parametrize("swap,pae", [("1T", False), ("1000T", False), ("1000T", True),
                                      ("33G", False)])
def test_swap_bigger_than_swap_entries_can_address_is_refused(swap, pae):
    with pytest.raises(engine.ConfigError, match="offset bits"):
        engine.Machine.boot(ram="64M", swap=swap, pae=pae)


def test_swap_at_the_limit_boots():
    m = engine.Machine.boot(ram="64M", swap="32G")
    assert m.swap_state.total == (32 << 30 >> 12) - 1
    m.check()


def test_huge_read_virt_is_refused_before_anything_happens():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn()
    v = p.mmap(2 << 30)
    before = snapshot(m)
    with pytest.raises(engine.ConfigError, match="read_virt"):
        m.read_virt(v, 2 << 30, p.pid)
    with pytest.raises(engine.ConfigError, match="write_virt"):
        m.write_virt(0xFFFFFFF0, b"x" * 32)
    unchanged(m, before)
    m.check()


# -- C.20 scribbles --------------------------------------------------------------------------
def _scribble_pte(m, p, a, value: int) -> bytes:
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    size = 8 if m.config.pae else 4
    old = m.read_phys(pte_pa, size)
    m.write_virt(m.layout.page_offset + pte_pa, value.to_bytes(size, "little"))
    return old


@pytest.mark.parametrize("pae", [False, True])
def test_pte_beyond_ram_is_a_bad_page_map(pae):
    m = engine.Machine.boot(ram="160M", pae=pae)
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    old = _scribble_pte(m, p, a, 0xfffff067)
    with pytest.raises(engine.InvariantError, match="Bad page map|Bad pte"):
        m.check()
    m.write_virt(m.layout.page_offset + m.walk(a, pid=p.pid).steps[-1].entry_paddr, old)
    m.check()
    frames = used_frames(m)
    _scribble_pte(m, p, a, 0xfffff067)
    child = m.fork(p.pid)                      # copy_one_pte(): reported, copied into the child
    assert any("Bad page map" in line for line in m.kmsg)
    p.munmap(a, 4096)                          # zap_pte_range(): reported, skipped
    m.exit(child)
    m.exit(p.pid)
    assert any("Bad rss-counter state" in line for line in m.kmsg)
    del frames


def test_bad_swap_entry_is_reported_not_indexed():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    _scribble_pte(m, p, a, 0x7ffffe00)         # not present: a swap entry, no swap area
    with pytest.raises(engine.InvariantError, match="Bad swap file entry"):
        m.check()
    m.exit(p.pid)                              # reported and skipped
    assert any("Bad swap file entry" in line for line in m.kmsg)


@pytest.mark.parametrize("pae,kernel", [(False, "6.1"), (True, "6.1"), (False, "2.6")])
def test_zeroed_kernel_page_directory_is_an_oops(pae, kernel):
    m = engine.Machine.boot(ram="1G", pae=pae, kernel=kernel)
    L = m.layout
    e = m.walk(L.page_offset + (16 << 20)).steps[-1 if pae else 0].entry_paddr
    if pae:
        e = next(s for s in m.walk(L.page_offset + (16 << 20)).steps if s.level == "PDE").entry_paddr
    m.write_virt(L.page_offset + e, bytes(16))
    with pytest.raises(engine.InvariantError, match="BUG: unable to handle"):
        m.check()


def test_driver_buffer_vfree_lesson_runs_to_a_consistent_end():
    """fuzz/lessons/e03_vfree_driver_uaf.toml through the lesson runner."""
    from tests.inline_lesson import SAY, run
    body = "".join(f"[[step]]\n{s}\n{SAY}\n" for s in (
        'do = "load_map_driver"\nas = "d"',
        'do = "spawn"\nas = "p"',
        'do = "mmap"\npid = "p"\nlength = 4096\nflags = "shared"\nfile = "/dev/mapfile"\nas = "a"',
        'do = "access"\npid = "p"\nvaddr = "a"',
        'do = "vfree"\nvaddr = "d.kaddr"',
        'do = "alloc_pages"\ngfp = "GFP_KERNEL"\nas = "k"',
        'do = "write_virt"\npid = "p"\nvaddr = "a"\ndata = "USER DATA"',
        'do = "read_virt"\nvaddr = "PAGE_OFFSET + k * 4096"\nlength = 9',
        'do = "check"',
        'do = "exit"\npid = "p"',
        'do = "check"'))
    results = run(body)
    assert len(results) == 11 and all(r.error is None for r in results)
    assert results[7].value != b"USER DATA"      # the kernel's new page is not the user's


def test_check_sees_a_freed_page_that_kmap_still_maps():
    m = engine.Machine.boot(ram="1G")
    pfn = m.alloc_pages("GFP_HIGHUSER")
    m.kmap(pfn)
    m.free_pages(pfn)
    with pytest.raises(engine.InvariantError, match=f"pfn:{pfn:05x} .*still mapped by kmap"):
        m.check()
    m.alloc_pages("GFP_HIGHUSER")              # LIFO: the same frame comes back
    assert m.memmap.owner[pfn] != pm.OWNER_FREE
    m.check()
