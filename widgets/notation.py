"""How students read what the engine did: one line per event, in one format.

The format follows the kernel's tracepoints (include/trace/events/kmem.h):
``name: key=value key=value``, addresses, pfns, entries and registers in hex,
counts and orders in decimal, GFP masks by their flag names (``%pGg``), strings bare
(double-quoted when they hold spaces), never a Python repr.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.events import Event


@lru_cache(maxsize=4)
def _gfp_table(kernel: str) -> Any:
    from engine.gfp import GfpTable
    return GfpTable(kernel)


def gfp_text(value: Any, kernel: str = "6.1") -> str:
    """A GFP mask by its names: 0xd0 on 2.6 -> GFP_KERNEL (as the kernel's %pGg prints it)."""
    if isinstance(value, str) and not value.lower().startswith("0x"):
        return " | ".join(p.strip() for p in value.split("|"))
    try:
        mask = int(value, 16) if isinstance(value, str) else int(value)
        return _gfp_table(kernel).format(mask)
    except (ValueError, TypeError, KeyError):
        return str(value)


def value_text(key: str, value: Any, kernel: str = "6.1", hex_field: bool = False) -> str:
    """One field's value in the students' notation (ints in hex for hex-typed fields)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    if key == "gfp":
        return gfp_text(value, kernel)
    if isinstance(value, int):
        return f"{value:#x}" if hex_field else str(value)
    text = str(value)
    return f'"{text}"' if " " in text or not text else text


def event_text(ev: Event, kernel: str = "6.1") -> str:
    """``Split: zone=Normal pfn=0x1212 order=0 upper_pfn=0x1213`` for any engine event."""
    hexf = ev.hex_fields               # engine.events: hex is chosen by the field's type
    parts = [f"{k.rstrip('_')}={value_text(k, v, kernel, k in hexf)}"
             for k, v in ev._asdict().items()]
    return f"{ev.kind}: {' '.join(parts)}" if parts else ev.kind

