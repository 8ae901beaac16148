"""Every command takes the global options before or after its word alike, and speaks the
chosen language: ``mmviz walk ADDR --lang zh`` == ``mmviz --lang zh walk ADDR``, and differs
from ``--lang en`` wherever the command prints words of its own (headings, labels, notes,
errors).  What the kernel prints -- /proc files, boot-log lines -- is the same in both."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from app import cli
from app.cli_parser import build_parser

GT = Path(__file__).resolve().parent / "groundtruth" / "686-64M" / "dmesg.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")

# command -> (its arguments, whether its output has words of mmviz's own)
RUNS = {
    "lessons": ([], True),
    "run": (["page-walk", "--text", "--max-events", "1"], True),
    "glossary": ([], True),
    "check": (["buddy"], True),
    "quiz": (["walk", "--seed", "3", "-c", "--count", "2"], True),
    "layout": ([], True),
    "proc": (["/proc/buddyinfo"], False),             # the kernel's file, as the kernel prints it
    "walk": (["0x1000"], True),
    "boot": (["--dmesg", str(GT)], True),
    "explore": (["--text"], True),
    "record": (["buddy", "--svg", "{tmp}/svg", "--step", "0", "--quiet", "--size", "80x24"], True),
    "new": (["{tmp}/x.toml", "--force"], True),
    "schema": (["-o", "{tmp}/s.json"], True),
    "config": ([], True),
    "completion": (["bash"], False),                  # a shell script
    "serve": None,                                    # a server: its errors only (below)
}
# a bad value for each command: the error line is the user's language too
ERRORS = {
    "lessons": ["--lessons", "/no/such/folder"], "run": ["no-such-lesson", "--text"],
    "glossary": ["--lang", "fr"], "check": ["no-such-lesson"], "quiz": ["buddy", "--count", "0"],
    "layout": ["--ram", "1X"], "proc": ["/proc/nonexistent"], "walk": ["zz"],
    "boot": ["--dmesg", "/no/such/file"], "explore": ["--cpus", "x"],
    "record": ["buddy", "-o", "x.txt"], "new": ["Bad Name"], "schema": ["-o", "x.txt"],
    "config": ["--ram", "1G"], "completion": ["tcsh"], "serve": ["--port", "0"],
}


def _commands() -> set[str]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_every_command_is_checked():
    assert set(RUNS) == _commands() and set(ERRORS) == _commands()


def _run(capsys, argv):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    return tmp_path


@pytest.mark.parametrize("command", sorted(c for c, r in RUNS.items() if r is not None))
def test_lang_before_and_after_the_command_agree_and_zh_is_chinese(command, env, capsys):
    args, has_words = RUNS[command]
    args = [a.format(tmp=env) for a in args]
    before = _run(capsys, ["--lang", "zh", command, *args])
    after = _run(capsys, [command, *args, "--lang", "zh"])
    en = _run(capsys, [command, *args, "--lang", "en"])
    assert before[0] == 0, before
    assert before == after
    if has_words:
        assert before[1] != en[1] and CJK.search(before[1]), before[1][:400]
    else:
        assert before == en


@pytest.mark.parametrize("command", sorted(ERRORS))
def test_errors_speak_the_chosen_language_before_and_after(command, env, capsys, monkeypatch):
    monkeypatch.chdir(env)
    args = ERRORS[command]
    before = _run(capsys, ["--lang", "zh", command, *args])
    after = _run(capsys, [command, *args, "--lang", "zh"])
    en = _run(capsys, [command, *args, "--lang", "en"])
    assert before[0] != 0 and before == after, (before, after)
    assert len(before[2].strip().splitlines()) == 1 and len(en[2].strip().splitlines()) == 1
    assert before[2] != en[2] and CJK.search(before[2]), (before[2], en[2])
    assert "Traceback" not in before[2] + en[2]


def test_a_global_option_that_does_not_fit_is_refused_before_and_after(capsys):
    for argv in (["--ram", "1G", "lessons"], ["lessons", "--ram", "1G"]):
        code, _, err = _run(capsys, argv)
        assert code == 2 and err.strip() == ("mmviz lessons: --ram does not apply to this command "
                                             "(mmviz lessons --help lists its options)")


def test_boot_in_english_is_the_engines_summary(capsys):
    import engine
    from engine.dmesg import summary
    code, out, _ = _run(capsys, ["boot", "--dmesg", str(GT), "--lang", "en"])
    assert code == 0
    assert out.splitlines() == summary(engine.Machine.from_dmesg(GT.read_text()))


def test_run_text_refuses_the_machine_options_before_and_after(capsys):
    # a lesson boots its own machine (tests/test_cli_lesson_machine.py): refused either way
    a = _run(capsys, ["--ram", "256M", "run", "page-walk", "--text", "--max-events", "0"])
    b = _run(capsys, ["run", "page-walk", "--text", "--max-events", "0", "--ram", "256M"])
    assert a == b and a[0] == 2 and a[1] == "" and "--ram 256M cannot be used with a lesson" in a[2]


FIELD = Path(__file__).resolve().parent / "field_cases"       # byte copies of shared/field/cases
NOT_BOOT_LOGS = ("12-", "14-")      # two oopses and a translation exercise: no boot log lines
LOGS = sorted(FIELD.glob("*.txt")) + sorted((GT.parent.parent).glob("*/dmesg.txt"))
PROSE = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){2,}\b")      # three English words in a row


def _mmviz_words(line: str) -> str:
    """The part of a boot line that is mmviz's: an assumption, or a reason in brackets
    (the log's and mmviz's kernel lines are not; quoted log text inside is not either)."""
    if line.startswith("假定："):
        text = line
    elif line.rstrip().endswith("）") and "（" in line:
        text = line[line.index("   （"):] if "   （" in line else ""
    else:
        return ""
    return re.sub(r"'[^']*'", "", text)


@pytest.mark.skipif(not LOGS, reason="no boot logs")
def test_boot_says_its_assumptions_and_reasons_in_chinese(capsys):
    """Every assumption and reason mmviz prints for the field cases and the ground truth is
    Chinese in zh (the kernel's lines it compares stay as logged)."""
    seen = 0
    for log in LOGS:
        code, out, _ = _run(capsys, ["boot", "--dmesg", str(log), "--lang", "zh"])
        if log.name.startswith(NOT_BOOT_LOGS):
            assert code == 1 and not out
            continue
        assert code == 0
        for line in out.splitlines():
            words = _mmviz_words(line)
            if words:
                seen += 1
                assert not PROSE.search(words), (log.name, line)
    assert seen >= 10


@pytest.mark.parametrize("argv, config", [
    (["lessons"], 'theme = "nope"\n'), (["lessons"], 'lang = "fr"\n'), (["lessons"], "x = 1\n"),
    (["lessons"], '[keymap]\nstepp = "x"\n'), (["lessons"], "= bad\n"),
    (["record", "buddy", "-o", "a.cast", "--size", "10x10"], ""),
    (["walk", "0xc0000000", "--step", "3"], ""), (["proc", "/proc/self/maps"], ""),
    (["--kernel", "9.9", "--text"], ""), (["--ram", "100G", "--text"], ""), (["--nx", "--text"], ""),
    (["--swap", "100G", "--text"], ""), (["--text", "--config", "NR_CPUS=0"], ""),
    (["quiz", "exercise"], ""), (["record", "buddy"], ""), (["check", "."], ""),
])
def test_more_errors_in_chinese(argv, config, env, capsys, monkeypatch):
    monkeypatch.chdir(env)
    if config:
        (env / "config.toml").write_text(config, encoding="utf-8")
    code, _, err = _run(capsys, ["--lang", "zh", *argv])
    line = re.sub(r"'[^']*'|\([^)]*\)", "", err)       # quoted values and the kernel's own words
    assert code != 0 and len(err.strip().splitlines()) == 1 and CJK.search(err), err
    assert not PROSE.search(line.split("：", 1)[-1] if "：" in line else line), err


def test_boot_of_a_file_that_is_not_a_boot_log_is_one_error_line(capsys, tmp_path):
    """An oops, an exercise or any other text has no memory line to compare: one error line
    and status 1, not "0 of 0 memory lines equal" and success; a log that cannot be read says
    so the same way (the command, the file, the reason) with status 2: no such file is a bad
    argument, as no such lesson is."""
    other = tmp_path / "notes.txt"
    other.write_text("hello\nBUG: unable to handle kernel paging request at 0000dead\n")
    for path in (other, FIELD / "14-so-two-level-translation-exercise.txt"):
        code, out, err = _run(capsys, ["boot", "--dmesg", str(path)])
        assert code == 1 and not out and err.count("\n") == 1, err
        assert err.startswith(f"mmviz boot: {path}: no memory line of a boot log"), err
    for path, why in ((tmp_path / "missing.log", "No such file or directory"), (tmp_path, "Is a directory")):
        code, out, err = _run(capsys, ["boot", "--dmesg", str(path)])
        assert (code, out, err) == (2, "", f"mmviz boot: {path}: {why}\n")
        code, out, err = _run(capsys, ["--lang", "zh", "boot", "--dmesg", str(path)])
        assert code == 2 and err.startswith("mmviz boot：") and "No such" not in err, err
