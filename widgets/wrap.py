"""Line wrapping for mixed Chinese/English text, measured in terminal cells (rich's cell_len).

Rich's own wrapper breaks only at spaces, so a Chinese sentence is one long "word" that
gets folded anywhere — inside ``PAGE_OFFSET`` or ``0xc0000000``.  Here a line may break:

* at a space;
* before or after a CJK character (Chinese needs no spaces between words);

but never inside a run of non-CJK, non-space characters (an identifier, a number, a path),
never before closing punctuation (，。、；：！？）」 …) and never after an opening one (（「 …);
in Chinese text words joined by one space ("8 MB", "3G + 160 MB") stay together up to half
a line.  Only a token wider than the whole line is folded.
"""
from __future__ import annotations

import re

from rich.cells import cell_len

NO_START = set("，。、；：！？）」』】》〉…—,.;:!?)]}%")      # may not begin a line
NO_END = set("（「『【《〈([{")                              # may not end a line
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


def _tokens(text: str) -> list[str]:
    """Spaces, single CJK characters, and runs of everything else; punctuation that may not
    start a line sticks to the token before it, an opening one to the token after it."""
    raw = _TOKEN.findall(text)
    out: list[str] = []
    for tok in raw:
        if _closing(tok) and len(out) >= 2 and out[-1].isspace():
            space = out.pop()                   # "KM_IRQ0 ……）": keep the space, no break there
            out[-1] += space + tok
        elif out and (tok[0] in NO_START or out[-1][-1] in NO_END) and not tok.isspace() \
                and not out[-1].isspace():
            out[-1] += tok
        else:
            out.append(tok)
    return out


def _closing(tok: str) -> bool:
    """Punctuation that may not begin a line: "）", "……", ")," -- not a word that begins
    with a dot or a colon ("./example", ".bss", ":kmalloc"), which may."""
    return tok[0] in NO_START and (not tok[0].isascii() or all(ch in NO_START for ch in tok))


def _ascii_edge(ch: str) -> bool:
    return "!" <= ch <= "~"


def _join_ascii_runs(tokens: list[str], limit: int) -> list[str]:
    """In CJK text, words joined by one space ("8 MB", "3G + 160 MB", "2.6.24 mm/memory.c")
    stay together as long as the run is at most ``limit`` cells wide."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        while (i + 2 < len(tokens) and tokens[i + 1] == " " and tok and _ascii_edge(tok[-1])
               and tokens[i + 2] and _ascii_edge(tokens[i + 2][0])
               and cell_len(tok) + 1 + cell_len(tokens[i + 2]) <= limit):
            tok = tok + " " + tokens[i + 2]
            i += 2
        out.append(tok)
        i += 1
    return out


def break_offsets(text: str, width: int) -> list[int]:
    """Character offsets at which to break ``text`` (one paragraph) to fit ``width`` cells."""
    width = max(1, width)
    offsets: list[int] = []
    pos, used = 0, 0
    tokens = _tokens(text)
    if re.search(rf"[{_CJK}]", text):
        tokens = _join_ascii_runs(tokens, width // 2)
    for tok in tokens:
        w = cell_len(tok)
        if tok.isspace() and used + w <= width:
            used += w
            pos += len(tok)
            continue
        if used + w > width and used > 0:
            offsets.append(pos)
            used = 0
        if w > width:                       # a token wider than a line: fold it
            chunks, cur = [], ""
            for ch in tok:
                if cur and cell_len(cur + ch) > width:
                    if ch in NO_START and len(cur) > 1:     # never start a line with "）"
                        k = 1
                        while k < len(cur) - 1 and cur[-k] in NO_START:
                            k += 1
                        chunks.append(cur[:-k])
                        cur = cur[-k:]
                    else:
                        chunks.append(cur)
                        cur = ""
                cur += ch
            for chunk in chunks:
                pos += len(chunk)
                offsets.append(pos)
            used = cell_len(cur)
            pos += len(cur)
            continue
        used += w
        pos += len(tok)
    return offsets


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Wrap plain text (paragraphs separated by newlines) to ``width`` cells, each line
    prefixed with ``indent``; spaces at the break are dropped."""
    inner = max(1, width - cell_len(indent))
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        cuts = [0, *break_offsets(para, inner), len(para)]
        parts = [para[a:b].strip() for a, b in zip(cuts, cuts[1:])]
        lines.extend(indent + p for p in (parts or [""]) if p or len(parts) == 1)
    return lines
