"""What every harness reader shares: the ``Reader`` protocol, problem codes, JSON-line reading, sniffing.

Every module in ``READERS`` follows ``Reader`` (``tests/test_harness_base.py``
checks each one), so discovery calls its functions directly instead of probing
with ``hasattr``. Readers that do not need a hook still define it: ``sniff``
says False for a database-only harness, ``sniff_path`` False for a file-only
one, ``skip_reason`` None when every file it recognises can be read.
"""
from __future__ import annotations

import os
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple
from typing import runtime_checkable

from ... import jsonio
from ...records import episode as ep

# Problem codes beyond jsonio's, shared by every reader so the caller counts them alike.
TRUNCATED_LAST_LINE = "truncated_last_line"
NOT_USABLE = "not_usable"
SKIPPED = "skipped"

OnProblem = Callable[[jsonio.LineProblem], None]


@runtime_checkable
class Reader(Protocol):
    """A harness reader module: what discovery and harvest call, nothing else."""

    NAME: str
    DEFAULT_DIRS: Tuple[str, ...]

    def default_dirs(self, env: Mapping[str, str]) -> Tuple[str, ...]:
        """Where the harness keeps sessions (globs and ``~`` allowed), honouring its environment variable."""

    def sniff(self, head: List[str]) -> bool:
        """True when these first lines of a file are this harness's session."""

    def sniff_path(self, path: str) -> bool:
        """True for a database or folder this harness keeps sessions in (False for file-only harnesses)."""

    def skip_reason(self, path: str) -> Optional[str]:
        """Why a file this harness wrote cannot be read here, or None."""

    def read_session(self, path: str, on_problem: OnProblem, *, keep_reasoning: bool = False) -> Iterator[ep.Episode]:
        """The usable episodes of one session (or store), each carrying ``cwd`` when the harness recorded it."""


def never(_path: str) -> bool:
    """``sniff_path`` of a reader whose sessions are plain files."""
    return False


def nothing_to_skip(_path: str) -> Optional[str]:
    """``skip_reason`` of a reader that can read every file it recognises."""
    return None


def json_lines(fp: Iterable[bytes], source: str, on_problem: OnProblem) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """``(line, object)`` for each JSON-object line; an unfinished last line is reported as such.

    A session still being written ends in half a line: that is not corruption,
    so it gets its own reason (``truncated_last_line``) and the rest is kept.
    """
    tail = jsonio.LastLine()

    def report(problem: jsonio.LineProblem) -> None:
        if tail.unfinished and problem.reason == jsonio.INVALID_JSON:
            problem = jsonio.LineProblem(
                source, problem.line, TRUNCATED_LAST_LINE, "the last line is unfinished (the session may still be being written)"
            )
        on_problem(problem)

    return jsonio.read_json_lines(jsonio.lines_noting_last(fp, tail), source, report)


def head_objects(head: Sequence[str]) -> Iterator[Dict[str, Any]]:
    """The JSON objects among a file's first lines (the rest skipped), for ``sniff``."""
    for line in head:
        text = line.lstrip("\ufeff").strip()
        if not text:
            continue
        value, problem = jsonio.parse_json_text(text)
        if problem is None and isinstance(value, dict):
            yield value


def why_not_usable(messages: Sequence[ep.Message]) -> str:
    """The ``not_usable`` reason for a segment's messages."""
    roles = {m.role for m in messages}
    if not messages:
        return "no messages"
    if "user" not in roles:
        return "no user message"
    return "no assistant message"


def stamp_cwd(episodes: Iterable[ep.Episode], cwd: Optional[str], project_id: Optional[str] = None) -> Iterator[ep.Episode]:
    """The episodes, each told where its session ran (for project scoping)."""
    for episode in episodes:
        episode.cwd = cwd if isinstance(cwd, str) and cwd else None
        episode.project_id = project_id
        yield episode


def read_head(fp: IO[bytes], lines: int, line_bytes: int, first_line_bytes: int) -> List[bytes]:
    """The first ``lines`` lines, each cut at ``line_bytes``, except the first non-blank one.

    The first line may be far longer than the others (Codex puts the whole
    system prompt in ``session_meta``; a Claude Code session can open with a
    pasted file): it is read up to ``first_line_bytes`` so it can still be parsed.
    """
    out: List[bytes] = []
    first = True
    while len(out) < lines:
        raw = fp.readline(line_bytes)
        if not raw:
            break
        if first and raw.strip():
            first = False
            while not raw.endswith(b"\n") and len(raw) < first_line_bytes:
                more = fp.readline(min(line_bytes, first_line_bytes - len(raw)))
                if not more:
                    break
                raw += more
        elif not raw.endswith(b"\n"):
            rest = fp.readline(line_bytes)  # skip to the end of an over-long line, in bounded steps
            while rest and not rest.endswith(b"\n"):
                rest = fp.readline(line_bytes)
        out.append(raw)
    return out


def under(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or inside it (both made absolute and normalised, no symlinks resolved)."""
    path = os.path.normpath(os.path.abspath(path))
    root = os.path.normpath(os.path.abspath(root))
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
