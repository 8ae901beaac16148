"""/proc/PID/status VmData, VmStk, VmExe/VmLib (and the mm_struct pane's exec_vm) per release:
before 4.5 vm_stat_account() counts shared_vm (every file VMA), exec_vm (file VMAs that are
executable and not writable) and stack_vm, and task_mem() prints VmData = total_vm - shared_vm -
stack_vm; from 4.5 (commit 84638335900f) mm->data_vm counts private writable VMAs."""
from __future__ import annotations

import pytest

import engine


def _status(m, pid):
    rows = dict(l.split(":", 1) for l in m.proc(f"/proc/{pid}/status").splitlines() if ":" in l)
    return {k: int(rows[k].split()[0]) for k in ("VmSize", "VmData", "VmStk", "VmExe", "VmLib")}


def _by_hand(p, data_vm):
    """From the API's VMAs (flags words): the release's formula."""
    pages = lambda v: (v.end - v.start) >> 12          # noqa: E731
    stack = sum(pages(v) for v in p.vmas if "growsdown" in v.flags)
    if data_vm:                 # private, writable, not stack
        data = sum(pages(v) for v in p.vmas if "w" in v.prot and "private" in v.flags
                   and "growsdown" not in v.flags)
    else:                       # total_vm - shared_vm (every file VMA) - stack_vm
        data = sum(map(pages, p.vmas)) - sum(pages(v) for v in p.vmas if "file" in v.flags) - stack
    return data * 4, stack * 4


@pytest.mark.parametrize("kernel, data_vm", [("2.6.24", False), ("3.16", False), ("4.4", False),
                                             ("4.5", True), ("6.1", True)])
def test_vmdata_follows_the_release(kernel, data_vm):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn(name="t")
    p.sbrk(8192)                                       # brk: total_vm only before 4.5, data_vm after
    p.mmap(3 * 4096)                                   # anonymous private rw
    got = _status(m, p.pid)
    assert (got["VmData"], got["VmStk"]) == _by_hand(p, data_vm), (kernel, got)
    assert got["VmSize"] == sum((v.end - v.start) >> 10 for v in p.vmas)


def test_fork_cow_step_13_on_2624():
    """The review's case: 25 pages - 2 file VMAs - 21 stack pages = 8 kB (was 12)."""
    from scenarios import Timeline, find_lesson
    tl = Timeline(find_lesson("fork-cow"))
    tl.jump(13)
    assert _status(tl.machine, 1)["VmData"] == 8
