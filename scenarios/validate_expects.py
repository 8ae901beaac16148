"""Validating a step's ``expect`` facts and ``ask`` questions (part of the loader).

An expect key is a fact name with dotted parameters (``free_area.Normal.3``,
``index.PDE``); :func:`parse_fact_key` checks it against :data:`scenarios.facts.FACTS`,
:meth:`ExpectChecks.applicable` checks that the fact makes sense for the step's
operation, and the expected value is parsed (literal, or an expression with an
optional comparison: ``"> fresh.Normal.free_pages"``).
"""
from __future__ import annotations

import difflib
import re
from typing import Any

from engine.errors import shown

from .facts import ADDRESS_KINDS, FACTS, FREE_OPS, LAYOUT_FIELDS, LEVELS, NUMERIC_KINDS, \
    SLABINFO_FIELDS, SUBSTRING_FACTS, ZONE_FIELDS, ZONE_NAMES, Fact
from .model import LANGS, Ask, Expect, Step
from .source import KeyLines
from .teaching import untranslated
from .textsafe import is_clean, sanitize

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CACHE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
_CMP = re.compile(r"^\s*(==|!=|<=|>=|<|>)\s*")


def near(word: str, options: Any) -> str:
    near = difflib.get_close_matches(str(word), sorted(options), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def flatten(table: dict, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict) and value:
            out.extend(flatten(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def parse_fact_key(key: str) -> tuple[Fact, tuple[str, ...]] | str:
    """'free_area.Normal.3' -> (fact, params) or an error message."""
    parts = key.split(".")
    name, params = parts[0], tuple(parts[1:])
    if name == "zone" and params:
        name = "zone_info"
    fact = FACTS.get(name)
    if fact is None:
        return f"unknown expect {key!r}{near(name, FACTS)}"
    if len(params) != len(fact.params):
        shape = ".".join([name if name != "zone_info" else "zone"] + [f"<{p}>" for p in fact.params])
        return f"expect {key!r} should look like {shape!r}"
    for kind, value in zip(fact.params, params):
        if kind == "zone" and value not in ZONE_NAMES:
            return f"unknown zone {value!r} in {key!r}{near(value, ZONE_NAMES)} (zones: DMA, Normal, HighMem)"
        if kind == "order" and not (value.isdigit() and 0 <= int(value) <= 10):
            return f"order {value!r} in {key!r} must be 0..10"
        if kind == "zfield" and value not in ZONE_FIELDS:
            return f"unknown zone field {value!r} in {key!r}{near(value, ZONE_FIELDS)}"
        if kind == "lfield" and value not in LAYOUT_FIELDS:
            return f"unknown layout field {value!r} in {key!r}{near(value, LAYOUT_FIELDS)}"
        if kind == "level" and value not in LEVELS:
            return f"unknown paging level {value!r} in {key!r}{near(value, LEVELS)} (PDPTE, PDE, PTE)"
        if kind == "cache" and not CACHE_NAME.match(value):
            return f"bad cache name {value!r} in {key!r}"
        if kind == "sfield" and value not in SLABINFO_FIELDS:
            return f"unknown slabinfo column {value!r} in {key!r}{near(value, SLABINFO_FIELDS)}"
        if kind == "name" and not IDENT.match(value):
            return f"bad event name {value!r} in {key!r}"
    return fact, params


class ExpectChecks:
    """Mixin of the lesson Validator: ``expect`` and ``ask`` tables."""

    def applicable(self, fact: Fact, op: Any, rep: Any) -> str:
        kind = op.result
        if rep is not None and not fact.repeat_ok:
            return f"does not apply to a repeat/each step"
        if fact.kinds is not None and kind not in fact.kinds:
            return f"does not apply to {op.name} (it returns {kind})"
        pnames = {p.name for p in op.params}
        if fact.name in ("region", "cache", "slab_list", "walk_paddr") and kind not in ADDRESS_KINDS \
                and "vaddr" not in pnames:
            return f"does not apply to {op.name} (no virtual address)"
        frame_facts = ("zone", "paddr", "pfn", "contiguous", "mapcount", "page_count")
        if fact.name in frame_facts and kind not in NUMERIC_KINDS - {"pid", "process"} \
                and not pnames & {"vaddr", "pfn", "paddr"}:
            return f"does not apply to {op.name} (no address or frame)"
        if fact.name in ("vma", "vma_perms") and "pid" not in pnames:
            return f"does not apply to {op.name} (no process)"
        if fact.name == "value" and kind in ("none", "machine"):
            return f"does not apply to {op.name} (it returns nothing)"
        if fact.name == "merged_to" and op.name not in FREE_OPS:
            return "applies to free_pages and free_pages_addr only"
        if fact.name == "order" and "order" not in pnames and op.name not in ("kmalloc", "kfree"):
            return f"does not apply to {op.name} (no page order)"
        return ""

    def fact_for(self, key: str, step: Step, where: int, what: str) -> tuple | None:
        """The fact a key names and its parameters, or None after reporting why not."""
        parsed = parse_fact_key(key)
        if isinstance(parsed, str):
            self.err(where, f"{what}: {parsed}")
            return None
        why = self.applicable(parsed[0], step.op, step.repeat)
        if why:
            self.err(where, f"{what}: {key!r} {why}")
            return None
        return parsed

    def expects(self, step: Step, table: Any, lines: KeyLines, names: set) -> None:
        if not isinstance(table, dict):
            self.err(lines.line("expect"), "expect must be a table like { zone = \"Normal\" }")
            return
        for key, value in flatten(table):
            where = lines.line(f"expect.{key}")
            resolved = self.fact_for(key, step, where, "bad expect")
            if resolved is None:
                continue
            fact, params = resolved
            exp = Expect(key, fact, params, "==", value, None, where)
            ftype = fact.type
            if ftype == "any":
                ftype = "int" if step.op.result in NUMERIC_KINDS else "str"
            if ftype == "bool":
                if not isinstance(value, bool):
                    self.err(where, f"bad expect: {key} must be true or false, got {shown(value)}")
                    continue
            elif ftype == "str":
                if not isinstance(value, str):
                    self.err(where, f"bad expect: {key} must be a string, got {shown(value)}")
                    continue
                if not is_clean(value.replace("\t", " "), newlines=True):
                    self.err(where, f"bad expect: control character in {key} {value[:40]!r} "
                                    "(expected text is shown as text)")
                    continue
                exp.cmp = "contains" if fact.name in SUBSTRING_FACTS else "=="
            else:
                if isinstance(value, bool) or not isinstance(value, (int, str)):
                    self.err(where, f"bad expect: {key} must be a number or an expression, got {shown(value)}")
                    continue
                if isinstance(value, str):
                    m = _CMP.match(value)
                    text = value[m.end():] if m else value
                    exp.cmp = m.group(1) if m else "=="
                    tree = self.expression(text, where, names, f"expect {key}")
                    if tree is None:
                        continue
                    exp.expected, exp.tree = text, tree
            step.expects.append(exp)

    def ask(self, step: Step, table: Any, lines: KeyLines) -> None:
        if not isinstance(table, dict):
            self.err(lines.line("ask"), "ask must be a table with en, zh and answer")
            return
        text = {}
        for lang in LANGS:
            q = table.get(lang)
            if not isinstance(q, str) or not q.strip():
                self.err(lines.line(f"ask.{lang}"), f"missing {lang} question (ask.{lang})")
            elif untranslated("question", "ask", lang, q):
                self.err(lines.line(f"ask.{lang}"), untranslated("question", "ask", lang, q))
            else:
                text[lang] = sanitize(q.strip())
        answer = table.get("answer")
        where = lines.line("ask.answer")
        if not isinstance(answer, str):
            self.err(where, "ask needs an answer: the fact the engine computes (e.g. \"merged_to\")")
            return
        resolved = self.fact_for(answer, step, where, "bad ask answer")
        if resolved is None:
            return
        fact, params = resolved
        step.ask = Ask(text, answer, fact, params, where)
