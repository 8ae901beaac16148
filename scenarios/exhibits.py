"""Listings a lesson step can show (``listing = "module.c"``): the articles' programs,
with the corrections marked ``/* ✗ ... */``, and real captures to set next to them.

Each exhibit is ``(caption en, caption zh, text)``.  The programs are quoted from the
article 《Linux内存管理》 (seed 002; the module also appears in 003).  The real 6.1 captures
(``maps-6.1``, ``zoneinfo-6.1``...) are scenarios.captures entries, read from the ground truth
when shown.
"""
from __future__ import annotations

from .captures import CAPTURES, Capture, caption, render

MODULE_C = """\
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
unsigned char *pagemem;
unsigned char *kmallocmem;
unsigned char *vmallocmem;
int init_module(void)
{
    pagemem = get_free_page(0);          /* ✗ no such function: __get_free_page(GFP_KERNEL)
                                            ✗ gfp 0 = no __GFP_WAIT/IO/FS: atomic, no
                                              __GFP_HIGH; use GFP_KERNEL */
    printk("<1>pagemem=%s", pagemem);    /* ✗ %s prints the bytes there: use %p */
    kmallocmem = kmalloc(100, 0);        /* ✗ gfp 0 again: kmalloc(100, GFP_KERNEL) */
    printk("<1>kmallocmem=%s", kmallocmem);
    vmallocmem = vmalloc(1000000);       /* every page allocated and mapped here */
    printk("<1>vmallocmem=%s", vmallocmem);
                                         /* ✗ no return value: add 'return 0;'
                                              (and check the three pointers for NULL) */
}
void cleanup_module(void)
{
    free_page(pagemem);                  /* ✗ free_page() takes an unsigned long:
                                              free_page((unsigned long)pagemem) */
    kfree(kmallocmem);
    vfree(vmallocmem);
}
/* ✗ 2.6 builds modules with kbuild into module.ko (not module.o); insmod module.ko */"""

EXAMPLE_C = """\
#include <stdio.h>
#include <malloc.h>
#include <unistd.h>
int bss_var;                          /* .bss: zeroed, no space in the file   */
int data_var0 = 1;                    /* .data: initialised                   */
int main(int argc, char **argv)
{
    printf("Address of main(Code Segment):%p\\n", main);        /* text        */
    int stack_var0 = 2;
    printf("Initial end of stack:%p\\n", &stack_var0);          /* stack       */
    int stack_var1 = 3;
    printf("new end of stack:%p\\n", &stack_var1);   /* 4 bytes lower: the stack
                                     grows down; it is LIFO (✗ the article: 先进先出) */
    printf("Address of data_var(Data Segment):%p\\n", &data_var0);
    static int data_var1 = 4;
    printf("New end of data_var(Data Segment):%p\\n", &data_var1);
    printf("Address of bss_var:%p\\n", &bss_var);
    char *b = sbrk((ptrdiff_t)0);     /* the program break (end of the heap)  */
    printf("Initial end of heap:%p\\n", b);
    brk(b + 4);                       /* grows the break by 4 bytes; the heap VMA
                                         grows by whole pages                  */
    b = sbrk((ptrdiff_t)0);
    printf("New end of heap:%p\\n", b);
    return 0;                         /* return value in EAX (✗ the article: 栈) */
}
/* ✗ "run it 10 times and the addresses are identical": true on 2.4; since 2.6.12
     the stack, mmap base and (2.6.25+) brk are randomized (ASLR) */"""

MAPS_24 = """\
08048000-08049000 r-xp 00000000 03:03 439029   /home/mm/src/example
08049000-0804a000 rw-p 00000000 03:03 439029   /home/mm/src/example
.....
bfffe000-c0000000 rwxp fffff000 00:00 0
(the article's 2.4 output: data, bss and heap in one VMA; no [heap], [stack], [vdso];
 an executable stack whose offset column starts at -1 page; the same addresses every run)"""

MAP_DRIVER = """\
/* map_driver.c as the article describes it (2.4 API; its source is not reproduced) */
static unsigned long vaddress_to_kaddress(unsigned long addr)   /* a vmalloc address */
{
    pgd = pgd_offset_k(addr);  pmd = pmd_offset(pgd, addr);
    pte = pte_offset(pmd, addr);                 /* 2.6: pte_offset_kernel()  */
    page = pte_page(*pte);
    return (unsigned long)page_address(page) + (addr & ~PAGE_MASK);
    /* ✗ page_address() of an unmapped highmem page is NULL: vmalloc takes
         __GFP_HIGHMEM pages, so this works only with <= 896 MB of RAM.
         2.6.24 already has vmalloc_to_page()/vmalloc_to_pfn() for this walk,
         and remap_vmalloc_range() (since 2.6.18) for the whole mmap. */
}
static struct page *map_nopage(struct vm_area_struct *vma, unsigned long address, int *type)
{   /* ✗ ->nopage was removed (2.6.26); 6.1 has vm_fault_t (*fault)(struct vm_fault *) */
    return virt_to_page(vaddress_to_kaddress(vmalloc_area + offset)) /* + get_page() */;
}
/* ✗ remap_page_range() became remap_pfn_range() in 2.6.10. It cannot be used here because
     the vmalloc frames are scattered (one call maps one contiguous pfn range), not because
     "the mapping is unknown at allocation time": vmalloc() maps every page at once.
   ✗ the module is map_driver.ko on 2.6 (insmod map_driver.ko); then
     grep mapdrv /proc/devices; mknod mapfile c <major> 0; ./maptest */"""

EXHIBITS: dict[str, tuple[str, str, str | Capture]] = {
    "module.c": ("The article's kernel module (corrections marked ✗)",
                 "原文的内核模块（✗ 处为更正）", MODULE_C),
    "example.c": ("The article's example program (corrections marked ✗)",
                  "原文的示例程序（✗ 处为更正）", EXAMPLE_C),
    "maps-2.4": ("/proc/<pid>/maps as the article printed it (a 2.4 kernel)",
                 "原文打印的 /proc/<pid>/maps（2.4 内核）", MAPS_24),
    "map_driver.c": ("The article's map_driver, with what changed since (✗)",
                     "原文的 map_driver，以及之后的变化（✗）", MAP_DRIVER),
    **{name: (caption(cap), caption(cap, "zh"), cap) for name, cap in CAPTURES.items()},
}
"""Every listing: name -> (caption en, caption zh, text or a real capture read when shown)."""


def listing(name: str, lang: str = "en") -> tuple[str, str]:
    """(caption, text) of an exhibit; KeyError for an unknown name, OSError if a capture's
    file is missing from the installed package."""
    en, zh, text = EXHIBITS[name]
    if isinstance(text, Capture):
        text = render(text, lang)
    return (zh if lang == "zh" else en), text
