"""Readers for the real-kernel captures in tests/groundtruth/ (copied from shared/groundtruth)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent / "groundtruth"
CONFIGS = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


@dataclass
class GroundTruth:
    name: str
    ram: str
    pae: bool
    vmalloc: str | None
    zones: dict[str, dict[str, object]]
    meminfo: dict[str, int]
    high_memory: int
    vmalloc_start: int
    vmalloc_end: int

    def file(self, fname: str) -> str:
        return (ROOT / self.name / fname).read_text()


def parse_zoneinfo(text: str) -> dict[str, dict[str, object]]:
    zones: dict[str, dict[str, object]] = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"Node 0, zone\s+(\w+)", line)
        if m:
            cur = zones.setdefault(m.group(1), {})
            continue
        if cur is None:
            continue
        m = re.match(r"\s+protection: \((.*)\)", line)
        if m:
            cur["protection"] = [int(x) for x in m.group(1).split(",")]
            continue
        m = re.match(r"\s+(pages free|min|low|high|spanned|present|managed|start_pfn):?\s+(\d+)$", line)
        if m and m.group(1) not in cur:
            cur[m.group(1)] = int(m.group(2))
    return zones


def parse_meminfo(text: str) -> dict[str, int]:
    out = {}
    for line in text.splitlines():
        k, v = line.split(":", 1)
        out[k] = int(v.split()[0])
    return out


def load(name: str) -> GroundTruth:
    d = ROOT / name
    boot = (d / "boot.info").read_text()
    ram = re.search(r" -m (\S+)", boot).group(1)
    cmdline = (d / "cmdline.txt").read_text()
    vm = re.search(r"vmalloc=(\S+)", cmdline)
    kc = (d / "kcoredump.txt").read_text()
    loads = re.findall(r"LOAD\s+0x[0-9a-f]+ (0x[0-9a-f]+) 0x[0-9a-f]+ (0x[0-9a-f]+)", kc)
    segs = {int(a, 16): int(a, 16) + int(b, 16) for a, b in loads}
    lowmem_end = segs[0xC0000000]
    vstart = max(segs)
    return GroundTruth(
        name=name, ram=ram, pae="pae" in name, vmalloc=vm.group(1) if vm else None,
        zones=parse_zoneinfo((d / "zoneinfo.txt").read_text()),
        meminfo=parse_meminfo((d / "meminfo.txt").read_text()),
        high_memory=lowmem_end, vmalloc_start=vstart, vmalloc_end=segs[vstart])
