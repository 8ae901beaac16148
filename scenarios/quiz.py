"""Building a lesson from step tables in code: the seeded problems of
:mod:`scenarios.problems` (``mmviz quiz``, the TUI's quiz screen) are lesson steps whose
``ask = { en, zh, answer = <fact> }`` the engine answers when the step runs.
"""
from __future__ import annotations


from .loader import Validator
from .model import Lesson, LessonError



def _build(lesson_id: str, title: dict, summary: dict, machine: dict, steps: list[dict]) -> Lesson:
    data = {"lesson": {"id": lesson_id, "title": title, "summary": summary, "machine": machine},
            "step": steps}
    v = Validator(f"<{lesson_id}>", "", data)
    lesson = v.run()          # raises LessonError (e.g. an op this engine lacks)
    return lesson


__all__ = ["LessonError"]
