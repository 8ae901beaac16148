"""The seed article's map_driver: a character device whose mmap maps vmalloc'ed kernel
memory into a process, page by page, from its fault (``nopage``) handler.

load: the module vmallocs its buffer (``m.vmalloc`` when the kernel allocators are
there; otherwise one physically contiguous block through __get_free_pages, as the
kmalloc-based variant of the example does) and writes a greeting into it.
mmap of the device file: a shared VMA with VM_IO|VM_DONTEXPAND and these vm_ops.
fault: the user page's offset selects a kernel address; ``vaddress_to_kaddress``
walks swapper_pg_dir for it (the walk's steps are in the events), the struct page it
finds gets a reference (get_page) and a user PTE maps it with the VMA's protection.
A fault beyond the buffer is SIGBUS (raised as SegFault with the kernel's reason).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ConfigError, SegFault
from .mm import page_align
from .task_events import DriverFault

if TYPE_CHECKING:
    from .machine import Machine

GREETING = b"hello world from kernel space !\n"


class MapDriver:
    def __init__(self, device: str, kaddr: int, size: int, vmalloced: bool) -> None:
        self.device, self.kaddr, self.size, self.vmalloced = device, kaddr, size, vmalloced

    def vaddress_to_kaddress(self, m: Machine, kaddr: int):
        """pgd_offset_k -> pmd -> pte_offset_kernel -> pte_page: the kernel page walk."""
        w = m.walk(kaddr)
        if w.fault is not None or w.paddr is None:
            raise ConfigError(f"map_driver: {kaddr:#010x} is not mapped in swapper_pg_dir")
        return w

    def fault(self, m: Machine, p, vma, vaddr: int, events) -> str:
        from .fault import _map
        from .memory import vm_page_prot
        off = (vaddr & ~0xFFF) - vma.start + (vma.pgoff << 12)
        if off >= self.size:
            raise _sigbus(f"{p.comm}[{p.pid}]: SIGBUS at {vaddr:x}: map_driver offset "
                          f"{off:#x} is beyond the {self.size:#x}-byte buffer (VM_FAULT_SIGBUS)", vaddr)
        kaddr = self.kaddr + off
        try:
            w = self.vaddress_to_kaddress(m, kaddr)
        except ConfigError:                # the buffer was vfree'd: no page to give
            w = None
        if w is None:
            raise _sigbus(f"{p.comm}[{p.pid}]: SIGBUS at {vaddr:x}: map_driver buffer "
                          f"{kaddr:#010x} is no longer mapped (VM_FAULT_SIGBUS)", vaddr)
        pfn = w.paddr >> 12
        if events is not None:
            events.extend(w.steps)
            events.append(DriverFault(p.pid, vaddr & ~0xFFF, kaddr, pfn))
        p.mm.rss_file += 1
        _map(m, p, vaddr, pfn, vm_page_prot(m, vma.vm_flags), "map_driver nopage", events)
        return "map_driver nopage"


def _sigbus(msg: str, vaddr: int) -> SegFault:
    """do_sigbus(): SIGBUS (BUS_ADRERR); the kernel logs no line for it (show_signal_msg()
    is SIGSEGV's), so ``signal`` keeps it out of m.kmsg (engine.kmsg.failure_lines)."""
    err = SegFault(msg)
    err.vaddr = vaddr
    err.signal = "SIGBUS"
    return err


def load_map_driver(m: Machine, size=4096, device: str = "/dev/mapfile", events=None) -> MapDriver:
    """insmod map_driver.ko: vmalloc and fill the buffer, register the device (the
    buffer's VmapAreaAlloc/KernelMapPte land in the caller's events: engine.trace)."""
    from .config import parse_size
    size = page_align(parse_size(size, "size"))
    if size <= 0:
        raise ConfigError("map_driver: size must be positive")
    if device in m.map_drivers:
        return m.map_drivers[device]
    kaddr = m.vmalloc(size)
    drv = MapDriver(device, kaddr, size, True)
    for off in range(0, size, 4096):
        w = drv.vaddress_to_kaddress(m, kaddr + off)
        m.frames.write(w.paddr, GREETING if off == 0 else f"page {off >> 12}\n".encode())
    m.map_drivers[device] = drv
    return drv
