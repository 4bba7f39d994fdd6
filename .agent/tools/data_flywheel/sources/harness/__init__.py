"""Harness session readers, one module per harness, chosen by sniffing a file's first lines.

Each reader module exposes ``NAME``, ``DEFAULT_DIRS``, ``sniff(head) -> bool``
and ``read(path, on_problem, ...)`` (alias ``read_session``), which yields
``records.episode.Episode`` objects. ``READERS`` is ordered most specific
first: OpenClaw writes pi's format, so it must be asked before pi.
"""
from __future__ import annotations

from types import ModuleType
from typing import List, Optional, Tuple

from . import openclaw, pi

READERS: Tuple[ModuleType, ...] = (openclaw, pi)


def sniff(head_lines: List[str]) -> Optional[ModuleType]:
    """The first reader that recognises these lines, or None."""
    for reader in READERS:
        if reader.sniff(head_lines):
            return reader
    return None
