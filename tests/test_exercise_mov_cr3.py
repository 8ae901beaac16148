"""A PAE exercise loads CR3 before it translates: a present PDPTE that sets a reserved bit
(R/W or U/S as a PDE would have them, A, D, PS, G, NX, or bits 63:36) is a #GP(0) at MOV CR3
(SDM Vol. 3A 4.4.1), not a walk that goes on as if the bit were not there."""
import pytest

from engine.paging import mov_cr3_pdpte_fault
from scenarios.problems import exercise
from scenarios.problems_walk import walk_answer

MEM = {0x2000: 0x3067, 0x3008: 0x5067}


@pytest.mark.parametrize("pdpte, bits", [(0x2003, 0x2), (0x2007, 0x6), (0x2021, 0x20), (0x20A1, 0xA0),
                                         (0x2001 | 1 << 63, 1 << 63), (0x2001 | 1 << 40, 1 << 40)])
def test_a_pdpte_with_a_reserved_bit_is_a_gp_at_mov_cr3(pdpte, bits):
    answer, working = exercise(0x1000, {0x1000: pdpte, **MEM}, 0x1234, pae=True)
    assert answer == f"general protection fault at MOV CR3 (PDPTE[0x0] = {pdpte:#x} sets reserved bits {bits:#x})"
    assert working == f"PDPTE[0x0] at 0x1000 = {pdpte:#x}"
    assert walk_answer(answer, "zh") == f"MOV CR3 时一般保护异常（PDPTE[0x0] = {pdpte:#x} 置了保留位 {bits:#x}）"


def test_any_of_the_four_counts_and_a_not_present_one_does_not():
    assert exercise(0x1000, {0x1000: 0x2001, 0x1018: 0x9003, **MEM}, 0x1234, pae=True)[0].startswith(
        "general protection fault at MOV CR3 (PDPTE[0x3]")
    assert exercise(0x1000, {0x1000: 0x2001, 0x1018: 0x9002, **MEM}, 0x1234, pae=True)[0] == "0x5234"


def test_pwt_pcd_and_the_software_bits_are_allowed():
    assert mov_cr3_pdpte_fault([0x2001 | 0x8 | 0x10 | 0xE00, 0, 0, 0]) is None
    assert exercise(0x1000, {0x1000: 0x2019, **MEM}, 0x1234, pae=True)[0] == "0x5234"


def test_two_level_paging_has_no_pdptes():
    assert exercise(0x1000, {0x1000: 0x2003, 0x2004: 0x5067}, 0x1234)[0] == "0x5234"


@pytest.mark.parametrize("entries, pae", [({0x1000: 1 << 32}, False), ({1 << 32: 1}, False),
                                          ({1 << 36: 1}, True), ({0x1000: 1 << 64}, True)])
def test_an_entry_the_entry_size_cannot_hold_is_refused_not_a_crash(entries, pae):
    with pytest.raises(ValueError, match="below 2\\^"):
        exercise(0x1000, entries, 0, pae=pae)


def test_the_command_line_says_so_in_one_line(capsys):
    from app.cli import main
    argv = ["quiz", "exercise", "--cr3", "0x1000", "--mem", "0x1000=0x100000000", "--vaddr", "0", "-c"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == ("mmviz quiz: --mem: 0x1000=0x100000000: 32-bit paging: PADDR and VALUE below 2^32 "
                   "(--pae for PAE's 8-byte entries)\n")
    assert main(["--lang", "zh", *argv]) == 2
    assert "32 位分页" in capsys.readouterr().err
    assert main(["quiz", "exercise", "--interactive", *argv[2:-1]]) == 2
    assert capsys.readouterr().out == ""
