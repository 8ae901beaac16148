"""Lessons a teacher can trust: questions asked before the answer, errata, zh wrapping."""
from __future__ import annotations

import re

import pytest

from app.cli import main
from app.cli_lesson import cells, wrap
from scenarios import Timeline, find_lesson, parse_lesson
from scenarios.library import lesson_paths
from scenarios.model import LessonError

LESSONS = [p.stem for p in lesson_paths()]
MIN_QUESTIONS = 3


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _answers(lesson_id: str) -> list[str]:
    tl = Timeline(find_lesson(lesson_id))
    return [r.question.shown for r in tl.run_all() if r.question is not None]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_asks_enough_questions_with_engine_answers(lesson):
    shown = _answers(lesson)
    assert len(shown) >= MIN_QUESTIONS, f"{lesson}: only {len(shown)} questions"
    assert not any(s.startswith("(cannot tell") for s in shown), shown


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson", LESSONS)
def test_text_mode_never_shows_an_answer_before_it_is_asked(capsys, lesson, lang):
    """Without --answers (and without a terminal) no answer is printed at all, and no
    numeric answer of three or more characters appears in the narration before its question
    (the engine's output of earlier steps may show it: predicting from it is the point)."""
    code, text = _run(capsys, "run", lesson, "--text", "--lang", lang)
    assert code == 0
    marker = "先预测" if lang == "zh" else "Predict"
    label = "答案" if lang == "zh" else "Answer"
    assert not re.search(rf"^\s*(✓ |✗ )?{label}: ", text, re.M), "an answer line was printed"
    lines = text.splitlines()
    q_lines = [i for i, line in enumerate(lines) if line.lstrip().startswith(f"? {marker}")]
    shown = _answers(lesson)
    assert len(q_lines) == len(shown)
    narration = [i for i, line in enumerate(lines)       # titles, narration, errata, listings
                 if not re.match(r"^\s+[>.✓✗]", line)]
    for i, answer in zip(q_lines, shown):
        before = "\n".join(lines[j] for j in narration if j < i)
        if len(answer) >= 3 and re.fullmatch(r"(0x)?[0-9a-f]+", answer):   # numbers, addresses
            assert answer not in before, f"{lesson}: answer {answer} shown before its question"


def test_answers_flag_prints_the_engine_answers_after_the_step(capsys):
    code, text = _run(capsys, "run", "memory-map", "--text", "--answers")
    assert code == 0
    shown = _answers("memory-map")
    printed = re.findall(r"^\s*Answer: (.+)$", text, re.M)
    assert printed == shown
    # each answer comes after its step's narration, i.e. after its question
    assert text.index("Answer: " + shown[0]) > text.index("Predict")


@pytest.mark.parametrize("lesson", LESSONS)
def test_zh_lines_never_break_inside_an_ascii_token(capsys, lesson):
    code, text = _run(capsys, "run", lesson, "--text", "--lang", "zh")
    assert code == 0
    lines, output = text.splitlines(), set()
    for i, line in enumerate(lines):      # a step's output: its "   >" line and what follows,
        if line.startswith("   >"):       # indented deeper, up to the next narration line
            j = i
            while j < len(lines) and (j == i or lines[j].startswith("     ")):
                output.add(j)
                j += 1
    for i, (a, b) in enumerate(zip(lines, lines[1:])):
        if i in output or i + 1 in output:
            continue                       # /proc lines (SwapTotal ... kB / SwapFree) are not prose
        if not a.startswith("   ") or not b.startswith("   "):
            continue
        if "│" in a or "│" in b or b.strip()[:1] in "✓✗.>!?":
            continue
        tail, head = a.rstrip()[-1:], b.strip()[:1]
        glued = tail and head and re.match(r"[A-Za-z0-9_]", tail) and re.match(r"[A-Za-z0-9_]", head)
        assert not glued, f"{lesson}: ASCII token split across lines:\n{a}\n{b}"


def test_zh_wrap_keeps_tokens_whole_and_width_bounded():
    text = "在内核页表中查找 swapper_pg_dir 的第 768 项，" * 6 + "0xc0100000 与 TLB。"
    out = wrap(text, "   ", "zh", width=40)
    words = set(re.findall(r"[\x21-\x7e]+", text))
    assert len(out) > 3
    for line in out:
        assert cells(line) <= 40
        for tok in re.findall(r"[\x21-\x7e]+", line):
            assert tok in words, f"token cut: {tok!r}"
    assert "".join(l.strip() for l in out).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_a_path_and_try_commands(lesson):
    l = find_lesson(lesson)
    assert l.kernel.get("en") and l.kernel.get("zh")
    assert 2 <= len(l.tries) <= 4
    ids = {find_lesson(p).id for p in LESSONS}
    for req in l.requires:
        assert req in ids
        assert find_lesson(req).order < l.order, f"{lesson} needs {req}, which comes later"


def test_errata_print_distinctly_in_both_languages(capsys):
    for lang, head in (("en", "ERRATA"), ("zh", "勘误")):
        code, text = _run(capsys, "run", "kmalloc-vmalloc", "--text", "--lang", lang)
        assert code == 0
        assert f"! {head}: " in text
        assert "在发生缺页时才真正分配物理页面" in text    # the article is quoted as written
    _, text = _run(capsys, "run", "kmalloc-vmalloc", "--text")
    assert "✗ no such function: __get_free_page(GFP_KERNEL)" in text     # the listing, marked


def test_no_project_jargon_in_the_narration():
    for path in lesson_paths():
        text = path.read_text(encoding="utf-8")
        assert "种子文章" not in text and "seed article" not in text and "the seed's" not in text, path


BAD = """
[lesson]
id = "x"
title = { en = "x", zh = "x" }
summary = { en = "x", zh = "x" }
try = [{ cmd = "no_such_op 3", en = "a", zh = "b" }]
[[step]]
do = "kmalloc"
size = 100
say = { en = "a", zh = "b" }
errata = { article = "999", claim = "c", en = "a", zh = "b" }
"""


def test_bad_errata_and_try_are_one_line_problems():
    with pytest.raises(LessonError) as err:
        parse_lesson(BAD, "bad.toml")
    lines = err.value.lines()
    assert any("errata article must be one of" in l for l in lines)
    assert any("bad try command" in l for l in lines)
    assert all(l.startswith("bad.toml:") for l in lines)


async def test_tui_asks_before_showing_and_reveals_after_answering():
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from widgets import LessonPane
    from widgets.question import QuestionScreen
    app = MmvizApp(lesson="memory-map")
    app.ask_questions = True
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, QuestionScreen)
        answer = app.timeline.current.question.shown          # 0xc0000000, from the engine
        screen_text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert answer not in screen_text
        await pilot.press("enter", "space", "enter")           # nothing typed: still asking
        assert app.screen.verdict is None and answer not in str(app.screen.query_one("#question-verdict").render())
        await pilot.press("backspace", *"0xc0000000", "enter")
        assert app.screen.verdict is True
        assert answer in str(app.screen.query_one("#question-verdict").render())
        await pilot.press("enter")
        assert not isinstance(app.screen, QuestionScreen)
        assert f"A: {answer}" in app.query_one(LessonPane).plain


async def test_glossary_key_opens_the_terms_in_both_languages():
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from app.glossary import GlossaryScreen
    for lang, term in (("en", "program break"), ("zh", "虚拟内存区域（线性区）")):
        app = MmvizApp(lesson="memory-map", lang=lang)
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("G")
            assert isinstance(app.screen, GlossaryScreen)
            text = str(app.screen.query_one("#glossary-text").render())
            assert term in text and "mm->brk" in text
            await pilot.press("escape")
            assert not isinstance(app.screen, GlossaryScreen)


def test_glossary_keeps_zone_and_vma_apart_and_names_kernel_identifiers(capsys):
    from scenarios.glossary import GLOSSARY
    zh = {t.en: t.zh for t in GLOSSARY}
    assert "管理区" in zh["zone"] and "区域" not in zh["zone"]
    assert "虚拟内存区域" in zh["VMA"]
    assert all(t.ident for t in GLOSSARY)
    assert main(["lessons"]) == 0
    listing = capsys.readouterr().out
    assert "[needs: memory-map]" in listing and listing.index("memory-map") < listing.index("swap")


async def test_tui_start_shows_kernel_prerequisites_and_try_it_commands():
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from widgets import LessonPane
    lesson = find_lesson("buddy")
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        text = app.query_one(LessonPane).plain
        assert "Afterwards, try:" in text
        assert lesson.tries[0].cmd in text
        if getattr(lesson, "requires", None):
            assert "Do first: " in text


@pytest.mark.parametrize("lesson", ["memory-map", "page-walk"])
def test_hex_answers_accepted_as_the_panes_print_them(lesson):
    """An address shown as 0xc0000000 is right typed as c0000000 or C0000000 (how the panes and
    the kernel print it, %08lx), as 0xc0000000 and in decimal; a wrong number still is wrong."""
    tl = Timeline(find_lesson(lesson))
    hex_questions = [r.question for r in tl.run_all()
                     if r.question is not None and r.question.shown.startswith("0x")]
    assert hex_questions
    for q in hex_questions:
        bare = q.shown[2:]
        for reply in (bare, bare.upper(), q.shown, str(q.answer), f"  {bare.zfill(8)} "):
            assert q.check(reply), (lesson, q.shown, reply)
        assert not q.check(format(q.answer + 1, "x"))


def test_zh_glossary_names_each_english_term_once():
    """阶（order）is not printed 阶（order）（order）: the English term appears exactly once in
    each zh entry's name, whether the zh term holds it or it is added."""
    from scenarios.glossary import GLOSSARY, lines
    for term, line in zip(GLOSSARY, lines("zh")):
        name = line.split("  [", 1)[0].lower()
        assert name.count(term.en.lower()) == 1, line


def test_zh_glossary_gives_the_english_term_once_in_one_pair_of_brackets(capsys):
    """A zh term that already ends in brackets takes the English term inside them:
    内存管理区（管理区，zone）, not 内存管理区（管理区）（zone）."""
    assert main(["glossary", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "内存管理区（管理区，zone）" in out
    assert not [line for line in out.splitlines() if "）（" in line.split("  [")[0]]


SCREEN_PLACES = re.compile(r"(?i)\b(next to it|on the (right|left)|to the (right|left))\b|旁边|右边|左边|右侧|左侧")


def test_narration_names_no_place_on_the_screen():
    """Where a pane sits depends on the terminal's size (wide, medium, compact): a step's
    narration says "below" (inside the lesson pane, true in every layout), never "next to
    it" or "on the right" (process-memory step 3 said 旁边 of a listing drawn below it)."""
    bad = []
    for path in lesson_paths():
        lesson = find_lesson(path.stem)
        for i, step in enumerate(lesson.steps, 1):
            for lang, text in step.say.items():
                if SCREEN_PLACES.search(text):
                    bad.append((lesson.id, i, lang, SCREEN_PLACES.search(text).group(0)))
    assert not bad


async def test_step_keys_on_a_question_never_move_the_lesson_behind_it():
    """On the question screen the lesson's step keys do not step the lesson behind it (it
    stepped on unseen and stacked the next step's question on top): before answering the
    answer box keeps its keys (n and p are typed, ← → move in it); once answered → ← Home
    End return to the lesson at the step asked about."""
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from widgets.question import QuestionScreen
    app = MmvizApp(lesson="memory-map")
    app.ask_questions = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, QuestionScreen)
        at = app.timeline.position
        await pilot.press("n", "p", "left", "right", "home", "end")
        assert app.screen.query_one("#question-input").value == "np"
        assert app.timeline.position == at and len(app.screen_stack) == 2
        await pilot.press(*"0xc0000000", "enter")
        assert app.screen.verdict is not None
        await pilot.press("space", "l")                       # the app's keys: not behind it
        assert app.timeline.position == at and isinstance(app.screen, QuestionScreen)
        assert not app.playing
        for key in ("right", "left", "end", "home", "n", "p"):
            await pilot.press(key)
            assert not isinstance(app.screen, QuestionScreen), key
            assert app.timeline.position == at, key
            app.push_screen(QuestionScreen(app.timeline.current.question, "en"))
            await pilot.pause()
            await pilot.press("1", "enter")                    # answered (wrongly)
            assert app.screen.verdict is False
