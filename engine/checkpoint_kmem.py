"""Checkpoints of the slab layer, one kmem_cache at a time (used by engine.checkpoint).

A machine has about 140 kmem caches (SLUB's kmalloc families and the boot caches) and a
lesson step touches a few of them.  Every cache carries a ``gen`` number that takes a new
value whenever ``alloc()``, ``free()`` or ``shutdown()`` runs on it (engine.slub.CACHE_GEN),
so two equal gens mean the same state.  Hence:

* :func:`snapshot` copies only the caches whose gen moved since the last snapshot of the
  same KmemCaches (the others share that snapshot's copy: copies are never written);
* :func:`restore` puts back, *into the same cache objects*, only the caches whose gen
  differs from the snapshot's, and keeps the others as they are; the KmemCaches object,
  its ``slab_of`` dict and every cache keep their identity, so whoever holds one (a
  cache's ``slabp_cache``, a pane) still holds the live one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .slots import slot_values

# the KmemCaches attributes restored in place (never replaced by copies)
IN_PLACE = ("caches", "slab_of", "kmalloc_caches")


@dataclass(eq=False)
class KmemSnapshot:
    """The slab layer at one moment: see the module docstring."""
    attrs: dict            # the other KmemCaches attributes (large, requested, ...), copied
    caches: dict           # name -> live cache object, in the caches dict's order
    kmalloc: dict          # family -> the kmalloc array (live cache objects)
    states: list           # (live cache, gen, copy of its attributes) for every cache in `caches`


def _shared(kmem: Any) -> dict:
    """A memo mapping the objects a cache's state refers to but never owns -- the shared
    slab_of dict and the other caches (SLAB's off-slab ``slabp_cache``) -- to themselves."""
    memo = {id(c): c for c in kmem.caches.values()}
    memo[id(kmem.slab_of)] = kmem.slab_of
    return memo


def _fresh(shared: dict) -> dict:
    memo = dict(shared)
    memo[id(memo)] = []                 # deepcopy's keep-alive list
    return memo


def snapshot(kmem: Any, memo: dict, copy, like: KmemSnapshot | None = None) -> KmemSnapshot:
    """Snapshot ``kmem`` (engine.kmalloc.KmemCaches); ``memo``: the checkpoint's deepcopy memo
    for its other attributes; ``copy``: engine.checkpoint._copy; ``like``: an earlier snapshot
    of the same KmemCaches whose copies are shared where a cache's gen has not moved."""
    latest = {id(h[0]): h for h in like.states} if like is not None else {}
    states = []
    shared = None
    for c in kmem.caches.values():
        hit = latest.get(id(c))
        if hit is None or hit[0] is not c or hit[1] != c.gen:
            if shared is None:
                shared = _shared(kmem)
            hit = (c, c.gen, copy(slot_values(c), _fresh(shared)))
        states.append(hit)
    attrs = copy({k: v for k, v in slot_values(kmem).items() if k not in IN_PLACE}, memo)
    return KmemSnapshot(attrs, dict(kmem.caches),
                        {f: list(a) for f, a in kmem.kmalloc_caches.items()}, states)


def _slab_pages(cache: Any):
    for s in cache.slabs:
        for p in range(s.pfn, s.pfn + (1 << s.order)):
            yield p, s


def _teardown(cache: Any) -> None:
    """A cache leaves the machine: break the cycles between it and its slabs (each slab
    points back at its cache) so reference counting frees them at once.  Its gen moves:
    a later checkpoint that still holds it copies its whole state back."""
    from .slab import ClassicSlab
    from .slub import CACHE_GEN, SlubSlab
    for v in slot_values(cache).values():
        if type(v) is list and any(isinstance(x, (SlubSlab, ClassicSlab)) and x.cache is cache
                                   for x in v):
            v.clear()
    cache.gen = next(CACHE_GEN)


def restore(kmem: Any, snap: KmemSnapshot, memo: dict, copy) -> list[str]:
    """Put ``snap`` back into ``kmem`` in place; returns the names of the caches copied back
    or dropped (made after the snapshot): the only ones whose objects or slabs can differ."""
    slab_of = kmem.slab_of
    known = {id(c) for c, _, _ in snap.states}
    changed = []
    for c in kmem.caches.values():              # made after the snapshot: gone again
        if id(c) not in known:
            for p, s in _slab_pages(c):
                if slab_of.get(p) is s:
                    del slab_of[p]
            _teardown(c)
            changed.append(c.name)
    shared = None
    for c, gen, state in snap.states:
        if c.gen == gen:
            continue
        if shared is None:
            shared = {id(x): x for x, _, _ in snap.states}
            shared[id(slab_of)] = slab_of
        for p, s in _slab_pages(c):
            if slab_of.get(p) is s:
                del slab_of[p]
        _put_back(c, copy(state, _fresh(shared)))
        for p, s in _slab_pages(c):
            slab_of[p] = s
        changed.append(c.name)
    if kmem.caches != snap.caches or list(kmem.caches) != list(snap.caches):
        kmem.caches.clear()
        kmem.caches.update(snap.caches)
    for family, arr in snap.kmalloc.items():
        if kmem.kmalloc_caches.get(family) != arr:
            kmem.kmalloc_caches[family] = list(arr)
    live = slot_values(kmem)
    for k, v in snap.attrs.items():
        cur = live.get(k, live)
        if cur is v or (type(v) in (dict, list, tuple, int, str, bool) and type(cur) is type(v)
                        and cur == v):
            continue
        setattr(kmem, k, copy(v, memo))
    for k in [k for k in live if k not in snap.attrs and k not in IN_PLACE]:
        delattr(kmem, k)
    return changed


def _put_back(obj: Any, state: dict) -> None:
    """Set a slotted object's attributes to ``state`` (a slot_values() copy) in place: the
    slots it does not name are unset."""
    for k in type(obj).__slots__:
        if k in state:
            setattr(obj, k, state[k])
        else:
            try:
                delattr(obj, k)
            except AttributeError:
                pass
