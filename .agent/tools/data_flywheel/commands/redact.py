"""Replace secrets and personal data with typed placeholders, or list where they are.

Reads PATH (standard input for - or no PATH) as UTF-8 text and prints it with
every secret and personal value replaced by a placeholder that names its kind:
[GITHUB_TOKEN_1], [EMAIL_2], /home/[HOME_USER_1]/src. The same value gets the
same placeholder throughout one run. Input is read line by line, so a file of
any size (or a single 100 MB line) is handled in bounded memory.

With --check the text is not printed: each finding is listed as
PATH:LINE:COLUMN: KIND RULE (LABEL), never with its value, and the exit status
is 1 when there is any. Use it as a pre-commit hook, or before writing a
record. --json prints the findings as one JSON object instead.

Invalid UTF-8 is replaced with U+FFFD and reported on standard error with its
line; binary input (a NUL byte at the start) is refused.

Examples:
  %(prog)s notes.md > notes.redacted.md
  git diff --cached | %(prog)s --check -
  %(prog)s --check --json session.jsonl
  %(prog)s --list-rules

pre-commit (.pre-commit-config.yaml):
  repos:
    - repo: local
      hooks:
        - id: flywheel-redact
          name: secrets and personal data
          entry: python3 .agent/tools/data_flywheel_export.py redact --check
          language: system
          types: [text]

The deny-list (client names, internal hosts, code names), the allow-list and
disabled rules come from .agent/flywheel/redaction.json when it exists, or from
--config PATH. Exit status: 0 done (no findings with --check), 1 findings with
--check, 2 unreadable input or an invalid configuration.
"""
from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import IO, Any, Dict, Iterator, List, Optional, Tuple

from ..errors import InputError

NAME = "redact"
SUMMARY = "replace secrets and personal data with placeholders, or list them (--check)"

# Input is read in pieces of at most this many bytes: a line, or part of a long one.
_PIECE = 1 << 20
# Binary input is recognised by a NUL byte in its first bytes (as git and grep do).
_SNIFF = 8192
# At most this many invalid-UTF-8 warnings per input; then one line saying how many more.
_MAX_WARNINGS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="text files to read; - or nothing for standard input")
    parser.add_argument("--check", action="store_true", help="list findings instead of printing the text; exit 1 if there are any")
    parser.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="redaction settings (deny-list, allow-list, disabled rules); "
        "default .agent/flywheel/redaction.json when it exists",
    )
    parser.add_argument("--list-rules", action="store_true", help="list the rules (id, kind, label, description) and exit")


def run(args: argparse.Namespace, streams: Any) -> int:
    # Imported here so that --help and the other commands do not compile the rule table.
    from ..redaction import DEFAULT_CONFIG_PATH, RULESET_VERSION, Redactor, load_config

    if args.list_rules:
        return _list_rules(args, streams, RULESET_VERSION)
    config = None
    if args.config is not None:
        config = load_config(args.config)
    elif Path(DEFAULT_CONFIG_PATH).is_file():
        config = load_config(DEFAULT_CONFIG_PATH)
    session = Redactor(config).session()
    report = _Report(args, streams, RULESET_VERSION)
    listing = args.check or args.json
    for source in args.paths or ["-"]:
        with _open(source, streams) as reader:
            if listing:
                for finding in session.scan_stream(reader.pieces()):
                    report.add(source, finding)
            else:
                for text in session.redact_stream(reader.pieces()):
                    streams.stdout.write(text)
                    report.count_all(session.findings)
                    del session.findings[:]
                report.count_all(session.findings)
                del session.findings[:]
        reader.warn_invalid(streams)
    return report.finish()


def _list_rules(args: argparse.Namespace, streams: Any, version: str) -> int:
    from ..redaction import RULES

    if args.json:
        streams.json(
            {
                "ruleset_version": version,
                "rules": [{"id": r.id, "kind": r.kind, "class": r.severity, "label": r.label, "description": r.description} for r in RULES],
            }
        )
        return 0
    width = max(len(rule.id) for rule in RULES)
    for rule in RULES:
        streams.stdout.write(f"{rule.id:<{width}}  {rule.severity:<8}  [{rule.label}_n]  {rule.description}\n")
    return 0


class _Report:
    """Counts findings and prints them: one line each, or one JSON object written as it goes."""

    def __init__(self, args: argparse.Namespace, streams: Any, version: str) -> None:
        self.streams = streams
        self.check = args.check
        self.json = args.json
        self.listing = args.check or args.json
        self.total = 0
        self.by_kind: Dict[str, int] = {}
        self.by_class: Dict[str, int] = {}
        self.by_rule: Dict[str, int] = {}
        if self.json:
            # Written piece by piece, so a huge input's findings are never all in memory.
            streams.stdout.write('{\n  "ruleset_version": %s,\n  "findings": [' % json.dumps(version))

    def count(self, finding: Any) -> None:
        self.total += 1
        self.by_kind[finding.kind] = self.by_kind.get(finding.kind, 0) + 1
        self.by_class[finding.severity] = self.by_class.get(finding.severity, 0) + 1
        self.by_rule[finding.rule_id] = self.by_rule.get(finding.rule_id, 0) + 1

    def count_all(self, findings: List[Any]) -> None:
        for finding in findings:
            self.count(finding)

    def add(self, source: str, finding: Any) -> None:
        self.count(finding)
        if self.json:
            document = {"source": source, "line": finding.line, "column": finding.column, "rule_id": finding.rule_id, "kind": finding.kind,
                        "class": finding.severity, "label": finding.label}
            self.streams.stdout.write(("\n    " if self.total == 1 else ",\n    ") + json.dumps(document))
        else:
            self.streams.stdout.write(f"{source}:{finding.line}:{finding.column}: {finding.kind} {finding.rule_id} ({finding.label})\n")

    def finish(self) -> int:
        if self.json:
            tail = {"total": self.total, "counts": dict(sorted(self.by_rule.items())), "kinds": dict(sorted(self.by_kind.items())),
                    "classes": dict(sorted(self.by_class.items()))}
            body = json.dumps(tail, indent=2)[1:-1].rstrip()
            self.streams.stdout.write(("\n  ]," if self.total else "],") + body + "\n}\n")
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.by_kind.items()))
        if self.listing and not self.json:
            if self.total:
                self.streams.stderr.write(f"redact: {self.total} finding{'s' * (self.total != 1)} ({kinds})\n")
            else:
                self.streams.stderr.write("redact: no findings\n")
        elif not self.listing and self.total:
            self.streams.stderr.write(f"redact: replaced {self.total} value{'s' * (self.total != 1)} ({kinds})\n")
        return 1 if self.check and self.total else 0


class _Reader:
    """Pieces of UTF-8 text from a byte or text stream, at most ``_PIECE`` bytes each.

    Undecodable bytes become U+FFFD; the lines where that happened are remembered
    for a warning (the bytes themselves are never echoed).
    """

    def __init__(self, source: str, binary: Optional[IO[bytes]], text: Optional[IO[str]]) -> None:
        self.source = source
        self.binary = binary
        self.text = text
        self.invalid_lines: List[int] = []
        self.invalid_count = 0

    def pieces(self) -> Iterator[str]:
        if self.text is not None:
            yield from self._text_pieces()
        else:
            yield from self._byte_pieces()

    def _text_pieces(self) -> Iterator[str]:
        assert self.text is not None
        while True:
            piece = self.text.read(_PIECE)
            if not piece:
                return
            yield piece

    def _chunks(self) -> Iterator[bytes]:
        """Blocks of at most ``_PIECE`` bytes, after a look at the start.

        Blocks, not lines: the engine finds its own lines, and a loop per line
        cost more than the scan itself (216,000 lines of source code, 0.6 s of 1.6 s).
        """
        assert self.binary is not None
        head = self.binary.read(_SNIFF)
        if b"\x00" in head:
            raise InputError(
                "binary input (a NUL byte near the start)",
                source=self.source,
                remedy="redact reads text; leave binary files out (pre-commit: types: [text])",
            )
        if head:
            yield head
        while True:
            chunk = self.binary.read(_PIECE)
            if not chunk:
                return
            yield chunk

    def _byte_pieces(self) -> Iterator[str]:
        line = 1
        carry = b""
        chunks = self._chunks()
        while True:
            chunk = next(chunks, b"")
            if not chunk:
                if carry:
                    yield self._decode(carry, line)
                return
            data = carry + chunk
            carry = b""
            if not data.endswith(b"\n"):
                # A block may end inside a character: keep an incomplete UTF-8 sequence for the next one.
                data, carry = _split_incomplete(data)
            if data:
                yield self._decode(data, line)
                line += data.count(b"\n")

    def _decode(self, data: bytes, line: int) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        text = data.decode("utf-8", "replace")
        # Report each line with undecodable bytes (by re-decoding line by line: rare, so cheap enough).
        for offset, raw in enumerate(data.split(b"\n")):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                self.invalid_count += 1
                if len(self.invalid_lines) < _MAX_WARNINGS and (not self.invalid_lines or self.invalid_lines[-1] != line + offset):
                    self.invalid_lines.append(line + offset)
        return text

    def warn_invalid(self, streams: Any) -> None:
        for line in self.invalid_lines:
            streams.stderr.write(f"warning: {self.source}:{line}: invalid UTF-8, replaced with U+FFFD\n")
        more = self.invalid_count - len(self.invalid_lines)
        if more > 0:
            streams.stderr.write(f"warning: {self.source}: {more} more place{'s' * (more != 1)} with invalid UTF-8\n")


def _split_incomplete(data: bytes) -> Tuple[bytes, bytes]:
    """Split off a UTF-8 sequence cut short at the end of ``data``."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte or ASCII
            need = 1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4 if byte >> 3 == 0b11110 else 1
            if need > back:
                return data[:-back], data[-back:]
            return data, b""
    return data, b""


class _open:
    """Open a source for reading: ``-`` is standard input (its bytes when it has them)."""

    def __init__(self, source: str, streams: Any) -> None:
        self.source = source
        self.streams = streams
        self.handle: Optional[IO[bytes]] = None

    def __enter__(self) -> _Reader:
        if self.source == "-":
            stdin = self.streams.stdin
            buffer = getattr(stdin, "buffer", None)
            if buffer is not None:
                return _Reader("-", buffer, None)
            return _Reader("-", None, stdin)
        path = Path(self.source)
        if path.is_dir():
            raise InputError("is a directory", source=self.source, remedy="pass a file, or - for standard input")
        try:
            self.handle = open(path, "rb")
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            raise InputError(f"cannot read: {reason}", source=self.source, remedy="check the path and its permissions") from None
        return _Reader(self.source, self.handle, None)

    def __exit__(self, *exc_info: Any) -> None:
        if self.handle is not None:
            self.handle.close()

