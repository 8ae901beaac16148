"""Malformed lesson files for the fuzz test: a valid lesson, mutated by a seeded generator
(values swapped for hostile ones, lines dropped, doubled, cut or garbled, steps added).

``python -m tests.fuzz_lessons DIR N SEED`` writes N lessons into DIR;
``python -m tests.fuzz_lessons --run FILE_OR_DIR...`` plays each with ``check`` and ``run --text``
in this process and prints one JSON line per run: exit status, seconds, stderr, peak RSS.
"""
from __future__ import annotations

import io
import json
import random
import resource
import signal
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

BASE = '''[lesson]
id = "fuzz"
title = { en = "Fuzz", zh = "模糊" }
summary = { en = "A lesson to break.", zh = "x" }
machine = { ram = "64M", kernel = "6.1", seed = 1 }

[[step]]
do = "alloc_pages"
gfp = "GFP_KERNEL"
order = 3
as = "a"
say = { en = "x", zh = "x" }
expect = { zone = "Normal" }

[[step]]
do = "free_pages"
pfn = "a"
order = 3
say.en = "x"
say.zh = "x"

[[step]]
do = "kmalloc"
size = 100
as = "k"
title = { en = "t", zh = "t" }
say = { en = "x", zh = "x" }

[[step]]
do = "kfree"
vaddr = "k"
say = { en = "x", zh = "x" }

[[step]]
do = "spawn"
as = "p"
say = { en = "x", zh = "x" }

[[step]]
do = "mmap"
pid = "p"
length = "8K"
as = "v"
say = { en = "x", zh = "x" }

[[step]]
do = "access"
vaddr = "v"
kind = "write"
pid = "p"
say = { en = "x", zh = "x" }

[[step]]
do = "alloc_pages"
gfp = "GFP_KERNEL"
repeat = 4
random = { seed = 2, order = [0, 2] }
as = "blocks"
say = { en = "x", zh = "x" }

[[step]]
do = "free_pages"
each = "blocks"
pfn = "it"
order = "it.order"
say = { en = "x", zh = "x" }

[[step]]
do = "proc"
path = "/proc/buddyinfo"
say = { en = "x", zh = "x" }
'''

HOSTILE_VALUES = [
    '"' + "A" * 5000 + '"', "9" * 400, "-1", '"-1"', "1e400", "inf", "nan", "true", "[]", "{}",
    '"\\u001b[2J\\u001b]0;pwned\\u0007"', '"""\nmulti\n[[step]]\nline\n"""', "[" * 40 + "]" * 40,
    "{ a = " * 30 + "1" + " }" * 30, '"1 << 64"', '"0x' + "f" * 50 + '"', '"__class__"',
    "0x" + "f" * 30, '"GFP_TRANSHUGE"', '"private|locked"', '"rwz"', '"/proc/self/maps"', '"d"',
    '"k.__dict__"', '"blocks"', '"p"', '"a / 0"', '"' + "(" * 60 + "1" + ")" * 60 + '"', "0",
    '"' + "9" * 320 + 'M"', '"4G"', '"16M"', '"2.6"', "2.6", '"\\u202e"', "'lit'", "'''\nml\n'''",
    "1979-05-27T07:32:00Z", '"it"', '"i"', "10001", "-9223372036854775809", "0b101", "0o777",
    '"\\ud800"', '"\\x1b"', "{ choice = [] }", "[0, -5]", '{ en = "x" }', '{ en = 1, zh = 2 }',
]
HOSTILE_LINES = [
    "[[step]]", "[lesson]", "[foo]", "[step.say]", 'do = "x"', "x.y.z = 1",
    ".".join(["a"] * 40) + " = 1", "key = ", "= 1", '"', "'''", '"""', "[[step", "]]", "\x00",
    "\x1b[2J", "repeat = 10000", "repeat = 100000", "on_error = \"continue\"", "where = \"i &\"",
    "as = \"1x\"", "as = \"layout\"", "focus = { address = \"nosuch\" }", "ask = { en = \"?\" }",
    "expect = { " + "a." * 30 + "b = 1 }", "expect = { " + "a." * 3000 + "b = 1 }",
    "x = { " + '"a".' * 3000 + "b = 1 }", "expect.free_area.Normal.99 = 1", "machine.ram = \"1G\"",
    "\ufeff", "\u202e", "#" * 300, "say = { en = \"\", zh = \"\" }",
]
OPS = ["alloc_pages", "free_pages", "kmalloc", "kfree", "vmalloc", "vfree", "kmap", "kunmap",
       "kmap_atomic", "kunmap_atomic", "spawn", "fork", "exit", "switch_to", "mmap", "munmap",
       "mprotect", "brk", "sbrk", "access", "walk", "read_virt", "write_virt", "proc", "check",
       "kmem_cache_create", "kmem_cache_alloc", "load_map_driver", "reclaim", "flush_tlb",
       "invlpg", "get_free_pages", "nosuch_op", "boot"]
ARGS = ["gfp", "order", "pfn", "vaddr", "size", "pid", "length", "prot", "flags", "addr", "path",
        "data", "name", "kind", "ram", "kernel", "vmalloc", "delta", "file", "user"]
SMALL = ['"GFP_KERNEL"', "0", "1", '"4K"', '"p"', '"a"', '"k"', '"v"', '"rw-"', '"shared"',
         '"/proc/meminfo"', '"hello"', '"read"', "true", '"64M"', '"2.6"', '"0xc0000000"']


def mutate(rng: random.Random) -> str:
    lines = BASE.split("\n")
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        kind = rng.choices(range(8), weights=(6, 2, 1, 3, 2, 1, 6, 2))[0]
        i = rng.randrange(len(lines))
        if kind == 0 and "=" in lines[i]:                  # a hostile value
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {rng.choice(HOSTILE_VALUES)}"
        elif kind == 1:
            del lines[i]
        elif kind == 2:
            lines.insert(i, lines[i])
        elif kind == 3:
            lines.insert(i, rng.choice(HOSTILE_LINES))
        elif kind == 4:                                    # garble a few characters
            s = list(lines[i])
            for _ in range(rng.randint(1, 3)):
                s.insert(rng.randint(0, len(s)), chr(rng.choice([0, 7, 27, 0x9b, 0x202e, 34, 39, 91,
                                                                  93, 123, 125, 61, 35, 92, 10])))
            lines[i] = "".join(s)
        elif kind == 5:                                    # cut the file
            return "\n".join(lines)[: rng.randrange(len(BASE))]
        elif kind == 6:                                    # a random step at a step boundary
            step = ["[[step]]", f'do = "{rng.choice(OPS)}"']
            for _ in range(rng.randint(0, 3)):
                step.append(f"{rng.choice(ARGS)} = {rng.choice(SMALL + HOSTILE_VALUES[:20])}")
            step += ['say = { en = "x", zh = "x" }', ""]
            starts = [j for j, line in enumerate(lines) if line == "[[step]]"] + [len(lines)]
            at = rng.choice(starts)
            lines[at:at] = step
        else:                                              # a hostile machine
            ram = rng.choice(['"64M"', '"1G"', '"0"', '"abc"', "5", "true", '"' + "1" * 320 + '"'])
            kernel = rng.choice(['"2.6"', '"6.1"', '"9.9"', "2.6"])
            vmalloc = rng.choice(['"4G"', '"128M"', '"-1"', '"' + "9" * 400 + '"'])
            lines[4] = f"machine = {{ ram = {ram}, kernel = {kernel}, vmalloc = {vmalloc} }}"
    return "\n".join(lines)


def write_cases(folder: Path, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        path = folder / f"fuzz{i:04d}.toml"
        path.write_text(mutate(rng), encoding="utf-8", errors="surrogatepass")
        out.append(path)
    return out


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _peak_rss_mb() -> int:
    """This process's own peak RSS: /proc/self/status VmHWM (of its own address space since
    exec).  ru_maxrss is not: at exec Linux keeps the larger of it and the parent's peak
    (fs/exec.c setmax_mm_hiwater_rss), so a big pytest parent would be counted here."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def run_cases(paths: list[str], limit_s: int = 60) -> None:
    from app.cli import main
    signal.signal(signal.SIGALRM, _alarm)
    for path in paths:
        for command in (["check"], ["run", "--text"]):
            out, err = io.StringIO(), io.StringIO()
            t = time.perf_counter()
            signal.alarm(limit_s)
            try:
                with redirect_stdout(out), redirect_stderr(err):
                    code = main([*command, path])
            except _Timeout:
                code = "timeout"
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                code = f"escaped {type(exc).__name__}: {exc}"
            finally:
                signal.alarm(0)
            rss_mb = _peak_rss_mb()
            print(json.dumps({"path": path, "command": command[0], "code": code,
                              "seconds": round(time.perf_counter() - t, 3), "stderr": err.getvalue(),
                              "stdout_tail": out.getvalue()[-300:], "peak_rss_mb": rss_mb}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--run":
        run_cases([str(p) for arg in sys.argv[2:]
                   for p in (sorted(Path(arg).glob("*.toml")) if Path(arg).is_dir() else [Path(arg)])])
    else:
        write_cases(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
