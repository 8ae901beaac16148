"""An error about a lesson or a file names it as the user typed it: ``run ""`` once said
'.:1: cannot read lesson: it is a directory' (Path("") is "."), ``new "../bad name"`` named
'bad name', ``check ./a//b.toml`` named 'a/b.toml'."""
from __future__ import annotations

import pytest

from app import cli


@pytest.mark.parametrize("argv, said", [
    (["run", "", "--text"], "mmviz run: '': no such lesson (see: mmviz lessons)"),
    (["check", ""], "'': no such lesson (see: mmviz lessons)"),
    ([""], "mmviz: '': no such lesson (see: mmviz lessons)"),
    (["run", " ", "--text"], "mmviz run: ' ': no such lesson (see: mmviz lessons)"),
    (["check", "./nosuch//x.toml"], "./nosuch//x.toml:1: cannot read lesson: No such file or directory"),
    (["new", "../bad name"], "mmviz new: '../bad name': 'bad name' is not a lesson id "
                             "(lower-case letters, digits, - or _)"),
    (["new", "Bad Name"], "mmviz new: 'Bad Name' is not a lesson id (lower-case letters, digits, - or _)"),
])
def test_the_error_names_what_was_typed(argv, said, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == said + "\n"
    assert cli.main(["--lang", "zh", *argv]) == 2
    zh = capsys.readouterr().err
    assert argv[-1 if argv[0] == "new" else 1 if len(argv) > 1 else 0].strip() in zh and ": " not in zh, zh
