"""``mmviz quiz KIND --ram SIZE``: the RAM of the machine a problem boots (buddy, slab,
watermark, vma), its state and answers the engine's on that machine; refused in one line for
the kinds that boot none (walk, walk-pae, exercise); steps that fail on a small machine are one
line and exit 2, never a traceback -- printed and --interactive alike, in English and Chinese."""
from __future__ import annotations

import io
import random
import re

import pytest

import engine
from app.cli import main
from scenarios.problems import MACHINES, ProblemError, problem, watermark_fill

ZONE = re.compile(r"\s+(\w+)\s+free\s+\d+\s+min\s+(\d+)\s+low\s+(\d+)\s+high\s+(\d+)")


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args) if "--lang" in args else ["--lang", "en", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    return code, out, err


@pytest.mark.parametrize("interactive", [[], ["--interactive"]])
def test_watermark_ram_shows_that_machines_watermarks(capsys, monkeypatch, interactive):
    code, default, _ = run(capsys, monkeypatch, "quiz", "watermark", "--seed", "3", *interactive,
                           stdin="x\n" * 9)
    assert code == 0
    code, out, err = run(capsys, monkeypatch, "quiz", "watermark", "--seed", "3", "--ram", "2G",
                         *interactive, stdin="x\n" * 9)
    assert code == 0 and err == "" and out != default
    assert out.startswith("mmviz quiz watermark --seed 3 --ram 2G\n") and "Linux 2.6.24, 2 GB." in out
    shown = {m[1]: tuple(map(int, m.groups()[1:])) for m in ZONE.finditer(out)}
    m = engine.Machine.boot(ram="2G", kernel=MACHINES["watermark"]["kernel"])
    booted = {z.name: (z.watermark_min, z.watermark_low, z.watermark_high) for z in m.zones if z.present}
    assert shown == booted and "HighMem" in shown
    assert shown != {m[1]: tuple(map(int, m.groups()[1:])) for m in ZONE.finditer(default)}


@pytest.mark.parametrize("ram, pae", [("2G", False), ("900M", False), ("512M", False), ("4G", True)])
def test_watermark_answers_are_the_engines_at_that_ram(ram, pae):
    """The zones answered are those alloc_pages() returns on a machine of that RAM, filled as the
    problem fills it (its seeded count of GFP_HIGHUSER blocks, sized from the zone they come
    from), and the fill brings that zone to its watermarks at any RAM."""
    for seed in (1, 3):
        p = problem("watermark", seed, ram=ram, pae=pae)
        m = engine.Machine.boot(ram=ram, kernel=MACHINES["watermark"]["kernel"], seed=seed, pae=pae)
        order, fill = watermark_fill(m, random.Random(seed))
        for _ in range(fill):
            try:
                m.alloc_pages("GFP_HIGHUSER", order)
            except engine.KernelError:
                pass
        top = [z for z in m.zones if z.present][-1]
        assert top.free_pages < top.watermark_high + (20 << order), (ram, top.free_pages)
        zones = []
        for q in p.questions:
            gfp, order = re.match(r"alloc_pages\((\w+), (\d+)\)", q["en"]).groups()
            zones.append(m.pfn_zone(m.alloc_pages(gfp, int(order))))
        assert p.answers == zones


def test_slab_ram_gives_that_machines_addresses(capsys, monkeypatch):
    _, default, _ = run(capsys, monkeypatch, "quiz", "slab", "--seed", "2", "-c")
    code, out, _ = run(capsys, monkeypatch, "quiz", "slab", "--seed", "2", "-c", "--ram", "512M")
    first = re.search(r"allocated at (0x[0-9a-f]+)", out)[1]
    assert code == 0 and first != re.search(r"allocated at (0x[0-9a-f]+)", default)[1]
    assert problem("slab", 2, ram="512M").answers[0] in out
    direct = engine.Machine.boot(ram="512M").config.ram        # the slab's lowmem is that machine's
    assert direct == 512 << 20 and int(first, 16) < 0xC0000000 + direct


def test_the_default_ram_is_the_kinds_machine():
    for kind, machine in MACHINES.items():
        given, default = problem(kind, 5, ram=machine["ram"]), problem(kind, 5)
        assert given.answers == default.answers and given.state == default.state
        assert default.text().splitlines()[0] == f"mmviz quiz {kind} --seed 5"


@pytest.mark.parametrize("lang, words", [("en", "--ram is for the kinds that boot a machine "
                                          "(buddy, slab, watermark, vma); {kind} boots none"),
                                         ("zh", "--ram 只用于启动一台机器的题型")])
@pytest.mark.parametrize("kind", ["walk", "walk-pae", "exercise"])
@pytest.mark.parametrize("interactive", [[], ["--interactive"]])
def test_ram_is_refused_for_kinds_that_boot_no_machine(capsys, monkeypatch, lang, words, kind,
                                                        interactive):
    code, out, err = run(capsys, monkeypatch, "--lang", lang, "quiz", kind, "--ram", "1G", *interactive)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert words.format(kind=kind) in err and kind in err
    with pytest.raises(ValueError):
        problem(kind, 1, ram="1G")


@pytest.mark.parametrize("interactive", [[], ["--interactive"]])
def test_watermark_on_a_small_machine_fills_that_machine(capsys, monkeypatch, interactive):
    """The fill is sized from the machine booted: on 64M (no HighMem) it fills Normal to its
    watermarks, where a fill sized for 1G failed every allocation after the first ~240."""
    code, out, err = run(capsys, monkeypatch, "quiz", "watermark", "--ram", "64M", *interactive,
                         stdin="x\n" * 9)
    assert code == 0 and err == "" and "no HighMem" in out
    p = problem("watermark", 1, ram="64M")
    normal = next(line for line in p.state if line.split()[:1] == ["Normal"])
    free, low = int(normal.split()[2]), int(normal.split()[6])
    assert free < low + 20 * 32, normal


def test_ram_the_kinds_kernel_refuses_is_refused_by_that_kernel(capsys, monkeypatch):
    """vma's machine runs 2.6, which boots 16M; buddy's runs 6.1, whose image ends at 31M."""
    code, out, _ = run(capsys, monkeypatch, "quiz", "vma", "--ram", "16M")
    assert code == 0 and "--ram 16M" in out
    code, out, err = run(capsys, monkeypatch, "quiz", "buddy", "--ram", "16M")
    assert code == 2 and out == "" and err.startswith("mmviz quiz: --ram: 16M is too small for this kernel")


def test_watermark_fill_at_1g_is_the_fill_the_problems_always_had():
    m = engine.Machine.boot(ram="1G", kernel=MACHINES["watermark"]["kernel"])
    for seed in range(1, 20):
        assert watermark_fill(m, random.Random(seed)) == (5, random.Random(seed).randrange(1005, 1024))


def test_no_highmem_is_said_in_the_state_and_the_zonelists_follow():
    """A machine without HighMem says so, and its zonelists name no HighMem (the state said both
    "no HighMem" and "GFP_HIGHUSER HighMem, Normal, DMA")."""
    for lang in ("en", "zh"):
        small, big = problem("watermark", 2, ram="512M").state_in(lang), problem("watermark", 2).state_in(lang)
        zonelists = [line for line in small if "GFP_HIGHUSER" in line]
        assert len(zonelists) == 1 and "HighMem" in zonelists[0] and "HighMem、" not in zonelists[0]
        assert "HighMem, Normal" not in zonelists[0]
        assert not any("no HighMem" in line or "没有 HighMem" in line for line in big)


def test_the_state_names_a_pae_machine():
    assert problem("watermark", 3, ram="2G", pae=True).state[0].startswith("Linux 2.6.24, 2 GB, PAE. ")
    assert problem("watermark", 3, ram="2G", pae=True).state_zh[0].startswith("Linux 2.6.24，2 GB，PAE。")
    assert problem("watermark", 3, ram="2G").state[0].startswith("Linux 2.6.24, 2 GB. ")


@pytest.mark.parametrize("kind", sorted(MACHINES))
def test_pae_gives_a_pae_machine(capsys, monkeypatch, kind):
    """``quiz KIND --pae`` boots the kind's machine with PAE: its state is that machine's (a PAE
    machine has less lowmem: another direct map, other watermarks), the command line says it."""
    code, out, err = run(capsys, monkeypatch, "quiz", kind, "--seed", "4", "--ram", "2G", "--pae")
    assert code == 0 and err == "", err
    assert out.startswith(f"mmviz quiz {kind} --seed 4 --ram 2G --pae\n")
    p, plain = problem(kind, 4, ram="2G", pae=True), problem(kind, 4, ram="2G")
    assert p.pae and not plain.pae and p.text() == out


def test_pae_watermark_state_is_the_pae_machines():
    p = problem("watermark", 5, ram="2G", pae=True)
    m = engine.Machine.boot(ram="2G", kernel=MACHINES["watermark"]["kernel"], pae=True)
    shown = {x[1]: tuple(map(int, x.groups()[1:])) for x in ZONE.finditer("\n".join(p.state))}
    assert shown == {z.name: (z.watermark_min, z.watermark_low, z.watermark_high) for z in m.zones if z.present}


@pytest.mark.parametrize("lang, words", [
    ("en", "mmviz quiz: --pae: walk is the 10/10/12 walk; quiz walk-pae is the PAE one (2/9/9/12)"),
    ("zh", "mmviz quiz：--pae：walk 是 10/10/12 的页表遍历；PAE 的是 quiz walk-pae（2/9/9/12）")])
def test_pae_for_the_plain_walk_is_refused_in_one_line(capsys, monkeypatch, lang, words):
    code, out, err = run(capsys, monkeypatch, "--lang", lang, "quiz", "walk", "--pae")
    assert code == 2 and out == "" and err.strip().splitlines() == [words]
    with pytest.raises(ValueError):
        problem("walk", 1, pae=True)
    assert problem("walk-pae", 1, pae=True).answers == problem("walk-pae", 1).answers


def test_watermark_at_64g_pae_fills_highmem_in_several_steps():
    """Past 40 GB of HighMem even order-10 blocks outnumber one step's MAX_REPEAT: the fill
    stays at order 10 over several steps (it asked for order 11 and failed) and still brings
    HighMem below its low watermark."""
    m = engine.Machine.boot(ram="64G", kernel=MACHINES["watermark"]["kernel"], seed=1, pae=True)
    order, fill = watermark_fill(m, random.Random(1))
    assert order == 10 and fill > 10_000
    p = problem("watermark", 1, ram="64G", pae=True)
    high = re.search(r"HighMem +free +(\d+) +min +\d+ +low +(\d+)", "\n".join(p.state))
    assert high and int(high[1]) < int(high[2]) and len(p.answers) == len(p.questions) > 0
