"""The mmviz application: the command line now, the Textual TUI (imported lazily)."""
