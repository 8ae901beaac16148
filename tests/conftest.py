import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# the tests never read the developer's own config file (~/.config/mmviz/config.toml);
# tests of the config file point MMVIZ_CONFIG at their own
os.environ["MMVIZ_CONFIG"] = str(Path(__file__).parent / "no-such-dir" / "config.toml")
