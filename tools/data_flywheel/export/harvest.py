"""The harvest pipeline: harness sessions -> redacted episodes, a manifest, and pending candidates.

Each session file found (``sources.discover``) is read by its reader, which
yields episodes; every episode passes through the same redaction gate as an
export (so home-folder paths lose their user name and no secret is written),
is checked against the episode schema, and is written to ``episodes.jsonl``
as it comes. The output folder is staged and swapped in like an export. Each
usable task episode also becomes a pending candidate for review. An audit log
(``--include-audit``, JSON Lines, one event per line) adds ``ops_event`` rows.
"""
from __future__ import annotations

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
        }


def shown_path(path: str, env) -> str:
    """A path for reports: under the home folder it starts with ``~``, so no user name is written."""
    home = env.get("HOME") or os.path.expanduser("~")
    absolute = os.path.abspath(path)
    if home and home != "~" and (absolute == home or absolute.startswith(home + os.sep)):
        return "~" + absolute[len(home):]
    return path


def _characters_and_calls(record: Dict[str, Any]) -> tuple:
    characters = calls = 0
    for message in record.get("messages", ()):
        content = message.get("content")
        characters += len(content) if isinstance(content, str) else 0
        for call in message.get("tool_calls") or ():
            calls += 1
            arguments = call.get("function", {}).get("arguments")
            characters += len(arguments) if isinstance(arguments, str) else 0
    return characters, calls


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
    project: str,
    generated: str,
    report_problem: Callable[[jsonio.LineProblem], None],
    progress=None,
) -> HarvestReport:
    report = HarvestReport()
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
                _harvest_session(found, episodes, gate, report, problem, new_candidates, candidate_checker,
                                 keep_reasoning=keep_reasoning, candidates=bool(candidates_path), project=project,
                                 generated=generated, progress=progress)
            except OSError as error:  # permission denied, vanished mid-read: report it, go on with the rest
                report.skipped.append({"path": shown_path(found.path, env), "reason": f"unreadable: {error.strerror}"})
                continue
            report.sessions_processed += 1
        for log in audit_logs:
            _audit_events(log, episodes, gate, report, problem)
        entry = episodes.close()
        episodes = None
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
        new_candidates.close()
        if isinstance(error, OSError):  # a full disk, a read-only folder, too many open files
            raise os_error(error, "write the harvest", out) from None
        raise
    with new_candidates:
        if candidates_path:
            new_candidates.seek(0)
            offered = [0]

            def pending():
                for line in new_candidates:
                    offered[0] += 1
                    yield json.loads(line)

            report.candidates_added = candidate_records.append_new(candidates_path, pending())
            report.candidates_seen = offered[0] - report.candidates_added
    return report


def _harvest_session(found, episodes, gate, report, problem, new_candidates, candidate_checker, *,
                     keep_reasoning, candidates, project, generated, progress) -> None:
    """Stream one session's episodes through the gate into episodes.jsonl (and candidates)."""
    for episode in found.reader.read_session(found.path, problem, keep_reasoning=keep_reasoning):
        record, findings = gate.redact_record(episode.to_record())
        if findings.count:
            record["redaction"] = findings.as_record()
            report.runs_redacted += 1
        episodes.write(record)
        report.count_row(found.reader.NAME, record["kind"])
        characters, calls = _characters_and_calls(record)
        report.characters += characters
        report.tool_calls += calls
        if record["kind"] == "task" and candidates:
            candidate = candidate_records.candidate_from_episode(
                record, findings=findings.count, project=project, harvested_at=generated
            )
            if candidate_checker.is_valid(candidate):
                try:
                    new_candidates.write(jsonio.dumps_line(candidate))
                except OSError as error:  # the temporary folder is full: not an unreadable session
                    raise os_error(error, "hold the new candidates", tempfile.gettempdir()) from None
        if progress is not None:
            progress.tick()


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
