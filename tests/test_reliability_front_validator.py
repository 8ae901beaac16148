"""#17, one validator: ``check`` refuses what the engine would refuse, so a lesson that
passes ``check`` runs.  A step made of literal arguments (good and bad ones) either is
refused at its line, or runs without a ConfigError (except the EINVAL the kernel itself
returns), an EngineFailure or a StepFailed."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import LessonError, Timeline, parse_lesson
from scenarios.explore import toml_value

GFP = ["GFP_KERNEL", "GFP_ATOMIC", "GFP_DMA", "GFP_HIGHUSER", "GFP_USER | __GFP_ZERO", "__GFP_COLD",
       "GFP_TRANSHUGE", "GFP_DMA32", "__GFP_ACCOUNT", "GFP_KERNEL|GFP_NOPE", "", "0x10"]
ORDER = [-2, -1, 0, 1, 3, 10, 11, 12, 99999999999999, "1 << 64", "2 + 1", "10 / 0"]
SIZE = [-4096, -1, 0, 1, 100, 4096, "8K", "1M", 4 << 20, (4 << 20) + 1, 1 << 32, 1 << 40, "-1"]
PROT = ["rw-", "r--", "r-x", "---", "rw", "rwz", "", "rwxr"]
FLAGS = ["private|anonymous", "shared|anonymous", "private|anonymous|populate", "private|locked",
         "private|shared", "anonymous", "private|anonymous|stack"]
ADDR = ["v", "v + 4096", 0x1000, 0x08048000, 0xC0000000, -4096, 1 << 32, "0xffffffff"]

STEP = st.one_of(
    st.fixed_dictionaries({"do": st.just("alloc_pages"), "gfp": st.sampled_from(GFP),
                           "order": st.sampled_from(ORDER)}),
    st.fixed_dictionaries({"do": st.just("get_free_pages"), "gfp": st.sampled_from(GFP),
                           "order": st.sampled_from(ORDER)}),
    st.fixed_dictionaries({"do": st.sampled_from(["kmalloc", "kzalloc"]), "size": st.sampled_from(SIZE),
                           "gfp": st.sampled_from(GFP)}),
    st.fixed_dictionaries({"do": st.just("vmalloc"), "size": st.sampled_from(SIZE[:8])}),
    st.fixed_dictionaries({"do": st.just("kmem_cache_create"),
                           "name": st.sampled_from(["c", "", "a b", "x" * 70, "c\u001b"]),
                           "size": st.sampled_from(SIZE), "align": st.sampled_from([0, 1, 3, 8, -8])}),
    st.fixed_dictionaries({"do": st.just("mmap"), "pid": st.just("p"), "length": st.sampled_from(SIZE[:10]),
                           "prot": st.sampled_from(PROT), "flags": st.sampled_from(FLAGS),
                           "offset": st.sampled_from([0, 1, 4096, -4096])}),
    st.fixed_dictionaries({"do": st.sampled_from(["munmap", "mprotect"]), "pid": st.just("p"),
                           "addr": st.sampled_from(ADDR), "length": st.sampled_from(SIZE[:8])}),
    st.fixed_dictionaries({"do": st.sampled_from(["access", "walk"]), "vaddr": st.sampled_from(ADDR),
                           "kind": st.sampled_from(["read", "write", "exec", "exe"]), "pid": st.just("p")}),
    st.fixed_dictionaries({"do": st.just("proc"), "path": st.sampled_from(
        ["/proc/meminfo", "/proc/buddyinfo", "/proc/foo", "/proc/1/maps", "/proc/1/stat", "/proc/1/status"])}),
    st.fixed_dictionaries({"do": st.sampled_from(["switch_to", "fork"]), "pid": st.sampled_from(["p", "p.pid"])}),
    st.fixed_dictionaries({"do": st.sampled_from(["vfree", "kfree", "kunmap_atomic"]),
                           "vaddr": st.sampled_from(["d", "p", "d.kaddr", "k", "blocks"])}),
)

SETUP = [{"do": "spawn", "as": "p"}, {"do": "mmap", "pid": "p", "length": 8192, "as": "v"},
         {"do": "load_map_driver", "as": "d"}, {"do": "kmalloc", "size": 64, "as": "k"},
         {"do": "alloc_pages", "gfp": "GFP_KERNEL", "repeat": 2, "as": "blocks"}]


def lesson_text(kernel: str, step: dict) -> str:
    head = ('[lesson]\nid = "t"\ntitle = { en = "T", zh = "T" }\nsummary = { en = "S", zh = "S" }\n'
            f'machine = {{ ram = "64M", kernel = "{kernel}" }}\n')
    body = ""
    for t in SETUP + [step]:
        body += "\n[[step]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in t.items())
        body += 'say = { en = "x", zh = "x" }\n'
    return head + body


def kernel_outcome(result) -> bool:
    """A step's outcome is a kernel's: no error, a KernelError, or the EINVAL of a syscall."""
    kind = result.error_kind
    if kind in (None,) or kind not in ("ConfigError", "EngineFailure", "StepFailed"):
        return True
    return kind == "ConfigError" and "EINVAL" in result.error_message


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kernel=st.sampled_from(["6.1", "2.6"]), step=STEP)
def test_what_passes_check_runs(kernel, step):
    text = lesson_text(kernel, step)
    try:
        lesson = parse_lesson(text, "t.toml")
    except LessonError as err:
        assert all(line > 1 for line, _ in err.problems), str(err)
        return
    results = Timeline(lesson).run_all()
    assert len(results) == len(SETUP) + 1
    assert all(r.error is None for r in results[:len(SETUP)]), [r.error_message for r in results]
    last = results[-1]
    assert kernel_outcome(last), f"{step} passed check but ran into {last.error_kind}: {last.error_message}"


@pytest.mark.parametrize("step, words", [
    ({"do": "alloc_pages", "gfp": "__GFP_WAIT"}, "unknown GFP flag '__GFP_WAIT'"),   # 4.4 renamed it
    ({"do": "mmap", "pid": "p", "length": 4096, "flags": "private|anonymous|locked"}, "unknown flag(s) locked"),
    ({"do": "vfree", "vaddr": "d"}, "'d' is a map_driver module (use d.kaddr)"),
    ({"do": "kunmap_atomic", "vaddr": "p"}, "'p' is a process (use p.pid)"),
    ({"do": "kfree", "vaddr": "blocks"}, "list of a repeat step's results"),
    ({"do": "kfree", "vaddr": "k + d"}, "'d' is a map_driver"),
    ({"do": "alloc_pages", "gfp": "GFP_KERNEL", "order": "1 << 64"}, "order must be 0..10"),
    ({"do": "kmalloc", "size": -1}, "size must not be negative"),
    ({"do": "proc", "path": "/proc/foo"}, "no such file in this machine's /proc"),
])
def test_check_refuses_what_run_refuses(step, words):
    text = lesson_text("6.1", step)
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "t.toml")
    assert words in str(info.value)
    assert info.value.problems[0][0] == _last_step_line(text, list(step)[-1])   # the bad argument


def _last_step_line(text: str, key: str) -> int:
    lines = text.split("\n")
    start = max(i for i, line in enumerate(lines) if line == "[[step]]")
    return next(i for i in range(start, len(lines)) if lines[i].startswith(f"{key} =")) + 1


def test_gfp_flags_follow_the_flavour():
    step = {"do": "alloc_pages", "gfp": "GFP_KERNEL | __GFP_COLD"}
    parse_lesson(lesson_text("2.6", step), "t.toml")             # 2.6.24 has __GFP_COLD
    with pytest.raises(LessonError, match="__GFP_COLD"):
        parse_lesson(lesson_text("6.1", step), "t.toml")         # 6.1 dropped it


def test_machine_that_boot_refuses_is_refused_by_check():
    text = lesson_text("6.1", {"do": "check"}).replace('ram = "64M"', 'ram = "64M", vmalloc = "4G"')
    with pytest.raises(LessonError, match="vmalloc reserve"):
        parse_lesson(text, "t.toml")
