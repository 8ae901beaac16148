"""Slotted engine objects: their attributes as a dict, without a ``__dict__``.

The objects the hot paths touch on every call -- engine.zone.Zone, engine.trace.Trace,
engine.buddy.BuddyAllocator, the kmem caches and engine.kmalloc.KmemCaches -- have
``__slots__``.  CPython 3.11 reads and writes the attributes of an ordinary instance
fast only as long as nothing has asked for its ``__dict__``; a checkpoint's copy asks
for every object's, and from then on that object's attribute access is a dict lookup:
the buddy allocator ran 20-26 % and kmalloc 10-15 % slower on every machine a timeline
had checkpointed.  A slotted object has no ``__dict__`` to ask for.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Any


_NAMES: dict[type, tuple[str, ...]] = {}
_GETTERS: dict[type, "attrgetter"] = {}


def slot_names(cls: type) -> tuple[str, ...]:
    """Every slot of ``cls`` and its bases (``__weakref__``/``__dict__`` left out)."""
    names = _NAMES.get(cls)
    if names is None:
        found: list[str] = []
        for k in cls.__mro__[:-1]:
            sl = k.__dict__.get("__slots__", ())
            found += [sl] if isinstance(sl, str) else list(sl)
        names = _NAMES[cls] = tuple(n for n in found if n not in ("__weakref__", "__dict__"))
    return names


def slot_values(obj: Any) -> dict:
    """The set attributes of a slotted object by name: what ``vars()`` gives for an object
    with a ``__dict__`` (a new dict; unset slots left out)."""
    cls = type(obj)
    get = _GETTERS.get(cls)
    if get is None:
        names = slot_names(cls)
        get = _GETTERS[cls] = attrgetter(*names) if len(names) > 1 else None
    if get is not None:
        try:                                # every slot set: one call in C
            return dict(zip(_NAMES[cls], get(obj)))
        except AttributeError:
            pass
    out = {}
    for k in slot_names(cls):
        try:
            out[k] = getattr(obj, k)
        except AttributeError:
            continue
    return out
