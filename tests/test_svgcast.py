"""mmviz record -o L.svg: one animated SVG, a scene per step shown for its reading time."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.cells import cell_len

from app.reading import step_seconds
from browser import launch, need_chromium
from app.svgcast import record_animated_svg
from scenarios import Timeline, find_lesson

NS = {"s": "http://www.w3.org/2000/svg"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def zh_svg(tmp_path_factory):
    out = tmp_path_factory.mktemp("svg") / "buddy-zh.svg"
    n = record_animated_svg("buddy", out, "zh", (160, 48), progress=False)
    return n, out


def scenes(path: Path) -> tuple[ET.Element, list[ET.Element], dict[str, ET.Element]]:
    root = ET.parse(path).getroot()
    rows = {g.get("id"): g for g in root.iterfind(".//s:defs//s:g[@id]", NS)}
    return root, root.findall(".//s:g[@class='scene']", NS), rows


def scene_lines(scene: ET.Element, rows: dict[str, ET.Element]) -> list[str]:
    """The text of a scene, row by row (texts in x order), as a viewer would read it."""
    lines = []
    for use in scene.iterfind("s:use", NS):
        row = rows[use.get("href").lstrip("#")]
        texts = sorted(row.iterfind(".//s:text", NS), key=lambda t: float(t.get("x")))
        lines.append("".join(t.text or "" for t in texts).replace("\xa0", " "))
    return lines


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_one_scene_per_step_with_reading_times(zh_svg):
    n, path = zh_svg
    root, found, _ = scenes(path)
    assert [int(g.get("data-step")) for g in found] == list(range(n + 1))
    tl = Timeline(find_lesson("buddy"))
    clock = 0.0
    css = root.find("s:style", NS).text
    total = float(root.get("data-duration"))
    for i, g in enumerate(found):
        tl.jump(i)
        want = step_seconds(tl, "zh")
        assert float(g.get("data-start")) == pytest.approx(clock, abs=1e-3)
        assert float(g.get("data-duration")) == pytest.approx(want)
        # the keyframes make scene i visible exactly from its start to its end
        rule = re.search(rf"@keyframes step-{i} \{{(.*)\}}$", css, re.M)[1]
        stops = {round(float(p), 2): v for p, v in
                 re.findall(r"([\d.]+)% \{ visibility: (\w+) \}", rule)}
        assert stops[round(100 * clock / total, 2)] == "visible"
        end = round(100 * (clock + want) / total, 2)
        assert end >= 99.99 or stops[end] == "hidden"
        clock += want
    assert total == pytest.approx(clock, abs=1e-2)
    assert re.search(rf"animation-duration: {total:g}s", css)


def test_first_and_last_step_narration_in_their_scenes_with_cjk_intact(zh_svg):
    n, path = zh_svg
    _, found, rows = scenes(path)
    tl = Timeline(find_lesson("buddy"))
    for step in (1, n):
        tl.jump(step)
        text = flat("".join(scene_lines(found[step], rows)))
        assert flat(tl.current.narration("zh"))[:12] in text
        assert f"步骤{step}/{n}" in text
        assert found[step].find("s:title", NS).text.startswith(f"{step}: ")
    # the first step's narration is not in the last scene: the scenes are the steps' screens
    tl.jump(1)
    assert flat(tl.current.narration("zh"))[:12] not in flat("".join(scene_lines(found[n], rows)))
    # every span is as wide as its cells (a CJK character takes two), like its x advance
    cw = None
    for t in ET.parse(path).getroot().iterfind(".//s:text[@textLength]", NS):
        if t.text and cell_len(t.text) != len(t.text):
            cw = float(t.get("textLength")) / cell_len(t.text)
            break
    assert cw == pytest.approx(12.2, abs=0.01)


def test_self_contained_and_well_formed(zh_svg):
    _, path = zh_svg
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"https?://[^\"' )]+", text) == ["http://www.w3.org/2000/svg"]
    assert not re.search(r"url\((?!#)", text)              # no font or image from elsewhere
    root = ET.fromstring(text)
    assert root.get("viewBox").startswith("0 0 ")
    uses = {u.get("href") for u in root.iterfind(".//s:use", NS)}
    ids = {g.get("id") for g in root.iter() if g.get("id")}
    assert {u.lstrip("#") for u in uses} <= ids


def test_cli_writes_svg_by_extension(tmp_path):
    out = tmp_path / "fork-cow.svg"
    r = subprocess.run([sys.executable, "-m", "app.cli", "record", "fork-cow", "-o", str(out),
                        "--step-seconds", "2", "--quiet"], capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    root, found, rows = scenes(out)
    assert [float(g.get("data-start")) for g in found] == [2.0 * i for i in range(len(found))]
    tl = Timeline(find_lesson("fork-cow"))
    tl.jump(len(tl))
    assert flat(tl.current.narration("en"))[:30] in flat("".join(scene_lines(found[-1], rows)))


def test_chromium_shows_each_scene_at_its_time(zh_svg):
    """Opened in Chromium, the scene on screen at time t is the step whose interval holds t."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    need_chromium()
    n, path = zh_svg
    _, found, _ = scenes(path)
    times = [(int(g.get("data-step")), float(g.get("data-start")), float(g.get("data-duration")))
             for g in found]
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.goto(path.as_uri())
            for step, start, dur in (times[0], times[1], times[-1]):
                for t in (start + 0.05, start + dur - 0.05):
                    page.evaluate(f"document.getAnimations().forEach(a => {{ a.pause(); "
                                  f"a.currentTime = {t * 1000}; }})")
                    shown = page.evaluate("[...document.querySelectorAll('.scene')].filter(g => "
                                          "getComputedStyle(g).visibility == 'visible')"
                                          ".map(g => g.id)")
                    assert shown == [f"step-{step}"], (t, shown)
        finally:
            browser.close()


def test_per_step_screenshots_keep_cjk_on_the_grid(tmp_path):
    """record --svg DIR: the same cell-sized spans as the animation (Rich sizes them by len)."""
    from app.record import record_svg
    [path] = record_svg("buddy", tmp_path, "zh", (160, 48), only=1, progress=False)
    root = ET.parse(path).getroot()
    wide = [t for t in root.iterfind(".//s:text[@textLength]", NS)
            if t.text and cell_len(t.text) != len(t.text)]
    assert wide and all(float(t.get("textLength")) == pytest.approx(12.2 * cell_len(t.text), abs=0.01)
                        for t in wide)
