"""The OOM killer (mm/oom_kill.c, the Mem-Info block of mm/page_alloc.c show_free_areas).

When a user page fault cannot get a page even after reclaim (the allocation of the
user page or of a page table failed), out_of_memory() runs: it prints the report
(dump_header: "<comm> invoked oom-killer", the Mem-Info block with every zone's
free/min/low/high/present, lowmem_reserve and per-order free counts, swap totals,
6.1's task table), picks the task with the highest badness and kills it; the
victim's memory is freed at once (6.1's oom_reaper line follows) and the fault is
retried.  If the victim is the faulting task itself, the access ends with
``OomKilled`` (the task died of SIGKILL).

Per release (rules oom_header, oom_dump_tasks, oom_kill_process in engine.kversion_log):
* 2.6.24-2.6.35 badness(): total_vm, plus half of (total_vm + 1) of every child with its
  own mm; divided by 4 for CAP_SYS_ADMIN and by 4 for CAP_SYS_RAWIO (mmviz's tasks run
  as root); the first task wins a tie; oom_kill_process() then kills the victim's
  first child with its own mm instead ("... or a child").
* 2.6.36-5.1 oom_badness(): rss + page tables + swap entries (0..1000 of totalpages until
  3.4; the 3% root bonus until 4.16); the child with its own mm and the highest badness
  is sacrificed ("... or sacrifice child").
* 5.2+: the same badness without the bonus; the victim itself is killed (5.4+: the kill
  line adds UID, pgtables and oom_score_adj); on a tie the task found last wins
  (``points < chosen_points`` skips).
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
from .kmsg import dump_stack_lines, printk

if TYPE_CHECKING:
    from .machine import Machine

K = 4          # kB per page


def badness(m: Machine, p) -> int:
    """oom_badness() of the release (rule oom_kill_process) for a task of mmviz's (root,
    oom_score_adj 0): pages before 2.6.36 and from 3.5, 0..1000 in 2.6.36-3.4."""
    mm = p.mm
    fl = m.config.flavour
    if not fl.oom_badness_rss:
        points = mm.total_vm
        for c in children(m, p):
            points += c.mm.total_vm // 2 + 1
        return points // 4 // 4
    raw = mm.rss + mm.swapents_counter + len(mm.pgd.owned)
    since = fl.oom_kill_process
    if since == "2.6.36":          # 2.6.39.3: points * 1000 / totalpages, - 30 for CAP_SYS_ADMIN
        return max(1, min(1000, raw * 1000 // totalpages(m) - 30))
    if since in ("3.5", "4.5"):    # adj = -30 (CAP_SYS_ADMIN) * (totalpages / 1000), at least 1
        return max(1, raw - 30 * (totalpages(m) // 1000))
    return raw


def totalpages(m: Machine) -> int:
    """constrained_alloc(): totalram_pages + total_swap_pages."""
    return max(1, sum(z.managed for z in m.all_zones) + m.swap_state.total)


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


def mem_info(m: Machine, gfp_mask: int | None = None) -> list[str]:
    """show_mem(): the Mem-Info block of the release (engine.show_mem); gfp_mask: the failed
    allocation's (6.0+ shows the zones up to its gfp_zone())."""
    from .show_mem import show_free_areas, show_mem_tail
    return show_free_areas(m, gfp_mask) + show_mem_tail(m)


def invoked_line(m: Machine, comm: str, gfp_mask: int, order: int) -> str:
    """dump_header()'s first line in the release's format (rule oom_header; oom_score_adj and the
    older oomkilladj/oom_adj are 0 for every simulated task; no cpuset nodemask: all nodes)."""
    v = m.config.flavour.oom_header
    if v in ("2.6.24", "2.6.32", "2.6.36", "3.7"):
        adj = {"2.6.24": "oomkilladj=0", "2.6.32": "oom_adj=0",
               "2.6.36": "oom_adj=0, oom_score_adj=0", "3.7": "oom_score_adj=0"}[v]
        return f"{comm} invoked oom-killer: gfp_mask={gfp_mask:#x}, order={order}, {adj}"
    mask = f"gfp_mask={gfp_mask:#x}({m.gfp.format(gfp_mask)})"
    # 4.9-4.10: the cpuset's mems_allowed; 4.11-4.14: "(null)" then pr_cont(",  order=") with
    # two spaces; 4.15-4.19: nodemask_pr_args(NULL) prints "(null)", one space
    nodemask = {"4.9": ", nodemask=0, ", "4.11": ", nodemask=(null),  ",
                "4.15": ", nodemask=(null), "}.get(v, ", ")
    return f"{comm} invoked oom-killer: {mask}{nodemask}order={order}, oom_score_adj=0"


def dump_tasks(m: Machine) -> list[str]:
    """dump_tasks() of the release (rule oom_dump_tasks; sysctl_oom_dump_tasks defaults to 1
    from 2.6.36, 0 before): uid 0, oom_adj and oom_score_adj 0, CPU 0 for every task."""
    since = m.config.flavour.oom_dump_tasks
    if since == "4.19":
        out = ["Tasks state (memory values in pages):",
               "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"]
    else:
        cols = {"2.6.36": "cpu oom_adj oom_score_adj", "3.6": "nr_ptes swapents oom_score_adj",
                "4.0": "nr_ptes nr_pmds swapents oom_score_adj",
                "4.15": "pgtables_bytes swapents oom_score_adj"}[since]
        out = [f"[ pid ]   uid  tgid total_vm      rss {cols} name"]
    for p in m.processes.values():
        mm = p.mm
        pt = len(mm.pgd.owned)
        head = f"{0:5d} {p.pid:5d} {mm.total_vm:8d} {mm.rss:8d}"
        if since == "2.6.36":
            out.append(f"[{p.pid:5d}] {head} {0:3d}     {0:3d}         {0:5d} {p.comm}")
        elif since == "3.6":
            out.append(f"[{p.pid:5d}] {head} {pt:7d} {mm.swapents_counter:8d}         {0:5d} {p.comm}")
        elif since == "4.0":
            out.append(f"[{p.pid:5d}] {head} {pt:7d} {0:7d} {mm.swapents_counter:8d}         {0:5d} {p.comm}")
        elif since == "4.15":
            out.append(f"[{p.pid:5d}] {head} {pt * 4096:8d} {mm.swapents_counter:8d}         {0:5d} {p.comm}")
        else:
            out.append(f"[{p.pid:7d}] {head} {pt * 4096:8d} {mm.swapents_counter:8d}         {0:5d} {p.comm}")
    return out


def out_of_memory(m: Machine, current, gfp_mask: int, order: int, events) -> bool:
    """out_of_memory(): report, choose, kill.  False when there is nothing to kill.
    Raises OomKilled when the victim is ``current`` (the faulting task)."""
    from .lifecycle import teardown
    victim, points = select_bad_process(m)
    if victim is None:
        return False
    fl = m.config.flavour
    comm = current.comm if current is not None else m.comm
    pid = current.pid if current else 0
    # dump_header(): dump_stack()'s lines (rule log_dump_stack, print_tainted(): engine.taint)
    head = [invoked_line(m, comm, gfp_mask, order), *dump_stack_lines(m, pid, comm, 0)]
    lines = head + mem_info(m, gfp_mask)
    if fl.oom_dump_tasks != "off":
        lines += dump_tasks(m)
    since = fl.oom_kill_process
    mm = victim.mm
    killed = victim
    if since == "2.6.24":
        lines.append(f"Out of memory: kill process {victim.pid} ({victim.comm}) score "
                     f"{points} or a child")
        kids = [c for c in children(m, victim) if c.mm is not victim.mm]
        killed = kids[0] if kids else victim
        lines.append(f"Killed process {killed.pid} ({killed.comm})")
    elif since in ("5.2", "5.4"):
        lines.append(_oom_summary(victim))
        tail = f", UID:0 pgtables:{len(mm.pgd.owned) * K}kB oom_score_adj:0" if since == "5.4" else ""
        lines.append(f"Out of memory: Killed process {victim.pid} ({victim.comm}) "
                     f"total-vm:{mm.total_vm * K}kB, anon-rss:{mm.rss_anon * K}kB, "
                     f"file-rss:{mm.rss_file * K}kB, shmem-rss:{mm.rss_shmem * K}kB{tail}")
    else:
        # 2.6.36 .. 5.1 oom_kill_process(): "score" (3.5+: chosen_points * 1000 / totalpages),
        # then the child with its own mm and the highest oom_badness() (> 0) is sacrificed
        if since == "4.20":
            lines.append(_oom_summary(victim))
        score = points if since == "2.6.36" else points * 1000 // totalpages(m)
        lines.append(f"Out of memory: Kill process {victim.pid} ({victim.comm}) score {score} "
                     f"or sacrifice child")
        best = 0
        for c in children(m, victim):
            if c.mm is not victim.mm and badness(m, c) > best:
                killed, best = c, badness(m, c)
        km = killed.mm
        shmem = f", shmem-rss:{km.rss_shmem * K}kB" if since not in ("2.6.36", "3.5") else ""
        file_rss = km.rss_stat(fl.mm_shmempages)[0][1]      # shmem's pages too before 4.5
        lines.append(f"Killed process {killed.pid} ({killed.comm}) total-vm:{km.total_vm * K}kB, "
                     f"anon-rss:{km.rss_anon * K}kB, file-rss:{file_rss * K}kB{shmem}")
    if fl.zap_bad_mapcount == "eeek":
        victim_exit_bug(m, killed, lines)
    printk(m, "err", lines, events)          # the report, then what the victim's exit says
    teardown(m, killed, events, check=False)
    if m.config.flavour.oom_reaper:
        lines.append(f"oom_reaper: reaped process {killed.pid} ({killed.comm}), now "
                     f"anon-rss:0kB, file-rss:0kB, shmem-rss:0kB")
        printk(m, "err", lines[-1:], events)
    kill_line = next(x for x in lines if x.startswith(("Out of memory: Killed",
                                                       "Killed process")))
    if events is not None:
        from .task_events import OomKill
        events.append(OomKill(killed.pid, killed.comm, points, kill_line))
    if current is not None and killed is current:
        raise _killed(kill_line, killed.pid)
    return True


def victim_exit_bug(m: Machine, killed, lines: list[str]) -> None:
    """2.6.20-2.6.28 (rule zap_bad_mapcount "eeek"): the victim's exit_mmap() zaps its PTEs as
    munmap() and exit do, so a PTE whose page has no mapcount to lose meets page_remove_rmap()'s
    "Eeek! page_mapcount(page) went negative!" and BUG() there too (2.6.24 mm/rmap.c:619-631,
    2.6.28 l.714-725; engine.memory.check_mapcounts).  The kernel prints the OOM report, the
    victim oopses in its exit and the allocating task then waits for a TIF_MEMDIE victim that
    never exits (2.6.24 mm/oom_kill.c:227-228 select_bad_process() returns ERR_PTR(-1UL) while
    one lives).  Simplified: mmviz raises the victim's oops from the operation that invoked the
    OOM killer, the report's lines printed before it, and changes nothing else, as for munmap()
    and exit."""
    from .errors import KernelOops
    from .kmsg_notes import note
    from .memory import check_mapcounts
    from .page_types import TASK_SIZE
    try:
        check_mapcounts(m, killed, 0, TASK_SIZE)
    except KernelOops as err:
        oops = KernelOops(f"{err}\n{note('oom_eeek', pid=killed.pid, comm=killed.comm)}")
        oops.printed_before = tuple(lines)
        raise oops from None


def _oom_summary(victim) -> str:
    """dump_oom_summary() (4.20+): the constraint, cpuset and memcg of the kill."""
    return (f"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
            f"global_oom,task_memcg=/,task={victim.comm},pid={victim.pid},uid=0")


def _killed(line: str, pid: int) -> OomKilled:
    err = OomKilled(line)
    err.pid = pid
    return err
