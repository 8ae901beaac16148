"""Every event type's ``__init__`` (engine.events._by_position: the fields stored through their
slots when all are given by position, else the frozen dataclass's own) does what the frozen
dataclass's own does: the same parameters and defaults, the fields stored, still frozen."""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import sys

import pytest

import engine
from engine.events import EVENT_TYPES

for _mod in pkgutil.iter_modules(engine.__path__):       # every module that declares events
    importlib.import_module(f"engine.{_mod.name}")


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_init_is_the_dataclass_init(name):
    cls = EVENT_TYPES[name]
    fields = dataclasses.fields(cls)
    params = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields):
        assert p.default == (inspect.Parameter.empty if f.default is dataclasses.MISSING
                             else f.default), (name, f.name)
    values = [object() for _ in fields]          # distinct values: each lands in its field
    ev = cls(*values)
    assert all(getattr(ev, f.name) is v for f, v in zip(fields, values))
    assert ev == cls(**{f.name: v for f, v in zip(fields, values)})
    assert dataclasses.replace(ev) == ev
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ev, fields[0].name, 1)
    with pytest.raises(TypeError):
        cls(*values, 1)                           # one argument too many
    required = [f for f in fields if f.default is dataclasses.MISSING]
    if required:
        with pytest.raises(TypeError):
            cls(*values[:len(required) - 1])


def test_defaults_are_used():
    cls = EVENT_TYPES["Segv"]
    ev = cls(1, 0x1000, 4, "how")
    assert ev.path == ()


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_a_call_by_position_skips_the_dataclass_init(name):
    """Every field by position (how the engine and engine.trace build events): the fields go
    straight to their slots, the dataclass's own __init__ (object.__setattr__ per field, ~40 %
    slower) is not run; by keyword, or with a default left out, it is."""
    cls = EVENT_TYPES[name]
    fields = dataclasses.fields(cls)
    own = getattr(cls.__init__, "__wrapped__", cls.__init__).__code__
    ran: list = []

    def profile(frame, what, arg):
        if what == "call" and frame.f_code is own:
            ran.append(1)
    values = [object() for _ in fields]
    sys.setprofile(profile)
    try:
        by_position = cls(*values)
        positional_runs = len(ran)
        by_name = cls(**{f.name: v for f, v in zip(fields, values)})
    finally:
        sys.setprofile(None)
    assert by_position == by_name
    assert positional_runs == 0                  # by position: straight to the slots
    assert len(ran) == 1                         # by keyword: the dataclass's __init__
