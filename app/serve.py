"""``mmviz serve``: the TUI in a room of browsers, through textual-serve (the ``mmviz[web]`` extra).

One web server, one mmviz process per browser tab (textual-serve starts ``mmviz LESSON
--lang L`` for each connection and relays its screen over a websocket).  The page's URL
chooses the lesson and the language: ``http://HOST:PORT/?lesson=buddy&lang=zh`` (``&ask=0``: no
predict-then-see questions); without them the server's defaults apply, and inside the app ``l`` opens the lesson picker and
``L`` switches between English and 中文.  The server binds 127.0.0.1 unless ``--host``
says otherwise (a classroom: ``--host 0.0.0.0``).

Under textual-serve standard output is a pipe, which the CLI otherwise takes for "no
terminal, play the lesson as text": :func:`web_session` tells the two apart, so
``textual serve "mmviz buddy"`` works as well.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any

WEB_ENV = "MMVIZ_WEB"            # set to 1 by mmviz serve for the processes it starts
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
LANGS = ("en", "zh")


def web_session() -> bool:
    """True when a browser terminal drives this process: ``mmviz serve`` sets MMVIZ_WEB=1, and
    textual-serve (also under ``textual serve "mmviz LESSON"``) selects Textual's web driver
    through TEXTUAL_DRIVER.  Standard output is then a pipe, yet the TUI is what is wanted."""
    if os.environ.get(WEB_ENV) == "1":
        return True
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")


def tui_wanted() -> bool:
    """Whether ``mmviz [LESSON]`` should start the TUI: a terminal on stdout, or a browser."""
    return sys.stdout.isatty() or web_session()


def app_command(lesson: str | None, lang: str, ask: bool = True,
                python: str = sys.executable) -> str:
    """The shell command textual-serve runs for one browser:
    ``python -m app.cli [LESSON] --lang L [--no-ask]``.

    ``lesson`` must be a bundled lesson id (or None: the first lesson) and ``lang`` one of
    LANGS; both are checked by the caller and quoted here (textual-serve runs a shell)."""
    words = [python, "-m", "app.cli", *([lesson] if lesson else []), "--lang", lang,
             *([] if ask else ["--no-ask"])]
    return shlex.join(words)


def lesson_ids() -> list[str]:
    """The ids of the bundled lessons, in teaching order."""
    from scenarios import all_lessons
    return [lesson.id for lesson in all_lessons()]


def choose(lesson: str | None, lang: str | None, default_lesson: str | None,
           default_lang: str) -> tuple[str | None, str]:
    """(lesson, lang) for a page: a query's values, else the server's defaults.

    ValueError (one line, for the browser) for a lesson that is not bundled or a language
    other than en/zh; nothing else ever reaches the shell command."""
    lesson = lesson or default_lesson
    lang = lang or default_lang
    if lesson is not None and lesson != "-" and lesson not in lesson_ids():
        raise ValueError(f"no such lesson {lesson[:60]!r}; lessons: {', '.join(lesson_ids())}")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang[:20]!r}")
    return (None if lesson == "-" else lesson), lang


def make_server(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, lesson: str | None = None,
                lang: str = "en") -> Any:
    """A textual-serve Server for mmviz whose pages take ``?lesson=ID&lang=en|zh``.

    ImportError when textual-serve is not installed (``pip install 'mmviz[web]'``)."""
    import asyncio

    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    os.environ[WEB_ENV] = "1"           # inherited by every app process the server starts

    class MmvizServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.router.add_get("/ws/{lesson}/{lang}/{ask}", self.handle_lesson_websocket,
                               name="lesson-websocket")
            return app

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            """The page; its websocket names the lesson and language the query chose.
            Addresses are the ones the browser used, so a server bound to 0.0.0.0 works."""
            try:
                chosen, chosen_lang = choose(request.query.get("lesson"), request.query.get("lang"),
                                             lesson, lang)
            except ValueError as err:
                return web.Response(status=404, text=f"mmviz: {err}\n")
            http = request.scheme
            base = f"{http}://{request.host}"
            ask = "noask" if request.query.get("ask", "1") in ("0", "no", "false") else "ask"
            ws_path = request.app.router["lesson-websocket"].url_for(
                lesson=chosen or "-", lang=chosen_lang, ask=ask)
            context = {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": f"{'wss' if http == 'https' else 'ws'}://{request.host}{ws_path}",
                "config": {"static": {"url": f"{base}/static/"}},
                "application": {"name": "mmviz"},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def handle_lesson_websocket(self, request: web.Request) -> web.StreamResponse:
            """textual-serve's websocket handler, with the command for this page's choice."""
            try:
                chosen, chosen_lang = choose(request.match_info["lesson"],
                                             request.match_info["lang"], None, lang)
            except ValueError as err:
                return web.Response(status=404, text=f"mmviz: {err}\n")
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            try:
                await websocket.prepare(request)
                ask = request.match_info["ask"] != "noask"
                service = AppService(app_command(chosen, chosen_lang, ask),
                                     write_bytes=websocket.send_bytes,
                                     write_str=websocket.send_str, close=websocket.close,
                                     download_manager=self.download_manager, debug=self.debug)
                await service.start(width, height)
                try:
                    await self._process_messages(websocket, service)
                finally:
                    await service.stop()
            except asyncio.CancelledError:
                await websocket.close()
            return websocket

    return MmvizServer(app_command(lesson, lang), host=host, port=port, title="mmviz")


def add_parser(sub: Any) -> None:
    """``mmviz serve [LESSON] [--lang en|zh] [--host H] [--port P]``."""
    s = sub.add_parser("serve", help="serve the TUI to browsers (needs the mmviz[web] extra)",
                       description="Serve mmviz to web browsers: one app per browser tab. "
                                   "Pages take ?lesson=ID&lang=en|zh.")
    s.add_argument("lesson", nargs="?", default=None, help="the lesson a page opens by default")
    s.add_argument("--lang", choices=LANGS, default=None, help="the language a page opens in by default")
    s.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
                        "0.0.0.0 for a classroom)")
    from .cli_types import whole
    s.add_argument("--port", type=whole(1, 65535), default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")


def cmd_serve(ns: argparse.Namespace, usage_error: type) -> int:
    """Run the server until Ctrl+C; usage_error for a bad lesson, port or a missing extra."""
    if not 0 < ns.port < 65536:
        raise usage_error(f"mmviz serve: --port must be 1..65535, not {ns.port}")
    try:
        lesson, lang = choose(ns.lesson, ns.lang, None, ns.lang or "en")
    except ValueError as err:
        raise usage_error(f"mmviz serve: {err}") from None
    try:
        server = make_server(ns.host, ns.port, lesson, lang)
    except ImportError:
        raise usage_error("mmviz serve: needs textual-serve: pip install 'mmviz[web]'") from None
    server.serve()
    return 0
