"""OSTEP-style problems: the printed state alone determines every answer, which the engine gives."""
from __future__ import annotations

import re

import pytest

from app.cli import main
from scenarios.problems import KINDS, exercise, problem

SEEDS = [1, 2, 7]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_answers_only_with_c(capsys, kind, seed):
    assert main(["quiz", kind, "--seed", str(seed)]) == 0
    plain = capsys.readouterr().out
    assert "answer:" not in plain and "Questions:" in plain
    p = problem(kind, seed)
    for a in p.answers:
        assert "(cannot tell" not in a
    assert main(["quiz", kind, "--seed", str(seed), "-c"]) == 0
    worked = capsys.readouterr().out
    assert re.findall(r"^   answer: (.*)$", worked, re.M) == p.answers
    assert len(p.answers) >= 3


def _walk_by_hand(text: str, vaddr: int, pae: bool) -> str:
    """Translate from the printed problem alone, with the textbook formulas."""
    cr3 = int(re.search(r"CR3 = (0x[0-9a-f]+)", text).group(1), 16)
    mem = {int(a, 16): int(v, 16) for a, v in re.findall(r"^  (0x[0-9a-f]+): (0x[0-9a-f]+)$", text, re.M)}
    if pae:
        levels = [(cr3 & ~0x1F, vaddr >> 30, 8), (None, (vaddr >> 21) & 0x1FF, 8),
                  (None, (vaddr >> 12) & 0x1FF, 8)]
    else:
        levels = [(cr3 & ~0xFFF, vaddr >> 22, 4), (None, (vaddr >> 12) & 0x3FF, 4)]
    table = levels[0][0]
    for _, index, size in levels:
        entry = mem.get(table + index * size, 0)
        if not entry & 1:
            return "fault"
        table = entry & 0xFFFFF000 & ((1 << 52) - 1)
    return f"{table | (vaddr & 0xFFF):#x}"


@pytest.mark.parametrize("seed", range(1, 9))
@pytest.mark.parametrize("kind", ["walk", "walk-pae"])
def test_walk_problem_text_determines_the_answer(kind, seed):
    p = problem(kind, seed)
    text = p.text("en")
    faults = 0
    for q, a in zip(p.questions, p.answers):
        v = int(re.search(r"0x[0-9a-f]{8}", q["en"]).group(0), 16)
        mine = _walk_by_hand(text, v, kind == "walk-pae")
        faults += mine == "fault"
        assert (a.startswith("page fault") and mine == "fault") or a == mine, (q, a, mine)
    assert faults < len(p.answers)               # mostly real translations


@pytest.mark.parametrize("seed", SEEDS + [11, 12])
def test_buddy_problem_text_determines_the_answer(seed):
    p = problem("buddy", seed)
    text = p.text("en")
    free = {int(o): [int(x, 16) for x in rest.split()] if rest != "-" else []
            for o, rest in re.findall(r"^  order +(\d+): (.*)$", text, re.M)}
    names: dict[str, tuple[int, int]] = {}
    for q, a in zip(p.questions, p.answers):
        m = re.match(r"(\w+) = page_to_pfn\(alloc_pages\(GFP_DMA, (\d+)\)\)", q["en"])
        if m:
            k = int(m.group(2))
            j = min(o for o in free if o >= k and free[o])
            pfn = free[j].pop(0)
            while j > k:                          # keep the lower half, the upper goes down a list
                j -= 1
                free[j].insert(0, pfn + (1 << j))
            names[m.group(1)] = (pfn, k)
            assert a == f"{pfn:#x}", (q, a)
            continue
        m = re.match(r"__free_pages\(pfn_to_page\((\w+)\), (\d+)\)", q["en"])
        pfn, k = names.pop(m.group(1))
        while k < 10 and (pfn ^ (1 << k)) in free[k]:
            free[k].remove(pfn ^ (1 << k))
            pfn &= ~(1 << k)
            k += 1
        free[k].insert(0, pfn)
        assert a == str(k), (q, a)


@pytest.mark.parametrize("seed", SEEDS)
def test_vma_and_slab_problem_text_determines_the_answer(seed):
    p = problem("vma", seed)
    maps = re.findall(r"^  ([0-9a-f]{8})-([0-9a-f]{8}) \S+ \S+ \S+ \S+ *(.*)$", p.text("en"), re.M)
    for q, a in zip(p.questions, p.answers):
        v = int(re.search(r"0x[0-9a-f]{8}", q["en"]).group(0), 16)
        hit = [name.strip() or "anon" for s, e, name in maps if int(s, 16) <= v < int(e, 16)]
        assert a == (hit[0] if hit else "none"), (q, a)
    p = problem("slab", seed)
    text = p.text("en")
    first = int(re.search(r"allocated at (0x[0-9a-f]+)", text).group(1), 16)
    objsize, per = map(int, re.search(r"quiz_cache \d+ \d+ (\d+) (\d+)", text).groups())
    for q, a in zip(p.questions, p.answers):
        m = re.match(r"allocation (\d+)", q["en"])
        if m and int(m.group(1)) <= per:
            assert a == f"{first + (int(m.group(1)) - 1) * objsize:#x}"


def _serve_by_hand(text: str, gfp: str, order: int, zones: dict) -> str:
    """__zone_watermark_ok() (2.6.24) over the printed zonelist, from the printed numbers."""
    lists = {"GFP_HIGHUSER": ["HighMem", "Normal", "DMA"], "GFP_KERNEL": ["Normal", "DMA"],
             "GFP_ATOMIC": ["Normal", "DMA"]}[gfp]
    cls = ["DMA", "Normal", "HighMem"].index(lists[0])
    for slow in (False, True):
        for name in lists:
            z = zones[name]
            mark = z["min"] if slow else z["low"]
            if slow and gfp == "GFP_ATOMIC":
                mark -= mark // 2
                mark -= mark // 4
            free = z["free"] - ((1 << order) - 1)
            ok = free > mark + z["reserve"][cls]
            for j in range(order):
                if not ok:
                    break
                free -= z["nr"][j] << j
                mark >>= 1
                ok = free > mark
            if ok and any(z["nr"][o] for o in range(order, 11)):
                o = next(o for o in range(order, 11) if z["nr"][o])
                z["nr"][o] -= 1
                for j in range(order, o):
                    z["nr"][j] += 1
                z["free"] -= 1 << order
                return name
    return "none"


@pytest.mark.parametrize("seed", SEEDS + [3, 4, 5])
def test_watermark_problem_text_determines_the_answer(seed):
    p = problem("watermark", seed)
    text = p.text("en")
    zones = {}
    for name, free, mn, low, high, res in re.findall(
            r"^  (\w+) +free +(\d+) +min +(\d+) +low +(\d+) +high +(\d+) +lowmem_reserve \[([\d, ]+)\]",
            text, re.M):
        zones[name] = {"free": int(free), "min": int(mn), "low": int(low),
                       "reserve": [int(x) for x in res.split(",")]}
    for name, counts in re.findall(r"^  Node 0, zone +(\w+) +([\d ]+)$", text, re.M):
        zones[name]["nr"] = [int(x) for x in counts.split()]
    assert set(zones) == {"DMA", "Normal", "HighMem"}
    for q, a in zip(p.questions, p.answers):
        gfp, order = re.match(r"alloc_pages\((\w+), (\d+)\)", q["en"]).groups()
        assert _serve_by_hand(text, gfp, int(order), zones) == a, (seed, q["en"], a)


def test_textbook_exercise_case_14(capsys):
    """Field case 14: CR3 = 0xffff1000, translate 0x200ffc."""
    mem = {0xFFFF1000: 0xF0F02007, 0xF0F02800: 0xFF005007}
    answer, working = exercise(0xFFFF1000, mem, 0x200FFC)
    assert answer == "0xff005ffc"
    assert "PTE[0x200] at 0xf0f02800 = 0xff005007" in working
    assert main(["quiz", "exercise", "--cr3", "0xffff1000", "--vaddr", "0x200ffc",
                 "--mem", "0xffff1000=0xf0f02007, 0xf0f02800=0xff005007"]) == 0
    assert "=> 0xff005ffc" in capsys.readouterr().out
    answer, _ = exercise(0xFFFF1000, {0xFFFF1000: 0xF0F02006}, 0x200FFC)   # PDE not present
    assert answer.startswith("page fault")


@pytest.mark.parametrize("kind", KINDS)
def test_quiz_state_prose_is_chinese_in_zh_with_the_same_data(kind):
    """Every prose line of the printed state is Chinese in zh; the data lines (entries,
    free lists, /proc lines) are the same in both languages."""
    p = problem(kind, 2)
    zh, en = p.state_in("zh"), p.state_in("en")
    assert zh != en
    data = [l for l in en if l.startswith(("  0x", "  Node", "  quiz_cache", "CR3 =", "  DMA ",
                                           "  Normal ", "  HighMem ")) or l[2:10].isalnum()
            and l[10:11] == "-"]                            # entries, /proc lines, maps lines
    assert [l for l in zh if l in data] == data
    hexes = re.compile(r"0x[0-9a-f]+")
    assert hexes.findall("\n".join(zh)) == hexes.findall("\n".join(en))   # the same data
    prose = [l for l in zh if l not in en]
    assert prose and all(re.search(r"[\u4e00-\u9fff]", l) for l in prose), prose
    assert "\n".join(zh) in p.text("zh") and "\n".join(en) in p.text("en")
