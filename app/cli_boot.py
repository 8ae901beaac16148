"""``mmviz boot --dmesg FILE``: boot the machine a real boot log describes, real vs mmviz lines."""
from __future__ import annotations

import argparse
from typing import Any


def add_boot_parser(sub: Any) -> None:
    from .cli_parser import kernel_release
    s = sub.add_parser("boot", help="boot the machine a real boot log describes; real vs mmviz lines")
    s.add_argument("--dmesg", required=True, metavar="FILE", help="a boot log ('-': stdin)")
    s.add_argument("--kernel", type=kernel_release, default=None, metavar="RELEASE",
                   help="the release (2.6.20 .. 6.12) if the log has no 'Linux version'")
    from .cli_types import config_pair, size_upto
    # engine/mem_init.py: initrd_kb at most 4 << 20 kB
    s.add_argument("--initrd", type=size_upto(4 << 30, "4G"), default=None, metavar="SIZE",
                   help="the initramfs size (e.g. 7M) when the log does not give it")
    s.add_argument("--config", action="append", default=[], metavar="KEY=VALUE", type=config_pair,
                   help="a build fact the log does not print, e.g. MEMCG=1, KFENCE=1, NR_CPUS=8")


def _config(pairs: list[str]) -> dict[str, Any]:
    """--config pairs (checked by the parser, cli_types.config_pair) as config= values."""
    from .cli_config import read_pair
    return dict(read_pair(pair) for pair in pairs)


def cmd_boot(ns: argparse.Namespace) -> int:
    """Each real memory line marked equal / different (with the known reason) / missing
    (app.cli_machine.cmd_boot, in --lang's words)."""
    from .cli_report import out
    from .cli_machine import cmd_boot as run
    return run(ns, out)
