"""How the ``mmviz`` command line speaks: a line on stdout (:func:`out`), an error line on
stderr in the chosen language (:func:`err_line`), the exit statuses README lists, and
:func:`report`, which turns whatever a command raised into one line and its status -- never a
traceback (an unexpected error leaves the traceback in a crash log, :func:`crash_log`)."""
from __future__ import annotations

import sys
from pathlib import Path

from .cli_parser import LANG as ERR_LANG   # the language of error and help lines: --lang's, the locale's

ERR_COMMAND: list = [None]   # the command whose errors these are (app.cli.main sets it): "mmviz layout: ..."

EXIT_FAIL = 1          # a lesson read and found wrong (an expect, its file, its machine), a log with
                       # no boot lines, a simulated kernel error
EXIT_USAGE = 2         # bad command-line arguments: a bad value, no such lesson, file or process,
                       # a machine the engine refuses
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def out(text: str = "", raw: bool = False) -> None:
    """One line on stdout; lesson text and engine messages go through sanitize()
    (``raw`` for JSON, whose strings are already escaped)."""
    if not raw:
        from scenarios.textsafe import sanitize
        text = sanitize(text)
    sys.stdout.write(text + "\n")


def err_line(text: str) -> None:
    """One line on stderr, sanitized like out(); in Chinese when the user chose zh
    (app.cli_text.error_zh: the values kept, the kernel's words as printed)."""
    from scenarios.textsafe import sanitize
    if ERR_COMMAND[0] and text.startswith("mmviz: "):      # every error of a command names it,
        text = f"mmviz {ERR_COMMAND[0]}: {text[7:]}"        # as argparse's own errors do
    if ERR_LANG[0] == "zh":
        from .cli_text import error_zh
        text = error_zh(text)
    sys.stderr.write(sanitize(text) + "\n")


def report(err: Exception) -> int:
    """``err``, raised by a command, as its line(s) on stderr; the exit status."""
    try:
        from scenarios import LessonError, LessonNotFound
        if isinstance(err, LessonError):       # a lesson's problems: path:line: message; no
            missing = isinstance(err, LessonNotFound)      # such lesson: the command's error
            for line in err.lines():
                err_line(f"mmviz: {line}" if missing else line)
            return EXIT_USAGE if missing else EXIT_FAIL
    except ImportError:
        pass
    try:
        import engine
        if isinstance(err, engine.ConfigError):     # a value the engine refuses: bad input
            err_line(f"mmviz: {err}")
            return EXIT_USAGE
        if isinstance(err, engine.KernelError):     # the simulated kernel's error, as it words it
            err_line(f"mmviz: {err}")
            return EXIT_FAIL
    except ImportError:
        pass
    if isinstance(err, OSError) and not isinstance(err, (MemoryError,)):
        where = f"{err.filename}: " if err.filename else ""
        err_line(f"mmviz: {where}{err.strerror or err}")
        return EXIT_FAIL
    import traceback
    log = crash_log("".join(traceback.format_exception(type(err), err, err.__traceback__)))
    first = str(err).splitlines()[0][:200] if str(err) else ""
    err_line(f"mmviz: internal error: {type(err).__name__}: {first}"
             + (f" (details in {log})" if log else ""))
    return EXIT_INTERNAL


def crash_log(details: str) -> str:
    """Write the details of an unexpected error (a traceback) to a log file; its path, or ''
    if none could be written.  The folder is $MMVIZ_LOG_DIR, else $XDG_STATE_HOME/mmviz
    (~/.local/state/mmviz), else the temporary directory."""
    import os
    import tempfile
    import time
    base = os.environ.get("MMVIZ_LOG_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state"),
        "mmviz")
    for folder in (Path(base), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"mmviz-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
            path.write_text(f"mmviz {' '.join(sys.argv[1:])}\n{details}", encoding="utf-8")
            return str(path)
        except OSError:
            continue
    return ""
