"""Every option value of every command is read by a checking type (app/cli_types.py): a bad
value is one line naming the option and the form it takes -- never Python's int()/float()
message, never a traceback -- and every file an option writes has its format's suffix."""
from __future__ import annotations

import argparse

import pytest

from app import cli
from app.cli_parser import build_parser

# options whose value is free text, each checked where it is used (with its one-line error)
FREE_TEXT = {
    "--lang": "choices", "--allocator": "choices", "--layout": "choices", "--kind": "choices",
    "--kernel": "kernel_release", "--config": "KEY=VALUE (app/cli_boot._config)",
    "--lessons": "a folder (app/cli_author.apply_settings)", "--lesson": "a lesson id or file",
    "--size": "COLSxROWS (app/record.parse_size)", "--host": "an address for the server",
    "--dmesg": "a file to read ('-': stdin)",
}
BAD = "zz!"


def _actions():
    """(command, option, action) for every option that takes a value, top level included."""
    p = build_parser()
    out = [("", a.option_strings[-1], a) for a in p._actions if a.option_strings]
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                out += [(name, b.option_strings[-1], b) for b in sub._actions if b.option_strings]
    return [(c, o, a) for c, o, a in out if a.nargs != 0 and not isinstance(a, argparse._HelpAction)]


def test_every_option_value_is_read_by_a_checking_type():
    loose = [(c, o) for c, o, a in _actions()
             if a.type in (None, int, float) and o not in FREE_TEXT]
    assert loose == []
    assert not [(c, o) for c, o, a in _actions() if a.type in (int, float)]


def _command_line(command: str, option: str, value: str) -> list[str]:
    needs = {"run": ["buddy", "--text"], "record": ["buddy"], "walk": ["0xc0000000"],
             "proc": ["/proc/meminfo"], "quiz": ["exercise"], "boot": ["--dmesg", "-"],
             "serve": ["buddy"], "check": ["buddy"], "new": ["x"], "completion": ["bash"]}
    head = [command, *needs.get(command, [])] if command else []
    return [*head, option, value]


CHECKED = sorted({(c, o) for c, o, a in _actions() if o not in FREE_TEXT and o != "--svg"})  # below


@pytest.mark.parametrize("command, option", CHECKED)
def test_a_bad_value_is_one_line_naming_the_option_and_its_form(command, option, capsys):
    assert cli.main(_command_line(command, option, BAD)) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1, err
    assert option in lines[0] or option.lstrip("-") in lines[0], lines[0]
    assert ("expected" in lines[0] or "must" in lines[0]) and repr(BAD) in lines[0], lines[0]
    assert "int()" not in err and "invalid int value" not in err and "Traceback" not in err


@pytest.mark.parametrize("argv, said", [
    (["quiz", "exercise", "--cr3", "0x1000", "--vaddr", "0x1000", "--mem", "foo"],
     "argument --mem: expected PADDR=VALUE,... (e.g. 0x1000=0x2067,0x2004=0x3067), got 'foo'"),
    (["quiz", "exercise", "--cr3", "0x1000", "--vaddr", "0x1000", "--mem", "0x1=zz"],
     "argument --mem: expected PADDR=VALUE,"),
    (["quiz", "buddy", "--count", "0"], "argument --count: expected a whole number 1..50, got 0"),
    (["serve", "--port", "70000"], "argument --port: expected a whole number 1..65535, got 70000"),
    (["run", "buddy", "--text", "--max-events", "-1"], "argument --max-events: expected a whole number >= 0"),
    (["layout", "--ram", "1X"], "argument --ram: expected a size like 160M"),
    (["--ram", "100G", "--text"], "mmviz: --ram: '100G' is more than x86-32 can address"),
    (["layout", "--ram", "3M"], "mmviz layout: --ram: '3M' is too small"),
    (["--cpus", "0", "--text"], "mmviz: --cpus: must be 1..32"),
    (["--nx", "--text"], "mmviz: --nx: the NX bit exists only in PAE page tables (add --pae)"),
    (["record", "buddy", "-o", "a.cast", "--step-seconds", "nan"], "argument --step-seconds: expected"),
])
def test_range_and_form_errors(argv, said, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1, err


# -- files the commands write: the suffix names the format ------------------------------
@pytest.mark.parametrize("argv, suffixes", [
    (["record", "buddy", "-o", "{tmp}/x.txt"], ".cast or .svg"),
    (["record", "buddy", "-o", "{tmp}/x"], ".cast or .svg"),
    (["schema", "-o", "{tmp}/x.txt"], ".json"),
])
def test_an_output_file_with_another_suffix_is_refused(argv, suffixes, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"the file name must end in {suffixes}" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []                   # nothing written


def test_every_output_option_checks_its_suffix():
    outputs = [(c, o, a) for c, o, a in _actions() if a.dest == "output"]
    assert {c for c, _, _ in outputs} == {"record", "schema"}
    assert all(getattr(a.type, "__name__", "") == "file name" for _, _, a in outputs)


def test_svg_folder_is_a_folder(tmp_path, capsys):
    f = tmp_path / "a.svg"
    assert cli.main(["record", "buddy", "--svg", str(f)]) == 2        # a new name like a file
    assert "give a folder (for one animated SVG use -o FILE.svg)" in capsys.readouterr().err
    f.write_text("x")
    assert cli.main(["record", "buddy", "--svg", str(f)]) == 2        # an existing file
    assert "is a file; give a folder" in capsys.readouterr().err
    assert not (tmp_path / "a.svg").is_dir()


def test_a_folder_named_like_a_lesson_does_not_hide_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "buddy").mkdir()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "buddy"]) == 0
    assert "buddy.toml: ok (buddy" in capsys.readouterr().out
    (tmp_path / "not-a-lesson").mkdir()
    assert cli.main(["check", "not-a-lesson"]) == 2          # no lesson file named: an argument error
    assert "it is a directory" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["layout"], ["explore", "--text"], ["quiz", "buddy"], ["walk", "0xc0000000"],
                                  ["proc", "zoneinfo"]], ids=" ".join)
def test_every_command_s_error_names_the_command_as_argparse_does(argv, capsys):
    """'mmviz layout: --ram: ...' like argparse's 'mmviz layout: argument --ram: ...', never a bare
    'mmviz: --ram: ...' for one command and 'mmviz walk: ...' for another."""
    assert cli.main([*argv, "--ram", "3M"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mmviz {argv[0]}: --ram: '3M' is too small"), err
    assert cli.main(["--lang", "zh", *argv, "--ram", "3M"]) == 2
    assert capsys.readouterr().err.startswith(f"mmviz {argv[0]}：--ram："), err


def test_too_little_ram_says_when_this_kernel_needs_more_than_16m(capsys):
    """6.1 is loaded at 16M (CONFIG_PHYSICAL_START): '0' must not read as if 16M would do."""
    assert cli.main(["layout", "--ram", "0"]) == 2
    assert "this one more: its image is loaded at 16M" in capsys.readouterr().err
    assert cli.main(["layout", "--ram", "0", "--kernel", "2.6"]) == 2       # loaded at 1M
    err = capsys.readouterr().err
    assert err.rstrip().endswith("needs at least 16M"), err


@pytest.mark.parametrize("argv, head", [(["layout", "--bogus"], "mmviz layout: unrecognized arguments"),
                                        (["quiz", "buddy", "extra"], "mmviz quiz: unrecognized arguments"),
                                        (["walk", "0xc0000000", "--lesson", "nosuch"], "mmviz walk: nosuch: no such"),
                                        (["run", "nosuch", "--text"], "mmviz run: nosuch: no such lesson"),
                                        (["--bogus"], "mmviz: unrecognized arguments")], ids=" ".join)
def test_argparse_s_top_level_errors_and_a_missing_lesson_name_the_command(argv, head, capsys):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.startswith(head)
