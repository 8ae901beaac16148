"""Lesson ops and facts of user processes: process ops are available, vma / vma_perms."""
from __future__ import annotations

import pytest

from inline_lesson import SAY, head
from inline_lesson import run as run_inline
from scenarios import LessonError, parse_lesson
from engine import Machine, Process
from scenarios.ops import OPS

HEAD = head("2.6")


def test_process_ops_are_available():
    for name in ("brk", "sbrk", "mmap", "munmap", "mprotect", "fork", "switch_to", "reclaim"):
        owner = Process if OPS[name].target == "process" else Machine
        assert callable(getattr(owner, OPS[name].engine_method)), name


def test_vma_facts_follow_proc_maps():
    body = (f'[[step]]\ndo = "spawn"\nas = "p"\n{SAY}'
            f'[[step]]\ndo = "mmap"\npid = "p"\nlength = "8K"\nas = "m"\n{SAY}'
            'expect = { vma = "anon", vma_perms = "rw-p" }\n'
            f'[[step]]\ndo = "access"\nvaddr = "0xbffffab4"\npid = "p"\n{SAY}'
            'expect = { vma = "[stack]" }\n'
            f'[[step]]\ndo = "access"\nvaddr = "0x20000000"\npid = "p"\n{SAY}'
            'expect = { vma = "none", error = "SegFault" }\n')
    results = run_inline(body, "2.6")
    assert [(r.index, e.key, e.actual) for r in results for e in r.expects if not e.ok] == []


def test_vma_fact_needs_a_process():
    with pytest.raises(LessonError) as info:
        parse_lesson(HEAD + f'[[step]]\ndo = "kmalloc"\nsize = 8\n{SAY}expect = {{ vma = "x" }}\n',
                     "t.toml")
    assert "no process" in str(info.value)


def test_map_driver_result_is_its_kernel_buffer():
    body = (f'[[step]]\ndo = "load_map_driver"\nsize = "8K"\nas = "drv"\n{SAY}'
            'expect = { region = "vmalloc", value = "layout.vmalloc_start" }\n'
            f'[[step]]\ndo = "spawn"\nas = "p"\n{SAY}'
            f'[[step]]\ndo = "mmap"\npid = "p"\nlength = "8K"\nprot = "r--"\nflags = "shared"\n'
            f'file = "/dev/mapfile"\nas = "u"\n{SAY}'
            f'[[step]]\ndo = "read_virt"\nvaddr = "u"\nlength = 5\npid = "p"\n{SAY}'
            'expect = { value = "68656c6c6f", events.DriverFault = 1 }\n')
    results = run_inline(body, "2.6")
    assert [(r.index, e.key, e.actual) for r in results for e in r.expects if not e.ok] == []
    assert results[0].result_text().startswith("/dev/mapfile: a 8192-byte buffer at 0x")
