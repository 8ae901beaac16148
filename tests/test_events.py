"""One event protocol: every engine event is an ``engine.events.Event`` (frozen, slotted
dataclass), hex is chosen by the field's declared type, events of different types never
compare equal, and each names its kernel tracepoint where the kernel has one."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import engine
import engine.kmem_events as kmem_events
import engine.kmsg as kmsg
import engine.mmu_events as mmu_events
import engine.task_events as task_events
from engine.events import EVENT_TYPES, AllocPages, Event, FreePages, FreeReserved, Reserve, Split

ROOT = Path(__file__).resolve().parent.parent
MODULES = (engine.events, kmem_events, mmu_events, task_events, kmsg)


def _event_classes():
    for mod in MODULES:
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, Event) and obj is not Event:
                yield obj


def test_every_event_class_is_a_frozen_dataclass_of_the_base():
    classes = list(_event_classes())
    assert len(classes) >= 60
    for cls in classes:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls
        assert "__slots__" in vars(cls), cls


def test_events_of_different_types_never_compare_equal():
    assert Reserve("kernel", 0x100, 4) != FreeReserved("kernel", 0x100, 4)
    assert Reserve("kernel", 0x100, 4) == Reserve("kernel", 0x100, 4)
    ev = Split("Normal", 0x1212, 0, 0x1213)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.pfn = 1          # type: ignore[misc]


def test_hex_is_chosen_by_field_type():
    assert Split("Normal", 0x1212, 3, 0x121a).describe() == \
        "Split(zone='Normal', pfn=0x1212, order=3, upper_pfn=0x121a)"
    pte = kmem_events.KernelMapPte(0xf8000000, 0x1234000, 0x1234163, "vmalloc")
    assert pte.hex_fields == {"vaddr", "paddr", "entry"}
    assert "entry=0x1234163" in pte.describe()
    walk = mmu_events.WalkStep("PDE", 0x1000, 3, 0x100c, 0x36bfe163)
    assert walk.hex_fields == {"table_paddr", "entry_paddr", "entry"}
    assert "index=3" in walk.describe()


def test_tracepoints_are_the_kernels():
    assert AllocPages.tracepoint == "mm_page_alloc"
    assert FreePages.tracepoint == "mm_page_free"
    assert kmem_events.ObjAlloc.tracepoint == "kmem_cache_alloc"
    assert kmem_events.KmallocLarge.tracepoint == "kmalloc"
    assert mmu_events.TlbFlush.tracepoint == "tlb_flush"
    assert task_events.HandleFault.tracepoint == "page_fault_user"
    assert Split.tracepoint is None          # expand() has no tracepoint


def test_registry_holds_every_event_class_by_name():
    for cls in _event_classes():
        assert cls.__name__ in EVENT_TYPES


def test_nested_operations_land_in_the_parents_list_in_order():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("example")
    m.fork(p.pid)
    kinds = [e.kind for e in m.events]
    assert kinds[-1] == "Fork"
    # the child's page directory pages come from the page allocator inside fork
    assert "AllocPages" in kinds and kinds.index("AllocPages") < kinds.index("Fork")
    assert all(isinstance(e, Event) for e in m.events)
    m.check()


def test_no_consumer_dispatches_on_type_names():
    pattern = re.compile(r"type\((ev|e|event)\)\.__name__")
    for pkg in ("engine", "scenarios", "widgets", "app"):
        for path in (ROOT / pkg).rglob("*.py"):
            assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_every_event_builds_as_its_dataclass_would():
    """The constructors (engine.events._by_position, else the dataclass's own) take the
    fields by position and by name, set every slot, and leave the event frozen."""
    for cls in _event_classes():
        names = [f.name for f in dataclasses.fields(cls)]
        values = [f"v{i}" for i in range(len(names))]
        by_pos, by_name = cls(*values), cls(**dict(zip(names, values)))
        assert by_pos == by_name and [getattr(by_pos, n) for n in names] == values, cls
        assert dataclasses.replace(by_pos) == by_pos, cls
        with pytest.raises(TypeError):
            cls(*values, "one too many")
        if names:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(by_pos, names[0], "changed")


def _sample(cls, seed: int) -> Event:
    """An instance with distinct field values (ints, strings, None, tuples by annotation)."""
    values = []
    for i, f in enumerate(dataclasses.fields(cls)):
        t = f.type if isinstance(f.type, str) else str(f.type)
        values.append(("x", seed + i) if "tuple" in t else None if t.startswith("None") else
                      f"s{seed + i}" if "str" in t else True if t == "bool" else 0x1000 * seed + i)
    return cls(*values)


def test_equality_hash_and_repr_are_the_dataclass_ones():
    """Event's shared __eq__/__hash__/__repr__ give what dataclass(frozen=True) generates."""
    for cls in _event_classes():
        twin = dataclasses.make_dataclass(cls.__name__, [(f.name, object) for f in
                                                         dataclasses.fields(cls)], frozen=True)
        a, b, c = _sample(cls, 1), _sample(cls, 1), _sample(cls, 2)
        ta, tc = (twin(*(getattr(e, f.name) for f in dataclasses.fields(cls))) for e in (a, c))
        assert repr(a) == repr(ta).replace(twin.__qualname__, cls.__qualname__, 1), cls
        assert a == b and hash(a) == hash(b) and (a == c) == (ta == tc), cls
        assert a.__eq__(ta) is NotImplemented, cls
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, dataclasses.fields(cls)[0].name, 0) if dataclasses.fields(cls) else \
                setattr(a, "x", 0)


def test_hex_fields_read_from_annotations_are_the_evaluated_types():
    """hex_fields() reads the annotation strings; evaluating them gives the same fields."""
    import typing
    from engine.events import _is_hex
    for cls in _event_classes():
        hints = typing.get_type_hints(cls, include_extras=True)
        assert cls.hex_fields == {f.name for f in dataclasses.fields(cls) if _is_hex(hints[f.name])}, cls
    assert Split.hex_fields == {"pfn", "upper_pfn"}
