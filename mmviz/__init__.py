"""mmviz: see how 32-bit x86 Linux manages memory, step by step.

The code lives in the packages ``engine`` (the simulated machine), ``scenarios``
(lessons), ``widgets`` (Textual panes) and ``app`` (the App and the command line);
this package names the distribution: ``python -m mmviz`` runs the command line and
``mmviz.__version__`` is the version pyproject.toml reads.
"""
__version__ = "0.1.0"


def version_line() -> str:
    """``mmviz --version``: mmviz's version, then Textual's, Rich's and Python's."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def of(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "not installed"
    return (f"mmviz {__version__} (Textual {of('textual')}, Rich {of('rich')}, "
            f"Python {platform.python_version()})")
