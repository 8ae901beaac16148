"""Small bad lessons, one for each kind of problem ``mmviz check`` reports (tests/test_cli_check_zh.py):
each is the text of a lesson file that the loader refuses with that problem."""
from __future__ import annotations

import os
from pathlib import Path

from tests.inline_lesson import SAY, head

TESTS = Path(__file__).resolve().parent
HEAD = head()
MACHINE = 'machine = { ram = "160M", kernel = "6.1", seed = 1 }'


def step(body: str, say: str = SAY) -> str:
    return "[[step]]\n" + body + ("\n" if body and not body.endswith("\n") else "") + say


def lesson(*steps: str, head: str = HEAD) -> str:
    return head + "".join(steps or (step('do = "snapshot"'),))


def machine(settings: str) -> str:
    return lesson(head=HEAD.replace(MACHINE, f"machine = {{ {settings} }}"))


def at(body: str, first: str = 'do = "alloc_pages"\ngfp = "GFP_KERNEL"\nas = "a"') -> str:
    """A lesson with an alloc_pages step named ``a``, then the step ``body``."""
    return lesson(step(first), step(body))


CFG = 'ram = "160M", kernel = "6.1", config = '
SPAWN = 'do = "spawn"\nas = "p"'
TOML = {   # tomllib's messages, one bad line each
    "statement": "a = 1\n}\n", "key_eq": "a 1\n", "newline": "a = 1 b\n", "unterminated": 'a = "x',
    "found": "# x\x01\n", "twice": "[a]\n[a]\n", "overwrite": "a = 1\na = 2\n", "table": "[a\n",
    "array_decl": "[[a]\n", "mutate": "a = {b = 1}\na.c = 2\n", "redefine": "[a.b]\nc = 1\n[a]\nb.d = 1\n",
    "initial": "a.= 1\n", "unclosed_array": "a = [1 2]\n", "dup_inline": "a = {b = 1, b = 2}\n",
    "unclosed_inline": "a = {b = 1\n", "unescaped": 'a = "\\q"\n', "hex": 'a = "\\uZZZZ"\n',
    "scalar": 'a = "\\uD800"\n', "illegal": 'a = "x\ny"\n', "date": "a = 1979-02-30\n", "value": "a = @\n",
    "expected": "a = 'x\n",
}
CASES = {f"toml_{k}": v for k, v in TOML.items()} | {
    # the file and the lexer's limits
    "digits": lesson(step('do = "kmalloc"\nsize = ' + "1" * 41)),
    "octal": lesson(step('do = "kmalloc"\nsize = "010"')),
    "not_octal": lesson(step('do = "kmalloc"\nsize = "09"')),
    "long_title": lesson(step('do = "snapshot"\ntitle.en = "' + "x" * 101 + '"\ntitle.zh = "x"')),
    "nested": lesson(step('do = "snapshot"\nx = ' + "[" * 20 + "]" * 20)),
    "dotted": lesson(step('do = "snapshot"\n' + ".".join("k" * 17) + " = 1")),
    "deep_tables": (TESTS / "broken_lessons" / "fuzz" / "deep_quoted_dotted_key.toml").read_text(),
    # [lesson]
    "unknown_table": lesson() + "[notes]\nx = 1\n", "top_key": "x = 1\n" + lesson(),
    "no_lesson": step('do = "snapshot"'), "no_step": HEAD,
    "no_title": lesson(head=HEAD.replace('title = { en = "T", zh = "T" }\n', "")),
    "title_table": lesson(head=HEAD.replace('title = { en = "T", zh = "T" }', 'title = "T"')),
    "no_en_summary": lesson(head=HEAD.replace('summary = { en = "S", zh = "S" }', 'summary = { zh = "S" }')),
    "language": lesson(head=HEAD.replace('title = { en = "T", zh = "T" }', 'title = { en = "T", zh = "T", fr = "T" }')),
    "lesson_key": lesson(head=HEAD + "idd = 1\n"), "lesson_id": lesson(head=HEAD.replace('id = "t"', 'id = "Bad"')),
    "machine_table": lesson(head=HEAD.replace(MACHINE, "machine = 1")),
    "order": lesson(head=HEAD + 'order = "x"\n'), "machine_key": machine('rma = "160M"'),
    "requires": lesson(head=HEAD + "requires = 1\n"), "kernel_table": lesson(head=HEAD + "kernel = 1\n"),
    "kernel_banner": lesson(head=HEAD + 'kernel = { en = "k" }\n'), "try_list": lesson(head=HEAD + "try = 1\n"),
    "try_item": lesson(head=HEAD + "try = [1]\n"),
    "zh_english_title": lesson(head=HEAD.replace('zh = "T"', 'zh = "The buddy allocator"')),
    "zh_japanese_title": lesson(head=HEAD.replace('zh = "T"', 'zh = "バディアロケータ"')),
    "do_bool": lesson(step('do = false')), "do_table": lesson(step('do = { a = 1 }')),
    "listing_bool": at('do = "snapshot"\nlisting = true'),
    "zh_english_try": lesson(head=HEAD + 'try = [{ cmd = "kmalloc 8", en = "x", zh = "Take eight bytes" }]\n'),
    "zh_english_kernel": lesson(head=HEAD + 'kernel = { en = "k", zh = "Linux two point six" }\n'),
    "zh_english_say": lesson(step('do = "kmalloc"\nsize = 8', say='say = { en = "x", zh = "Take 8 bytes" }\n')),
    "try_unknown_op": lesson(head=HEAD + 'try = [{ cmd = "kmaloc 1", en = "x", zh = "x" }]\n'),
    "try_empty": lesson(head=HEAD + 'try = [{ cmd = " ", en = "x", zh = "x" }]\n'),
    "try_quote": lesson(head=HEAD + 'try = [{ cmd = "kmalloc \\"", en = "x", zh = "x" }]\n'),
    "try_too_many": lesson(head=HEAD + 'try = [{ cmd = "snapshot 1", en = "x", zh = "x" }]\n'),
    "try_too_many_args": lesson(head=HEAD + 'try = [{ cmd = "kfree 1 2", en = "x", zh = "x" }]\n'),
    "try_long": lesson(head=HEAD + f'try = [{{ cmd = "kmalloc {"1" * 1000}", en = "x", zh = "x" }}]\n'),
    "try_problem": lesson(head=HEAD + 'try = [{ cmd = "alloc_pages GFP_KERNAL", en = "x", zh = "x" }]\n'),
    "try_text": lesson(head=HEAD + 'try = [{ cmd = "snapshot", en = "x" }]\n'),
    # machine settings, each as check_value and boot() see it
    "m_size_type": machine("ram = true"), "m_not_size": machine('ram = "1X"'), "m_long": machine('ram = "' + "9" * 40 + '"'),
    "m_far": machine('ram = "99999999999999T"'), "m_negative": machine("ram = -1"),
    "m_int": machine('ram = "160M", cpus = "x"'), "m_32": machine('ram = "160M", cpus = 99999999999'),
    "m_string": machine("kernel = 6.1"), "m_control": machine('kernel = "6.1\\u0001"'),
    "m_bool": machine('pae = "yes"'), "m_config": machine("config = 1"),
    "m_octal": machine('ram = "0160M"'), "m_octal9": machine('ram = "0190M"'),
    "m_small": machine('ram = "4M"'), "m_huge": machine('ram = "65G"'), "m_pages": machine("ram = 16781313"),
    "m_nx": machine('ram = "160M", nx = true'), "m_alloc": machine('allocator = "slob"'),
    "m_cpus": machine("cpus = 999"), "m_version": machine('kernel = "x"'), "m_range": machine('kernel = "7.0"'),
    "m_i386": machine('kernel = "2.7.1"'), "m_option": machine(CFG + "{ FOO = 1 }"),
    "m_nr_cpus": machine(CFG + "{ NR_CPUS = 999 }"), "m_nr_cpus_bool": machine(CFG + "{ NR_CPUS = true }"),
    "m_nr_cpus_float": machine(CFG + "{ NR_CPUS = 8.5 }"), "m_nr_cpus_quoted": machine(CFG + '{ NR_CPUS = "8" }'),
    "m_cpus_bool": machine('ram = "160M", cpus = false'), "arg_bool": lesson(step('do = "kmalloc"\nsize = true')), "m_whole": machine(CFG + '{ NR_CPUS = "x" }'),
    "m_struct_page": machine(CFG + "{ struct_page_size = 33 }"),
    "m_physical": machine(CFG + "{ PHYSICAL_START = 0x123 }"), "m_rodata": machine(CFG + '{ DEBUG_RODATA = "x" }'),
    "m_rodata_off": machine(CFG + "{ DEBUG_RODATA = false }"), "m_model": machine(CFG + '{ memory_model = "x" }'),
    # what only booting refuses (app.cli_lesson.check_lesson_boots): the image, bootmem, memblock
    "m_image": machine('ram = "16M", kernel = "6.1"'),
    "m_bootmem": machine('ram = "160M", kernel = "2.6", config = { initrd_kb = 150000 }'),
    "m_memblock": machine('ram = "160M", kernel = "6.1", config = { initrd_kb = 150000 }'),
    "m_topdown": machine('ram = "1G", kernel = "5.4", config = { initrd_kb = 1000000 }'),
    "m_kb": machine(CFG + "{ text_kb = -1 }"), "m_fixmap": machine(CFG + "{ fixmap_slots = 1 }"),
    "m_true": machine(CFG + '{ MEMCG = "x" }'), "m_kfence": machine('kernel = "2.6", config = { KFENCE = true }'),
    "m_address": machine(CFG + '{ initrd_start = "x" }'), "m_early": machine(CFG + "{ initrd_kb = -1 }"),
    "m_early_whole": machine(CFG + "{ nr_ioapics = -1 }"),
    "m_vmalloc": machine('ram = "160M", vmalloc = "4000M"'), "m_vmalloc_end": machine('ram = "1G", vmalloc = "8M", kernel = "2.6"'), "m_swap": machine('ram = "160M", swap = "1048576M"'),
    # steps
    "no_do": lesson(step("x = 1")), "unknown_op": lesson(step('do = "kmaloc"')),
    "unknown_key": lesson(step('do = "alloc_pages"\ngfp = "GFP_KERNEL"\ngpf = 1')),
    "no_arguments": lesson(step('do = "snapshot"\nfoo = 1')), "needs": lesson(step('do = "alloc_pages"')),
    "as_name": at('do = "snapshot"\nas = "1st"'), "reserved": at('do = "snapshot"\nas = "i"'),
    "as_nothing": at('do = "free_pages"\npfn = "a"\nas = "b"'),
    "number_or_expr": at('do = "free_pages"\npfn = [1]'),
    "kind_process": lesson(step(SPAWN), step('do = "free_pages"\npfn = "p"')),
    "kind_snapshot": lesson(step('do = "snapshot"\nas = "s"'), step('do = "free_pages"\npfn = "s + 1"')),
    "kind_list": lesson(step('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nas = "l"'),
                        step('do = "free_pages"\npfn = "l"')),
    "div_zero": at('do = "free_pages"\npfn = "1 / 0"'), "shift": at('do = "free_pages"\npfn = "1 << 99"'),
    "method": at('do = "free_pages"\npfn = "(1).bit_length"'), "attribute": at('do = "free_pages"\npfn = "(1).x"'),
    "indexed": at('do = "free_pages"\npfn = "(1)[0]"'),
    "gfp_type": lesson(step('do = "alloc_pages"\ngfp = 1')), "gfp_flag": lesson(step('do = "alloc_pages"\ngfp = "GFP_KERNAL"')),
    "highmem": lesson(step('do = "get_free_pages"\ngfp = "GFP_HIGHUSER"'), head=HEAD.replace('"6.1"', '"2.6"')),
    "flags_type": lesson(step(SPAWN), step('do = "mmap"\npid = "p"\nlength = 4096\nflags = 1')),
    "flags_word": lesson(step(SPAWN), step('do = "mmap"\npid = "p"\nlength = 4096\nflags = "privat"')),
    "flags_one": lesson(step(SPAWN), step('do = "mmap"\npid = "p"\nlength = 4096\nflags = "anonymous"')),
    "prot": lesson(step(SPAWN), step('do = "mmap"\npid = "p"\nlength = 4096\nprot = "rwz"')),
    "proc": lesson(step('do = "proc"\npath = "/proc/nope"')),
    "kind": lesson(step('do = "access"\nvaddr = 0xc0000000\nkind = "run"')),
    "string": lesson(step('do = "proc"\npath = 1')),
    "control": lesson(step('do = "kmem_cache_create"\nname = "a\\u0001"\nsize = 32')),
    "cache_name": lesson(step('do = "kmem_cache_create"\nname = "a b"\nsize = 32')),
    "max_order": at('do = "free_pages"\npfn = "a"\norder = 12'),
    "outside": lesson(step('do = "kfree"\nvaddr = 0x100000000')),
    "aligned": lesson(step(SPAWN), step('do = "munmap"\npid = "p"\naddr = 4097\nlength = 4096')),
    "pfn_negative": lesson(step('do = "kmap"\npfn = -1')), "pid": lesson(step('do = "fork"\npid = -1')),
    "delta": lesson(step(SPAWN), step('do = "sbrk"\npid = "p"\ndelta = 4294967296')),
    "size_negative": lesson(step('do = "kmalloc"\nsize = -1')), "size_t": lesson(step('do = "kmalloc"\nsize = 4294967296')),
    "cache_size": lesson(step('do = "kmem_cache_create"\nname = "c"\nsize = 0')),
    "align": lesson(step('do = "kmem_cache_create"\nname = "c"\nsize = 32\nalign = 3')),
    "positive": lesson(step(SPAWN), step('do = "mmap"\npid = "p"\nlength = 0')),
    "offset": lesson(step(SPAWN), step('do = "mmap"\npid = "p"\nlength = 4096\noffset = 5')),
    "fits": lesson(step('do = "boot"\ncpus = 99999999999')), "bool": lesson(step('do = "access"\nvaddr = 0xc0000000\nuser = 1')),
    "empty_expr": at('do = "free_pages"\npfn = ""'), "char": at('do = "free_pages"\npfn = "1 $ 2"'),
    "number": at('do = "free_pages"\npfn = "0x_"'), "operator": at('do = "free_pages"\npfn = "1 2"'),
    "after_dot": at('do = "free_pages"\npfn = "a."'), "bracket": at('do = "free_pages"\npfn = "a[1"'),
    "paren": at('do = "free_pages"\npfn = "(1"'), "deep_expr": at('do = "free_pages"\npfn = "' + "-" * 50 + '1"'),
    "long_expr": at('do = "free_pages"\npfn = "' + "1+" * 250 + '1"'), "private": at('do = "free_pages"\npfn = "a._x"'),
    "dunder": at('do = "free_pages"\npfn = "__x"'), "end": at('do = "free_pages"\npfn = "a +"'),
    "unknown_name": at('do = "free_pages"\npfn = "b"'),
    "focus_table": at('do = "snapshot"\nfocus = 1'), "focus_kind": at('do = "snapshot"\nfocus = { adress = 1 }'),
    "focus_view": at('do = "snapshot"\nfocus = { view = "x" }'),
    "focus_zone": at('do = "snapshot"\nfocus = { zone = "Normall" }'),
    "focus_region": at('do = "snapshot"\nfocus = { region = "vmaloc" }'),
    "focus_text": at('do = "snapshot"\nfocus = { cache = "a\\u0001" }'),
    "focus_number": at('do = "snapshot"\nfocus = { address = true }'),
    "focus_expr": at('do = "snapshot"\nfocus = { address = "(" }'),
    # repeat / each / random
    "too_many": lesson(*[step('do = "snapshot"\nrepeat = 10000')] * 11),
    "needs_repeat": at('do = "snapshot"\non_error = "continue"'),
    "both": lesson(step('do = "snapshot"\nrepeat = 2\nas = "l"'), step('do = "snapshot"\nrepeat = 2\neach = "l"')),
    "repeat_positive": at('do = "snapshot"\nrepeat = 0'), "huge": at('do = "snapshot"\nrepeat = 100000'),
    "each": at('do = "snapshot"\neach = "x"'), "on_error": at('do = "snapshot"\nrepeat = 2\non_error = "x"'),
    "where": at('do = "snapshot"\nrepeat = 2\nwhere = 1'), "where_expr": at('do = "snapshot"\nrepeat = 2\nwhere = "i +"'),
    "random_table": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = 1'),
    "random_seed": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { order = [0, 1] }'),
    "random_sample": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { seed = 1, sample = 2.5 }'),
    "random_arg": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { seed = 1, nope = [0, 1] }'),
    "random_empty": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { seed = 1, order = [3, 1] }'),
    "random_value": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { seed = 1, order = [0, 12] }'),
    "random_choice": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { seed = 1, order = { choice = ["x"] } }'),
    "random_shape": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nrandom = { seed = 1, order = "x" }'),
    # expect / ask
    "expect_table": at('do = "snapshot"\nexpect = 1'), "expect_unknown": at('do = "snapshot"\nexpect = { zoen = 1 }'),
    "expect_shape": at('do = "snapshot"\nexpect = { free_area = 1 }'),
    "expect_zone": at('do = "snapshot"\nexpect = { free_area = { Norml = { 3 = 1 } } }'),
    "expect_order": at('do = "snapshot"\nexpect = { free_area = { Normal = { 11 = 1 } } }'),
    "expect_zfield": at('do = "snapshot"\nexpect = { zone = { Normal = { nope = 1 } } }'),
    "expect_lfield": at('do = "snapshot"\nexpect = { layout = { nope = 1 } }'),
    "expect_level": at('do = "walk"\nvaddr = 0xc0000000\nexpect = { index = { PMD = 1 } }'),
    "expect_cache": at('do = "snapshot"\nexpect = { slabinfo = { "a!" = { active_objs = 1 } } }'),
    "expect_column": at('do = "snapshot"\nexpect = { slabinfo = { kmalloc-64 = { objects = 1 } } }'),
    "expect_event": at('do = "snapshot"\nexpect = { events = { "a!" = 1 } }'),
    "expect_repeat": at('do = "alloc_pages"\ngfp = "GFP_KERNEL"\nrepeat = 2\nexpect = { zone = "Normal" }'),
    "expect_returns": at('do = "free_pages"\npfn = "a"\nexpect = { fault = "x" }'),
    "expect_vaddr": at('do = "snapshot"\nexpect = { region = "x" }'),
    "expect_frame": at('do = "snapshot"\nexpect = { zone = "Normal" }'),
    "expect_process": at('do = "snapshot"\nexpect = { vma = "x" }'),
    "expect_nothing": at('do = "free_pages"\npfn = "a"\nexpect = { value = 1 }'),
    "expect_merged": at('do = "snapshot"\nexpect = { merged_to = 1 }'),
    "expect_order_fact": at('do = "vmalloc"\nsize = 4096\nexpect = { order = 1 }'),
    "expect_bool": at('do = "kmalloc"\nsize = 8\nexpect = { contiguous = "no" }'),
    "expect_str": at('do = "kmalloc"\nsize = 8\nexpect = { zone = 1 }'),
    "expect_control": at('do = "kmalloc"\nsize = 8\nexpect = { zone = "a\\u0001" }'),
    "expect_number": at('do = "kmalloc"\nsize = 8\nexpect = { paddr = [1] }'),
    "expect_expr": at('do = "kmalloc"\nsize = 8\nexpect = { paddr = "> (" }'),
    "ask_table": at('do = "snapshot"\nask = 1'),
    "ask_question": at('do = "free_pages"\npfn = "a"\nask = { en = "q", answer = "merged_to" }'),
    "ask_answer": at('do = "free_pages"\npfn = "a"\nask = { en = "q", zh = "q" }'),
    "zh_english_ask": at('do = "free_pages"\npfn = "a"\nask = { en = "q", zh = "Which order?", answer = "merged_to" }'),
    "zh_english_errata": at('do = "snapshot"\nerrata = { article = "002", claim = "c", en = "x", zh = "It is wrong" }'),
    "ask_fact": at('do = "free_pages"\npfn = "a"\nask = { en = "q", zh = "q", answer = "colour" }'),
    "choices": at('do = "free_pages"\npfn = "a"\nask = { en = "q", zh = "q", answer = "merged_to", choices = 1 }'),
    # a step's teaching extras and texts
    "errata_table": at('do = "snapshot"\nerrata = 1'),
    "errata_key": at('do = "snapshot"\nerrata = { article = "002", claim = "c", en = "x", zh = "x", extra = 1 }'),
    "errata_article": at('do = "snapshot"\nerrata = { article = "999", claim = "c", en = "x", zh = "x" }'),
    "errata_claim": at('do = "snapshot"\nerrata = { article = "002", en = "x", zh = "x" }'),
    "errata_text": at('do = "snapshot"\nerrata = { article = "002", claim = "c", en = "x" }'),
    "listing": at('do = "snapshot"\nlisting = "nope.c"'),
    "deeper": at('do = "snapshot"\ndeeper = { en = "x" }'), "step_title": at('do = "snapshot"\ntitle = { en = "x" }'),
    "no_say": lesson(step('do = "snapshot"', say="")), "say_zh": lesson(step('do = "snapshot"', say='say = { en = "x" }\n')),
}


def files(root: Path, items: dict[str, str]) -> list[Path]:
    out = []
    for name, text in items.items():
        path = root / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def special(root: Path) -> list[Path]:
    """Files the loader refuses before reading TOML: a folder, a FIFO, bytes, size, absence."""
    (root / "folder.toml").mkdir()
    os.mkfifo(root / "fifo.toml")
    (root / "latin1.toml").write_bytes(b'[lesson]\nid = "\xe9"\n')
    (root / "large.toml").write_bytes(b"#" * ((1 << 20) + 1))
    return [root / n for n in ("folder.toml", "fifo.toml", "latin1.toml", "large.toml", "missing.toml")]
