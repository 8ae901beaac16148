"""Every --config KEY=VALUE is read by its key's kind: a Kconfig bool (y/n), a number in its
range, one of its choices, a size.  --config THP=maybe was taken (as on), HIGHMEM64G=maybe
too, fixmap_slots=x stopped with an internal error; the errors are one line, exit 2, and in
Chinese under --lang zh (kernel words kept)."""
from __future__ import annotations

import re

import pytest

import engine
from app.cli import main
from app.cli_config import kind_of, read_pair
from engine.config import BUILD_KEYS
from engine.errors import ConfigError

KEYS = sorted(BUILD_KEYS) + ["HIGHMEM64G", "CONFIG_HIGHMEM4G", "VMSPLIT"]
KERNEL_WORDS = r"flatmem|sparsemem|sizeof\(struct page\)|Linux|kmap|i386|hpet|^mmviz( \w+)?|--config|Kconfig|bool|KEY=VALUE|kB|\b[A-Z_0-9]{2,}\b|'[^']*'|\w*_\w*|0x\w+|\d+[MK]?"


def zh_has_no_english(err: str) -> bool:
    return not re.search(r"[A-Za-z]{3,}", re.sub(KERNEL_WORDS, "", err))


@pytest.mark.parametrize("key", KEYS)
def test_every_key_refuses_a_value_of_the_wrong_kind(capsys, key):
    bad = "maybe"
    assert main(["--lang", "en", "layout", "--config", f"{key}={bad}"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"{key} must be" in err and "got 'maybe'" in err, err
    assert main(["--lang", "zh", "layout", "--config", f"{key}={bad}"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and zh_has_no_english(err.replace(key, "")), err


@pytest.mark.parametrize("key", [k for k in KEYS if kind_of(k)[0] == "bool"])
def test_a_bool_takes_kconfig_answers_only(key):
    assert read_pair(f"{key}=y") == (key, True) and read_pair(f"{key}=n") == (key, False)
    assert read_pair(f"{key}=1") == (key, True) and read_pair(f"{key}=off") == (key, False)
    for bad in ("2", "maybe", "", "yess"):
        with pytest.raises(ValueError, match="must be y or n"):
            read_pair(f"{key}={bad}")


def test_values_of_each_kind_are_read():
    assert read_pair("NR_CPUS=0x8") == ("NR_CPUS", 8)
    assert read_pair("KFENCE=y") == ("KFENCE", True) and read_pair("KFENCE=512") == ("KFENCE", 512)
    assert read_pair("log_buf_kb=7M") == ("log_buf_kb", "7M") and read_pair("log_buf_kb=256") == ("log_buf_kb", 256)
    assert read_pair("PHYSICAL_START=16M") == ("PHYSICAL_START", "16M")
    assert read_pair("VMSPLIT=vmsplit_2g") == ("VMSPLIT", "2G")
    assert read_pair("initrd_start=0x8b2000") == ("initrd_start", 0x8b2000)
    assert read_pair("memory_model=sparsemem") == ("memory_model", "sparsemem")


@pytest.mark.parametrize("args", [["--config", "struct_page_size=33"], ["--config", "PHYSICAL_START=1k"],
                                  ["--kernel", "5.4", "--config", "KFENCE=y"],
                                  ["--config", "DEBUG_RODATA=n"], ["--config", "fixmap_slots=2"],
                                  ["--config", "NR_CPUS=010"], ["--config", "no_such_option=1"]])
def test_what_the_engine_refuses_is_one_line_in_zh_too(capsys, args):
    assert main(["--lang", "en", "layout", *args]) == 2
    en = capsys.readouterr().err
    assert main(["--lang", "zh", "layout", *args]) == 2
    zh = capsys.readouterr().err
    assert len(en.splitlines()) == 1 and len(zh.splitlines()) == 1 and zh_has_no_english(zh), zh


@pytest.mark.parametrize("config", [{"THP": "maybe"}, {"HIGHMEM64G": "n"}, {"CONFIG_HIGHMEM4G": 2},
                                    {"fixmap_slots": "x"}])
def test_the_engine_refuses_them_too(config):
    # a lesson's config = { THP = "maybe" } reaches the engine without the command line
    with pytest.raises(ConfigError, match="must be"):
        engine.Machine.boot(ram="64M", config=config)


def test_highmem_switches_still_choose_pae():
    assert engine.Machine.boot(ram="1G", config={"HIGHMEM64G": True}).config.pae
    assert not engine.Machine.boot(ram="1G", config={"HIGHMEM4G": True}).config.pae
    with pytest.raises(ConfigError, match="without PAE"):      # pae=True says otherwise: refused
        engine.Machine.boot(ram="1G", config={"HIGHMEM4G": True}, pae=True)
