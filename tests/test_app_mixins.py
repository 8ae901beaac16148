"""No method is defined by two of MmvizApp's own classes (the app and its mixins): the one
earlier in the MRO silently hides the other.  ChromeMixin.format_title (the header's undimmed
title) once hid LayoutMixin.format_title (the exploring state first), and only a test of the
120-column header noticed."""
from __future__ import annotations

from app.app import MmvizApp


def test_no_method_is_defined_by_two_of_the_apps_own_classes():
    own = [c for c in MmvizApp.__mro__ if c.__module__.startswith("app.")]
    assert len(own) >= 3                       # the app and its mixins
    defined: dict[str, list[str]] = {}
    for cls in own:
        for name, value in vars(cls).items():
            if callable(value) and not (name.startswith("__") and name.endswith("__")):
                defined.setdefault(name, []).append(cls.__name__)
    twice = {name: where for name, where in defined.items() if len(where) > 1}
    assert not twice, twice
