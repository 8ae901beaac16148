"""``mmviz boot --dmesg FILE``: boot the machine a real boot log describes, real vs mmviz lines."""
from __future__ import annotations

import argparse
import sys
from typing import Any


def add_boot_parser(sub: Any) -> None:
    s = sub.add_parser("boot", help="boot the machine a real boot log describes; real vs mmviz lines")
    s.add_argument("--dmesg", required=True, metavar="FILE", help="a boot log ('-': stdin)")
    from .cli_more import kernel_release
    s.add_argument("--kernel", type=kernel_release, default=None, metavar="RELEASE",
                   help="the release (2.6.20 .. 6.12) if the log has no 'Linux version'")


def cmd_boot(ns: argparse.Namespace) -> int:
    """Each real memory line marked equal / different (with the known reason) / missing."""
    import engine
    from engine.dmesg import summary
    text = sys.stdin.read() if ns.dmesg == "-" else open(ns.dmesg, encoding="utf-8", errors="replace").read()
    m = engine.Machine.from_dmesg(text, **({"kernel": ns.kernel} if ns.kernel else {}))
    sys.stdout.write("\n".join(summary(m)) + "\n")
    return 0
