"""The kernel's taint (kernel/panic.c): the flags a machine carries after the errors it
reported, set where the kernel calls add_taint(), and print_tainted()'s string as the
release prints it in every dump_stack() header, SLUB "BUG <cache> (...)" line and OOM report.

``m.tainted_mask`` is the kernel's ``tainted_mask``: bit n is TAINT_* number n of
include/linux/kernel.h (include/linux/panic.h from 5.14).  It is plain Machine state, so a
checkpoint saves it and a back-step or jump before the error restores "Not tainted".

The flags a release knows and their order are the Flavour field ``taint_flags`` (rule
taint_flags in engine.kversion_log): the characters print_tainted() prints when a flag is
set, one per flag in bit order; a clear flag prints ' ', except TAINT_PROPRIETARY_MODULE,
which prints 'G' (2.6.24 kernel/panic.c:164, 6.1 l.410 ``{ 'P', 'G', true }``).

Who taints (each after printing its report, so the report that taints still shows the
taint from before it):

* bad_page(): TAINT_BAD_PAGE after dump_stack() (2.6.24 mm/page_alloc.c:232/246, 6.1
  l.719/723);
* SLUB's slab_bug() (3.7, ``add_taint`` after the "BUG" line; 5.17+ object_err() and
  slab_err() after the trailer) and SLAB's __slab_error(): TAINT_BAD_PAGE (rule
  slab_bug_taints; 3.6.0 mm/slub.c and mm/slab.c have no add_taint, 3.7.2 l.568 / l.807 do);
* die() / oops_end(): TAINT_DIE after the "Oops"/"invalid opcode" report (2.6.24
  arch/x86/kernel/traps_32.c:425, 6.1 arch/x86/kernel/dumpstack.c:363), for an oops and for
  a BUG() ("kernel BUG at ...");
* a WARN(): TAINT_WARN at the end of warn_on_slowpath() (2.6.26 kernel/panic.c:370) /
  __warn() (6.1 l.632); 2.6.24's WARN_ON() printed "BUG: warning at" and tainted nothing.
  mmviz's WARN()s: the "WARNING:" reports, vfree()'s "Trying to vfree() ..." (a WARN() from
  2.6.26: 2.6.30 mm/vmalloc.c:1283) and cache_from_obj()'s "Wrong slab cache" (6.1
  mm/slab.h:660 WARN()).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .machine import Machine

# include/linux/kernel.h TAINT_* bit numbers (the order print_tainted() prints them in)
TAINT_PROPRIETARY_MODULE = 0
TAINT_BAD_PAGE = 5
TAINT_DIE = 7
TAINT_WARN = 9

# bad_page()'s first line: "BUG: Bad page state in process %s  pfn:%05lx" from 2.6.29, "Bad
# page state in process '%s'" before (rule log_bad_page)
BAD_PAGE_LINES = ("BUG: Bad page state", "Bad page state in process '")

# kernel/panic.c taint_flags[]: c_true of every flag up to 6.12, in bit order, and the name
# print_tainted_verbose() prints (TAINT_ without its prefix)
FLAG_CHARS = "PFSRMBUDAWCIOELKXTN"
FLAG_NAMES = ("PROPRIETARY_MODULE", "FORCED_MODULE", "CPU_OUT_OF_SPEC", "FORCED_RMMOD",
              "MACHINE_CHECK", "BAD_PAGE", "USER", "DIE", "OVERRIDDEN_ACPI_TABLE", "WARN", "CRAP",
              "FIRMWARE_WORKAROUND", "OOT_MODULE", "UNSIGNED_MODULE", "SOFTLOCKUP", "LIVEPATCH",
              "AUX", "RANDSTRUCT", "TEST")


def print_tainted(m: Machine) -> str:
    """print_tainted() (kernel/panic.c) of machine ``m``: "Not tainted", or "Tainted: " and one
    character per flag the release knows (its TAINT_FLAGS_COUNT; 2.6.24 8, 6.1 19): c_true
    when set, else c_false ('G' for P, ' ' for the others).  Raises nothing."""
    mask = m.tainted_mask
    if not mask:
        return "Not tainted"
    return "Tainted: " + "".join(c if mask >> i & 1 else ("G" if i == TAINT_PROPRIETARY_MODULE else " ")
                                 for i, c in enumerate(m.config.flavour.taint_flags))


def tainted_verbose(m: Machine) -> tuple[str, ...]:
    """The line dump_stack_print_info() prints after its header when the kernel is tainted,
    from the release with print_tainted_verbose() (rule taint_verbose): "Tainted: [B]=BAD_PAGE,
    [W]=WARN" (the set flags only); nothing before, or when not tainted."""
    mask = m.tainted_mask
    if not mask or not m.config.flavour.taint_verbose:
        return ()
    return ("Tainted: " + ", ".join(f"[{c}]={FLAG_NAMES[i]}" for i, c in
                                    enumerate(m.config.flavour.taint_flags) if mask >> i & 1),)


def add_taint(m: Machine, flag: int) -> None:
    """add_taint(flag): set TAINT_* bit ``flag`` (a bit number) in m.tainted_mask; a flag the
    release does not have yet is not set (2.6.24 has no TAINT_WARN).  Raises nothing."""
    if flag < len(m.config.flavour.taint_flags):
        m.tainted_mask |= 1 << flag


# prefixes of mmviz's error texts that are a WARN() in the kernel (see the module docstring)
WARN_TEXTS = ("WARNING:", "Trying to vfree() ", "cache_from_obj: Wrong slab cache",
              "virt_to_cache: Object is not a Slab page!")


def taint_of(m: Machine, err: BaseException) -> int | None:
    """The TAINT_* bit the kernel adds after reporting error ``err`` (None: it taints
    nothing, e.g. an allocation failure, the OOM killer, a segfault)."""
    from .errors import KernelOops
    text = str(err)
    if isinstance(err, KernelOops) or text.startswith("kernel BUG at "):
        return TAINT_DIE                        # BUG() / an oops: die() -> TAINT_DIE
    if text.startswith(WARN_TEXTS):
        return TAINT_WARN
    if text.startswith(BAD_PAGE_LINES):
        return TAINT_BAD_PAGE                   # bad_page()
    if (text.startswith("slab error in ") or (text.startswith("BUG ") and not text.startswith("BUG: "))) \
            and m.config.flavour.slab_bug_taints:
        return TAINT_BAD_PAGE                   # SLAB __slab_error(), SLUB slab_bug()/slab_err()
    return None


def after_report(m: Machine, err: BaseException) -> None:
    """The add_taint() that ends the kernel's report of ``err`` (taint_of()); called once the
    report's lines are built, as the kernel prints them before it taints."""
    flag = taint_of(m, err)
    if flag is not None:
        add_taint(m, flag)
