"""Flags and set-up shared by the commands that read approved runs (export, status)."""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
from typing import Mapping

from .. import config as flywheel_config
from .. import project
from ..export.gate import RedactionGate
from ..export.pipeline import ExportPlan

REDACTION_CONFIG = "redaction.json"
MAX_REPORTED_PROBLEMS = 100


def iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-04-25") from None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout (diagnostics stay on stderr)")


def add_agent_root_flag(parser: argparse.ArgumentParser, help: str = "the .agent folder") -> None:
    """``--agent-root``; when it is not given, ``cli.main`` sets it to the project's own (``project.find``)."""
    parser.add_argument("--agent-root", default=None, metavar="DIR",
                        help=f"{help} (default: the project's .agent, found from here upward)")
    parser.set_defaults(find_agent_root=True)


def add_input_flags(parser: argparse.ArgumentParser) -> None:
    add_agent_root_flag(parser)
    parser.add_argument(
        "--approved-runs",
        default="",
        metavar="PATH",
        help="approved runs, JSONL; - for stdin (default: <agent-root>/flywheel/approved-runs.jsonl)",
    )
    parser.add_argument(
        "--project", default=None, metavar="NAME", help="project name for runs that have none (default: this folder's name)"
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number, e.g. 8192")
    return value


def add_dataset_flags(parser: argparse.ArgumentParser) -> None:
    """How runs become datasets; status takes them too, so its counts match the export's."""
    parser.add_argument(
        "--split-ratios", default=None, metavar="T,V,T",
        help="train,validation,test shares, e.g. 80,10,10 (default: config.json split_ratios, else 80,10,10)",
    )
    parser.add_argument(
        "--max-tokens", default=None, type=positive_int, metavar="N",
        help="leave out training rows estimated above N tokens (approximate, errs high)",
    )
    parser.add_argument(
        "--no-cache", action="store_true",
        help="redo every run's work instead of reusing <agent-root>/flywheel/cache/ (the output is the same)",
    )


def read_text(path: str, streams, *, what: str = "the file") -> str:
    """A UTF-8 text a person wrote (``-`` is stdin), trailing newlines removed; ``InputError`` naming the file."""
    from ..errors import InputError

    if path == "-":
        return streams.stdin.read().rstrip("\r\n")
    try:
        with open(path, encoding="utf-8") as fp:
            return fp.read().rstrip("\r\n")
    except FileNotFoundError:
        raise InputError("no such file", source=path, remedy=f"check the path, or write {what} there first") from None
    except IsADirectoryError:
        raise InputError("is a folder", source=path, remedy=f"pass the file with {what}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 (byte {error.start + 1})", source=path, remedy="save it as UTF-8") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", source=path) from None


def today(env: Mapping[str, str]) -> str:
    """Today's date, or the date of ``SOURCE_DATE_EPOCH`` (UTC) so reproducible builds name the same folder."""
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    return dt.date.today().isoformat()


def flywheel_dir(args) -> str:
    return os.path.join(args.agent_root, "flywheel")


def plan_from_args(args, env: Mapping[str, str]) -> ExportPlan:
    folder = flywheel_dir(args)
    date = getattr(args, "date", None) or today(env)
    out = getattr(args, "out", None) or os.path.join(folder, "exports", date)
    return ExportPlan(
        agent_root=args.agent_root,
        approved_runs=args.approved_runs or os.path.join(folder, "approved-runs.jsonl"),
        out=out,
        date=date,
        project=args.project or project.find().name,
    )


def make_gate(args):
    """The redaction gate with the team's deny/allow lists, and the rule-set version it reports."""
    from ..redaction import RULESET_VERSION, Redactor, load_config

    path = os.path.join(flywheel_dir(args), REDACTION_CONFIG)
    redaction_config = load_config(path) if os.path.exists(path) else None
    return RedactionGate(Redactor(config=redaction_config)), RULESET_VERSION


def load_settings(args) -> flywheel_config.Config:
    return flywheel_config.load_config(flywheel_dir(args))


def run_over_approved_runs(args, streams, *, write: bool, label: str):
    """Read the approved runs through the gate (and write the export when ``write``).

    Shared by export and status: warnings for skipped lines on stderr, a
    progress line on a terminal (never with --json). Returns the plan, the
    settings and the pipeline's result.
    """
    from ..export.pipeline import run_pipeline
    from ..terminal import Painter, Progress, colour_enabled

    from ..export import splits

    _named_file_exists(args.approved_runs)
    plan = plan_from_args(args, streams.env)
    settings = load_settings(args)
    if getattr(args, "split_ratios", None):
        plan.split_ratios = splits.parse_ratios(args.split_ratios, source="--split-ratios")
    elif settings.split_ratios is not None:
        plan.split_ratios = dict(settings.split_ratios)
    plan.max_tokens = getattr(args, "max_tokens", None)
    if write:
        from ..export import second_scanner

        plan.second_scanner = second_scanner.chosen(getattr(args, "second_scanner", None), settings.second_scanner)
        if plan.second_scanner:  # a typo is refused before anything is read
            second_scanner.scanner_named(plan.second_scanner, source="--second-scanner")
    gate, ruleset = make_gate(args)
    printer = ProblemPrinter(streams.stderr, Painter(colour_enabled(streams.stderr, streams.env)))
    progress = Progress(streams.stderr, label, enabled=not args.json)
    try:
        with _run_cache(args, plan, settings, ruleset) as cache:
            result = run_pipeline(
                plan, gate, settings, ruleset, streams.env, write=write, report=printer, progress=progress,
                stdin=streams.stdin, cache=cache,
            )
    finally:
        progress.done()
    printer.finish()
    return plan, settings, result


def _run_cache(args, plan, settings, ruleset):
    """The run cache of this project (``export/cache.py``), or a stand-in for none with --no-cache."""
    import contextlib

    from ..export.cache import RunCache, context_key

    # Never a new .agent/flywheel/ only for the cache: status writes nothing a person would see.
    if getattr(args, "no_cache", False) or not os.path.isdir(flywheel_dir(args)):
        return contextlib.nullcontext()
    path = os.path.join(flywheel_dir(args), REDACTION_CONFIG)
    try:
        with open(path, "rb") as fp:
            redaction_config = hashlib.sha256(fp.read()).hexdigest()
    except OSError:
        redaction_config = None
    context = context_key(ruleset, redaction_config, repr(settings), plan.project)
    return RunCache(os.path.join(flywheel_dir(args), "cache"), context)


def _named_file_exists(path: str) -> None:
    """A file named with --approved-runs must exist: a typo must not export nothing over today's export.

    Only the default file may be missing (agentic-stack exports zero runs then,
    and a new project has none yet).
    """
    from ..errors import InputError

    if path and path != "-" and not os.path.exists(path):
        raise InputError(
            "no such file", source=path,
            remedy="check the --approved-runs path: only the default file may be missing; nothing was changed",
        )


class ProblemPrinter:
    """Prints skipped input lines as warnings on stderr, the first hundred in full, then counts only."""

    def __init__(self, stream, painter, outcomes=None) -> None:
        self.stream = stream
        self.paint = painter
        # What happened to the thing a problem is about, by reason; lines are skipped unless said otherwise.
        self.outcomes = outcomes or {}
        self.printed = 0
        self.held_back = 0

    def __call__(self, problem) -> None:
        if self.printed < MAX_REPORTED_PROBLEMS:
            self.printed += 1
            outcome = self.outcomes.get(problem.reason, "line skipped")
            self.stream.write(f"{self.paint('warning:', 'yellow')} {problem} ({outcome})\n")
        else:
            self.held_back += 1

    def finish(self) -> None:
        if self.held_back:
            self.stream.write(
                f"{self.paint('warning:', 'yellow')} {self.held_back} more skipped lines not shown; "
                "flywheel-metrics.json input_quality counts every one by reason\n"
            )
