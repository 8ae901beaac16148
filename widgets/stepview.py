"""The step view: everything a pane may show, for one position of the timeline.

The app builds one ``StepView`` after every move (step, back, jump, lesson switch,
selection, language) and hands the same object to every pane through ``show(view)``.
A pane's picture is a function of the view plus the pane's own scroll/zoom/cursor, so
step N looks the same however the app got there (stepping, End/Home, back-steps, the
lesson picker, or ``mmviz record --svg --step N``).

Incremental drawing stays possible: ``touched`` says which frames changed since the
view the pane saw last (``previous`` is that view's ``serial``).  ``None`` means "not
known": the pane redraws everything (after a jump, a back-step restored in place,
a new machine, or when it missed a view).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .selection import Selection

if TYPE_CHECKING:
    from engine.machine import Machine


@dataclass(frozen=True, slots=True)
class StepView:
    """One immutable picture of the timeline at ``position`` (0 = freshly booted)."""
    serial: int                             # grows by one per published view
    machine: Machine                        # the machine after step ``position``
    result: Any                             # the step's result (None at step 0)
    position: int                           # steps applied, 0..total
    total: int                              # steps in the lesson
    selection: Selection | None
    lang: str                               # "en" or "zh"
    title: str                              # the lesson's title in ``lang``
    summary: str                            # the lesson's summary in ``lang``
    free_history: tuple[tuple[tuple[str, int], ...], ...]   # per step 0..position: (zone, nr free pages)
    log: tuple[str, ...]                    # kernel messages of steps 1..position, oldest first
    touched: tuple[tuple[int, int], ...] | None = None       # pfn ranges [lo, hi) changed since ``previous``
    previous: int = -1                      # serial of the view ``touched`` is relative to

    @property
    def events(self) -> tuple:
        """What this step did (empty at step 0)."""
        r = self.result
        return tuple(r.events) if r is not None else ()

    def changed_since(self, serial: int) -> tuple[tuple[int, int], ...] | None:
        """The frame ranges changed since the view ``serial`` a pane drew, or None (redraw all)."""
        return self.touched if serial == self.previous and serial >= 0 else None


_DERIVED: dict[int, tuple[Any, dict[str, Any]]] = {}


def derived(result: Any, name: str, make: Callable[[], Any]) -> Any:
    """``make()``, worked out once per step result and name: what a pane derives from a step's
    events (its frame ranges, the buddy blocks it split) is the same each time the step is
    shown again (back, forward, a jump, another pane), and a heavy step has thousands of
    events.  Kept while the result lives (a weak reference guards the id); callers must not
    change what they get."""
    import weakref
    hit = _DERIVED.get(id(result))
    if hit is None or hit[0]() is not result:
        if len(_DERIVED) > 512:
            for k in [k for k, (ref, _) in _DERIVED.items() if ref() is None]:
                del _DERIVED[k]
        hit = _DERIVED[id(result)] = (weakref.ref(result), {})
    values = hit[1]
    if name not in values:
        values[name] = make()
    return values[name]


def per_step(view: StepView, name: str, make: Any) -> Any:
    """``make()`` for what is a function of the position (the step result), the selection and
    the language, worked out once per step (stepview.derived): the frames a selection lights
    up (a process's: a walk of its page tables), the selected thing's description (the lesson
    and the physical map show the same one: worked out once for both)."""
    key = (name, view.selection, view.lang)
    try:
        hash(key)
    except TypeError:                        # a lesson's focus value that is a list
        return make()
    return make() if view.result is None else derived(view.result, key, make)


def _size(n: int) -> str:
    return f"{n >> 30} GB" if n >= 1 << 30 and not n & ((1 << 30) - 1) else f"{n >> 20} MB"


def machine_text(machine: Machine | None, lang: str = "en") -> str:
    """The running machine in one line: ``160 MB · Linux 2.6.24 · non-PAE · 3G/1G · SLAB``
    (in Chinese with ``lang="zh"``: ``非 PAE``, ``3G/1G 划分``)."""
    if machine is None:
        return ""
    c = machine.config
    release = c.flavour.release
    zh = lang == "zh"
    paging = ("PAE+NX" if c.nx else "PAE") if c.pae else ("非 PAE" if zh else "non-PAE")
    user = c.page_offset >> 20
    split = f"{user >> 10}G/{4 - (user >> 10)}G" if not user & 1023 else f"{user}M/{4096 - user}M"
    # a release whose fixmap slot count is not checked against a real kernel says so
    est = machine.layout.fixmap_estimated
    fix = (" · fixmap 槽数为估计值" if zh else " · fixmap size estimated") if est else ""
    return (f"{_size(c.ram)} · Linux {release} · {paging} · {split} {'划分' if zh else 'split'} · "
            f"{str(c.allocator).upper()}{fix}")
