"""Moving through the timeline from the keyboard: a step, a step back, the two ends,
autoplay at a reading speed, and another lesson from the picker.

Every move goes through :meth:`TimelineMixin._move`, which tells the panes which frames the
move touched (``Timeline.last_move``), so they redraw only those.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scenarios.textsafe import sanitize
from widgets.i18n import tr
from widgets.physmap_cells import step_pfn_ranges

if TYPE_CHECKING:
    from engine.machine import Machine


def zone_free(machine: Machine) -> tuple[tuple[str, int], ...]:
    """(zone, free pages) of every zone: one point of the buddy pane's sparkline."""
    return tuple((z.name, int(z.free_pages)) for z in machine.zones)


def load_timeline(lesson: Any = None, ram: str | None = None, pae: bool = False,
                  machine: dict[str, Any] | None = None) -> Any:
    """A Timeline for a lesson (id, path or Lesson), the first lesson, or free exploration on
    ``machine`` (boot options: ram, pae, kernel, vmalloc, ...; ram/pae are shortcuts)."""
    from scenarios import Timeline, explore_lesson, find_lesson
    from scenarios.library import first_lesson
    machine = {**(machine or {}), **({"ram": ram} if ram else {}), **({"pae": True} if pae else {})}
    if lesson is None and not machine:
        lesson = first_lesson() or explore_lesson({})
    elif lesson is None:
        lesson = explore_lesson(machine)
    elif isinstance(lesson, str):
        lesson = find_lesson(lesson)
    if lesson.steps and machine:     # boot options given with a lesson override its machine
        lesson.machine = {**lesson.machine, **machine}
    return Timeline(lesson)


def _loaded(status: Any) -> list[Any]:
    """The lessons of scenarios.library.lesson_status() that loaded, in teaching order."""
    return sorted((l for _, l, _ in status if l is not None), key=lambda l: (l.order, l.id))


class TimelineMixin:
    """Mixed into MmvizApp: needs timeline, view, lang, playing, speed, _autoplay,
    _after_move, _log_error, _show_tabs."""

    timeline: Any
    view: Any
    lang: str

    def _move(self, how: Any) -> None:
        """Move the timeline; the panes learn which frames the move touched."""
        touched = None
        try:
            how()
            touched = self._touched_by(self.timeline.last_move)
        except Exception as err:        # a step must never become a traceback
            self.last_error = f"{type(err).__name__}: {err}"
            self._log_error(self.last_error)
            self.notify(sanitize(self.last_error), severity="error", markup=False)
        self._after_move(touched)

    def _touched_by(self, move: Any) -> list[tuple[int, int]] | None:
        """The frame ranges a timeline move changed (Timeline.last_move: mem_map chunks copied
        back, and what the applied and undone steps touched); None when not known (another
        machine, or a view was skipped): the panes then redraw everything."""
        if move is None or move.new_machine or self.view is None:
            return None
        m = self.timeline.machine
        return [m.memmap.chunk_range(c) for c in move.chunks] + \
            [r for result in (*move.undone, *move.applied) for r in step_pfn_ranges(result)]

    def action_step(self) -> None:
        if self.timeline.at_end:
            self._say_end()
            return
        self._move(self.timeline.step)
        from widgets.question import ask_current
        ask_current(self)            # predict, then see: the step's question first

    def _say_end(self) -> None:
        """→ at the last step: say so, and what comes next (the next lesson in teaching order,
        or ':' in an exploration) -- it did nothing, silently."""
        from scenarios.explore import is_free_exploration
        from scenarios.library import lesson_status
        lesson = self.timeline.lesson
        if self.lesson_timeline is not None or is_free_exploration(lesson):
            self.notify(tr(self.lang, "msg.end_explore"), timeout=4)
            return
        later = [l for l in _loaded(lesson_status()) if (l.order, l.id) > (lesson.order, lesson.id)]
        self.notify(tr(self.lang, "msg.end_next", title=later[0].title_in(self.lang)) if later
                    else tr(self.lang, "msg.end_last"), timeout=4)

    def action_back(self) -> None:
        if self.timeline.position:
            self._move(self.timeline.back)

    def action_jump_start(self) -> None:
        self._move(self.timeline.restart)

    def action_jump_end(self) -> None:
        self._move(lambda: self.timeline.jump(len(self.timeline)))

    def action_toggle_play(self) -> None:
        self.playing = not self.playing

    def _step_seconds(self) -> float:
        from .reading import SPEEDS, step_seconds
        return step_seconds(self.timeline, self.lang, SPEEDS[self.speed])

    def watch_playing(self, playing: bool) -> None:
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = None
        if playing:
            if self.timeline.at_end:
                self.set_reactive(type(self).playing, False)
                self.notify(tr(self.lang, "play.end"), timeout=1.5)
            else:
                self._autoplay = self.set_timer(self._step_seconds(), self._autoplay_tick)
        self._show_tabs()

    def _autoplay_tick(self) -> None:
        self._autoplay = None
        if self.timeline.at_end:
            self.playing = False
            return
        self.action_step()
        if self.playing:
            self.watch_playing(True)

    def action_speed(self, delta: int) -> None:
        from .reading import SPEEDS
        self.speed = max(0, min(len(SPEEDS) - 1, self.speed + delta))

    def watch_speed(self) -> None:
        from .reading import SPEEDS
        if self.playing:
            self.watch_playing(True)
        self.notify(tr(self.lang, "play.speed", factor=SPEEDS[self.speed],
                       seconds=self._step_seconds()), timeout=1.5)

    # -- another lesson ------------------------------------------------------------------
    def action_pick_lesson(self) -> None:
        from scenarios.library import is_bundled, lesson_status
        from .screens import LessonPicker
        status = lesson_status()
        lessons = _loaded(status)
        broken = [p.name for p, l, _ in status if l is None and not is_bundled(p)]
        open_lesson = (self.lesson_timeline or self.timeline).lesson
        self.push_screen(LessonPicker(lessons, self.lang, open_lesson.id), self._open_lesson)
        if broken:                        # a teacher's broken lesson is named, never silently dropped
            names = ", ".join(broken[:3]) + (" …" if len(broken) > 3 else "")
            self.notify((f"{len(broken)} 个课程文件无法加载（{names}）：mmviz check 文件 查看原因"
                         if self.lang == "zh" else
                         f"{len(broken)} lesson file(s) did not load ({names}): mmviz check FILE says why"),
                        severity="warning", timeout=8)

    def _typed_steps(self) -> int:
        """Steps typed on the command line that leaving now would drop (an exploration's)."""
        from scenarios.explore import is_free_exploration
        if self.lesson_timeline is not None:
            return len(self.timeline) - self.lesson_timeline.position
        return len(self.timeline) if is_free_exploration(self.timeline.lesson) else 0

    def _open_lesson(self, lesson: Any) -> None:
        """The picked lesson from its start; the open one, picked again, stays where it is
        (Home goes to its start). Leaving an exploration says how many typed steps go."""
        if lesson is None:
            return
        typed = self._typed_steps()
        if self.lesson_timeline is None and not typed and lesson.id == self.timeline.lesson.id:
            self.notify(tr(self.lang, "msg.lesson_open", step=self.timeline.position,
                           total=len(self.timeline)), timeout=4)
            return
        if typed:
            self.notify(tr(self.lang, "msg.explore_left", n=typed), timeout=6)
        self.playing = False
        self.timeline = load_timeline(lesson)
        self.lesson_timeline = None
        import gc
        gc.collect()                       # the old lesson's machines are in reference cycles
        self._start_free = zone_free(self.timeline.machine)
        self._user_selection = None
        self._after_move()
