"""#17 in the TUI: every command line of the review typed at ':' (and more hostile ones),
and Ctrl+P followed at once by PageUp/PageDown, leave the app running."""
from __future__ import annotations

import pytest
from textual import events

from app.app import MmvizApp
from app.record import render_ansi

TYPED = [
    # the review's crashes and findings
    "kmalloc 010", "alloc_pages GFP_KERNEL 03", "kmalloc size=010", "proc /proc/self/maps",
    "switch_to", "switch_to 99", "kfree 0xffffffff", "d = load_map_driver", "vfree d",
    "p = spawn", "kunmap_atomic p", "alloc_pages GFP_TRANSHUGE", "mmap p 4096 flags=private|locked",
    "kmem_cache_create c -8", "alloc_pages GFP_KERNEL 99999999999999", "alloc_pages GFP_KERNEL -1",
    "vmalloc 0", "boot ram=16M", "check",
    # markup, escapes and shell-looking text are text
    "[/bold]", "kmalloc [/red]", 'kmalloc "[/x]"', "spawn [b]x[/b]", "\x1b]0;pwned\x07",
    "\x1b[2J", "kmalloc 1; rm -rf /", "$(reboot)", "kmalloc `id`",
    # malformed lines
    "", " ", "=", "x = ", "as", "kmalloc 1 as", '"', "'", "kmalloc 0x", "kmalloc 1e9", "0",
    "kmalloc " + "9" * 5000, "kmalloc " + "(" * 50 + "1" + ")" * 50, "kmalloc " + "-" * 60 + "1",
    "kmalloc 1 2 3 4", "kmalloc size=", "kmalloc =1", "kmalloc gfp=GFP_KERNEL",
    "kmalloc __class__", "kmalloc layout.__dict__", "kmalloc zones[99]", "kmalloc 1 / 0",
    "kmalloc 1 << 99", "a = alloc_pages GFP_KERNEL 3 as b", "free_pages a 3", "free_pages a 3",
    "touch 0x0804a000 write", "walk 0xc0000000", "read_virt 0xc0000000 4096",
    "write_virt 0xc0000000 \x1b[2J", "fork p", "exit p", "exit p", "proc /proc/1/maps",
    "proc /proc/foo", "kmem_cache_alloc nosuch", "vmalloc 1M", "reclaim", "snapshot",
    "x" * 2000,
]


async def _type(app: MmvizApp, pilot, line: str) -> None:
    await pilot.press("colon")
    app.query_one("#command-input").value = line
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("escape")


async def test_tui_survives_every_typed_command():
    app = MmvizApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        for line in TYPED:
            await _type(app, pilot, line)
            assert app.is_running, line
            error = str(app.query_one("CommandLine .error").render())
            assert "\n" not in error.strip() and "\x1b" not in error, (line, error)
        frame = render_ansi(app)
        assert "\x1b]0;pwned" not in frame
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("key", ["pageup", "pagedown"])
async def test_palette_with_a_page_key_in_the_same_burst(key):
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for k in ("ctrl+p", key):                     # both queued before either is handled
            app.post_message(events.Key(k, None))
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")
    assert app.return_code in (None, 0)
