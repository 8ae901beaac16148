"""What each operation did: small, immutable records, one protocol for every subsystem.

Every event is a frozen, slotted dataclass derived from :class:`Event` and declared
with ``@event``.  The kernel's own tracepoints (include/trace/events/kmem.h,
tlb.h, vmscan.h, exceptions.h, sched.h) are the model:

- ``tracepoint`` names the kernel tracepoint the event corresponds to, where one
  exists (``AllocPages.tracepoint == "mm_page_alloc"``), else None;
- one formatting rule, chosen by the field's declared type: fields typed
  :data:`Addr` (a virtual or physical address), :data:`Pfn` (a page frame number)
  or :data:`Reg` (a register or a page-table entry) print in hex, other ints in
  decimal (``describe()``, and the students' notation in widgets/notation.py);
- events of different types never compare equal (``Reserve(...) != FreeReserved(...)``
  with the same fields), and consumers tell them apart with ``isinstance`` or
  ``match``.

Widgets highlight from them, lessons narrate them, the recorder times them.  The
buddy allocator's hot path appends raw tuples ``(EventClass, *fields)`` or
``(maker, pfn)`` (:class:`AllocPagesAt`, :class:`FreePagesAt`) instead of objects;
:class:`engine.trace.Trace` builds them (``e[0](*e[1:])``) when the events are read.
This module holds the page allocator's and boot's events; the other subsystems'
events derive from the same base in their own modules.
"""
from __future__ import annotations

import dataclasses
import functools
import operator
import re
import typing
from typing import Annotated, ClassVar

HEX = "hex"
Addr = Annotated[int, HEX]
"""A virtual or physical address (printed in hex)."""
Pfn = Annotated[int, HEX]
"""A page frame number: physical address >> 12 (printed in hex)."""
Reg = Annotated[int, HEX]
"""A register or a paging-structure entry value (printed in hex)."""

EVENT_TYPES: dict[str, type] = {}
"""Every event class by its name (for lessons that count events by type)."""


class Event:
    """Base of every engine event (see the module docstring)."""
    __slots__ = ()
    tracepoint: ClassVar[str | None] = None
    hex_fields: ClassVar[frozenset[str]] = frozenset()
    _values: ClassVar = staticmethod(lambda ev: ())     # the fields' values, a tuple (@event)

    # equality, hash and repr as a dataclass's (by type, then the fields in order; repr
    # ``Split(zone='Normal', ...)``), written once here rather than generated per class:
    # compiling them for every event type cost ~30 ms of every start
    def __eq__(self, other: object):
        if other.__class__ is self.__class__:
            return self._values(self) == self._values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __repr__(self) -> str:
        names = self.__match_args__   # type: ignore[attr-defined]
        return (f"{type(self).__qualname__}("
                f"{', '.join(f'{n}={v!r}' for n, v in zip(names, self._values(self)))})")

    @property
    def kind(self) -> str:
        """The event type's name (``"Split"``)."""
        return type(self).__name__

    def get(self, name: str, default=None):
        """The field ``name`` if this event type has one, else ``default``: for readers that
        scan every event for a frame (``pfn``, ``order``, ``nr_pages``), a ``zone``, a slab
        ``cache`` or a ``pid`` whatever the event's type."""
        return getattr(self, name) if name in self.__dataclass_fields__ else default

    def _asdict(self) -> dict:
        """The fields in declaration order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def describe(self) -> str:
        """``Split(zone='Normal', pfn=0x1212, order=0, upper_pfn=0x1213)``: hex by field type."""
        hexf = self.hex_fields
        parts = []
        for k, v in self._asdict().items():
            if k in hexf and isinstance(v, int) and not isinstance(v, bool):
                parts.append(f"{k}={v:#x}")
            else:
                parts.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __str__(self) -> str:
        return self.describe()


def _is_hex(hint) -> bool:
    if typing.get_origin(hint) is Annotated:
        return HEX in hint.__metadata__
    return any(_is_hex(a) for a in typing.get_args(hint))


HEX_TYPES = frozenset({"Addr", "Pfn", "Reg"})
_NAME = re.compile(r"[A-Za-z_]\w*")


def hex_fields(cls) -> frozenset[str]:
    """The fields of an event class typed :data:`Addr`, :data:`Pfn` or :data:`Reg`, also inside
    ``X | None`` or ``tuple[X, ...]``.  The event modules' annotations are strings (``from
    __future__ import annotations``) naming these aliases: the names are read without
    evaluating the strings (typing.get_type_hints costs ~0.2 ms per class at every start);
    an evaluated annotation is inspected as a type."""
    out = []
    for f in dataclasses.fields(cls):
        hint = f.type
        if isinstance(hint, str) and HEX_TYPES.intersection(_NAME.findall(hint)) or \
                not isinstance(hint, str) and _is_hex(hint):
            out.append(f.name)
    return frozenset(out)


def _by_position(cls):
    """An ``__init__`` that stores each field through its slot when it is given every field by
    position (how the engine builds events: the raw tuples of engine.trace, direct calls), and
    hands any other call -- keywords, defaults left out, a wrong count -- to the frozen
    dataclass's own ``__init__``, whose signature it reports (``__wrapped__``).  The
    dataclass's stores each field with ``object.__setattr__``: ~40 % slower, and a heavy
    lesson step builds tens of thousands of events.  Written out per field count (1-6; a
    loop beyond), not generated.  None for a class whose ``__init__`` does more
    (``__post_init__``, a field outside ``__init__``) or has no field."""
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or not fields or any(not f.init for f in fields):
        return None
    init, n = cls.__init__, len(fields)
    sets = [cls.__dict__[f.name].__set__ for f in fields]   # the slots' member descriptors
    if n == 1:
        s0, = sets

        def __init__(self, *args, **kw):
            if kw or len(args) != 1:
                return init(self, *args, **kw)
            s0(self, args[0])
    elif n == 2:
        s0, s1 = sets

        def __init__(self, *args, **kw):
            if kw:
                return init(self, *args, **kw)
            try:
                a, b = args
            except ValueError:                  # a field left to its default, one too many
                pass
            else:
                s0(self, a)
                s1(self, b)
                return
            init(self, *args)
    elif n == 3:
        s0, s1, s2 = sets

        def __init__(self, *args, **kw):
            if kw:
                return init(self, *args, **kw)
            try:
                a, b, c = args
            except ValueError:                  # a field left to its default, one too many
                pass
            else:
                s0(self, a)
                s1(self, b)
                s2(self, c)
                return
            init(self, *args)
    elif n == 4:
        s0, s1, s2, s3 = sets

        def __init__(self, *args, **kw):
            if kw:
                return init(self, *args, **kw)
            try:
                a, b, c, d = args
            except ValueError:                  # a field left to its default, one too many
                pass
            else:
                s0(self, a)
                s1(self, b)
                s2(self, c)
                s3(self, d)
                return
            init(self, *args)
    elif n == 5:
        s0, s1, s2, s3, s4 = sets

        def __init__(self, *args, **kw):
            if kw:
                return init(self, *args, **kw)
            try:
                a, b, c, d, e = args
            except ValueError:                  # a field left to its default, one too many
                pass
            else:
                s0(self, a)
                s1(self, b)
                s2(self, c)
                s3(self, d)
                s4(self, e)
                return
            init(self, *args)
    elif n == 6:
        s0, s1, s2, s3, s4, s5 = sets

        def __init__(self, *args, **kw):
            if kw:
                return init(self, *args, **kw)
            try:
                a, b, c, d, e, f = args
            except ValueError:                  # a field left to its default, one too many
                pass
            else:
                s0(self, a)
                s1(self, b)
                s2(self, c)
                s3(self, d)
                s4(self, e)
                s5(self, f)
                return
            init(self, *args)
    else:
        def __init__(self, *args, **kw):
            if kw or len(args) != n:
                return init(self, *args, **kw)
            for put, v in zip(sets, args):
                put(self, v)
    return functools.update_wrapper(__init__, init)


def event(cls):
    """Declare an event type: a frozen slotted dataclass of ``Event`` with its hex fields.
    Its frozen ``__setattr__`` is the dataclass's, its ``__init__`` the dataclass's behind a
    faster path for calls with every field by position (:func:`_by_position`); equality, hash
    and repr are :class:`Event`'s, with the same results as the dataclass's."""
    cls = dataclasses.dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
    init = _by_position(cls)
    if init is not None:
        cls.__init__ = init
    names = cls.__match_args__
    get = operator.attrgetter(*names) if names else None
    cls._values = staticmethod(get if len(names) > 1 else                  # always a tuple
                               (lambda ev, _get=get: (_get(ev),)) if names else (lambda ev: ()))
    cls.hex_fields = hex_fields(cls)
    EVENT_TYPES[cls.__name__] = cls
    return cls


@event
class Split(Event):
    """expand(): a block of order+1 was split; the upper half goes back on free_area[order]."""
    zone: str
    pfn: Pfn            # start of the block that was split
    order: int          # order of each half
    upper_pfn: Pfn      # the half put back on the free list


@event
class Merge(Event):
    """__free_one_page(): a block merged with its free buddy into order+1."""
    zone: str
    pfn: Pfn
    buddy_pfn: Pfn
    order: int          # order of each half before the merge
    merged_pfn: Pfn


@event
class AllocPages(Event):
    """__alloc_pages(): a 2^order block for the caller."""
    tracepoint = "mm_page_alloc"
    zone: str
    pfn: Pfn
    order: int
    gfp: str
    owner: str


@event
class FreePages(Event):
    """__free_pages(): the block went back, merged up to final_order."""
    tracepoint = "mm_page_free"
    zone: str
    pfn: Pfn
    order: int          # order given to __free_pages
    final_pfn: Pfn      # block that went on the free list after merging
    final_order: int


@event
class WatermarkCheck(Event):
    """zone_watermark_ok() said no for this zone; the allocator fell back."""
    zone: str
    mark: str           # "low" or "min"
    free: int           # pages
    needed: int         # pages


@event
class Fallback(Event):
    """get_page_from_freelist(): the next zone of the zonelist was tried."""
    from_zone: str
    to_zone: str


@event
class AllocFail(Event):
    """warn_alloc(): no zone could give the block ("page allocation failure")."""
    order: int
    gfp: str
    message: str


@event
class Reserve(Event):
    """A boot-time (memblock) reservation."""
    what: str
    pfn: Pfn
    nr_pages: int


@event
class FreeReserved(Event):
    """Boot memory handed to the buddy allocator (free_initmem and friends)."""
    what: str
    pfn: Pfn
    nr_pages: int


class AllocPagesAt:
    """The :class:`AllocPages` of one zone, order, GFP name and owner, given the pfn: the
    buddy hot path's raw event is ``(maker, pfn)`` (a 2-tuple instead of 6 fields; a raw
    tuple is built as ``e[0](*e[1:])`` when read, engine.trace)."""

    __slots__ = ("zone", "order", "gfp", "owner")

    def __init__(self, zone: str, order: int, gfp: str, owner: str) -> None:
        self.zone, self.order, self.gfp, self.owner = zone, order, gfp, owner

    def __call__(self, pfn: int) -> AllocPages:
        return AllocPages(self.zone, pfn, self.order, self.gfp, self.owner)


class FreePagesAt:
    """The :class:`FreePages` of a block of one zone and order that merged with nothing,
    given the pfn (the free hot path's raw event ``(maker, pfn)``)."""

    __slots__ = ("zone", "order")

    def __init__(self, zone: str, order: int) -> None:
        self.zone, self.order = zone, order

    def __call__(self, pfn: int) -> FreePages:
        return FreePages(self.zone, pfn, self.order, pfn, self.order)
