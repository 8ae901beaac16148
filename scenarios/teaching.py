"""Teaching extras of a lesson file (part of the loader): errata, listings, the
lesson path (``requires``), the kernel banner and the "try it yourself" commands.

An erratum quotes an article the lessons build on and says what is true, and
since which kernel::

    errata = { article = "002", claim = "vmalloc ... 在发生缺页时才真正分配物理页面",
               en = "All pages are allocated and mapped inside vmalloc() (2.6.24 and 6.1) ...",
               zh = "……" }

``errata`` may also be a list of such tables.  ``article`` is one of
:data:`ARTICLES`; ``claim`` is quoted as written (the articles are Chinese).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from engine.errors import shown

from .model import LANGS, Lesson, Step
from .source import KeyLines

ARTICLES: dict[str, dict[str, str]] = {
    "000": {"en": "“Linux内核驱动学习（四）内存管理子系统” (CSDN blog)",
            "zh": "《Linux内核驱动学习（四）内存管理子系统》"},
    "001": {"en": "“Linux 内存管理” (a 2012 ChinaUnix note after Song Baohua's driver book)",
            "zh": "《Linux 内存管理》（2012 年的 ChinaUnix 笔记，取材于宋宝华的驱动书）"},
    "002": {"en": "“Linux内存管理” (the long article with the example program and map_driver)",
            "zh": "《Linux内存管理》（带示例程序和 map_driver 的长文）"},
    "003": {"en": "“kmalloc、vmalloc、malloc的区别” (CSDN, 2010)",
            "zh": "《kmalloc、vmalloc、malloc的区别》（CSDN，2010）"},
    "004": {"en": "“一文剖析Linux内核的内存管理”", "zh": "《一文剖析Linux内核的内存管理》"},
}

WORDS = {"en": {"errata": "ERRATA", "says": "says", "true": "What is true",
                "try": "Try it yourself", "needs": "before this lesson", "kernel": "kernel"},
         "zh": {"errata": "勘误", "says": "原文写道", "true": "实际情况",
                "try": "动手试试", "needs": "建议先学", "kernel": "内核"}}


@dataclass
class Erratum:
    article: str
    claim: str                    # quoted from the article, as written
    text: dict[str, str]          # what is true, and since when
    line: int = 0

    def title(self, lang: str = "en") -> str:
        w = WORDS.get(lang, WORDS["en"])
        name = ARTICLES.get(self.article, {}).get(lang, self.article)
        return f"{w['errata']}: {name} {w['says']}: “{self.claim}”"

    def body(self, lang: str = "en") -> str:
        w = WORDS.get(lang, WORDS["en"])
        sep = "：" if lang == "zh" else ": "
        return f"{w['true']}{sep}{self.text.get(lang) or self.text.get('en', '')}"


@dataclass
class Try:
    cmd: str                      # a command for the TUI's ':' line (see scenarios.explore)
    text: dict[str, str]          # what to predict or look for

    def line(self, lang: str = "en") -> str:
        cmd = self.cmd if self.cmd.startswith("mmviz ") else f":{self.cmd}"
        return f"{cmd}  - {self.text.get(lang) or self.text.get('en', '')}"


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


_WORD = re.compile(r"[A-Za-z][a-z]+")      # an English word, not an identifier (GFP_KERNEL, mm_struct)


_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")   # hiragana, katakana (not ・ or ー,
#                                                       which Chinese text uses too)


def untranslated(what: str, key: str, lang: str, text: str) -> str:
    """The problem of a zh text with two English words or more in it and not one Chinese
    character (a copied title or narration), or with two kana or more (Japanese, which
    shares the Chinese characters), or "".  Identifiers and calls ("GFP_KERNEL",
    "kmap_atomic()", "/proc/buddyinfo", "kmalloc(32, GFP_KERNEL)"), one word ("Buddy"), a
    placeholder ("x") and every en text pass; full-width letters count as letters."""
    text = unicodedata.normalize("NFKC", text)
    if lang != "zh":
        return ""
    if len(_KANA.findall(text)) >= 2:
        return f"zh {what} has Japanese kana: {key}.zh reads as Japanese (write it in Chinese)"
    if _CJK.search(text):
        return ""
    words = [w for w in (t.strip(".,;:!?\"'…") for t in text.split()) if _WORD.fullmatch(w)]
    if len(words) < 2:
        return ""
    return f"zh {what} has no Chinese character: {key}.zh reads as English (translate it)"


def _texts(v: Any, table: dict, lines: KeyLines, key: str, what: str) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        value = table.get(lang)
        if not isinstance(value, str) or not value.strip():
            v.err(lines.line(f"{key}.{lang}") or lines.line(key), f"missing {lang} {what} ({key}.{lang})")
        elif untranslated(what, key, lang, value):
            v.err(lines.line(f"{key}.{lang}") or lines.line(key), untranslated(what, key, lang, value))
        else:
            out[lang] = " ".join(value.split())
    return out


def step(v: Any, st: Step, t: dict, lines: KeyLines) -> None:
    """Validate a step's ``errata``, ``listing`` and ``ask.choices`` (errors via ``v.err``)."""
    ask = t.get("ask")
    if isinstance(ask, dict) and "choices" in ask:
        choices = ask["choices"]
        if not isinstance(choices, list) or not all(isinstance(c, (str, int)) for c in choices):
            v.err(lines.line("ask.choices") or lines.line("ask"), "ask.choices must be a list of answers")
        elif st.ask is not None:
            st.ask.choices = [str(c) for c in choices]
    if "errata" in t:
        raw = t["errata"]
        tables = raw if isinstance(raw, list) else [raw]
        where = lines.line("errata")
        for table in tables:
            if not isinstance(table, dict):
                v.err(where, "errata must be a table { article, claim, en, zh } or a list of them")
                continue
            for key in table:
                if key not in ("article", "claim", "en", "zh"):
                    v.err(where, f"unknown key {key!r} in errata (article, claim, en, zh)")
            article = table.get("article")
            if article not in ARTICLES:
                v.err(where, f"errata article must be one of {', '.join(ARTICLES)}, got {shown(article)}")
                continue
            claim = table.get("claim")
            if not isinstance(claim, str) or not claim.strip():
                v.err(where, "errata needs the article's claim (claim = \"...\")")
                continue
            text = _texts(v, table, lines, "errata", "correction")
            if len(text) == len(LANGS):
                st.errata.append(Erratum(article, claim.strip(), text, where))
    if "listing" in t:
        from .exhibits import EXHIBITS
        name = t["listing"]
        if not isinstance(name, str):
            v.err(lines.line("listing"), f"listing must be a string (a listing's name), got {shown(name)}")
        elif name not in EXHIBITS:
            v.err(lines.line("listing"), f"unknown listing {name!r} (one of {', '.join(EXHIBITS)})")
        else:
            st.listing = name


def header(v: Any, lesson: Lesson, h: dict, lines: KeyLines) -> None:
    """Validate ``requires``, ``kernel`` and ``try`` in [lesson]."""
    req = h.get("requires", [])
    if not isinstance(req, list) or not all(isinstance(r, str) for r in req):
        v.err(lines.line("requires"), "requires must be a list of lesson ids")
    else:
        lesson.requires = list(req)
    if "kernel" in h:
        k = h["kernel"]
        if not isinstance(k, dict):
            v.err(lines.line("kernel"), "kernel must be a table with en and zh banners")
        else:
            lesson.kernel = _texts(v, k, lines, "kernel", "kernel banner")
    tries = h.get("try", [])
    if not isinstance(tries, list):
        v.err(lines.line("try"), "try must be a list of { cmd, en, zh }")
        return
    for item in tries:
        if not isinstance(item, dict) or not isinstance(item.get("cmd"), str):
            v.err(lines.line("try"), "each try needs cmd = \"...\" (a ':' command) and en/zh texts")
            continue
        try:
            if not item["cmd"].startswith("mmviz "):     # a shell command is shown as is
                from .explore import parse_command
                parse_command(item["cmd"])
        except Exception as err:  # CommandError: shown as the lesson's problem
            v.err(lines.line("try"), f"bad try command {item['cmd']!r}: {err}")
            continue
        text = _texts(v, item, lines, "try", "try text")
        if len(text) == len(LANGS):
            lesson.tries.append(Try(item["cmd"], text))
