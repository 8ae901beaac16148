"""Seeded homework problems in the style of OSTEP's simulators: the whole state needed
is printed, the questions follow, and ``-c`` prints the worked answers.

Every answer is computed by the engine: the buddy, slab, watermark and VMA problems by
playing lesson steps on a booted machine (their ``ask`` facts); the page walks by
``engine.mmu.walk`` over page tables written into physical frames.  :func:`exercise`
walks a textbook exercise typed in as ``CR3`` plus ``paddr=value`` entries.

Kinds: buddy, walk (10/10/12), walk-pae (2/9/9/12), slab, watermark, vma.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .problems_text import ram_text, text
from .problems_walk import Frames, describe_walk, exercise, mmu_walk, walk_answer
from .quiz import _build

if TYPE_CHECKING:
    from engine.machine import Machine

KINDS = ("buddy", "walk", "walk-pae", "slab", "watermark", "vma")
ALL_KINDS = KINDS + ("exercise",)          # exercise: a typed-in textbook walk
# The machine each machine problem boots (problem(..., ram=, pae=) replaces its RAM, makes it
# PAE); the walks boot none
MACHINES = {"buddy": {"ram": "64M", "kernel": "6.1"}, "slab": {"ram": "160M", "kernel": "6.1"},
            "watermark": {"ram": "1G", "kernel": "2.6"}, "vma": {"ram": "160M", "kernel": "2.6"}}


class ProblemError(ValueError):
    """A machine problem refused on the RAM asked for (by boot, or a step out of memory), in one
    line: "watermark on a 64M machine: alloc_pages fails: ..." """


@dataclass
class Problem:
    kind: str
    seed: int
    state: list[str]                       # the printed state (English prose)
    questions: list[dict[str, str]]        # per question: {"en", "zh"}
    answers: list[str]                     # the engine's answers, as shown
    worked: list[str] = field(default_factory=list)   # one line of working per answer
    events: list[list] = field(default_factory=list)  # or the engine events of each answer
    kernel: str = "6.1"                                # the release the events come from
    state_zh: list[str] = field(default_factory=list)  # the same state, Chinese prose
    ram: str | None = None                             # --ram, when not the kind's default
    pae: bool = False                                  # --pae: the machine is a PAE one

    def state_in(self, lang: str = "en") -> list[str]:
        """The printed state in ``lang`` (the numbers are the same in both)."""
        return self.state_zh if lang == "zh" and self.state_zh else self.state

    def working(self, index: int, fmt: Any = None) -> str:
        """The working of answer ``index``: its line, or its events through ``fmt(event,
        kernel)`` (the app passes widgets.notation.event_text; bare: event.describe())."""
        line = self.worked[index] if index < len(self.worked) else ""
        if line or index >= len(self.events):
            return line
        fmt = fmt or (lambda e, kernel: e.describe())
        return "; ".join(fmt(e, self.kernel) for e in self.events[index])

    def text(self, lang: str = "en", with_answers: bool = False, fmt: Any = None) -> str:
        command = (f"mmviz quiz {self.kind} --seed {self.seed}" + (f" --ram {self.ram}" if self.ram else "")
                   + (" --pae" if self.pae else ""))
        head = {"en": command, "zh": f"{command}（随机数种子 {self.seed}）"}[lang]
        out = [head, ""] + self.state_in(lang) + [""]
        out.append("Questions:" if lang == "en" else "问题：")
        for i, q in enumerate(self.questions):
            out.append(f"{i + 1}. {q[lang]}")
            if with_answers:
                answer = self.answers[i]
                out.append(f"   answer: {answer}" if lang == "en" else f"   答：{walk_answer(answer, lang)}")
                working = self.working(i, fmt)
                if working:
                    out.append(f"      {walk_answer(working, lang)}")
        if not with_answers:
            out += ["", "(-c prints the answers)" if lang == "en" else "（加 -c 显示答案）"]
        return "\n".join(out) + "\n"

    def check(self, index: int, reply: str) -> bool:
        """Is ``reply`` the engine's answer to question ``index``?  Numbers may be typed in
        hex (0x1a0, or 1a0 where the answer is shown in hex) or decimal; a page fault is
        any reply naming a fault; zone names with or without ZONE_; case never matters."""
        return answer_matches(self.answers[index], reply)


def answer_matches(answer: str, reply: str) -> bool:
    """The comparison :meth:`Problem.check` uses (also for the TUI quiz screen)."""
    a, r = answer.strip().lower(), reply.strip().lower()
    if not r:
        return False
    if a.startswith("page fault"):
        return any(w in r for w in ("fault", "pf", "缺页"))
    try:
        value = int(a, 0)
    except ValueError:
        value = None
    if value is not None:
        candidates = []
        for base in (0, 16) if a.startswith("0x") else (0,):
            try:
                candidates.append(int(r, base))
            except ValueError:
                pass
        return value in candidates
    strip = (lambda t: t[5:] if t.startswith("zone_") else t)
    return strip(r) == strip(a) or ("/" in a and r == a.rsplit("/", 1)[-1])


# -- page walks: synthetic page tables, walked by the engine's MMU (problems_walk) -----

def walk_problem(seed: int, pae: bool = False, count: int = 5) -> Problem:
    rng = random.Random(seed)
    frames = Frames()
    size = 8 if pae else 4
    pages = rng.sample(range(0x100, 0x3000), 12)
    cr3 = (pages.pop() << 12) + (rng.randrange(0, 128) * 32 if pae else 0)
    entries: dict[int, int] = {}
    vaddrs = []
    top_n = 4 if pae else 1024
    for _ in range(2 if pae else 3):
        top = rng.randrange(top_n)
        if pae:
            pd = pages.pop() << 12
            entries[cr3 + top * 8] = pd | 1
            for _ in range(2):
                pdi = rng.randrange(512)
                pt = pages.pop() << 12
                entries[pd + pdi * 8] = pt | 0x63
                for _ in range(2):
                    pti = rng.randrange(512)
                    entries[pt + pti * 8] = (rng.randrange(0x100, 0xFFFFF) << 12) | 0x63
                    vaddrs.append((top << 30) | (pdi << 21) | (pti << 12) | rng.randrange(4096))
                vaddrs.append((top << 30) | (pdi << 21) | (rng.randrange(512) << 12) | rng.randrange(4096))
        else:
            pt = pages.pop() << 12
            entries[cr3 + top * 4] = pt | 0x67
            for _ in range(2):
                pti = rng.randrange(1024)
                entries[pt + pti * 4] = (rng.randrange(0x100, 0xFFFFF) << 12) | 0x67
                vaddrs.append((top << 22) | (pti << 12) | rng.randrange(4096))
            vaddrs.append((top << 22) | (rng.randrange(1024) << 12) | rng.randrange(4096))
    vaddrs.append(rng.randrange(1 << 32))                 # most likely a not-present PDE
    for paddr, value in entries.items():
        frames.write(paddr, value, size)
    mapped = [v for v in vaddrs if mmu_walk(frames, cr3, v, pae).fault is None]
    unmapped = [v for v in vaddrs if v not in mapped]
    asked = rng.sample(mapped, min(count - 2, len(mapped))) + rng.sample(unmapped, min(2, len(unmapped)))
    rng.shuffle(asked)
    split = "walk.split.pae" if pae else "walk.split"
    words = [(text("walk.head", zh, split=text(split, zh)[0]) + [f"CR3 = {cr3:#010x}"]
              + text("walk.mem", zh)) for zh in (False, True)]
    dump = [f"  {paddr:#010x}: {value:#0{2 + 2 * size}x}" for paddr, value in sorted(entries.items())]
    state, state_zh = words[0] + dump, words[1] + dump
    qs, ans, work = [], [], []
    for v in asked:
        qs.append({"en": f"Translate virtual address {v:#010x}: physical address, or page fault?",
                   "zh": f"翻译虚拟地址 {v:#010x}：物理地址是多少，还是缺页异常？"})
        a, w = describe_walk(mmu_walk(frames, cr3, v, pae))
        ans.append(a)
        work.append(w)
    return Problem("walk-pae" if pae else "walk", seed, state, qs, ans, work, state_zh=state_zh)


# -- machine problems: lesson steps whose asks the engine answers ---------------------

def _machine(kind: str, seed: int, ram: str | None, pae: bool) -> dict[str, Any]:
    """The lesson [machine] table of a kind's problem: MACHINES', with ``ram`` and ``pae``."""
    return {**MACHINES[kind], "seed": seed, **({"ram": ram} if ram else {}), **({"pae": True} if pae else {})}


def _machine_words(kind: str, ram: str | None, pae: bool) -> str:
    """"a 2G PAE machine", as ProblemError names it."""
    return f"a {ram or MACHINES[kind]['ram']}{' PAE' if pae else ''} machine"


def _play(kind: str, seed: int, ram: str | None, setup: list[dict], asked: list[dict],
          state_of: Any, pae: bool = False) -> Problem:
    """Boot the kind's machine (MACHINES; ``ram`` and ``pae`` if given), apply ``setup``, print
    the state (``state_of(machine, names)``), then the ``asked`` steps, whose answers the engine
    gives.  ProblemError if the machine refuses ``ram`` or a step fails on it."""
    tl = _timeline(kind, seed, ram, setup + asked, pae)
    tl.jump(len(setup))
    _check_steps(kind, ram, tl.results, pae)
    state, state_zh = state_of(tl.machine, tl.env)
    qs, ans, events, kernel = [], [], [], "6.1"
    while (r := tl.step()) is not None:
        _check_steps(kind, ram, [r], pae)
        qs.append(dict(r.question.text))
        ans.append(r.question.shown)
        events.append(list(r.events[:6]))
        kernel = r.kernel or kernel
    return Problem(kind, seed, state, qs, ans, [""] * len(ans), events, kernel, state_zh, ram, pae)


def _refuse(kind: str, ram: str | None, pae: bool) -> None:
    """ProblemError if the kind's machine with ``ram`` is one boot() would refuse."""
    if ram:
        from .validate_args import check_machine
        refused = check_machine({"ram": ram, "kernel": MACHINES[kind]["kernel"], "pae": pae})
        if refused:
            raise ProblemError(f"{kind} on {_machine_words(kind, ram, pae)}: {refused}")


def _timeline(kind: str, seed: int, ram: str | None, steps: list[dict], pae: bool = False) -> Any:
    import engine

    from .timeline import Timeline
    for st in steps:
        st.setdefault("say", {"en": "-", "zh": "-"})
    machine = _machine(kind, seed, ram, pae)
    _refuse(kind, ram, pae)
    lesson = _build(f"problem-{kind}-{seed}", {"en": kind, "zh": kind}, {"en": "-", "zh": "-"},
                    machine, steps)
    try:
        return Timeline(lesson)
    except engine.ConfigError as err:            # a RAM this kernel cannot boot
        raise ProblemError(f"{kind} on {_machine_words(kind, ram, pae)}: {err}") from None


def _check_steps(kind: str, ram: str | None, results: list, pae: bool = False) -> None:
    """A seeded step that failed (out of memory on a small machine): ProblemError."""
    for r in results:
        tolerated = r.step.repeat is not None and r.step.repeat.on_error == "continue"
        if r.error is not None and not tolerated:
            raise ProblemError(f"{kind} on {_machine_words(kind, ram, pae)}: {r.step.op.name} "
                               f"fails: {r.error_message} (give more RAM; the default is "
                               f"{MACHINES[kind]['ram']})")


def _free_lists(m: Machine, zone: str, zh: bool = False) -> list[str]:
    z = next(z for z in m.zones if z.name == zone)
    out = text("buddy.head", zh, zone=zone)
    for order in range(len(z.nr_free)):
        pfns = " ".join(f"{p:#x}" for p in z.free_list(order)) or "-"
        out += text("buddy.order", zh, order=order, pfns=pfns)
    return out + text("buddy.tail", zh)


def buddy_problem(seed: int, count: int = 5, ram: str | None = None, pae: bool = False) -> Problem:
    rng = random.Random(seed)
    setup = [{"do": "alloc_pages", "gfp": "GFP_DMA", "order": rng.choice([0, 1, 2, 3, 5]),
              "as": f"s{i}"} for i in range(6)]
    for i in rng.sample(range(6), 3):
        setup.append({"do": "free_pages", "pfn": f"s{i}", "order": setup[i]["order"]})
    asked = []
    live = []
    for k in range(count):
        if live and rng.random() < 0.4:
            name, order = live.pop(rng.randrange(len(live)))
            asked.append({"do": "free_pages", "pfn": name, "order": order, "ask": {
                "en": f"__free_pages(pfn_to_page({name}), {order}): up to which order does it merge?",
                "zh": f"__free_pages(pfn_to_page({name}), {order})（{order} 阶）：最终合并到几阶？",
                "answer": "merged_to"}})
        else:
            order = rng.choice([0, 1, 2, 3])
            name = f"q{k}"
            live.append((name, order))
            asked.append({"do": "alloc_pages", "gfp": "GFP_DMA", "order": order, "as": name, "ask": {
                "en": f"{name} = page_to_pfn(alloc_pages(GFP_DMA, {order})): which pfn?",
                "zh": f"{name} = page_to_pfn(alloc_pages(GFP_DMA, {order}))（{order} 阶）：返回哪个页框号？",
                "answer": "value"}})
    return _play("buddy", seed, ram, setup, asked, pae=pae, state_of=
                 lambda m, names: (_free_lists(m, "DMA"), _free_lists(m, "DMA", zh=True)))


def slab_problem(seed: int, count: int = 4, ram: str | None = None, pae: bool = False) -> Problem:
    rng = random.Random(seed)
    size = rng.choice([24, 40, 72, 100, 136, 200, 300, 520])
    setup = [{"do": "kmem_cache_create", "name": "quiz_cache", "size": size},
             {"do": "kmem_cache_alloc", "name": "quiz_cache", "as": "first"}]
    asked = []
    for k in range(count):
        asked.append({"do": "kmem_cache_alloc", "name": "quiz_cache", "ask": {
            "en": f"allocation {k + 2} from quiz_cache: which address?",
            "zh": f"从 quiz_cache 的第 {k + 2} 次分配：返回哪个地址？", "answer": "value"}})
    sizes = rng.sample([20, 96, 100, 129, 192, 200, 1000, 3000, 5000], 2)
    for n in sizes:
        asked.append({"do": "kmalloc", "size": n, "ask": {
            "en": f"kmalloc({n}, GFP_KERNEL): which cache?", "zh": f"kmalloc({n}, GFP_KERNEL)：用哪个缓存？",
            "answer": "cache"}})

    def state(m: Machine, names: dict) -> tuple[list[str], list[str]]:
        first = int(names["first"])
        line = next(l for l in m.proc("/proc/slabinfo").splitlines() if l.startswith("quiz_cache "))
        return tuple(text("slab.head", zh, size=size) + ["  " + " ".join(line.split())]  # type: ignore
                     + text("slab.cols", zh) + text("slab.first", zh, first=first)
                     for zh in (False, True))
    p = _play("slab", seed, ram, setup, asked, state, pae=pae)
    p.events = []                               # the answers are values: no working shown
    return p


def watermark_fill(m: Machine, rng: random.Random) -> tuple[int, int]:
    """(order, count): the GFP_HIGHUSER blocks that bring the zone it takes first (HighMem, or
    Normal on a machine without one) to its watermarks: the zone's free pages in blocks of that
    order, less 1 to 19 (seeded; on a 1 GB machine 1005..1023 order-5 blocks of HighMem's 128
    MB).  The order is 5, or the smallest above whose count fits in one step (MAX_REPEAT), at
    most MAX_ORDER - 1 (10): past 40 GB of HighMem the count takes several steps."""
    from engine.zone import MAX_ORDER

    from .model import MAX_REPEAT
    zone = [z for z in m.zones if z.present][-1]
    order = 5
    while (zone.free_pages >> order) + 1 > MAX_REPEAT and order < MAX_ORDER - 1:
        order += 1
    top = (zone.free_pages >> order) + 1
    return order, rng.randrange(max(1, top - 19), top)


def _booted(kind: str, seed: int, ram: str | None, pae: bool) -> Machine:
    """The kind's machine as its problem boots it, before any step (ProblemError if refused)."""
    import engine
    _refuse(kind, ram, pae)
    try:
        return engine.Machine.boot(**_machine(kind, seed, ram, pae))
    except engine.ConfigError as err:            # a RAM this kernel cannot boot
        raise ProblemError(f"{kind} on {_machine_words(kind, ram, pae)}: {err}") from None


def watermark_problem(seed: int, count: int = 4, ram: str | None = None, pae: bool = False) -> Problem:
    rng = random.Random(seed)
    from .model import MAX_REPEAT
    order, fill = watermark_fill(_booted("watermark", seed, ram, pae), rng)
    setup = [{"do": "alloc_pages", "gfp": "GFP_HIGHUSER", "order": order,
              "repeat": min(MAX_REPEAT, fill - done), "on_error": "continue"}
             for done in range(0, fill, MAX_REPEAT)]
    asked = []
    for k in range(count):
        gfp = rng.choice(["GFP_HIGHUSER", "GFP_KERNEL", "GFP_HIGHUSER", "GFP_ATOMIC"])
        order = rng.choice([0, 0, 3, 5])
        asked.append({"do": "alloc_pages", "gfp": gfp, "order": order, "ask": {
            "en": f"alloc_pages({gfp}, {order}): which zone serves it?",
            "zh": f"alloc_pages({gfp}, {order})（{order} 阶）：由哪个管理区满足？", "answer": "zone"}})

    def state(m: Machine, names: dict) -> tuple[list[str], list[str]]:
        zones = [f"  {z.name:<8} free {z.free_pages:>6}  min {z.watermark_min:>5}  "
                 f"low {z.watermark_low:>5}  high {z.watermark_high:>5}  "
                 f"lowmem_reserve {list(z.lowmem_reserve)}" for z in m.zones]
        buddyinfo = ["  " + line for line in m.proc("/proc/buddyinfo").splitlines()]
        high = any(z.name == "HighMem" and z.present for z in m.zones)
        return tuple(text("wm.head", zh, ram=ram_text(m.config.ram),  # type: ignore
                          pae=text("wm.pae", zh)[0] if m.config.pae else "") + zones
                     + text("wm.zonelists" if high else "wm.nohigh", zh) + text("wm.rule", zh) + buddyinfo
                     for zh in (False, True))
    return _play("watermark", seed, ram, setup, asked, state, pae=pae)


def vma_problem(seed: int, count: int = 5, ram: str | None = None, pae: bool = False) -> Problem:
    """Which VMA holds an address (the ``vma`` fact of a walk step)."""
    rng = random.Random(seed)
    setup: list[dict] = [{"do": "spawn", "name": "quiz", "as": "p"}]
    for _ in range(2):
        setup.append({"do": "mmap", "pid": "p", "length": rng.choice(["8K", "16K", "64K"]),
                      "prot": rng.choice(["rw-", "r--"])})
    setup.append({"do": "sbrk", "pid": "p", "delta": "16K"})
    probes = [0x08048000 + rng.randrange(0x1000), 0x0804a000 + rng.randrange(0x4000),
              0x40000000 + rng.randrange(0x20000), 0x30000000, 0xbffff000 + rng.randrange(0x1000),
              0x40000000 + rng.randrange(0x1000)]
    asked = [{"do": "walk", "vaddr": f"{v:#x}", "pid": "p", "ask": {
        "en": f"address {v:#010x}: which VMA holds it (path, [heap], [stack], anon, or none)?",
        "zh": f"地址 {v:#010x}：在哪个 VMA 里（路径、[heap]、[stack]、anon，或 none）？",
        "answer": "vma"}} for v in rng.sample(probes, min(count, len(probes)))]

    def state(m: Machine, names: dict) -> tuple[list[str], list[str]]:
        maps = ["  " + l for l in m.proc("/proc/1/maps").splitlines()]
        return text("vma.head") + maps, text("vma.head", True) + maps
    p = _play("vma", seed, ram, setup, asked, state, pae=pae)
    p.events = []                               # the walk's steps say nothing about VMAs
    return p


def problem(kind: str, seed: int = 1, count: int | None = None, ram: str | None = None,
            pae: bool = False) -> Problem:
    """The seeded problem of ``kind`` (about ``count`` questions, each kind has a default) on
    its machine (MACHINES) with ``ram`` of RAM if given, PAE if ``pae``; ValueError for an
    unknown kind, or a ``ram`` or ``pae`` for a kind that boots no machine (walk-pae is PAE
    already), ProblemError if the steps fail on that machine."""
    makers = {"buddy": buddy_problem, "walk": walk_problem,
              "walk-pae": lambda s, **k: walk_problem(s, pae=True, **k), "slab": slab_problem,
              "watermark": watermark_problem, "vma": vma_problem}
    if kind not in makers:
        raise ValueError(f"unknown quiz kind {kind!r} (one of {', '.join(KINDS)})")
    if ram is not None and kind not in MACHINES:
        raise ValueError(f"quiz {kind} boots no machine: --ram is for {', '.join(MACHINES)}")
    if pae and kind not in MACHINES and kind != "walk-pae":
        raise ValueError(f"quiz {kind} boots no machine: --pae is for {', '.join(MACHINES)} "
                         f"(walk-pae is the PAE walk)")
    machine = {**({"ram": ram} if ram else {}), **({"pae": True} if pae and kind in MACHINES else {})}
    return makers[kind](seed, **({"count": count} if count else {}), **machine)


def parse_entries(text: str) -> dict[int, int]:
    """``"0xffff1000=0xf0f02007, 0xf0f02800=0xff005007"`` -> {paddr: value}."""
    out = {}
    for item in text.replace(";", ",").split(","):
        if item.strip():
            a, _, b = item.partition("=")
            out[int(a.strip(), 0)] = int(b.strip(), 0)
    return out


__all__ = ["ALL_KINDS", "KINDS", "MACHINES", "Problem", "ProblemError", "answer_matches", "exercise", "parse_entries", "problem"]
