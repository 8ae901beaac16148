"""The 16 ANSI colours the panes' text is drawn in, made readable on each theme.

The widgets colour their text with ANSI names ("magenta", "yellow", "bright_black"), which
Textual turns into RGB through the app's terminal theme: Monokai for every dark theme,
Alabaster for every light one.  Those palettes were not made for these backgrounds: on
Textual's light grey, Alabaster's yellow is 2.1:1 and its cyan 3.3:1; on nord's
#2E3440 Monokai's red is 3.0:1; and Monokai's magenta is its red (#F4005F both), so the
buddy pane's "magenta: changed this step" looked like its red "below min".

:func:`readable_ansi` keeps each palette's hues and moves every chromatic colour and the two
grey (bright black) toward the theme's foreground side until it reads at
:data:`MIN_CONTRAST` against every background text is drawn on (the theme's background,
surface and panel).  Black, white and bright white stay as they are: they are drawn on
coloured backgrounds ("bold white on dark_red", "black on cyan"), not on the theme's.
"""
from __future__ import annotations

from functools import lru_cache

from rich.color_triplet import ColorTriplet
from rich.terminal_theme import TerminalTheme

from widgets.colour_contrast import contrast, in_256_colours, luminance

MIN_CONTRAST = 4.6          # WCAG AA for text is 4.5:1; a little margin for rounding
# index: 0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 white, 8-15 bright
_KEEP = {0, 7, 15}

# Monokai's (Textual's dark terminal theme), but magenta a magenta: Monokai's is its red
DARK_BASE = TerminalTheme(
    (12, 12, 12), (217, 217, 217),
    [(26, 26, 26), (244, 0, 95), (152, 224, 36), (253, 151, 31), (157, 101, 255), (215, 95, 215),
     (88, 209, 235), (196, 197, 181), (98, 94, 76)],
    [(244, 0, 95), (152, 224, 36), (224, 213, 97), (157, 101, 255), (240, 130, 240), (88, 209, 235),
     (246, 246, 239)])
# Alabaster's (Textual's light terminal theme)
LIGHT_BASE = TerminalTheme(
    (247, 247, 247), (0, 0, 0),
    [(0, 0, 0), (170, 55, 49), (68, 140, 39), (203, 144, 0), (50, 92, 192), (122, 62, 157),
     (0, 131, 178), (247, 247, 247), (119, 119, 119)],
    [(240, 80, 80), (96, 203, 0), (255, 188, 93), (0, 122, 204), (230, 76, 230), (0, 170, 203),
     (247, 247, 247)])


def reads(fg: tuple[int, int, int], bg: tuple[int, int, int], ratio: float = MIN_CONTRAST) -> bool:
    """``fg`` on ``bg`` reads at ``ratio`` in true colour and in 256 colours."""
    return contrast(fg, bg) >= ratio and contrast(in_256_colours(fg), in_256_colours(bg)) >= ratio


def readable(rgb: tuple[int, int, int], backgrounds: tuple[tuple[int, int, int], ...],
             dark: bool, ratio: float = MIN_CONTRAST) -> tuple[int, int, int]:
    """``rgb`` blended toward white (dark themes) or black (light ones) in steps of 4 % until
    it reads at ``ratio`` (text: MIN_CONTRAST; a border: 3:1, WCAG's for what is not text)
    on every one of ``backgrounds``, in true colour and as a 256-colour terminal shows both;
    ``rgb`` itself if it does."""
    target = 255 if dark else 0
    for step in range(26):
        t = step / 25
        out = tuple(round(c + (target - c) * t) for c in rgb)
        if all(reads(out, bg, ratio) for bg in backgrounds):   # type: ignore[arg-type]
            return out          # type: ignore[return-value]
    return (target,) * 3


@lru_cache(maxsize=16)
def readable_ansi(dark: bool, backgrounds: tuple[tuple[int, int, int], ...]) -> TerminalTheme:
    """The terminal theme for a Textual theme whose text backgrounds are ``backgrounds``
    (RGB triplets): DARK_BASE or LIGHT_BASE with each colour but black, white and bright
    white made readable on all of them (:func:`readable`).  Cached: a theme change costs nothing
    the second time."""
    base = DARK_BASE if dark else LIGHT_BASE
    colours = [tuple(base.ansi_colors[i]) for i in range(16)]
    fixed = [c if i in _KEEP else readable(c, backgrounds, dark) for i, c in enumerate(colours)]
    bg, fg = tuple(base.background_color), tuple(base.foreground_color)
    return TerminalTheme(bg, fg, fixed[:8], fixed[8:])


def triplet(hex_colour: str) -> tuple[int, int, int]:
    """(r, g, b) of "#RRGGBB" or "#RRGGBBAA" (the alpha is dropped)."""
    h = hex_colour.lstrip("#")
    return ColorTriplet(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


# (variable, its background, the ratio): Textual's and mmviz's own text and border colours
_TEXT, _BORDER = 4.6, 3.0
READABLE_PAIRS = (
    ("foreground", "surface", _TEXT),                     # dialogs' labels (4.4:1 in 256 colours)
    ("markdown-h1-color", "surface", _TEXT), ("markdown-h2-color", "surface", _TEXT),
    ("markdown-h3-color", "surface", _TEXT),              # the help's headings (nord 2.8:1)
    ("mmviz-heading-text", "surface", _TEXT),             # the help's table heads
    ("mmviz-code-text", "mmviz-code-background", _TEXT),  # its `code` spans (gruvbox 3.5:1)
    ("footer-key-foreground", "footer-background", _TEXT),     # textual-light 2.9:1
    ("footer-description-foreground", "footer-background", _TEXT),
    ("mmviz-header-foreground", "panel", _TEXT),          # the header and the tab bar
    ("mmviz-accent-text", "panel", _TEXT),                # the tab bar's state (light: 1.1:1)
    ("mmviz-warning-text", "background", _TEXT),          # "the terminal is too small"
    ("mmviz-border", "background", _BORDER),              # panes' borders (textual-dark 1.9:1)
    ("mmviz-border-focus", "background", _BORDER))        # the focused pane's (light: 1.3:1)


def _hex(rgb) -> str:
    return "#%02X%02X%02X" % tuple(rgb)


def readable_variables(variables: dict[str, str], dark: bool) -> dict[str, str]:
    """Textual's CSS variables (App.get_css_variables) with mmviz's own added -- ``$mmviz-border``,
    ``$mmviz-border-focus`` (the panes' borders), ``$mmviz-header-foreground``,
    ``$mmviz-accent-text``, ``$mmviz-warning-text``, ``$mmviz-heading-text``,
    ``$mmviz-code-text`` (app/mmviz.tcss) -- and each colour of READABLE_PAIRS made readable
    on its background (:func:`readable`); a list's cursor row gets black or white text
    instead of Textual's "auto 87%" and a background that text reads on."""
    v = dict(variables)
    own = {"mmviz-header-foreground": "foreground", "mmviz-accent-text": "accent",
           "mmviz-warning-text": "warning", "mmviz-heading-text": "primary",
           "mmviz-code-text": "text-warning" if dark else "text-error",
           "mmviz-border": "secondary", "mmviz-border-focus": "accent"}
    v.update({k: v.get(name, "") for k, name in own.items()})
    # a `code` span's background: Textual's $warning 10% (dark) / $error 5% (light) on the surface
    tint, share = ("warning", 0.10) if dark else ("error", 0.05)
    surface, tinted = v.get("surface", ""), v.get(tint, "")
    if surface.startswith("#") and tinted.startswith("#"):
        v["mmviz-code-background"] = _hex(round(a + (b - a) * share)
                                           for a, b in zip(triplet(surface), triplet(tinted)))
    for key, back, ratio in READABLE_PAIRS:
        fg, bg = v.get(key, ""), v.get(back, "")
        if fg.startswith("#") and bg.startswith("#"):
            v[key] = _hex(readable(triplet(fg), (triplet(bg),), luminance(triplet(bg)) < 0.18, ratio))
    cursor = v.get("block-cursor-background", "")
    if cursor.startswith("#"):
        back = triplet(cursor)
        text = max(((0, 0, 0), (255, 255, 255)), key=lambda t: contrast(t, back))
        v["block-cursor-foreground"] = _hex(text)
        v["block-cursor-background"] = _hex(readable(back, (text,), text == (0, 0, 0)))
    return v
