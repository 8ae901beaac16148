"""More ``mmviz`` commands: record (asciicast / SVG), walk (like crash's vtop), quiz and
JSON output."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.machine import Machine


RECORD_SIZE = "160x48"    # the smallest wide layout (app/layout.py WIDE_MIN) with room to spare


def cmd_record(ns: argparse.Namespace, usage_error: type) -> int:
    from app.record import parse_size, record_cast, record_svg

    from .cli_text import t
    if not ns.output and not ns.svg:
        raise usage_error("mmviz record: give -o FILE.cast and/or --svg DIR")
    if ns.step is not None and not ns.svg:
        raise usage_error("mmviz record: --step needs --svg")
    try:
        settings = getattr(ns, "settings", None)
        size = parse_size(ns.size or (settings and settings.record_size) or RECORD_SIZE)
    except ValueError as err:
        raise usage_error(f"mmviz record: {err}") from None
    from scenarios import find_lesson
    lesson = find_lesson(ns.lesson)          # a bad lesson is reported before recording
    from .cli_lesson import check_lesson_boots
    check_lesson_boots(lesson)               # so is a machine only booting refuses
    if ns.step is not None and not 0 <= ns.step <= len(lesson):
        raise usage_error(f"mmviz record: --step must be 0..{len(lesson)} (this lesson has "
                          f"{len(lesson)} steps)")
    from app.record import check_writable
    try:                  # an output that cannot be written is a bad -o / --svg: exit 2
        if ns.output:
            check_writable(Path(ns.output))
        if ns.svg:
            check_writable(Path(ns.svg), is_dir=True)
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        raise usage_error(f"mmviz: {where}{err.strerror or err}") from None
    if ns.output:
        write = record_cast
        if ns.output.lower().endswith(".svg"):
            from app.svgcast import record_animated_svg as write
        n = write(lesson, Path(ns.output), ns.lang, size, ns.step_seconds,   # loaded once
                  progress=not ns.quiet)
        sys.stdout.write(t(ns.lang, "record.cast", file=ns.output, n=n, size=f"{size[0]}x{size[1]}") + "\n")
    if ns.svg:
        files = record_svg(lesson, Path(ns.svg), ns.lang, size, ns.step,
                           progress=not ns.quiet)
        sys.stdout.write(t(ns.lang, "record.svg", dir=ns.svg, n=len(files)) + "\n")
    return 0


def parse_addr(text: str, usage_error: type) -> int:
    from .cli_types import octal_hint
    if octal_hint(text) is not None:
        raise usage_error(f"mmviz walk: {octal_hint(text)}")
    try:
        value = int(text, 0)
    except ValueError:
        raise usage_error(f"mmviz walk: {text!r} is not an address (try 0xc0100000)") from None
    if not 0 <= value < 1 << 32:
        raise usage_error(f"mmviz walk: {text} is outside the 32-bit address space")
    return value


def walk_record(m: Machine, vaddr: int, pid: int | None, kind: str) -> dict:
    """The walk as data; each entry decoded by the engine (engine.paging_show), as in the TUI."""
    from engine.paging_show import address_split, entry_meaning
    c = m.config
    w = m.walk(vaddr, pid=pid, kind=kind)
    steps = []
    for s in w.steps:
        d = entry_meaning(s.entry, s.level, c.pae, c.pse, c.kernel)
        steps.append({"level": s.level, "table": s.table_paddr, "index": s.index,
                      "entry_addr": s.entry_paddr, "entry": s.entry, "flags": " ".join(d.flags),
                      "meaning": d.text(), "kind": d.kind,
                      "swap": None if d.swap is None else {"type": d.swap[0], "offset": d.swap[1]}})
    large = any(s["kind"] == "large page" for s in steps)
    region = m.layout.region_at(vaddr).name
    fields, split = address_split(vaddr, c.pae, large)
    return {"vaddr": vaddr, "pid": pid, "kind": kind, "pae": c.pae, "kernel": c.kernel,
            "region": region, "cr3": m.cr3_for(pid), "steps": steps,
            "split": split, "fields": list(fields), "paddr": w.paddr, "page_size": w.page_size,
            "fault": None if w.fault is None else {"error_code": w.fault.error_code,
                                                   "reason": w.fault.reason},
            # what mmviz leaves out there (README, Simplifications): said beside the fault
            "simplified": "cpu_entry_area" if w.fault is not None and region == "cpu_entry_area" else None}


def cmd_walk(ns: argparse.Namespace, usage_error: type, machine_from: Any) -> int:
    vaddr = parse_addr(ns.addr, usage_error)
    m = machine_from(ns)
    import engine
    try:
        rec = walk_record(m, vaddr, ns.pid, ns.kind)
    except engine.ConfigError as err:       # --pid N: no such process, an argument error
        raise usage_error(f"mmviz: {err}") from None
    if ns.json:
        import json
        sys.stdout.write(json.dumps(rec, indent=2) + "\n")
    else:
        from .cli_machine import print_walk
        print_walk(rec, ns.lang)
    return 0


def layout_record(m: Machine) -> dict:
    L = m.layout
    return {"ram": m.config.ram, "pae": m.config.pae, "kernel": m.config.kernel,
            "page_offset": L.page_offset, "high_memory": L.high_memory,
            "vmalloc_start": L.vmalloc_start, "vmalloc_end": L.vmalloc_end,
            "pkmap_base": L.pkmap_base, "fixaddr_start": L.fixaddr_start,
            "fixaddr_top": L.fixaddr_top, "fixmap_estimated": L.fixmap_estimated,
            "regions": [{"name": r.name, "start": r.start, "end": r.end} for r in L.regions],
            "zones": [{"name": z.name, "start_pfn": z.start_pfn, "spanned": z.spanned,
                       "present": z.present, "managed": z.managed, "free": z.free_pages,
                       "min": z.watermark_min, "low": z.watermark_low, "high": z.watermark_high}
                      for z in m.zones]}


def cmd_quiz(ns: argparse.Namespace, usage_error: type, out: Any) -> int:
    """``mmviz quiz KIND --interactive``: the seeded problem's whole state, then each question
    on the terminal; the reply is checked against the engine's answer, which is shown only
    after it (scenarios.problems).  ``exercise``: the typed-in exercise's state, then the
    translation is asked."""
    from scenarios.problems import answer_matches, exercise, walk_answer

    from .cli_text import t
    lang = ns.lang or "en"
    zh = lang == "zh"

    class EndOfInput(Exception):
        """No more replies (stdin at its end): the quiz stops, scoring what was answered."""

    def ask(question: str, answer: str, working: str = "") -> bool:
        out(question)
        reply = ""
        while not reply.strip():             # an empty line is asked again
            try:
                reply = input("   > ")
            except EOFError:
                raise EndOfInput from None
        right = answer_matches(answer, reply)
        out(f"   {'✓' if right else '✗'} " + (f"答：{walk_answer(answer, lang)}" if zh else f"answer: {answer}"))
        if working:
            out(f"      {walk_answer(working, lang)}")
        return right

    if ns.topic == "exercise":
        from app.cli_lesson import exercise_args
        cr3, vaddr, mem = exercise_args(ns, usage_error)
        try:
            answer, working = exercise(cr3, mem, vaddr, ns.pae)
        except ValueError as err:
            raise usage_error(f"mmviz: --mem: {err}") from None
        size = 8 if ns.pae else 4
        out(f"CR3 = {cr3:#010x}, {'PAE 2/9/9/12' if ns.pae else '10/10/12'}")
        for paddr, value in sorted(mem.items()):
            out(f"  {paddr:#010x}: {value:#0{2 + 2 * size}x}")
        q = f"翻译虚拟地址 {vaddr:#010x}：物理地址是多少，还是缺页异常？" if zh else \
            f"Translate virtual address {vaddr:#010x}: physical address, or page fault?"
        try:
            right = ask(f"1. {q}", answer, working)
        except EndOfInput:
            out("")
            out(t(lang, "quiz.eof", asked=0, total=1))
            return 0
        out(t(lang, "quiz.score", right=int(right), total=1))
        return 0
    if ns.count is not None and not 1 <= ns.count <= 50:
        raise usage_error("mmviz quiz: --count must be 1..50")
    from .cli_lesson import quiz_of
    p = quiz_of(ns, usage_error)                 # --ram: the problem's machine (cli_commands.cmd_quiz)
    head = p.text(lang).split("\n")
    cut = head.index("问题：" if zh else "Questions:")
    for line in head[:cut]:
        out(line)
    score = asked = 0
    try:
        for i, q in enumerate(p.questions):
            score += ask(f"{i + 1}. {q.get(lang) or q['en']}", p.answers[i],
                         p.working(i, lambda ev, k: _event_text(ev, k, lang)))
            asked += 1
    except EndOfInput:
        out("")                              # (after the prompt the end of input left open)
        out(t(lang, "quiz.eof", asked=asked, total=len(p.questions)))
    out(t(lang, "quiz.score", right=score, total=asked))
    return 0


def _wrap(text: str, indent: str, lang: str, width: int = 88) -> list[str]:
    """Wrap narration to ``width`` cells: CJK-aware, never inside an identifier or number."""
    from widgets.wrap import wrap
    return wrap(text, width, indent)


def _event_text(ev: Any, kernel: str = "6.1", lang: str = "en") -> str:
    """One event in the tracepoint notation the TUI uses (widgets.notation)."""
    from widgets.notation import event_text
    return event_text(ev, kernel, lang)
