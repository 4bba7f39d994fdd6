"""Putting the tool where it runs: the ``.agent/tools/`` bundle (and, later, harness entry points)."""
