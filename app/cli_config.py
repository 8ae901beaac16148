"""``--config KEY=VALUE``: each build option's value read by its kind, or one line saying
which values the option takes (``mmviz layout: argument --config: THP must be y or n (a
Kconfig bool), got 'maybe'``).  The engine then checks what only a machine knows (PHYSICAL_START
a 1 MB multiple, KFENCE from 5.12); a value of the wrong kind never reaches it (THP=maybe was
taken as on, fixmap_slots=x stopped with an internal error)."""
from __future__ import annotations

import re
from typing import Any

# Kconfig's bool answers (scripts/kconfig: y and n; mmviz also takes the spellings below)
YES = ("y", "yes", "true", "on", "1")
NO = ("n", "no", "false", "off", "0")
SPLITS = ("3G", "3G_OPT", "2G", "2G_OPT", "1G")     # engine.config.SPLITS, without importing it

# the kind of each engine.config.BUILD_KEYS field (None: fixmap_slots); PAE's and the split's
# keys are read by make_config() itself
KINDS: dict[str | None, tuple[Any, ...]] = {
    "thp": ("bool",), "memcg": ("bool",), "debug_pagealloc": ("bool",), "rodata_ro": ("bool",),
    "hpet": ("bool",), "HIGHMEM": ("bool",), "kfence_pool_kb": ("bool-or-kb",),
    "memory_model": ("choice", ("flatmem", "sparsemem")), "VMSPLIT": ("choice", SPLITS),
    "nr_cpus_config": ("int", 0, 1 << 16), "struct_page_size": ("int", 32, 64),   # (the release says its range)
    None: ("int", 1, 1 << 12), "text_bytes": ("int", 0, 1 << 30), "data_bytes": ("int", 0, 1 << 30),
    "init_gap_pages": ("int", 0, 1 << 16), "pcpu_static_bytes": ("int", 0, 1 << 24),
    "nr_ioapics": ("int", 0, 1 << 24), "initial_map_pgt": ("int", 0, 4 << 20),
    "brk_log_pages": ("int", 0, 4 << 20), "initrd_start_pfn": ("address",), "kernel_load": ("size",),
    "text_kb": ("int", 0, 64 << 10), "rwdata_kb": ("int", 0, 64 << 10), "init_kb": ("int", 0, 64 << 10),
    "rodata_kb": ("int", 0, 64 << 10), "bss_kb": ("int", 0, 64 << 10),
}
KB = ("initrd_kb", "page_cgroup_kb", "log_buf_kb", "crashkernel_kb", "percpu_pages_per_cpu",
      "stackdepot_kb", "trampoline_kb")
KINDS.update({name: ("kb",) for name in KB})


class ConfigValueError(ValueError):
    """One --config value of the wrong kind: the line to say (without 'argument --config: ')."""


def kind_of(key: str) -> tuple[Any, ...] | None:
    """The kind of ``key``'s value; None for a key the engine does not know (it says so)."""
    from engine.config import BUILD_KEYS
    if key in ("HIGHMEM64G", "CONFIG_HIGHMEM64G", "HIGHMEM4G", "CONFIG_HIGHMEM4G"):
        return KINDS["HIGHMEM"]
    if key in ("VMSPLIT", "CONFIG_VMSPLIT"):
        return KINDS["VMSPLIT"]
    return KINDS[BUILD_KEYS[key]] if key in BUILD_KEYS else None


def _integer(key: str, value: str, form: str) -> int:
    from .cli_types import c_integer
    try:
        return c_integer(value)
    except ValueError as err:
        hint = str(err)
        raise ConfigValueError(f"{key}: {hint}" if "octal" in hint else
                               f"{key} must be {form}, got {value!r}") from None


def read_value(key: str, value: str) -> Any:
    """``value`` as ``key``'s kind takes it (bool, int, str), or ConfigValueError."""
    kind = kind_of(key)
    text, low = value.strip(), value.strip().lower()
    if kind is None:
        return text
    if kind[0] in ("bool", "bool-or-kb") and low in YES + NO:
        return low in YES
    if kind[0] == "bool":
        raise ConfigValueError(f"{key} must be y or n (a Kconfig bool), got {value!r}")
    if kind[0] == "choice":
        up = text.upper().replace("VMSPLIT_", "") if kind[1] is SPLITS else text
        if up not in kind[1]:
            raise ConfigValueError(f"{key} must be one of {', '.join(kind[1])}, got {value!r}")
        return up
    if kind[0] == "int":
        n = _integer(key, text, f"a whole number {kind[1]}..{kind[2]}")
        if not kind[1] <= n <= kind[2]:
            raise ConfigValueError(f"{key} must be a whole number {kind[1]}..{kind[2]}, got {value!r}")
        return n
    if kind[0] == "address":
        n = _integer(key, text, "a physical address like 0x8b2000")
        if not 0 <= n < 1 << 36:
            raise ConfigValueError(f"{key} must be a physical address like 0x8b2000, got {value!r}")
        return n
    return _size(key, value, kind[0])


def _size(key: str, value: str, kind: str) -> Any:
    """A size: bytes with K/M/G (PHYSICAL_START=16M), or kB (log_buf_kb=256, or 7M)."""
    from .cli_types import SIZE_RE, octal_hint
    text = value.strip()
    form = ("a size like 16M or 0x1000000" if kind == "size" else
            "y, n or a size in kB (256, or like 7M)" if kind == "bool-or-kb" else
            "a size in kB (256, or like 7M)")
    hint = octal_hint(text, size=True) if not text.lower().startswith("0x") else None
    if hint is not None:
        raise ConfigValueError(f"{key}: {hint}")
    if not SIZE_RE.match(text) or text.startswith("-"):
        raise ConfigValueError(f"{key} must be {form}, got {value!r}")
    if re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", text):
        return int(text, 0)              # bytes (size) or kB, as the engine takes a number
    return text                          # with a suffix: the engine's parse_size() reads it


def read_pair(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value read by the key's kind)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigValueError(f"expected KEY=VALUE (e.g. MEMCG=y), got {text!r}")
    return key.strip(), read_value(key.strip(), value)
