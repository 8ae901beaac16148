"""Kernel versions as data, part 3: the memory manager's objects and the task's view of it
(anon_vma objects, where the zero page lives).  Each :class:`engine.kversion.Rule` names
the Flavour field, the value before and after, and the source that says so; they are
counted with engine.kversion.BEHAVIOUR_RULES.
"""
from __future__ import annotations

from .kversion import Rule, V

MM_RULES: tuple[Rule, ...] = (
    # -- anon_vma (engine.anon_vma) -------------------------------------------------
    Rule("anon_vma_chain", V("2.6.34"), False, True,
         "mm/rmap.c: a VMA on anon_vma->head (2.6.24 anon_vma_prepare/anon_vma_link/anon_vma_unlink) -> "
         "one anon_vma_chain object per (VMA, anon_vma) and anon_vma_fork() giving the child VMA an "
         "anon_vma of its own (commit 5beb49305251, \"mm: change anon_vma linking to fix multi-process "
         "server scalability issue\")"),
    Rule("anon_vma_reuse", V("3.19"), False, True,
         "mm/rmap.c anon_vma_clone(): fork reuses an anon_vma with no VMA of its own and fewer than two "
         "children instead of allocating one (commit 7a3ef208e662, \"mm: prevent endless growth of "
         "anon_vma hierarchy\")"),
    # -- the kernel image ---------------------------------------------------------------
    Rule("zero_page_after_swapper", V("2.6.39"), 2, 1,
         "arch/x86/kernel/head_32.S .bss.page_aligned: swapper_pg_dir, swapper_pg_pmd (2.6.24; "
         "swapper_pg_fixmap 2.6.26), empty_zero_page -> __PAGE_ALIGNED_BSS initial_page_table, "
         "initial_pg_fixmap, swapper_pg_dir, empty_zero_page (commit b40827fa7268, \"x86-32, mm: Add an "
         "initial page table for core bootstrapping\"); pages from swapper_pg_dir, plus one on PAE builds "
         "with PTI (4.19, PTI_USER_PGD_FILL); 2.6.25-2.6.38 PAE builds keep swapper_pg_dir in "
         ".data.page_aligned (not modelled)"),
    # -- /proc files a release lacks (engine.procfs.PROC_SINCE) -------------------------
    Rule("proc_vmallocinfo", V("2.6.25"), False, True,
         "mm/vmalloc.c proc_vmalloc_init(): /proc/vmallocinfo (commit a10aa579878f, \"vmalloc: show "
         "vmalloced areas via /proc/vmallocinfo\"); 2.6.24 has no such file: open() fails with ENOENT"),
    # -- vm_flags of the ELF mappings (engine.binfmt) -----------------------------------
    Rule("vm_executable", V("3.7"), True, False,
         "fs/binfmt_elf.c elf_map() MAP_EXECUTABLE -> VM_EXECUTABLE (0x1000) on the program's mappings; "
         "removed (commit e9714acf8c43, \"mm: kill vma flag VM_EXECUTABLE and mm->num_exe_file_vmas\")"),
    Rule("vm_denywrite", V("5.15"), True, False,
         "fs/binfmt_elf.c elf_map() MAP_DENYWRITE -> VM_DENYWRITE (0x800, smaps \"dw\") on the program's "
         "and the interpreter's mappings; removed (commit 8d0920bde5eb, \"mm: remove VM_DENYWRITE\")"),
    # -- the user fault (engine.fault) ----------------------------------------------------
    Rule("stack_below_sp_check", V("4.20"), True, False,
         "2.6.24 arch/x86/mm/fault_32.c do_page_fault(): a user fault below a VM_GROWSDOWN VMA with "
         "address + 65536 + 32 * sizeof(unsigned long) < regs->esp goes to bad_area (later "
         "do_user_addr_fault() the same with regs->sp) -> removed (commit 1d8ca3be86eb, \"x86/mm/fault: "
         "Allow stack access below %rsp\")"),
)
