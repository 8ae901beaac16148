"""Review P-10: every lesson has a "real 6.1 machine" step that shows, beside mmviz's own file,
what a real Debian 12 i386 kernel printed, and the lines shown really are the capture's."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import engine
from scenarios import Timeline, all_lessons
from scenarios.captures import CAPTURES, ROOT, Capture, picked, render
from scenarios.exhibits import EXHIBITS, listing
from scenarios.library import is_bundled
from widgets.errata import teaching_text

GROUND = Path(__file__).parent / "groundtruth"
SIZES = {"64M": 64, "160M": 160, "1G": 1024}
LESSONS = [les for les in all_lessons() if is_bundled(les.path)]


def _comparisons(les):
    return [(i, s) for i, s in enumerate(les.steps)
            if s.listing and isinstance(EXHIBITS[s.listing][2], Capture)]


@pytest.mark.parametrize("les", LESSONS, ids=lambda les: les.id)
def test_every_lesson_has_a_real_machine_step_on_a_machine_of_the_same_size(les):
    steps = _comparisons(les)
    assert steps, f"{les.id}: no step shows a real 6.1 capture"
    tl = Timeline(les)
    for i, step in steps:
        tl.jump(i + 1)
        cap = CAPTURES[step.listing]
        ram = re.search(r"(\d+[MG])$", cap.config).group(1)
        m = tl.machine
        assert m.config.ram >> 20 == SIZES[ram], (les.id, i + 1, m.config.ram, cap.config)
        assert m.config.pae == ("pae" in cap.config), (les.id, i + 1)
        for lang in ("en", "zh"):               # says what is equal, what differs, and whose lines
            text = step.narration(lang)
            assert "6.1" in text, (les.id, lang)
            if m.config.flavour.release.startswith("2.6.24"):
                assert "2.6.24" in text, (les.id, i + 1, lang)


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_shown_lines_are_the_captures_own_lines_in_order(name):
    cap = CAPTURES[name]
    for part in cap.parts:
        real = [line.rstrip() for line in (GROUND / cap.config / part.file).read_text().splitlines()]
        shown = picked(part, cap.config)
        assert shown, (name, part.file)
        pos = 0
        for line in shown:                      # a subsequence of the real file
            assert line in real[pos:], (name, part.file, line)
            pos = real.index(line, pos) + 1
    for lang in ("en", "zh"):                  # and the listing shows exactly those, marked apart
        lines = render(cap, lang).splitlines()
        mine = [line for line in lines if line.startswith("$ ") or line[:1] in "(（"]
        assert len(mine) == len(cap.parts) + bool(cap.note_en), (name, mine)
        assert [line for line in lines if line not in mine] == [x for p in cap.parts for x in picked(p, cap.config)]


def test_the_packaged_captures_are_the_ground_truth_byte_for_byte():
    files = sorted(ROOT.glob("*/*.txt"))
    assert {f"{c.config}/{p.file}" for c in CAPTURES.values() for p in c.parts} == \
        {f"{f.parent.name}/{f.name}" for f in files}          # no unused copy either
    for f in files:
        assert f.read_bytes() == (GROUND / f.parent.name / f.name).read_bytes(), f


def test_no_capture_is_pasted_into_a_lesson_or_a_static_exhibit():
    real = {line.strip() for d in GROUND.iterdir() if d.is_dir() for f in d.glob("*.txt")
            for line in f.read_text().splitlines() if len(line.strip()) > 24}
    texts = [t for _, _, t in EXHIBITS.values() if isinstance(t, str)]
    texts += [Path(les.path).read_text() for les in LESSONS]
    pasted = [line.strip() for t in texts for line in t.splitlines() if line.strip() in real]
    assert not pasted, pasted


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lesson_pane_and_text_mode_show_the_capture(capsys, lang):
    from app.cli import main
    les = next(les for les in LESSONS if les.id == "zones-gfp")
    i, step = _comparisons(les)[-1]
    line = next(x for x in render(CAPTURES[step.listing]).splitlines() if "min_free_kbytes" in x)
    assert line in teaching_text(step, lang).plain
    assert main(["run", "zones-gfp", "--text", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert f"│ {line}" in out and listing(step.listing, lang)[0] in out


def test_the_equal_numbers_the_narration_claims_are_equal():
    """memory-map and zones-gfp say some numbers are the real machine's exactly."""
    def meminfo(text):
        return {k: int(v.split()[0]) for k, v in re.findall(r"^(\w+):\s+(.*)$", text, re.M)}
    m = engine.Machine.boot(ram="1G", kernel="6.1")
    real = meminfo((GROUND / "686-1G" / "meminfo.txt").read_text())
    mine = meminfo(m.proc("/proc/meminfo"))
    assert mine["VmallocTotal"] == real["VmallocTotal"] and mine["HighTotal"] == real["HighTotal"]
    assert real["LowTotal"] == mine["LowTotal"] and real["MemTotal"] == mine["MemTotal"]
    kcore = (GROUND / "686-1G" / "kcoredump.txt").read_text()
    assert f"0x{m.layout.vmalloc_start:08x}" in kcore
    assert f"0x{m.layout.high_memory - m.layout.page_offset:08x}" in kcore


def test_status_prints_vmswap_only_from_2_6_34():
    for kernel, has in (("2.6", False), ("2.6.33", False), ("2.6.34", True), ("6.1", True)):
        m = engine.Machine.boot(ram="160M", kernel=kernel)
        p = m.spawn("mmaptest")
        assert ("\nVmSwap:\t" in m.proc(f"/proc/{p.pid}/status")) == has, kernel
