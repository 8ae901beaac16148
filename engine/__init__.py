"""mmviz engine: a simulated 32-bit x86 machine running Linux's memory manager.

Pure Python + numpy; never imports textual or rich.  See API.md for the contract.
"""
from .config import MachineConfig, parse_size
from .flavour import FLAVOURS
from .errors import (BadFree, ConfigError, InvariantError, KernelError, KernelOops,
                     MmvizError, OomKilled, OutOfMemory, SegFault)
from .layout import Layout, Region
from .machine import Machine
from .process import Process
from .zone import Zone

__all__ = ["Machine", "Process", "MachineConfig", "FLAVOURS", "parse_size", "Layout", "Region", "Zone",
           "MmvizError", "KernelError", "OutOfMemory", "OomKilled", "BadFree", "SegFault", "KernelOops",
           "ConfigError", "InvariantError"]
