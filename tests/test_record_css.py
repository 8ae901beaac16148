"""A recording parses each piece of CSS once per process (app.record.css_parsed_once), and
only where Textual's own parse would give the same rules: same text, origin and variables."""
from __future__ import annotations

import textual.css.stylesheet as stylesheet_module
from textual.css.stylesheet import Stylesheet

from app.record import css_parsed_once

CSS = "Label { color: $accent; padding: 1 2; }"


def parses(monkeypatch) -> list[str]:
    monkeypatch.setattr("app.record._PARSED_CSS", {})       # what earlier tests parsed
    calls: list[str] = []
    parse = stylesheet_module.parse

    def counted(scope, css, *args, **kwargs):
        calls.append(css)
        return parse(scope, css, *args, **kwargs)
    monkeypatch.setattr(stylesheet_module, "parse", counted)
    return calls


def sheet(accent: str) -> Stylesheet:
    s = Stylesheet(variables={"accent": accent})
    s.add_source(CSS, ("test.tcss", ""))
    s.parse()
    return s


def test_second_stylesheet_reuses_the_parse(monkeypatch):
    calls = parses(monkeypatch)
    with css_parsed_once():
        first, second = sheet("red"), sheet("red")
    assert len(calls) == 1
    assert second.rules == first.rules and second.rules


def test_other_variables_or_outside_the_block_parse_again(monkeypatch):
    calls = parses(monkeypatch)
    with css_parsed_once():
        red, blue = sheet("red"), sheet("blue")
    assert len(calls) == 2
    assert red.rules[0].styles.color != blue.rules[0].styles.color
    sheet("red")                        # Textual's own behaviour again: a new Stylesheet parses
    assert len(calls) == 3
