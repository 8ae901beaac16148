"""GFP flags: parsing "GFP_KERNEL | __GFP_ZERO" strings, zone selection, printing.

Names and bit values are per release: include/linux/gfp.h (from 6.0 include/linux/gfp_types.h)
of an i386 build (no CONFIG_ZONE_DMA32, NUMA, LOCKDEP, KMEMCHECK or KASAN_HW_TAGS).
``Flavour.gfp_layout`` (engine.kversion rules gfp_layout, each with its source line) names the
layout a release has; ``LAYOUTS`` below gives each layout as the changes from the one before.
"""
from __future__ import annotations

from .errors import ConfigError, shown

# One entry per layout: its id (the release that brought it, = the rule's value) and what
# changed: a single flag's bit (None: the name is gone), a composite as the names it ORs
# ("A|B", "-C" subtracts C: the kernel's "& ~C"; None: gone).  The names mmviz follows are
# the brief's set: every __GFP_ flag with a bit of its own on i386 and the composites GFP_*
# of the list below; debug/config-only names (__GFP_NOTRACK, __GFP_KMEMCG, __GFP_NOACCOUNT,
# __GFP_NOLOCKDEP, the zero KASAN bits, GFP_TEMPORARY's siblings GFP_IOFS, GFP_THISNODE,
# GFP_*_PAGECACHE) are not modelled.
LAYOUTS: tuple[tuple[str, dict[str, int | None], dict[str, str | None]], ...] = (
    # 2.6.24 include/linux/gfp.h:19-52 (bits), 58-105 (composites)
    ("2.6.24", {
        "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_WAIT": 0x10,
        "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80, "__GFP_COLD": 0x100,
        "__GFP_NOWARN": 0x200, "__GFP_REPEAT": 0x400, "__GFP_NOFAIL": 0x800,
        "__GFP_NORETRY": 0x1000, "__GFP_COMP": 0x4000, "__GFP_ZERO": 0x8000,
        "__GFP_NOMEMALLOC": 0x10000, "__GFP_HARDWALL": 0x20000, "__GFP_THISNODE": 0x40000,
        "__GFP_RECLAIMABLE": 0x80000, "__GFP_MOVABLE": 0x100000,
    }, {
        "GFP_ATOMIC": "__GFP_HIGH", "GFP_NOWAIT": "", "GFP_NOIO": "__GFP_WAIT",
        "GFP_NOFS": "__GFP_WAIT|__GFP_IO", "GFP_KERNEL": "__GFP_WAIT|__GFP_IO|__GFP_FS",
        "GFP_TEMPORARY": "GFP_KERNEL|__GFP_RECLAIMABLE", "GFP_USER": "GFP_KERNEL|__GFP_HARDWALL",
        "GFP_HIGHUSER": "GFP_USER|__GFP_HIGHMEM",
        "GFP_HIGHUSER_MOVABLE": "GFP_HIGHUSER|__GFP_MOVABLE",
        "GFP_DMA": "__GFP_DMA", "GFP_DMA32": "__GFP_DMA32",
    }),
    # __GFP_MOVABLE becomes a zone modifier: 2.6.32.69 gfp.h:28 0x08u (2.6.29 l.52 0x100000u)
    ("2.6.31", {"__GFP_MOVABLE": 0x08}, {}),
    # THP: 2.6.39.3 gfp.h:37-38 ___GFP_NO_KSWAPD 0x400000u, ___GFP_OTHER_NODE 0x800000u, l.114
    ("2.6.38", {"__GFP_NO_KSWAPD": 0x400000, "__GFP_OTHER_NODE": 0x800000},
     {"GFP_TRANSHUGE": "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NORETRY|"
                       "__GFP_NOWARN|__GFP_NO_KSWAPD"}),
    # 3.3.8 gfp.h:39 ___GFP_WRITE 0x1000000u (3.1.3: none)
    ("3.2", {"__GFP_WRITE": 0x1000000}, {}),
    # 3.10.4 gfp.h:26 ___GFP_MEMALLOC 0x2000u (3.5.0: none)
    ("3.6", {"__GFP_MEMALLOC": 0x2000}, {}),
    # 4.4.0 gfp.h:23-38, 147-148, 236-249: __GFP_WAIT -> __GFP_DIRECT_RECLAIM (0x400000u) |
    # __GFP_KSWAPD_RECLAIM (0x2000000u) = __GFP_RECLAIM; __GFP_ATOMIC 0x80000u; RECLAIMABLE 0x10u
    ("4.4", {"__GFP_WAIT": None, "__GFP_NO_KSWAPD": None, "__GFP_RECLAIMABLE": 0x10,
             "__GFP_ATOMIC": 0x80000, "__GFP_DIRECT_RECLAIM": 0x400000,
             "__GFP_KSWAPD_RECLAIM": 0x2000000},
     {"__GFP_RECLAIM": "__GFP_DIRECT_RECLAIM|__GFP_KSWAPD_RECLAIM",
      "GFP_ATOMIC": "__GFP_HIGH|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM",
      "GFP_NOWAIT": "__GFP_KSWAPD_RECLAIM", "GFP_NOIO": "__GFP_RECLAIM",
      "GFP_NOFS": "__GFP_RECLAIM|__GFP_IO", "GFP_KERNEL": "__GFP_RECLAIM|__GFP_IO|__GFP_FS",
      "GFP_TRANSHUGE": "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NORETRY|"
                       "__GFP_NOWARN|-__GFP_KSWAPD_RECLAIM"}),
    # 4.8.15 gfp.h:38 ___GFP_ACCOUNT 0x100000u, l.248 GFP_KERNEL_ACCOUNT
    ("4.5", {"__GFP_ACCOUNT": 0x100000}, {"GFP_KERNEL_ACCOUNT": "GFP_KERNEL|__GFP_ACCOUNT"}),
    # 4.8.15 gfp.h:259-261 GFP_TRANSHUGE_LIGHT, GFP_TRANSHUGE = _LIGHT | __GFP_DIRECT_RECLAIM
    ("4.8", {}, {"GFP_TRANSHUGE_LIGHT": "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_NOMEMALLOC|"
                                        "__GFP_NOWARN|-__GFP_RECLAIM",
                 "GFP_TRANSHUGE": "GFP_TRANSHUGE_LIGHT|__GFP_DIRECT_RECLAIM"}),
    # 4.10.17 gfp.h:40-42: __GFP_OTHER_NODE gone, WRITE 0x800000u, KSWAPD_RECLAIM 0x1000000u
    ("4.10", {"__GFP_OTHER_NODE": None, "__GFP_WRITE": 0x800000,
              "__GFP_KSWAPD_RECLAIM": 0x1000000}, {}),
    # 4.15.18 gfp.h:28 ___GFP_RETRY_MAYFAIL 0x400u, the bit of __GFP_REPEAT
    ("4.13", {"__GFP_REPEAT": None, "__GFP_RETRY_MAYFAIL": 0x400}, {}),
    # 4.15.18 gfp.h: no GFP_TEMPORARY
    ("4.14", {}, {"GFP_TEMPORARY": None}),
    # 4.15.18 gfp.h: no ___GFP_COLD (its 0x100u unused)
    ("4.15", {"__GFP_COLD": None}, {}),
    # 4.19.0 gfp.h:27, 40-41: WRITE 0x100u, DIRECT_RECLAIM 0x200000u, KSWAPD_RECLAIM 0x400000u
    ("4.18", {"__GFP_WRITE": 0x100, "__GFP_DIRECT_RECLAIM": 0x200000,
              "__GFP_KSWAPD_RECLAIM": 0x400000}, {}),
    # 5.3.1 gfp.h:27-41 ("mm: shuffle GFP_* flags"): GFP_KERNEL 0xcc0
    ("5.1", {"__GFP_ZERO": 0x100, "__GFP_ATOMIC": 0x200, "__GFP_DIRECT_RECLAIM": 0x400,
             "__GFP_KSWAPD_RECLAIM": 0x800, "__GFP_WRITE": 0x1000, "__GFP_NOWARN": 0x2000,
             "__GFP_RETRY_MAYFAIL": 0x4000, "__GFP_NOFAIL": 0x8000, "__GFP_NORETRY": 0x10000,
             "__GFP_MEMALLOC": 0x20000, "__GFP_COMP": 0x40000, "__GFP_NOMEMALLOC": 0x80000,
             "__GFP_HARDWALL": 0x100000, "__GFP_THISNODE": 0x200000, "__GFP_ACCOUNT": 0x400000},
     {}),
    # 5.14.2 gfp.h:56-57 ___GFP_ZEROTAGS 0x800000u, ___GFP_SKIP_KASAN_POISON 0x1000000u (no
    # #ifdef), l.450 GFP_HIGHUSER_MOVABLE adds __GFP_SKIP_KASAN_POISON
    ("5.14", {"__GFP_ZEROTAGS": 0x800000, "__GFP_SKIP_KASAN_POISON": 0x1000000},
     {"GFP_HIGHUSER_MOVABLE": "GFP_HIGHUSER|__GFP_MOVABLE|__GFP_SKIP_KASAN_POISON"}),
    # 5.19.0 gfp.h:57-64: the KASAN bits only with CONFIG_KASAN_HW_TAGS, 0 on i386
    ("5.18", {"__GFP_SKIP_KASAN_POISON": None},
     {"GFP_HIGHUSER_MOVABLE": "GFP_HIGHUSER|__GFP_MOVABLE"}),
    # 6.8.0 gfp_types.h:326 GFP_ATOMIC (__GFP_HIGH|__GFP_KSWAPD_RECLAIM), no ___GFP_ATOMIC (6.1 l.34)
    ("6.3", {"__GFP_ATOMIC": None}, {"GFP_ATOMIC": "__GFP_HIGH|__GFP_KSWAPD_RECLAIM"}),
    # 6.8.0 gfp_types.h:329 GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
    ("6.8", {}, {"GFP_NOWAIT": "__GFP_KSWAPD_RECLAIM|__GFP_NOWARN"}),
)

# %pGg's names in the order lib/vsprintf.c format_flags() tries them: include/trace/events/
# mmflags.h __def_gfpflag_names (4.8.15 l.16-55, 4.19.0, 5.14.2, 6.1 l.18-54: the same order;
# each release lists the names it has).  A release's names missing here follow in table order.
PRINT_ORDER = (
    "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER",
    "GFP_TEMPORARY", "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO",
    "GFP_NOWAIT", "GFP_DMA", "__GFP_HIGHMEM", "GFP_DMA32", "__GFP_HIGH", "__GFP_ATOMIC",
    "__GFP_IO", "__GFP_FS", "__GFP_COLD", "__GFP_NOWARN", "__GFP_REPEAT", "__GFP_RETRY_MAYFAIL",
    "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_COMP", "__GFP_ZERO", "__GFP_NOMEMALLOC",
    "__GFP_MEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_RECLAIMABLE", "__GFP_MOVABLE",
    "__GFP_ACCOUNT", "__GFP_WRITE", "__GFP_RECLAIM", "__GFP_DIRECT_RECLAIM",
    "__GFP_KSWAPD_RECLAIM", "__GFP_OTHER_NODE", "__GFP_ZEROTAGS", "__GFP_SKIP_KASAN_POISON",
)

# A name and its successor (or predecessor) across a rename: what "did you mean" offers first
# when the release has it.  __GFP_WAIT meant direct reclaim and waking kswapd, so its 4.4
# successor is __GFP_RECLAIM (4.4.0 gfp.h: #define __GFP_RECLAIM (___GFP_DIRECT_RECLAIM|
# ___GFP_KSWAPD_RECLAIM), replacing __GFP_WAIT in every caller, commit 71baba4b92dc);
# __GFP_REPEAT became __GFP_RETRY_MAYFAIL in 4.13 (commit dcda9b04713c).
RENAMED = {
    "__GFP_WAIT": "__GFP_RECLAIM", "__GFP_RECLAIM": "__GFP_WAIT",
    "__GFP_DIRECT_RECLAIM": "__GFP_WAIT", "__GFP_KSWAPD_RECLAIM": "",   # 2.6: kswapd is always woken
    "__GFP_REPEAT": "__GFP_RETRY_MAYFAIL", "__GFP_RETRY_MAYFAIL": "__GFP_REPEAT",
}

ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_MOVABLE = 0, 1, 2, 3


def _mask(name: str, bits: dict[str, int], formulas: dict[str, str], out: dict[str, int]) -> int:
    """A composite's mask from its formula, the composites it names first."""
    if name in bits:
        return bits[name]
    if name not in out:
        add = sub = 0
        for word in filter(None, formulas[name].split("|")):
            if word.startswith("-"):
                sub |= _mask(word[1:], bits, formulas, out)
            else:
                add |= _mask(word, bits, formulas, out)
        out[name] = add & ~sub
    return out[name]


def _build(upto: str) -> tuple[dict[str, int], dict[str, int]]:
    bits: dict[str, int] = {}
    formulas: dict[str, str] = {}
    for layout, bit_changes, composite_changes in LAYOUTS:
        for table, changes in ((bits, bit_changes), (formulas, composite_changes)):
            for name, value in changes.items():
                if value is None:
                    del table[name]
                else:
                    table[name] = value
        if layout == upto:
            break
    else:
        raise ConfigError(f"gfp: no GFP layout {upto!r}")
    composite: dict[str, int] = {}
    for name in formulas:
        _mask(name, bits, formulas, composite)
    return bits, {name: composite[name] for name in formulas}


_TABLES: dict[str, tuple[dict[str, int], dict[str, int]]] = {}


def all_names() -> set[str]:
    """Every GFP name some modelled release has (a lesson schema's vocabulary)."""
    return {name for _, bits, composites in LAYOUTS for name in (*bits, *composites)}


def tables_for(fl) -> tuple[dict[str, int], dict[str, int]]:
    """(single-flag bits, composite masks) of the release's GFP layout (Flavour.gfp_layout)."""
    hit = _TABLES.get(fl.gfp_layout)
    if hit is None:
        hit = _TABLES[fl.gfp_layout] = _build(fl.gfp_layout)
    return hit


class GfpTable:
    """The GFP flag table of one kernel (a Flavour, or a version string like "2.6", "4.19")."""

    def __init__(self, flavour="6.1") -> None:
        from .paging import as_flavour
        self.flavour = as_flavour(flavour)
        self.bits, self.composite = tables_for(self.flavour)
        self.names = {**self.bits, **self.composite}
        self._cache: dict[str, int] = {}
        b = self.bits
        self.DMA, self.HIGHMEM, self.MOVABLE = b["__GFP_DMA"], b["__GFP_HIGHMEM"], b["__GFP_MOVABLE"]
        self.HIGH = b["__GFP_HIGH"]
        self.ZERO = b["__GFP_ZERO"]
        self.ATOMIC = b.get("__GFP_ATOMIC", 0)
        self.WAIT = b.get("__GFP_DIRECT_RECLAIM", b.get("__GFP_WAIT", 0))
        self.NOMEMALLOC = b["__GFP_NOMEMALLOC"]
        order = [n for n in PRINT_ORDER if n in self.names]
        self._print = [(n, self.names[n]) for n in order + [n for n in self.names if n not in order]]

    def parse(self, gfp) -> int:
        if isinstance(gfp, int) and not isinstance(gfp, bool):
            return gfp
        if not isinstance(gfp, str):
            raise ConfigError(f"gfp: expected flags like 'GFP_KERNEL', got {shown(gfp)}")
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
                near = RENAMED.get(name, "")       # a renamed flag: this release's name for it
                near = near if near in self.names else ""
                raise ConfigError(f"gfp: unknown flag {name!r} for the {self.flavour.release} kernel "
                                  + (f"(did you mean {near}?)" if near else
                                     "(e.g. GFP_KERNEL, GFP_ATOMIC, GFP_DMA, GFP_HIGHUSER, __GFP_ZERO)"))
            mask |= self.names[name]
        self._cache[gfp] = mask
        return mask

    def suggest(self, word: str) -> str:
        """The name of this release a mistyped or renamed GFP name most likely means, or ''
        (only names this release has)."""
        if word.strip() in RENAMED:
            renamed = RENAMED[word.strip()]
            return renamed if renamed in self.names else ""
        import difflib
        near = difflib.get_close_matches(word.strip(), sorted(self.names), n=1)
        return near[0] if near else ""

    def high_zoneidx(self, mask: int, has_highmem: bool) -> int:
        """gfp_zone(): the highest zone the mask allows.  __GFP_DMA32 names ZONE_NORMAL on
        i386, which has no ZONE_DMA32 (2.6.24 gfp.h gfp_zone(): the __GFP_DMA32 test only
        #ifdef CONFIG_ZONE_DMA32; 6.1 gfp.h:54 OPT_ZONE_DMA32 is ZONE_NORMAL without it)."""
        if mask & self.DMA:
            return ZONE_DMA
        if mask & self.HIGHMEM and has_highmem:
            return ZONE_HIGHMEM
        return ZONE_NORMAL

    def format(self, mask: int) -> str:
        """%pGg (lib/vsprintf.c format_flags): each name of mmflags.h's list, in its order,
        whose bits are all still set is printed and its bits cleared; what remains in hex."""
        parts = []
        rest = mask
        for name, val in self._print:
            if not rest:
                break
            if val and rest & val == val:
                parts.append(name)
                rest &= ~val
        if rest:
            parts.append(hex(rest))
        return "|".join(parts) if parts else "0"
