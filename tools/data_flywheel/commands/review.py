"""Accept, edit or reject the pending candidates that harvest collected.

On a terminal (stdin and stdout both), shows each pending candidate in turn:
a short summary (workflow, harness, when, outcome), the task, the agent's
final answer and its tool calls folded to one line, then asks

  [a]ccept [e]dit [r]eject [s]kip [w]orkflow [t]ools [q]uit

Edit opens $VISUAL or $EDITOR (else vi) on the answer; the agent's draft is
kept as output_original. Reject asks why (the note is required). Workflow
sets the candidate's domain and workflow. Skip and quit decide nothing.

Each decision is appended at once to <agent-root>/flywheel/approved-runs.jsonl
(the candidate copied, with human_review status, reviewer, reviewed_at and
notes, and source.candidate_id), so quitting loses nothing. Rejected runs are
kept there as negative cases; the export never trains on them. Appends
happen under a lock: two reviewers never decide one candidate twice.

Without a terminal, use the flags: --list, --accept ID, --reject ID --note
TEXT, --edit ID --output-file F (- for stdin). An ID may be any unique prefix.
What is typed (an edited answer, notes) passes the redaction scanner before
it is written; the command says how many values it replaced and by which
rules, never the values, and marks the run auto_redacted. A domain, workflow
or reviewer name the scanner flags is refused. The reviewer is --reviewer,
else DATA_FLYWHEEL_REVIEWER, else the login name (USER, LOGNAME, USERNAME).

Examples:
  python3 .agent/tools/data_flywheel_export.py review
  python3 .agent/tools/data_flywheel_export.py review --list --json
  python3 .agent/tools/data_flywheel_export.py review --accept cand_8762 --note "Correct and minimal."
  python3 .agent/tools/data_flywheel_export.py review --reject cand_5a1f --note "Deleted the wrong folder."
  python3 .agent/tools/data_flywheel_export.py review --edit cand_0c3e --output-file answer.md --workflow add_tests

Exit status: 0 done; 1 the decision would not be a valid approved run
(nothing written); 2 a usage error, an unknown or already decided id, an
empty edit, or no candidates file.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

from ..errors import FlywheelError, InputError
from ..records import decisions
from ..terminal import Painter, colour_enabled, is_terminal, plural
from . import common

NAME = "review"
SUMMARY = "accept, edit or reject pending candidates (interactive on a terminal)"

PROMPT = "[a]ccept [e]dit [r]eject [s]kip [w]orkflow [t]ools [q]uit > "
TASK_SHOWN = (20, 1200)  # lines, characters
ANSWER_SHOWN = (40, 3000)
ACTIONS_HINT = "--list, --accept ID, --reject ID --note TEXT, or --edit ID --output-file F"

Editor = Callable[[str], str]


def add_arguments(parser) -> None:
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--list", action="store_true", help="list the pending candidates and exit")
    action.add_argument("--accept", metavar="ID", help="accept this candidate's answer as it is")
    action.add_argument("--reject", metavar="ID", help="reject this candidate (needs --note): kept as a negative case")
    action.add_argument("--edit", metavar="ID", help="replace this candidate's answer with --output-file (the draft is kept)")
    parser.add_argument("--output-file", metavar="F", help="with --edit: the corrected answer; - for stdin")
    parser.add_argument("--note", metavar="TEXT", help="a review note (required with --reject)")
    parser.add_argument("--domain", metavar="NAME", help="set the decided run's domain (default: the candidate's)")
    parser.add_argument("--workflow", metavar="NAME", help="set the decided run's workflow (default: the candidate's)")
    parser.add_argument("--reviewer", metavar="NAME",
                        help="who decides (default: $DATA_FLYWHEEL_REVIEWER, else the login name)")
    parser.add_argument("--agent-root", default=".agent", metavar="DIR", help="the .agent folder (default: .agent)")
    parser.add_argument("--candidates", metavar="PATH",
                        help="the candidates file (default: <agent-root>/flywheel/candidates.jsonl)")
    parser.add_argument("--approved-runs", metavar="PATH",
                        help="where decisions go (default: <agent-root>/flywheel/approved-runs.jsonl)")
    common.add_json_flag(parser)


def _check_flags(args, interactive: bool) -> None:
    if args.reject is not None and not (args.note or "").strip():
        raise InputError("--reject needs --note TEXT", remedy="say what is wrong with the answer: it teaches what to avoid")
    if args.edit is not None and not args.output_file:
        raise InputError("--edit needs --output-file F", remedy="write the corrected answer to a file, or pass - and pipe it in")
    if args.output_file and args.edit is None:
        raise InputError("--output-file goes with --edit ID", remedy="use --edit ID --output-file F")
    if args.list and (args.note or args.domain or args.workflow):
        raise InputError("--note, --domain and --workflow set a decision", remedy="use them with --accept, --edit or --reject")
    if interactive and args.json:
        raise InputError("--json needs an action", remedy=f"use {ACTIONS_HINT}")
    if interactive and args.note:
        raise InputError("--note goes with --accept, --edit or --reject", remedy="on the terminal, reject asks for its note")
    if args.approved_runs == "-" or args.candidates == "-":
        raise InputError("review reads and appends real files, not stdin", remedy="pass file paths")


def run(args, streams) -> int:
    interactive = not (args.list or args.accept or args.reject or args.edit)
    for name in ("accept", "reject", "edit"):
        value = getattr(args, name)
        if value is not None and not value.strip():
            raise InputError(f"--{name} needs a candidate id", remedy="review --list shows them")
    _check_flags(args, interactive)
    if interactive and not (is_terminal(streams.stdin) and is_terminal(streams.stdout)):
        raise InputError("review is interactive only on a terminal", remedy=f"without one, use {ACTIONS_HINT}")
    gate, _ruleset = common.make_gate(args)
    desk = Desk(
        gate=gate,
        env=streams.env,
        approved_runs=decisions.approved_runs_path(args.agent_root, args.approved_runs),
        reviewer="" if args.list else decisions.reviewer_name(args.reviewer, streams.env, gate),
    )
    labels = Labels()
    if args.domain is not None:
        labels.domain = desk.label(args.domain, "--domain")
    if args.workflow is not None:
        labels.workflow = desk.label(args.workflow, "--workflow")
    paint = Painter(colour_enabled(streams.stderr, streams.env))
    printer = common.ProblemPrinter(streams.stderr, paint, {
        "duplicate_id": "line skipped; the first one is reviewable",
    })
    desk.candidates = decisions.Candidates.read(
        decisions.candidates_path(args.agent_root, args.candidates), printer, gate.redact_value
    )
    printer.finish()
    desk.skipped_lines = printer.printed + printer.held_back
    desk.refresh()
    if args.list:
        return _list(desk, args, streams)
    if interactive:
        pending = desk.pending()
        streams.stdout.write(
            f"{plural(len(pending), 'pending candidate')} in {desk.candidates.path}; "
            f"each decision is written at once to {desk.approved_runs}\n"
        )
        tally = review_loop(
            desk, pending, stdin=streams.stdin, stdout=streams.stdout,
            editor=system_editor(streams.env), paint=Painter(colour_enabled(streams.stdout, streams.env)), labels=labels,
        )
        streams.stdout.write(tally.summary(desk) + "\n")
        return 0
    identifier = args.accept or args.reject or args.edit
    entry = desk.candidates.resolve(identifier.strip(), desk.decided, desk.approved_runs)
    candidate = desk.candidates.load(entry)
    if args.edit is not None:
        status, output = "edited", _read_answer(args.output_file, streams)
    else:
        status, output = ("accepted" if args.accept is not None else "rejected"), None
    decision = Decision(status, note=args.note, output=output, domain=labels.domain, workflow=labels.workflow)
    record, found = desk.decide(candidate, decision)
    return _report(desk, record, found, args, streams)


# --- the shared part: deciding --------------------------------------------------


@dataclass
class Decision:
    status: str
    note: Optional[str] = None
    output: Optional[str] = None  # the edited answer
    domain: Optional[str] = None
    workflow: Optional[str] = None


@dataclass
class Labels:
    """Domain and workflow set from the command line, for every decision of the session."""

    domain: Optional[str] = None
    workflow: Optional[str] = None


@dataclass
class Desk:
    """What every decision needs: the gate, the store, who decides, and the candidates read so far."""

    gate: Any
    env: Any
    approved_runs: str
    reviewer: str
    candidates: Any = None
    decided: Dict[str, decisions.Decided] = field(default_factory=dict)
    skipped_lines: int = 0

    def refresh(self) -> None:
        self.decided = decisions.find_decided(self.approved_runs, self.candidates.entries.keys())

    def pending(self) -> List[decisions.Entry]:
        return self.candidates.pending(self.decided)

    def label(self, text: str, what: str) -> str:
        return decisions.label_name(text, what, self.gate)

    def decide(self, candidate: Dict[str, Any], decision: Decision):
        """Redact what was typed, build the approved run, check it and append it; ``(record, findings)``."""
        typed: Dict[str, Any] = {}
        if decision.output is not None:
            typed["output_approved"] = decision.output
        if decision.note:
            typed["review_notes"] = decision.note.strip()
        clean, found = self.gate.redact_record(typed)
        output = clean.get("output_approved")
        if decision.status == "edited":
            if not (output or "").strip():
                raise InputError(
                    "the edited answer is empty", remedy="write the corrected answer; to drop the candidate, reject it with a note"
                )
            if output == candidate.get("output_approved"):
                raise InputError("the edited answer is the agent's answer unchanged", remedy="accept it instead (--accept ID)")
        record = decisions.decision_record(
            candidate, status=decision.status, reviewer=self.reviewer, reviewed_at=decisions.now(self.env),
            note=clean.get("review_notes"), output=output if decision.status == "edited" else None,
            domain=decision.domain, workflow=decision.workflow,
        )
        if found.count:
            record["redaction_status"] = "auto_redacted"  # as harvest marks a candidate it had to redact
        decisions.check_record(record, self.gate, f"the decision on {candidate['id']}")
        earlier = decisions.append_decision(self.approved_runs, record)
        if earlier is not None:
            self.decided[earlier.id] = earlier
            raise InputError(
                f"{candidate['id']} was already decided: {earlier.describe()}", source=self.approved_runs, line=earlier.line,
                remedy="nothing was written; a decision is final",
            )
        self.decided[candidate["id"]] = decisions.Decided(
            candidate["id"], 0, decision.status, self.reviewer, record["human_review"]["reviewed_at"]
        )
        return record, found


def _read_answer(path: str, streams) -> str:
    return common.read_text(path, streams, what="the corrected answer")


def _redaction(found) -> Dict[str, Any]:
    return {"values": found.count, "rules": sorted(found.by_rule)}


def _next_step(desk: Desk) -> str:
    left = len(desk.pending())
    if left:
        return f"{plural(left, 'candidate')} still pending (review --list); run export when you are ready"
    return "no candidates left to review: run export (or status) to see what the decisions add up to"


def _report(desk: Desk, record, found, args, streams) -> int:
    review = record["human_review"]
    if args.json:
        streams.json({
            "id": record["id"],
            "status": review["status"],
            "domain": record["domain"],
            "workflow": record["workflow"],
            "reviewer": review["reviewer"],
            "reviewed_at": review["reviewed_at"],
            "approved_runs": desk.approved_runs,
            "redaction": _redaction(found),
            "pending": len(desk.pending()),
            "next": _next_step(desk),
        })
        return 0
    out = streams.stdout
    out.write(
        f"{review['status']} {record['id']} ({record['domain']}/{record['workflow']}) "
        f"by {review['reviewer']} at {review['reviewed_at']}\n"
    )
    note = decisions.redaction_note(found)
    if note:
        out.write(f"{note} before writing\n")
    out.write(f"written to {desk.approved_runs}\n")
    out.write(f"next: {_next_step(desk)}\n")
    return 0


def _list(desk: Desk, args, streams) -> int:
    pending = desk.pending()
    path = desk.candidates.path
    if args.json:
        streams.json({
            "candidates": path,
            "approved_runs": desk.approved_runs,
            "count": len(pending),
            "decided": len(desk.decided),
            "skipped_lines": desk.skipped_lines,
            "pending": [
                {"id": e.id, "domain": e.domain, "workflow": e.workflow, "harness": e.harness,
                 "created_at": e.created_at, "task": e.task, "line": e.line}
                for e in pending
            ],
        })
        return 0
    out = streams.stdout
    if not pending:
        out.write(f"no pending candidates in {path} ({len(desk.decided)} decided)\n")
        out.write("next: harvest again after more agent work\n")
        return 0
    out.write(f"{plural(len(pending), 'pending candidate')} in {path}\n")
    rows = [("ID", "WORKFLOW", "HARNESS", "CREATED", "TASK")]
    rows += [(e.id, f"{e.domain}/{e.workflow}", e.harness, e.created_at, e.task) for e in pending]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4] + "\n")
    out.write("next: review on a terminal, or review --accept ID | --reject ID --note TEXT | --edit ID --output-file F\n")
    return 0


# --- the terminal loop --------------------------------------------------------------


@dataclass
class Tally:
    counts: Dict[str, int] = field(default_factory=lambda: {"accepted": 0, "edited": 0, "rejected": 0})
    skipped: int = 0

    def summary(self, desk: Desk) -> str:
        decided = sum(self.counts.values())
        if decided:
            parts = ", ".join(f"{status} {count}" for status, count in self.counts.items() if count)
            done = f"decided {decided} ({parts}), written to {desk.approved_runs}"
        else:
            done = "nothing decided"
        if self.skipped:
            done += f"; skipped {self.skipped}"
        return f"{done}\nnext: {_next_step(desk)}"


def system_editor(env) -> Editor:
    """Edit a text in ``$VISUAL``/``$EDITOR`` (else vi) through a private temporary file, removed afterwards."""

    def edit(text: str) -> str:
        command = env.get("VISUAL") or env.get("EDITOR") or "vi"
        try:
            argv = shlex.split(command)
        except ValueError:
            argv = []
        if not argv or shutil.which(argv[0], path=env.get("PATH")) is None:
            raise InputError(
                f"editor {argv[0] if argv else command!r} not found", remedy="set VISUAL or EDITOR to an editor on your PATH"
            )
        handle, path = tempfile.mkstemp(prefix="flywheel-answer-", suffix=".md")  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as fp:
                fp.write(text if text.endswith("\n") else text + "\n")
            code = subprocess.call([*argv, path])
            if code != 0:
                raise InputError(f"the editor exited with status {code}", remedy="the answer was left as it was")
            with open(path, encoding="utf-8", errors="replace") as fp:
                return fp.read()
        finally:
            os.unlink(path)

    return edit


def _clip(text: str, limits) -> List[str]:
    """The first lines of ``text`` within the limits, then a note saying how much is not shown."""
    max_lines, max_chars = limits
    shown: List[str] = []
    used = 0
    for line in (text.splitlines() or [""])[:max_lines]:
        room = max_chars - used
        if room <= 0:
            break
        shown.append(line[:room])
        used += min(len(line), room) + 1
    hidden = len(text) - min(used, len(text))
    if hidden > 0:
        shown.append(f"\u2026 ({hidden:,} more characters not shown)")
    return shown


def _tool_calls(candidate: Dict[str, Any]) -> List[Tuple[Dict[str, Any], Optional[str]]]:
    """Each tool call of the trajectory with the text of its result (None when it has none)."""
    results: Dict[str, str] = {}
    calls = []
    for message in candidate.get("messages") or ():
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool" and isinstance(message.get("tool_call_id"), str):
            content = message.get("content")
            results[message["tool_call_id"]] = content if isinstance(content, str) else json.dumps(content)
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                calls.append(call)
    return [(call, results.get(call.get("id"))) for call in calls]


def _folded(calls) -> str:
    counts: Dict[str, int] = {}
    for call, _result in calls:
        name = str(call["function"].get("name") or "?")
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} ({count})" for name, count in counts.items())


def _unfolded(calls) -> List[str]:
    lines = []
    for number, (call, result) in enumerate(calls, start=1):
        arguments = call["function"].get("arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False, sort_keys=True)
        lines.append(f"  {number}. {call['function'].get('name')} {_one_line(arguments, 150)}")
        if result is not None:
            lines.append(f"     -> {_one_line(result, 140)}")
    return lines


def _one_line(text: str, width: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def _show(candidate: Dict[str, Any], entry, position: str, paint: Painter, labels: Labels, out: IO[str]):
    source = candidate.get("source") if isinstance(candidate.get("source"), dict) else {}
    domain = labels.domain or candidate.get("domain")
    workflow = labels.workflow or candidate.get("workflow")
    details = [f"harness {entry.harness}"]
    if candidate.get("model_used"):
        details.append(f"model {candidate['model_used']}")
    details.append(entry.created_at or "no date")
    if source.get("outcome"):
        details.append(f"outcome {source['outcome']}")
    if source.get("unanswered_tool_calls"):
        details.append(plural(source["unanswered_tool_calls"], "unanswered tool call"))
    out.write("\n" + paint(f"{position} {candidate['id']}", "bold") + f"  {domain}/{workflow}\n")
    out.write("  " + " \u00b7 ".join(details) + "\n")
    if candidate.get("redaction_status") == "auto_redacted":
        found = candidate.get("redaction_findings") if isinstance(candidate.get("redaction_findings"), dict) else {}
        classes = ", ".join(f"{count} {name}" for name, count in sorted(found.items()) if type(count) is int)
        out.write("  " + paint(f"the scanner replaced values in this run ({classes or 'class unknown'}; "
                               "placeholders such as [EMAIL_1])", "yellow") + "\n")
    out.write(paint("task:", "cyan") + "\n")
    for line in _clip(str(candidate.get("input_redacted") or ""), TASK_SHOWN):
        out.write(f"  {line}\n")
    out.write(paint("final answer:", "cyan") + "\n")
    for line in _clip(str(candidate.get("output_approved") or ""), ANSWER_SHOWN):
        out.write(f"  {line}\n")
    calls = _tool_calls(candidate)
    if calls:
        out.write(paint("tool calls:", "cyan") + f" {_folded(calls)}  ([t] unfolds them)\n")
    return calls


def _ask(prompt: str, stdin: IO[str], out: IO[str]) -> Optional[str]:
    """One line from the reviewer, or None at the end of input."""
    out.write(prompt)
    out.flush()
    line = stdin.readline()
    if not line:
        out.write("\n")
        return None
    return line.rstrip("\r\n")


def review_loop(
    desk: Desk,
    entries: List[Any],
    *,
    stdin: IO[str],
    stdout: IO[str],
    editor: Editor,
    paint: Optional[Painter] = None,
    labels: Optional[Labels] = None,
) -> Tally:
    """Offer each entry until it is decided or skipped, or the reviewer quits (``q``, end of input, Ctrl-C).

    Takes its streams and editor as arguments, so tests drive it without a
    terminal. Each decision is written by ``desk.decide`` before the next
    candidate is shown.
    """
    paint = paint or Painter(False)
    labels = labels or Labels()
    tally = Tally()
    out = stdout
    try:
        for index, entry in enumerate(entries, start=1):
            if entry.id in desk.decided:  # decided by someone else since the list was made
                continue
            if not _offer(desk, entry, f"[{index}/{len(entries)}]", stdin, out, editor, paint, labels, tally):
                break
    except KeyboardInterrupt:
        out.write("\n")
    return tally


def _offer(desk, entry, position, stdin, out, editor, paint, labels, tally) -> bool:
    """One candidate at the prompt; False when the reviewer quits."""
    candidate = desk.candidates.load(entry)
    domain, workflow = labels.domain, labels.workflow
    calls = _show(candidate, entry, position, paint, Labels(domain, workflow), out)
    while True:
        answer = _ask(paint(PROMPT, "bold"), stdin, out)
        if answer is None:
            return False
        choice = answer.strip().lower()[:1]
        decision = None
        if choice == "q":
            return False
        if choice == "s":
            tally.skipped += 1
            return True
        if choice == "t":
            for line in _unfolded(calls) or ["  (no tool calls)"]:
                out.write(line + "\n")
            continue
        if choice == "w":
            domain, workflow = _ask_labels(desk, candidate, domain, workflow, stdin, out, paint)
            continue
        if choice == "a":
            decision = Decision("accepted")
        elif choice == "r":
            note = None
            while not note:
                note = _ask("why is it wrong? (required) ", stdin, out)
                if note is None:
                    break
                note = note.strip()
            if not note:
                continue
            decision = Decision("rejected", note=note)
        elif choice == "e":
            try:
                edited = editor(str(candidate.get("output_approved") or ""))
            except InputError as error:
                out.write(paint("error:", "red") + f" {error}\n")
                continue
            edited = edited.rstrip("\r\n")
            if not edited.strip():
                out.write(paint("refused:", "red") + " the edited answer is empty; the candidate is offered again\n")
                continue
            note = _ask("note (optional, Enter to skip): ", stdin, out)
            decision = Decision("edited", note=(note or "").strip() or None, output=edited)
        else:
            out.write("a accept, e edit the answer, r reject with a note, s skip, w set domain/workflow, "
                      "t show the tool calls, q quit\n")
            continue
        decision.domain, decision.workflow = domain, workflow
        try:
            record, found = desk.decide(candidate, decision)
        except FlywheelError as error:  # an invalid record, or someone else decided it first
            out.write(paint("error:", "red") + f" {error}\n")
            if entry.id in desk.decided:  # someone else was first: move on
                return True
            continue
        tally.counts[decision.status] += 1
        note = decisions.redaction_note(found)
        out.write(paint(decision.status, "green") + f" {record['id']} ({record['domain']}/{record['workflow']})"
                  + (f"; {note}" if note else "") + "\n")
        return True


def _ask_labels(desk, candidate, domain, workflow, stdin, out, paint):
    current_domain = domain or candidate.get("domain") or "general"
    current_workflow = workflow or candidate.get("workflow") or "general"
    for what, current in (("domain", current_domain), ("workflow", current_workflow)):
        typed = _ask(f"{what} [{current}]: ", stdin, out)
        if typed is None or not typed.strip():
            continue
        try:
            value = desk.label(typed, what)
        except InputError as error:
            out.write(paint("error:", "red") + f" {error}\n")
            continue
        if what == "domain":
            domain = value
        else:
            workflow = value
    out.write(f"this candidate will be recorded as {domain or current_domain}/{workflow or current_workflow}\n")
    return domain, workflow
