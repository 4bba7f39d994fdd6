"""Accept, edit or reject the pending candidates that harvest collected; show one; correct a decision.

On a terminal (stdin and stdout both), shows each pending candidate in turn:
a short summary (workflow, harness, when, outcome), the task, the agent's
final answer and its tool calls folded to one line, then asks

  [a]ccept [e]dit [r]eject [s]kip [w]orkflow [t]ools [q]uit

Edit opens $VISUAL or $EDITOR (else vi) on the answer; the agent's draft is
kept as output_original. Reject asks why (the note is required). Workflow
sets the candidate's domain and workflow. Skip and quit decide nothing.

Without a terminal (agents, scripts), use the flags: --list (project,
harness, when, outcome, size, whether redaction found anything);
--show ID (one candidate in full: task, answer, tool calls, where it came
from, what redaction replaced and whether the export could train on it);
--accept ID, --reject ID --note TEXT, --edit ID --output-file F (- for
stdin). An ID may be any unique prefix of a candidate's id, or a recorded
run's whole id.

Each decision is appended at once to <agent-root>/flywheel/approved-runs.jsonl
(the candidate copied, with human_review status, reviewer, reviewed_at and
notes, and source.candidate_id), so quitting loses nothing. Rejected runs are
kept there as negative cases; the export never trains on them. Nothing is
ever rewritten: --undo ID appends a line that makes the run pending again
(decide it anew afterwards), --relabel ID --domain D --workflow W appends
one that files a decided run elsewhere; each names the line it replaces
(human_review.corrects) and the export reads the latest. Appends happen
under a lock: two reviewers never decide one candidate twice.

What is typed (an edited answer, notes) passes the redaction scanner before
it is written; the command says how many values it replaced and by which
rules, never the values, and marks the run auto_redacted. A domain, workflow
or reviewer name the scanner flags is refused. The reviewer is --reviewer,
else DATA_FLYWHEEL_REVIEWER, else git config user.name, else the account name.

Examples:
  python3 .agent/tools/data_flywheel_export.py review
  python3 .agent/tools/data_flywheel_export.py review --list --json
  python3 .agent/tools/data_flywheel_export.py review --show cand_8762
  python3 .agent/tools/data_flywheel_export.py review --accept cand_8762 --note "Correct and minimal."
  python3 .agent/tools/data_flywheel_export.py review --reject cand_5a1f --note "Deleted the wrong folder."
  python3 .agent/tools/data_flywheel_export.py review --edit cand_0c3e --output-file answer.md --workflow add_tests
  python3 .agent/tools/data_flywheel_export.py review --relabel cand_8762 --domain python --workflow add_tests
  python3 .agent/tools/data_flywheel_export.py review --undo cand_5a1f --note "Rejected by mistake."

Exit status: 0 done; 1 the decision would not be a valid approved run
(nothing written); 2 a usage error, an unknown or already decided id, an
empty edit, or no candidates file.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, List, Optional

from ..errors import FlywheelError, InputError
from ..records import decisions
from ..records import summary as summary_facts
from ..terminal import Painter, colour_enabled, is_terminal, plural
from . import common
from . import review_show as show

NAME = "review"
SUMMARY = "accept, edit or reject pending candidates (interactive on a terminal); show, undo or relabel one"

PROMPT = "[a]ccept [e]dit [r]eject [s]kip [w]orkflow [t]ools [q]uit > "
ACTIONS_HINT = "--list, --show ID, --accept ID, --reject ID --note TEXT, or --edit ID --output-file F"
DECIDING = ("accept", "reject", "edit")
CORRECTING = ("undo", "relabel")

Editor = Callable[[str], str]


def add_arguments(parser) -> None:
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--list", action="store_true", help="list the pending candidates and exit")
    action.add_argument("--show", metavar="ID", help="show one candidate (or decided run) in full and exit")
    action.add_argument("--accept", metavar="ID", help="accept this candidate's answer as it is")
    action.add_argument("--reject", metavar="ID", help="reject this candidate (needs --note): kept as a negative case")
    action.add_argument("--edit", metavar="ID", help="replace this candidate's answer with --output-file (the draft is kept)")
    action.add_argument("--undo", metavar="ID", help="withdraw the decision on this run: it is pending again (appended)")
    action.add_argument("--relabel", metavar="ID",
                        help="file a decided run under --domain/--workflow (appended; the decision stands)")
    parser.add_argument("--output-file", metavar="F", help="with --edit: the corrected answer; - for stdin")
    parser.add_argument("--note", metavar="TEXT", help="a review note (required with --reject)")
    parser.add_argument("--accept-secrets", action="store_true",
                        help="with --accept or --edit: you checked the secrets the scanner replaced (review --show) "
                             "and the run may train with their placeholders; recorded with the decision")
    parser.add_argument("--domain", metavar="NAME", help="set the decided run's domain (default: the candidate's)")
    parser.add_argument("--workflow", metavar="NAME", help="set the decided run's workflow (default: the candidate's)")
    parser.add_argument("--reviewer", metavar="NAME",
                        help="who decides (default: $DATA_FLYWHEEL_REVIEWER, else git config user.name, else the account name)")
    common.add_agent_root_flag(parser)
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
    if (args.list or args.show is not None) and (args.note or args.domain or args.workflow):
        raise InputError("--note, --domain and --workflow set a decision",
                         remedy="use them with --accept, --edit, --reject, --undo or --relabel")
    if args.undo is not None and (args.domain or args.workflow):
        raise InputError("--undo takes no --domain or --workflow", remedy="undo, then decide again; or use --relabel ID")
    if args.relabel is not None and not (args.domain or args.workflow):
        raise InputError("--relabel needs --domain NAME or --workflow NAME", remedy="say where the run belongs")
    if interactive and args.json:
        raise InputError("--json needs an action", remedy=f"use {ACTIONS_HINT}")
    if interactive and args.note:
        raise InputError("--note goes with --accept, --edit or --reject", remedy="on the terminal, reject asks for its note")
    if args.approved_runs == "-" or args.candidates == "-":
        raise InputError("review reads and appends real files, not stdin", remedy="pass file paths")


def run(args, streams) -> int:
    acting = [name for name in ("show", *DECIDING, *CORRECTING) if getattr(args, name) is not None]
    interactive = not (args.list or acting)
    for name in acting:
        if not getattr(args, name).strip():
            raise InputError(f"--{name} needs a candidate id", remedy="review --list shows them")
    _check_flags(args, interactive)
    if interactive and not (is_terminal(streams.stdin) and is_terminal(streams.stdout)):
        raise InputError("review is interactive only on a terminal", remedy=f"without one, use {ACTIONS_HINT}")
    gate, _ruleset = common.make_gate(args)
    reading = args.list or args.show is not None
    desk = Desk(
        gate=gate,
        env=streams.env,
        approved_runs=decisions.approved_runs_path(args.agent_root, args.approved_runs),
        reviewer="" if reading else decisions.reviewer_name(args.reviewer, streams.env, gate),
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
    candidates = decisions.candidates_path(args.agent_root, args.candidates)
    if acting and not os.path.exists(candidates):  # recorded runs can be shown and corrected before any harvest
        desk.candidates = decisions.Candidates(candidates, {})
    else:
        desk.candidates = decisions.Candidates.read(candidates, printer, gate.redact_value)
    printer.finish()
    desk.skipped_lines = printer.printed + printer.held_back
    desk.refresh()
    if args.list:
        return _list(desk, args, streams)
    if args.show is not None:
        view = desk.view(args.show.strip(), common.load_settings(args))
        if args.json:
            streams.json(show.show_document(view))
        else:
            show.show_text(view, streams.stdout, Painter(colour_enabled(streams.stdout, streams.env)))
        return 0
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
    note = (args.note or "").strip() or None
    if args.undo is not None:
        record, found, before = desk.undo(args.undo.strip(), note)
        return _report(desk, record, found, args, streams, before=before)
    if args.relabel is not None:
        record, found, before = desk.relabel(args.relabel.strip(), labels, note)
        return _report(desk, record, found, args, streams, before=before)
    identifier = (args.accept or args.reject or args.edit).strip()
    base = desk.to_decide(identifier)
    if args.edit is not None:
        status, output = "edited", _read_answer(args.output_file, streams)
    else:
        status, output = ("accepted" if args.accept is not None else "rejected"), None
    if args.accept_secrets and status == "rejected":
        raise InputError("--accept-secrets goes with --accept or --edit", remedy="a rejected run never trains")
    decision = Decision(status, note=note, output=output, domain=labels.domain, workflow=labels.workflow,
                        accept_secrets=args.accept_secrets)
    record, found = desk.decide(base, decision)
    return _report(desk, record, found, args, streams)


# --- the shared part: deciding --------------------------------------------------


def secrets_accepted(record: Dict[str, Any], run_id: str) -> Dict[str, Any]:
    """``human_review.redaction_accepted``: how many replaced secrets the reviewer accepted, and by which rules.

    Counts and rule names only, never a value. The export lets the run train
    only while the secrets it knows of are no more than these (a secret a newer
    rule finds later blocks it again).
    """
    stored = record.get("redaction_findings") if isinstance(record.get("redaction_findings"), dict) else {}
    secrets = stored.get("secret")
    if type(secrets) is not int or secrets <= 0:
        raise InputError(f"{run_id} has no replaced secret to accept",
                         remedy="decide it without --accept-secrets; personal data alone trains with placeholders")
    found = record.get("redaction") if isinstance(record.get("redaction"), dict) else {}
    by_rule = found.get("by_rule") if isinstance(found.get("by_rule"), dict) else {}
    return {"secret": secrets, "by_rule": {rule: count for rule, count in sorted(by_rule.items()) if type(count) is int}}


@dataclass
class Decision:
    status: str
    note: Optional[str] = None
    output: Optional[str] = None  # the edited answer
    domain: Optional[str] = None
    workflow: Optional[str] = None
    accept_secrets: bool = False  # the reviewer saw the replaced secrets and lets the run train


@dataclass
class Labels:
    """Domain and workflow set from the command line, for every decision of the session."""

    domain: Optional[str] = None
    workflow: Optional[str] = None


@dataclass
class View:
    """One run as ``--show`` presents it: the run as it stands, its facts, where it came from, what the export makes of it."""

    record: Dict[str, Any]
    facts: summary_facts.Summary
    status: str
    source: Dict[str, Any]
    decision: Optional[Dict[str, Any]]
    history: List[Dict[str, Any]]
    trainability: Dict[str, Any]
    next_step: str


@dataclass
class Desk:
    """What every decision needs: the gate, the store, who decides, and the candidates read so far.

    Every write goes through one ``decisions.Ledger`` (the path ``record``
    takes too): redact, check, append under the lock.
    """

    gate: Any
    env: Any
    approved_runs: str
    reviewer: str
    candidates: Any = None
    decided: Dict[str, decisions.Decided] = field(default_factory=dict)  # the latest line of each candidate decided
    skipped_lines: int = 0

    @property
    def ledger(self) -> decisions.Ledger:
        return decisions.Ledger(self.approved_runs, self.gate, self.reviewer, self.env)

    def refresh(self) -> None:
        self.decided = decisions.find_decided(self.approved_runs, self.candidates.entries.keys())

    def pending(self) -> List[decisions.Entry]:
        return self.candidates.pending(self.decided)

    def is_decided(self, run_id: str) -> bool:
        return run_id in self.decided and self.decided[run_id].final

    def labels_before(self, run_id: str) -> Labels:
        """The labels an undone run had: deciding it again keeps them."""
        latest = self.decided.get(run_id)
        if latest is None:
            return Labels()
        before = decisions.read_line(self.approved_runs, latest.line)
        return Labels(before.get("domain"), before.get("workflow"))

    def label(self, text: str, what: str) -> str:
        return decisions.label_name(text, what, self.gate)

    # -- finding the run an id names --

    def find(self, text: str):
        """``(entry, latest)``: the candidate an id or prefix names (or None for a recorded run) and its latest line."""
        entry = self.candidates.find(text)
        if entry is not None:
            return entry, self.decided.get(entry.id)
        latest = decisions.find_decided(self.approved_runs, [text]).get(text)
        if latest is None:
            harvested = os.path.exists(self.candidates.path)
            raise InputError(
                f"no candidate with id {text!r}", source=self.candidates.path,
                remedy=("review --list shows the pending ones" if harvested else "there is no candidates file: run harvest first")
                + "; a recorded run needs its whole id",
            )
        return None, latest

    def current(self, entry, latest) -> Dict[str, Any]:
        """The run as it stands: its latest line in the approved runs, else the candidate."""
        if latest is not None:
            return decisions.read_line(self.approved_runs, latest.line)
        return self.candidates.load(entry)

    def to_decide(self, text: str) -> Dict[str, Any]:
        """The pending candidate (or undone run) an id names, to decide; an error if it is decided."""
        entry, latest = self.find(text)
        if entry is not None:
            return self.candidates.load(self.candidates.resolve(entry.id, self.decided, self.approved_runs))
        if latest.final:
            raise InputError(
                f"{text} was already decided: {latest.describe()}", source=self.approved_runs, line=latest.line,
                remedy=f"to change it, review --undo {text} first",
            )
        return self.current(None, latest)

    def _decided_run(self, text: str, what: str):
        entry, latest = self.find(text)
        run_id = entry.id if entry is not None else text
        if latest is None or not latest.final:
            state = "pending" if latest is None else f"pending again ({latest.action} by {latest.reviewer or '?'})"
            raise InputError(f"{run_id} is not decided: it is {state}", remedy=f"nothing to {what}; decide it first")
        return run_id, latest, decisions.read_line(self.approved_runs, latest.line)

    # -- writing --

    def decide(self, candidate: Dict[str, Any], decision: Decision):
        """Build the approved run for ``decision``, redact, check and append it; ``(record, findings)``.

        A candidate whose decision was undone is decided anew: the line
        names the undo it replaces, and keeps the labels it had.
        """
        run_id = candidate["id"]
        if run_id in self.candidates.entries:
            latest = self.decided.get(run_id)
        else:  # a recorded run, decided anew after an undo
            latest = decisions.find_decided(self.approved_runs, [run_id]).get(run_id)
        if latest is not None and latest.final:
            raise InputError(
                f"{candidate['id']} was already decided: {latest.describe()}", source=self.approved_runs, line=latest.line,
                remedy=f"nothing was written; to change it, review --undo {candidate['id']} first",
            )
        domain, workflow = decision.domain, decision.workflow
        if latest is not None:  # undone: keep the labels it was given
            before = decisions.read_line(self.approved_runs, latest.line)
            domain, workflow = domain or before.get("domain"), workflow or before.get("workflow")
        record = decisions.decision_record(
            candidate, status=decision.status, reviewer=self.reviewer, reviewed_at=decisions.now(self.env),
            note=(decision.note or "").strip() or None, output=decision.output if decision.status == "edited" else None,
            domain=domain, workflow=workflow,
        )
        if latest is not None:
            record["human_review"]["corrects"] = decisions.provenance(latest, "decision")
        clean, found = self.ledger.clean(record)
        if decision.status == "edited":
            output = clean.get("output_approved")
            if not (output or "").strip():
                raise InputError(
                    "the edited answer is empty", remedy="write the corrected answer; to drop the candidate, reject it with a note"
                )
            if output == candidate.get("output_approved"):
                raise InputError("the edited answer is the agent's answer unchanged", remedy="accept it instead (--accept ID)")
        if decision.accept_secrets:
            clean["human_review"]["redaction_accepted"] = secrets_accepted(clean, candidate["id"])
        self._append(clean, f"the decision on {candidate['id']}", latest)
        return clean, found

    def undo(self, text: str, note: Optional[str]):
        """Append the line that makes a decided run pending again; ``(record, findings, the line undone)``."""
        run_id, latest, before = self._decided_run(text, "undo")
        record = decisions.undone(before, latest, reviewer=self.reviewer, reviewed_at=decisions.now(self.env), note=note)
        clean, found = self.ledger.clean(record)
        self._append(clean, f"the undo of {run_id}", latest)
        return clean, found, latest

    def relabel(self, text: str, labels: Labels, note: Optional[str]):
        """Append the line that files a decided run under new labels; its decision stands."""
        run_id, latest, before = self._decided_run(text, "relabel")
        domain, workflow = labels.domain or before.get("domain"), labels.workflow or before.get("workflow")
        if (domain, workflow) == (before.get("domain"), before.get("workflow")):
            raise InputError(f"{run_id} is already {domain}/{workflow}", remedy="nothing was written")
        review = before.get("human_review") if isinstance(before.get("human_review"), dict) else {}
        kept_note = review.get("review_notes") if isinstance(review.get("review_notes"), str) else None
        record = decisions.corrected(before, latest, "relabel", status=latest.status, reviewer=self.reviewer,
                                     reviewed_at=decisions.now(self.env), note=note or kept_note)
        record["domain"], record["workflow"] = domain, workflow
        clean, found = self.ledger.clean(record)
        self._append(clean, f"the relabel of {run_id}", latest)
        return clean, found, latest

    def _append(self, record: Dict[str, Any], what: str, latest: Optional[decisions.Decided]) -> None:
        earlier = self.ledger.append(record, what=what, expect=latest)
        run_id = record["id"]
        if earlier is not None:
            self.decided[earlier.id] = earlier
            told = (f"{run_id} was already decided: {earlier.describe()}" if latest is None
                    else f"{run_id} changed meanwhile: it is now {earlier.describe()}")
            raise InputError(told, source=self.approved_runs, line=earlier.line,
                             remedy="nothing was written; review --show ID says where it stands")
        now = decisions.find_decided(self.approved_runs, [run_id]).get(run_id)
        if now is not None:
            self.decided[run_id] = now

    # -- showing --

    def view(self, text: str, settings) -> View:
        entry, latest = self.find(text)
        record = self.current(entry, latest)
        run_id = record["id"]
        status = latest.status if latest is not None else (entry.status if entry is not None else "pending")
        source = record.get("source") if isinstance(record.get("source"), dict) else {}
        where: Dict[str, Any] = {}
        if entry is not None:
            where.update({"file": self.candidates.path, "line": entry.line})
        for key in ("session_hash", "segment", "request", "episode_id", "recorded_by"):
            if key in source:
                where[key] = source[key]
        lines = decisions.history(self.approved_runs, run_id)
        history = [
            {"action": line.action, "status": line.status, "reviewer": line.reviewer,
             "reviewed_at": line.reviewed_at, "file": self.approved_runs, "line": line.line}
            for line in lines
        ]
        if status == "pending":
            next_step = f"review --accept {run_id} | --edit {run_id} --output-file F | --reject {run_id} --note TEXT"
        else:
            next_step = f"review --undo {run_id} withdraws the decision; review --relabel {run_id} --workflow NAME files it elsewhere"
        return View(
            record=record,
            facts=summary_facts.summarize(record, placeholders=True),
            status=status,
            source=where,
            decision=history[-1] if history else None,
            history=history,
            trainability=show.trainability(record, settings, self.gate, "accepted" if status == "pending" else status),
            next_step=next_step,
        )


def _read_answer(path: str, streams) -> str:
    return common.read_text(path, streams, what="the corrected answer")


def _redaction(found) -> Dict[str, Any]:
    return {"values": found.count, "rules": sorted(found.by_rule)}


def _next_step(desk: Desk) -> str:
    left = len(desk.pending())
    if left:
        return f"{plural(left, 'candidate')} still pending (review --list); run export when you are ready"
    return "no candidates left to review: run export (or status) to see what the decisions add up to"


def _report(desk: Desk, record, found, args, streams, before: Optional[decisions.Decided] = None) -> int:
    review = record["human_review"]
    corrects = review.get("corrects") if isinstance(review.get("corrects"), dict) else None
    action = corrects["action"] if corrects and before is not None else "decision"
    if args.json:
        streams.json({
            "id": record["id"],
            "status": review["status"],
            "domain": record["domain"],
            "workflow": record["workflow"],
            "reviewer": review["reviewer"],
            "reviewed_at": review["reviewed_at"],
            **({"action": action, "corrects": corrects} if corrects else {}),
            "approved_runs": desk.approved_runs,
            "redaction": _redaction(found),
            "pending": len(desk.pending()),
            "next": _next_step(desk),
        })
        return 0
    out = streams.stdout
    labels = f"{record['domain']}/{record['workflow']}"
    if action == "undo":
        out.write(f"undone {record['id']}: pending again (was {before.describe()}, line {before.line}) "
                  f"by {review['reviewer']} at {review['reviewed_at']}\n")
    elif action == "relabel":
        out.write(f"relabelled {record['id']} as {labels} ({review['status']} stands) "
                  f"by {review['reviewer']} at {review['reviewed_at']}\n")
    else:
        out.write(f"{review['status']} {record['id']} ({labels}) by {review['reviewer']} at {review['reviewed_at']}\n")
    note = decisions.redaction_note(found)
    if note:
        out.write(f"{note} before writing\n")
    out.write(f"written to {desk.approved_runs}\n")
    if action == "undo":
        out.write(f"next: review --show {record['id']}, then --accept, --edit or --reject it\n")
    else:
        out.write(f"next: {_next_step(desk)}\n")
    return 0


def _list(desk: Desk, args, streams) -> int:
    pending = desk.pending()
    path = desk.candidates.path
    decided = sum(1 for latest in desk.decided.values() if latest.final)
    if args.json:
        streams.json({
            "candidates": path,
            "approved_runs": desk.approved_runs,
            "count": len(pending),
            "decided": decided,
            "skipped_lines": desk.skipped_lines,
            "pending": [show.list_row(entry) for entry in pending],
        })
        return 0
    out = streams.stdout
    if not pending:
        out.write(f"no pending candidates in {path} ({decided} decided)\n")
        out.write("next: harvest again after more agent work\n")
        return 0
    out.write(f"{plural(len(pending), 'pending candidate')} in {path}\n")
    show.list_text(pending, out)
    out.write("next: review --show ID, then review --accept ID | --reject ID --note TEXT | --edit ID --output-file F "
              "(or review on a terminal)\n")
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


def _show(candidate: Dict[str, Any], entry, position: str, paint: Painter, labels: Labels, out: IO[str]):
    source = candidate.get("source") if isinstance(candidate.get("source"), dict) else {}
    domain = labels.domain or candidate.get("domain")
    workflow = labels.workflow or candidate.get("workflow")
    facts = entry.summary or summary_facts.summarize(candidate)
    details = [f"harness {facts.harness}"]
    if candidate.get("model_used"):
        details.append(f"model {candidate['model_used']}")
    details.append(facts.when or "no date")
    if facts.outcome:
        details.append(f"outcome {facts.outcome}")
    if source.get("unanswered_tool_calls"):
        details.append(plural(source["unanswered_tool_calls"], "unanswered tool call"))
    if facts.project:
        details.append(f"project {facts.project}")
    out.write("\n" + paint(f"{position} {candidate['id']}", "bold") + f"  {domain}/{workflow}\n")
    out.write("  " + " \u00b7 ".join(details) + "\n")
    if facts.redacted:
        found = candidate.get("redaction_findings") if isinstance(candidate.get("redaction_findings"), dict) else {}
        classes = ", ".join(f"{count} {name}" for name, count in sorted(found.items()) if type(count) is int)
        out.write("  " + paint(show.redaction_lines(facts)[0] + f" ({classes + '; ' if classes else ''}placeholders such as "
                               "[EMAIL_1]; review --show ID says what that means for training)", "yellow") + "\n")
    out.write(paint("task:", "cyan") + "\n")
    for line in show.clip(str(candidate.get("input_redacted") or ""), show.TASK_SHOWN):
        out.write(f"  {line}\n")
    out.write(paint("final answer:", "cyan") + "\n")
    for line in show.clip(str(candidate.get("output_approved") or ""), show.ANSWER_SHOWN):
        out.write(f"  {line}\n")
    calls = show.tool_calls(candidate)
    if calls:
        out.write(paint("tool calls:", "cyan") + f" {show.folded(calls)}  ([t] unfolds them)\n")
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
            if desk.is_decided(entry.id):  # decided by someone else since the list was made
                continue
            if not _offer(desk, entry, f"[{index}/{len(entries)}]", stdin, out, editor, paint, labels, tally):
                break
    except KeyboardInterrupt:
        out.write("\n")
    return tally


def _offer(desk, entry, position, stdin, out, editor, paint, labels, tally) -> bool:
    """One candidate at the prompt; False when the reviewer quits."""
    candidate = desk.candidates.load(entry)
    earlier = desk.labels_before(entry.id)
    domain, workflow = labels.domain or earlier.domain, labels.workflow or earlier.workflow
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
            for line in show.unfolded(calls) or ["  (no tool calls)"]:
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
            if desk.is_decided(entry.id):  # someone else was first: move on
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
