"""All-or-nothing operations and the end of a task.

``teardown`` is exit_mmap() + the release of the task (kernel/exit.c, kernel/fork.c's
mmput): used by exit and by the OOM killer.  ``exec_new`` (spawn) and ``copy_process``
(fork) build tasks; the Machine methods wrap them in ``atomic``.

``atomic`` makes an operation that allocates as it goes (fork, spawn, mmap with
MAP_POPULATE, vmalloc) leave the machine exactly as it was when it fails.  The kernel
unwinds such failures through its normal free paths, which leaves traces (an empty
slab kept on a partial list, pages in a different free-list order); mmviz promises
that a failed operation changes nothing, so when the free memory might not be enough
for the operation (``headroom`` below a generous bound of what it can allocate) the
operation first runs on a copy of the machine: if it fails there, its error is raised
and the machine is untouched; if it succeeds (or ends in an OOM kill, which is a
correct outcome rather than a failure) it runs again on the machine, with the same
result, because the machine is deterministic.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from contextlib import contextmanager

from . import tasks
from .errors import ConfigError, MmvizError, shown
from .page_types import TASK_SIZE

if TYPE_CHECKING:
    from .machine import Machine

SLAB_SLACK_PAGES = 64
"""Pages an operation may need for slab objects (new slabs of the task, mm and VMA
caches, at most order 3 each) on top of its page tables and user pages."""


def headroom(m: Machine) -> int:
    """Pages the lowmem zones can give before any of them reaches its high watermark
    (with the largest lowmem_reserve held back): allocations within it cannot fail."""
    total = 0
    for z in m.zones:
        if z.is_highmem:
            continue
        total += max(0, z.free_pages - z.watermark_high - max(z.lowmem_reserve))
    return total


def atomic(m: Machine, need_pages: int, run):
    """run(machine) with all-or-nothing semantics (see the module docstring).

    need_pages: an upper bound of the pages the operation allocates; run: a function of
    the machine (it must find its process by pid on the machine it is given)."""
    if m.dry_run or headroom(m) > need_pages + SLAB_SLACK_PAGES:
        return run(m)
    from .checkpoint import discard, trial_copy
    from .errors import OomKilled
    from .kmsg import failure_lines, report_failure
    trial = trial_copy(m)
    trial.dry_run = True
    printed: list = []             # what the failing trial printed, as the machine's state had it

    def on_failure(err, report=trial.trace.on_failure):
        printed[:] = [err, failure_lines(trial, err)]
        report(err)
    trial.trace.on_failure = on_failure
    point = m.memmap.undo_point()          # the trial writes the shared mem_map: undone below
    try:
        run(trial)
    except OomKilled:
        pass                       # the kill happens for real below
    except MmvizError as err:
        if printed and printed[0] is err:  # the failure is the machine's: so is its report
            report_failure(m, err, printed[1])
        raise
    finally:
        printed.clear()                    # (it holds the error: no frame cycle left behind)
        trial.trace.on_failure = None
        m.memmap.undo(point)
        discard(trial.__dict__)
        del trial
    return run(m)


def teardown(m: Machine, p, events, check: bool = True) -> tuple[int, int]:
    """exit_mmap() + mmput + free the task: unmap every VMA, drop what they pin, free the
    page tables and the pgd, the mm_struct and task_struct objects; the task leaves
    m.processes.  Returns (pages freed, page-table frames freed).  ``check``: first raise, with
    nothing changed, the BUG() a zap of a PTE mapping a page without a mapcount meets on
    2.6.20-2.6.28 (engine.memory.check_mapcounts; the OOM killer checks its victim first,
    engine.oom_kill.victim_exit_bug)."""
    from .memory import check_mapcounts, zap_range
    from .mmap_ops import release_vma
    if check:
        check_mapcounts(m, p, 0, TASK_SIZE)
    if m.current == p.pid:
        tasks.switch_to(m, None, events)
    freed_before = sum(z.free_pages for z in m.all_zones)
    for v in list(p.mm.vmas):
        zap_range(m, p, v.start, v.end, events, free_tables=False, vma=v, exiting=True)
        release_vma(m, v, events)
    _check_rss(m, p, events)
    p.mm.vmas.clear()
    tasks.sync_vmas(m, p, events)
    tables = p.mm.pgd.release()
    if p.mm.addr is not None:
        tasks.slab_object(m, "mm_struct", p.mm.addr)
        p.mm.addr = None
    if p.task_addr is not None:
        tasks.slab_object(m, "task_struct", p.task_addr)
        p.task_addr = None
    m.processes.pop(p.pid, None)
    freed = sum(z.free_pages for z in m.all_zones) - freed_before
    return freed - len(tables), len(tables)


def _check_rss(m: Machine, p, events) -> None:
    """check_mm() (3.4+, rule check_mm): counters that did not come back to zero (a scribbled PTE
    was skipped, a bad swap entry zapped: MM_SWAPENTS drifts, rule swapents_bad_entry)."""
    from .kmsg import bad_rss_message, printk
    mm = p.mm
    bad = [(i, k, v) for i, (k, v) in enumerate(mm.rss_stat(m.config.flavour.mm_shmempages)) if v]
    if bad and m.config.flavour.check_mm != "none":
        printk(m, "alert", [bad_rss_message(m, p, k, v, i) for i, k, v in bad], events)
    mm.rss_file = mm.rss_anon = mm.rss_shmem = mm.swap_ents = mm.swap_ents_drift = 0


@contextmanager
def running_as(m: Machine, comm: str):
    """The kernel's messages name ``comm`` as the calling task (current->comm) meanwhile."""
    saved, m.comm = m.comm, comm
    try:
        yield
    finally:
        m.comm = saved


def spawn(m: Machine, name: str, legacy: bool | None) -> int:
    """Machine.spawn(): exec_new() as one all-or-nothing operation; the new pid.
    Raises ConfigError for an empty name, OutOfMemory (machine unchanged)."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"spawn: name must be a non-empty string, got {shown(name)}")

    def run(m: Machine) -> int:
        with running_as(m, name[:15]), m.trace.with_list() as ev:
            return exec_new(m, name, legacy, ev).pid
    return atomic(m, 48, run)


def fork(m: Machine, pid) -> int:
    """Machine.fork(): copy_process() as one all-or-nothing operation; the child's pid.
    Raises ConfigError (no such process), OutOfMemory (machine unchanged)."""
    parent = m.process(pid)
    need = len(parent.mm.pgd.owned) + 8 + 2 * len(parent.mm.vmas)

    def run(m: Machine) -> int:
        p = m.process(parent.pid)           # the trial copy's task on a dry run
        with running_as(m, p.comm), m.trace.with_list() as ev:
            return copy_process(m, p, ev)
    return atomic(m, need, run)


def exec_new(m: Machine, name: str, legacy: bool | None, events):
    """The spawn proper: a new task, mm and page directory, then exec of the image."""
    from .binfmt import exec_image, image_for
    from .process import Process
    from .task_events import Spawn
    if legacy is None:
        legacy = not m.config.flavour.mmap_topdown_default   # 2.6: bottom-up from 0x40000000
    pid = m.next_pid
    m.next_pid += 1
    mm = tasks.new_mm(m, legacy)
    p = Process(m, pid, name[:15], mm)
    p.task_addr = tasks.slab_object(m, "task_struct")
    m.processes[pid] = p
    events.append(Spawn(pid, name, p.cr3))
    tasks.switch_to(m, pid, events)
    exec_image(m, p, image_for(name), events)
    tasks.sync_vmas(m, p, events)
    mm.update_hiwater()
    return p


def copy_process(m: Machine, parent, events) -> int:
    """The fork proper: the child's mm, its VMAs, COW-shared pages (copy_page_range)."""
    from .anon_vma import anon_vma_fork
    from .memory import copy_range
    from .process import Process
    from .task_events import Fork
    legacy = parent.mm.legacy
    mm = tasks.new_mm(m, legacy)
    mm.mmap_base = parent.mm.mmap_base
    for k in ("start_code", "end_code", "start_data", "end_data", "start_brk", "brk",
              "start_stack"):
        setattr(mm, k, getattr(parent.mm, k))
    cpid = m.next_pid
    m.next_pid += 1
    child = Process(m, cpid, parent.comm, mm, ppid=parent.pid)
    child.ip, child.sp, child.symbols = parent.ip, parent.sp, dict(parent.symbols)
    child.task_addr = tasks.slab_object(m, "task_struct")
    m.processes[cpid] = child
    for v in parent.mm.vmas:
        nv = v.copy()
        anon_vma_fork(m, nv, v)
        if nv.shm is not None:
            nv.shm.users += 1
        mm.vmas.append(nv)
        if v.shm is None and v.ops is None and v.special is None:
            copy_range(m, parent, child, v, events)
    mm.hiwater_rss = mm.rss
    mm.update_hiwater()
    tasks.sync_vmas(m, child, events)
    events.append(Fork(parent.pid, cpid, mm.rss_anon))
    return cpid
