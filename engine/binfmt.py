"""Program images and exec (fs/binfmt_elf.c load_elf_binary, fs/exec.c setup_arg_pages).

An image is the list of PT_LOAD segments of a static i386 ELF executable linked at
0x08048000, plus a few symbol addresses a lesson can point at.  ``example`` is the
seed article's program (its printed addresses: main 0x8048388, data_var0 0x8049758,
bss_var 0x8049864, heap end 0x8049868; ``size``: text 1654, data 280, bss 8);
``mmaptest`` is the ground-truth capture helper (tests/groundtruth).  Any other name
gets the seed's layout under that name.

What exec builds, as the kernel does: one VMA per segment (file-backed, private),
``padzero`` of the partial bss page (a write: the data page becomes an anonymous
copy), the bss tail beyond it with vm_brk, start_brk/brk after bss (page aligned on
6.1; at the byte on the seed's 2.6 kernel, as its printout shows), the stack VMA
below STACK_TOP (the argument page plus setup_arg_pages()'s expansion: 21 pages on 2.6.24,
33 on 6.1 as in the ground truth; rw-p, the PT_GNU_STACK default; on 2.6.24 the maps offset
column is vm_pgoff, 0xbffeb000), the argument page at its top already present, and
on 6.1 the [vvar] (4 pages) and [vdso] (2 pages) special mappings from mmap_base.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, field

from . import tasks
from .mm import (PAGE_SIZE, STACK_RND_MASK, TASK_SIZE, VM_ACCOUNT, VM_DENYWRITE, VM_DONTDUMP,
                 VM_DONTEXPAND, VM_EXEC, VM_EXECUTABLE, VM_GROWSDOWN, VM_IO, VM_MAY, VM_MAYREAD,
                 VM_PFNMAP, VM_READ, VM_WRITE, Vma, accountable, page_align, prot_flags)
from .task_events import VmaCreate

if TYPE_CHECKING:
    from .machine import Machine


@dataclass(frozen=True)
class Segment:
    vaddr: int
    filesz: int
    memsz: int
    prot: str
    offset: int


@dataclass(frozen=True)
class Image:
    path: str
    dev: tuple[int, int]
    inode: int
    segments: tuple[Segment, ...]
    symbols: dict = field(default_factory=dict)
    stack_vars: dict = field(default_factory=dict)    # name -> bytes below STACK_TOP
    entry: int = 0x08048300


_SEED = dict(
    dev=(3, 3), inode=439029,
    segments=(Segment(0x08048000, 0x676, 0x676, "r-x", 0),
              Segment(0x08049748, 0x118, 0x120, "rw-", 0x748)),
    symbols={"main": 0x08048388, "data_var0": 0x08049758, "data_var1": 0x0804975C,
             "bss_var": 0x08049864},
    stack_vars={"stack_var0": 0x54C, "stack_var1": 0x550},
    entry=0x08048388)

IMAGES = {
    "example": Image(path="/home/mm/src/example", **_SEED),
    "mmaptest": Image(path="/bin/mmaptest", dev=(0, 2), inode=8, segments=(
        Segment(0x08048000, 0x1000, 0x1000, "r--", 0),
        Segment(0x08049000, 0x1000, 0x1000, "r-x", 0x1000),
        Segment(0x0804A000, 0x1000, 0x1000, "r--", 0x2000),
        Segment(0x0804B000, 0, 0x1010, "rw-", 0x3000)),
        symbols={"main": 0x08049000}, stack_vars={"argc": 0x140}, entry=0x08049000),
}


def image_for(name: str) -> Image:
    img = IMAGES.get(name)
    if img is None:
        img = Image(path=f"/bin/{name}", **_SEED)
    return img


def exec_image(m: Machine, p, img: Image, events) -> None:
    """load_elf_binary() + setup_arg_pages() + arch_setup_additional_pages()."""
    from .mmap_ops import vm_brk
    mm = p.mm
    fl = m.config.flavour
    ref = tasks.file_ref(m, img.path, img.dev, img.inode)
    # elf_map(): MAP_PRIVATE | MAP_DENYWRITE | MAP_EXECUTABLE (rules vm_denywrite, vm_executable)
    elf_flags = (VM_DENYWRITE if fl.vm_denywrite else 0) | (VM_EXECUTABLE if fl.vm_executable else 0)
    elf_bss = elf_brk = 0
    start_code, end_code, start_data, end_data = TASK_SIZE, 0, 0, 0
    for s in img.segments:
        start = s.vaddr & ~(PAGE_SIZE - 1)
        end = page_align(s.vaddr + s.filesz)
        if end > start and s.filesz:
            flags = prot_flags(s.prot) | VM_MAY | elf_flags
            v = Vma(start, end, flags | accountable(flags), (s.offset & ~0xFFF) >> 12,
                    file=ref)
            mm.insert(v)
            events.append(VmaCreate(p.pid, v.start, v.end, v.prot, v.name))
        if "x" in s.prot:
            start_code = min(start_code, s.vaddr)
            end_code = max(end_code, s.vaddr + s.filesz)
        start_data = max(start_data, s.vaddr) if "w" in s.prot else start_data
        end_data = max(end_data, s.vaddr + s.filesz)
        elf_bss = max(elf_bss, s.vaddr + s.filesz)
        elf_brk = max(elf_brk, s.vaddr + s.memsz)
    mm.start_code, mm.end_code = start_code, end_code
    mm.start_data, mm.end_data = start_data, end_data
    if elf_bss & 0xFFF and mm.vma_at(elf_bss) is not None:
        tasks.fault_in(m, p, elf_bss, "write", events)             # padzero(elf_bss)
    mm.start_brk = mm.brk = page_align(elf_bss)
    vm_brk(m, p, page_align(elf_bss), page_align(elf_brk) - page_align(elf_bss), events,
           brkvma_only=False)
    brk = page_align(elf_brk) if fl.elf_brk_page_aligned else elf_brk
    if m.config.aslr:                                          # arch_randomize_brk
        brk = page_align(elf_brk) + (m.rng.randrange(0x2000) << 12)
    mm.start_brk = mm.brk = brk
    # the stack (setup_arg_pages), randomised by randomize_stack_top
    top = TASK_SIZE
    if m.config.aslr:
        top -= (m.rng.getrandbits(32) & STACK_RND_MASK) << 12
    # bprm_mm_init() makes a one-page VMA at STACK_TOP_MAX for the argument page (anonymous:
    # insert_vm_struct sets vm_pgoff = vm_start >> PAGE_SHIFT); setup_arg_pages() shifts it to
    # the (randomised) top keeping vm_pgoff, then expand_stack()s it by stack_expand, and
    # expand_downwards() lowers vm_pgoff by the pages added.  2.6.24 fs/exec.c:553,631
    # EXTRA_STACK_VM_PAGES = 20; 6.1 fs/exec.c stack_expand = 131072 (32 pages).
    pages = fl.stack_initial_pages                 # arg_pages + 20 (2.6.24) or + 32 (6.1)
    flags = VM_READ | VM_WRITE | VM_MAY | VM_GROWSDOWN | VM_ACCOUNT   # VM_STACK_FLAGS; PT_GNU_STACK: no VM_EXEC
    stack = Vma(top - pages * PAGE_SIZE, top, flags,
                0 if fl.maps_anon_pgoff_zero else (TASK_SIZE >> 12) - pages)
    mm.insert(stack)
    events.append(VmaCreate(p.pid, stack.start, stack.end, stack.prot, "[stack]"))
    mm.start_stack = top - (img.stack_vars.get("argc", 0x140))
    p.sp = top - max(img.stack_vars.values(), default=0x140)
    p.ip = img.symbols.get("main", img.entry)
    p.symbols = dict(img.symbols)
    for name, below in img.stack_vars.items():
        p.symbols[name] = top - below
    tasks.fault_in(m, p, top - PAGE_SIZE, "write", events)          # argv/envp strings
    if fl.maps_vvar_vdso:                                       # [vvar] + [vdso]
        base = mm.get_unmapped_area(6 * PAGE_SIZE)
        # map_vdso(): _install_special_mapping() adds VM_DONTEXPAND to the flags it is given
        vvar = VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP
        for name, start, n, flags in (("[vvar]", base, 4, vvar),
                                      ("[vdso]", base + 4 * PAGE_SIZE, 2, VM_READ | VM_EXEC | VM_MAY)):
            v = Vma(start, start + n * PAGE_SIZE, flags | VM_DONTEXPAND, 0, special=name)
            mm.insert(v)
            events.append(VmaCreate(p.pid, v.start, v.end, v.prot, name))
