"""The user's configuration file: ``config.toml`` in the platform's config directory.

Linux ``~/.config/mmviz/config.toml`` (``$XDG_CONFIG_HOME``), macOS
``~/Library/Application Support/mmviz/config.toml``, Windows ``%LOCALAPPDATA%\\mmviz``
(platformdirs); ``$MMVIZ_CONFIG`` names another file.  Every key is optional::

    theme = "projector"              # a Textual theme or "projector"
    lang = "zh"                      # en | zh (default: from LC_ALL / LANG)
    autoplay_speed = 1.5             # reading-speed factor, one of app.reading.SPEEDS
    lessons = ["~/my-lessons"]       # folders of your own lessons (the picker lists them)

    [record]
    size = "160x48"                  # mmviz record's default --size (COLSxROWS)

    [keymap]                         # binding id = keys, as Textual's App.set_keymap takes them
    step = "right,n,j"
    back = "left,p,k"

A bad file is one ``path:line: message`` (exit status 2), never a traceback.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_VAR = "MMVIZ_CONFIG"
KEYS = ("theme", "lang", "autoplay_speed", "lessons", "record", "keymap")
_KEY_NAME = re.compile(r"^[a-z0-9_+-]+$", re.I)


class ConfigFileError(Exception):
    """A problem in the config file: ``path:line: message``."""

    def __init__(self, path: Path, line: int, msg: str, column: int = 0) -> None:
        self.path, self.line, self.msg = path, line, msg
        where = f"{path}:{line}:{column}" if line and column else f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {msg}")


@dataclass
class Settings:
    """What the config file says (None: not set, the built-in default applies)."""
    path: Path
    exists: bool = False
    theme: str | None = None
    lang: str | None = None
    autoplay_speed: float | None = None
    lessons: list[Path] = field(default_factory=list)
    record_size: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str]]:
        """(key, value) for ``mmviz config``: every setting, '-' where the default applies."""
        from .cli_more import RECORD_SIZE
        from .reading import SPEEDS, DEFAULT_SPEED
        rows = [("theme", self.theme or "- (textual-dark)"),
                ("lang", self.lang or "- (from LC_ALL / LANG)"),
                ("autoplay_speed", _num(self.autoplay_speed) if self.autoplay_speed is not None
                 else f"- ({_num(SPEEDS[DEFAULT_SPEED])})"),
                ("lessons", ", ".join(str(p) for p in self.lessons) or "-"),
                ("record.size", self.record_size or f"- ({RECORD_SIZE})")]
        rows += [(f"keymap.{bid}", keys) for bid, keys in sorted(self.keymap.items())]
        return rows


def _num(x: float) -> str:
    return f"{x:g}"


def config_path(environ: dict[str, str] | None = None) -> Path:
    """The config file's path: ``$MMVIZ_CONFIG``, else platformdirs' user config dir."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    from platformdirs import user_config_path
    return user_config_path("mmviz", appauthor=False) / "config.toml"


def binding_owners() -> list[Any]:
    """The app and the screens whose bindings a keymap can remap."""
    from widgets.question import QuestionScreen
    from . import glossary, quiz_ui, screens
    from .app import MmvizApp
    return [MmvizApp, QuestionScreen, *(getattr(mod, n) for mod in (screens, glossary, quiz_ui)
                                        for n in dir(mod) if hasattr(getattr(mod, n), "BINDINGS"))]


def binding_ids() -> dict[str, str]:
    """Binding id -> default keys, of every binding mmviz gives an id (the keymap's names)."""
    from textual.binding import Binding
    out = {}
    for cls in binding_owners():
        for b in getattr(cls, "BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                out.setdefault(b.id, b.key)
    return out


def themes() -> tuple[str, ...]:
    from textual.theme import BUILTIN_THEMES
    return tuple(sorted({*BUILTIN_THEMES, "projector"}))


def load_settings(path: Path | None = None) -> Settings:
    """Read and check the config file (a missing file: every default); ConfigFileError."""
    path = config_path() if path is None else path
    settings = Settings(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigFileError(path, 0, f"cannot read the config file: "
                                       f"{getattr(err, 'strerror', None) or err}") from None
    from scenarios.source import toml_error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, col, msg = toml_error(err, text)
        raise ConfigFileError(path, line, f"bad TOML: {msg}", col) from None   # as a lesson's
    settings.exists = True
    _check(settings, data, _Lines(text))
    return settings


class _Lines:
    """The line of ``key`` (in table ``table``) in the config text; 0 if not found."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def __call__(self, key: str, table: str = "") -> int:
        current = ""
        for n, line in enumerate(self.lines, 1):
            head = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
            if head:
                current = head.group(1)
                if not key and current == table:
                    return n
                continue
            m = re.match(r"""^\s*["']?([^"'=\s]+)["']?\s*=""", line)
            if m and current == table and m.group(1) == key:
                return n
            if m and not table and not current and m.group(1) == key:
                return n
        return 0


def _check(s: Settings, data: dict[str, Any], at: _Lines) -> None:
    def fail(key: str, msg: str, table: str = "") -> None:
        raise ConfigFileError(s.path, at(key, table), msg)

    for key in data:
        if key not in KEYS:
            fail(key, f"unknown setting {key!r} (known: {', '.join(KEYS)})")
    if "theme" in data:
        if data["theme"] not in themes():
            fail("theme", f"theme {data['theme']!r} is not one of {', '.join(themes())}")
        s.theme = data["theme"]
    if "lang" in data:
        if data["lang"] not in ("en", "zh"):
            fail("lang", "lang must be \"en\" or \"zh\"")
        s.lang = data["lang"]
    if "autoplay_speed" in data:
        from .reading import SPEEDS
        v = data["autoplay_speed"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or float(v) not in SPEEDS:
            fail("autoplay_speed", f"autoplay_speed must be one of {', '.join(map(_num, SPEEDS))}")
        s.autoplay_speed = float(v)
    if "lessons" in data:
        v = data["lessons"]
        v = [v] if isinstance(v, str) else v
        if not isinstance(v, list) or not all(isinstance(d, str) and d for d in v):
            fail("lessons", "lessons must be a folder or a list of folders")
        base = s.path.parent
        s.lessons = [base / Path(d).expanduser() for d in v]
        for d, folder in zip(v, s.lessons):
            if not folder.is_dir():     # as --lessons says; a silent empty picker helps nobody
                fail("lessons", f"lessons: {d}: not a folder")
    record = data.get("record", {})
    if not isinstance(record, dict):
        fail("record", "record must be a table ([record] size = \"160x48\")")
    for key, v in record.items():
        if key != "size":
            fail(key, f"unknown setting record.{key} (known: size)", "record")
        from .record import parse_size
        try:
            parse_size(v if isinstance(v, str) else "")
        except ValueError as err:
            fail(key, f"record.size: {err}", "record")
        s.record_size = v
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        fail("keymap", "keymap must be a table ([keymap] step = \"right,n\")")
    known = binding_ids()
    for bid, keys in keymap.items():
        if bid not in known:
            from difflib import get_close_matches
            near = get_close_matches(bid, known, 1)
            fail(bid, f"unknown binding id {bid!r}" + (f" (did you mean {near[0]!r}?)" if near
                                                       else " (see: mmviz config --keys)"), "keymap")
        parts = [k.strip() for k in keys.split(",")] if isinstance(keys, str) else []
        if not parts or not all(_KEY_NAME.match(k) for k in parts):
            fail(bid, f"keymap.{bid} must be keys separated by commas, like \"right,n\"", "keymap")
        s.keymap[bid] = ",".join(parts)


def apply_to_app(app: Any, s: Settings) -> None:
    """The config's theme, autoplay speed and keymap on a MmvizApp (before it runs).
    (A pane's own keys, such as j/k in the virtual map, still win while it has focus.)"""
    if s.theme:
        app.theme = s.theme
    if s.autoplay_speed is not None:
        from .reading import SPEEDS
        app.set_reactive(type(app).speed, SPEEDS.index(s.autoplay_speed))
    if s.keymap:
        app.set_keymap(dict(s.keymap))
