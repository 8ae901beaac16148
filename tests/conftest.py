import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# the checkout these tests are in, before any installed copy: the bare ``pytest`` script does
# not put the current folder on the path, and an editable install points at another checkout
sys.path.insert(0, str(Path(__file__).parent.parent))

# the tests never read the developer's own config file (~/.config/mmviz/config.toml);
# tests of the config file point MMVIZ_CONFIG at their own
os.environ["MMVIZ_CONFIG"] = str(Path(__file__).parent / "no-such-dir" / "config.toml")


import pytest  # noqa: E402


@pytest.fixture
def tui_made(monkeypatch):
    """The command line's TUI replaced by a stand-in: the list of the keyword arguments each
    app was made with (empty: the app was not started)."""
    from app import cli
    made = []

    class FakeApp:
        ask_questions = True

        def __init__(self, **kw):
            made.append(kw)
    monkeypatch.setattr(cli, "_tui_app", lambda: FakeApp)
    monkeypatch.setattr(cli, "tui_wanted", lambda: True)
    monkeypatch.setattr(cli, "_run_app", lambda app: 0)
    return made
