"""Lessons: the TOML format, its loader, the timeline that steps forward and back,
free exploration and quizzes.  Imports ``engine``; never ``app`` or ``widgets``."""
from .explore import CommandError, explore_lesson, parse_command, to_toml
from .library import all_lessons, find_lesson, lesson_paths, resolve
from .loader import load_lesson, parse_lesson
from .model import Lesson, LessonError, LessonNotFound, Step
from .results import ExpectResult, Question, StepResult
from .timeline import Timeline

__all__ = [
    "CommandError", "ExpectResult", "Lesson", "LessonError", "LessonNotFound", "Question", "Step", "StepResult",
    "Timeline", "all_lessons", "explore_lesson", "find_lesson", "lesson_paths", "load_lesson",
    "parse_command", "parse_lesson", "resolve", "to_toml",
]
