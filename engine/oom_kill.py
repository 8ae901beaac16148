"""The OOM killer (mm/oom_kill.c, the Mem-Info block of mm/page_alloc.c show_free_areas).

When a user page fault cannot get a page even after reclaim (the allocation of the
user page or of a page table failed), out_of_memory() runs: it prints the report
(dump_header: "<comm> invoked oom-killer", the Mem-Info block with every zone's
free/min/low/high/present, lowmem_reserve and per-order free counts, swap totals,
6.1's task table), picks the task with the highest badness and kills it; the
victim's memory is freed at once (6.1's oom_reaper line follows) and the fault is
retried.  If the victim is the faulting task itself, the access ends with
``OomKilled`` (the task died of SIGKILL).

Badness per flavour:
* 6.1 oom_badness(): rss + swap entries + page-table pages (oom_score_adj is 0
  everywhere); on a tie the task found last wins (``points < chosen_points`` skips).
* 2.6.24 badness(): total_vm, plus half of (total_vm + 1) of every child with its
  own mm; divided by 4 for CAP_SYS_ADMIN and by 4 for CAP_SYS_RAWIO (mmviz's tasks run
  as root); the first task wins a tie; oom_kill_process() then kills the victim's
  first child with its own mm instead ("... or a child").
Simplified: mmviz has no init task (every process may be chosen); CPU-time and nice
adjustments of 2.6.24 are 0 for simulated tasks; the per-CPU pageset lines of
2.6.24's Mem-info and 6.1's migrate-type letters are left out (per-CPU lists and
migrate types are not modelled).  Allocations that the lesson makes itself (alloc_pages,
kmalloc, vmalloc: a module's context) fail with the allocation-failure warning and
do not call the OOM killer, so that the failure can be shown.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import OomKilled
from .kmsg import printk

if TYPE_CHECKING:
    from .machine import Machine

K = 4          # kB per page


def badness(m: Machine, p) -> int:
    mm = p.mm
    if m.config.flavour.oom_badness_rss:
        return mm.rss + mm.swap_ents + len(mm.pgd.owned)
    points = mm.total_vm
    for c in children(m, p):
        points += c.mm.total_vm // 2 + 1
    return points // 4 // 4


def children(m: Machine, p) -> list:
    return [c for c in m.processes.values() if c.ppid == p.pid and c is not p]


def select_bad_process(m: Machine):
    """(victim, points) or (None, 0) when there is no process."""
    chosen, best = None, -1
    later = m.config.flavour.oom_tie_picks_later
    for p in m.processes.values():
        pts = badness(m, p)
        if (later and pts >= best) or (not later and (pts > best or chosen is None)):
            chosen, best = p, pts
    return chosen, max(best, 0)


def mem_info(m: Machine) -> list[str]:
    """show_mem(): the Mem-Info block of the release (engine.show_mem)."""
    from .show_mem import show_free_areas, show_mem_tail
    return show_free_areas(m) + show_mem_tail(m)


def invoked_line(m: Machine, comm: str, gfp_mask: int, order: int) -> str:
    """dump_header()'s first line in the release's format (rule oom_header; oom_score_adj and the
    older oomkilladj/oom_adj are 0 for every simulated task; no cpuset nodemask: all nodes)."""
    v = m.config.flavour.oom_header
    if v in ("2.6.24", "2.6.32", "2.6.36", "3.8"):
        adj = {"2.6.24": "oomkilladj=0", "2.6.32": "oom_adj=0",
               "2.6.36": "oom_adj=0, oom_score_adj=0", "3.8": "oom_score_adj=0"}[v]
        return f"{comm} invoked oom-killer: gfp_mask={gfp_mask:#x}, order={order}, {adj}"
    mask = f"gfp_mask={gfp_mask:#x}({m.gfp.format(gfp_mask)})"
    nodemask = {"4.9": ", nodemask=0", "4.14": ", nodemask=(null)"}.get(v, "")
    return f"{comm} invoked oom-killer: {mask}{nodemask}, order={order}, oom_score_adj=0"


def dump_tasks(m: Machine) -> list[str]:
    """6.1 dump_tasks() (oom_dump_tasks is on by default; 2.6.24 had it off)."""
    out = ["Tasks state (memory values in pages):",
           "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"]
    for p in m.processes.values():
        mm = p.mm
        out.append(f"[{p.pid:7d}] {0:5d} {p.pid:5d} {mm.total_vm:8d} {mm.rss:8d} "
                   f"{len(mm.pgd.owned) * 4096:8d} {mm.swap_ents:8d}         {0:5d} {p.comm}")
    return out


def out_of_memory(m: Machine, current, gfp_mask: int, order: int, events) -> bool:
    """out_of_memory(): report, choose, kill.  False when there is nothing to kill.
    Raises OomKilled when the victim is ``current`` (the faulting task)."""
    from .lifecycle import teardown
    victim, points = select_bad_process(m)
    if victim is None:
        return False
    fl = m.config.flavour
    new_fmt = fl.oom_report_format == "6.1"
    comm = current.comm if current is not None else m.comm
    pid = current.pid if current else 0
    stack = (f"CPU: 0 PID: {pid} Comm: {comm}" if fl.log_dump_stack == "cpu_pid_comm"
             else f"Pid: {pid}, comm: {comm}")       # dump_stack()'s first line (rule log_dump_stack)
    head = [invoked_line(m, comm, gfp_mask, order), f"{stack} Not tainted {fl.release} #1"]
    lines = head + mem_info(m)
    mm = victim.mm
    if new_fmt:
        lines += dump_tasks(m)
        lines.append(f"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
                     f"mems_allowed=0,global_oom,task_memcg=/,task={victim.comm},"
                     f"pid={victim.pid},uid=0")
        lines.append(f"Out of memory: Killed process {victim.pid} ({victim.comm}) "
                     f"total-vm:{mm.total_vm * K}kB, anon-rss:{mm.rss_anon * K}kB, "
                     f"file-rss:{mm.rss_file * K}kB, shmem-rss:{mm.rss_shmem * K}kB, "
                     f"UID:0 pgtables:{len(mm.pgd.owned) * K}kB oom_score_adj:0")
        killed = victim
    else:
        lines.append(f"Out of memory: kill process {victim.pid} ({victim.comm}) score "
                     f"{points} or a child")
        kids = [c for c in children(m, victim) if c.mm is not victim.mm]
        killed = kids[0] if kids else victim
        lines.append(f"Killed process {killed.pid} ({killed.comm})")
    teardown(m, killed, events)
    if m.config.flavour.oom_reaper:
        lines.append(f"oom_reaper: reaped process {killed.pid} ({killed.comm}), now "
                     f"anon-rss:0kB, file-rss:0kB, shmem-rss:0kB")
    printk(m, "err", lines, events)
    kill_line = next(x for x in lines if x.startswith(("Out of memory: Killed",
                                                       "Killed process")))
    if events is not None:
        from .task_events import OomKill
        events.append(OomKill(killed.pid, killed.comm, points, kill_line))
    if current is not None and killed is current:
        raise _killed(kill_line, killed.pid)
    return True


def _killed(line: str, pid: int) -> OomKilled:
    err = OomKilled(line)
    err.pid = pid
    return err
