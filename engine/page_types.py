"""The page-size and address-space constants, defined once (arch/x86/include/asm/page_types.h,
page_32_types.h).  Engine modules, scenarios, widgets and the CLI import them from here.

* ``PAGE_SHIFT``/``PAGE_SIZE``/``PAGE_MASK``: 4 KB pages on i386 (page_types.h).
* ``TASK_SIZE``: the end of user space, ``__PAGE_OFFSET`` of the default 3G/1G split
  (page_32_types.h ``#define TASK_SIZE __PAGE_OFFSET``); processes exist only with that
  split in mmviz.  The split of a booted machine is ``m.layout.page_offset``.

The zone names and ``MAX_ORDER`` live with the zones (engine.zone, include/linux/mmzone.h).
"""
from __future__ import annotations

__all__ = ["PAGE_SHIFT", "PAGE_SIZE", "PAGE_MASK", "PAGE_OFFSET_3G", "TASK_SIZE"]

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT            # bytes
PAGE_MASK = ~(PAGE_SIZE - 1)
PAGE_OFFSET_3G = 0xC000_0000           # CONFIG_PAGE_OFFSET of VMSPLIT_3G
TASK_SIZE = PAGE_OFFSET_3G             # bytes of user address space
