"""vm_flags as the kernel sets them: VM_ACCOUNT on private writable mappings, brk and the
stack; VM_DENYWRITE (before 5.15) and VM_EXECUTABLE (before 3.7) on the ELF mappings;
VM_DONTEXPAND (and vvar's VM_IO|VM_DONTDUMP|VM_PFNMAP) on the special mappings."""
import pytest

import engine
from engine.mm import (VM_ACCOUNT, VM_DENYWRITE, VM_DONTDUMP, VM_DONTEXPAND, VM_EXECUTABLE,
                       VM_IO, VM_PFNMAP)


def flags(p):
    return {v.name or ("[stack]" if v.vm_flags & 0x100 else hex(v.start)): v.vm_flags for v in p.vmas}


@pytest.mark.parametrize("kernel,text,data", [
    ("2.6", 0x75 | VM_DENYWRITE | VM_EXECUTABLE, 0x73 | VM_ACCOUNT | VM_DENYWRITE | VM_EXECUTABLE),
    ("3.6", 0x75 | VM_DENYWRITE | VM_EXECUTABLE, 0x73 | VM_ACCOUNT | VM_DENYWRITE | VM_EXECUTABLE),
    ("3.7", 0x75 | VM_DENYWRITE, 0x73 | VM_ACCOUNT | VM_DENYWRITE),
    ("5.14", 0x75 | VM_DENYWRITE, 0x73 | VM_ACCOUNT | VM_DENYWRITE),
    ("5.15", 0x75, 0x73 | VM_ACCOUNT),
    ("6.1", 0x75, 0x73 | VM_ACCOUNT)])
def test_elf_mappings_and_stack(kernel, text, data):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    text_vma, data_vma = [v for v in p.vmas if v.file is not None][:2]
    assert (text_vma.vm_flags, data_vma.vm_flags) == (text, data)
    stack = next(v for v in p.vmas if v.vm_flags & 0x100)
    assert stack.vm_flags == 0x173 | VM_ACCOUNT                 # VM_STACK_FLAGS
    brk = p.mm.brk
    p.sbrk(3 * 4096)
    assert p.mm.vma_at(brk + 4096).vm_flags == 0x73 | VM_ACCOUNT      # do_brk_flags()


def test_special_mappings_6_1():
    m = engine.Machine.boot(ram="160M")
    f = flags(m.spawn("example"))
    assert f["[vdso]"] == 0x75 | VM_DONTEXPAND
    assert f["[vvar]"] == 0x11 | VM_IO | VM_DONTDUMP | VM_PFNMAP | VM_DONTEXPAND


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_mmap_and_mprotect_accounting(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    rw = p.mmap(4096)
    ro = p.mmap(4096, prot="r--")
    shared = p.mmap(4096, flags="shared|anonymous")
    assert p.mm.vma_at(rw).vm_flags & VM_ACCOUNT
    assert not p.mm.vma_at(ro).vm_flags & VM_ACCOUNT
    assert not p.mm.vma_at(shared).vm_flags & VM_ACCOUNT      # cleared after shmem_zero_setup()
    p.mprotect(ro, 4096, "rw-")                               # mprotect_fixup() charges it
    assert p.mm.vma_at(ro).vm_flags == 0x73 | VM_ACCOUNT
    p.mprotect(rw, 4096, "r--")                               # and keeps the charge
    assert p.mm.vma_at(rw).vm_flags == 0x71 | VM_ACCOUNT
    m.check()
