"""One source per vocabulary: lesson ops match the engine methods they call, and ``check``
accepts exactly the values (GFP names, mmap flags, access kinds, protections) the engine
accepts at run time, for every kernel release."""
from __future__ import annotations

import ast
import inspect
import pathlib

import pytest

import engine
from engine.errors import ConfigError
from engine.flavour import flavour_for
from engine.gfp import GfpTable, all_names, tables_for
from engine.mm import prot_flags
from engine.mmap_ops import MAP_FLAG_WORDS, parse_map_flags
from engine.mmu import ACCESS_KINDS
from scenarios import LessonError, parse_lesson
from scenarios.ops import OPS
from scenarios.validate_args import check_flags, check_gfp, check_prot, check_value

ROOT = pathlib.Path(__file__).resolve().parents[1]
KERNELS = ("2.6", "2.6.31", "3.16", "4.4", "4.9", "4.19", "5.10", "6.1", "6.6")
GFP_WORDS = sorted({*all_names(), "GFP_NOPE", "__GFP_NOTRACK"})


def _accepts(parse, value) -> bool:
    """Does the engine's own parser take this value (no ConfigError)?"""
    try:
        parse(value)
        return True
    except ConfigError:
        return False


def _engine_method(op):
    cls = engine.Process if op.target == "process" else engine.Machine
    return getattr(cls, op.engine_method)


@pytest.mark.parametrize("name", [n for n, op in OPS.items() if op.target != "timeline"])
def test_every_op_matches_its_engine_method_signature(name):
    """The runner calls ``method(*values)`` in the op's parameter order (a process op's
    first parameter picks the process): names, order and defaults must line up."""
    op = OPS[name]
    params = op.params[1:] if op.target == "process" else op.params
    sig = inspect.signature(_engine_method(op))
    mparams = [p for p in sig.parameters.values() if p.name != "self"]
    assert len(params) <= len(mparams), f"{name}: more op parameters than {sig}"
    for p, q in zip(params, mparams):
        assert p.name == q.name, f"{name}: op parameter {p.name!r} is the method's {q.name!r}"
        assert q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD), f"{name}: {q}"
        if not p.required:      # an optional op parameter passes the method's own default
            assert q.default is not inspect.Parameter.empty, f"{name}.{p.name}: method requires it"
            assert p.default == q.default, f"{name}.{p.name}: {p.default!r} vs {q.default!r}"
    rest = mparams[len(params):]
    assert all(q.default is not inspect.Parameter.empty or q.kind in (q.VAR_POSITIONAL, q.VAR_KEYWORD)
               for q in rest), f"{name}: the method needs more than the op gives: {sig}"


@pytest.mark.parametrize("kernel", KERNELS)
def test_check_accepts_exactly_the_gfp_names_of_the_kernel(kernel):
    table = engine.Machine.boot(ram="64M", kernel=kernel).gfp
    for word in GFP_WORDS:
        runs = _accepts(table.parse, word)
        assert (check_gfp(word, kernel) == "") == runs, (kernel, word)
        assert (check_gfp(f"GFP_KERNEL | {word}", kernel) == "") == runs, (kernel, word)


def test_check_accepts_exactly_the_mmap_flags_the_engine_takes():
    words = [*MAP_FLAG_WORDS, "locked", "stack", "hugetlb", "MAP_PRIVATE", "norserve", ""]
    for extra in words:
        flags = f"private|anonymous|{extra}"
        assert (check_flags(flags) == "") == _accepts(parse_map_flags, flags), flags
    assert check_flags("private|anonymous|locked")


def test_check_accepts_exactly_the_protections_and_kinds_the_engine_takes():
    assert check_prot("")           # stricter than prot_flags(""): write "---" for PROT_NONE
    for prot in ("rw-", "r--", "---", "rwx", "x", "rwz", "rw+", "-"):
        assert (check_prot(prot) == "") == _accepts(prot_flags, prot), prot
    op, param = OPS["access"], OPS["access"].param("kind")
    for kind in (*ACCESS_KINDS, "exe", "fetch"):
        assert (check_value(op, param, kind, {}) == "") == (kind in ACCESS_KINDS)


HEAD = ('[lesson]\nid = "t"\ntitle = { en = "T", zh = "T" }\nsummary = { en = "S", zh = "S" }\n'
        'machine = { ram = "160M", kernel = "KERNEL" }\n')
SAY = 'say = { en = "x", zh = "x" }\n'


@pytest.mark.parametrize("kernel, step, word", [
    ("2.6", 'do = "alloc_pages"\ngfp = "GFP_TRANSHUGE"\n', "GFP_TRANSHUGE"),
    ("6.1", 'do = "kmalloc"\nsize = 64\ngfp = "GFP_KERNEL | __GFP_COLD"\n', "__GFP_COLD"),
    ("4.4", 'do = "kmalloc"\nsize = 64\ngfp = "GFP_KERNEL_ACCOUNT"\n', "GFP_KERNEL_ACCOUNT"),
    ("6.6", 'do = "alloc_pages"\ngfp = "__GFP_ATOMIC"\n', "__GFP_ATOMIC"),
    ("6.1", 'do = "spawn"\nas = "p"\n' + SAY + '\n[[step]]\ndo = "mmap"\npid = "p"\nlength = 4096\n'
            'flags = "private|anonymous|locked"\n', "locked"),
])
def test_mmviz_check_rejects_what_the_engine_rejects(kernel, step, word):
    text = HEAD.replace("KERNEL", kernel) + "\n[[step]]\n" + step + SAY
    with pytest.raises(LessonError) as e:
        parse_lesson(text, "t.toml")
    assert word in str(e.value) and "t.toml:" in str(e.value)


def _assigned_names(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def test_page_size_max_order_and_task_size_are_defined_once():
    where: dict[str, list[str]] = {}
    for pkg in ("engine", "scenarios", "widgets", "app", "bench"):
        for path in (ROOT / pkg).glob("*.py"):
            for name in _assigned_names(path) & {"PAGE_SIZE", "PAGE_SHIFT", "TASK_SIZE", "MAX_ORDER",
                                                 "PAGE_MASK", "ACCESS_KINDS", "MAP_FLAG_WORDS"}:
                where.setdefault(name, []).append(f"{pkg}/{path.name}")
    assert where == {"PAGE_SIZE": ["engine/page_types.py"], "PAGE_SHIFT": ["engine/page_types.py"],
                     "PAGE_MASK": ["engine/page_types.py"], "TASK_SIZE": ["engine/page_types.py"],
                     "MAX_ORDER": ["engine/zone.py"], "ACCESS_KINDS": ["engine/mmu.py"],
                     "MAP_FLAG_WORDS": ["engine/mmap_ops.py"]}


def test_gfp_table_takes_a_flavour_or_a_version():
    fl = engine.Machine.boot(ram="64M").config.flavour
    assert GfpTable("2.6").bits is tables_for(flavour_for("2.6"))[0]
    assert GfpTable(fl).bits == GfpTable("6.1").bits == tables_for(fl)[0]


def test_free_block_order_reads_the_zones_buddy_heads():
    """The merged_to fact's fallback names the free block that holds a frame, by the same
    PageBuddy heads the buddy allocator keeps (it used to look for a mem_map that never was)."""
    from scenarios.facts import free_block_order
    m = engine.Machine.boot(ram="64M")
    pfn = m.alloc_pages("GFP_KERNEL", 2)
    assert free_block_order(m, pfn) == -1
    m.free_pages(pfn, 2)
    final = m.events[-1]
    assert free_block_order(m, pfn) == final.final_order
    assert free_block_order(m, final.final_pfn + (1 << final.final_order) - 1) == final.final_order
