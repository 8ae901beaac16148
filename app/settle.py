"""A settled frame: every message, resize, recompose and refresh the app has pending done
before a frame is taken (a recording, a test, a screenshot), waiting by work left and never
by time, so a loaded machine gives the same frames as an idle one."""
from __future__ import annotations

import asyncio
from typing import Any


def _queued(node: Any) -> bool:
    return bool(node._message_queue.qsize() or node._next_callbacks
                or getattr(node, "_recompose_required", False))


def busy(app: Any) -> bool:
    """Whether the app still has work queued that would change the screen: a message or
    callback in any node (widgets mounted since included), a recompose (the Footer builds
    its keys that way), or a layout, scroll, repaint or refresh the screen has not done."""
    screen = app.screen
    if any(map(_queued, (app, *screen.walk_children(with_self=True)))):
        return True
    return bool(screen._layout_required or screen._scroll_required or screen._repaint_required
                or screen._dirty_widgets or screen._callbacks)


async def _drain(app: Any) -> None:
    """Wait until every node that had something queued has handled it (Pilot's
    _wait_for_screen, for the nodes with work only: a callback to each of the screen's ~60
    nodes was most of a frame's messages)."""
    nodes = [n for n in (app, *app.screen.walk_children(with_self=True)) if _queued(n)]
    if not nodes:
        return
    done = asyncio.get_running_loop().create_future()
    left = [0]

    def handled() -> None:
        left[0] -= 1
        if not left[0] and not done.done():
            done.set_result(None)
    for node in nodes:
        if node.call_later(handled):
            left[0] += 1
    if left[0]:                             # or the app stops on an error (as Pilot waits)
        failed = asyncio.ensure_future(app._exception_event.wait())
        await asyncio.wait((done, failed), return_when=asyncio.FIRST_COMPLETED)
        failed.cancel()


async def settle(pilot: Any, rounds: int = 200) -> None:
    """Let every pending message, resize, recompose and refresh run before a frame is taken:
    a frame is the step's picture, never a half-drawn one, however busy the machine is.

    Waiting is by work left (busy()), never by time: Pilot.pause() alone waits for the CPU to
    look idle and for the screen's 60 Hz update timer, and a starved process (a loaded
    machine) can pass both with the Footer still empty.  No idle waits either (they cost
    ~50 ms a frame): each round lets every node handle what was queued for it, then does
    the screen's pending layout and repaint.  RuntimeError after ``rounds``."""
    app = pilot.app
    for _ in range(rounds):
        await _drain(app)
        app.screen._on_timer_update()
        await asyncio.sleep(0)
        if not busy(app):
            return
    raise RuntimeError("the app did not settle: messages keep coming")
