"""What a classroom costs: memory of ``mmviz serve`` per browser student.

Starts ``mmviz serve`` on a free port, opens N headless Chromium tabs on a lesson (one app
process each, as textual-serve runs them), steps each a few times, then reads the RSS and
PSS (proportional set size: shared pages split between the processes sharing them) of the
server and of every app process from /proc.  Needs the test extra (Playwright) and Debian's
chromium.  Run: ``python -m bench.bench_serve [N] [LESSON]``.
"""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def kb(pid: int, field: str) -> int:
    """A field of /proc/PID/smaps_rollup (Rss, Pss) in kB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    kids = [int(p) for p in out.stdout.split()]
    return kids + [g for k in kids for g in children(k)]


def main(n: int = 5, lesson: str = "buddy") -> None:
    import shutil
    from playwright.sync_api import sync_playwright
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", lesson, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            pages = []
            for _ in range(n):
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/?lesson={lesson}&ask=0")
                page.wait_for_selector("body.-first-byte", timeout=120_000)
                pages.append(page)
            for page in pages:
                page.click("#terminal")
                for key in "nnnL":
                    page.keyboard.press(key)
            time.sleep(5)
            apps = [p for p in children(server.pid)        # python -m app.cli, not its sh -c
                    if Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[:3]
                    == [sys.executable.encode(), b"-m", b"app.cli"]]
            rss = [kb(p, "Rss") / 1024 for p in apps]
            pss = [kb(p, "Pss") / 1024 for p in apps]
            print(f"{len(apps)} students on {lesson!r} (160x48-ish page, 3 steps, 中文)")
            print(f"  per student: RSS median {statistics.median(rss):.1f} MB "
                  f"(min {min(rss):.1f}, max {max(rss):.1f}); "
                  f"PSS median {statistics.median(pss):.1f} MB")
            print(f"  server: RSS {kb(server.pid, 'Rss') / 1024:.1f} MB")
            print(f"  total PSS: {sum(pss) + kb(server.pid, 'Pss') / 1024:.0f} MB")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.bench_serve",
                                     description="mmviz serve in a headless browser: key press to "
                                                 "repaint (needs the mmviz[web] extra and playwright)")
    parser.add_argument("presses", nargs="?", type=int, default=5)
    parser.add_argument("lesson", nargs="?", default="buddy")
    args = parser.parse_args()
    main(args.presses, args.lesson)
