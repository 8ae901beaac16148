"""The kernel log (printk) and the kernel's reports about page-table entries that
point at nothing: print_bad_pte() and the swap-entry complaints (mm/memory.c,
mm/swapfile.c).

``m.kmsg`` holds the lines the kernel printed after boot (the OOM killer's report,
"Bad page map", "Bad rss-counter state"), newest last, at most ``KMSG_LINES`` of them
(the ring buffer of the kernel is bounded too).  Each printk also becomes a
``KernelMessage`` event of the operation that printed it.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from . import physmem as pm
from .errors import OomKilled, OutOfMemory
from .events import Event, event
from .kmsg_notes import note
from .taint import BAD_PAGE_LINES, after_report, print_tainted, tainted_verbose

if TYPE_CHECKING:
    from .machine import Machine

KMSG_LINES = 4000


@event
class KernelMessage(Event):
    """printk(): lines the kernel logged during the operation."""
    tracepoint = "console"
    level: str          # "err", "alert", "warning", "info"
    lines: tuple


def printk(m: Machine, level: str, lines, events) -> None:
    """Append lines to m.kmsg (bounded) and to the operation's events."""
    lines = tuple(lines)
    log = m.kmsg
    log.extend(lines)
    if len(log) > KMSG_LINES:
        del log[: len(log) - KMSG_LINES]
    if events is not None:
        events.append(KernelMessage(level, lines))


def kptr(m: Machine, ptr: int) -> str:
    """printk's ``%p`` of a kernel pointer as the release prints it (rule log_ptr_hashed):
    the address in 8 hex digits before 4.15; from 4.15 ptr_to_id()'s siphash of it under a
    key drawn at boot, never the address.  The real value changes with every boot; mmviz
    draws its key from the machine's seed, so a run repeats its values (still not the address)."""
    ptr &= 0xFFFF_FFFF
    if not m.config.flavour.log_ptr_hashed:
        return f"{ptr:08x}"
    key = b"ptr_key" + m.config.seed.to_bytes(8, "little", signed=True)
    h = hashlib.blake2b(ptr.to_bytes(4, "little"), digest_size=4, key=key).digest()
    return f"{int.from_bytes(h, 'little'):08x}"


def page_ok(m: Machine, pfn: int) -> bool:
    """vm_normal_page()'s sanity test: the frame has a struct page (below max_pfn) and
    is not free or a hole, so a PTE may map it."""
    if not 0 <= pfn < m.max_pfn:
        return False
    return int(m.memmap.owner[pfn]) not in (pm.OWNER_FREE, pm.OWNER_HOLE)


def bad_pte_message(m: Machine, p, pte: int, pmd: int = 0, vaddr: int = 0, vm_flags: int = 0,
                    own_mm: bool = True) -> str:
    """print_bad_pte() of the flavour, for a PTE of process ``p``.  Before 2.6.29 the process is
    (vma->vm_mm == current->mm ? current->comm : "???") (2.6.24 mm/memory.c:353, 2.6.26 l.392,
    2.6.28 l.384): ``own_mm`` False where the running task no longer has that mm -- exit_mmap()
    runs after exit_mm() set tsk->mm = NULL (2.6.24 kernel/exit.c:586, mmput() l.592).  From
    2.6.29 current->comm, always (2.6.29 mm/memory.c:412-414): the exiting task's own name."""
    if m.config.flavour.bad_pte_line == "bad_page_map":
        return f"BUG: Bad page map in process {p.comm}  pte:{pte:08x} pmd:{pmd:08x}"
    return (f"Bad pte = {pte:08x}, process = {p.comm if own_mm else '???'}, vm_flags = {vm_flags:x}, "
            f"vaddr = {vaddr:x}")


def swap_entry_ok(m: Machine, pte: int) -> bool:
    """The entry names swap type 0 and a slot of the area (not the header)."""
    from .paging import swp_pte_decode
    try:
        type_, slot = swp_pte_decode(pte, m.config.pae, m.config.flavour)
    except ValueError:
        return False
    sw = m.swap_state
    return type_ == 0 and 1 <= slot < sw.nr_slots and sw.swap_map[slot] > 0


def bad_swap_message(m: Machine, pte: int) -> str:
    """swap_info_get()'s complaint about swap PTE ``pte`` in the release's words
    (engine.kmsg_swap), or, where the kernel frees it silently (the header slot) or says nothing
    (entry.val 0), what is wrong with it in mmviz's words."""
    from .kmsg_swap import swap_complaint, swp_entry_of_pte
    line = swap_complaint(m, pte)[0]
    if line is None:
        val, type_, offset = swp_entry_of_pte(m, pte)
        line = f"swap entry {val:08x} (type {type_}, offset {offset}) names no swapped-out page"
    return line


def bad_rss_message(m: Machine, p, kind: str, val: int, idx: int) -> str:
    """check_mm() at mm teardown when a counter did not come back to zero: "idx:%d" (3.4.2
    kernel/fork.c:525-526, MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2, MM_SHMEMPAGES 3 from 4.5)
    or "type:%s" (5.4.214 l.664, 6.1.0 l.759), rule check_mm."""
    what = f"idx:{idx}" if m.config.flavour.check_mm == "idx" else f"type:{kind}"
    return f"BUG: Bad rss-counter state mm:{p.mm.pgd.cr3 | 0xc0000000:08x} {what} val:{val}"


def _mode(style: str, mask: int, gfp_names: str) -> str:
    """warn_alloc()'s tail: ", mode:%#x(%pGg)" (4.6), ", nodemask=(null)" from 4.11."""
    tail = f", mode:{mask:#x}({gfp_names})"
    return tail + ", nodemask=(null)" if style == "nodemask" else tail


def alloc_failure_message(flavour, comm: str, order: int, mask: int, gfp_names: str) -> str:
    """The first line of __alloc_pages()'s failure warning in the flavour's format:
    2.6.24 "insmod: page allocation failure. order:0, mode:0xd0" (mm/page_alloc.c:1633),
    3.0 warn_alloc_failed() "...: order:0, mode:0xd0", 4.6 "mode:0xcc0(GFP_KERNEL)", 4.11
    warn_alloc() "..., nodemask=(null)" (engine.kversion_log rule log_alloc_failure)."""
    style = flavour.log_alloc_failure
    if style == "dot":
        return f"{comm}: page allocation failure. order:{order}, mode:0x{mask:x}"
    if style == "colon":
        return f"{comm}: page allocation failure: order:{order}, mode:0x{mask:x}"
    return f"{comm}: page allocation failure: order:{order}" + _mode(style, mask, gfp_names)


def vmalloc_failure_message(m: Machine, what: str, size: int, area_bytes: int = 0, got: int = 0,
                            page_alloc: str = "") -> str:
    """What the kernel logs when vmalloc(size) fails, in the release's format (rules
    log_vmalloc_failure, log_vmalloc_range, vmalloc_warn_highmem in engine.kversion_log).

    ``what``: "pages" (__vmalloc_area_node() got only ``got`` of its pages; ``page_alloc``
    is the page allocator's own failure line, printed before 3.0), "array" (the kmalloc of
    the page array failed: the page allocator's line; 5.17 and 6.3+ add a "failed to
    allocated page array" line mmviz leaves out), "size" (more pages than
    the machine has) or "area" (no room in the vmalloc area; alloc_vmap_area()'s line is
    added by the caller).  ``area_bytes`` is the area with its guard page (area->size).
    Where the kernel prints nothing, the text says so in brackets (:func:`note`): the message
    still tells the student why vmalloc() returned NULL.  vmalloc(0): vmalloc_zero_message()."""
    fl = m.config.flavour
    gfp = m.page_alloc.gfp
    style = fl.log_alloc_failure
    if what == "array":          # the page array's own allocation warned (its mask has no NOWARN)
        return page_alloc
    if what == "pages":
        kind = fl.log_vmalloc_failure
        mask = gfp.parse("GFP_KERNEL | __GFP_HIGHMEM" if fl.vmalloc_warn_highmem else "GFP_KERNEL")
        text = f"vmalloc: allocation failure, allocated {got << 12} of {area_bytes} bytes"
        if kind == "page_alloc":
            return page_alloc
        if kind == "allocated":
            return text + "\n" + alloc_failure_message(fl, m.comm, 0, mask, gfp.format(mask))
        if kind == "warn_alloc":
            return f"{m.comm}: {text}" + _mode(style, mask, gfp.format(mask))
        if kind == "vmalloc_error":
            return (f"{m.comm}: vmalloc error: size {got << 12}, page order 0, failed to allocate "
                    f"pages" + _mode(style, mask, gfp.format(mask)))
        return note("vmalloc_pages", got=got, total=(area_bytes >> 12) - 1)
    kind = fl.log_vmalloc_range          # the caller's mask: 6.3 adds __GFP_HIGHMEM only later
    highmem = fl.vmalloc_warn_highmem and kind != "vmalloc_error"
    mask = gfp.parse("GFP_KERNEL | __GFP_HIGHMEM" if highmem else "GFP_KERNEL")
    if kind == "none":
        return note("vmalloc_size" if what == "size" else "vmalloc_area", size=size)
    if kind == "bytes":
        line = f"vmalloc: allocation failure: {size} bytes"
        if fl.log_vmalloc_failure == "allocated":      # warn_alloc_failed(): two lines
            return line + "\n" + alloc_failure_message(fl, m.comm, 0, mask, gfp.format(mask))
        return f"{m.comm}: {line}" + _mode(style, mask, gfp.format(mask))
    why = "exceeds total pages" if what == "size" else "vm_struct allocation failed"
    return f"{m.comm}: vmalloc error: size {size}, {why}" + _mode(style, mask, gfp.format(mask))


def vmalloc_zero_error(m: Machine):
    """The OutOfMemory of vmalloc(0) (NULL), worded by vmalloc_zero_message(); a WARN_ON_ONCE()
    carries its site (``once``), so engine.kmsg.report_failure() logs it the first time only.
    Built here: a local in the raising frame would tie the exception and the frame in a cycle."""
    from .errors import OutOfMemory
    text, site = vmalloc_zero_message(m)
    err = OutOfMemory(text)
    if site:
        err.once = site
    return err


def vmalloc_zero_message(m: Machine) -> tuple[str, str | None]:
    """vmalloc(0) in the release's words, and the WARN_ON_ONCE() site if it warns.  Up to 5.13
    __vmalloc_node_range() (2.6.24: __vmalloc_node()) takes "!size" in the same test as "more
    pages than the machine has": silent before 3.2 (2.6.24 mm/vmalloc.c:496 "if (!size || ...)
    return NULL;"), "vmalloc: allocation failure: 0 bytes" from 3.2 (rule log_vmalloc_range).
    From 5.14 "if (WARN_ON_ONCE(!size)) return NULL;" comes first (6.1.0 mm/vmalloc.c:3140): a
    WARNING, printed the first time only."""
    fl = m.config.flavour
    if fl.log_vmalloc_range == "none":
        return note("vmalloc_zero"), None
    if fl.log_vmalloc_range != "vmalloc_error":
        return vmalloc_failure_message(m, "size", 0), None
    return (f"WARNING: CPU: {m.current_cpu} PID: {m.current or 0} at mm/vmalloc.c __vmalloc_node_range\n"
            + note("warn_on_once")), "vmalloc_zero"


# -- failures the kernel reports (oopses, BUG()s, WARN()s, the segfault line) ------------------

def _die_header(m: Machine, what: str, code: int) -> str:
    """__die(): "Oops: 0002 [#1] SMP " (2.6.24 ... 4.14) or "Oops: 0002 [#1] PREEMPT SMP PTI"
    (4.15 __die_header(); Debian 6.1 is PREEMPT_DYNAMIC, PTI only on PAE builds).  The die
    counter is the oopses already in the log plus one."""
    fl, cfg = m.config.flavour, m.config
    n = 1 + sum(1 for l in m.kmsg if l.startswith(("Oops: ", "invalid opcode: ")))
    if fl.log_die_header == "space":
        return f"{what}: {code & 0xFFFF:04x} [#{n}] SMP "
    pre = " PREEMPT" if fl.version >= (5, 16) else ""
    pti = (" PTI" if fl.pti else " NOPTI") if cfg.pae and fl.version >= (4, 19) else ""
    return f"{what}: {code & 0xFFFF:04x} [#{n}]{pre} SMP{pti}"


def _pf_lines(code: int) -> list[str]:
    """show_fault_oops() 5.0+: the decoded error code."""
    kind = ("instruction fetch" if code & 0x10 else "write access" if code & 2 else "read access")
    why = ("not-present page" if not code & 1 else "reserved bit violation" if code & 8
           else "permissions violation")
    return [f"#PF: {'user' if code & 4 else 'supervisor'} {kind} in kernel mode",
            f"#PF: error_code(0x{code:04x}) - {why}"]


def _pagetable_line(m: Machine, walk) -> str:
    """dump_pagetable() (arch/x86/mm/fault.c): "*pdpt = %016Lx *pde = %016Lx *pte = %016Lx "
    with PAE, "*pde = %08x *pte = %08x " without; the walk stops where the kernel's does
    (an entry not present, or a large PDE)."""
    width = 16 if m.config.pae else 8
    out = []
    for st in walk.steps:
        name = {"PDPTE": "pdpt", "PDE": "pde", "PTE": "pte"}[st.level]
        out.append(f"*{name} = {st.entry:0{width}x} ")
        if not st.entry & 1 or (st.level == "PDE" and st.entry & 0x80):
            break
    return "".join(out)


def dump_stack_header(m: Machine, pid: int | None = None, comm: str | None = None, cpu: int | None = None) -> str:
    """dump_stack()'s first line (rule log_dump_stack): before 3.10 the arch's "Pid: %d, comm:
    %.20s %s %s %.*s", from 3.10 dump_stack_print_info()'s "CPU: %d PID: %d Comm: %.20s %s %s
    %.*s" ("UID: %u " before PID from 6.11; every task is root's): the task (default: the
    running one), print_tainted() now (engine.taint), the release."""
    fl, pid = m.config.flavour, (m.current or 0) if pid is None else pid
    comm, taint = (m.comm if comm is None else comm)[:20], print_tainted(m)
    if fl.log_dump_stack == "pid_comm":
        return f"Pid: {pid}, comm: {comm} {taint} {fl.release} #1"
    uid = "UID: 0 " if fl.log_dump_stack == "cpu_uid_pid_comm" else ""
    return f"CPU: {m.current_cpu if cpu is None else cpu} {uid}PID: {pid} Comm: {comm} {taint} {fl.release} #1"


def dump_stack_lines(m: Machine, pid: int | None = None, comm: str | None = None,
                     cpu: int | None = None) -> tuple[str, ...]:
    """dump_stack_print_info()'s lines: dump_stack_header(), then, in the releases with
    print_tainted_verbose() and a tainted kernel, "Tainted: [B]=BAD_PAGE" (engine.taint)."""
    return (dump_stack_header(m, pid, comm, cpu), *tainted_verbose(m))


def dumps_stack(line: str) -> bool:
    """The report starting with ``line`` ends with dump_stack(): bad_page() (6.1
    mm/page_alloc.c:719, its page dump before: engine.kmsg_page), SLUB's "BUG <cache> ..." of
    object_err()/slab_err() (6.1 mm/slub.c print_trailer() l.920, slab_err() l.962), SLAB's
    "slab error in ..." (__slab_error())."""
    return (line.startswith((*BAD_PAGE_LINES, "slab error in "))
            or (line.startswith("BUG ") and not line.startswith("BUG: ")))


CUT_HERE = "------------[ cut here ]------------"   # lib/bug.c, before a BUG() or WARN() report
WARN_ALLOC = ("page allocation failure", "vmalloc: allocation failure", "vmalloc error:")


def warn_alloc_lines(m: Machine, err, header: bool = True) -> tuple[str, ...]:
    """An allocation that failed for good: warn_alloc()'s line(s) (the error's text, which
    vmalloc and the page allocator word per release) and dump_stack()'s header (not with
    ``header=False``); nothing with __GFP_NOWARN, nor for a bracketed note (where the
    release prints nothing)."""
    if getattr(err, "gfp_mask", 0) & m.page_alloc.gfp.bits.get("__GFP_NOWARN", 0):
        return ()
    lines = [ln for ln in str(err).splitlines()
             if not ln.startswith("[") and any(w in ln for w in WARN_ALLOC)]
    return (*lines, *dump_stack_lines(m)) if lines and header else tuple(lines)


def failure_lines(m: Machine, err) -> tuple[str, ...]:
    """What the release prints for a failed operation (nothing for input errors):

    * a kernel-mode page fault (KernelOops with .access): show_fault_oops()'s first line,
      the "#PF:" lines (5.0+), dump_pagetable()'s "*pdpt = ... *pde = ... *pte = ..." line,
      the die header "Oops: <error code> [#n] ...";
    * a BUG() (KernelOops without .access: "kernel BUG at ..."): report_bug()'s cut-here line
      and the BUG line, then "invalid opcode: 0000 [#n] ..." (BUG() is ud2);
    * a WARN() (BadFree, or vmalloc(0)'s OutOfMemory, starting "WARNING:"): "------------[ cut
      here ]------------" (2.6.26+), its line, show_regs()'s "CPU: ... Comm:" header and its
      further lines; other BadFree texts (SLUB's "BUG kmalloc-64 ...", "Bad page state",
      vfree's "Trying to vfree() nonexistent vm area") as they are, then dump_stack()'s header
      where the report ends with one (dumps_stack());
    * SegFault: show_signal_msg()'s "segfault at" line (nothing for a SIGBUS);
    * a page or vmalloc allocation failure (OutOfMemory; not the OOM killer's, which logs its
      own report): warn_alloc_lines().
    Simplified: no "IP:"/"EIP:" line, register dump, call trace, show_mem() report or module
    list, and the WARNING line names the function without its line and offsets.  The taint
    in the headers is print_tainted() of the machine's taint mask (engine.taint), which
    report_failure() sets after the report, as the kernel does."""
    from .errors import BadFree, KernelOops, OomKilled, OutOfMemory, SegFault
    text = str(err)
    before = err.__dict__.get("printed_before", ())   # what the kernel printed before (an OOM report)
    if before:
        return (*before, *failure_lines(m, type(err)(text)))
    if isinstance(err, KernelOops):
        acc = err.access
        if acc is not None and acc.fault is not None:
            code = acc.fault.error_code
            pf = _pf_lines(code) if m.config.flavour.log_pf_lines else []
            pt = [_pagetable_line(m, acc.walk)] if acc.walk is not None and acc.walk.steps else []
            return (text.splitlines()[0], *pf, *pt, _die_header(m, "Oops", code))
        lines = [ln for ln in text.splitlines() if not ln.startswith("[")]
        at = next((i for i, ln in enumerate(lines) if ln.startswith("kernel BUG at ")), None)
        if at is not None:                      # lib/bug.c report_bug(), after a pr_emerg() before BUG()
            lines.insert(at, CUT_HERE)
        return (*lines, _die_header(m, "invalid opcode", 0))
    if isinstance(err, BadFree) or (isinstance(err, OutOfMemory) and text.startswith("WARNING:")):
        lines = [ln for ln in text.splitlines() if not ln.startswith("[")]   # not mmviz's notes
        at = next((i for i, ln in enumerate(lines[:2]) if ln.startswith("WARNING: CPU:")), None)
        if at is not None:                      # __warn(): show_regs()'s header (after a WARN(fmt)'s text)
            lines[at + 1:at + 1] = dump_stack_lines(m)
        elif lines and dumps_stack(lines[0]):
            lines.extend(dump_stack_lines(m))   # before the report's add_taint() (engine.taint)
        if any(ln.startswith("WARNING:") for ln in lines[:2]) and m.config.flavour.version >= (2, 6, 26):
            return (CUT_HERE, *lines)
        return tuple(lines)
    if isinstance(err, SegFault):          # SIGSEGV's line; SIGBUS logs nothing
        return () if getattr(err, "signal", "") == "SIGBUS" else tuple(text.splitlines()[:1])
    if isinstance(err, OutOfMemory) and not isinstance(err, OomKilled):
        return warn_alloc_lines(m, err)
    return ()


def ratelimit(m: Machine, key: str) -> tuple[bool, str | None]:
    """warn_alloc()'s ratelimit (rule warn_alloc_burst), asked before the report is built
    (``!__ratelimit(&nopage_rs)`` returns first), ``key`` its first line: (print it?, the line
    to print before it or None).  The first ``burst`` reports of an interval are printed, the
    rest counted; the next interval's first report is preceded by "printk: N messages
    suppressed." (2.6.24 printk_ratelimit()) or "warn_alloc: N callbacks suppressed"
    (___ratelimit()).  mmviz has no clock: the repeats of one failing request (the same first
    line) make one interval, a different failure starts the next."""
    last, printed, missed = m.__dict__.get("warn_alloc_rs", (None, 0, 0))
    if key == last:
        if printed < m.config.flavour.warn_alloc_burst:
            m.warn_alloc_rs = (last, printed + 1, missed)
            return True, None
        m.warn_alloc_rs = (last, printed, missed + 1)
        return False, None
    m.warn_alloc_rs = (key, 1, 0)
    if missed:
        return True, (f"printk: {missed} messages suppressed."
                      if m.config.flavour.log_dump_stack == "pid_comm"
                      else f"warn_alloc: {missed} callbacks suppressed")
    return True, None


def report_failure(m: Machine, err, lines=None) -> None:
    """A failed operation's kernel report (``lines``, or failure_lines()) goes to m.kmsg, then
    the report's add_taint() (engine.taint.after_report); nothing else changes but
    warn_alloc()'s ratelimit state.  A page or vmalloc allocation failure asks the ratelimit
    first, with warn_alloc()'s first line, and builds the rest of its report only when it is
    printed (a repeat step may fail thousands of times)."""
    site = err.__dict__.get("once")                     # WARN_ON_ONCE(): the first time only
    oom = isinstance(err, OutOfMemory) and not isinstance(err, OomKilled)
    if lines is None and oom and site is None and not str(err).startswith("WARNING:"):
        warn = warn_alloc_lines(m, err, header=False)   # the ratelimit first, then the report
        go, missed = ratelimit(m, warn[0]) if warn else (False, None)
        if go:
            printk(m, "warning", (*((missed,) if missed else ()), *warn, *dump_stack_lines(m)), None)
        return
    if lines is None:
        lines = failure_lines(m, err)
    if lines and oom and site is None:
        go, missed = ratelimit(m, lines[0])
        lines = ((missed,) if missed else ()) + tuple(lines) if go else ()
    if lines and site is not None:
        done = m.__dict__.get("warned_once", ())
        if site in done:
            return                                      # WARN_ON_ONCE() again: silent, no taint
        m.warned_once = (*done, site)
    if lines:
        warn = str(err).startswith("WARNING") or isinstance(err, OutOfMemory)
        printk(m, "warning" if warn else "alert", lines, None)
    after_report(m, err)                                # add_taint() ends the report
