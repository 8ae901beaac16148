"""GFP flags: parsing "GFP_KERNEL | __GFP_ZERO" strings, zone selection, printing.

Bit values are per kernel: include/linux/gfp_types.h (6.1) and include/linux/gfp.h (2.6.24);
``tables_for`` picks them from the Flavour's versioned fields.
"""
from __future__ import annotations

from .errors import ConfigError

# 6.1 ___GFP_* bits
GFP_BITS_61 = {
    "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_MOVABLE": 0x08,
    "__GFP_RECLAIMABLE": 0x10, "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80,
    "__GFP_ZERO": 0x100, "__GFP_ATOMIC": 0x200, "__GFP_DIRECT_RECLAIM": 0x400,
    "__GFP_KSWAPD_RECLAIM": 0x800, "__GFP_WRITE": 0x1000, "__GFP_NOWARN": 0x2000,
    "__GFP_RETRY_MAYFAIL": 0x4000, "__GFP_NOFAIL": 0x8000, "__GFP_NORETRY": 0x10000,
    "__GFP_MEMALLOC": 0x20000, "__GFP_COMP": 0x40000, "__GFP_NOMEMALLOC": 0x80000,
    "__GFP_HARDWALL": 0x100000, "__GFP_THISNODE": 0x200000, "__GFP_ACCOUNT": 0x400000,
}
_b = GFP_BITS_61
_b["__GFP_RECLAIM"] = _b["__GFP_DIRECT_RECLAIM"] | _b["__GFP_KSWAPD_RECLAIM"]
COMPOSITE_61 = {
    "GFP_ATOMIC": _b["__GFP_HIGH"] | _b["__GFP_ATOMIC"] | _b["__GFP_KSWAPD_RECLAIM"],
    "GFP_KERNEL": _b["__GFP_RECLAIM"] | _b["__GFP_IO"] | _b["__GFP_FS"],
    "GFP_NOWAIT": _b["__GFP_KSWAPD_RECLAIM"],
    "GFP_NOIO": _b["__GFP_RECLAIM"],
    "GFP_NOFS": _b["__GFP_RECLAIM"] | _b["__GFP_IO"],
}
COMPOSITE_61["GFP_KERNEL_ACCOUNT"] = COMPOSITE_61["GFP_KERNEL"] | _b["__GFP_ACCOUNT"]
COMPOSITE_61["GFP_USER"] = COMPOSITE_61["GFP_KERNEL"] | _b["__GFP_HARDWALL"]
COMPOSITE_61["GFP_DMA"] = _b["__GFP_DMA"]
COMPOSITE_61["GFP_HIGHUSER"] = COMPOSITE_61["GFP_USER"] | _b["__GFP_HIGHMEM"]
COMPOSITE_61["GFP_HIGHUSER_MOVABLE"] = COMPOSITE_61["GFP_HIGHUSER"] | _b["__GFP_MOVABLE"]
# __GFP_WAIT of 2.6 kernels is 6.1's __GFP_DIRECT_RECLAIM; accept the old name
ALIASES_61 = {"__GFP_WAIT": _b["__GFP_DIRECT_RECLAIM"]}

# 2.6.24 include/linux/gfp.h
GFP_BITS_26 = {
    "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_MOVABLE": 0x08,
    "__GFP_WAIT": 0x10, "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80,
    "__GFP_COLD": 0x100, "__GFP_NOWARN": 0x200, "__GFP_REPEAT": 0x400, "__GFP_NOFAIL": 0x800,
    "__GFP_NORETRY": 0x1000, "__GFP_COMP": 0x4000, "__GFP_ZERO": 0x8000,
    "__GFP_NOMEMALLOC": 0x10000, "__GFP_HARDWALL": 0x20000, "__GFP_THISNODE": 0x40000,
    "__GFP_RECLAIMABLE": 0x80000,
}
_c = GFP_BITS_26
COMPOSITE_26 = {
    "GFP_ATOMIC": _c["__GFP_HIGH"],
    "GFP_NOIO": _c["__GFP_WAIT"],
    "GFP_NOFS": _c["__GFP_WAIT"] | _c["__GFP_IO"],
    "GFP_KERNEL": _c["__GFP_WAIT"] | _c["__GFP_IO"] | _c["__GFP_FS"],
}
COMPOSITE_26["GFP_USER"] = COMPOSITE_26["GFP_KERNEL"] | _c["__GFP_HARDWALL"]
COMPOSITE_26["GFP_HIGHUSER"] = COMPOSITE_26["GFP_USER"] | _c["__GFP_HIGHMEM"]
COMPOSITE_26["GFP_HIGHUSER_MOVABLE"] = COMPOSITE_26["GFP_HIGHUSER"] | _c["__GFP_MOVABLE"]
COMPOSITE_26["GFP_DMA"] = _c["__GFP_DMA"]
COMPOSITE_26["GFP_NOWAIT"] = COMPOSITE_26["GFP_ATOMIC"] & ~_c["__GFP_HIGH"]
ALIASES_26 = {"__GFP_DIRECT_RECLAIM": _c["__GFP_WAIT"], "__GFP_RECLAIM": _c["__GFP_WAIT"],
              "__GFP_KSWAPD_RECLAIM": 0, "__GFP_ATOMIC": 0, "__GFP_ACCOUNT": 0}

ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_MOVABLE = 0, 1, 2, 3


def tables_for(fl) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(bits, composite masks, accepted aliases) of a kernel's GFP flags.

    Before 4.4 (Flavour.gfp_reclaim_split) the 2.6.24 layout: __GFP_WAIT, no
    __GFP_ATOMIC (the bits between 2.6.24 and 4.3 that mmviz names kept their values).
    From 4.4 the 6.1 values; __GFP_ACCOUNT from 4.5 (Flavour.gfp_account), __GFP_ATOMIC
    until 6.2 (Flavour.gfp_atomic_flag).  Simplified: the positions of the bits between
    4.4 and 4.14, and after 6.2, are 6.1's."""
    if not fl.gfp_reclaim_split:
        return GFP_BITS_26, COMPOSITE_26, ALIASES_26
    bits, composite, aliases = dict(GFP_BITS_61), dict(COMPOSITE_61), dict(ALIASES_61)
    if not fl.gfp_account:
        del bits["__GFP_ACCOUNT"], composite["GFP_KERNEL_ACCOUNT"]
    if not fl.gfp_atomic_flag:
        del bits["__GFP_ATOMIC"]
        composite["GFP_ATOMIC"] = bits["__GFP_HIGH"] | bits["__GFP_KSWAPD_RECLAIM"]
    return bits, composite, aliases


class GfpTable:
    """The GFP flag table of one kernel (a Flavour, or a version string like "2.6", "4.19")."""

    def __init__(self, flavour="6.1") -> None:
        from .paging import as_flavour
        self.flavour = as_flavour(flavour)
        self.bits, self.composite, aliases = tables_for(self.flavour)
        self.names = {**self.bits, **self.composite, **aliases}
        self._cache: dict[str, int] = {}
        b = self.bits
        self.DMA, self.HIGHMEM, self.MOVABLE = b["__GFP_DMA"], b["__GFP_HIGHMEM"], b["__GFP_MOVABLE"]
        self.HIGH = b["__GFP_HIGH"]
        self.ZERO = b["__GFP_ZERO"]
        self.ATOMIC = b.get("__GFP_ATOMIC", 0)
        self.WAIT = b.get("__GFP_DIRECT_RECLAIM", b.get("__GFP_WAIT", 0))
        self.NOMEMALLOC = b["__GFP_NOMEMALLOC"]

    def parse(self, gfp) -> int:
        if isinstance(gfp, int) and not isinstance(gfp, bool):
            return gfp
        if not isinstance(gfp, str):
            raise ConfigError(f"gfp: expected flags like 'GFP_KERNEL', got {gfp!r}")
        hit = self._cache.get(gfp)
        if hit is not None:
            return hit
        mask = 0
        for part in gfp.split("|"):
            name = part.strip()
            if name[:1].isdigit():             # a raw mask: 0x400cc0, or the "0" format() prints
                try:
                    mask |= int(name, 16) if name.lower().startswith("0x") else int(name, 10)
                    continue
                except ValueError:
                    pass
            if name not in self.names:
                raise ConfigError(f"gfp: unknown flag {name!r} (e.g. GFP_KERNEL, GFP_ATOMIC, "
                                  f"GFP_DMA, GFP_HIGHUSER, __GFP_ZERO)")
            mask |= self.names[name]
        self._cache[gfp] = mask
        return mask

    def high_zoneidx(self, mask: int, has_highmem: bool) -> int:
        """gfp_zone(): the highest zone the mask allows."""
        if mask & self.DMA:
            return ZONE_DMA
        if mask & self.HIGHMEM and has_highmem:
            return ZONE_HIGHMEM
        return ZONE_NORMAL

    def format(self, mask: int) -> str:
        """%pGg: composite names first, then single flags, like the kernel prints them."""
        parts = []
        rest = mask
        for name, val in sorted(self.composite.items(), key=lambda kv: -bin(kv[1]).count("1")):
            if val and rest & val == val and (mask & val) == val:
                parts.append(name)
                rest &= ~val
        for name, val in self.bits.items():
            if rest & val:
                parts.append(name)
                rest &= ~val
        if rest:
            parts.append(hex(rest))
        return "|".join(parts) if parts else "0"
