"""Lessons teachers write: the JSON Schema for editors, `mmviz new`, TOML syntax errors at
the decoder's own line and column, docs/LESSONS.md kept true, user lesson folders."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from scenarios import LessonError, load_lesson
from scenarios.library import LESSON_DIR
from scenarios.loader import parse_lesson
from scenarios.ops import OPS
from scenarios.schema import SCHEMA_PATH, build, text

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).parent / "broken_lessons"
LESSONS = sorted(LESSON_DIR.glob("*.toml"))
# broken lessons whose fault only the loader (or the run) can see: an expression's syntax,
# a name no earlier 'as' defined, a machine the kernel refuses, a failing expect
BEYOND_SCHEMA = {"bad_expression", "dunder", "unknown_name", "each_unknown", "bad_machine",
                 "failed_expect", "unexpected_error"}


def mmviz(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mmviz", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=e, timeout=300)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_shipped_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == text(), \
        "run: python -m scenarios.schema"
    ops = build()["properties"]["step"]["items"]["properties"]["do"]["enum"]
    assert set(OPS) <= set(ops)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_schema_accepts_every_shipped_lesson(validator, path):
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in validator.iter_errors(tomllib.loads(path.read_text(encoding="utf-8")))]
    assert errors == []


BROKEN_FILES = sorted(BROKEN.glob("*.toml"))


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_schema_rejects_the_broken_lessons(validator, path):
    raw = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError:
        assert path.stem == "bad_toml"            # not TOML at all: the editor's parser says so
        return
    errors = list(validator.iter_errors(data))
    if path.stem in BEYOND_SCHEMA:                # the list stays honest: these pass the schema
        assert errors == [], [e.message for e in errors]
    else:
        assert errors, f"{path.name}: the schema accepts it"


def test_schema_sees_each_ops_parameters(validator):
    def lesson(step: str) -> dict:
        return tomllib.loads('[lesson]\nid = "x"\ntitle = { en = "a", zh = "b" }\n'
                            'summary = { en = "a", zh = "b" }\n[[step]]\n' + step
                            + '\nsay = { en = "a", zh = "b" }\n')
    assert not list(validator.iter_errors(lesson('do = "kmalloc"\nsize = "1K"\ngfp = "GFP_DMA | __GFP_ZERO"')))
    assert list(validator.iter_errors(lesson('do = "kmalloc"\nsize = 100\norder = 2')))   # not kmalloc's
    assert list(validator.iter_errors(lesson('do = "vmalloc"')))                           # size missing
    assert not list(validator.iter_errors(lesson('do = "touch"\nvaddr = "0xc0000000"')))   # an alias
    assert list(validator.iter_errors(lesson('do = "kfree"\nvaddr = 1\nexpect = { fault = "none" }')))


def test_new_writes_a_lesson_that_checks_and_plays(tmp_path):
    p = mmviz("new", "my-first")
    assert p.returncode == 2 or p.returncode == 0   # (ROOT is no place for it: see below)
    if p.returncode == 0:
        (ROOT / "my-first.toml").unlink()
    p = mmviz("new", "my-first", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    path = tmp_path / "my-first.toml"
    check = mmviz("check", str(path))
    assert check.returncode == 0, check.stderr
    assert "ok (my-first, 3 steps)" in check.stdout
    run = mmviz("run", str(path), "--text")
    assert run.returncode == 0 and "all expects passed" in run.stdout, run.stdout[-500:]
    errors = list(Draft7Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
                  .iter_errors(tomllib.loads(path.read_text(encoding="utf-8"))))
    assert errors == []
    again = mmviz("new", "my-first", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    bad = mmviz("new", "My Lesson", cwd=tmp_path)
    assert bad.returncode == 2 and "not a lesson id" in bad.stderr


def test_schema_command_prints_and_locates_the_schema(tmp_path):
    p = mmviz("schema", "--path")
    assert p.returncode == 0 and Path(p.stdout.strip()) == SCHEMA_PATH
    out = tmp_path / "lesson.schema.json"
    assert mmviz("schema", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "mmviz lesson"


HEADER = ('[lesson]\nid = "t"\ntitle = { en = "T", zh = "T" }\nsummary = { en = "S", zh = "S" }\n'
          '[[step]]\ndo = "proc"\npath = "/proc/meminfo"\nsay = { en = "x", zh = "x" }\n')


@pytest.mark.parametrize("tail, line, column", [
    ('title = { en = "a" zh = "b" }\n', 9, 20),         # a missing comma: at "zh"
    ('x = 0x\n', 9, 6),                                 # a bad number: at its "x"
    ('say.en = "a"\n', 9, 13),                          # adds to an inline table: statement's end
    ('[[step]\n', 9, 7),                                # an unclosed array-of-tables header
    ('do = "proc"\n', 9, 12),                           # a key defined twice
])
def test_toml_errors_point_at_the_decoders_line_and_column(tail, line, column):
    text = HEADER + tail
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "t.toml")
    lines = info.value.lines()
    assert len(lines) == 1
    assert lines[0].startswith(f"t.toml:{line}:{column}: bad TOML: "), lines[0]
    assert "(at line" not in lines[0]


def test_toml_error_at_end_of_document():
    # 3.11's decoder says "(at end of document)": the last line, one past its last character
    with pytest.raises(LessonError) as info:
        parse_lesson(HEADER + "title = {", "t.toml")
    assert info.value.lines() == ["t.toml:9:10: bad TOML: Invalid initial character for a key part"]


def test_toml_error_uses_the_decoders_attributes_when_it_has_them():
    from scenarios.source import toml_error

    class Err(ValueError):                      # Python 3.14's TOMLDecodeError shape
        msg, lineno, colno = "Invalid value", 7, 3
    assert toml_error(Err("Invalid value (at line 7, column 3)"), "") == (7, 3, "Invalid value")


def test_check_prints_line_and_column_of_a_syntax_error():
    p = mmviz("check", str(BROKEN / "bad_toml.toml"))
    assert p.returncode == 1
    assert p.stderr.strip().endswith("bad_toml.toml:15:17: bad TOML: Illegal character '\\n'")


def test_user_lesson_folder_is_listed_and_opens(tmp_path):
    assert mmviz("new", "class-demo", cwd=tmp_path).returncode == 0
    listed = mmviz("--lessons", str(tmp_path), "lessons")
    assert listed.returncode == 0 and "class-demo" in listed.stdout
    also = mmviz("lessons", "--lessons", str(tmp_path))
    assert "class-demo" in also.stdout
    plain = mmviz("lessons")
    assert "class-demo" not in plain.stdout
    config = tmp_path / "config.toml"
    config.write_text(f'lessons = ["{tmp_path}"]\n', encoding="utf-8")
    via_config = mmviz("lessons", env={"MMVIZ_CONFIG": str(config)})
    assert "class-demo" in via_config.stdout
    run = mmviz("run", "class-demo", "--text", env={"MMVIZ_CONFIG": str(config)})
    assert run.returncode == 0 and "all expects passed" in run.stdout
    missing = mmviz("--lessons", str(tmp_path / "nope"), "lessons")
    assert missing.returncode == 2 and "not a folder" in missing.stderr


async def test_picker_lists_a_user_folders_lesson(tmp_path):
    from app.app import MmvizApp
    from app.cli_author import SCAFFOLD
    from scenarios.library import set_user_dirs
    (tmp_path / "buddy.toml").write_text(SCAFFOLD.format(id="buddy", file="buddy.toml"),
                                         encoding="utf-8")          # the same id as a shipped one
    set_user_dirs([tmp_path])
    try:
        app = MmvizApp(lesson="memory-map")
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("l")
            options = app.screen.query_one("#lesson-options")
            prompts = [rendered(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            mine = [i for i, t in enumerate(prompts) if str(tmp_path.name) in t]
            assert len(mine) == 1 and "buddy" in prompts[mine[0]]
            options.highlighted = mine[0]
            await pilot.press("enter")
            await pilot.pause()
            assert app.timeline.lesson.path == str(tmp_path / "buddy.toml")
            assert len(app.timeline) == 3
    finally:
        set_user_dirs([])


def test_a_broken_user_lesson_is_named_not_dropped(tmp_path):
    """`mmviz lessons` lists a user folder's lesson that does not load, with its file:line error;
    the picker names it in a notification."""
    assert mmviz("new", "class-demo", cwd=tmp_path).returncode == 0
    (tmp_path / "broken.toml").write_text((BROKEN / "bad_toml.toml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    listed = mmviz("--lessons", str(tmp_path), "lessons")
    assert listed.returncode == 0 and "class-demo" in listed.stdout
    line = next(l for l in listed.stdout.splitlines() if "broken" in l)
    assert "not runnable" in line and "broken.toml:15:17: bad TOML" in line


async def test_picker_names_a_broken_user_lesson(tmp_path):
    from app.app import MmvizApp
    from scenarios.library import set_user_dirs
    (tmp_path / "broken.toml").write_text("[lesson\n", encoding="utf-8")
    set_user_dirs([tmp_path])
    try:
        app = MmvizApp(lesson="memory-map")
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("l")
            await pilot.pause()
            notes = [str(n.message) for n in app._notifications]
            assert any("broken.toml" in n and "did not load" in n for n in notes), notes
    finally:
        set_user_dirs([])


def test_step_counts_read_as_words():
    from app.cli_lesson import steps_count
    assert (steps_count(1), steps_count(12), steps_count(12, "zh")) == ("1 step", "12 steps", "12 步")


def test_lessons_doc_is_generated_from_the_tables():
    from scenarios.facts import FACTS
    from scenarios.lessondoc import DOC_PATH, blocks_in, render
    doc = DOC_PATH.read_text(encoding="utf-8")
    assert doc == render(doc), "run: python -m scenarios.lessondoc"
    assert set(blocks_in(doc)) == {"ops", "types", "facts", "focus", "articles", "limits"}
    for op in OPS.values():
        assert f"| `{op.name}`" in doc
        for p in op.params:
            assert f"`{p.name}` ({p.type}" in doc
    for fact in FACTS.values():
        name = "zone" if fact.name == "zone_info" else fact.name
        assert f"| `{name}" in doc


def test_lessons_doc_examples_are_valid_lesson_toml(tmp_path):
    """The header and step examples of docs/LESSONS.md, put together, pass mmviz check."""
    import re
    from scenarios.lessondoc import DOC_PATH
    blocks = re.findall(r"```toml\n(.*?)```", DOC_PATH.read_text(encoding="utf-8"), re.S)
    header = next(b for b in blocks if b.startswith("[lesson]"))
    step = next(b for b in blocks if b.startswith("[[step]]") and "as = \"x\"" in b)
    text = header.replace('"""..."""', '"""Text."""') + "\n" + step.replace('"""..."""', '"""Text."""')
    text = text.replace('requires = ["zones-gfp"]', "requires = []")
    path = tmp_path / "example.toml"
    path.write_text(text.replace('id = "buddy"', 'id = "example"'), encoding="utf-8")
    lesson = load_lesson(path)
    assert [s.op.name for s in lesson.steps] == ["alloc_pages"]


def rendered(renderable, width=200):
    """A Rich renderable's text at this width."""
    from rich.console import Console
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def test_new_refuses_a_bundled_lessons_id(tmp_path):
    """Two lessons with one id: `mmviz run buddy` opened the bundled one, silently."""
    p = mmviz("new", "buddy", cwd=tmp_path)
    assert p.returncode == 2 and "'buddy' is a bundled lesson's id" in p.stderr
    assert not (tmp_path / "buddy.toml").exists()
    p = mmviz("new", "buddy", "--lang", "zh", cwd=tmp_path)
    assert "是自带课程的 id" in p.stderr
