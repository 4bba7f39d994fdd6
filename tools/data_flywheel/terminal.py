"""Streams, colour and progress: what makes the tool friendly on a terminal and quiet in a pipe.

Colour and progress appear only when the stream is a terminal; colour never with
``NO_COLOR`` set (https://no-color.org), progress never with ``--json``.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import IO, Any, Mapping, Optional


@dataclass
class Streams:
    """The three streams and the environment a command handler may use; tests pass their own."""

    stdin: IO[str]
    stdout: IO[str]
    stderr: IO[str]
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @classmethod
    def from_sys(cls) -> "Streams":
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)

    def json(self, document: Any) -> None:
        """Print the one JSON object a ``--json`` command promises on stdout."""
        self.stdout.write(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n")

    def warn(self, message: str) -> None:
        self.stderr.write(message + "\n")


def is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream is no terminal
        return False


def colour_enabled(stream: IO[str], env: Mapping[str, str]) -> bool:
    if "NO_COLOR" in env and env.get("NO_COLOR", "") != "":
        return False
    if env.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """``1 run``, ``2 runs``: summaries read as sentences."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


class Painter:
    """Wraps text in ANSI colour codes, or returns it unchanged when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\033[{_CODES[style]}m{text}\033[0m"


class Progress:
    """A single self-overwriting status line on stderr, only on a terminal.

    It stays silent for the first ``delay`` seconds so that quick runs print
    nothing, and redraws at most a few times a second so it costs nothing on
    the hot path (callers may call ``tick`` for every record).
    """

    def __init__(self, stream: IO[str], label: str, *, enabled: bool, delay: float = 1.0) -> None:
        self.stream = stream
        self.label = label
        self.enabled = enabled and is_terminal(stream)
        self.started = time.monotonic()
        self.delay = delay
        self.next_draw = self.started + delay
        self.drawn = False
        self.count = 0

    def tick(self, count: Optional[int] = None, detail: str = "") -> None:
        self.count = self.count + 1 if count is None else count
        if not self.enabled:
            return
        now = time.monotonic()
        if now < self.next_draw:
            return
        self.next_draw = now + 0.25
        rate = self.count / max(now - self.started, 1e-9)
        text = f"\r{self.label}: {self.count:,} ({rate:,.0f}/s){' ' + detail if detail else ''}"
        self.stream.write(text[:200] + "\033[K")
        self.stream.flush()
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False
