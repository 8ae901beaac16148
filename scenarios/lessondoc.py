"""The generated parts of docs/LESSONS.md: operations, argument types, facts, focus kinds,
articles and listings, made from the tables the loader checks against.

``python -m scenarios.lessondoc`` rewrites every block between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``; a test keeps
the file equal to what this module generates, so the reference cannot drift.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .facts import FACTS
from .model import FOCUS_KINDS, MAX_OPS, MAX_REPEAT, VIEWS
from .ops import OPS, Op, Param

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "LESSONS.md"
_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)", re.S)

TYPES = {
    "int": "a number or an expression: `3`, `\"order + 1\"`",
    "addr": "an expression giving an address: `\"0xc0100000\"`, `\"v + 0x1000\"`",
    "size": "a number or expression, K/M/G suffixes allowed: `100`, `\"1M\"`, `\"4K * n\"`",
    "pid": "a pid, or a process named by `as` (`\"p\"`, `\"p.pid\"`)",
    "gfp": "GFP flags of the lesson's kernel: `\"GFP_KERNEL\"`, `\"GFP_DMA \\| __GFP_ZERO\"`",
    "kind": "`read`, `write` or `exec`",
    "prot": "protection like `\"rw-\"`, `\"r-x\"`",
    "flags": "mmap flags: `\"private\\|anonymous\"`, `\"shared\"`",
    "text": "a plain string (cache name, process name, /proc path, data)",
    "bool": "`true` or `false`",
    "ram": "a size as boot() takes it: `\"160M\"`, `\"4G\"`",
}
RESULTS = {
    "pfn": "a frame number", "vaddr": "a virtual address", "paddr": "a physical address",
    "none": "nothing", "cache": "a cache", "pid": "a pid", "process": "a process (`.pid`)",
    "access": "an access record (`.paddr`)", "walk": "a page walk (`.paddr`)", "text": "text",
    "bytes": "bytes", "machine": "a machine", "driver": "a map_driver module (`.kaddr`)",
    "snapshot": "a snapshot (`before.Normal.free_pages`)",
}


def _param(p: Param) -> str:
    return f"`{p.name}` ({p.type})" if p.required else f"`{p.name}` ({p.type}, default `{_lit(p.default)}`)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _lit(v: object) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _kernel(op: Op) -> str:
    if op.target == "timeline":
        return "(the lesson's timeline)"
    where = "Process." if op.target == "process" else "Machine."
    return f"`{where}{op.engine_method}`"


def ops_block() -> str:
    rows = ["| operation | arguments, in order | returns | engine call | what it does |",
            "|---|---|---|---|---|"]
    for op in OPS.values():
        name = f"`{op.name}`" + "".join(f" / `{a}`" for a in op.aliases)
        args = ", ".join(_param(p) for p in op.params) or "-"
        doc = _cell(op.doc) or "-"
        rows.append(f"| {name} | {args} | {RESULTS.get(op.result, op.result)} | {_kernel(op)} "
                    f"| {doc} |")
    return "\n".join(rows) + "\n"


def types_block() -> str:
    used = sorted({p.type for op in OPS.values() for p in op.params})
    rows = ["| type | accepts |", "|---|---|"]
    rows += [f"| {t} | {TYPES.get(t, '-')} |" for t in used]
    return "\n".join(rows) + "\n"


def facts_block() -> str:
    from .validate_expects import ExpectChecks
    rows = ["| expect key | value | after | meaning |", "|---|---|---|---|"]
    for f in FACTS.values():
        name = "zone" if f.name == "zone_info" else f.name
        key = ".".join([name, *(f"<{p}>" for p in f.params)])
        ops = [op.name for op in OPS.values()
               if not ExpectChecks.applicable(None, f, op, None)]   # type: ignore[arg-type]
        after = "every step" if len(ops) == len(OPS) else ", ".join(ops) or "-"
        if not f.repeat_ok:
            after += " (not repeat/each steps)"
        rows.append(f"| `{key}` | {f.type} | {after} | {_cell(f.doc)} |")
    return "\n".join(rows) + "\n"


def focus_block() -> str:
    kinds = {"expr": "an expression (a number or a name)", "text": "a name",
             "view": "a drawing to put in front: " + " or ".join(f"`{v}`" for v in VIEWS)}
    return "".join(f"- `{k}`: {kinds[v]}\n" for k, v in FOCUS_KINDS.items())


def articles_block() -> str:
    from .exhibits import EXHIBITS
    from .teaching import ARTICLES
    out = ["Articles an `errata` entry can correct (`article = \"NNN\"`):", ""]
    out += [f"- `{k}`: {v['en']}" for k, v in ARTICLES.items()]
    out += ["", "Listings a step can show (`listing = \"name\"`):", ""]
    out += [f"- `{k}`: {v[0]}" for k, v in EXHIBITS.items()]
    return "\n".join(out) + "\n"


def limits_block() -> str:
    return (f"- a `repeat` runs at most {MAX_REPEAT:,} iterations; a lesson at most "
            f"{MAX_OPS:,} operations (plain steps and iterations together)\n")


BLOCKS = {"ops": ops_block, "types": types_block, "facts": facts_block, "focus": focus_block,
          "articles": articles_block, "limits": limits_block}


def render(text: str) -> str:
    """``text`` with every generated block replaced by what the tables say now."""
    def sub(m: re.Match) -> str:
        return m.group(1) + BLOCKS[m.group(2)]() + m.group(4)
    return _BLOCK.sub(sub, text)


def blocks_in(text: str) -> list[str]:
    return [m.group(2) for m in _BLOCK.finditer(text)]


if __name__ == "__main__":
    old = DOC_PATH.read_text(encoding="utf-8")
    DOC_PATH.write_text(render(old), encoding="utf-8")
    sys.stdout.write(f"{DOC_PATH}: {', '.join(blocks_in(old))}\n")
