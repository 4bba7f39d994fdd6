"""Check records against the bundled schemas (or your own) and report every invalid line.

FILE is JSON Lines (each line any JSON value) or, when it ends in .json or with
--document, one JSON document. The kind is taken from --kind, or from the
export file's name (trace-records.jsonl, eval-cases.jsonl, manifest.json, ...);
--schema checks against any draft 2020-12 schema instead. Each problem is
reported as FILE:LINE: JSON-PATH: message. Exit 0 when everything is valid, 1
when a line is invalid, 2 when the file or schema cannot be read.

Examples:
  python3 .agent/tools/data_flywheel_export.py validate --kind approved-run .agent/flywheel/approved-runs.jsonl
  python3 .agent/tools/data_flywheel_export.py validate .agent/flywheel/exports/2026-04-25/trace-records.jsonl
  python3 .agent/tools/data_flywheel_export.py validate --schema my.schema.json data.jsonl --json
"""
from __future__ import annotations

import json
import os
from typing import Any, List, Optional, Tuple

from .. import jsonio
from ..errors import InputError
from ..records import schemas
from ..records.checker import SchemaIssue
from ..terminal import Painter, colour_enabled
from . import common

NAME = "validate"
SUMMARY = "check JSONL or JSON records against a bundled kind or a schema file"


def add_arguments(parser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--kind", choices=sorted(schemas.KINDS), help="a bundled record kind")
    which.add_argument("--schema", metavar="SCHEMA.json", help="a JSON Schema (draft 2020-12) file")
    parser.add_argument("--document", action="store_true", help="FILE holds one JSON document, not JSON Lines")
    parser.add_argument(
        "--format-assertion", action="store_true", help="with --schema: treat format: date-time as an assertion"
    )
    common.add_agent_root_flag(parser, "for redaction.json")
    parser.add_argument(
        "--repair", action="store_true",
        help="remove the lines of a JSONL file that are not JSON (a torn last line, garbled bytes), keeping FILE.bak-<time>",
    )
    parser.add_argument("file", metavar="FILE", help="JSONL or JSON file; - for stdin")
    common.add_json_flag(parser)


def _checker_and_mode(args) -> Tuple[Any, str, bool]:
    """The checker, a name for it, and whether a document is an array of such records."""
    if args.schema:
        from ..records.checker import Checker

        return Checker(schemas.load_schema_file(args.schema), format_assertion=args.format_assertion, source=args.schema), args.schema, False
    if args.kind:
        kind = schemas.KINDS[args.kind]
        return schemas.checker_for(kind.name), kind.name, os.path.basename(args.file) in kind.array_names
    found = kind_for(args.file)
    if found is None:
        raise InputError(
            "cannot tell what kind of records this is",
            source=args.file,
            remedy=f"pass --kind ({', '.join(sorted(schemas.KINDS))}) or --schema FILE",
        )
    kind, is_array = found
    return schemas.checker_for(kind.name), kind.name, is_array


def kind_for(path: str):
    return schemas.kind_for_filename(path) if path != "-" else None


def _issues(checker, value: Any, is_array: bool, redact_value) -> List[dict]:
    """Every issue of a value; messages quote its redacted copy, never a secret it holds."""
    items = list(enumerate(value)) if is_array and isinstance(value, list) else [(None, value)]
    found = []
    for index, item in items:
        if checker.is_valid(item):
            continue
        prefix = "$" if index is None else "$[%d]" % index
        issues = list(checker.iter_issues(redact_value(item)))
        if not issues:  # redaction changed the value at fault: name the place only
            issues = [SchemaIssue(issue.path, "breaks the schema (the value is not shown: it holds text the scanner redacts)", "")
                      for issue in checker.iter_issues(item)]
        found += [{"path": prefix + issue.path[1:], "message": issue.message} for issue in issues]
    return found


def run(args, streams) -> int:
    if args.repair:
        return repair(args, streams)
    checker, against, is_array = _checker_and_mode(args)
    gate, _ruleset = common.make_gate(args)
    document_mode = args.document or (args.file != "-" and args.file.endswith(".json"))
    paint = Painter(colour_enabled(streams.stdout, streams.env))
    valid = invalid = 0
    first = True
    repairable = False

    def emit(line: Optional[int], errors: List[dict]) -> None:
        nonlocal valid, invalid, first
        if errors:
            invalid += 1
        else:
            valid += 1
        if args.json:
            result = {"line": line, "valid": not errors, "errors": errors}
            streams.stdout.write(("" if first else ",\n") + "    " + json.dumps(result, ensure_ascii=False))
            first = False
        else:
            for error in errors:
                streams.stdout.write(f"{paint(f'{args.file}:{line}:', 'bold')} {error['path']}: {error['message']}\n")

    if args.json:
        streams.stdout.write('{\n  "results": [\n')
    if document_mode:
        value, problem = _read_document(args.file, streams)
        if problem is not None:
            emit(1, [{"path": "$", "message": problem}])
        else:
            emit(1, _issues(checker, value, is_array, gate.redact_value))
    else:
        fp, source = _open(args.file, streams)

        def not_json(problem: jsonio.LineProblem) -> None:
            nonlocal repairable
            repairable = True
            emit(problem.line, [{"path": "$", "message": problem.message}])

        try:
            lines = jsonio.read_json_lines(fp, source, not_json, objects_only=False)
            for number, value in lines:
                emit(number, _issues(checker, value, False, gate.redact_value))
        finally:
            if args.file != "-":
                fp.close()
    if args.json:
        streams.stdout.write(
            ("\n" if not first else "") + f'  ],\n  "schema": {json.dumps(against)},\n  "valid": {valid},\n  "invalid": {invalid}\n}}\n'
        )
    else:
        summary = f"{valid} valid, {invalid} invalid ({against})"
        streams.stdout.write((paint(summary, "green") if not invalid else paint(summary, "red")) + "\n")
        if invalid:
            streams.stdout.write("next: fix the lines above and run validate again"
                                 + (f"; 'validate --repair {args.file}' removes lines that are not JSON" if repairable else "")
                                 + "\n")
    return 1 if invalid else 0


def repair(args, streams) -> int:
    """``--repair``: drop the lines that are not JSON, keep a backup, say which lines went."""
    import datetime as dt

    if args.file == "-" or args.document or args.file.endswith(".json"):
        raise InputError("--repair works on a JSON Lines file", source=args.file, remedy="pass the .jsonl file itself")
    if not os.path.isfile(args.file):
        raise InputError("no such file", source=args.file, remedy="check the path")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    removed, backup = jsonio.repair_lines(args.file, stamp)
    for problem in removed:
        streams.stdout.write(f"{problem} (removed)\n")
    if backup is None:
        streams.stdout.write(f"{args.file}: every line is JSON; nothing to repair\n")
    else:
        streams.stdout.write(f"repaired: {len(removed)} line(s) removed; the original is kept as {backup}\n")
    return 0


def _open(path: str, streams):
    if path == "-":
        return getattr(streams.stdin, "buffer", streams.stdin), "<stdin>"
    try:
        return open(path, "rb"), path
    except FileNotFoundError:
        raise InputError("no such file", source=path, remedy="check the path") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", source=path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", source=path) from None


def _read_document(path: str, streams) -> Tuple[Any, Optional[str]]:
    fp, source = _open(path, streams)
    try:
        raw = fp.read()
    finally:
        if path != "-":
            fp.close()
    if raw.startswith(jsonio.BOM):
        raw = raw[len(jsonio.BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"invalid UTF-8 at byte {error.start + 1} (save the file as UTF-8)"
    value, problem = jsonio.parse_json_text(text)
    return value, (problem[1] if problem else None)
