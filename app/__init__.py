"""The mmviz application: the command line now, the Textual TUI (imported lazily)."""


def __getattr__(name: str):
    """``app.MmvizApp`` imports Textual only when asked for."""
    if name == "MmvizApp":
        from .app import MmvizApp
        return MmvizApp
    raise AttributeError(f"module 'app' has no attribute {name!r}")
