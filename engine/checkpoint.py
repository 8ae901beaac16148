"""Checkpoints of a machine, restored in place (the timeline's back-steps and jumps).

    ck = save(m)              # costs no mem_map copy: its chunks are copy-on-write
    ...                       # steps change m
    chunks = restore(m, ck)   # m is the same object again in ck's state

:func:`save` copies the machine's Python state (zones' free lists, the allocator's
tables, page-table frames, slab caches, processes) with plain ``dict``/``bytearray``
copies for the big integer tables, and shares what never changes after boot (config,
layout, boot record, kernel image, reservations, the GFP table).  mem_map is not copied:
:meth:`engine.physmem.MemMap.snapshot` shares every chunk until a store changes it.

:func:`restore` copies the checkpoint's state back into the *same* Machine object
(``np.copyto`` into the same mem_map arrays, the other attributes replaced), so
whoever holds the machine keeps a valid reference, and returns the mem_map chunks it
copied back (the only frames that can differ).
"""
from __future__ import annotations

import copy
import gc
import random
from contextlib import contextmanager
from dataclasses import dataclass
import weakref
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import TYPE_CHECKING, Any

from .events import AllocPagesAt, FreePagesAt
from .slots import slot_names, slot_values

if TYPE_CHECKING:
    from .machine import Machine

# attributes fixed at boot: shared between the machine and all its checkpoints
SHARED = ("config", "layout", "boot_state", "kernel_image", "reservations", "gfp")
# the events of the operation that ran last (Machine.events): a restored machine has run
# no operation yet, so they come back empty instead of being copied
EVENT_LISTS = ("current", "_built_of")        # of Machine.trace (engine.trace.Trace)


@dataclass(eq=False)
class Checkpoint:
    """The state of one machine object at one moment (see :func:`save`)."""
    machine: Any                 # the live object it belongs to (a boot step makes another)
    state: dict                  # the Machine's __dict__, mem_map shared
    memmap: tuple                # MemMap.snapshot()
    extra: Any = None            # the caller's objects, copied with the machine
    kmem: Any = None             # engine.checkpoint_kmem.KmemSnapshot (state["kmem"] is live)


def _memo(m: Machine, state: dict, shared: tuple = ()) -> dict:
    """deepcopy memo for a machine's ``state`` (its __dict__ or a checkpoint's): the
    machine maps to ``m`` itself, mem_map and boot-time objects are shared, and the big
    integer tables are copied with dict.copy() instead of element by element."""
    pend = m.memmap.pend                            # (alloc_pages()'s GFP entries hold it)
    memo: dict = {id(m): m, id(m.memmap): m.memmap, id(pend): pend}
    keep = [m, m.memmap, pend, *shared]
    for obj in shared:
        memo[id(obj)] = obj
    for name in SHARED:
        obj = state.get(name)
        if obj is not None:
            memo[id(obj)] = obj
            keep.append(obj)
    cfg = state.get("config")
    if cfg is not None:                             # the kernel's Flavour: frozen, shared
        fl = cfg.flavour
        memo[id(fl)] = fl
        keep.append(fl)
    for z in state.get("_all_zones", ()):
        zc = object.__new__(type(z))
        for k, v in slot_values(z).items():
            if type(v) is dict:
                v = v.copy()                        # ints only: buddy_order (block heads)
            elif type(v) is list:                   # free_head/free_tail: lists of dicts of
                if v and type(v[0]) in (dict, list):   # ints; low_at: lists of ints (whoever
                    inner = [d.copy() for d in v]   # holds one of them, alloc_pages()'s GFP
                    for d, dc in zip(v, inner):     # entries, gets the copy's)
                        memo[id(d)] = dc
                        keep.append(d)
                    v = inner
                else:
                    v = v.copy()
            setattr(zc, k, v)
        memo[id(z)] = zc
        keep.append(z)
    frames = state.get("frames")
    if frames is not None:
        fc = copy.copy(frames)
        fc.frames = {pfn: bytearray(buf) for pfn, buf in frames.frames.items()}
        memo[id(frames)] = fc
        keep.append(frames)
    fresh: list = []
    trace = slot_values(state["trace"]) if "trace" in state else {}
    for name in EVENT_LISTS:                         # the last operation's events: not state
        ev = trace.get(name)
        if type(ev) is list or type(ev) is tuple:    # (a lone maker: Trace.reset_reads)
            memo[id(ev)] = fresh
            keep.append(ev)
    memo[id(memo)] = keep                            # deepcopy's keep-alive convention
    return memo


# what copy.deepcopy returns as is
_ATOMIC = frozenset({int, float, str, bytes, bool, type(None), complex, range, type,
                     FunctionType, BuiltinFunctionType, weakref.ref, property,
                     AllocPagesAt, FreePagesAt})   # (event makers: never changed)
_PLAIN_CLASS: dict[type, bool] = {}
_SLOTTED: dict[type, tuple | None] = {}


def _slots(cls: type) -> tuple | None:
    """The slot names of a class whose instances have only __slots__ (no __dict__) and no
    copy hooks of their own, copied slot by slot as copy.deepcopy would; else None."""
    if cls in _SLOTTED:
        return _SLOTTED[cls]
    names = None
    if (cls.__new__ is object.__new__ and "__dict__" not in dir(cls)
            and cls.__reduce_ex__ is object.__reduce_ex__ and cls.__reduce__ is object.__reduce__
            and not hasattr(cls, "__deepcopy__") and not hasattr(cls, "__setstate__")
            and getattr(cls, "__getstate__", object.__getstate__) is object.__getstate__):
        names = slot_names(cls)
    _SLOTTED[cls] = names
    return names


def _plain_class(cls: type) -> bool:
    """Instances are copied as copy.deepcopy would (a new object, its __dict__ copied):
    no __slots__, no __deepcopy__/__reduce__/__getstate__/__setstate__ of its own."""
    ok = _PLAIN_CLASS.get(cls)
    if ok is None:
        ok = _PLAIN_CLASS[cls] = (
            cls.__new__ is object.__new__
            and cls.__reduce_ex__ is object.__reduce_ex__ and cls.__reduce__ is object.__reduce__
            and not hasattr(cls, "__deepcopy__") and not hasattr(cls, "__setstate__")
            and getattr(cls, "__getstate__", object.__getstate__) is object.__getstate__
            and all("__slots__" not in vars(k) for k in cls.__mro__[:-1])
            and "__dict__" in dir(cls))
    return ok


def _copy(x: Any, memo: dict) -> Any:
    """copy.deepcopy(x, memo), several times faster on the machine's plain containers
    and objects; anything else goes to copy.deepcopy."""
    cls = type(x)
    if cls in _ATOMIC:
        return x
    y = memo.get(id(x), memo)
    if y is not memo:
        return y
    if cls is list:
        y = memo[id(x)] = []
        y.extend([v if type(v) in _ATOMIC else _copy(v, memo) for v in x])
    elif cls is dict:
        y = memo[id(x)] = {}
        for k, v in x.items():
            y[k if type(k) in _ATOMIC else _copy(k, memo)] = v if type(v) in _ATOMIC else _copy(v, memo)
    elif cls is bytearray:
        y = memo[id(x)] = bytearray(x)
    elif isinstance(x, tuple) and all(type(v) in _ATOMIC for v in x):
        return x                                     # immutable all the way down
    elif cls is tuple:
        y = tuple([_copy(v, memo) for v in x])
        if all(a is b for a, b in zip(x, y)):
            y = x
        memo[id(x)] = y
    elif cls is set and all(type(v) in _ATOMIC for v in x):
        y = memo[id(x)] = set(x)
    elif _plain_class(cls):
        y = memo[id(x)] = cls.__new__(cls)
        y.__dict__.update({k: v if type(v) in _ATOMIC else _copy(v, memo)
                           for k, v in x.__dict__.items()})
    elif cls is random.Random:                      # its state is one tuple of ints
        y = memo[id(x)] = random.Random.__new__(random.Random)
        y.setstate(x.getstate())
    elif (names := _slots(cls)) is not None:
        y = memo[id(x)] = cls.__new__(cls)
        for k in names:
            try:
                v = getattr(x, k)
            except AttributeError:
                continue
            setattr(y, k, v if type(v) in _ATOMIC else _copy(v, memo))
    else:
        return copy.deepcopy(x, memo)
    memo[id(memo)].append(x)                         # keep x alive while its id is a key
    return y


@contextmanager
def _collector_paused():
    """A copy allocates thousands of objects that all live: collecting meanwhile is waste
    (and a full collection in the middle is the kind of stall a step must not have)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def save(m: Machine, extra: Any = None, shared: tuple = (), like: Checkpoint | None = None) -> Checkpoint:
    """Checkpoint machine ``m``: a copy of its Python state and a CoW mem_map snapshot.

    ``extra`` (e.g. a lesson's named results) is copied in the same pass, so the engine
    objects it refers to are the checkpoint's; ``shared`` objects are never copied;
    ``like``: an earlier checkpoint of ``m`` (e.g. the last one saved or restored) whose
    copies of the kmem caches that did not change since are shared, not made again."""
    from . import checkpoint_kmem
    memo = _memo(m, m.__dict__, shared)
    kmem = m.__dict__.get("kmem")
    if kmem is not None:                            # the slab layer: cache by cache, below;
        memo[id(kmem)] = kmem                       # a cache is restored in place, so any
        for c in kmem.caches.values():              # reference to it keeps the live object
            memo[id(c)] = c
    with _collector_paused():
        state = _copy(m.__dict__, memo)
        # the last operation's events are not the machine's state (they come back empty), but
        # a value of the caller's may hold that very list (an Access's events): it keeps them
        trace = slot_values(m.__dict__["trace"]) if "trace" in m.__dict__ else {}
        for name in EVENT_LISTS:
            if type(trace.get(name)) is list:
                memo[id(trace[name])] = list(trace[name])
        extra = _copy(extra, memo)
        like_kmem = like.kmem if like is not None and like.machine is m else None
        slab = checkpoint_kmem.snapshot(kmem, memo, _copy, like_kmem) if kmem is not None else None
    if "trace" in state:
        state["trace"].reset_reads()
    return Checkpoint(m, state, m.memmap.snapshot(), extra, slab)


def trial_copy(m: Machine) -> Any:
    """A throw-away copy of machine ``m`` for a trial run (engine.lifecycle.atomic): its
    Python state copied as :func:`save` copies it, its back-references to ``m`` pointing
    to the copy, and mem_map *shared*: the caller brackets the trial with
    ``m.memmap.undo_point()`` / ``undo()``.  Costs what a checkpoint costs, not a copy of
    mem_map (208 MB at 64 GB PAE)."""
    trial = object.__new__(type(m))
    memo = _memo(m, m.__dict__)
    memo[id(m)] = trial
    with _collector_paused():
        trial.__dict__.update(_copy(m.__dict__, memo))
    trial.trace.reset_reads()
    return trial


def restore(m: Machine, ck: Checkpoint, shared: tuple = (),
            caches: list[str] | None = None) -> tuple[list[int], Any, dict]:
    """Put ``ck``'s state back into machine ``m`` (which must be ``ck.machine``).

    Returns (mem_map chunks copied back -- ``m.memmap.chunk_range(c)`` gives their
    frames --, a fresh copy of ``ck.extra``, the machine's previous state for
    :func:`discard`); ``caches``, when given, gets the names of the kmem caches copied
    back or dropped (the others are untouched objects).  Raises ValueError when ``ck`` belongs to
    another machine object.
    """
    if ck.machine is not m:
        raise ValueError("restore: the checkpoint belongs to another machine object")
    from . import checkpoint_kmem
    changed = m.memmap.restore(ck.memmap)
    memo = _memo(m, ck.state, shared)
    kmem = ck.state.get("kmem")
    if ck.kmem is not None:
        memo[id(kmem)] = kmem
        for c, _, _ in ck.kmem.states:
            memo[id(c)] = c
    with _collector_paused():
        state, extra = _copy((ck.state, ck.extra), memo)
        if ck.kmem is not None:
            names = checkpoint_kmem.restore(kmem, ck.kmem, memo, _copy)
            if caches is not None:
                caches.extend(names)
    old = dict(m.__dict__)
    if ck.kmem is not None and old.get("kmem") is kmem:
        del old["kmem"]                             # restored in place: nothing to discard
    m.__dict__.clear()
    m.__dict__.update(state)
    return changed, extra, old


def discard(old: dict) -> None:
    """Break the reference cycles inside a machine's replaced state (the third value
    :func:`restore` returns), so reference counting frees it at once instead of the
    cyclic collector, much later: the kernel page tables' allocator callbacks (bound
    methods of KernelPageTables kept by its PageTables) and slab caches <-> their slabs."""
    from .slab import ClassicSlab
    from .slub import SlubSlab
    kpt = old["kernel_pt"]
    pt = kpt.pt
    for k, v in list(vars(pt).items()):
        if isinstance(v, MethodType) and v.__self__ is kpt:
            setattr(pt, k, None)
    kmem = old.get("kmem")
    if kmem is None:
        return
    for cache in kmem.caches.values():            # the kmalloc caches are among them
        for v in list(slot_values(cache).values()):
            if type(v) is list or type(v) is dict:
                items = v.values() if type(v) is dict else v
                if any(isinstance(x, (SlubSlab, ClassicSlab)) and x.cache is cache for x in items):
                    v.clear()
    kmem.slab_of.clear()
