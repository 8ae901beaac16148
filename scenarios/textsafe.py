"""Text from lesson files is shown as text, never sent to the terminal as commands.

A lesson's narration, titles and names are written by whoever shared the file.  A
terminal interprets ESC sequences (clear the screen, rename the window, OSC 52 writes
to the clipboard), BEL, backspace and carriage return, and bidirectional overrides
reorder what the reader sees.  :func:`sanitize` is the one function every output uses
(the loader on every string it keeps, ``mmviz run --text``, casts and SVGs, the TUI):
it makes such characters visible, the way ``cat -v`` does, instead of passing them on.

- C0 controls and DEL become their Unicode "control pictures" (ESC -> ``␛``, BEL -> ``␇``);
  a tab becomes a space; a newline is kept unless ``newlines=False`` (then ``␤``).
- C1 controls (U+0080..U+009F, e.g. the 8-bit CSI U+009B), the bidirectional
  embedding, override and isolate characters and lone surrogates become ``\\x9b`` /
  ``\\u202e`` text.
"""
from __future__ import annotations

__all__ = ["sanitize", "is_clean"]

_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}
_TABLE[0x7F] = "\u2421"                                  # ␡
_TABLE[0x09] = " "
_TABLE.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029]
_TABLE.update({c: f"\\u{c:04x}" for c in _BIDI})
_TABLE.update({c: f"\\u{c:04x}" for c in range(0xD800, 0xE000)})   # lone surrogates cannot be printed

_WITH_NEWLINES = {**_TABLE, 0x0A: "\n", 0x0D: ""}        # CRLF files: drop the CR
_ONE_LINE = {**_TABLE, 0x0A: "\u2424"}                   # ␤


def sanitize(text: object, newlines: bool = True) -> str:
    """``text`` as a string that is safe to print to a terminal: control, escape and
    bidi characters made visible (see the module docstring).  Non-strings are ``str()``-ed."""
    s = text if isinstance(text, str) else str(text)
    return s.translate(_WITH_NEWLINES if newlines else _ONE_LINE)


def is_clean(text: str, newlines: bool = False) -> bool:
    """True if :func:`sanitize` would leave ``text`` unchanged."""
    return sanitize(text, newlines) == text
