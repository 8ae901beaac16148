"""MMU benchmark: page walks per second and TLB-backed accesses per second.

Run from the project root:  python -m bench.bench_mmu
A synthetic 1 GB kernel-style mapping (PAGE_OFFSET 0xC0000000, 4 KB pages, as with
``nopse``; and the same with 4 MB / 2 MB pages) is built in a FrameStore, in 32-bit
and PAE mode.  Each figure is the median of 5 runs.
"""
from __future__ import annotations

import random
import statistics
import time

from engine.mmu import (EFER_NXE, X86_CR0_PE, X86_CR0_PG, X86_CR0_WP, X86_CR4_PAE,
                        X86_CR4_PGE, X86_CR4_PSE, CpuRegs, Tlb, access, walk)
from engine.paging import PAGE_KERNEL, PAGE_KERNEL_LARGE, supported_pte_mask
from engine.physmem import FrameStore
from engine.pgtable import PageTables

PAGE_OFFSET = 0xC000_0000
SPAN = 1 << 30
N = 100_000
RUNS = 5


def build(pae: bool, large: bool):
    fs = FrameStore(1 << 36)
    nxt = [(SPAN >> 12) + 16]

    def alloc() -> int:
        nxt[0] += 1
        return nxt[0]

    pt = PageTables(fs, pae, alloc)
    mask = supported_pte_mask(pae, nx=True)
    if large:
        step = (2 << 20) if pae else (4 << 20)
        for off in range(0, SPAN, step):
            pt.map_large(PAGE_OFFSET + off, off, PAGE_KERNEL_LARGE & mask)
    else:
        flags = PAGE_KERNEL & mask
        for off in range(0, SPAN, 4096):
            pt.map_page(PAGE_OFFSET + off, off, flags)
    cpu = CpuRegs(cr0=X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, cr3=pt.cr3,
                  cr4=X86_CR4_PSE | X86_CR4_PGE | (X86_CR4_PAE if pae else 0),
                  efer=EFER_NXE)
    return fs, cpu


def median_rate(fn, n: int) -> float:
    rates = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    rng = random.Random(1)
    uniform = [PAGE_OFFSET + rng.randrange(SPAN) for _ in range(N)]
    # a working set of 48 pages touched 95% of the time, the rest anywhere
    hot = [PAGE_OFFSET + rng.randrange(SPAN >> 12) * 4096 for _ in range(48)]
    local = [rng.choice(hot) + rng.randrange(4096) if rng.random() < 0.95
             else PAGE_OFFSET + rng.randrange(SPAN) for _ in range(N)]
    print(f"{'mode':<22}{'walks/s':>12}{'access/s (local)':>18}{'hit%':>7}"
          f"{'access/s (uniform)':>20}{'hit%':>7}")
    for pae in (False, True):
        for large in (False, True):
            t0 = time.perf_counter()
            fs, cpu = build(pae, large)
            built = time.perf_counter() - t0
            name = ("PAE" if pae else "32-bit") + (" 2M" if pae and large else
                                                     " 4M" if large else " 4K")

            def walks():
                for va in uniform:
                    walk(fs, cpu, va, "read", False, False)

            results = [median_rate(walks, N)]
            for addrs in (local, uniform):
                tlb = Tlb(pae=pae)

                def accesses(addrs=addrs, tlb=tlb):
                    for va in addrs:
                        access(fs, cpu, tlb, va, "read", False)

                results.append(median_rate(accesses, N))
                results.append(100.0 * tlb.hits / max(1, tlb.hits + tlb.misses))
            print(f"{name:<22}{results[0]:>12,.0f}{results[1]:>18,.0f}{results[2]:>6.1f}%"
                  f"{results[3]:>20,.0f}{results[4]:>6.1f}%   (built in {built:.1f} s)")


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_mmu",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
