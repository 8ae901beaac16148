"""Quiz mode: seeded practice questions whose answers the engine computes.

A question is a lesson step with ``ask = { en, zh, answer = <fact> }``: the
learner predicts, the step runs, the fact (``value``, ``merged_to``, ``zone``,
``paddr``...) is the answer.  The generators below build whole quiz lessons,
like the classic paging homework simulators, but on this machine:

* :func:`buddy_quiz` -- which pfn will alloc_pages return, which zone, up to
  which order will a free merge;
* :func:`walk_quiz` -- which physical address a kernel address maps to, which
  page-directory entry it uses and how many paging levels the walk takes (needs
  the engine's ``walk``).
"""
from __future__ import annotations

import random
from typing import Any

from .loader import Validator
from .model import Lesson, LessonError



def _build(lesson_id: str, title: dict, summary: dict, machine: dict, steps: list[dict]) -> Lesson:
    data = {"lesson": {"id": lesson_id, "title": title, "summary": summary, "machine": machine},
            "step": steps}
    v = Validator(f"<{lesson_id}>", "", data)
    lesson = v.run()          # raises LessonError (e.g. an op this engine lacks)
    return lesson


def buddy_quiz(seed: int = 1, count: int = 6, ram: str | None = None) -> Lesson:
    rng = random.Random(seed)
    machine = {"ram": ram or "64M", "seed": seed}
    steps: list[dict[str, Any]] = []
    live: list[tuple[str, int]] = []
    asked = 0
    n = 0
    while asked < count:
        free_turn = live and (rng.random() < 0.45 or len(live) >= 4)
        if not free_turn:
            order = rng.choice([0, 0, 1, 2, 3, 4])
            dma = rng.random() < 0.2
            gfp = "GFP_DMA" if dma else "GFP_KERNEL"
            n += 1
            name = f"b{n}"
            live.append((name, order))
            if dma:
                ask = {"en": f"alloc_pages({gfp}, order {order}) -> {name}: from which zone?",
                       "zh": f"alloc_pages({gfp}, order {order}) -> {name}：从哪个内存管理区（zone）分配？",
                       "answer": "zone"}
            else:
                ask = {"en": f"alloc_pages({gfp}, order {order}) -> {name}: which pfn comes back? "
                             f"(hint: the first block of the smallest non-empty order >= {order})",
                       "zh": f"alloc_pages({gfp}, order {order}) -> {name}：返回哪个页框号（pfn）？"
                             f"（提示：阶数 >= {order} 的最小非空链表的第一个块）",
                       "answer": "value"}
            steps.append({"do": "alloc_pages", "gfp": gfp, "order": order, "as": name,
                          "say": {"en": f"Allocate 2^{order} pages with {gfp}.",
                                  "zh": f"用 {gfp} 分配 2^{order} 个页。"},
                          "focus": {"pfn": name}, "ask": ask})
        else:
            name, order = live.pop(rng.randrange(len(live)))
            steps.append({"do": "free_pages", "pfn": name, "order": order,
                          "say": {"en": f"Free {name} (order {order}).",
                                  "zh": f"释放 {name}（{order} 阶）。"},
                          "focus": {"pfn": name},
                          "ask": {"en": f"free_pages({name}, order {order}): up to which order "
                                        f"does the block merge with its buddies?",
                                  "zh": f"free_pages({name}, order {order})：这个块与伙伴"
                                        f"合并后最终是几阶（order）？",
                                  "answer": "merged_to"}})
        asked += 1
    return _build(f"quiz-buddy-{seed}", {"en": f"Buddy allocator quiz (seed {seed})",
                                          "zh": f"伙伴系统练习（随机数种子 {seed}）"},
                  {"en": "Predict each answer, then let the engine check it.",
                   "zh": "先预测答案，再让模拟内核来验证。"}, machine, steps)


def walk_quiz(seed: int = 1, count: int = 6, ram: str | None = None) -> Lesson:
    rng = random.Random(seed)
    pae = rng.random() < 0.5
    machine = {"ram": ram or "1G", "pae": pae, "seed": seed}
    steps: list[dict[str, Any]] = [{
        "do": "vmalloc", "size": "64K", "as": "v",
        "say": {"en": "vmalloc 64 KB so there is a vmalloc mapping to walk too.",
                "zh": "先 vmalloc 64 KB，这样也有一个 vmalloc 映射可以查。"}}]
    split = "2/9/9/12 (PAE)" if pae else "10/10/12"
    for k in range(count):
        if rng.random() < 0.6:
            offset = rng.randrange(0x100000, 0x30000000) & ~0x3
            addr: Any = f"{0xC0000000 + offset:#x}"
            shown = addr
        else:
            page = rng.randrange(16)
            addr = f"v + {page * 4096 + rng.randrange(4096):#x}"
            shown = addr
        if k % 3 == 2:
            ask = {"en": f"Walking {shown} ({split}): how many levels does the walk read?",
                   "zh": f"查找 {shown}（{split}）：页表查找要读几级？", "answer": "levels"}
        elif k % 3 == 1:
            bits = "29-21" if pae else "31-22"
            ask = {"en": f"Which page-directory entry does {shown} use? (bits {bits}, {split})",
                   "zh": f"{shown} 的页目录下标是多少？（第 {bits} 位，{split}）",
                   "answer": "index.PDE"}
        else:
            ask = {"en": f"Which physical address does {shown} map to? ({split})",
                   "zh": f"{shown} 映射到哪个物理地址？（{split}）", "answer": "paddr"}
        steps.append({"do": "walk", "vaddr": addr,
                      "say": {"en": f"Walk the kernel page tables for {shown}.",
                              "zh": f"在内核页表中查找 {shown}。"},
                      "focus": {"address": addr}, "ask": ask})
    return _build(f"quiz-walk-{seed}", {"en": f"Page walk quiz (seed {seed})",
                                         "zh": f"页表查找练习（随机数种子 {seed}）"},
                  {"en": "Translate kernel addresses by hand, then let the MMU check you.",
                   "zh": "先手工翻译内核地址，再让 MMU 验证。"}, machine, steps)


__all__ = ["buddy_quiz", "walk_quiz", "LessonError"]
