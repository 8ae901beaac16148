"""docs/KERNEL_VERSIONS.md is the generator's output, and names every rule with its source."""
from __future__ import annotations

from engine.kversion import RULES
from engine.kversion_doc import DOC_PATH, main, markdown


def test_shipped_doc_is_the_generated_one():
    assert DOC_PATH.read_text(encoding="utf-8") == markdown(), "run: python -m engine.kversion_doc --write"


def test_every_rule_appears_under_its_release_with_its_source():
    doc = markdown()
    for r in RULES:
        head = "## " + ".".join(map(str, r.since))
        section = doc.split(head + "\n", 1)[1].split("\n## ", 1)[0]
        assert f"| `{r.field}` |" in section and r.source.split(" ")[0] in section, r


def test_main_prints_the_document(capsys):
    assert main([]) == 0
    assert capsys.readouterr().out == markdown()
