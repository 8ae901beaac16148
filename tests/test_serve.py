"""mmviz serve: the TUI in headless Chromium through textual-serve, lesson and language per URL.

Chromium is driven by Playwright (playwright-python) with Debian's chromium as the
executable (Playwright's own browser download is never used).  The page draws the terminal
on a canvas, so what it shows is read from the bytes its websocket received, fed through
pyte (the same terminal emulation test_record uses); a screenshot is taken as well.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.serve import app_command, choose, web_session
from browser import launch, need_chromium
from scenarios import Timeline, find_lesson

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stdout.read()}")
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not listen within 60 s")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = start(["-m", "app.cli", "serve", "memory-map", "--port", str(port)], port)
    yield port, proc
    stop(proc)


class Browser:
    """One headless Chromium page on a served mmviz; ``screen()`` is what the page shows."""

    def __init__(self, pw, url: str):
        import pyte
        self.browser = launch(pw)
        self.page = self.browser.new_page(viewport={"width": 1600, "height": 1000})
        self.frames: list[bytes] = []
        self.size = (200, 60)
        self.page.on("websocket", self._on_websocket)
        self.page.goto(url)
        self.page.wait_for_selector("body.-first-byte", timeout=60_000)
        self.pyte = pyte

    def _on_websocket(self, ws) -> None:
        from urllib.parse import parse_qs, urlparse
        q = parse_qs(urlparse(ws.url).query)
        self.size = (int(q["width"][0]), int(q["height"][0]))
        ws.on("framereceived", lambda f: self.frames.append(f) if isinstance(f, bytes) else None)

    def screen(self) -> list[str]:
        screen = self.pyte.Screen(*self.size)
        stream = self.pyte.ByteStream(screen)
        for f in list(self.frames):
            stream.feed(f)
        return screen.display

    def wait_for(self, *texts: str, timeout: float = 60) -> str:
        """Until every text is on the page's screen (spaces ignored); the screen's text."""
        deadline = time.monotonic() + timeout
        while True:
            flat = "".join(self.screen()).replace(" ", "")
            if all(t.replace(" ", "") in flat for t in texts):
                return flat
            if time.monotonic() > deadline:
                raise AssertionError(f"not on the page: {texts!r}\n" + "\n".join(self.screen()))
            self.page.wait_for_timeout(250)

    def close(self) -> None:
        self.browser.close()


def narration(lesson: str, step: int, lang: str, chars: int) -> str:
    tl = Timeline(find_lesson(lesson))
    tl.jump(step)
    text = tl.current.narration(lang) if step else tl.lesson.title_in(lang)
    return text.replace(" ", "")[:chars]


def test_browser_steps_a_lesson_and_switches_to_chinese(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    need_chromium()
    port, _ = server
    with sync_api.sync_playwright() as pw:
        b = Browser(pw, f"http://127.0.0.1:{port}/?lesson=buddy&lang=en&ask=0")
        try:
            b.wait_for("step 0/12")
            b.page.click("#terminal")
            for _ in range(3):
                b.page.keyboard.press("n")
            b.wait_for("step 3/12", narration("buddy", 3, "en", 30))
            b.page.keyboard.press("Shift+L")
            b.wait_for("步骤 3/12", narration("buddy", 3, "zh", 12))
            shot = Path(os.environ.get("MMVIZ_SERVE_SCREENSHOT", tmp_path / "serve_zh.png"))
            b.page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        finally:
            b.close()


def test_url_chooses_lesson_and_language(server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    need_chromium()
    port, _ = server
    with sync_api.sync_playwright() as pw:
        b = Browser(pw, f"http://127.0.0.1:{port}/?lesson=slab&lang=zh&ask=0")
        try:
            b.wait_for(narration("slab", 0, "zh", 6), "步骤 0/")
        finally:
            b.close()


def test_textual_serve_runs_mmviz_lesson_command():
    """``textual serve "mmviz LESSON"``: textual-serve's own Server with the plain command."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    pytest.importorskip("textual_serve", reason="pip install -e '.[web]'")
    need_chromium()
    port = free_port()
    command = f"{sys.executable} -m app.cli buddy --no-ask"
    code = ("from textual_serve.server import Server; import sys; "
            f"Server(sys.argv[1], host='127.0.0.1', port={port}).serve()")
    assert "MMVIZ_WEB" not in os.environ          # only Textual's web driver tells
    proc = start(["-c", code, command], port)
    try:
        with sync_api.sync_playwright() as pw:
            b = Browser(pw, f"http://127.0.0.1:{port}/")
            try:
                b.page.click("#terminal")
                b.page.keyboard.press("n")
                b.wait_for("step 1/12", narration("buddy", 1, "en", 30))
            finally:
                b.close()
    finally:
        stop(proc)


def test_bad_url_is_one_line_and_default_host_is_loopback(server):
    port, proc = server
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/?lesson=no-such-lesson", timeout=10)
    body = err.value.read().decode()
    assert err.value.code == 404 and body.count("\n") == 1 and "no such lesson" in body
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/?lang=fr", timeout=10)
    from app.cli import build_parser
    ns = build_parser().parse_args(["serve"])
    assert ns.host == "127.0.0.1" and ns.port == 8000


def test_web_session_is_detected_from_the_environment(monkeypatch):
    monkeypatch.delenv("MMVIZ_WEB", raising=False)
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert not web_session()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    assert web_session()
    monkeypatch.delenv("TEXTUAL_DRIVER")
    monkeypatch.setenv("MMVIZ_WEB", "1")
    assert web_session()


def test_lesson_under_web_driver_starts_the_tui_not_text():
    """With stdout a pipe but Textual's web driver chosen, ``mmviz buddy`` starts the app (the
    web driver's handshake), not the text player."""
    env = dict(os.environ, TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
               COLUMNS="160", ROWS="48")
    env.pop("MMVIZ_WEB", None)
    p = subprocess.Popen([sys.executable, "-m", "app.cli", "buddy"], cwd=ROOT, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = os.read(p.stdout.fileno(), 64)
    finally:
        p.kill()
        p.communicate()
    assert first.startswith(b"__GANGLION__"), first


def test_choices_are_checked_before_the_shell_sees_them():
    assert choose(None, None, "buddy", "zh") == ("buddy", "zh")
    assert choose("-", "en", "buddy", "zh") == (None, "en")
    for lesson, lang in (("buddy; rm -rf /", "en"), ("$(id)", "en"), ("buddy", "fr")):
        with pytest.raises(ValueError):
            choose(lesson, lang, None, "en")
    cmd = app_command("buddy", "zh", ask=False, python="/x y/python")
    assert cmd == "'/x y/python' -m app.cli buddy --lang zh --no-ask"


def test_missing_chromium_skips_only_with_a_reason(monkeypatch):
    """Without chromium the browser tests skip only when .ci/run said why it could not install
    it (MMVIZ_NO_CHROMIUM); in CI with no reason they fail instead of passing silently."""
    import browser
    monkeypatch.setattr(browser, "CHROMIUM", None)
    monkeypatch.setenv("MMVIZ_NO_CHROMIUM", "apt-get install chromium failed: E: no network")
    with pytest.raises(pytest.skip.Exception, match="could not be installed: apt-get"):
        browser.need_chromium()
    monkeypatch.delenv("MMVIZ_NO_CHROMIUM")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is missing in CI"):
        browser.need_chromium()


def test_serve_refuses_bad_arguments_in_one_line():
    for args in (["serve", "--port", "70000"], ["serve", "no-such-lesson"]):
        r = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert r.stderr.startswith("mmviz serve: ") and "Traceback" not in r.stderr
