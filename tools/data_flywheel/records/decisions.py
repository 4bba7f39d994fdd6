"""Human decisions: the approved-runs store that ``review`` and ``record`` append to.

A decision is one approved-run line appended to
``<agent-root>/flywheel/approved-runs.jsonl``. ``review`` copies a pending
candidate and sets ``human_review`` to ``{status: accepted|edited|rejected,
reviewer, reviewed_at, review_notes}``; an edit keeps the agent's draft as
``output_original``; ``source.candidate_id`` names the candidate and the run
id stays the candidate id. ``record`` appends a run built from the current
work (id ``rec_...``). Rejected runs are kept as negative cases: the export
counts them and never trains on them. An edited answer also becomes the
trajectory's final assistant message, so ``messages`` and ``output_approved``
agree for the chat training formats.

Every decision goes through one ``Ledger``: the whole run (what a human
typed: an edited answer, notes, record's texts; and the rest, in case a
deny-list grew since the harvest) passes the redaction gate, a run in which
the gate found something is marked ``auto_redacted``, as harvest marks its
candidates, the run is checked against the approved-run schema, and then
appended. A domain, workflow or reviewer name the gate flags is refused
outright: the export scans every field, so it would quietly make each such
run untrainable.

Nothing is rewritten in place. A decision is corrected by appending a line
with the same id and ``human_review.corrects`` (``undo``: pending again;
``relabel``: new domain or workflow, same decision; ``decision``: decided
anew after an undo), naming the line it replaces; the latest such line is
the run's decision, here and in the export. A candidate is pending while its
own status is ``pending`` and the latest line of the approved runs with its
id (as ``id`` or ``source.candidate_id``), if any, is pending too.

Appends happen under ``locking.locked(path)``; under the lock the file is
searched again for the id, so two reviewers never decide one candidate twice
and never lose a decision, and a correction is written only if the line it
replaces is still the latest. Each line goes out in one ``write`` to a file
opened for appending, so a reader never sees half of it, and a torn last
line left by a crashed writer gets its newline first instead of swallowing
the new line.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Set

from .. import jsonio, project
from ..errors import InputError, SchemaError
from ..locking import locked
from . import normalize, schemas
from . import summary as summary_facts
from .candidates import CANDIDATES_FILE

APPROVED_RUNS_FILE = "approved-runs.jsonl"
DECISION_STATUSES = ("accepted", "edited", "rejected")

# Every `"id": "..."` or `"candidate_id": "..."` string in a raw line: a cheap prefilter,
# so a large approved-runs file is scanned without parsing lines that cannot match.
# An id written with JSON escapes would slip past it; the ids this tool makes
# (cand_/rec_ and hex) never have any.
_ID_VALUES = re.compile(rb'"(?:id|candidate_id)"\s*:\s*"([^"\\]+)"')


def flywheel_dir(agent_root: str) -> str:
    return os.path.join(agent_root, "flywheel")


def approved_runs_path(agent_root: str, override: Optional[str] = None) -> str:
    return override or os.path.join(flywheel_dir(agent_root), APPROVED_RUNS_FILE)


def candidates_path(agent_root: str, override: Optional[str] = None) -> str:
    return override or os.path.join(flywheel_dir(agent_root), CANDIDATES_FILE)


def now(env: Mapping[str, str]) -> str:
    """RFC 3339 UTC, whole seconds: ``SOURCE_DATE_EPOCH`` when set (tests, reproducible runs), else the clock."""
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    else:
        moment = dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    return normalize.iso_z(moment)


@dataclass(frozen=True)
class Decided:
    """Where and how a run id was already decided."""

    id: str
    line: int
    status: str
    reviewer: str
    reviewed_at: str
    action: str = "decision"  # or what a correction did: "undo", "relabel", "decision" (after an undo)

    @property
    def final(self) -> bool:
        """A decision stands until it is undone: an undo line is ``pending`` again."""
        return self.status != "pending"

    def describe(self) -> str:
        who = f" by {self.reviewer}" if self.reviewer else ""
        when = f" at {self.reviewed_at}" if self.reviewed_at else ""
        return f"{self.status}{who}{when}"


def _decided(record: Dict[str, Any], line: int, wanted: Iterable[str]) -> Optional[Decided]:
    source = record.get("source")
    keys = [record.get("id")]
    if isinstance(source, dict):
        keys.append(source.get("candidate_id"))
    for key in keys:
        if isinstance(key, str) and key in wanted:
            review = record.get("human_review") if isinstance(record.get("human_review"), dict) else {}
            reviewer = review.get("reviewer")
            reviewed_at = review.get("reviewed_at") or record.get("created_at")
            corrects = review.get("corrects") if isinstance(review.get("corrects"), dict) else {}
            action = corrects.get("action")
            return Decided(
                key, line, normalize.review_status(record),
                reviewer if isinstance(reviewer, str) else "",
                reviewed_at if isinstance(reviewed_at, str) else "",
                action if isinstance(action, str) and action else "decision",
            )
    return None


def find_decided(path: str, ids: Iterable[str]) -> Dict[str, Decided]:
    """The latest decision on each of ``ids`` that ``path`` holds.

    The first line of an id decides it; a later line of the same id replaces
    it only when it is a correction (``human_review.corrects``), which is
    what the export honours too; any other repeat is a duplicate and ignored.
    Bad lines are passed over in silence: export and validate report them.
    A missing file has decided nothing.
    """
    found: Dict[str, Decided] = {}
    for decided in _deciding_lines(path, set(ids)):
        found[decided.id] = decided
    return found


def history(path: str, run_id: str) -> List[Decided]:
    """Every line that decided ``run_id``, oldest first: the decision, then each correction."""
    return list(_deciding_lines(path, {run_id}))


def _deciding_lines(path: str, wanted: Set[str]) -> Iterator[Decided]:
    seen: Set[str] = set()
    if not wanted or not os.path.exists(path):
        return
    try:
        fp = open(path, "rb")
    except OSError as error:
        raise InputError(f"cannot read the approved runs: {error.strerror}", source=path) from None
    with fp:
        for number, raw in enumerate(fp, start=1):
            if not any(match.group(1).decode("utf-8", "replace") in wanted for match in _ID_VALUES.finditer(raw)):
                continue
            value, problem = jsonio.parse_json_text(raw.decode("utf-8", "replace").lstrip("\ufeff"))
            if problem is not None or not isinstance(value, dict):
                continue
            decided = _decided(value, number, wanted)
            if decided is not None and (decided.id not in seen or normalize.is_correction(value)):
                seen.add(decided.id)
                yield decided


def read_line(path: str, line: int) -> Dict[str, Any]:
    """The approved run on ``line`` of ``path`` (found by ``find_decided``), parsed."""
    try:
        with open(path, "rb") as fp:
            for number, raw in enumerate(fp, start=1):
                if number == line:
                    value, problem = jsonio.parse_json_text(raw.decode("utf-8", "replace").lstrip("\ufeff"))
                    if problem is None and isinstance(value, dict):
                        return value
                    break
    except OSError as error:
        raise InputError(f"cannot read the approved runs: {error.strerror}", source=path) from None
    raise InputError("the approved runs changed while they were being read", source=path, line=line,
                     remedy="run the command again")


def decision_keys(record: Dict[str, Any]) -> List[str]:
    """The ids a line decides: its own, and the candidate's it came from."""
    keys = [record["id"]]
    source = record.get("source")
    if isinstance(source, dict) and isinstance(source.get("candidate_id"), str) and source["candidate_id"] not in keys:
        keys.append(source["candidate_id"])
    return keys


def append_decision(path: str, record: Dict[str, Any], expect: Optional[Decided] = None) -> Optional[Decided]:
    """Append ``record`` if the latest decision on its ids is still ``expect``; else return that decision.

    ``expect`` is None for a first decision, or the line a correction
    replaces. The check and the write happen under the lock, so of two
    processes deciding the same id one writes and the other is told who was
    first; a correction made on a stale view is refused the same way.
    """
    line = jsonio.dumps_line(record).encode("utf-8")
    keys = decision_keys(record)
    with locked(path):
        latest = find_decided(path, keys)
        current = next(iter(latest.values()), None)
        if (current is None) != (expect is None) or (current is not None and current.line != expect.line):
            return current if current is not None else expect
        _append_line(path, line)
    return None


def _append_line(path: str, line: bytes) -> None:
    with jsonio.LineAppender(path, what="the approved runs") as store:  # whole or absent, even on a full disk
        store.append(line)


# --- who decided, and what they typed ---------------------------------------

LOGIN_VARIABLES = ("USER", "LOGNAME", "USERNAME")


def reviewer_name(
    flag: Optional[str], env: Mapping[str, str], gate, *, cwd: Optional[str] = None,
    account: Callable[[], str] = project.account_name,
) -> str:
    """``--reviewer``, else ``DATA_FLYWHEEL_REVIEWER``, else ``git config user.name``, else the account name.

    The account name is the login variables' (``USER``, ``LOGNAME``,
    ``USERNAME``), else the password database's: containers often leave
    ``USER`` unset. A name the scanner would redact (an e-mail address) is
    refused: the export scans every field, so it would make every run this
    reviewer decides untrainable.
    """
    name = (flag or "").strip() or (env.get("DATA_FLYWHEEL_REVIEWER") or "").strip()
    if not name:
        name = project.git_user_name(cwd or os.getcwd(), env).strip()
    for variable in LOGIN_VARIABLES:
        if name:
            break
        name = (env.get(variable) or "").strip()
    if not name:
        name = account().strip()
    if not name:
        raise InputError(
            "no reviewer name", remedy="pass --reviewer NAME or set DATA_FLYWHEEL_REVIEWER"
        )
    _clean, found = gate.redact_record({"reviewer": name})
    if found.count:
        raise InputError(
            f"the reviewer name holds what the scanner redacts ({', '.join(sorted(found.by_rule))})",
            remedy="use a plain name: --reviewer NAME or DATA_FLYWHEEL_REVIEWER=NAME",
        )
    return name


def label_name(text: str, what: str, gate) -> str:
    """A domain or workflow as typed, made a slug like the export's; refused when the scanner flags it.

    A label names a folder of context cards and a dataset group: a
    placeholder such as ``github_token_1`` would be no name at all.
    """
    if not text.strip():
        raise InputError(f"{what} is empty", remedy="give a name such as bug_triage")
    _clean, found = gate.redact_record({"label": text})
    if found.count:
        raise InputError(
            f"{what} holds what the scanner redacts ({', '.join(sorted(found.by_rule))})",
            remedy="use a plain name such as bug_triage",
        )
    return normalize.folder_name(text)  # the export's folder name: "../../x" never merges with "x"


def redaction_note(found) -> str:
    """``redacted 2 values (email-address, github-pat)``: counts and rule ids, never a value."""
    if not found.count:
        return ""
    rules = ", ".join(sorted(found.by_rule))
    return f"redacted {found.count} value{'s' * (found.count != 1)} ({rules})"


class InvalidRecord(SchemaError):
    """A record that breaks the approved-run schema: refused, nothing written (exit 1: the command ran and found it)."""

    exit_code = 1


def check_record(record: Dict[str, Any], gate, what: str = "the record") -> None:
    """Refuse ``record`` unless it is a valid approved run; messages quote its redacted copy only."""
    checker = schemas.checker_for("approved-run")
    if checker.is_valid(record):
        return
    issues = [str(issue) for issue in list(checker.iter_issues(gate.redact_value(record)))[:5]]
    if not issues:  # redaction changed the value at fault: name the place only
        issues = [f"{issue.path}: breaks the schema (the value is not shown)" for issue in list(checker.iter_issues(record))[:5]]
    raise InvalidRecord(
        f"{what} is not a valid approved run: " + "; ".join(issues),
        remedy="nothing was written; fix the input and run the command again",
    )


# --- the one path every decision takes -----------------------------------------


@dataclass
class Ledger:
    """The approved-runs file and who is deciding: ``review`` and ``record`` (and every correction) write through it.

    ``clean`` passes the whole run through the redaction gate (what a human
    typed, and anything a newer deny-list would catch in the rest) and marks
    a run the gate had to change ``auto_redacted`` with its findings by class
    (``redaction_findings``), as harvest marks its candidates; ``append`` checks it against the approved-run schema and
    appends it under the lock unless the run's latest decision changed
    meanwhile.
    """

    path: str
    gate: Any
    reviewer: str
    env: Mapping[str, str]

    def clean(self, record: Dict[str, Any]):
        clean, found = self.gate.redact_record(record)
        if found.count:
            clean["redaction_status"] = "auto_redacted"
            # By class, added to what harvest already replaced: the export's policy reads these
            # (personal data trains as placeholders; a secret waits for a person).
            stored = clean.get("redaction_findings") if isinstance(clean.get("redaction_findings"), dict) else {}
            merged = {name: count for name, count in stored.items() if type(count) is int and count > 0}
            for name, count in found.by_class.items():
                merged[name] = merged.get(name, 0) + count
            clean["redaction_findings"] = dict(sorted(merged.items()))
        return clean, found

    def append(self, record: Dict[str, Any], *, what: str, expect: Optional[Decided] = None) -> Optional[Decided]:
        check_record(record, self.gate, what)
        return append_decision(self.path, record, expect)


# --- building a decision ------------------------------------------------------


def with_final_answer(messages: List[Any], answer: str) -> List[Any]:
    """The trajectory with ``answer`` as its final assistant message, so it agrees with ``output_approved``.

    The last message is replaced when it is a plain assistant answer;
    otherwise (the trajectory ends in a tool call or its result) the answer
    is appended, so no tool call loses its result.
    """
    out = list(messages)
    last = out[-1] if out else None
    if isinstance(last, dict) and last.get("role") == "assistant" and not last.get("tool_calls"):
        out[-1] = {**last, "content": answer}
    else:
        out.append({"role": "assistant", "content": answer})
    return out


def decision_record(
    candidate: Dict[str, Any],
    *,
    status: str,
    reviewer: str,
    reviewed_at: str,
    note: Optional[str] = None,
    output: Optional[str] = None,
    domain: Optional[str] = None,
    workflow: Optional[str] = None,
) -> Dict[str, Any]:
    """The approved-run line for a human decision on ``candidate`` (which is left unchanged).

    ``output`` is the edited answer (status ``edited``): it becomes
    ``output_approved`` and the final assistant message, and the agent's
    draft is kept as ``output_original``.
    """
    if status not in DECISION_STATUSES:
        raise ValueError(f"not a decision: {status!r}")
    record = copy.deepcopy(candidate)
    record.pop("human_review_status", None)  # it would override the decision (agentic-stack reads it first)
    if domain:
        record["domain"] = domain
    if workflow:
        record["workflow"] = workflow
    if output is not None:
        record["output_original"] = candidate.get("output_approved", "")
        record["output_approved"] = output
        if isinstance(record.get("messages"), list) and record["messages"]:
            record["messages"] = with_final_answer(record["messages"], output)
    review: Dict[str, Any] = {"status": status, "reviewer": reviewer, "reviewed_at": reviewed_at}
    if note:
        review["review_notes"] = note
    record["human_review"] = review
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    record["source"] = {**source, "candidate_id": candidate["id"]}
    return record


def corrected(
    record: Dict[str, Any], latest: Decided, action: str, *, status: str, reviewer: str, reviewed_at: str,
    note: Optional[str] = None,
) -> Dict[str, Any]:
    """``record`` (the run as it stands) with a new ``human_review`` that names the line it replaces.

    ``action`` is ``undo``, ``relabel`` or ``decision`` (a new decision after
    an undo). The provenance names the replaced line, its status and time;
    the earlier reviewer stays on that line only (trace records copy
    ``human_review``, and names are hashed there).
    """
    out = copy.deepcopy(record)
    out.pop("human_review_status", None)
    review: Dict[str, Any] = {"status": status, "reviewer": reviewer, "reviewed_at": reviewed_at}
    if note:
        review["review_notes"] = note
    review["corrects"] = provenance(latest, action)
    out["human_review"] = review
    return out


def provenance(latest: Decided, action: str) -> Dict[str, Any]:
    """``human_review.corrects``: what this line does, and the line it replaces (its status and time, not who)."""
    corrects: Dict[str, Any] = {"action": action, "line": latest.line, "status": latest.status}
    if latest.reviewed_at:
        corrects["reviewed_at"] = latest.reviewed_at
    return corrects


def undone(record: Dict[str, Any], latest: Decided, *, reviewer: str, reviewed_at: str, note: Optional[str]) -> Dict[str, Any]:
    """The undo line: the run pending again, with the agent's own answer back when the decision was an edit."""
    out = corrected(record, latest, "undo", status="pending", reviewer=reviewer, reviewed_at=reviewed_at, note=note)
    draft = out.pop("output_original", None)
    if isinstance(draft, str):
        out["output_approved"] = draft
        if isinstance(out.get("messages"), list) and out["messages"]:
            out["messages"] = with_final_answer(out["messages"], draft)
    return out


# --- the candidates file --------------------------------------------------------


@dataclass
class Entry:
    """One readable candidate: where it is and what a list shows of it (not its trajectory)."""

    id: str
    line: int
    offset: int
    status: str
    domain: str
    workflow: str
    harness: str
    created_at: str
    task: str
    summary: Optional[summary_facts.Summary] = None  # project, when, outcome, size, whether redaction found anything


def first_line(text: Any, width: int = 80) -> str:
    line = next((part.strip() for part in str(text or "").splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "\u2026"


class _Offsets:
    """The raw lines of a binary file, remembering the offset of the one handed out last."""

    def __init__(self, fp) -> None:
        self._fp = fp
        self.offset = 0
        self.unfinished = False

    def __iter__(self) -> Iterator[bytes]:
        position = 0
        for raw in self._fp:
            self.offset = position
            self.unfinished = not raw.endswith(b"\n")
            position += len(raw)
            yield raw


class Candidates:
    """The candidates file, indexed once: every good line's id, place and summary, in file order.

    Trajectories are not held: ``load(entry)`` reads one candidate back
    from its offset (the file is only ever appended to). Bad lines (not
    JSON, not an object, not a candidate run, a repeated id) go to
    ``report`` with their line and are left out; the rest stay reviewable.
    """

    def __init__(self, path: str, entries: Dict[str, Entry]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def read(
        cls,
        path: str,
        report: Callable[[jsonio.LineProblem], None],
        describe: Callable[[Any], Any] = lambda value: value,
    ) -> "Candidates":
        """``describe`` makes the copy a schema message may quote (the redaction gate's ``redact_value``)."""
        if os.path.isdir(path):
            raise InputError("is a folder, not a candidates file", source=path, remedy="pass the candidates.jsonl file")
        try:
            fp = open(path, "rb")
        except FileNotFoundError:
            raise InputError(
                "no candidates file", source=path,
                remedy="run harvest first to collect candidates, or pass --candidates PATH",
            ) from None
        except OSError as error:
            raise InputError(f"cannot read the candidates: {error.strerror}", source=path) from None
        checker = schemas.checker_for("candidate-run")
        entries: Dict[str, Entry] = {}
        with fp:
            lines = _Offsets(fp)

            def problem(found: jsonio.LineProblem) -> None:
                if lines.unfinished:
                    found = jsonio.LineProblem(
                        path, found.line, found.reason,
                        "unfinished last line (a harvest may still be writing it: review again in a moment)",
                    )
                report(found)

            for number, value in jsonio.read_json_lines(lines, path, problem):
                offset = lines.offset
                if not checker.is_valid(value):
                    issue = next(iter(checker.iter_issues(describe(value))), None)
                    message = str(issue) if issue else "breaks the candidate-run schema"
                    report(jsonio.LineProblem(path, number, jsonio.SCHEMA_VIOLATION, f"not a candidate run: {message}"))
                    continue
                earlier = entries.get(value["id"])
                if earlier is not None:
                    report(jsonio.LineProblem(
                        path, number, jsonio.DUPLICATE_ID, f"repeats the candidate id of line {earlier.line}"
                    ))
                    continue
                entries[value["id"]] = Entry(
                    id=value["id"], line=number, offset=offset, status=normalize.review_status(value),
                    domain=str(value.get("domain") or ""), workflow=str(value.get("workflow") or ""),
                    harness=str(value.get("harness") or value.get("host") or "unknown"),
                    created_at=str(value.get("created_at") or value.get("timestamp") or ""),
                    task=first_line(value.get("input_redacted")), summary=summary_facts.summarize(value),
                )
        return cls(path, entries)

    def load(self, entry: Entry) -> Dict[str, Any]:
        with open(self.path, "rb") as fp:
            fp.seek(entry.offset)
            raw = fp.readline()
        value, problem = jsonio.parse_json_text(raw.decode("utf-8").lstrip("\ufeff").strip())
        if problem is not None or not isinstance(value, dict) or value.get("id") != entry.id:
            raise InputError(
                "the candidates file changed while it was being reviewed", source=self.path, line=entry.line,
                remedy="run review again",
            )
        return value

    def pending(self, decided: Mapping[str, Decided]) -> List[Entry]:
        """Candidates nobody decided, or whose decision was undone."""
        return [
            entry for entry in self.entries.values()
            if entry.status == "pending" and not (entry.id in decided and decided[entry.id].final)
        ]

    def find(self, text: str) -> Optional[Entry]:
        """The candidate an id or a unique id prefix names; None when none does; an error when several do."""
        entry = self.entries.get(text)
        if entry is not None:
            return entry
        matches = [candidate for key, candidate in self.entries.items() if key.startswith(text)] if text else []
        if len(matches) > 1:
            shown = ", ".join(candidate.id for candidate in matches[:10])
            more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise InputError(
                f"{text!r} matches {len(matches)} candidates: {shown}{more}", source=self.path,
                remedy="give more of the id",
            )
        return matches[0] if matches else None

    def resolve(self, text: str, decided: Mapping[str, Decided], approved_runs: str) -> Entry:
        """The candidate an id or a unique id prefix names, if it is still pending; else a clear error."""
        entry = self.find(text)
        if entry is None:
            raise InputError(
                f"no candidate with id {text!r}", source=self.path,
                remedy="review --list shows the pending ones",
            )
        earlier = decided.get(entry.id)
        if earlier is not None and earlier.final:
            raise InputError(
                f"{entry.id} was already decided: {earlier.describe()}", source=approved_runs, line=earlier.line,
                remedy=f"to change it, review --undo {entry.id} first; review --list shows what is still pending",
            )
        if entry.status != "pending":
            raise InputError(
                f"{entry.id} is not pending: its status is {entry.status}", source=self.path, line=entry.line,
                remedy="review --list shows the pending ones",
            )
        return entry
