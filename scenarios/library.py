"""The lessons: the bundled ones (scenarios/lessons/*.toml), then the user's folders
(``--lessons DIR`` and the config file's ``lessons``), and how a LESSON argument is found."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .loader import load_lesson
from .model import Lesson, LessonError, LessonNotFound

LESSON_DIR = Path(__file__).resolve().parent / "lessons"
USER_DIRS: list[Path] = []          # the user's lesson folders, after the bundled ones


def set_user_dirs(dirs: list[Path]) -> None:
    """The user's lesson folders (listed after the bundled lessons; a missing folder is
    skipped).  The CLI sets them from ``--lessons DIR`` and the config file."""
    USER_DIRS[:] = [Path(d) for d in dirs]


def lesson_paths() -> list[Path]:
    """The bundled lesson files, then each user folder's ``*.toml`` (sorted per folder)."""
    paths = sorted(LESSON_DIR.glob("*.toml"))
    for d in USER_DIRS:
        try:
            paths += sorted(p for p in d.glob("*.toml") if p.is_file())
        except OSError:
            continue
    return paths


def is_bundled(path: str | Path) -> bool:
    return Path(path).resolve().parent == LESSON_DIR


def all_lessons() -> list[Lesson]:
    """Every bundled lesson that loads in this engine version, in teaching order."""
    lessons = []
    for path in lesson_paths():
        try:
            lessons.append(load_lesson(path))
        except LessonError:
            continue
    return sorted(lessons, key=lambda l: (l.order, l.id))


def first_lesson() -> Lesson | None:
    """``all_lessons()[0]`` (None when no lesson loads), loading one lesson instead of all:
    the files are sorted by the key all_lessons() sorts by, (order, id), read from each
    file's [lesson] table as the loader reads it (TOML only, no validation), then loaded in
    that order until one loads.  The app opens it when no lesson is named: validating every
    lesson took ~0.1 s of CPU before the first frame."""
    import tomllib

    from .loader import _LESSON_ID, read_lesson_text
    keyed = []
    for i, path in enumerate(lesson_paths()):
        try:
            head = lesson_head(read_lesson_text(path))
        except (LessonError, tomllib.TOMLDecodeError, RecursionError, ValueError):
            continue                                   # it would not load either
        if not isinstance(head, dict):
            continue
        order, lid = head.get("order", 1000), head.get("id")
        if not isinstance(order, int) or isinstance(order, bool):
            order = 1000
        if not isinstance(lid, str) or not _LESSON_ID.match(lid):
            lid = "lesson"
        keyed.append(((order, lid), i, path))
    for key, _, path in sorted(keyed):
        try:
            lesson = load_lesson(path)
        except LessonError:
            continue
        if (lesson.order, lesson.id) != key:           # the loader read it otherwise: be exact
            lessons = all_lessons()
            return lessons[0] if lessons else None
        return lesson
    return None


_LESSON_HEADER = re.compile(r"^[ \t]*\[[ \t]*lesson[ \t]*\][ \t]*(#.*)?$", re.M)
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.M)


def lesson_head(text: str) -> Any:
    """A lesson file's ``[lesson]`` table, as ``tomllib.loads(text).get("lesson")`` gives it,
    parsing only the text up to the end of that table when that is valid TOML (the rest of
    a file, its steps, is 90 % of it).  A line that starts with ``[`` can end a valid prefix
    only as a table header (inside a string or an array the prefix would not parse), so the
    prefix holds the whole table; otherwise the whole file is parsed."""
    import tomllib
    found = _LESSON_HEADER.search(text)
    if found is not None:
        end = _TABLE_HEADER.search(text, found.end())
        try:
            head = tomllib.loads(text[:end.start()] if end else text).get("lesson")
        except tomllib.TOMLDecodeError:
            head = None
        if isinstance(head, dict):
            return head
    return tomllib.loads(text).get("lesson")


def lesson_status() -> list[tuple[Path, Lesson | None, LessonError | None]]:
    """(path, lesson or None, error or None) for every bundled lesson file."""
    out = []
    for path in lesson_paths():
        try:
            out.append((path, load_lesson(path), None))
        except LessonError as err:
            out.append((path, None, err))
    return out


def resolve(name: str) -> Path | str:
    """A lesson id (``buddy``) or a path to a .toml file -> the file's path, a path given
    as the user wrote it (Path("") is ".", Path("./a//b.toml") "a/b.toml": the messages
    name what was typed)."""
    if not name.strip():
        raise LessonNotFound(repr(name), [(0, "no such lesson (see: mmviz lessons)")])
    candidate = Path(name)
    if candidate.suffix == ".toml" or candidate.is_file() or "/" in name:
        return name
    for path in lesson_paths():       # a folder named like a lesson id does not hide the lesson
        if path.stem == name:
            return path
    for path in lesson_paths():          # ids may differ from file names
        try:
            if load_lesson(path).id == name:
                return path
        except LessonError:
            continue
    if candidate.exists():             # a folder (or other non-file): its own one-line error
        return name
    raise LessonNotFound(name, [(0, "no such lesson (see: mmviz lessons)")])


def find_lesson(name: str) -> Lesson:
    return load_lesson(resolve(name))
