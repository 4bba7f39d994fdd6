"""Append one judged result from the current work to the approved runs.

What the /data-flywheel skill calls when the user approves (or edits, or
rejects) a result in the middle of their work. The run is built from the
flags: --domain and --workflow (required), --instruction, the input
(--input TEXT or --input-file F), the output (--output TEXT or --output-file
F), or a whole chat trajectory (--messages-file F: a JSON list of
chat-completions messages, or an object with "messages" and optional
"tools"; input and output then default to its first user message and its
last assistant message). - reads stdin, for one of the files at most.

--status is the user's judgement: accepted, edited or rejected ("pending" is
refused: record is for results the user judged; harvest collects the rest).
With --status edited, --original-file F keeps the agent's draft as
output_original, which makes a real preference pair; with a trajectory whose
last answer differs from --output, that answer is the draft.

Every text passes the redaction scanner before anything is written; the
command says how many values it replaced and by which rules, never the
values, and marks the run auto_redacted (not trainable unless the team
accepts auto-redacted runs). A domain, workflow or reviewer name the scanner
flags is refused. The run is checked against the approved-run
schema; an invalid one is refused with the reason and its JSON path and
nothing is written. The run is appended to
<agent-root>/flywheel/approved-runs.jsonl under a lock, id "rec_" plus a
digest of its content (not the time or the reviewer): recording the same
work again says "already recorded" and writes nothing. A recorded run is
corrected like a reviewed one (review --undo ID, review --relabel ID).
The reviewer is --reviewer, else DATA_FLYWHEEL_REVIEWER, else git config
user.name, else the account name.

Examples:
  python3 .agent/tools/data_flywheel_export.py record --domain saas --workflow bug_triage --status accepted --input "Import fails after adding a custom field." --output "Regression in the import validator; fix and test attached."
  git diff | python3 .agent/tools/data_flywheel_export.py record --domain coding --workflow refactor --status edited --input "Extract the retry loop." --output-file - --original-file draft.diff --note "Kept the public name."
  python3 .agent/tools/data_flywheel_export.py record --domain coding --workflow add_tests --status accepted --messages-file chat.json --json

Exit status: 0 recorded (or already recorded); 1 the run is not a valid
approved run (nothing written); 2 a usage error or unreadable input.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Optional, Tuple

from .. import project
from ..errors import InputError
from ..records import decisions
from . import common

NAME = "record"
SUMMARY = "append one result the user judged (accepted, edited, rejected) to the approved runs"


def add_arguments(parser) -> None:
    parser.add_argument("--domain", required=True, metavar="NAME", help="the run's domain, e.g. coding or saas")
    parser.add_argument("--workflow", required=True, metavar="NAME", help="the run's workflow, e.g. bug_triage")
    parser.add_argument("--status", required=True, metavar="STATUS",
                        help="the user's judgement: accepted, edited or rejected")
    parser.add_argument("--instruction", metavar="TEXT", help="the standing instruction of the workflow")
    given_input = parser.add_mutually_exclusive_group()
    given_input.add_argument("--input", metavar="TEXT", help="the task as the user gave it")
    given_input.add_argument("--input-file", metavar="F", help="the task from a file; - for stdin")
    given_output = parser.add_mutually_exclusive_group()
    given_output.add_argument("--output", metavar="TEXT", help="the result the user judged")
    given_output.add_argument("--output-file", metavar="F", help="the result from a file; - for stdin")
    parser.add_argument("--messages-file", metavar="F",
                        help="the chat trajectory as JSON: a list of messages, or {messages, tools}; - for stdin")
    parser.add_argument("--original-file", metavar="F",
                        help="with --status edited: the agent's draft before the user's edit; - for stdin")
    parser.add_argument("--note", metavar="TEXT", help="the user's review note")
    parser.add_argument("--reviewer", metavar="NAME",
                        help="who judged (default: $DATA_FLYWHEEL_REVIEWER, else the login name)")
    parser.add_argument("--harness", metavar="NAME", help="the agent harness, e.g. claude-code or codex")
    parser.add_argument("--model", metavar="NAME", help="the model that produced the output")
    parser.add_argument("--project", metavar="NAME", help="the project (default: the project folder's name)")
    common.add_agent_root_flag(parser)
    parser.add_argument("--approved-runs", metavar="PATH",
                        help="where the run goes (default: <agent-root>/flywheel/approved-runs.jsonl)")
    common.add_json_flag(parser)


def _check_flags(args) -> str:
    status = args.status.strip().lower()
    if status == "pending":
        raise InputError(
            "--status pending is not a judgement",
            remedy="record is for results the user accepted, edited or rejected; harvest collects the rest for review",
        )
    if status not in decisions.DECISION_STATUSES:
        raise InputError(f"--status {args.status!r} is not one of accepted, edited, rejected", remedy="pick one")
    if args.original_file and status != "edited":
        raise InputError("--original-file goes with --status edited", remedy="it is the draft the user edited")
    from_stdin = [flag for flag, value in (
        ("--input-file", args.input_file), ("--output-file", args.output_file),
        ("--messages-file", args.messages_file), ("--original-file", args.original_file),
    ) if value == "-"]
    if len(from_stdin) > 1:
        raise InputError(f"only one of {', '.join(from_stdin)} can read stdin", remedy="pass the others as files")
    if args.approved_runs == "-":
        raise InputError("record appends to a real file, not stdout", remedy="pass a file path to --approved-runs")
    return status


def run(args, streams) -> int:
    status = _check_flags(args)
    gate, _ruleset = common.make_gate(args)
    reviewer = decisions.reviewer_name(args.reviewer, streams.env, gate)
    domain = decisions.label_name(args.domain, "--domain", gate)
    workflow = decisions.label_name(args.workflow, "--workflow", gate)
    messages, tools = _trajectory(args.messages_file, streams) if args.messages_file else (None, None)
    given_input = args.input if args.input is not None else _read(args.input_file, streams)
    given_output = args.output if args.output is not None else _read(args.output_file, streams)
    original = _read(args.original_file, streams)
    task = given_input if given_input is not None else _first_text(messages, "user")
    answer = given_output if given_output is not None else _last_text(messages, "assistant")
    if not (task or "").strip():
        raise InputError("the input is empty", remedy="pass --input TEXT or --input-file F, or a --messages-file with a user message")
    if not (answer or "").strip():
        raise InputError(
            "the output is empty", remedy="pass --output TEXT or --output-file F, or a --messages-file with an assistant answer"
        )
    if messages:
        final = _last_text(messages, "assistant")
        if final != answer:  # the trajectory ends in what the user judged, like output_approved
            messages = decisions.with_final_answer(messages, answer)
            if status == "edited" and original is None and (final or "").strip():
                original = final
    created = decisions.now(streams.env)  # created_at and reviewed_at: not part of the id
    record: Dict[str, Any] = {
        "id": "",
        "created_at": created,
        "project": args.project or project.find().name,
        "domain": domain,
        "workflow": workflow,
    }
    for key, value in (("harness", args.harness), ("model_used", args.model), ("instruction", args.instruction)):
        if value:
            record[key] = value
    record["input_redacted"] = task
    record["output_approved"] = answer
    if original is not None:
        record["output_original"] = original
    if messages is not None:
        record["messages"] = messages
    if tools is not None:
        record["tools"] = tools
    review: Dict[str, Any] = {"status": status, "reviewer": reviewer, "reviewed_at": created}
    if args.note and args.note.strip():
        review["review_notes"] = args.note.strip()
    record["human_review"] = review
    record.update({"redaction_status": "passed", "pii_level": "unknown", "raw_input_stored": False,
                   "source": {"recorded_by": "record"}})
    ledger = decisions.Ledger(decisions.approved_runs_path(args.agent_root, args.approved_runs), gate, reviewer, streams.env)
    clean, found = ledger.clean(record)
    if status == "edited" and clean.get("output_original") == clean["output_approved"]:
        raise InputError("the draft (--original-file) is the same as the output", remedy="use --status accepted")
    clean["id"] = run_id(clean)
    earlier = ledger.append(clean, what="the record")
    return _report(clean, found, ledger.path, earlier, args, streams)


# What makes two recorded runs the same run: what they teach, not when or by whom they were judged.
_NOT_CONTENT = ("id", "created_at", "human_review", "source", "redaction_status")


def run_id(record: Dict[str, Any]) -> str:
    """``rec_`` + a digest of the redacted content: recording the same work twice is one run, whenever it is done."""
    body = json.dumps({k: v for k, v in record.items() if k not in _NOT_CONTENT}, sort_keys=True, ensure_ascii=False)
    return "rec_" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:24]


def _read(path: Optional[str], streams) -> Optional[str]:
    return None if path is None else common.read_text(path, streams)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (use null or a string instead)")


def _trajectory(path: str, streams) -> Tuple[List[Any], Optional[List[Any]]]:
    """``(messages, tools)`` from a JSON list of messages or an object with ``messages`` and ``tools``."""
    text = _read(path, streams) or ""
    try:
        document = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg} at column {error.colno}", source=path, line=error.lineno,
                         remedy="--messages-file takes one JSON document") from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"not valid JSON: {str(error).split(':')[0]}", source=path) from None
    remedy = 'give a list of chat messages, or {"messages": [...], "tools": [...]}'
    if isinstance(document, dict):
        messages, tools = document.get("messages"), document.get("tools")
        if tools is not None and not isinstance(tools, list):
            raise InputError("\"tools\" is not a list", source=path, remedy=remedy)
    else:
        messages, tools = document, None
    if not isinstance(messages, list) or not messages:
        raise InputError("no chat messages found", source=path, remedy=remedy)
    return messages, tools


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _first_text(messages: Optional[List[Any]], role: str) -> Optional[str]:
    for message in messages or ():
        if isinstance(message, dict) and message.get("role") == role:
            return _text(message.get("content"))
    return None


def _last_text(messages: Optional[List[Any]], role: str) -> Optional[str]:
    for message in reversed(messages or ()):
        if isinstance(message, dict) and message.get("role") == role:
            return _text(message.get("content"))
    return None


def _report(record: Dict[str, Any], found, path: str, earlier: Optional[decisions.Decided], args, streams) -> int:
    review = record["human_review"]
    next_step = "run status to see readiness, or export to rebuild the datasets"
    if earlier is not None:
        next_step = (f"nothing written; to change how it was judged: review --undo {record['id']}, "
                     "then record again or review --accept/--edit/--reject it")
    if args.json:
        streams.json({
            "id": record["id"],
            "status": review["status"],
            "domain": record["domain"],
            "workflow": record["workflow"],
            "reviewer": review["reviewer"],
            "created_at": record["created_at"],
            "redaction_status": record["redaction_status"],
            "redaction": {"values": found.count, "rules": sorted(found.by_rule)},
            "already_recorded": earlier is not None,
            **({"recorded": {"status": earlier.status, "reviewer": earlier.reviewer, "reviewed_at": earlier.reviewed_at,
                             "line": earlier.line}} if earlier is not None else {}),
            "approved_runs": path,
            "next": next_step,
        })
        return 0
    out = streams.stdout
    if earlier is not None:
        out.write(f"already recorded: {record['id']} is in {path}:{earlier.line} ({earlier.describe()}); nothing written\n")
        if earlier.final and earlier.status != review["status"]:
            out.write(f"next: {next_step}\n")
        return 0
    out.write(f"recorded {record['id']} ({review['status']}, {record['domain']}/{record['workflow']}) by {review['reviewer']}\n")
    note = decisions.redaction_note(found)
    if note:
        out.write(f"{note} before writing; the run is marked auto_redacted\n")
    out.write(f"written to {path}\n")
    out.write(f"next: {next_step}\n")
    return 0
