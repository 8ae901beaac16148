"""mmviz record: asciicast v2 files that replay to the lesson's last screen, byte-identical."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pyte = pytest.importorskip("pyte")

from app.record import record_cast, record_svg  # noqa: E402
from scenarios import Timeline, find_lesson  # noqa: E402


def replay(cast: Path) -> tuple[dict, list, "pyte.Screen"]:
    lines = cast.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    events = [json.loads(line) for line in lines[1:]]
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    for t, code, data in events:
        if code == "o":
            stream.feed(data)
    return header, events, screen


@pytest.fixture(scope="module")
def casts(tmp_path_factory):
    d = tmp_path_factory.mktemp("casts")
    a, b = d / "a.cast", d / "b.cast"
    n = record_cast("memory-map", a, "en", (160, 50), 2.5, progress=False)
    record_cast("memory-map", b, "en", (160, 50), 2.5, progress=False)
    return n, a, b


def test_header_and_events_follow_asciicast_v2(casts):
    n, a, _ = casts
    header, events, _ = replay(a)
    assert header["version"] == 2 and header["width"] == 160 and header["height"] == 50
    assert set(header["env"]) <= {"TERM", "SHELL"}
    times = [e[0] for e in events]
    assert times == sorted(times) and all(isinstance(t, float) for t in times)
    assert all(e[1] in ("o", "m") and isinstance(e[2], str) for e in events)
    markers = [e for e in events if e[1] == "m"]
    assert len(markers) == n + 1                 # the start and one per step
    assert markers[-1][2].startswith(f"{n}: ")


def test_two_recordings_are_byte_identical(casts):
    _, a, b = casts
    assert a.read_bytes() == b.read_bytes()


def test_recording_does_not_depend_on_timing(casts, tmp_path, monkeypatch):
    """A starved process (a loaded machine): Textual's idle detection sees no CPU use and the
    screen's 60 Hz update timer never fires on its own.  Frames must not change: settle()
    waits for the work left, not for time (the Footer, built by a recompose after a refresh,
    was once missing from frame 0 under load)."""
    import textual._wait
    import textual.screen

    class Late:                          # a timer whose callback never comes in time
        def resume(self):
            pass

        pause = stop = resume

    monkeypatch.setattr(textual._wait, "process_time", lambda: 0.0)
    monkeypatch.setattr(textual.screen.Screen, "_update_timer", property(lambda self: Late()))
    _, a, _ = casts
    starved = tmp_path / "starved.cast"
    record_cast("memory-map", starved, "en", (160, 50), 2.5, progress=False)
    assert starved.read_bytes() == a.read_bytes()


def test_final_screen_shows_last_narration_and_addresses(casts):
    n, a, _ = casts
    _, _, screen = replay(a)
    text = "\n".join(screen.display)
    tl = Timeline(find_lesson("memory-map"))
    tl.jump(len(tl))
    last = tl.current.narration("en").split()
    assert " ".join(last[:3]) in " ".join(text.split())
    assert f"step {n}/{n}" in text
    assert "0xc0000000" in text or "c0000000" in text


def test_chinese_recording(tmp_path):
    out = tmp_path / "zh.cast"
    record_cast("buddy", out, "zh", (160, 50), 1.0, progress=False)
    _, _, screen = replay(out)
    text = "".join(screen.display).replace(" ", "")
    tl = Timeline(find_lesson("buddy"))
    tl.jump(len(tl))
    assert tl.current.narration("zh").replace(" ", "")[:6] in text


def test_svg_per_step_and_single_step(tmp_path):
    files = record_svg("memory-map", tmp_path / "svg", "en", (120, 40), only=3, progress=False)
    assert [f.name for f in files] == ["step-003.svg"]
    assert files[0].read_text().lstrip().startswith("<svg")


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_cli_record_and_errors(tmp_path):
    r = run_cli("record", "memory-map", "-o", str(tmp_path / "x.cast"), "--size", "120x40", "--quiet")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.cast").exists()
    for args in (["record", "memory-map", "-o", "/nonexistent-dir/x.cast"],
                 ["record", "memory-map"],
                 ["record", "memory-map", "-o", str(tmp_path / "y.cast"), "--size", "9x9"],
                 ["record", "no-such-lesson", "-o", str(tmp_path / "z.cast")]):
        r = run_cli(*args)
        assert r.returncode != 0
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.stderr


def test_cli_walk_text_and_json():
    r = run_cli("walk", "0xc2000000", "--ram", "1G")
    assert r.returncode == 0, r.stderr
    assert "PHYSICAL  0x02000000" in r.stdout and "4M page" in r.stdout     # 32 bits without PAE
    r = run_cli("walk", "0xc0100000", "--ram", "1G", "--pae", "--json")
    rec = json.loads(r.stdout)
    assert [s["level"] for s in rec["steps"]] == ["PDPTE", "PDE", "PTE"]
    assert rec["paddr"] == 0x100000
    r = run_cli("walk", "0xf8000000")
    assert "#PF" in r.stdout
    for bad in (["walk", "banana"], ["walk", "0x1ffffffff"], ["walk", "0x1000", "--pid", "7"]):
        r = run_cli(*bad)
        assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_cli_layout_json():
    r = run_cli("layout", "--ram", "1G", "--json")
    rec = json.loads(r.stdout)
    assert rec["high_memory"] == 0xF6BFE000 and rec["vmalloc_end"] == 0xFEBFE000
    r = run_cli("layout", "--ram", "1G", "--kernel", "2.6")
    assert "lowmem  : 0xc0000000 - 0xf8000000" in r.stdout


def test_cli_lesson_as_first_word():
    r = run_cli("buddy")                      # no terminal: the lesson plays as text
    assert r.returncode == 0 and "all expects passed" in r.stdout
    r = run_cli("no-such-lesson")
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("--ram", "1G", "--pae", "--text")
    assert "PAE" in r.stdout.splitlines()[0]


def test_physical_addresses_as_wide_as_the_mode():
    """Without PAE a physical address has 32 bits (8 hex digits), with PAE 36 (9); CR3 is a
    32-bit register in both modes.  The TUI's walk and the CLI's agree."""
    from rich.console import Console
    import engine
    from widgets.walk import walk_lines
    for pae, ram, digits in ((False, "1G", 8), (True, "8G", 9)):
        r = run_cli("walk", "0xc2000000", "--ram", ram, *(["--pae"] if pae else []))
        lines = r.stdout.splitlines()
        cr3 = next(l for l in lines if l.startswith("CR3")).split()[1]
        phys = next(l for l in lines if l.startswith("PHYSICAL")).split()[1]
        assert len(cr3) == 2 + 8 and len(phys) == 2 + digits, r.stdout
        m = engine.Machine.boot(ram=ram, pae=pae)
        w = m.walk(0xc2000000)
        console = Console(width=120, record=True, file=None)
        with console.capture() as cap:
            for line in walk_lines(0xc2000000, w, pae, m.cpu.cr3, 9, flavour=m.config.kernel):
                console.print(line)
        text = cap.get()
        assert f"CR3    {cr3}" in text and phys in text, text
