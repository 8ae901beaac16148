"""Errors.  Simulated kernel errors are values carrying the kernel's one-line message."""
from __future__ import annotations

import re


class MmvizError(Exception):
    """Base of everything mmviz raises on purpose."""


class ConfigError(MmvizError, ValueError):
    """An impossible machine configuration (bad size, more RAM than addressable, ...)."""


class InvariantError(MmvizError, AssertionError):
    """m.check() found the machine's state inconsistent; the message names the invariant."""


class KernelError(MmvizError):
    """A simulated kernel error; str() is the kernel-style message.  State is unchanged."""


class OutOfMemory(KernelError):
    """Page allocation failure / OOM; a page allocation failure carries its GFP mask
    and order (for the OOM killer)."""
    gfp_mask = 0
    order = 0


class OomKilled(OutOfMemory):
    """The OOM killer chose the task that was running: it died of SIGKILL (``pid``).
    The machine changed (the victim's memory is free again); str() is the kernel's
    "Out of memory: Killed process ..." line, the whole report is in m.kmsg."""


class BadFree(KernelError):
    """Double free, wrong order, or a pointer that does not belong to this allocator."""


class SegFault(KernelError):
    """A user access the kernel answers with SIGSEGV."""


class KernelOops(KernelError):
    """A kernel-mode fault the kernel cannot fix up (BUG: unable to handle page fault ...);
    ``access`` is the faulting Access (its walk and fault) when an access raised it."""
    access = None


def shown(value) -> str:
    """``value`` as a message shows it: repr(), except that true and false are spelled as TOML,
    JSON and the command line spell them (lessons are TOML: ``pae = true`` is not "True")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(shown(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{shown(k)}: {shown(v)}" for k, v in value.items()) + "}"
    return repr(value)


def unquoted_hint(value) -> str:
    """" (a string: write the number without quotes)" for a number written as a string
    (TOML's NR_CPUS = "8"), else ""."""
    if isinstance(value, str) and re.fullmatch(r"\s*(0x[0-9a-fA-F]+|\d+)\s*", value):
        return " (a string: write the number without quotes)"
    return ""
