"""The command line that teaches: Tab completes from the op table without moving the focus,
help is generated from the op table, a command typed mid-lesson explores a branch, and b
returns to the untouched lesson."""
from __future__ import annotations

from app.app import MmvizApp
from app.commands import KERNEL_FUNCTIONS, candidates, complete, help_markdown, usage
from scenarios.ops import OPS
from widgets.cmdline import CommandInput


async def _type(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def test_tab_completes_op_names_and_arguments_and_keeps_focus():
    app = MmvizApp(ram="160M")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("colon")
        field = app.query_one(CommandInput)
        assert app.focused is field
        await _type(pilot, "alloc_p")
        await pilot.press("tab")
        assert field.value == "alloc_pages " and app.focused is field
        await _type(pilot, "GFP_KER")
        await pilot.press("tab")                  # GFP_KERNEL and GFP_KERNEL_ACCOUNT remain
        assert field.value == "alloc_pages GFP_KERNEL" and app.focused is field
        options = str(app.query_one("#cmdline .error").render())
        assert "GFP_KERNEL_ACCOUNT" in options
        await _type(pilot, " 2")
        await pilot.press("enter")
        await pilot.pause()
        assert app.timeline.current.op == "alloc_pages"
        assert app.timeline.current.args["order"] == 2
        assert app.lesson_timeline is None          # free exploration: no branch


def test_completion_reads_the_op_table():
    assert complete("vmal")[0] == "vmalloc "
    assert complete("kmem_cache_")[1] == sorted(n for n in OPS if n.startswith("kmem_cache_"))
    line, opts = complete("access v ", names=["v"])
    assert opts == ["read", "write", "exec"]
    # the GFP names of the machine's release: 2.6.24 has one __GFP_ZE..., 6.1 two (ZEROTAGS, 5.11)
    assert complete("alloc_pages GFP_KERNEL|__GFP_ZE", kernel="2.6.24")[0] == \
        "alloc_pages GFP_KERNEL|__GFP_ZERO "
    assert complete("alloc_pages GFP_KERNEL|__GFP_ZE", kernel="6.1") == (
        "alloc_pages GFP_KERNEL|__GFP_ZERO", ["GFP_KERNEL|__GFP_ZERO", "GFP_KERNEL|__GFP_ZEROTAGS"])
    assert candidates("free_pages ", names=["x", "y"])[1] == ["x", "y"]     # names bound with as
    assert complete("help kmap_")[0] == "help kmap_atomic "
    assert complete("zzz")[1] == []


def test_help_is_generated_from_the_op_table():
    text = help_markdown()
    for op in OPS.values():
        assert f"`{usage(op)}`" in text
        assert op.name in KERNEL_FUNCTIONS, f"name the kernel function {op.name} models"
    one = help_markdown("kmalloc")
    assert "`kmalloc size gfp=GFP_KERNEL`" in one and "GFP mask" in one and "kmalloc()" in one
    assert "Did you mean: kmalloc" in help_markdown("kmallc")
    zh = help_markdown("vmalloc", "zh")
    assert "对应的内核函数" in zh and "必填" in zh


async def test_help_in_the_command_line():
    app = MmvizApp(ram="160M")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("colon")
        await _type(pilot, "help")
        await pilot.press("enter")
        await pilot.pause()
        from app.screens import OpsHelp
        assert isinstance(app.screen, OpsHelp)
        assert "alloc_pages" in app.screen.markdown and "kmem_cache_create" in app.screen.markdown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("colon")
        await _type(pilot, "kmallco 100")
        await pilot.press("enter")
        await pilot.pause()
        assert "did you mean 'kmalloc'" in str(app.query_one("#cmdline .error").render())


async def test_command_mid_lesson_branches_and_b_returns_to_the_intact_lesson():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(4):
            await pilot.press("n")
        await pilot.pause()
        lesson_tl = app.timeline
        steps = len(lesson_tl)
        free_before = [z.free_pages for z in lesson_tl.machine.zones]
        await pilot.press("colon")
        await _type(pilot, "alloc_pages GFP_KERNEL 5")
        await pilot.press("enter")
        await pilot.pause()
        assert app.lesson_timeline is lesson_tl and app.timeline is not lesson_tl
        assert app.timeline.current.op == "alloc_pages" and app.timeline.position == 5
        assert "exploring from step 4 of buddy" in app.sub_title         # shown as a branch
        assert len(lesson_tl) == steps and lesson_tl.position == 4      # the lesson untouched
        assert [z.free_pages for z in lesson_tl.machine.zones] == free_before
        await pilot.press("escape")
        await pilot.press("b")
        await pilot.pause()
        assert app.timeline is lesson_tl and app.lesson_timeline is None
        assert app.timeline.position == 4 and len(app.timeline) == steps
        await pilot.press("n")
        await pilot.pause()
        assert app.timeline.position == 5
        assert app.timeline.current.step is lesson_tl.lesson.steps[4]


async def test_a_typed_command_is_titled_as_typed_and_its_kernel_error_is_no_failed_check():
    """`:kfree 0xc0000000` reads back as typed (not 3221225472); the kernel's BadFree is its
    answer, shown as such, not a lesson check the user never wrote."""
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        await pilot.press("colon")
        await _type(pilot, "kfree 0xc0000000")
        await pilot.press("enter")
        await pilot.pause()
        cur = app.timeline.current
        assert cur.title("en") == "kfree 0xc0000000"
        assert cur.error is not None and cur.expects == []
        app.timeline.machine.check()
        await pilot.press("colon")
        await _type(pilot, "vmalloc 1M")
        await pilot.press("enter")
        await pilot.pause()
        got = app.timeline.current.value
        assert app.timeline.current.focus == {"address": got}    # the new area is selected
        assert app.selection is not None and app.selection.value == got


async def test_free_exploration_opens_with_a_hint():
    app = MmvizApp(ram="64M")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.query_one("#lesson").plain
        assert "press :" in " ".join(text.split()) and "help" in text
        assert "Press → or n" not in text


async def test_free_exploration_adds_every_typed_command_to_its_own_steps():
    """With no lesson, each command is a step of the exploration itself: the second one made a
    branch of the first ("exploring from step 1 of explore") and b threw it away."""
    app = MmvizApp(ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tl = app.timeline
        for n, line in enumerate(("kmalloc 100", "kmalloc 200", "vmalloc 1M"), 1):
            await pilot.press("colon")
            await _type(pilot, line)
            await pilot.press("enter")
            await pilot.pause()
            assert app.timeline is tl and app.lesson_timeline is None, line
            assert tl.position == n and len(tl) == n
        assert "exploring from" not in app.sub_title
        await pilot.press("escape", "b")
        await pilot.pause()
        assert app.timeline is tl and tl.position == 3 and tl.current.title("en") == "vmalloc 1M"
