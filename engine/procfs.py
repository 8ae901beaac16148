"""The /proc files: one table from each path to the show function that renders it.

In the kernel each file is created by its subsystem's init code (``proc_create_seq``
of "buddyinfo" and "zoneinfo" in mm/vmstat.c, "meminfo" in fs/proc/meminfo.c,
"slabinfo" in mm/slab_common.c, "vmallocinfo" in mm/vmalloc.c) and the per-process
files by fs/proc/base.c's ``tgid_base_stuff`` table.  Here both tables stand in this
one module, so which files exist does not depend on which module was imported first.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .errors import ConfigError
from .slabinfo import slabinfo, vmallocinfo
from .task_mmu import maps, status
from .vmstat import buddyinfo, meminfo, zoneinfo

if TYPE_CHECKING:
    from .machine import Machine
    from .process import Process

PROC_FILES: dict[str, Callable[[Machine], str]] = {
    "/proc/buddyinfo": buddyinfo,       # mm/vmstat.c frag_show
    "/proc/zoneinfo": zoneinfo,         # mm/vmstat.c zoneinfo_show
    "/proc/meminfo": meminfo,           # fs/proc/meminfo.c meminfo_proc_show
    "/proc/slabinfo": slabinfo,         # mm/slab_common.c slab_show
    "/proc/vmallocinfo": vmallocinfo,   # mm/vmalloc.c s_show
}
"""Every /proc file of the machine: path -> fn(m) -> text."""

# Files a release may lack: path -> (the Flavour field that says whether it has it, its
# reader); the rules are in engine.kversion_mm.  The others exist across the modelled range (2.6.20 .. 6.12):
# buddyinfo, meminfo, slabinfo and the per-task maps/status since 2.6.0, zoneinfo since 2.6.13.
PROC_SINCE: dict[str, tuple[str, Callable]] = {
    "/proc/vmallocinfo": ("proc_vmallocinfo", lambda fl: fl.proc_vmallocinfo),
}

PID_FILES: dict[str, Callable[[Machine, Process], str]] = {
    "maps": maps,                       # fs/proc/task_mmu.c show_map
    "status": status,                   # fs/proc/array.c proc_pid_status
}
"""Every /proc/<pid>/ file: name -> fn(m, task) -> text."""


def render(m: Machine, path: str) -> str:
    """The text of /proc file ``path`` ("/proc/meminfo", "/proc/1/maps", "/proc/self/status").

    Raises:
        ConfigError: "/proc/nope: no such file in this machine's /proc (try ...)", or for a
            file the release lacks "/proc/vmallocinfo: No such file or directory (ENOENT): ..."."""
    path = path.rstrip("/")
    fn = PROC_FILES.get(path) if has_file(m, path) else None
    if fn is not None:
        return fn(m)
    parts = path.split("/")
    if len(parts) == 4 and parts[1] == "proc":
        return render_pid(m, parts[2], parts[3])
    if path in PROC_FILES:
        fl = m.config.flavour
        raise ConfigError(f"{path}: No such file or directory (ENOENT): Linux {fl.release} has no "
                          f"{path}; {PROC_NOTE.get(path, '')}")
    raise ConfigError(f"{path}: no such file in this machine's /proc "
                      f"(try {', '.join(files(m))})")


PROC_NOTE = {"/proc/vmallocinfo": "mm/vmalloc.c creates it from 2.6.25 on"}


def has_file(m: Machine, path: str) -> bool:
    """The release has this /proc file (PROC_SINCE)."""
    since = PROC_SINCE.get(path)
    return since is None or bool(since[1](m.config.flavour))


def files(m: Machine) -> list[str]:
    """The machine's /proc files (those of its release), sorted."""
    return sorted(p for p in PROC_FILES if has_file(m, p))


def render_pid(m: Machine, pid: int | str, name: str) -> str:
    """/proc/<pid>/<name> of a live task; pid "self" is the task that runs.

    Raises:
        ConfigError: "/proc/9: no such process", "/proc/self/maps: no process is running ...",
            "/proc/1/smaps: not modelled (try maps or status)"."""
    if str(pid) == "self":
        if m.current is None:
            raise ConfigError(f"/proc/self/{name}: no process is running (the CPU is in the "
                              f"kernel); name one, e.g. /proc/1/{name}")
        pid = m.current
    try:
        p = m.processes[int(pid)]
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"/proc/{pid}: no such process") from None
    fn = PID_FILES.get(name)
    if fn is None:
        raise ConfigError(f"/proc/{pid}/{name}: not modelled (try {' or '.join(PID_FILES)})")
    return fn(m, p)
