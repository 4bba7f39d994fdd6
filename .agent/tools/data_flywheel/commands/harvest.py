"""Read coding-agent session logs into redacted episodes and pending candidate runs.

Looks in each harness's default folder (or in --path files and folders),
recognises each session file by sniffing its first lines, and writes
<agent-root>/flywheel/harvest/<date>/ (or --out): episodes.jsonl (task,
compact_summary, turn and ops_event rows, every text redacted, home-folder
user names removed) and manifest.json (sessions found, processed, skipped
with the reason, rows by source and kind, characters, tool calls). Each
usable task episode is appended to <agent-root>/flywheel/candidates.jsonl as
a pending candidate for human review; harvesting the same sessions again adds
nothing. A corrupt line is skipped and reported; the session is still read.

Each answered user request becomes one candidate: the request is its task,
the last answer before the next request its output, and its trajectory keeps
the earlier context the model saw. Slash-command tags, /clear and other
housekeeping, compaction summaries, "Warmup" pings and requests without an
answer are never candidates; failed and aborted requests are kept, labelled.

Only sessions that ran in this project (the folder holding .agent, or below)
are taken; --all-projects takes every session, each candidate named after
the folder it ran in. A session that records no folder is taken only when
named with --path.

Examples:
  python3 .agent/tools/data_flywheel_export.py harvest --source pi
  python3 .agent/tools/data_flywheel_export.py harvest --path ~/.pi/agent/sessions --since 2026-11-01 --json
  python3 .agent/tools/data_flywheel_export.py harvest --path session.jsonl --out episodes --include-audit audit.jsonl
  python3 .agent/tools/data_flywheel_export.py harvest --source claude-code --all-projects
"""
from __future__ import annotations

import datetime as dt
import os

from ..errors import InputError
from ..records import candidates as candidate_records
from ..records import normalize
from ..sources.harness import READERS
from ..terminal import Painter, Progress, colour_enabled, plural
from . import common

NAME = "harvest"
SUMMARY = "harness session logs -> redacted episodes and pending candidates"
SKIPPED_SHOWN = 20


def add_arguments(parser) -> None:
    names = [reader.NAME for reader in READERS]
    parser.add_argument("--source", action="append", choices=names, metavar="NAME",
                        help=f"only these harnesses (repeatable): {', '.join(names)}")
    parser.add_argument("--path", action="append", default=[], metavar="PATH",
                        help="session files or folders (repeatable; default: each harness's own folder)")
    parser.add_argument("--since", metavar="DATE", help="only files changed since this date (YYYY-MM-DD or RFC 3339)")
    parser.add_argument("--agent", metavar="NAME", help="OpenClaw: only this agent's sessions")
    parser.add_argument("--include-audit", action="append", default=[], metavar="PATH",
                        help="an audit log (JSONL, one event per line) to add as ops_event rows (repeatable)")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: <agent-root>/flywheel/harvest/<date>)")
    parser.add_argument("--keep-reasoning", action="store_true",
                        help="keep thinking blocks as reasoning_content (left out by default)")
    common.add_agent_root_flag(parser)
    parser.add_argument("--project", default=None, metavar="NAME",
                        help="project name on this project's candidates (default: the project folder's name)")
    parser.add_argument("--all-projects", action="store_true",
                        help="take sessions of every project, not only those run in this one")
    common.add_json_flag(parser)


def _since(text):
    if text is None:
        return None
    moment = normalize.parse_time(text)
    if moment is None:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.timezone.utc)
        except ValueError:
            raise InputError(f"--since {text!r} is not a date", remedy="use YYYY-MM-DD or an RFC 3339 date-time") from None
    return moment.timestamp()


def _roots(readers, args, env):
    """--path as given, else each harness's folders; --agent narrows OpenClaw's to one agent."""
    from ..sources.discover import default_dirs, expand_home

    if args.path:
        return [expand_home(path, env) for path in args.path]
    roots = []
    for reader in readers:
        for folder in default_dirs(reader, env):
            if args.agent and reader.NAME == "openclaw":
                if f"{os.sep}agents{os.sep}{args.agent}{os.sep}" not in folder + os.sep:
                    continue
            if folder not in roots:
                roots.append(folder)
    return roots


def run(args, streams) -> int:
    from ..export.harvest import run_harvest, shown_path
    from ..export.pipeline import generated_at

    readers = [reader for reader in READERS if not args.source or reader.NAME in args.source]
    since = _since(args.since)
    date = common.today(streams.env)
    flywheel = common.flywheel_dir(args)
    out = args.out or os.path.join(flywheel, "harvest", date)
    candidates_path = os.path.join(flywheel, candidate_records.CANDIDATES_FILE)
    gate, _ruleset = common.make_gate(args)
    paint = Painter(colour_enabled(streams.stderr, streams.env))
    printer = common.ProblemPrinter(
        streams.stderr, paint, {"not_usable": "not harvested", "truncated_last_line": "the rest of the session is kept"}
    )
    progress = Progress(streams.stderr, "harvesting episodes", enabled=not args.json)
    roots = _roots(readers, args, streams.env)
    scope = project_scope(flywheel, args.project, all_projects=args.all_projects, named=bool(args.path))
    try:
        report = run_harvest(
            readers, roots, out, candidates_path, gate, streams.env,
            since=since, keep_reasoning=args.keep_reasoning, audit_logs=args.include_audit,
            scope=scope,
            generated=generated_at(streams.env), report_problem=printer, progress=progress,
        )
    finally:
        progress.done()
    printer.finish()
    summary = report.as_dict()
    next_step = _next_step(summary, roots, readers)
    if args.json:
        streams.json({"out": out, "candidates": candidates_path, **summary, "next": next_step})
        return 0
    for skipped in report.skipped[:SKIPPED_SHOWN]:
        streams.stderr.write(f"{paint('skipped:', 'yellow')} {skipped['path']}: {skipped['reason']}\n")
    if len(report.skipped) > SKIPPED_SHOWN:
        streams.stderr.write(f"skipped: {len(report.skipped) - SKIPPED_SHOWN} more (listed in manifest.json)\n")
    out_stream = streams.stdout
    out_stream.write(f"harvest: {out}\n")
    out_stream.write(
        f"sessions: {summary['sessions_found']} found, {summary['sessions_processed']} read, "
        f"{summary['sessions_skipped']} files skipped\n"
    )
    if summary["sessions_outside_project"]:
        out_stream.write(
            f"  {plural(summary['sessions_outside_project'], 'session')} of other projects left out"
            f" (this project: {shown_path(scope.root, streams.env)}; --all-projects takes them)\n"
        )
    for source, kinds in summary["rows"].items():
        out_stream.write(f"  {source}: " + ", ".join(f"{kind} {count}" for kind, count in kinds.items()) + "\n")
    out_stream.write(
        f"candidates: {summary['candidates_added']} added to {candidates_path}"
        f" ({summary['candidates_already_present']} already there)\n"
    )
    if summary["episodes_with_redactions"]:
        out_stream.write(f"redaction: {plural(summary['episodes_with_redactions'], 'episode')} had text replaced\n")
    out_stream.write(f"next: {next_step}\n")
    return 0


def project_scope(flywheel: str, project, *, all_projects: bool, named: bool):
    """The harvest scope of the project whose flywheel folder this is (<root>/.agent/flywheel)."""
    from ..export.harvest import Scope

    root = os.path.dirname(os.path.dirname(os.path.abspath(flywheel)))
    return Scope(root, project or os.path.basename(root) or "project", all_projects=all_projects, named=named)


def _next_step(summary, roots, readers) -> str:
    if not roots:
        names = ", ".join(reader.NAME for reader in readers)
        return f"no session folders found for {names}: pass --path to the sessions you want to harvest"
    if not summary["sessions_found"]:
        return "no session files recognised: check --path, or --source for the harness that wrote them"
    if not summary["sessions_processed"] and summary["sessions_outside_project"]:
        return "no session ran in this project: run harvest from the project folder, or pass --all-projects"
    if summary["candidates_added"]:
        return "review them: run review on a terminal, or review --list then review --accept/--edit/--reject ID"
    return "nothing new to review; harvest again after more agent work"
