"""The environment variables Textual reads (textual/constants.py), checked before it reads them.

Textual reads them once, when it is imported, and takes most as they come: a value it cannot
parse is ignored (the default is used), and so it is here.  The values below are the ones it
would take and then fail on -- an internal error or a silent exit in the middle of a lesson;
each is one line instead (``mmviz: VARIABLE='value' ...``, exit 2).  TEXTUAL_FILTERS and
NO_COLOR are taken as they are: app/filters.py makes their filters safe.
"""
from __future__ import annotations

import os
from typing import Callable


class EnvironmentProblem(Exception):
    """A variable whose value Textual would accept and then fail on: the one line to say."""


def _textual_int(name: str) -> int | None:
    """The value as textual.constants._get_environ_int() reads it (None: not an integer or not
    set -- Textual then uses its default)."""
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return None


def _color_system() -> None:
    """Textual hands TEXTUAL_COLOR_SYSTEM to Rich's Console unchecked."""
    value = os.environ.get("TEXTUAL_COLOR_SYSTEM")
    if value is not None:
        from rich.console import COLOR_SYSTEMS
        known = ("auto", *COLOR_SYSTEMS)
        if value not in known:
            raise EnvironmentProblem(f"TEXTUAL_COLOR_SYSTEM={value!r} is not one of {', '.join(known)}")


def _dim_factor() -> None:
    """TEXTUAL_DIM_FACTOR is a percentage (0..100), but _get_environ_int() applies its maximum
    only when no minimum is given, and this one has both: 500 became a factor of 5 and dim text
    colours like #3d03a4380."""
    value = _textual_int("TEXTUAL_DIM_FACTOR")
    if value is not None and value > 100:
        raise EnvironmentProblem(f"TEXTUAL_DIM_FACTOR={os.environ['TEXTUAL_DIM_FACTOR']!r} is more "
                                 "than 100 (a percentage: 0 hides dim text, 100 does not dim it)")


def _driver() -> None:
    """App.get_driver_class() imports TEXTUAL_DRIVER (``module:Class``) when the app starts."""
    value = os.environ.get("TEXTUAL_DRIVER")
    if value is None:
        return
    import importlib
    import inspect
    from textual.driver import Driver
    module, _, name = value.partition(":")
    if not module:
        raise EnvironmentProblem(f"TEXTUAL_DRIVER={value!r} is not a Textual driver (module:Class)")
    try:
        found = getattr(importlib.import_module(module), name)
    except Exception as err:   # any import's error (ModuleNotFoundError, ValueError for '')
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise EnvironmentProblem(f"TEXTUAL_DRIVER={value!r} is not a Textual driver "
                                 f"(module:Class): {reason}") from None
    if not (inspect.isclass(found) and issubclass(found, Driver)):
        raise EnvironmentProblem(f"TEXTUAL_DRIVER={value!r} is not a Textual driver (module:Class)")


def _folder_of(name: str, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(os.path.expanduser(path)))
    if not os.path.isdir(folder):
        raise EnvironmentProblem(f"{name}={os.environ[name]!r}: no such folder {folder}")
    if not os.access(folder, os.W_OK):
        raise EnvironmentProblem(f"{name}={os.environ[name]!r}: the folder {folder} is not writable")


def _screenshot() -> None:
    """TEXTUAL_SCREENSHOT=N saves a screenshot after N seconds and exits (App._ready): with 0
    Textual's timer divides by its zero interval and the app ended at once, with no screenshot
    and status 0; a missing folder (TEXTUAL_SCREENSHOT_LOCATION, or one in
    TEXTUAL_SCREENSHOT_FILENAME) stopped it with an internal error."""
    delay = _textual_int("TEXTUAL_SCREENSHOT")
    if delay is None or delay < 0:
        return
    if delay == 0:
        raise EnvironmentProblem(f"TEXTUAL_SCREENSHOT={os.environ['TEXTUAL_SCREENSHOT']!r}: "
                                 "the delay must be at least 1 second")
    location = os.environ.get("TEXTUAL_SCREENSHOT_LOCATION") or ""
    if location:
        _folder_of("TEXTUAL_SCREENSHOT_LOCATION", os.path.join(location, "x.svg"))
    if os.environ.get("TEXTUAL_SCREENSHOT_FILENAME"):
        _folder_of("TEXTUAL_SCREENSHOT_FILENAME",
                   os.path.join(location or ".", os.environ["TEXTUAL_SCREENSHOT_FILENAME"]))


def _log() -> None:
    """TEXTUAL_LOG: the file Textual appends its log to."""
    path = os.environ.get("TEXTUAL_LOG")
    if path:
        _folder_of("TEXTUAL_LOG", path)
        if os.path.isdir(os.path.expanduser(path)):
            raise EnvironmentProblem(f"TEXTUAL_LOG={path!r} is a folder, not a file")


CHECKS: tuple[Callable[[], None], ...] = (_color_system, _dim_factor, _driver, _screenshot, _log)


def check_environment() -> None:
    """Raise EnvironmentProblem for the first variable Textual would fail on."""
    for check in CHECKS:
        check()
