"""Textual widgets: one read-only view of the engine each.

Widgets import ``engine`` (never ``scenarios`` or ``app``) and never change the
machine: the app applies a step, then hands the widgets what to show.
"""
from .buddy import BuddyPane
from .cmdline import CommandLine
from .faultflow import FaultFlowPane
from .lesson import LessonPane
from .mmview import MmStructPane
from .physmap import PhysicalMap, PhysicalMapPane
from .selection import Selection
from .slab import SlabPane
from .vmap import VirtualMap
from .walk import PageWalkPane

__all__ = ["BuddyPane", "CommandLine", "FaultFlowPane", "LessonPane", "MmStructPane",
           "PageWalkPane", "PhysicalMap", "PhysicalMapPane", "Selection", "SlabPane", "VirtualMap"]
