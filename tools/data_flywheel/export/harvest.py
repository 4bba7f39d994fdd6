"""The harvest pipeline: harness sessions -> redacted episodes, a manifest, and pending candidates.

Each session file found (``sources.discover``) is read by its reader, which
yields episodes; every episode passes through the same redaction gate as an
export (so home-folder paths lose their user name and no secret is written),
is checked against the episode schema, and is written to ``episodes.jsonl``
as it comes. The output folder is staged and swapped in like an export. Each
answered user request of a task episode also becomes a pending candidate for
review (``records.candidates``). An audit log (``--include-audit``, JSON Lines,
one event per line) adds ``ops_event`` rows.

Project scope (``Scope``): by default only sessions that ran in the project
root or below it are taken; the others are counted, never read into any
output. Where a session ran comes from its reader (``Episode.cwd``; Gemini CLI
records only a hash of the folder, ``Episode.project_id``, compared with the
root's). A session that records no folder (Hermes, some old files) is taken
only when it was named with ``--path``: nobody can say it belongs here, so it
is not picked up from a harness's shared folder. ``Scope(None)`` takes every
session, each candidate keeping the name of the folder it ran in.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence

from .. import __version__, jsonio
from ..errors import os_error
from ..records import candidates as candidate_records
from ..records import normalize, schemas
from ..sources import discover
from ..sources.harness.base import under
from . import files
from .gate import RedactionGate
from .staging import Staging, lock_wait


@dataclass
class HarvestReport:
    sessions_found: int = 0
    sessions_processed: int = 0
    skipped: List[Dict[str, str]] = field(default_factory=list)
    rows: Dict[str, Dict[str, int]] = field(default_factory=dict)  # source -> kind -> rows
    characters: int = 0
    tool_calls: int = 0
    line_problems: Dict[str, int] = field(default_factory=dict)
    runs_redacted: int = 0
    candidates_added: int = 0
    candidates_seen: int = 0
    outside_project: int = 0  # sessions of other projects (or of no known folder), not taken
    scope: str = "project"

    def count_row(self, source: str, kind: str) -> None:
        by_kind = self.rows.setdefault(source, {})
        by_kind[kind] = by_kind.get(kind, 0) + 1

    def as_dict(self) -> Dict[str, Any]:
        return {
            "sessions_found": self.sessions_found,
            "sessions_processed": self.sessions_processed,
            "sessions_skipped": len(self.skipped),
            "skipped": self.skipped,
            "rows": {source: dict(sorted(kinds.items())) for source, kinds in sorted(self.rows.items())},
            "characters": self.characters,
            "tool_calls": self.tool_calls,
            "line_problems": dict(sorted(self.line_problems.items())),
            "episodes_with_redactions": self.runs_redacted,
            "candidates_added": self.candidates_added,
            "candidates_already_present": self.candidates_seen,
            "scope": self.scope,
            "sessions_outside_project": self.outside_project,
        }


@dataclass(frozen=True)
class Scope:
    """Which sessions a harvest takes, and the project name its own sessions get.

    ``root``: the project's folder. ``all_projects``: take every session (each
    candidate then named after the folder it ran in). ``named``: the session
    files were named one by one (``--path``, a hook's transcript), so a session
    that records no folder is taken as this project's.
    """

    root: str
    project: str
    all_projects: bool = False
    named: bool = False

    def belongs(self, episode) -> Optional[bool]:
        """True or False when the session says where it ran, None when it does not."""
        if episode.cwd:
            return under(episode.cwd, self.root)
        if episode.project_id:
            return episode.project_id == hashlib.sha256(os.path.abspath(self.root).encode("utf-8")).hexdigest()
        return None

    def takes(self, episode, path: str) -> bool:
        """In scope; a session that records no folder is taken when named, or stored inside the project
        (Harbor's ``jobs/`` folder, for one)."""
        if self.all_projects:
            return True
        belongs = self.belongs(episode)
        return belongs if belongs is not None else (self.named or under(path, self.root))

    def project_of(self, episode, path: str) -> str:
        belongs = self.belongs(episode)
        if belongs or (belongs is None and (self.named or not self.all_projects or under(path, self.root))):
            return self.project
        if episode.cwd:
            return os.path.basename(os.path.normpath(episode.cwd)) or "unknown"
        if episode.project_id:
            return "gemini-" + episode.project_id[:12]  # Gemini CLI keeps only the folder's hash
        return "unknown"


def shown_path(path: str, env) -> str:
    """A path for reports: under the home folder it starts with ``~``, so no user name is written."""
    home = env.get("HOME") or os.path.expanduser("~")
    absolute = os.path.abspath(path)
    if home and home != "~" and (absolute == home or absolute.startswith(home + os.sep)):
        return "~" + absolute[len(home):]
    return path


def run_harvest(
    readers: Sequence[ModuleType],
    paths: Sequence[str],
    out: str,
    candidates_path: Optional[str],
    gate: RedactionGate,
    env,
    *,
    since: Optional[float],
    keep_reasoning: bool,
    audit_logs: Sequence[str],
    scope: Scope,
    generated: str,
    report_problem: Callable[[jsonio.LineProblem], None],
    progress=None,
) -> HarvestReport:
    report = HarvestReport(scope="all-projects" if scope.all_projects else "project")
    # Candidates wait in a temporary file until the episodes are in place: memory stays flat.
    new_candidates = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    candidate_checker = schemas.checker_for("candidate-run")
    try:
        staging = Staging(out, what="harvest", wait=lock_wait(env))
    except BaseException:
        new_candidates.close()
        raise
    episodes = None
    try:
        episodes = files.RecordFile(staging, "episodes.jsonl", kind="episode", schema_kind="episode", format="episode")

        def problem(found: jsonio.LineProblem) -> None:
            report.line_problems[found.reason] = report.line_problems.get(found.reason, 0) + 1
            report_problem(found)

        for found in discover.discover(readers, paths, env, since=since):
            if found.reader is None:
                report.skipped.append({"path": shown_path(found.path, env), "reason": found.skipped or "unknown"})
                continue
            report.sessions_found += 1
            try:
                taken = _harvest_session(found, episodes, gate, report, problem, new_candidates, candidate_checker,
                                         keep_reasoning=keep_reasoning, candidates=bool(candidates_path), scope=scope,
                                         generated=generated, progress=progress)
            except OSError as error:  # permission denied, vanished mid-read: report it, go on with the rest
                report.skipped.append({"path": shown_path(found.path, env), "reason": f"unreadable: {error.strerror}"})
                continue
            if taken:
                report.sessions_processed += 1
        for log in audit_logs:
            _audit_events(log, episodes, gate, report, problem)
        entry = episodes.close()
        episodes = None
        if candidates_path:  # before the manifest, so it counts what was really added
            _add_candidates(new_candidates, candidates_path, report)
        manifest = {
            "manifest_version": 1,
            "tool": "data-flywheel",
            "tool_version": __version__,
            "generated_at": generated,
            "kind": "harvest",
            "sources": [reader.NAME for reader in readers],
            **report.as_dict(),
            "files": [entry.as_manifest()],
        }
        files.write_document(staging, "manifest.json", jsonio.dumps_document(manifest), kind="manifest")
        staging.publish()
    except BaseException as error:
        if episodes is not None:
            episodes.abandon()
        staging.discard()
        if isinstance(error, OSError):  # a full disk, a read-only folder, too many open files
            raise os_error(error, "write the harvest", out) from None
        raise
    finally:
        new_candidates.close()
    return report


def _add_candidates(new_candidates, candidates_path: str, report: HarvestReport) -> None:
    new_candidates.seek(0)
    offered = [0]

    def pending():
        for line in new_candidates:
            offered[0] += 1
            yield json.loads(line)

    report.candidates_added = candidate_records.append_new(candidates_path, pending())
    report.candidates_seen = offered[0] - report.candidates_added


def _harvest_session(found, episodes, gate, report, problem, new_candidates, candidate_checker, *,
                     keep_reasoning, candidates, scope, generated, progress) -> bool:
    """Stream one file's in-scope episodes through the gate into episodes.jsonl (and candidates).

    True when it held a session of this project. Problems of a file from another
    project are not reported: it is not this harvest's business.
    """
    outside = set()
    taken = False
    last_request: Dict[str, Optional[str]] = {}  # session -> its last request so far (a segment's may carry on)
    held: List[jsonio.LineProblem] = []

    def reader_problem(found_problem: jsonio.LineProblem) -> None:
        if taken or scope.all_projects:
            problem(found_problem)
        else:
            held.append(found_problem)  # said once the file turns out to be this project's

    for episode in found.reader.read_session(found.path, reader_problem, keep_reasoning=keep_reasoning):
        if not scope.takes(episode, found.path):
            outside.add(episode.session_hash)
            continue
        if not taken:
            taken = True
            for earlier in held:
                problem(earlier)
            held.clear()
        record, findings = gate.redact_record(episode.to_record())
        if findings.count:
            record["redaction"] = findings.as_record()
            report.runs_redacted += 1
        episodes.write(record)
        report.count_row(found.reader.NAME, record["kind"])
        characters, calls = candidate_records.characters_and_calls(record.get("messages", ()))
        report.characters += characters
        report.tool_calls += calls
        if record["kind"] == "task" and candidates:
            for candidate in candidate_records.candidates_from_episode(
                record, candidate_records.facts_of(episode.messages), placeholders=findings.placeholders,
                project=scope.project_of(episode, found.path), harvested_at=generated,
                earlier_request=last_request.get(record["session_hash"]),
            ):
                if candidate_checker.is_valid(candidate):
                    try:
                        new_candidates.write(jsonio.dumps_line(candidate))
                    except OSError as error:  # the temporary folder is full: not an unreadable session
                        raise os_error(error, "hold the new candidates", tempfile.gettempdir()) from None
            last_request[record["session_hash"]] = (
                candidate_records.last_request(record) or last_request.get(record["session_hash"]))
        if progress is not None:
            progress.tick()
    if not taken and not outside:
        for earlier in held:  # nothing usable: say why, whoever the file belongs to
            problem(earlier)
    report.outside_project += len(outside)
    return taken or not outside


def _audit_events(path: str, episodes: files.RecordFile, gate: RedactionGate, report: HarvestReport, problem) -> None:
    """``ops_event`` rows: each JSON object line of an audit log, redacted, with no chat messages."""
    from ..errors import InputError

    try:
        fp = open(path, "rb")
    except OSError as error:
        raise InputError(f"cannot read the audit log: {error.strerror}", source=path) from None
    with fp:
        for number, event in jsonio.read_json_lines(fp, path, problem):
            clean, _found = gate.redact_record(event)
            digest = normalize.sha256_hex(f"{os.path.basename(path)}|{number}|{jsonio.dumps_line(event)}")
            episodes.write(
                {
                    "id": "ep_" + digest[:32],
                    "kind": "ops_event",
                    "harness": "audit",
                    "session_hash": "sha256:" + normalize.sha256_hex(os.path.basename(path)),
                    "segment": number,
                    "messages": [],
                    "outcome": "completed",
                    "event": clean,
                }
            )
            report.count_row("audit", "ops_event")
