"""Approved runs in, flywheel artifacts out: the export pipeline and its parts."""
