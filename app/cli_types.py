"""The command line's value types: each reads one option's value, or says in one line which
form the option takes (argparse adds the option: ``mmviz walk: argument --pid: expected a
whole number (e.g. 1), got 'x'``).  Nothing here imports the engine at import time: the parser
is built for every command, --help and each shell completion."""
from __future__ import annotations

import argparse
import math
import re
from pathlib import Path
from typing import Callable

# engine.config's size syntax (memparse's suffixes), checked here without importing the engine
SIZE_RE = re.compile(r"^\s*(0x[0-9a-fA-F]+|\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$")
SIZE_FORM = "a size like 160M, 1G or 4096 (bytes; K, M, G suffixes)"


def octal_hint(text: str, size: bool = False) -> str | None:
    """Why ``text`` is refused when it is a decimal with a leading 0 (C, and the kernel's
    simple_strtoul(s, NULL, 0), read 010 as octal 8; mmviz once read it as ten), else None.
    The wording is a lesson expression's (scenarios/expr.py _leading_zero); a ``size`` (160M)
    has no 0o form: its octal reading is written in decimal, with its suffix."""
    body = text.strip().lstrip("+-").replace("_", "")
    digits = body[:len(body) - len(body.lstrip("0123456789"))]     # the leading digits
    if len(digits) < 2 or digits[0] != "0":
        return None
    unit = body[len(digits):] if size else ""
    if set(digits) <= set("01234567"):
        octal = f"{int(digits, 8)}{unit}" if size else f"0o{digits.lstrip('0') or '0'} or {int(digits, 8)}"
        how = f"write {octal} for octal, {int(digits, 10)}{unit} for decimal"
    else:
        how = f"write {int(digits, 10)}{unit}"
    return f"{text.strip()!r} starts with 0, which C reads as octal: {how}"


def leading_zero(text: str, lang: str = "en") -> str | None:
    """:func:`octal_hint` in ``lang`` for the app's prompts (go to address, the quiz's exercise):
    the words of the command line's options, in zh as app.cli_text.error_zh has them."""
    hint = octal_hint(text)
    if hint is None or lang != "zh":
        return hint
    from .cli_text import error_zh
    return error_zh(hint)


def c_integer(text: str) -> int:
    """An integer as C writes one: decimal, 0x hex, 0o octal, 0b binary; a decimal with a
    leading 0 raises ValueError with :func:`octal_hint`'s words."""
    hint = octal_hint(text)
    if hint is not None:
        raise ValueError(hint)
    return int(text.strip(), 0)


def whole(lo: int | None = None, hi: int | None = None, example: int | None = None) -> Callable[[str], int]:
    """A whole number in ``lo``..``hi`` (either end open when None): decimal, 0x, 0o or 0b as
    in C, and no decimal with a leading 0 (:func:`octal_hint`)."""
    if lo is not None and hi is not None:
        form = f"a whole number {lo}..{hi}"
    elif lo is not None:
        form = f"a whole number >= {lo}"
    else:
        form = "a whole number"
    eg = example if example is not None else (lo if lo is not None else 1)

    def parse(text: str) -> int:
        hint = octal_hint(text)
        if hint is not None:
            raise argparse.ArgumentTypeError(hint)
        try:
            value = int(text.strip(), 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {form} (e.g. {eg}), got {text!r}") from None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"expected {form}, got {value}")
        return value
    parse.__name__ = "whole number"
    return parse


def config_pair(text: str) -> str:
    """``--config KEY=VALUE``: the value read by the build option's kind (app/cli_config.py:
    a Kconfig bool y/n, a number in its range, one of its choices, a size); the engine,
    imported only when a --config is given, checks the rest when the machine boots."""
    from .cli_config import ConfigValueError, read_pair
    try:
        read_pair(text)
    except ConfigValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def seconds(text: str) -> float:
    """``--step-seconds``: a number of seconds, 0 < s <= 3600."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= 3600):
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 < s <= 3600 (e.g. 6 or 2.5), "
                                         f"got {text!r}")
    return value


def size(text: str) -> str:
    """A memory size (``--ram``, ``--vmalloc``, ``--swap``, ``--initrd``): the text, checked
    against engine.config.parse_size()'s syntax (the engine reads it when it boots)."""
    if not SIZE_RE.match(text):
        raise argparse.ArgumentTypeError(f"expected {SIZE_FORM}, got {text!r}")
    hint = octal_hint(text, size=True) if not text.strip().lower().startswith("0x") else None
    if hint is not None:     # lib/cmdline.c memparse(): simple_strtoull(s, &end, 0): mem=010M is 8M
        raise argparse.ArgumentTypeError(hint)
    return text


UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def size_upto(limit: int, shown: str) -> Callable[[str], str]:
    """A memory size as :func:`size` reads it, of at most ``limit`` bytes (``shown``: the limit
    as written, 4G), refused at parse time naming the option rather than by the engine."""
    def parse(text: str) -> str:
        size(text)
        number, unit = SIZE_RE.match(text).groups()       # type: ignore[union-attr]
        value = int(number, 16) if number.lower().startswith("0x") else float(number)
        if value * UNITS[unit.lower()] > limit:
            raise argparse.ArgumentTypeError(f"expected a size of at most {shown}, got {text!r}")
        return text
    parse.__name__ = "size"
    return parse


def address(text: str) -> int:
    """A 32-bit address or value (``--cr3``, ``--vaddr``; ``walk ADDR``): hex with 0x, or decimal."""
    hint = octal_hint(text)
    if hint is not None:
        raise argparse.ArgumentTypeError(hint)
    try:
        value = int(text.strip(), 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an address like 0xc0100000 (hex with 0x, or "
                                         f"decimal), got {text!r}") from None
    if not 0 <= value < 1 << 32:
        raise argparse.ArgumentTypeError(f"{text} is outside the 32-bit address space "
                                         f"(0 .. 0xffffffff)")
    return value


MEM_FORM = "PADDR=VALUE,... (e.g. 0x1000=0x2067,0x2004=0x3067)"


def entries(text: str) -> dict[int, int]:
    """``quiz exercise --mem``: ``PADDR=VALUE,...`` -> {paddr: value}, each a 64-bit number at
    most (a PAE entry)."""
    out: dict[int, int] = {}
    items = [item for item in text.replace(";", ",").split(",") if item.strip()]
    for item in items:
        a, eq, b = item.partition("=")
        hint = octal_hint(a) or octal_hint(b)
        if hint is not None:
            raise argparse.ArgumentTypeError(hint)
        try:
            if not eq:
                raise ValueError
            paddr, value = int(a.strip(), 0), int(b.strip(), 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {MEM_FORM}, got {item.strip()!r}") from None
        if not (0 <= paddr < 1 << 36 and 0 <= value < 1 << 64):
            raise argparse.ArgumentTypeError(f"{item.strip()!r}: PADDR must be below 2^36 and VALUE "
                                             f"below 2^64")
        out[paddr] = value
    if not out:
        raise argparse.ArgumentTypeError(f"expected {MEM_FORM}, got {text!r}")
    return out


def suffixed(*suffixes: str) -> Callable[[str], str]:
    """A file to write whose name ends in one of ``suffixes`` (the format it is written in)."""
    names = " or ".join(suffixes)

    def parse(text: str) -> str:
        if Path(text).suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"{text!r}: the file name must end in {names}")
        return text
    parse.__name__ = "file name"
    return parse


def folder(text: str) -> str:
    """A folder to write files into (``record --svg DIR``): a file, or a new name that ends
    like one (.svg, .cast), is refused."""
    p = Path(text)
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file; give a folder (one SVG per step is "
                                         f"written into it)")
    if not p.exists() and p.suffix.lower() in (".svg", ".cast", ".txt", ".json", ".png"):
        raise argparse.ArgumentTypeError(f"{text!r} looks like a file name; give a folder (for one "
                                         f"animated SVG use -o FILE.svg)")
    return text
