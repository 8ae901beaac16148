"""``python -m app``: the ``mmviz`` command (``python -m mmviz`` is the documented name)."""
import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
