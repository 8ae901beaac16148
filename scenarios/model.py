"""The lesson data model: what the loader produces and the timeline plays.

A lesson file (TOML, data only)::

    [lesson]
    id = "buddy"
    title.en = "The buddy allocator"          title.zh = "伙伴系统"
    summary.en = "..."                         summary.zh = "..."
    machine = { ram = "160M", kernel = "6.1", seed = 1 }

    [[step]]
    do = "alloc_pages"          # an operation (scenarios.ops.OPS)
    gfp = "GFP_KERNEL"          # its arguments
    order = 3
    as = "a"                    # name the result for later steps ("a + 8")
    title.en = "..."            title.zh = "..."       # optional short title
    say.en = "..."              say.zh = "..."         # narration, both languages
    deeper.en = "..."           deeper.zh = "..."      # optional: version history and detail,
                                                       # shown after the step, folded away
    focus = { pfn = "a" }       # what the panes select: address/pfn/cache/process/region/zone
    expect = { zone = "Normal", order = 3 }            # facts (scenarios.facts.FACTS)
    ask = { en = "...?", zh = "...?", answer = "merged_to" }   # asked before the step runs
    errata = { article = "002", claim = "...", en = "...", zh = "..." }  # (or a list of them)
    listing = "module.c"        # a program or real capture shown with the step (scenarios.exhibits)

Lesson header extras: ``requires = ["memory-map"]``, ``kernel.en/zh`` (a one-line banner),
``try = [{ cmd = "kmalloc 193", en = "...", zh = "..." }]`` (shown at the lesson's end).

Stress steps: ``repeat = N`` (with ``i`` = 0..N-1 in expressions) or
``each = "name"`` (over an earlier repeat's results, ``it`` = the item, with
``it.order`` etc. for its arguments), plus ``random = { seed = 3, order = [0, 3],
gfp = { choice = ["GFP_KERNEL", "GFP_DMA"] }, sample = 0.5 }`` and
``on_error = "continue"`` and ``where = "i & 1"`` (run only iterations where the
expression is non-zero).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .facts import Fact
from .ops import Op
from .source import KeyLines

LANGS = ("en", "zh")
MAX_REPEAT = 10_000          # iterations of one step
MAX_OPS = 100_000            # operations of a whole lesson
BUILTIN_NAMES = frozenset({"layout", "config", "cpu", "zones", "PAGE_SIZE", "PAGE_SHIFT",
                           "PAGE_OFFSET"})
LOOP_NAMES = frozenset({"i", "it"})
FOCUS_KINDS = {"address": "expr", "pfn": "expr", "process": "expr", "cache": "text",
               "region": "text", "zone": "text", "view": "view"}
# focus.view: a drawing put in front for the step (app/layout.py PANES: the mm_struct -> VMA
# view and the page-fault flow chart)
VIEWS = ("mm", "fault")


@dataclass
class Expect:
    key: str                     # as written: "free_area.Normal.3"
    fact: Fact
    params: tuple[str, ...]
    cmp: str                     # == != < <= > >=  (or "contains")
    expected: Any                # literal, or expression text when tree is set
    tree: Any = None
    line: int = 0


@dataclass
class Ask:
    text: dict[str, str]         # question per language
    answer: str                  # a fact key, e.g. "merged_to", "paddr"
    fact: Fact
    params: tuple[str, ...]
    line: int = 0
    choices: list[str] | None = None   # offered in the TUI (ask.choices); typing always works


@dataclass
class Repeat:
    count: int | None = None     # repeat = N
    each: str | None = None      # each = "name"
    seed: int | None = None
    random: dict[str, tuple[str, Any]] = field(default_factory=dict)  # arg -> ("range"|"choice", v)
    sample: float | int | None = None
    on_error: str = "stop"
    where: Any = None            # expression tree: run the iteration only if it is non-zero
    where_text: str = ""


@dataclass
class Step:
    index: int
    line: int
    op: Op
    args: dict[str, Any]                       # raw argument values from the file
    trees: dict[str, Any]                      # parsed expressions of expression arguments
    name: str | None = None
    say: dict[str, str] = field(default_factory=dict)
    deeper: dict[str, str] = field(default_factory=dict)   # the "deeper" note (versions, detail)
    title: dict[str, str] = field(default_factory=dict)
    focus: dict[str, tuple[Any, Any]] = field(default_factory=dict)   # kind -> (raw, tree)
    expects: list[Expect] = field(default_factory=list)
    ask: Ask | None = None
    repeat: Repeat | None = None
    lines: KeyLines = field(default_factory=KeyLines)
    raw: dict[str, Any] = field(default_factory=dict)                 # the table as written
    errata: list = field(default_factory=list)  # scenarios.teaching.Erratum: an article's claim, corrected
    listing: str | None = None                  # scenarios.exhibits name shown with the step
    typed: bool = False                         # typed on the command line, not read from a lesson

    def narration(self, lang: str = "en") -> str:
        return self.say.get(lang) or self.say.get("en", "")

    def deeper_in(self, lang: str = "en") -> str:
        """The step's "deeper" note in ``lang`` ('' without one)."""
        return self.deeper.get(lang) or self.deeper.get("en", "")

    def listing_in(self, lang: str = "en") -> tuple[str, str] | None:
        """(caption, text) of the step's listing in ``lang``, or None without one."""
        if not self.listing:
            return None
        from .exhibits import listing
        return listing(self.listing, lang)

    def short_title(self, lang: str = "en") -> str:
        text = self.title.get(lang) or self.title.get("en")
        if text:
            return text
        return f"{self.op.name} {' '.join(str(v) for v in self.args.values())}".strip()


@dataclass
class Lesson:
    id: str
    title: dict[str, str]
    summary: dict[str, str]
    machine: dict[str, Any]
    steps: list[Step]
    path: str = "<lesson>"
    order: int = 1000
    raw: dict[str, Any] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)   # lesson ids to do first
    tries: list = field(default_factory=list)           # scenarios.teaching.Try: commands to try
    kernel: dict[str, str] = field(default_factory=dict)  # banner: which kernel this lesson shows

    def title_in(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en", self.id)

    def summary_in(self, lang: str = "en") -> str:
        return self.summary.get(lang) or self.summary.get("en", "")

    def __len__(self) -> int:
        return len(self.steps)


class LessonError(Exception):
    """Problems found in a lesson file, each one ``path:line: message`` (``path:line:column:
    message`` when the problem has a column, as TOML syntax errors do)."""

    def __init__(self, path: str, problems: list[tuple[int, str]], column: int = 0) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: p[0])
        self.column = column if len(self.problems) == 1 else 0   # of the one problem
        super().__init__(self.lines()[0] if self.problems else path)

    def lines(self) -> list[str]:
        col = f"{self.column}:" if self.column > 0 else ""
        return [f"{self.path}:{line}:{col} {msg}" if line > 0 else f"{self.path}: {msg}"
                for line, msg in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class LessonNotFound(LessonError):
    """A LESSON argument that names no lesson file: no lesson has that id, or the path cannot
    be opened or is a directory, a device, a FIFO.  The command line's usage error (exit 2);
    a file that is read and fails its checks is a LessonError (exit 1)."""
