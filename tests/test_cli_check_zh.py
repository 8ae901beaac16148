"""``mmviz --lang zh check`` prints every problem of a lesson wholly in Chinese: one line per
problem, the same ``path:line[:col]`` as in English, the values as written (quoted names,
numbers, the kernel's identifiers), no English phrase of mmviz's own left, never
half-translated.  Every kind of problem the loader and its validators can produce is made
here by a small bad lesson (or, for the few a lesson cannot reach at check time, by the code
that makes the message); every pattern of app/lesson_errors_zh.py must be used, and every
message template in the loader's code must have a pattern."""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from app import cli
from app import lesson_errors_zh as lz
from tests.bad_lesson_cases import CASES, TESTS, files, special

ROOT = TESTS.parent
PROSE = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){2,}\b")      # three English words in a row
SPACED = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")
QUOTED = re.compile(lz.Q)
def _check(paths: list[Path], lang: str, capsys) -> list[str]:
    cli.main(["--lang", lang, "check", *map(str, paths)])
    return [ln for ln in capsys.readouterr().err.splitlines() if ln]


def _values(message: str) -> list[str]:
    """What stays as written: quoted names, numbers, identifiers with _ or capitals."""
    message = re.sub(r"(?<=[a-z])'s\b", "", message)                   # step's, article's
    quoted = QUOTED.findall(message)
    rest = QUOTED.sub(" ", message)
    names = re.findall(r"\b[A-Za-z_]\w*\b", rest)
    return quoted + re.findall(r"\d+", rest) + [n for n in names if "_" in n or sum(map(str.isupper, n)) > 1]


def _assert_chinese(en: str, zh: str) -> None:
    m_en, m_zh = lz.LINE.fullmatch(en), re.fullmatch(r"(.+?:\d+(?::\d+)?)：(.*)", zh, re.S)
    assert m_en and m_zh, (en, zh)
    assert m_zh[1] == m_en["head"][:-1], (en, zh)                      # same path:line[:col]
    words = QUOTED.sub("", m_zh[2])
    assert not PROSE.search(words), (en, zh)
    assert not SPACED.search(zh), (en, zh)
    assert re.search(r"[\u4e00-\u9fff]", m_zh[2]), (en, zh)
    for value in _values(m_en["msg"]):
        assert value in zh, (value, en, zh)


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    """(English line, Chinese line) of every problem of every case and every broken lesson."""
    root = tmp_path_factory.mktemp("bad")
    paths = files(root, CASES) + special(root)
    paths += sorted((TESTS / "broken_lessons").rglob("*.toml"))
    return root, paths


def test_every_problem_line_is_wholly_chinese_with_its_values(produced, capsys, monkeypatch, tmp_path):
    root, paths = produced
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    en, zh = _check(paths, "en", capsys), _check(paths, "zh", capsys)
    assert len(en) == len(zh)                                           # one line per problem
    for case in [*CASES, "folder", "fifo", "latin1", "large", "missing"]:      # each case made a problem
        assert any(ln.startswith(f"{root / case}.toml:") for ln in en), case
    ok = [ln for ln in en if "：通过" in ln or ": ok (" in ln]
    assert not ok, ok
    for e, z in zip(en, zh):
        _assert_chinese(e, z)


def test_the_english_lines_are_unchanged(produced, capsys, monkeypatch, tmp_path):
    """English stays exactly as the loader wrote it (a few lines checked word for word)."""
    monkeypatch.chdir(tmp_path)
    root, _ = produced
    en = _check([root / "max_order.toml", root / "unknown_op.toml"], "en", capsys)
    assert en == [f"{root}/max_order.toml:14: bad argument order: order must be 0..10 (MAX_ORDER is 11), got 12",
                  f"{root}/unknown_op.toml:7: unknown operation 'kmaloc' (did you mean 'kmalloc'?)"]


_PERCPU = "Linux version 6.1.0 (x)\nsetup_percpu: NR_CPUS:8 nr_cpumask_bits:8 nr_cpu_ids:2 nr_node_ids:1\n"


def _direct() -> list[str]:
    """Messages a lesson cannot reach at check time, made by the code that makes them."""
    import engine
    from engine.config import make_config
    from scenarios import expr
    from scenarios.validate_args import check_value
    out = []
    for call in (lambda: make_config(seed="x"), lambda: make_config(split="x"),
                 lambda: make_config(pae=True, split="3G_OPT"), lambda: make_config(config=1),
                 lambda: make_config(ram="160M", vmalloc="8M", kernel="2.6"),
                 lambda: make_config(kernel="2.6.24", config={"THP": True}),
                 lambda: make_config(kernel="2.6.24", config={"NR_CPUS": 256}),
                 lambda: make_config(kernel="2.6.24", ram="4M"),
                 lambda: make_config(kernel="3.16.0-4-686-pae"),
                 lambda: engine.Machine.from_dmesg(_PERCPU, config={"NR_CPUS": 4}),
                 lambda: engine.Machine.from_dmesg(_PERCPU, config={"THP": False, "NR_CPUS": 8}),
                 lambda: engine.Machine.from_dmesg(_PERCPU.replace("NR_CPUS:8 ", ""), config={"NR_CPUS": 1}),
                 lambda: make_config(pae=True, config={"HIGHMEM64G": False}),
                 lambda: engine.Machine.from_dmesg("Linux version 6.1.0 (x)\n", kernel="2.6.24"),
                 lambda: engine.Machine.from_dmesg("    fixmap  : 0xfff4b000 - 0xfffff000   ( 720 kB)\n"),
                 lambda: make_config(kernel=3.10), lambda: make_config(pae="no"),
                 lambda: engine.Machine.boot(ram="1G", kernel="2.6", vmalloc="1M"),
                 lambda: engine.Machine.boot(ram="1G", kernel="2.6", vmalloc="16M"),
                 lambda: engine.Machine.boot(ram="1G", cmdline="mem=15M"),
                 lambda: make_config(config={"init_kb": 0}),
                 lambda: engine.Machine.from_dmesg(b"x"), lambda: engine.Machine.from_dmesg(" \n"),
                 lambda: engine.Machine.from_dmesg("Memory: 100k/200k available (0k kernel code, 1k data, "
                                                   "1k init, 0k highmem)\n")):
        try:
            call()
        except engine.ConfigError as err:
            out.append(f"bad machine: {err}")
    for text, env in (("x + 1", {}), ("a + 1", {"a": "s"}), ("a[5]", {"a": [1]}), ("a", {"a": 1})):
        try:
            value = expr.evaluate(expr.parse(text), env, text)
            if text == "a":
                expr.evaluate(expr.Attr(expr.Num(1), "y"), env, text)
            out.append(f"bad value {value}")
        except expr.ExprError as err:
            out.append(f"bad argument pfn: {err}")
    try:
        expr.evaluate(object(), {}, "z")
    except expr.ExprError as err:
        out.append(f"bad argument pfn: {err}")
    op = SimpleNamespace(name="x")
    out.append("bad argument n: " + check_value(op, SimpleNamespace(type="count", name="n"), True, {}))
    from unittest import mock

    from scenarios import loader
    big = ROOT / "pyproject.toml"
    with mock.patch.object(loader, "MAX_LESSON_BYTES", 16), \
            mock.patch.object(loader.os, "fstat", lambda fd: os.stat_result((0o100644,) + (0,) * 9)):
        try:
            loader.read_lesson_text(big)                   # a file that grew while it was read
        except loader.LessonError as err:
            out.append(err.problems[0][1])
    return out


def test_problems_a_lesson_cannot_reach_at_check_time_are_chinese_too():
    for message in _direct():
        assert not message.startswith("bad value"), message
        zh = lz.problem_zh(message)
        assert zh is not None, message
        _assert_chinese(f"x.toml:1: {message}", f"x.toml:1：{zh}")


def test_every_pattern_is_used(produced, capsys, monkeypatch, tmp_path):
    """Each pattern translates at least one problem made above (none is dead or mistyped)."""
    root, paths = produced
    monkeypatch.chdir(tmp_path)
    lz._HITS.clear()
    _check(paths, "zh", capsys)
    for message in _direct():
        lz.problem_zh(message)
    unused = [p for p, *_ in (*lz.PROBLEMS, *lz.TOML) if p not in lz._HITS]
    assert [p for p in unused if not p.startswith(UNREACHABLE)] == [], unused


UNREACHABLE = (   # patterns kept for messages the code has but no input reaches today
    "bad GFP mask",       # check_gfp: a mask the table refuses always has a word it does not know
    "not a valid step",   # parse_command: a step that does not validate always has a problem
)


def test_a_message_without_a_pattern_stays_wholly_english(capsys):
    """Whole or nothing: no generic ", got" -> "，得到的是" on an unknown problem."""
    from app.cli_text import error_zh
    line = "a.toml:3: the frobnicator must be 0..7, got 9"
    assert lz.lesson_line_zh(line) is None
    assert error_zh(line) == line
    assert error_zh("a.toml:3: bad argument size: the frobnicator is late") == \
        "a.toml:3: bad argument size: the frobnicator is late"         # a known frame, an unknown inside


# -- every message template in the loader's code has a pattern ----------------------------
SOURCES = {   # module -> the calls whose string arguments are problem messages
    "scenarios/loader.py": ("err", "fail", "LessonError"), "scenarios/validate_repeat.py": ("err",),
    "scenarios/validate_expects.py": ("err", "return"), "scenarios/teaching.py": ("err",),
    "scenarios/source.py": ("append",), "scenarios/validate_args.py": ("return", "msg"),
    "scenarios/expr.py": ("ExprError", "fail"), "scenarios/explore.py": ("CommandError",),
    "engine/config.py": ("ConfigError",), "engine/mem_init.py": ("ConfigError",),
    "engine/kversion.py": ("ConfigError",), "engine/layout.py": ("ConfigError",), "engine/swap.py": ("ConfigError",),
    "engine/mmap_ops.py": ("ConfigError",),
}
NOT_LESSON = {   # templates in those files that never reach a lesson problem
    "engine/mmap_ops.py": ("MAP_FIXED", "range reaches kernel space", "length positive", "mprotect: ",
                           "flags must be words"),   # munmap/mprotect run; check_flags refuses a non-string
}


def _templates(path: str, calls: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """(line, the constant parts) of each message string in the given calls/returns."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    found = []

    def strings(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.JoinedStr):
                found.append((sub.lineno, [v.value for v in sub.values if isinstance(v, ast.Constant)]))
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and not _in_fstring(sub, node):
                found.append((sub.lineno, [sub.value]))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in calls:
                for arg in node.args:
                    strings(arg)
        elif isinstance(node, ast.Return) and "return" in calls and node.value is not None:
            strings(node.value)
        elif isinstance(node, ast.Assign) and "msg" in calls and \
                any(getattr(t, "id", None) == "msg" for t in node.targets):
            strings(node.value)
    return found


def _in_fstring(const: ast.Constant, root: ast.AST) -> bool:
    return any(isinstance(n, ast.JoinedStr) and any(c is const for c in ast.walk(n)) for n in ast.walk(root))


def _identifiers() -> set[str]:
    from scenarios.ops import OPS
    return {*OPS, *(p.name for op in OPS.values() for p in op.params)}


IDENTIFIERS = _identifiers()


def _words(text: str) -> set[str]:
    """mmviz's words of a message: not its identifiers (op and argument names, kmem_cache_create)."""
    return {w for w in re.findall(r"[a-z_]{3,}", text.lower()) if "_" not in w and w not in IDENTIFIERS}


_HINT_SRC = re.compile(r" \(did you mean .*")
_PATTERN_WORDS = [_words(re.sub(r"\\(.)", r"\1", p)) for p, *_ in (*lz.PROBLEMS, *lz.TOML)]


@pytest.mark.parametrize("path", sorted(SOURCES))
def test_every_message_template_in_the_code_has_a_pattern(path):
    """A new message in the loader, its validators or the engine's checks that has no
    Chinese pattern fails here (its words are looked for, in order, in some pattern)."""
    missing = []
    for line, parts in _templates(path, SOURCES[path]):
        words = _words(_HINT_SRC.sub("", " ".join(parts)))
        if not words or any(skip in " ".join(parts) for skip in NOT_LESSON.get(path, ())):
            continue
        if not _covered(words):
            missing.append((line, " ".join(parts)))
    assert not missing, f"{path}: no Chinese pattern for {missing}"


def _covered(words: set[str]) -> bool:
    """The template's words are in one pattern, or in a frame and the message inside it."""
    for first in _PATTERN_WORDS:
        rest = words - first
        if not rest or (rest != words and any(rest <= second for second in _PATTERN_WORDS)):
            return True
    return False


@pytest.mark.parametrize("command", [["run", "--text"], ["record", "-o", "x.cast"], ["check"]])
def test_run_record_and_check_print_a_bad_lesson_in_chinese(command, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_text(CASES["max_order"], encoding="utf-8")
    assert cli.main(["--lang", "zh", command[0], str(bad), *command[1:]]) == 1
    assert capsys.readouterr().err == f"{bad}:14：参数 order 有误：order 必须在 0..10 之间（MAX_ORDER 为 11），得到的是 12\n"


def test_the_lesson_list_says_why_a_lesson_does_not_load_in_chinese(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "bad.toml").write_text(CASES["gfp_flag"], encoding="utf-8")
    assert cli.main(["--lang", "zh", "--lessons", str(tmp_path), "lessons"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.lstrip().startswith("bad "))
    assert line.endswith(f"（无法运行：{tmp_path}/bad.toml:8：参数 gfp 有误：6.1 内核没有 GFP 标志 'GFP_KERNAL'"
                         "（是不是 GFP_KERNEL？））"), line
    assert cli.main(["--lessons", str(tmp_path), "lessons"]) == 0
    assert "bad.toml:8: bad argument gfp: unknown GFP flag 'GFP_KERNAL'" in capsys.readouterr().out


def test_every_kind_of_named_value_has_chinese():
    """kind_problem's words ('p' is a process (use p.pid), not a number) for each kind."""
    from scenarios.validate_args import _KIND_WORDS
    for kind, words in _KIND_WORDS.items():
        message = f"bad argument pfn: 'n' is {words.format(n='n')}, not a number"
        assert lz.problem_zh(message) is not None, kind


def test_values_are_spelled_as_the_lesson_spells_them(produced, capsys, monkeypatch, tmp_path):
    """A lesson is TOML: its true and false are never shown as Python's True and False."""
    root, paths = produced
    monkeypatch.chdir(tmp_path)
    en = _check(paths, "en", capsys)
    python_bools = [ln for ln in en if re.search(r"\b(True|False)\b", ln)]
    assert not python_bools, python_bools
    for case in ("m_nr_cpus_bool", "m_cpus_bool", "arg_bool", "m_size_type"):
        line = next(ln for ln in en if ln.startswith(f"{root / case}.toml:"))
        assert re.search(r"\b(true|false)\b", line), line
