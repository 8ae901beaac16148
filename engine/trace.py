"""The trace: the events of the running operation, and the one bracket that opens it.

Every public Machine operation runs inside ``with m.trace as events:`` (the kernel's
counterpart is the trace buffer its tracepoints write to).  The outermost operation
gets a fresh list (None when ``record`` is off, as when a timeline replays steps);
an operation started inside another one (the page-table pages fork allocates, the
slab pages kmalloc takes) writes into its parent's list, so a nested operation's
events land in order without being spliced by hand.  ``m.events`` is the list of the
running or most recent outermost operation.

The buddy allocator's hot path appends raw tuples ``(EventClass, *fields)``; they
become event objects when ``events`` is read, and only the entries not read before
are built (a vmalloc of n pages stays linear).  An outermost alloc_pages/free_pages
whose only event is its own leaves that event's maker (engine.events.AllocPagesAt,
FreePagesAt) as ``current`` and the pfn in ``at``: no list and no tuple is made for it
(a tuple costs its allocation and, when the next operation replaces it, its freeing);
reading ``events`` turns it into a one-event list.  Whoever compares ``current`` before
and after an operation compares ``at`` too (scenarios.runner): two operations in a row
may leave the same maker.
"""
from __future__ import annotations


class Trace:
    """The event log of the machine's operations (see the module docstring).

    Slotted, as engine.zone.Zone is: the buddy allocator's hot path reads ``direct`` and
    writes ``current``/``at`` on every call, and a checkpoint's copy must not cost the
    live trace its fast attribute access (engine.checkpoint.slot_values)."""

    __slots__ = ("_record", "depth", "direct", "current", "at", "_need_list", "_built_of",
                 "_built", "on_failure", "ops")

    def __init__(self, events: list | None = None) -> None:
        self._record = True          # False: operations keep no events (replays)
        self.depth = 0               # operations open: 0 outside any
        # outside any operation and recording: a hot-path operation's one event *is* the
        # events (``current = ev``); else it goes through :meth:`add`
        self.direct = True
        self.current = events        # the running or last outermost operation's events
        self.at = 0                  # the pfn of a lone hot-path event (current: its maker)
        self._need_list = False
        self._built_of: list | None = None     # the list read last and how many of its
        self._built = 0                        # entries are objects already
        self.on_failure = None       # called with the error an outermost operation raised
        self.ops = 0                 # outermost operations opened: mmviz's clock (kmsg_pte.bad_pte_ratelimit)

    @property
    def record(self) -> bool:
        """False: operations keep no events (a timeline's replays)."""
        return self._record

    @record.setter
    def record(self, value: bool) -> None:
        self._record = value
        self.direct = bool(value) and not self.depth

    def add(self, ev) -> None:
        """The event of a hot-path operation (one event, no bracket of its own) when
        :attr:`direct` is off: into the running operation's list, or dropped."""
        if self.depth:
            if self.current is not None:
                self.current.append(ev)
        else:
            self.current = ev if self._record else None

    # -- the bracket ---------------------------------------------------------------
    def __enter__(self) -> list | None:
        if not self.depth:
            self.current = [] if self._record else None
            self.ops += 1
        self.depth += 1
        self.direct = False
        ev = self.current
        if ev is None and self._need_list:
            ev = []                  # a scratch list, dropped (the code appends unguarded)
        self._need_list = False
        return ev

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.depth -= 1
        if not self.depth:
            self.direct = self._record
        if exc is not None and not self.depth and self.on_failure is not None:
            self.on_failure(exc)     # the kernel's report of the failure (engine.kmsg)
        return False

    def with_list(self) -> "Trace":
        """The bracket for code that appends without testing for None: when recording
        is off it gets a scratch list (``with m.trace.with_list() as events``)."""
        self._need_list = True
        return self

    def begin(self) -> list | None:
        """The bracket of an operation that opens no other: the events list to append to
        (the parent's inside another operation).  Nothing to close."""
        if self.depth:
            return self.current
        self.current = events = [] if self._record else None
        return events

    # -- reading -------------------------------------------------------------------
    @property
    def events(self) -> list | None:
        """The current list with every raw hot-path tuple built into its event."""
        ev = self.current
        if ev is not None and type(ev) is not list:   # a lone hot-path event (module doc)
            ev = self.current = [ev if type(ev) is tuple else ev(self.at)]
        if ev:
            n = len(ev)
            start = self._built if ev is self._built_of else 0
            if start > n:
                start = 0                    # the list was cleared and refilled meanwhile
            for i in range(start, n):
                e = ev[i]
                if type(e) is tuple:
                    ev[i] = e[0](*e[1:])
            self._built_of, self._built = ev, n
        return ev

    def reset_reads(self) -> None:
        """Forget what was built (a checkpoint copy holds a fresh empty list, also where
        the operation before left a lone hot-path event)."""
        self._built_of, self._built = None, 0
        if self.current is not None and type(self.current) is not list:
            self.current = []
