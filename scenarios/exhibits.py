"""Listings a lesson step can show (``listing = "module.c"``): the articles' programs,
with the corrections marked ``/* ✗ ... */``, and real captures to set next to them.

Each exhibit is ``(caption en, caption zh, text)``.  The programs are quoted from the
article 《Linux内存管理》 (seed 002; the module also appears in 003); the 6.1 capture is
``/proc/self/maps`` of ``cat`` on Debian 12's 6.1.0-50-686 kernel, 160 MB machine
(the project's ground truth, 686-160M/maps_cat_self.txt).
"""
from __future__ import annotations

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
                                            ✗ gfp 0 = no __GFP_WAIT/IO/FS: an atomic request
                                              without the reserves; use GFP_KERNEL */
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

MAPS_61 = """\
08048000-08049000 r--p 00000000 00:02 6          /bin/busybox
08049000-081cd000 r-xp 00001000 00:02 6          /bin/busybox
081cd000-0823a000 r--p 00185000 00:02 6          /bin/busybox
0823a000-0823e000 r--p 001f2000 00:02 6          /bin/busybox
0823e000-08240000 rw-p 001f6000 00:02 6          /bin/busybox
08240000-08244000 rw-p 00000000 00:00 0
09d99000-09dbb000 rw-p 00000000 00:00 0          [heap]
b7f7c000-b7f8c000 rw-p 00000000 00:00 0
b7f8c000-b7f90000 r--p 00000000 00:00 0          [vvar]
b7f90000-b7f92000 r-xp 00000000 00:00 0          [vdso]
bfa74000-bfa95000 rw-p 00000000 00:00 0          [stack]
(Debian 12, 6.1.0-50-686, 160 MB: cat /proc/self/maps. Run it twice and [heap],
 the b7f... mappings and [stack] move: ASLR.)"""

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

# Real captures of the ground truth (Debian 12, 6.1.0-50-686, 160 MB; tests/groundtruth/686-160M),
# lines quoted as captured (a selection where said).
BUDDYINFO_61 = """\
$ cat /proc/buddyinfo
Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 
Node 0, zone   Normal      1      2      2      0      2      4      5      1      1      2     27 
$ cat /proc/pagetypeinfo     (order 0 .. 10, per migratetype)
Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10
Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      1      0
Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      0      3
Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0
Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0
Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0
Node    0, zone   Normal, type    Unmovable      0      0      1      0      1      0      1      0      1      1      0
Node    0, zone   Normal, type      Movable      1      1      1      0      1      4      3      1      0      0     27
Node    0, zone   Normal, type  Reclaimable      0      1      0      0      0      0      1      0      0      1      0
Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0
Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0
(the same free blocks, on one list per order and migratetype: mmviz keeps one list per order)"""

SLABINFO_61 = """\
$ cat /proc/slabinfo     (a selection of its lines)
# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
dentry             10880  10880    128   32    1 : tunables    0    0    0 : slabdata    340    340      0
task_struct           55     55   2944   11    8 : tunables    0    0    0 : slabdata      5      5      0
kmalloc-8k             8      8   8192    4    8 : tunables    0    0    0 : slabdata      2      2      0
kmalloc-4k             8      8   4096    8    8 : tunables    0    0    0 : slabdata      1      1      0
kmalloc-2k            24     24   2048    8    4 : tunables    0    0    0 : slabdata      3      3      0
kmalloc-1k           136    136   1024    8    2 : tunables    0    0    0 : slabdata     17     17      0
kmalloc-512          296    296    512    8    1 : tunables    0    0    0 : slabdata     37     37      0
kmalloc-256          224    224    256   16    1 : tunables    0    0    0 : slabdata     14     14      0
kmalloc-192          231    231    192   21    1 : tunables    0    0    0 : slabdata     11     11      0
kmalloc-128          384    384    128   32    1 : tunables    0    0    0 : slabdata     12     12      0
kmalloc-96           294    294     96   42    1 : tunables    0    0    0 : slabdata      7      7      0
kmalloc-64           704    704     64   64    1 : tunables    0    0    0 : slabdata     11     11      0
kmalloc-32          1152   1152     32  128    1 : tunables    0    0    0 : slabdata      9      9      0
kmalloc-16          1248   2560     16  256    1 : tunables    0    0    0 : slabdata     10     10      0
kmalloc-8           1024   1024      8  512    1 : tunables    0    0    0 : slabdata      2      2      0
(SLUB counts every object of a CPU slab as in use, so most lines read active = total)"""

VMALLOCINFO_61 = """\
$ cat /proc/vmallocinfo
0xca7e0000-0xca7e2000    8192 acpi_os_map_iomem+0x211/0x240 phys=0x09fe1000 ioremap
0xca7e2000-0xca7e5000   12288 acpi_os_map_iomem+0x211/0x240 phys=0x09fe0000 ioremap
0xca7e5000-0xca7e7000    8192 hpet_enable+0xc5/0x3da phys=0xfed00000 ioremap
0xca7e7000-0xca7e9000    8192 bpf_prog_alloc_no_stats+0x2b/0x1b0 pages=1 vmalloc
0xca7e9000-0xca7eb000    8192 acpi_os_map_iomem+0x211/0x240 phys=0xfed00000 ioremap
0xca7eb000-0xca7ed000    8192 memremap+0xa9/0x170 phys=0x000f5000 ioremap
0xca833000-0xca854000  135168 crypto_scomp_init_tfm+0x65/0xb0 pages=32 vmalloc
0xca854000-0xca875000  135168 crypto_scomp_init_tfm+0x78/0xb0 pages=32 vmalloc
0xcab3c000-0xcab40000   16384 n_tty_open+0x16/0x90 pages=3 vmalloc
(ioremap areas share the range with vmalloc; every size includes one guard page)"""

EXHIBITS: dict[str, tuple[str, str, str]] = {
    "module.c": ("The article's kernel module (corrections marked ✗)",
                 "原文的内核模块（✗ 处为更正）", MODULE_C),
    "example.c": ("The article's example program (corrections marked ✗)",
                  "原文的示例程序（✗ 处为更正）", EXAMPLE_C),
    "maps-2.4": ("/proc/<pid>/maps as the article printed it (a 2.4 kernel)",
                 "原文打印的 /proc/<pid>/maps（2.4 内核）", MAPS_24),
    "maps-6.1": ("/proc/self/maps on a real Debian 12 6.1 i386 machine",
                 "一台真实 Debian 12（6.1，i386）机器上的 /proc/self/maps", MAPS_61),
    "buddyinfo-6.1": ("/proc/buddyinfo and /proc/pagetypeinfo on a real Debian 12 6.1 machine",
                      "一台真实 Debian 12（6.1）机器上的 /proc/buddyinfo 与 /proc/pagetypeinfo",
                      BUDDYINFO_61),
    "slabinfo-6.1": ("/proc/slabinfo on a real Debian 12 6.1 machine (SLUB)",
                     "一台真实 Debian 12（6.1，SLUB）机器上的 /proc/slabinfo", SLABINFO_61),
    "vmallocinfo-6.1": ("/proc/vmallocinfo on a real Debian 12 6.1 machine",
                        "一台真实 Debian 12（6.1）机器上的 /proc/vmallocinfo", VMALLOCINFO_61),
    "map_driver.c": ("The article's map_driver, with what changed since (✗)",
                     "原文的 map_driver，以及之后的变化（✗）", MAP_DRIVER),
}


def listing(name: str, lang: str = "en") -> tuple[str, str]:
    """(caption, text) of an exhibit; KeyError for an unknown name."""
    en, zh, text = EXHIBITS[name]
    return (zh if lang == "zh" else en), text
