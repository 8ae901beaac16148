"""A JSON Schema for lesson files, generated from the op table, for editors.

Taplo and VS Code's "Even Better TOML" validate a TOML file against a JSON Schema
while it is typed: completion of op names, their parameters, focus kinds and expect
facts, and ``file:line:column`` marks on unknown keys and values.  The schema is made
from the same tables the loader checks against (:data:`scenarios.ops.OPS`,
:data:`scenarios.facts.FACTS`, ``FOCUS_KINDS``, the engine's GFP names), so it cannot
drift from them; ``scenarios/lesson.schema.json`` is the shipped copy
(``python -m scenarios.schema`` rewrites it, a test keeps it equal).

What a schema cannot see stays with ``mmviz check``: expression syntax, names defined
by an earlier ``as``, a machine the kernel cannot boot, whether a fact applies to a
repeat step, and everything that happens when the lesson runs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .facts import FACTS
from .facts_base import LAYOUT_FIELDS, LEVELS, SLABINFO_FIELDS, ZONE_FIELDS, ZONE_NAMES
from .model import FOCUS_KINDS, LANGS, MAX_REPEAT, VIEWS
from .ops import EXPR_TYPES, OPS, Op, Param

SCHEMA_PATH = Path(__file__).resolve().parent / "lesson.schema.json"
SCHEMA_ID = "https://mmviz.invalid/lesson.schema.json"
LESSON_ID = "^[a-z0-9][a-z0-9_-]*$"
IDENT = "^[A-Za-z_][A-Za-z0-9_]*$"
CACHE = "^[A-Za-z0-9_][A-Za-z0-9_-]*$"
STEP_KEYS_DOC = {
    "do": "the operation (see docs/LESSONS.md)",
    "as": "name the result for later steps' expressions",
    "say": "narration: say.en and say.zh",
    "title": "short step title: title.en and title.zh",
    "focus": "what the panes select: address, pfn, process, cache, region, zone; view: a drawing in front",
    "expect": "facts the engine must show after the step",
    "ask": "a question asked before the step: en, zh, answer (a fact), choices",
    "repeat": "run the step N times (i = 0..N-1 in expressions)",
    "each": "run the step once per result of an earlier repeat step (it = the item)",
    "random": "seeded random arguments: { seed = 3, order = [0, 3], gfp = { choice = [...] } }",
    "on_error": "a repeat step: stop (default) or continue after a failed iteration",
    "where": "a repeat step: run only iterations where this expression is non-zero",
    "errata": "an article's claim and its correction: { article, claim, en, zh } or a list",
    "deeper": "an optional note shown after the step (version history, detail): deeper.en and deeper.zh",
    "listing": "a program or real capture shown with the step",
}


def _text(desc: str = "") -> dict:
    out: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": "\\S"}
    if desc:
        out["description"] = desc
    return out


def bilingual(desc: str) -> dict:
    return {"type": "object", "description": desc, "required": list(LANGS),
            "properties": {lang: _text(f"{desc} ({lang})") for lang in LANGS},
            "additionalProperties": False}


def gfp_names() -> list[str]:
    """Every GFP name some release's engine table knows (engine.gfp.LAYOUTS); the loader
    checks a lesson's names against its own kernel's table."""
    from engine.gfp import all_names
    return sorted(all_names())


def _gfp_pattern() -> str:
    word = "(?:" + "|".join(gfp_names()) + "|0[xX][0-9a-fA-F]+|[0-9]+)"
    return f"^\\s*{word}(?:\\s*\\|\\s*{word})*\\s*$"


def param_schema(p: Param) -> dict:
    """One argument's JSON type; expressions are strings the loader parses."""
    if p.type in EXPR_TYPES:
        out: dict[str, Any] = {"type": ["integer", "string"]}
    elif p.type == "ram":
        out = {"type": ["integer", "string"]}
    elif p.type == "bool":
        out = {"type": "boolean"}
    elif p.type == "config":
        out = {"type": "object", "additionalProperties": {"type": ["boolean", "integer", "string"]}}
    elif p.type == "kind":
        out = {"enum": ["read", "write", "exec"]}
    elif p.type == "prot":
        out = {"type": "string", "pattern": "^[rwx-]{0,3}$"}
    elif p.type == "gfp":
        out = {"$ref": "#/definitions/gfp"}
    else:
        out = {"type": "string"}
    desc = f"{p.type}" + ("" if p.required else f" (default {p.default!r})")
    return {"allOf": [out], "description": desc} if "$ref" in out else {**out, "description": desc}


_PARAM_KEY = {"zone": {"enum": list(ZONE_NAMES)}, "order": {"pattern": "^(?:[0-9]|10)$"},
              "zfield": {"enum": list(ZONE_FIELDS)}, "lfield": {"enum": list(LAYOUT_FIELDS)},
              "level": {"enum": list(LEVELS)}, "cache": {"pattern": CACHE},
              "sfield": {"enum": list(SLABINFO_FIELDS)}, "name": {"pattern": IDENT}}


def _leaf(kind: str) -> dict:
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "str":
        return {"type": "string"}
    return {"type": ["integer", "string", "boolean"]}


def _fact(params: tuple[str, ...], kind: str, desc: str) -> dict:
    out = _leaf(kind)
    for p in reversed(params):
        out = {"type": "object", "propertyNames": _PARAM_KEY[p], "additionalProperties": out}
    return {**out, "description": desc}


def fact_schemas() -> dict[str, dict]:
    """Each expect key's schema (``zone`` is both a fact and zone.<zone>.<field>)."""
    out: dict[str, Any] = {}
    for fact in FACTS.values():
        name = "zone" if fact.name == "zone_info" else fact.name
        s = _fact(fact.params, fact.type, fact.doc)
        out[name] = {"anyOf": [out[name], s]} if name in out else s
    return out


def applicable_facts(op: Op) -> list[str]:
    """The expect keys ``mmviz check`` accepts on a plain (not repeat) ``op`` step."""
    from .validate_expects import ExpectChecks
    names = []
    for f in FACTS.values():
        if not ExpectChecks.applicable(None, f, op, None):   # type: ignore[arg-type]
            name = "zone" if f.name == "zone_info" else f.name
            if name not in names:
                names.append(name)
    return names


def expect_schema(names: list[str]) -> dict:
    """An expect table of these facts, as references to their definitions."""
    return {"type": "object", "additionalProperties": False,
            "properties": {n: {"$ref": f"#/definitions/fact_{n}"} for n in names}}


def _expect_sets() -> tuple[dict[str, str], dict[str, dict]]:
    """op name -> its expect definition's name, and the (deduplicated) definitions."""
    by_set: dict[tuple[str, ...], str] = {}
    of_op, defs = {}, {}
    for op in OPS.values():
        names = tuple(applicable_facts(op))
        if names not in by_set:
            by_set[names] = f"expect_{op.name}"
            defs[by_set[names]] = expect_schema(list(names))
        of_op[op.name] = by_set[names]
    return of_op, defs


def _answer_pattern() -> str:
    names = sorted({"zone" if f.name == "zone_info" else f.name for f in FACTS.values()})
    return "^(?:" + "|".join(names) + ")(?:\\.[A-Za-z0-9_-]+)*$"


def _common() -> dict[str, Any]:
    from .exhibits import EXHIBITS
    from .teaching import ARTICLES
    erratum = {"type": "object", "required": ["article", "claim", *LANGS],
               "properties": {"article": {"enum": sorted(ARTICLES)}, "claim": _text("the claim, quoted"),
                              **{lang: _text() for lang in LANGS}},
               "additionalProperties": False}
    focus = {"type": "object", "additionalProperties": False,
             "properties": {k: ({"type": "string"} if v == "text" else {"enum": list(VIEWS)}
                                if v == "view" else {"type": ["integer", "string"]})
                            for k, v in FOCUS_KINDS.items()}}
    ask = {"type": "object", "required": [*LANGS, "answer"], "additionalProperties": False,
           "properties": {**{lang: _text() for lang in LANGS},
                          "answer": {"type": "string", "pattern": _answer_pattern()},
                          "choices": {"type": "array", "items": {"type": ["string", "integer"]}}}}
    rnd_arg = {"anyOf": [{"type": "array", "minItems": 2, "maxItems": 2},
                         {"type": "object", "required": ["choice"], "additionalProperties": False,
                          "properties": {"choice": {"type": "array", "minItems": 1}}}]}
    common = {
        "as": {"type": "string", "pattern": IDENT},
        "say": bilingual("narration"), "title": bilingual("step title"),
        "deeper": bilingual("deeper note"),
        "focus": focus, "ask": ask,
        "repeat": {"type": "integer", "minimum": 1, "maximum": MAX_REPEAT},
        "each": {"type": "string", "pattern": IDENT},
        "random": {"type": "object", "required": ["seed"],
                   "properties": {"seed": {"type": "integer"}, "sample": {"type": "number"}},
                   "additionalProperties": rnd_arg},
        "on_error": {"enum": ["stop", "continue"]},
        "where": {"type": "string"},
        "errata": {"anyOf": [erratum, {"type": "array", "items": erratum, "minItems": 1}]},
        "listing": {"enum": sorted(EXHIBITS)},
    }
    for key, schema in common.items():
        schema.setdefault("description", STEP_KEYS_DOC[key])
    return common


def _op_branch(op: Op, common: dict, expect: str) -> dict:
    refs = {key: {"$ref": f"#/definitions/{key}"} for key in common}
    props = {"do": {}, **refs, "expect": {"$ref": f"#/definitions/{expect}"}}
    props.update({p.name: param_schema(p) for p in op.params})
    then: dict[str, Any] = {"properties": props, "additionalProperties": False}
    required = [p.name for p in op.params if p.required]
    if required:
        then["anyOf"] = [{"required": required}, {"required": ["random"]}]
    return {"if": {"required": ["do"], "properties": {"do": {"enum": [op.name, *op.aliases]}}},
            "then": then}


def build() -> dict[str, Any]:
    """The schema (draft-07, which taplo and Even Better TOML read)."""
    common = _common()
    expect_of, expect_defs = _expect_sets()
    names = sorted([*OPS, *(a for op in OPS.values() for a in op.aliases)])
    op_docs = "; ".join(f"{op.name}: {op.doc}" for op in OPS.values() if op.doc)
    step = {"type": "object", "required": ["do", "say"],
            "properties": {"do": {"enum": names, "description": STEP_KEYS_DOC["do"] + ". " + op_docs}},
            "allOf": [_op_branch(op, common, expect_of[op.name]) for op in OPS.values()]}
    boot = OPS["boot"]
    lesson = {
        "type": "object", "required": ["id", "title", "summary"], "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": LESSON_ID, "description": "lesson id: a-z 0-9 - _"},
            "title": bilingual("lesson title"), "summary": bilingual("lesson summary"),
            "machine": {"type": "object", "additionalProperties": False,
                        "description": "the machine the lesson boots (boot()'s settings)",
                        "properties": {p.name: param_schema(p) for p in boot.params}},
            "order": {"type": "integer", "description": "place in the lesson list"},
            "requires": {"type": "array", "items": {"type": "string", "pattern": LESSON_ID},
                         "description": "lesson ids to do first"},
            "kernel": bilingual("one-line banner: which kernel the lesson shows"),
            "try": {"type": "array", "description": "':' commands suggested at the end",
                    "items": {"type": "object", "required": ["cmd", *LANGS],
                              "additionalProperties": False,
                              "properties": {"cmd": _text(), **{lang: _text() for lang in LANGS}}}},
        }}
    definitions = {"gfp": {"type": "string", "pattern": _gfp_pattern(),
                           "description": "GFP flags: GFP_KERNEL, GFP_DMA | __GFP_ZERO, ..."},
                   **common, **{f"fact_{n}": f for n, f in fact_schemas().items()},
                   **expect_defs}
    return {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID,
            "title": "mmviz lesson", "description": "A lesson file for mmviz (docs/LESSONS.md)",
            "type": "object", "required": ["lesson", "step"], "additionalProperties": False,
            "properties": {"lesson": lesson,
                           "step": {"type": "array", "minItems": 1, "items": step}},
            "definitions": definitions}


def text() -> str:
    return json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":   # python -m scenarios.schema: rewrite the shipped copy
    SCHEMA_PATH.write_text(text(), encoding="utf-8")
    sys.stdout.write(f"{SCHEMA_PATH}: {SCHEMA_PATH.stat().st_size} bytes\n")
