"""``main(argv) -> int``: parse the command line and hand a command its streams.

Each command is a module in ``commands/`` with ``NAME``, ``SUMMARY``, a
docstring that is its ``--help`` text, ``add_arguments(parser)`` and
``run(args, streams) -> int``; ``commands.COMMANDS`` is the registry. With no
command the tool runs ``export``, so the agentic-stack invocation
(``python3 .agent/tools/data_flywheel_export.py [--out DIR ...]``) keeps working.
"""
from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import tempfile
from typing import IO, List, Mapping, Optional, Sequence

from . import __version__, project
from .commands import COMMANDS, DEFAULT_COMMAND
from .errors import FlywheelError, os_error
from .terminal import Streams

PROG = "data_flywheel_export.py"

EPILOG = """\
With no command, runs 'export' (agentic-stack compatible).
Exit codes: 0 success; 1 the command ran and found a problem; 2 usage or unreadable input.
Run '%(prog)s COMMAND --help' for a command's options and an example."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Turn human-approved coding-agent work into redacted context cards, "
        "eval cases and training-ready JSONL. Local only: no network, no telemetry.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    subparsers.required = True  # add_subparsers(required=...) is 3.7+, but keep one spelling
    for command in COMMANDS:
        sub = subparsers.add_parser(
            command.NAME,
            help=command.SUMMARY,
            description=command.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def _with_default_command(argv: List[str]) -> List[str]:
    """Insert ``export`` when no command is named: bare flags belong to export."""
    names = {command.NAME for command in COMMANDS}
    if not argv:
        return [DEFAULT_COMMAND]
    first = argv[0]
    if first in names or first in ("-h", "--help", "--version"):
        return argv
    if first.startswith("-"):
        return [DEFAULT_COMMAND, *argv]
    return argv


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdin: Optional[IO[str]] = None,
    stdout: Optional[IO[str]] = None,
    stderr: Optional[IO[str]] = None,
    env: Optional[Mapping[str, str]] = None,
) -> int:
    streams = Streams.from_sys()
    streams = Streams(
        stdin or streams.stdin,
        stdout or streams.stdout,
        stderr or streams.stderr,
        streams.env if env is None else env,
    )
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        # argparse prints help and usage errors to sys.stdout/sys.stderr itself.
        with contextlib.redirect_stdout(streams.stdout), contextlib.redirect_stderr(streams.stderr):
            args = parser.parse_args(args_list)
    except SystemExit as stop:  # --help, --version, or a usage error (already printed)
        return stop.code if isinstance(stop.code, int) else 2
    if getattr(args, "find_agent_root", False) and args.agent_root is None:
        args.agent_root = project.find().agent_root  # one store per project, wherever the command runs
    try:
        return args.run(args, streams)
    except FlywheelError as error:
        streams.stderr.write(f"error: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        streams.stderr.write("interrupted: nothing was changed\n")
        return 130
    except BrokenPipeError:  # `... | head` closed the pipe: not an error worth a traceback
        return 0
    except OSError as error:
        # The machine refused (a full disk, a read-only folder, too many open files): not a bug, so
        # one line with the path and the fix. Each command has already removed what it left half-done.
        streams.stderr.write(f"error: {os_error(error, f'run {args.command}', error.filename, kept='nothing half-written was kept')}\n")
        return 2
    except sqlite3.Error as error:  # the scratch indexes live in the temporary folder
        message = f"{args.command} ran out of scratch space: {error}"
        streams.stderr.write(f"error: {tempfile.gettempdir()}: {message} (free space there, or set TMPDIR to a "
                             "folder with room, and run again; nothing half-written was kept)\n")
        return 2
