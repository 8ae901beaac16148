"""mmviz's top-level options: the LESSON form and the lessons in --help, boot options for free
exploration (--kernel and the others), the language from the locale."""
from __future__ import annotations

from app.app import MmvizApp
from app.cli import build_parser, main
from widgets.i18n import UI, default_lang


def test_help_shows_the_lesson_form_and_the_lessons(capsys):
    try:
        main(["--help"])
    except SystemExit:
        pass
    text = capsys.readouterr().out
    assert "mmviz [LESSON]" in text and "--kernel {2.6,6.1}" in text
    assert "buddy" in text and "page-walk" in text and "steps" in text


def test_boot_options_reach_the_machine(capsys):
    assert main(["--ram", "1G", "--kernel", "2.6", "--text"]) == 0
    out = capsys.readouterr().out
    assert "1024 MB RAM" in out and "kernel 2.6" in out and "SLAB" in out
    assert main(["--ram", "256M", "--kernel", "6.1", "--allocator", "slab", "--text"]) == 0
    assert "SLAB" in capsys.readouterr().out


def test_bad_boot_option_is_one_line(capsys):
    assert main(["--kernel", "3.0", "--text"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--kernel" in err


def test_boot_options_for_the_tui():
    app = MmvizApp(machine={"ram": "1G", "kernel": "2.6", "pae": True})
    c = app.timeline.machine.config
    assert (c.ram >> 20, c.kernel, c.pae) == (1024, "2.6", True)
    assert len(app.timeline) == 0                    # free exploration
    ns = build_parser().parse_args(["--ram", "64M", "--kernel", "2.6", "--layout", "compact"])
    from app.cli_more import boot_options
    assert boot_options(ns) == {"ram": "64M", "kernel": "2.6"} and ns.layout == "compact"


def test_language_from_the_locale(monkeypatch):
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert default_lang({"LC_ALL": "zh_TW.UTF-8"}) == "zh"
    assert default_lang({}) == "en"
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert MmvizApp(lesson="buddy", lang=None).lang == "zh"
    assert MmvizApp(lesson="buddy", lang="en").lang == "en"


def test_every_ui_string_exists_in_both_languages():
    assert set(UI["en"]) == set(UI["zh"])
    for key, text in UI["zh"].items():
        assert text.strip(), key
