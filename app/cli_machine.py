"""The commands that print a machine: ``mmviz layout``, ``mmviz walk``, ``mmviz proc``,
``mmviz boot --dmesg`` and the default machine without a terminal -- in the chosen language
(app/cli_text.py).  The kernel's own lines (the layout block, /proc files, the boot log, the
log lines ``boot`` compares) are printed as the kernel prints them in both languages."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable

from .cli_text import boot_zh, pad, t

if TYPE_CHECKING:
    from engine.machine import Machine

Out = Callable[..., None]


def _region(name: str, lang: str) -> str:
    from widgets.i18n import tr
    return tr(lang, f"reg.{name}") if lang == "zh" else name


def print_layout(m: Machine, out: Out, lang: str = "en") -> None:
    """The machine, its virtual regions and its zones."""
    c = m.config
    out(t(lang, "machine", ram=c.ram >> 20, pae=t(lang, "pae" if c.pae else "nopae"),
          kernel=c.flavour.release, alloc=c.allocator.upper(), cpus=c.cpus, nr=c.flavour.nr_cpus_config))
    reach = 36 if c.pae else 32                  # max_arch_pfn: 1 << (36 - 12) with PAE
    above = sum(max(0, e.end - max(e.start, 1 << reach)) for e in m.boot_state.e820 if e.type == "usable")
    if above:
        out(t(lang, "unused_pae" if c.pae else "unused", unused=above >> 20))
    out(pad(t(lang, "col.region"), 16) + pad(t(lang, "col.start"), 12, True) + "  "
        + pad(t(lang, "col.end"), 12, True) + "  " + pad(t(lang, "col.size"), 10, True))
    for r in m.layout.regions:
        size = r.end - r.start
        shown = f"{size >> 20} MB" if size >= 1 << 20 else f"{size >> 10} kB"
        out(f"{pad(_region(r.name, lang), 16)}  0x{r.start:08x}   0x{r.end:08x}  {shown:>10}")
    if m.layout.fixmap_estimated:
        out(t(lang, "fixmap", n=len(m.layout.fixmap_slots), rel=c.flavour.release))
    out(t(lang, "zones"))
    for z in m.zones:
        out(t(lang, "zone", name=z.name, lo=f"{z.start_pfn:#07x}", hi=f"{z.start_pfn + z.spanned:#07x}",
              present=z.present, managed=z.managed, free=z.free_pages, min=z.watermark_min,
              low=z.watermark_low, high=z.watermark_high))


def print_default(m: Machine, out: Out, lang: str = "en") -> None:
    """``mmviz`` without a terminal: the layout, then the boot log as the kernel prints it."""
    print_layout(m, out, lang)
    out()
    out(t(lang, "boot_log"))
    for line in m.boot_log:
        out(f"  {line}")


def cmd_layout(ns: argparse.Namespace, m: Machine, out: Out) -> int:
    if ns.json:
        import json
        from .cli_more import layout_record
        out(json.dumps(layout_record(m), indent=2), raw=True)
        return 0
    print_layout(m, out, ns.lang)
    from engine.bootlog import layout_block
    out()
    if not m.config.flavour.log_layout_block:
        out(t(ns.lang, "no_block", rel=m.config.flavour.release))
    for line in layout_block(m.boot_state):
        out(line)
    return 0


def print_walk(rec: dict, lang: str = "en") -> None:
    """A walk (app.cli_more.walk_record) as crash's vtop prints one, its words in ``lang``."""
    from widgets.i18n import engine_phrase
    from widgets.walk import decode_error_code, meaning_text, phys_hex
    from engine.paging_show import entry_meaning
    write = sys.stdout.write
    pae, ew = rec["pae"], 16 if rec["pae"] else 8
    fields = rec["fields"]
    shown = "|".join([str(f) for f in fields[:-1]] + [f"{fields[-1]:#x}"])
    who = t(lang, "w.pid", pid=rec["pid"]) if rec["pid"] is not None else t(lang, "w.kernel")
    sep = "，" if lang == "zh" else ", "
    what = sep.join((_region(rec["region"], lang), t(lang, f"w.kind.{rec['kind']}"), who))
    write(f"{pad(t(lang, 'w.virtual'), 10)}{rec['vaddr']:#010x}  "
          + (f"（{what}）" if lang == "zh" else f"({what})") + "\n")
    write(f"{pad('CR3', 10)}{rec['cr3']:#010x}  ({'PAE ' if pae else ''}{rec['split']}: [{shown}])\n")
    for s in rec["steps"]:
        meaning = meaning_text(entry_meaning(s["entry"], s["level"], pae, True, rec["kernel"]), lang) \
            if lang == "zh" else s["meaning"]
        write(f"{s['level']:<6}    [{phys_hex(s['entry_addr'], pae)}]  "
              + t(lang, "w.step", table=phys_hex(s['table'], pae), index=s["index"],
                  entry=f"{s['entry']:0{ew}x}", meaning=meaning) + "\n")
    if rec["fault"]:
        f = rec["fault"]
        reason = f["reason"] if lang != "zh" else engine_phrase(f["reason"], lang)
        bits = "" if lang != "zh" else f"（{decode_error_code(f['error_code'], lang)}）"
        write(f"{pad('#PF', 10)}" + t(lang, "w.fault", code=f"{f['error_code']:#x}", reason=reason)
              + bits + "\n")
        if rec.get("simplified") == "cpu_entry_area":
            write(f"{pad('', 10)}{t(lang, 'w.cea')}\n")
        return
    size = rec["page_size"]
    n, unit = (size >> 10, "K") if size < 1 << 20 else (size >> 20, "M")
    write(f"{pad(t(lang, 'w.page'), 10)}{t(lang, 'w.size', n=n, unit=unit)}\n")
    write(f"{pad(t(lang, 'w.physical'), 10)}{phys_hex(rec['paddr'], pae)}\n")


def boot_lines(m: Machine, lang: str = "en") -> list[str]:
    """``mmviz boot --dmesg``: the machine read from the log, each real memory line marked
    equal / different (mmviz's line and the known reason) / missing, and the count (the
    frame of engine.dmesg_compare.summary in ``lang``; the log's lines and the engine's reasons as
    written)."""
    from engine.dmesg_compare import report
    c, pairs = m.config, m.dmesg_comparison
    out = [t(lang, "boot.machine", rel=c.flavour.release, pae=t(lang, "pae" if c.pae else "nopae"),
             cpus=c.cpus, nr=c.flavour.nr_cpus_config, mb=c.ram >> 20)]
    out += report(m, label=lambda mark: t(lang, f"boot.{mark}"), why=lambda why: _why(why, lang),
                  assumed=lambda d: t(lang, "boot.assumed", what=boot_zh(d, lang)))
    out.append(t(lang, "boot.count", equal=sum(p.status == "equal" for p in pairs), total=len(pairs)))
    return out


def _why(why: str, lang: str) -> str:
    return f"（{boot_zh(why, lang)}）" if lang == "zh" else f"({why})"


def cmd_boot(ns: argparse.Namespace, out: Out) -> int:
    """Each real memory line marked equal / different (with the known reason) / missing."""
    import engine
    from .cli_report import EXIT_FAIL, EXIT_USAGE, err_line
    from .cli_boot import _config
    try:
        text = sys.stdin.read() if ns.dmesg == "-" else open(ns.dmesg, encoding="utf-8", errors="replace").read()
    except OSError as err:                         # no such file: an argument error, status 2
        err_line(f"mmviz boot: {ns.dmesg}: {err.strerror or err}")
        return EXIT_USAGE
    over: dict[str, Any] = {"kernel": ns.kernel} if ns.kernel else {}
    config = _config(ns.config)
    if ns.initrd is not None:
        config["initrd_kb"] = ns.initrd
    if config:
        over["config"] = config
    try:
        m = engine.Machine.from_dmesg(text, **over)
    except engine.ConfigError as err:              # a machine the engine refuses: bad input, status 2
        from .cli_parser import UsageError
        raise UsageError(boot_refusal(ns, text, over, err)) from None
    if not m.dmesg_comparison:                     # an oops, a note, not a boot log: nothing to compare
        err_line(f"mmviz boot: {ns.dmesg}: no memory line of a boot log in it "
                 "(BIOS-e820, Zone ranges, Memory: ...): nothing to compare")
        return EXIT_FAIL
    for line in boot_lines(m, ns.lang):
        out(line)
    return 0


BOOT_OPTIONS = {"config": "--config", "kernel": "--kernel"}    # the engine's key -> boot's option


def boot_refusal(ns: argparse.Namespace, text: str, over: dict[str, Any], err: Exception) -> str:
    """The one line for a machine ``boot --dmesg`` cannot boot, naming what made it: the option
    the engine's message names (``--config: KFENCE: ...``, ``--kernel: ...``), else the
    ``--initrd`` or ``--config`` pair without which the log boots (an initramfs too big for
    lowmem: ``--initrd 4G: ram: 2086962K is too small ...``), else the log itself (its release,
    RAM or CPUs: ``FILE: kernel: '2.4.20' is outside ...``)."""
    import engine

    from .cli_config import read_pair
    msg = str(err)
    key, _, rest = msg.partition(": ")
    if key in BOOT_OPTIONS and (ns.kernel if key == "kernel" else ns.config):
        return f"mmviz boot: {BOOT_OPTIONS[key]}: {rest}"
    config = over.get("config", {})
    given = [(f"--config {pair}", read_pair(pair)[0]) for pair in ns.config]
    if ns.initrd is not None:
        given.append((f"--initrd {ns.initrd}", "initrd_kb"))
    for option, dropped in given:
        try:
            engine.Machine.from_dmesg(text, **{**over, "config": {k: v for k, v in config.items() if k != dropped}})
        except engine.ConfigError:
            continue
        return f"mmviz boot: {option}: {msg}"
    return f"mmviz boot: {ns.dmesg}: {msg}"
