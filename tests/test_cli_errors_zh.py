"""In zh, an error line of the command line is mmviz's words in Chinese: no English phrase
of mmviz's own is left in it (option names, values, paths and what the kernel or a library
prints in quotes stay as typed), and Chinese is not spaced like English ("应为整数")."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import cli

PROSE = re.compile(r"\b[a-zA-Z]{2,}(?: [a-zA-Z]{2,}){2,}\b")     # three English words in a row
SPACED = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")           # 应为 整数

BAD = [
    ["--ram", "-1G", "--text"],                              # argparse: expected one argument
    ["--ram", "1X", "layout"],
    ["lessons", "--ram", "1G"],                              # does not apply (... --help lists ...)
    ["record", "buddy", "-o", "x.cast", "--size", "abc"],
    ["record", "buddy", "-o", "x.cast", "--size", "10x5"],
    ["record", "buddy", "-o", "x.txt"],
    ["check", "/no/such/lesson.toml"],                       # the OS's reason, in Chinese
    ["quiz", "buddy", "--seed", "abc"],
    ["layout", "--config", "NR_CPUS=abc"],
    ["layout", "--config", "NR_CPUS"],
    ["layout", "--cpus", "99"],
    ["walk", "0xzz"],
    ["walk", "0x1000", "--pid", "99"],
    ["boot", "--dmesg", "/no/such/file"],
    ["boot", "--dmesg", str(Path(__file__).resolve().parent / "field_cases" / "12-pae-oops-kernel-pde-flags.txt")],
    ["serve", "--port", "abc"],
]


def _mmviz_words(line: str) -> str:
    """The line without what is quoted or typed: values in quotes, options, paths."""
    line = re.sub(r"'[^']*'", "", line)
    return re.sub(r"(--?[a-z][-a-z]*|/\S*)", "", line)


@pytest.mark.parametrize("argv", BAD, ids=" ".join)
def test_a_zh_error_line_has_no_english_phrase_of_mmviz(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    code = cli.main(["--lang", "zh", *argv])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1, err
    words = _mmviz_words(err)
    assert not PROSE.search(words), err
    assert not SPACED.search(err), err


def test_the_exit_status_of_a_bad_config_pair_is_a_usage_error(capsys):
    """--config NR_CPUS (no =VALUE) is a bad option value like --config NR_CPUS=abc: status 2."""
    assert cli.main(["layout", "--config", "NR_CPUS=abc"]) == 2
    assert cli.main(["layout", "--config", "NR_CPUS"]) == 2
    capsys.readouterr()


@pytest.mark.parametrize("command", [["layout"], ["proc", "/proc/meminfo"], ["walk", "0xc0000000"]])
def test_the_machine_commands_boot_every_machine_option_given(command, capsys):
    """layout, proc and walk take all the machine options (cli_parser.TAKES): each reaches
    boot() -- none is accepted and then dropped -- and a bad one is refused."""
    assert cli.main([*command, "--cpus", "99"]) == 2
    assert "--cpus" in capsys.readouterr().err
    assert cli.main([*command, "--nx"]) == 2                    # NX needs PAE page tables
    assert "--nx" in capsys.readouterr().err


def test_layout_and_proc_show_the_allocator_and_swap_asked_for(capsys):
    assert cli.main(["layout", "--allocator", "slab"]) == 0
    assert "SLAB" in capsys.readouterr().out.splitlines()[0]
    assert cli.main(["proc", "/proc/meminfo", "--swap", "64M"]) == 0
    assert "SwapTotal:         65532 kB" in capsys.readouterr().out


def _provoked() -> list[tuple[str, list[str], dict[str, str]]]:
    """Every bad command line the CLI tests run (their argument lists), with the environment
    some need; each error line they provoke is checked in zh below."""
    import test_cli_exit_status as exit_status
    import test_cli_lang as lang
    import test_cli_numeric_ranges as ranges
    cases = [(" ".join(argv), argv, {}) for argv in BAD + exit_status.USAGE]
    cases += [(f"{c} {' '.join(a)}", [c, *a], {}) for c, a in lang.ERRORS.items() if c != "serve"]
    cases += [(f"{c} {o}", [c, *ranges.BEFORE.get(c, []),
                            *(ranges.WITH_LESSON.get(o, []) if c in ("proc", "walk") else []), o, v], {})
              for c, o, v in ranges.OPTIONS if c not in ("run", "serve", "record")]
    cases += [(f"{o} huge", ["layout", o, "9" * 23 + "G"], {}) for o in ("--ram", "--swap", "--vmalloc")]
    cases += [("swap over an area", ["layout", "--ram", "1G", "--swap", "99G"], {})]
    for name, text in (("bad toml", "root:x:0:0:root:/root:/bin/bash\n"), ("bad theme", 'theme = "x"\n')):
        cases += [(f"MMVIZ_CONFIG {name} {c}", [c, *a], {"config": text})
                  for c, a in (("lessons", []), ("check", ["buddy"]))]
    return cases


PROVOKED = _provoked()


@pytest.mark.parametrize("argv, env", [(a, e) for _, a, e in PROVOKED], ids=[i[:40] for i, _, _ in PROVOKED])
def test_every_error_the_tests_provoke_is_chinese_in_zh(argv, env, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    if "config" in env:
        config.write_text(env["config"], encoding="utf-8")
    monkeypatch.setenv("MMVIZ_CONFIG", str(config))
    code = cli.main(["--lang", "zh", *[a.replace("{tmp}", str(tmp_path)) for a in argv]])
    err = capsys.readouterr().err.strip()
    assert err and (code != 0 or argv[0] == "check"), (code, err)
    for line in err.splitlines():
        assert not PROSE.search(_mmviz_words(line)), line
        assert not SPACED.search(line), line
    if "config" in env:
        assert "MMVIZ_CONFIG" in err, err          # which file, and why that one


def test_the_swap_limit_names_the_page_table_kind_in_chinese(capsys):
    assert cli.main(["--lang", "zh", "layout", "--ram", "1G", "--swap", "99G"]) == 2
    err = capsys.readouterr().err
    assert "非 PAE" in err and "non-PAE" not in err, err
