"""Harness session readers, one module per harness, chosen by sniffing a file's first lines.

Each reader module follows ``base.Reader``: ``NAME``, ``DEFAULT_DIRS``,
``default_dirs(env)`` (which honours the harness's own environment variable),
``sniff(head)``, ``sniff_path(path)`` (databases and folders),
``skip_reason(path)`` (files it recognises but cannot read, such as Codex's
zstd rollouts) and ``read_session(path, on_problem, keep_reasoning=...)``,
which yields ``records.episode.Episode`` objects told where their session ran.
``READERS`` is ordered most specific first: OpenClaw writes pi's format, so it
must be asked before pi.
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
