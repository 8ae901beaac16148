"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright.

Playwright's own browser download is never used (``executable_path`` is the system
chromium).  .ci/run installs chromium when it is missing; if it cannot, it says why in
MMVIZ_NO_CHROMIUM and the browser tests skip with that reason.  In CI, a missing chromium
with no reason is a failure, never a silent skip."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = next(filter(None, (shutil.which(n) for n in ("chromium", "chromium-browser"))), None)
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need_chromium() -> str:
    """The chromium executable, or skip/fail as the module doc says."""
    if CHROMIUM:
        return CHROMIUM
    reason = os.environ.get("MMVIZ_NO_CHROMIUM")
    if reason:
        pytest.skip(f"chromium could not be installed: {reason}")
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium")
    pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does it)")


def launch(sync_playwright_instance):
    """A headless Chromium browser (system executable)."""
    return sync_playwright_instance.chromium.launch(executable_path=need_chromium(), headless=True,
                                                    args=CHROMIUM_FLAGS)
