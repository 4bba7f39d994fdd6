"""Harness session readers, one module per harness, chosen by sniffing a file's first lines.

Each reader module exposes ``NAME``, ``DEFAULT_DIRS`` and ``default_dirs(env)``
(which honours the harness's own environment variable), ``sniff(head) -> bool``
and ``read(path, on_problem, ...)`` (alias ``read_session``), which yields
``records.episode.Episode`` objects. Optional: ``skip_reason(path)`` for files
it recognises but cannot read (Codex's zstd rollouts), ``sniff_path(path)``
for databases. ``READERS`` is ordered most specific first: OpenClaw writes
pi's format, so it must be asked before pi.
"""
from __future__ import annotations

from types import ModuleType
from typing import List, Optional, Tuple

from . import atif, claude_code, codex, gemini, hermes, opencode, openclaw, pi

READERS: Tuple[ModuleType, ...] = (openclaw, pi, claude_code, codex, gemini, opencode, hermes, atif)


def sniff(head_lines: List[str]) -> Optional[ModuleType]:
    """The first reader that recognises these lines, or None."""
    for reader in READERS:
        if reader.sniff(head_lines):
            return reader
    return None
