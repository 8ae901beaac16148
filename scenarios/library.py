"""The lessons: the bundled ones (scenarios/lessons/*.toml), then the user's folders
(``--lessons DIR`` and the config file's ``lessons``), and how a LESSON argument is found."""
from __future__ import annotations

from pathlib import Path

from .loader import load_lesson
from .model import Lesson, LessonError

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


def lesson_status() -> list[tuple[Path, Lesson | None, LessonError | None]]:
    """(path, lesson or None, error or None) for every bundled lesson file."""
    out = []
    for path in lesson_paths():
        try:
            out.append((path, load_lesson(path), None))
        except LessonError as err:
            out.append((path, None, err))
    return out


def resolve(name: str) -> Path:
    """A lesson id (``buddy``) or a path to a .toml file -> the file's path."""
    candidate = Path(name)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name:
        return candidate
    for path in lesson_paths():
        if path.stem == name:
            return path
    for path in lesson_paths():          # ids may differ from file names
        try:
            if load_lesson(path).id == name:
                return path
        except LessonError:
            continue
    raise LessonError(name, [(0, "no such lesson (see: mmviz lessons)")])


def find_lesson(name: str) -> Lesson:
    return load_lesson(resolve(name))
