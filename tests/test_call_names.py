"""Every call a student reads names a real function of the kernel the step ran on.

A call is an identifier written right before ``(``.  Each allowed name carries where it is
defined in 2.6.24 (the snapshot fulei0920/linux-2.6.24, Makefile 2.6.24) and in 6.1
(krr-io/linux-6.1.0, Makefile 6.1.0-rc7); system calls are the i386 table's, and the one
C-library call the lessons show (sbrk) is marked as such.  Anything mmviz does that is no
call (boot, a CPU access, an MMU walk, an instruction, a shell command) is written without
parentheses.
"""
from __future__ import annotations

import re

import pytest

from scenarios import Timeline, all_lessons
from scenarios.kcalls import SPELLING, version
from scenarios.notation import call_text
from scenarios.ops import OPS

# name -> (2.6.24 source, 6.1 source)
KERNEL = {
    "alloc_pages": ("include/linux/gfp.h:196,206", "include/linux/gfp.h:250,255"),
    "__get_free_pages": ("include/linux/gfp.h:212", "include/linux/gfp.h:275"),
    "__get_free_page": ("include/linux/gfp.h:215", "include/linux/gfp.h:282"),
    "__va": ("include/asm-x86/page_32.h:186", "arch/x86/include/asm/page.h:59"),
    "__pa": ("include/asm-x86/page_32.h:182", "arch/x86/include/asm/page.h:42"),
    "__free_pages": ("include/linux/gfp.h:221", "include/linux/gfp.h:288"),
    "free_pages": ("include/linux/gfp.h:222", "include/linux/gfp.h:289"),
    "pfn_to_page": ("include/asm-generic/memory_model.h:80",
                    "include/asm-generic/memory_model.h:53"),
    "page_to_pfn": ("include/asm-generic/memory_model.h:79",
                    "include/asm-generic/memory_model.h:52"),
    "kmalloc": ("include/linux/slab_def.h:31, slub_def.h:165", "include/linux/slab.h:539"),
    "kzalloc": ("include/linux/slab.h:269", "include/linux/slab.h:687"),
    "kfree": ("include/linux/slab.h:95", "include/linux/slab.h:196"),
    "kmem_cache_create": ("include/linux/slab.h:54", "include/linux/slab.h:158"),
    "kmem_cache_alloc": ("include/linux/slab.h:204", "include/linux/slab.h:444"),
    "kmem_cache_free": ("include/linux/slab.h:59", "include/linux/slab.h:447"),
    "kmem_cache_destroy": ("include/linux/slab.h:57", "include/linux/slab.h:166"),
    "vmalloc": ("include/linux/vmalloc.h:39", "include/linux/vmalloc.h:142"),
    "vfree": ("include/linux/vmalloc.h:48", "include/linux/vmalloc.h:163"),
    "kmap": ("include/asm-x86/highmem.h:69", "include/linux/highmem-internal.h:42"),
    "kunmap": ("include/asm-x86/highmem.h:70", "include/linux/highmem-internal.h:55"),
    "kmap_atomic": ("include/asm-x86/highmem.h:72 (page, enum km_type)",
                    "include/linux/highmem-internal.h:110 (page)"),
    "kunmap_atomic": ("include/asm-x86/highmem.h:73 (kvaddr, enum km_type)",
                      "include/linux/highmem-internal.h:271 (addr)"),
    "virt_to_phys": ("include/asm-x86/io_32.h:75", "arch/x86/include/asm/io.h:131"),
    "phys_to_virt": ("include/asm-x86/io_32.h:93", "arch/x86/include/asm/io.h:150"),
    "find_vma": ("mm/mmap.c:1432", "mm/mmap.c:1830"),
    "zone_watermark_ok": ("mm/page_alloc.c:1221", "mm/page_alloc.c:4040"),
    "schedule": ("kernel/sched.c:3621", "kernel/sched/core.c:6590"),
    "balance_pgdat": ("mm/vmscan.c:1317", "mm/vmscan.c:6990"),
    "flush_tlb_all": ("include/asm-x86/tlbflush_32.h:95,130", "arch/x86/include/asm/tlbflush.h:232"),
    "ARRAY_SIZE": ("include/linux/kernel.h:40", "include/linux/kernel.h:55"),   # a repeat step's bound
    "flush_tlb_mm": ("include/asm-x86/tlbflush_32.h:98,132", "arch/x86/include/asm/tlbflush.h:223"),
}
# i386 system calls: 2.6.24 include/asm-x86/unistd_32.h, 6.1 arch/x86/entry/syscalls/syscall_32.tbl
SYSCALLS = {"exit": 1, "fork": 2, "open": 5, "brk": 45, "mmap": 90, "munmap": 91, "mprotect": 125}
LIBC = {"sbrk": "glibc misc/sbrk.c: moves the break with the brk system call"}
# the km_type argument of kmap_atomic/kunmap_atomic: "mm: stack based kmap_atomic()" (2.6.37)
KM_TYPE_UNTIL = (2, 6, 37)

CALL = re.compile(r"(?<![\w$%])([A-Za-z_]\w*)\(")
RELEASES = ("2.6.24", "6.1.0-50-686")


def bad_names(text: str) -> list[str]:
    """Names called in ``text`` that are no kernel function, system call or marked libc call."""
    user = text.startswith("[pid ")
    return [n for n in CALL.findall(text)
            if n not in KERNEL and not (n in SYSCALLS or (user and n in LIBC))]


SAMPLE = {"gfp": "GFP_KERNEL", "order": 2, "pfn": 0x38000, "vaddr": 0xc1212000,
          "paddr": 0x1212000, "size": 100, "name": "my-cache", "align": 0, "pid": 1,
          "addr": 0x0804b000, "delta": 8192, "length": 8192, "prot": "rw-",
          "flags": "private|anonymous", "kind": "write", "data": "hi", "path": "/proc/meminfo",
          "device": "/dev/mapfile", "user": True, "ram": "1G", "kernel": "2.6"}


def sample_args(op) -> dict:
    return {p.name: SAMPLE.get(p.name, p.default if not p.required else 1) for p in op.params}


def test_every_op_has_a_kernel_spelling():
    missing = [name for name in OPS if name != "boot" and name not in SPELLING]
    assert not missing, f"ops shown with their mmviz name: {missing}"


@pytest.mark.parametrize("release", RELEASES)
def test_every_op_names_real_functions_in_both_flavours(release):
    bad = {}
    for name, op in OPS.items():
        args = sample_args(op)
        variants = [args] + ([{**args, "file": "/dev/mapfile", "addr": None}]
                             if name == "mmap" else [])
        for variant in variants:
            text = call_text(op, variant, release, 0x0804b000)
            if bad_names(text):
                bad[name] = text
    assert not bad, bad


def test_a_step_with_unresolved_arguments_still_has_a_text():
    """A typed command whose expression failed shows "?" where the value would be."""
    for op in OPS.values():
        assert call_text(op, {}, "2.6.24")
    assert call_text(OPS["kmalloc"], {"gfp": "GFP_KERNEL"}) == "kmalloc(?, GFP_KERNEL)"


def test_spelling_follows_the_release():
    kmap = OPS["kmap_atomic"]
    assert call_text(kmap, {"pfn": 0x38000}, "2.6.24") == "kmap_atomic(pfn_to_page(0x38000), KM_USER0)"
    assert call_text(kmap, {"pfn": 0x38000}, "6.1.0-50-686") == "kmap_atomic(pfn_to_page(0x38000))"
    assert version("2.6.36") < KM_TYPE_UNTIL <= version("2.6.37")
    assert call_text(OPS["get_free_pages"], {"gfp": "GFP_KERNEL", "order": 0}, "2.6.24") == \
        "__get_free_pages(GFP_KERNEL, 0)"
    assert call_text(OPS["free_pages"], {"pfn": 0x100, "order": 3}) == \
        "__free_pages(pfn_to_page(0x100), 3)"
    assert call_text(OPS["boot"], {"ram": "1G", "kernel": "2.6", "pae": True}) == \
        "boot: 1G RAM, Linux 2.6.24, PAE"
    sbrk = call_text(OPS["sbrk"], {"pid": 1, "delta": 8192}, "2.6.24", 0x08049868)
    assert sbrk == "[pid 1] sbrk(8192)"          # what it returned: tests/test_call_returns.py


def test_the_detector_catches_the_old_call_texts():
    assert bad_names("get_free_pages(GFP_KERNEL, order=0)") == ["get_free_pages"]
    assert bad_names("boot(ram=1G, kernel=2.6, PAE, NX)") == ["boot"]
    assert bad_names("spawn(\"example\")") == ["spawn"]
    assert bad_names("sbrk(8192)") == ["sbrk"]                 # libc only as a process's call
    assert not bad_names("[pid 1] sbrk(8192) = 0x08049868  (brk(0x0804b868) = 0x0804b868)")
    assert not bad_names("MMU walk of 0xc0100000 for a read, user mode")


@pytest.mark.parametrize("lesson", [les.id for les in all_lessons()])
def test_every_lesson_call_names_a_real_function(lesson):
    les = next(x for x in all_lessons() if x.id == lesson)
    bad = []
    for r in Timeline(les).run_all():
        text = r.call_text()
        if bad_names(text):
            bad.append(f"step {r.index + 1} ({r.kernel}): {text}")
        if r.op in ("kmap_atomic", "kunmap_atomic"):
            assert ("KM_USER0" in text) == (version(r.kernel) < KM_TYPE_UNTIL), text
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("kind", ["buddy", "slab", "watermark", "vma"])
def test_quiz_questions_name_real_functions(kind):
    from scenarios.problems import problem
    p = problem(kind, 3)
    texts = [q[lang] for q in p.questions for lang in ("en", "zh")] + p.state
    bad = [t for t in texts if bad_names(t.replace("mmviz quiz", ""))]
    assert not bad, bad
    from widgets.notation import event_text
    shown = [p.working(i, event_text) for i in range(len(p.answers))]
    assert not any("Split(" in w or "zone='" in w for w in shown), shown


ARTICLE_ONLY = {"get_free_page"}      # quoted from the article, with its correction beside it


def test_lesson_titles_and_questions_name_real_functions():
    bad = []
    for les in all_lessons():
        for i, s in enumerate(les.steps):
            texts = list(s.title.values()) + (list(s.ask.text.values()) if s.ask else [])
            for t in texts:
                names = [n for n in CALL.findall(t) if n not in KERNEL and n not in SYSCALLS
                         and n not in LIBC]
                quoted = ("article" in t or "原文" in t) and set(names) <= ARTICLE_ONLY
                if names and not quoted:
                    bad.append(f"{les.id} step {i + 1}: {names} in {t}")
    assert not bad, bad


# The kernel's argument count of the calls lessons write out (2.6.24 and 6.1 alike, except
# kmap_atomic/kunmap_atomic, whose km_type argument went in 2.6.37).  ``name()`` with nothing
# inside names the function and is fine; ``kmalloc(100)`` is a call with its GFP mask missing.
ARITY = {
    "kmalloc": {2}, "kzalloc": {2}, "__get_free_pages": {2}, "__get_free_page": {1},
    "get_zeroed_page": {1}, "alloc_pages": {2}, "alloc_page": {1}, "vmalloc": {1},
    "vfree": {1}, "kfree": {1}, "free_page": {1}, "free_pages": {2}, "__free_pages": {2},
    "kmem_cache_alloc": {2}, "kmem_cache_free": {2}, "kmem_cache_create": {5},
    "kmap": {1}, "kunmap": {1}, "kmap_atomic": {1, 2}, "kunmap_atomic": {1, 2},
}
NAMED = re.compile(r"(?<![\w$%])(" + "|".join(sorted(ARITY, key=len, reverse=True)) + r")\(")
ARTICLE_CALLS = {"get_free_page(0)", "kmalloc(100,0)", "kmalloc(100, 0)"}


def call_args(text: str, start: int) -> list[str] | None:
    """The top-level arguments of the call whose '(' is at ``start`` (None if unclosed)."""
    depth, args, cur = 0, [], ""
    for ch in text[start:]:
        if ch == "(":
            depth += 1
            if depth == 1:
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append(cur.strip())
                return [] if args == [""] else args
        if ch == "," and depth == 1:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return None


def bad_arity(text: str) -> list[str]:
    """Calls in ``text`` written with another argument count than the kernel's."""
    bad = []
    for m in NAMED.finditer(text):
        args = call_args(text, m.end() - 1)
        if args is None or not args:          # "kmalloc()" names the function
            continue
        if len(args) not in ARITY[m.group(1)] or any(a in ("", "...", "…") for a in args):
            bad.append(f"{m.group(1)}({', '.join(args)})")
    return bad


def shown_texts(les):
    """(where, text) of every title, narration, note, question and try text of a lesson."""
    for lang in ("en", "zh"):
        yield "title", les.title_in(lang)
        yield "summary", les.summary_in(lang)
        yield "kernel", les.kernel.get(lang, "")
        for t in les.tries:
            yield "try", t.text.get(lang, "")
        for i, s in enumerate(les.steps, 1):
            yield f"step {i} title", s.title.get(lang, "")
            yield f"step {i} say", s.say.get(lang, "")
            yield f"step {i} deeper", s.deeper.get(lang, "")
            if s.ask:
                yield f"step {i} ask", s.ask.text.get(lang, "")
            for e in s.errata:
                yield f"step {i} errata", e.text.get(lang, "")
            if s.listing_in(lang):
                yield f"step {i} listing", s.listing_in(lang)[1]


def test_the_arity_check_catches_a_missing_gfp_mask():
    assert bad_arity("kmallocmem = kmalloc(100): an object") == ["kmalloc(100)"]
    assert bad_arity("kmem_cache_create(\"c\", 200, ...)") == ['kmem_cache_create("c", 200, ...)']
    assert bad_arity("vmalloc(1000000, GFP_KERNEL)") == ["vmalloc(1000000, GFP_KERNEL)"]
    assert not bad_arity("kmalloc() and kmalloc(size, gfp | __GFP_ZERO), vmalloc(8192)")
    assert not bad_arity("alloc_pages(GFP_KERNEL, 0); kmap_atomic(page, KM_USER0); kmap_atomic(page)")


@pytest.mark.parametrize("lesson", [les.id for les in all_lessons()])
def test_every_shown_call_has_the_kernels_argument_list(lesson):
    les = next(x for x in all_lessons() if x.id == lesson)
    bad = [f"{where}: {b}" for where, text in shown_texts(les) for b in bad_arity(text)
           if b.replace(" ", "") not in {a.replace(" ", "") for a in ARTICLE_CALLS}]
    bad += [f"step {r.index + 1} call: {b}" for r in Timeline(les).run_all()
            for b in bad_arity(r.call_text())]
    assert not bad, "\n".join(bad)


def test_quiz_and_glossary_calls_have_the_kernels_argument_list():
    from scenarios.glossary import GLOSSARY
    from scenarios.problems import problem
    texts = [t for term in GLOSSARY for t in (term.ident, term.gloss_en, term.gloss_zh)]
    for kind in ("buddy", "slab", "watermark", "vma"):
        p = problem(kind, 3)
        texts += [q[lang] for q in p.questions for lang in ("en", "zh")] + p.state
    bad = [b for t in texts for b in bad_arity(t)]
    assert not bad, bad


def test_ops_that_are_no_call_are_worded_in_chinese_for_zh():
    """boot, a CPU access, an MMU walk, a store/load, mmviz's own checks: Chinese words
    around the same numbers; a kernel call reads the same in both languages."""
    from scenarios.kcalls import SPELLING_ZH
    cjk = re.compile(r"[\u4e00-\u9fff]")
    seen = set()
    for les in all_lessons():
        for r in Timeline(les).run_all():
            en, zh = r.call_text(), r.call_text("zh")
            if r.op in SPELLING_ZH or r.op == "boot":
                seen.add(r.op)
                assert cjk.search(zh) and not cjk.search(en), (les.id, en, zh)
                assert re.findall(r"0x[0-9a-f]+", zh) == re.findall(r"0x[0-9a-f]+", en)
            elif r.step.repeat is not None:      # the same calls; a random argument in words
                assert CALL.findall(zh) == CALL.findall(en), (les.id, en, zh)
                assert re.findall(r"\d+", zh) == re.findall(r"\d+", en), (les.id, en, zh)
            else:
                assert zh == en, (les.id, en, zh)
    assert {"boot", "access", "walk", "write_virt", "read_virt"} <= seen
    assert call_text(OPS["boot"], {"ram": "1G", "kernel": "2.6", "pae": True}, lang="zh") == \
        "启动：1G 内存，Linux 2.6.24，PAE"
