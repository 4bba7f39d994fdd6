"""Harvest the one session a harness hook names (opt-in; for hook configurations, not for people).

A harness hook (Claude Code PreCompact or SessionEnd, Codex PreCompact, Gemini
CLI SessionEnd or PreCompress, ...) runs this command with its JSON payload on
stdin; the payload's transcript_path is harvested like
`harvest --path TRANSCRIPT` into <agent-root>/flywheel/harvest/sessions/<id>/,
and its answered requests become pending candidates. Only a session that ran
in this project (the folder holding the agent root, or below) is taken. A typical session is done in
well under a second; a transcript over 8 MB is handed to a detached background
process so the harness is never kept waiting (Claude Code gives SessionEnd
hooks 1.5 s).

Nothing happens unless .agent/flywheel/config.json has "capture_hook": true.
The agent root is --agent-root, else the .agent folder of the project the
payload's cwd is in (found upward from it, like every command), else of this folder's.
Problems exit 1, never 2: Claude Code reads exit code 2 from a PreCompact hook
as "block the compaction", and a capture problem must not stop the user's work.

Examples (payload on stdin):
  echo '{"transcript_path": "/path/to/session.jsonl", "cwd": "/path/to/repo"}' | python3 .agent/tools/data_flywheel_export.py hook
  python3 "$CLAUDE_PROJECT_DIR/.agent/tools/data_flywheel_export.py" hook --json < payload.json
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from .. import config as flywheel_config
from .. import project
from ..records import candidates as candidate_records
from ..records import normalize
from ..sources.harness import READERS
from ..terminal import Painter, colour_enabled
from . import common

NAME = "hook"
SUMMARY = "harvest the session a harness hook names (opt-in via config.json capture_hook)"

# Larger transcripts are harvested by a detached process: the hook returns at once.
DETACH_ABOVE_BYTES = 8 * 1024 * 1024
_ENTRY = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data_flywheel_export.py")


def add_arguments(parser) -> None:
    parser.add_argument("--agent-root", default=None, metavar="DIR",
                        help="the .agent folder (default: the payload's cwd/.agent, else .agent)")
    common.add_json_flag(parser)


def _fail(streams, args, message: str) -> int:
    if args.json:
        streams.json({"harvested": False, "error": message})
    streams.stderr.write(f"error: <stdin>: {message}\n")
    return 1


def run(args, streams) -> int:
    text = streams.stdin.read()
    try:
        payload = json.loads(text) if text.strip() else None
    except ValueError:
        return _fail(streams, args, "the hook payload is not JSON (the harness passes it on stdin)")
    if not isinstance(payload, dict) or not isinstance(payload.get("transcript_path"), str):
        return _fail(streams, args, "the hook payload has no transcript_path (use a hook event that names the transcript)")
    transcript = payload["transcript_path"]
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
    where = project.find(cwd if cwd and os.path.isdir(cwd) else None)
    args.agent_root = args.agent_root or (os.path.join(where.root, project.AGENT_DIR) if cwd else where.agent_root)
    flywheel = common.flywheel_dir(args)
    settings = flywheel_config.load_config(flywheel)
    if not settings.capture_hook:
        note = f'capture is off: set "capture_hook": true in {os.path.join(flywheel, flywheel_config.CONFIG_FILE)}'
        if args.json:
            streams.json({"harvested": False, "reason": note})
        else:
            streams.stderr.write(note + "\n")
        return 0
    if not os.path.isfile(transcript):
        return _fail(streams, args, "the transcript named in the payload does not exist (yet)")
    out = os.path.join(flywheel, "harvest", "sessions", normalize.sha256_hex(os.path.abspath(transcript))[:16])
    if os.path.getsize(transcript) > DETACH_ABOVE_BYTES:
        return _detach(transcript, out, args, streams)
    from ..export.harvest import run_harvest
    from ..export.pipeline import generated_at
    from .harvest import project_scope

    gate, _ruleset = common.make_gate(args)
    printer = common.ProblemPrinter(streams.stderr, Painter(colour_enabled(streams.stderr, streams.env)))
    report = run_harvest(
        READERS, [transcript], out, os.path.join(flywheel, candidate_records.CANDIDATES_FILE), gate, streams.env,
        since=None, keep_reasoning=False, audit_logs=(),
        scope=project_scope(flywheel, where.name, all_projects=False, named=True),
        generated=generated_at(streams.env), report_problem=printer,
    )
    printer.finish()
    summary = {"harvested": True, "detached": False, "out": out, **report.as_dict()}
    if args.json:
        streams.json(summary)
    else:
        streams.stdout.write(
            f"harvested {summary['sessions_processed']} session into {out}: "
            f"{summary['candidates_added']} new candidates"
            + (" (the session ran outside this project: not taken)" if summary["sessions_outside_project"] else "")
            + "\n"
        )
    return 0


def _detach(transcript: str, out: str, args, streams) -> int:
    """Start ``harvest`` for this transcript in its own session and return at once."""
    os.makedirs(os.path.dirname(out), exist_ok=True)
    log_path = out + ".log"
    with open(log_path, "ab") as log:
        subprocess.Popen(
            [sys.executable, _ENTRY, "harvest", "--path", transcript, "--out", out, "--agent-root", args.agent_root],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True,
        )
    if args.json:
        streams.json({"harvested": False, "detached": True, "out": out, "log": log_path})
    else:
        streams.stdout.write(f"harvesting a large session in the background into {out} (log: {log_path})\n")
    return 0
