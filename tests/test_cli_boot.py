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
    assert "mmviz [LESSON]" in text and "--kernel RELEASE" in text and "2.6.20 .. 6.12" in text
    assert "buddy" in text and "page-walk" in text and "steps" in text


def test_boot_options_reach_the_machine(capsys):
    assert main(["--ram", "1G", "--kernel", "2.6", "--text"]) == 0
    out = capsys.readouterr().out
    assert "1024 MB RAM" in out and "kernel 2.6" in out and "SLAB" in out
    assert main(["--ram", "256M", "--kernel", "6.1", "--allocator", "slab", "--text"]) == 0
    assert "SLAB" in capsys.readouterr().out


def test_bad_boot_option_is_one_line(capsys):
    for bad in ("7.0", "2.4.37", "latest"):
        assert main(["--kernel", bad, "--text"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--kernel" in err and "2.6.20 .. 6.12" in err, err


def test_boot_options_for_the_tui():
    app = MmvizApp(machine={"ram": "1G", "kernel": "2.6", "pae": True})
    c = app.timeline.machine.config
    assert (c.ram >> 20, c.kernel, c.pae) == (1024, "2.6", True)
    assert len(app.timeline) == 0                    # free exploration
    ns = build_parser().parse_args(["--ram", "64M", "--kernel", "2.6", "--layout", "compact"])
    from app.cli_machine_args import boot_options
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


def test_every_subcommand_taking_a_kernel_takes_any_release(capsys):
    """layout, proc, walk, boot and free exploration take what boot(kernel=) takes."""
    import json
    for args in (["layout", "--kernel", "3.16", "--json"], ["proc", "/proc/zoneinfo", "--kernel", "2.6.31"],
                 ["walk", "0xc0100000", "--kernel", "4.19"], ["--ram", "256M", "--kernel", "5.10", "--text"]):
        assert main(args) == 0, args
        text = capsys.readouterr().out
        assert text.strip(), args
    assert main(["layout", "--kernel", "3.16", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["kernel"] == "3.16" and rec["fixmap_estimated"] is True
    for sub in (["layout"], ["proc", "/proc/meminfo"], ["walk", "0xc0000000"]):
        assert main([*sub, "--kernel", "6.13"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "2.6.20 .. 6.12" in err, err


def test_fixmap_estimate_is_said_on_screen(capsys):
    import engine
    from widgets.stepview import machine_text
    assert main(["layout", "--kernel", "4.9"]) == 0
    assert "an estimate for 4.9" in capsys.readouterr().out
    assert main(["layout", "--kernel", "2.6.31"]) == 0           # checked against field case 04
    assert "estimate" not in capsys.readouterr().out
    assert "fixmap size estimated" in machine_text(engine.Machine.boot(ram="1G", kernel="3.16"))
    assert "estimated" not in machine_text(engine.Machine.boot(ram="1G", kernel="2.6"))
    m = engine.Machine.from_dmesg(open("tests/field_cases/05-ubuntu-3.5-pae-2G-a880g-boot.txt").read(),
                                  kernel="3.8")
    assert not m.layout.fixmap_estimated                         # the log's fixmap line gives it


def test_free_exploration_boots_the_documented_default_and_names_it():
    """README: kernel="6.1" is the default; free exploration without --kernel boots it and the
    header names it.  A command typed during a lesson explores that lesson's machine instead."""
    from app.app import load_timeline
    from widgets.stepview import machine_text
    readme = open("README.md", encoding="utf-8").read()
    assert '`kernel="6.1"` (default)' in readme
    tl = load_timeline(machine={"ram": "1G"})
    assert len(tl) == 0 and tl.machine.config.kernel == "6.1"
    assert "Linux 6.1.0-50-686" in machine_text(tl.machine)
    first = load_timeline()                       # mmviz with no arguments: the first lesson
    assert len(first) > 0
    assert f"Linux {first.machine.config.flavour.release}" in machine_text(first.machine)
