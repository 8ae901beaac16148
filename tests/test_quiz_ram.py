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
from scenarios.problems import MACHINES, ProblemError, problem

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


@pytest.mark.parametrize("ram", ["2G", "900M"])
def test_watermark_answers_are_the_engines_at_that_ram(ram):
    """The zones answered are those alloc_pages() returns on a machine of that RAM, filled as the
    problem fills it (its seeded count of order-5 GFP_HIGHUSER blocks)."""
    for seed in (1, 3):
        p = problem("watermark", seed, ram=ram)
        m = engine.Machine.boot(ram=ram, kernel=MACHINES["watermark"]["kernel"], seed=seed)
        for _ in range(random.Random(seed).randrange(1005, 1024)):
            try:
                m.alloc_pages("GFP_HIGHUSER", 5)
            except engine.KernelError:
                pass
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
def test_steps_failing_on_a_small_machine_are_one_line(capsys, monkeypatch, interactive):
    code, out, err = run(capsys, monkeypatch, "quiz", "watermark", "--ram", "64M", *interactive)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("mmviz quiz: watermark on a 64M machine: alloc_pages fails: ")
    assert "page allocation failure" in err and "the default is 1G" in err
    code, out, zh = run(capsys, monkeypatch, "--lang", "zh", "quiz", "watermark", "--ram", "64M", *interactive)
    assert code == 2 and out == "" and len(zh.splitlines()) == 1
    assert zh.startswith("mmviz quiz：watermark 题在 64M 内存的机器上：alloc_pages 失败：")
    assert "page allocation failure" in zh and "（请给更多内存；默认是 1G）" in zh   # the kernel's line as printed
    with pytest.raises(ProblemError):
        problem("watermark", 1, ram="64M")


def test_ram_the_kinds_kernel_refuses_is_refused_by_that_kernel(capsys, monkeypatch):
    """vma's machine runs 2.6, which boots 16M; buddy's runs 6.1, whose image ends at 31M."""
    code, out, _ = run(capsys, monkeypatch, "quiz", "vma", "--ram", "16M")
    assert code == 0 and "--ram 16M" in out
    code, out, err = run(capsys, monkeypatch, "quiz", "buddy", "--ram", "16M")
    assert code == 2 and out == "" and err.startswith("mmviz: --ram: 16M is too small for this kernel")
