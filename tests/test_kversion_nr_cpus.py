"""CONFIG_NR_CPUS takes the range arch/x86/Kconfig gives an i386 build of the release: 2..255
in 2.6.24, up to 512 from MAXSMP (2.6.26), up to 64 from 4.15 (the 32-bit cpu_entry_area).
A build no kernel of the release could be configured with is refused, not drawn."""
import pytest

from engine import ConfigError, Machine
from engine.config import make_config


@pytest.mark.parametrize("kernel, most", [("2.6.24", 255), ("3.16", 512), ("4.14", 512),
                                          ("4.19", 64), ("6.1", 64)])
def test_the_largest_nr_cpus_of_a_release_boots_and_one_more_is_refused(kernel, most):
    assert make_config(kernel=kernel, config={"NR_CPUS": most}).flavour.nr_cpus_config == most
    with pytest.raises(ConfigError, match=rf"1\.\.{most} on i386 .*arch/x86/Kconfig.*got {most + 1}"):
        make_config(kernel=kernel, config={"NR_CPUS": most + 1})


def test_a_6_1_build_with_512_cpus_is_refused_not_given_an_80_mb_cpu_entry_area():
    with pytest.raises(ConfigError):
        Machine.boot(ram="1G", config={"NR_CPUS": 512})
    m = Machine.boot(ram="1G", config={"NR_CPUS": 64})
    assert m.check() is None or m.check() == []


def test_the_command_line_says_the_release_s_range(capsys):
    from app import cli
    assert cli.main(["explore", "--text", "--config", "NR_CPUS=512"]) != 0
    err = capsys.readouterr().err
    assert "1..64" in err and "512" in err and len(err.strip().splitlines()) == 1, err
    assert cli.main(["layout", "--kernel", "4.9", "--config", "NR_CPUS=512"]) == 0


def test_the_layout_names_the_release_and_its_cpus(capsys):
    """'kernel 2.6' named a family; the layout's first line names the release, the CPUs and
    CONFIG_NR_CPUS, which size the fixmap and the cpu_entry_area drawn below it."""
    from app import cli
    assert cli.main(["layout", "--kernel", "2.6", "--cpus", "2"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "kernel 2.6.24," in first and "2 CPU(s), NR_CPUS 8" in first, first
    assert cli.main(["--lang", "zh", "layout", "--kernel", "4.19", "--config", "NR_CPUS=4"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "内核 4.19，" in first and "NR_CPUS 4" in first, first


def test_a_release_named_pae_is_a_pae_build_and_junk_after_a_version_is_refused():
    with pytest.raises(ConfigError, match="names a PAE build"):
        make_config(kernel="3.16.0-4-686-pae")
    assert make_config(kernel="3.16.0-4-686-pae", pae=True).pae
    for bad in ("2.6.x", "3.16a", "4.9.1.2.3x"):
        with pytest.raises(ConfigError, match="not a version"):
            make_config(kernel=bad)
    for good in ("2.6.24-19-generic", "6.1.0-rc7", "4.9.0+", "3.2.0-4-486"):
        make_config(kernel=good)
