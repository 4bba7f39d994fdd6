"""Stream ``approved-runs.jsonl``: every good line as a record, every bad line reported and counted.

A line is skipped, never fatal, when it is not UTF-8, not JSON, not an
object, breaks the approved-run schema, or repeats a run id already read
(the first one wins). Each skip is reported as ``file:line: what is wrong``
and counted by reason in ``InputQuality`` (``flywheel-metrics.json``
``input_quality``). A missing file is not an error: agentic-stack exports
zero traces and says ``missing: true``; so do we (the command refuses a
missing file that was named explicitly).

A decision is corrected by appending, never by rewriting: a later line with
the same id and ``human_review.corrects`` (``review --undo``, a relabel, a
new decision after an undo) replaces the earlier ones, so the latest
correction of each run is the one read; the lines it replaces are counted as
``superseded_lines``, not reported. One fast scan for ``"corrects"`` finds
out whether a file has any; stdin is spooled to a temporary file for it.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Tuple

from .. import jsonio
from ..errors import InputError
from ..records import normalize, schemas
from ..seen import SeenSet

PROBLEMS_KEPT = 50  # in flywheel-metrics.json; all are counted by reason


@dataclass
class InputQuality:
    source: str
    missing: bool = False
    lines_read: int = 0
    blank_lines: int = 0
    records_read: int = 0
    by_reason: Dict[str, int] = field(default_factory=dict)
    problems: List[jsonio.LineProblem] = field(default_factory=list)
    sha256: Optional[str] = None
    bytes_read: int = 0
    superseded_lines: int = 0
    replaced_surrogates: int = 0  # lone surrogates (\ud800 escapes) exported as U+FFFD

    def add(self, problem: jsonio.LineProblem) -> None:
        self.by_reason[problem.reason] = self.by_reason.get(problem.reason, 0) + 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(problem)

    @property
    def skipped_lines(self) -> int:
        return sum(self.by_reason.values())

    def as_metrics(self) -> Dict[str, Any]:
        """The ``input_quality`` object: agentic-stack's keys first, then per-reason detail."""
        malformed = sum(self.by_reason.get(reason, 0) for reason in jsonio.FORM_REASONS)
        return {
            "missing": self.missing,
            "malformed_lines": malformed,
            "lines_read": self.lines_read,
            "blank_lines": self.blank_lines,
            "records_read": self.records_read,
            "skipped_lines": self.skipped_lines,
            "schema_violations": self.by_reason.get(jsonio.SCHEMA_VIOLATION, 0),
            "duplicate_ids": self.by_reason.get(jsonio.DUPLICATE_ID, 0),
            "superseded_lines": self.superseded_lines,
            "replaced_surrogates": self.replaced_surrogates,
            "by_reason": dict(sorted(self.by_reason.items())),
            "problems": [
                {"line": problem.line, "reason": problem.reason, "message": problem.message}
                for problem in self.problems
            ],
        }


class _CountingReader:
    """Wraps a binary stream to count lines and bytes and feed the input digest as lines are read."""

    def __init__(self, fp: IO[bytes], quality: InputQuality, digest: "hashlib._Hash") -> None:
        self._fp = fp
        self._quality = quality
        self._digest = digest

    def __iter__(self) -> Iterator[bytes]:
        for raw in self._fp:
            self._quality.lines_read += 1
            self._quality.bytes_read += len(raw)
            self._digest.update(raw)
            yield raw


def open_input(path: str, stdin: Optional[IO[str]] = None) -> Tuple[Optional[IO[bytes]], str]:
    """Open ``path`` (``-`` is stdin, spooled to a temporary file) for binary reading; None when it does not exist."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin
        stream = getattr(stream, "buffer", stream)
        spool = tempfile.TemporaryFile()  # seekable, for the scan for corrections; removed on close
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            spool.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        spool.seek(0)
        return spool, "<stdin>"
    try:
        if os.path.isdir(path):
            raise InputError("is a folder, not a JSONL file", source=path, remedy="pass the approved-runs.jsonl file")
        return open(path, "rb"), path
    except FileNotFoundError:
        return None, path
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", source=path, remedy="check the path and its permissions") from None


_CHUNK = 1 << 20
_CORRECTS = b'"corrects"'


def _mentions(fp: IO[bytes], needle: bytes) -> bool:
    """Whether ``needle`` occurs anywhere in ``fp`` (read in large blocks; rewound afterwards)."""
    tail = b""
    try:
        while True:
            block = fp.read(_CHUNK)
            if not block:
                return False
            if needle in tail + block[: len(needle)] or needle in block:
                return True
            tail = block[-len(needle):]
    finally:
        fp.seek(0)


def latest_corrections(fp: IO[bytes], checker) -> Dict[str, int]:
    """Each corrected run's id and the line of its latest valid correction; ``{}`` when there is none."""
    latest: Dict[str, int] = {}
    if not _mentions(fp, _CORRECTS):
        return latest
    try:
        for number, raw in enumerate(fp, start=1):
            if _CORRECTS not in raw:
                continue
            value, problem = jsonio.parse_json_text(raw.decode("utf-8", "replace").lstrip("\ufeff").strip())
            if problem is None and isinstance(value, dict) and normalize.is_correction(value) and checker.is_valid(value):
                latest[value["id"]] = number
    finally:
        fp.seek(0)
    return latest


def first_issue(checker, record: Any, redact_value: Callable[[Any], Any]) -> str:
    """``JSON-PATH: message`` for the first way ``record`` breaks the schema, quoting only redacted text.

    One message a line keeps reports readable; the count is per line.
    """
    for issue in checker.iter_issues(redact_value(record)):
        return f"{issue.path}: {issue.message}"
    # Redacting changed the very value at fault (a placeholder now fits): name the place, not the value.
    for issue in checker.iter_issues(record):
        return f"{issue.path}: breaks the schema (the value is not shown: it holds text the scanner redacts)"
    return "$: breaks the schema"


def read_approved_runs(
    path: str,
    quality: InputQuality,
    *,
    report: Callable[[jsonio.LineProblem], None],
    redact_value: Callable[[Any], Any] = lambda value: value,
    stdin: Optional[IO[str]] = None,
) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Yield ``(line, record)`` for each valid, first-seen approved run in ``path``.

    ``report`` receives every skipped line. ``redact_value`` returns a
    redacted copy of a record: schema messages quote values, so a bad
    record is described from its redacted copy (the export passes the gate's).
    """
    fp, source = open_input(path, stdin)
    if fp is None:
        quality.missing = True
        return
    digest = hashlib.sha256()
    checker = schemas.checker_for("approved-run")
    corrected = latest_corrections(fp, checker)

    def problem(found: jsonio.LineProblem) -> None:
        quality.add(found)
        report(found)

    try:
        with SeenSet() as seen:
            lines = jsonio.read_json_lines(
                _CountingReader(fp, quality, digest),
                source,
                problem,
                on_blank=lambda _line: setattr(quality, "blank_lines", quality.blank_lines + 1),
                on_replaced=lambda _line, count: setattr(quality, "replaced_surrogates", quality.replaced_surrogates + count),
            )
            for number, record in lines:
                if not checker.is_valid(record):
                    problem(jsonio.LineProblem(source, number, jsonio.SCHEMA_VIOLATION,
                                               first_issue(checker, record, redact_value)))
                    continue
                if corrected.get(record["id"], 0) > number:  # a later correction replaces this line
                    quality.superseded_lines += 1
                    continue
                earlier = seen.first_seen(record["id"], number)
                if earlier is not None:
                    problem(
                        jsonio.LineProblem(
                            source,
                            number,
                            jsonio.DUPLICATE_ID,
                            f"duplicate run id (first seen on line {earlier}; exported once)",
                        )
                    )
                    continue
                quality.records_read += 1
                yield number, record
    finally:
        quality.sha256 = "sha256:" + digest.hexdigest()
        fp.close()
