"""What ``review`` shows: the list of pending candidates, one candidate in full (``--show``), the terminal card.

Kept apart from ``review.py``, which parses the flags and decides; these
functions only read a candidate and write text or JSON. Every text shown
is the candidate's own, already redacted by harvest; nothing here reads raw
session files.
"""
from __future__ import annotations

import json
from typing import IO, Any, Dict, List, Optional, Tuple

from ..records import candidates as candidate_records
from ..records import summary as summary_facts
from ..terminal import Painter, plural

TASK_SHOWN = (20, 1200)  # lines, characters
ANSWER_SHOWN = (40, 3000)
CALLS_SHOWN = 10  # tool calls unfolded by --show (all are in --json)
JSON_TEXT_SHOWN = 2000  # characters of one tool call's arguments or result in --show --json

# What each reason the export gives for "not trainable" means to a reviewer (records/run.py names them).
REASONS = {
    "not_approved": "a person has not accepted or edited it",
    "redaction_not_passed": "its redaction status is not 'passed': the scanner replaced values in it when it was "
                            "harvested, and the export trains only on runs it did not have to change",
    "auto_redacted": "a secret (a credential, key or token) was replaced in it; check the findings above, then "
                     "review --accept ID --accept-secrets trains on it with the placeholders (recorded with your "
                     "decision), or set accept_auto_redacted in .agent/flywheel/config.json for every such run",
    "personal_data_redacted": "personal data was replaced in it and personal_data_trainable is false in "
                              ".agent/flywheel/config.json",
    "raw_input_stored": "it says it stores raw input",
    "opted_out": "it is marked trainable: false",
    "empty_text": "its task or its answer is empty",
}


def tool_calls(candidate: Dict[str, Any]) -> List[Tuple[Dict[str, Any], Optional[str]]]:
    """Each tool call the agent made for this request, with the text of its result (None when it has none).

    The earlier context a candidate carries (``size.context_messages`` leading
    messages, from requests before this one) is not this request's work.
    """
    results: Dict[str, str] = {}
    calls = []
    for message in candidate_records.own_messages(candidate):
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool" and isinstance(message.get("tool_call_id"), str):
            content = message.get("content")
            results[message["tool_call_id"]] = content if isinstance(content, str) else json.dumps(content)
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                calls.append(call)
    return [(call, results.get(call.get("id"))) for call in calls]


def counts(calls) -> Dict[str, int]:
    found: Dict[str, int] = {}
    for call, _result in calls:
        name = str(call["function"].get("name") or "?")
        found[name] = found.get(name, 0) + 1
    return found


def folded(calls) -> str:
    return ", ".join(f"{name} ({count})" for name, count in counts(calls).items())


def _arguments(call: Dict[str, Any]) -> str:
    arguments = call["function"].get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False, sort_keys=True)
    return arguments


def unfolded(calls, limit: Optional[int] = None) -> List[str]:
    lines = []
    for number, (call, result) in enumerate(calls[:limit] if limit else calls, start=1):
        lines.append(f"  {number}. {call['function'].get('name')} {one_line(_arguments(call), 150)}")
        if result is not None:
            lines.append(f"     -> {one_line(result, 140)}")
    if limit and len(calls) > limit:
        lines.append(f"  \u2026 {plural(len(calls) - limit, 'more tool call')} (review --show ID --json lists them all)")
    return lines


def one_line(text: str, width: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def clip(text: str, limits) -> List[str]:
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


def _cut(text: Optional[str], width: int) -> Any:
    if text is None or len(text) <= width:
        return text
    return text[:width] + f"\u2026 ({len(text) - width:,} more characters)"


# --- facts ---------------------------------------------------------------------------


def when(text: str) -> str:
    """``2026-01-06 10:00`` from an RFC 3339 time; anything else as it is."""
    if len(text) >= 16 and text[4] == "-" and text[10] == "T":
        return text[:10] + " " + text[11:16]
    return text or "-"


def size_text(facts: summary_facts.Summary) -> str:
    return f"{facts.messages} msg, {plural(facts.tool_calls, 'tool')}"


def redacted_text(facts: summary_facts.Summary) -> str:
    if not facts.redacted:
        return "no"
    return f"yes ({facts.findings})" if facts.findings else "yes"


def redaction_lines(facts: summary_facts.Summary) -> List[str]:
    """What the scanner replaced, by rule when harvest recorded it, else by the placeholders left in the text."""
    if not facts.redacted:
        return ["nothing found: no value was replaced"]
    lines = []
    if facts.by_rule:
        rules = ", ".join(f"{rule} ({count})" for rule, count in facts.by_rule.items())
        lines.append(f"{plural(facts.findings or 0, 'value')} replaced when it was harvested: {rules}")
    else:
        lines.append("values were replaced when it was harvested (this candidate does not record by which rules)")
    if facts.by_kind:
        kinds = ", ".join(f"[{kind}_n] \u00d7{count}" for kind, count in facts.by_kind.items())
        lines.append(f"placeholders in its text: {kinds}")
    return lines


def trainability(record: Dict[str, Any], settings, gate, status: str) -> Dict[str, Any]:
    """What the export would decide for this run with review status ``status``: the same checks, not a guess."""
    from ..export.pipeline import Aggregator

    as_decided = dict(record)
    as_decided["human_review"] = {**(record.get("human_review") or {}), "status": status}
    as_decided.pop("human_review_status", None)
    run = Aggregator(gate, settings, str(record.get("project") or "project")).make_run(as_decided)
    reasons = list(run.not_trainable_because)
    return {
        "status": status,
        "trainable": not reasons,
        "eval_case_eligible": bool(run.eval_ready),
        "because": reasons,
        "meaning": [REASONS.get(reason, reason) for reason in reasons],
    }


def _trainability_lines(verdict: Dict[str, Any], pending: bool) -> List[str]:
    condition = "if accepted" if pending else f"as {verdict['status']}"
    if verdict["trainable"]:
        return [f"yes, {condition}: it passes every check the export makes for a training row"
                + (" (or an eval case, if its session falls in a held-out split)" if verdict["eval_case_eligible"] else "")]
    lines = [f"no, {condition}: " + "; ".join(verdict["meaning"])]
    if pending and "redaction_not_passed" in verdict["because"]:
        lines.append("  accepting it still counts: context cards and readiness use it, and it is kept as reviewed")
    return lines


# --- --show --------------------------------------------------------------------------


def show_document(view) -> Dict[str, Any]:
    """``review --show ID --json``: everything ``show_text`` prints, whole (tool calls cut at 2,000 characters)."""
    record, facts = view.record, view.facts
    calls = tool_calls(record)
    return {
        "id": record["id"],
        "status": view.status,
        "domain": record.get("domain"),
        "workflow": record.get("workflow"),
        "model": record.get("model_used"),
        **facts.as_json(),
        "source": view.source,
        "decision": view.decision,
        "history": view.history,
        "task": record.get("input_redacted") or "",
        "answer": record.get("output_approved") or "",
        "tool_calls": [
            {"name": call["function"].get("name"), "arguments": _cut(_arguments(call), JSON_TEXT_SHOWN),
             "result": _cut(result, JSON_TEXT_SHOWN)}
            for call, result in calls
        ],
        "tool_counts": counts(calls),
        "trainability": view.trainability,
        "next": view.next_step,
    }


def show_text(view, out: IO[str], paint: Painter) -> None:
    record, facts = view.record, view.facts
    out.write(paint(record["id"], "bold") + f"  {record.get('domain')}/{record.get('workflow')}  {view.status}\n")
    details = [f"project {facts.project or '-'}", f"harness {facts.harness}"]
    if record.get("model_used"):
        details.append(f"model {record['model_used']}")
    details += [facts.when or "no date", f"outcome {facts.outcome or 'unknown'}"]
    out.write("  " + " \u00b7 ".join(details) + "\n")
    out.write(f"  size: {plural(facts.messages, 'message')}, {plural(facts.tool_calls, 'tool call')}, "
              f"{facts.characters:,} characters\n")
    source = view.source
    where = [f"{source['file']}:{source['line']}"] if source.get("file") else []
    if isinstance(source.get("session_hash"), str):
        where.append(f"session {one_line(source['session_hash'], 24)}")  # the whole hash is in --json
    where += [f"{key} {source[key]}" for key in ("segment", "request") if key in source]
    out.write("  from: " + " \u00b7 ".join(where or ["recorded with the record command"]) + "\n")
    for number, entry in enumerate(view.history):
        what = {"undo": "undone: pending again", "relabel": f"relabelled: {entry['status']} stands"}.get(
            entry["action"], ("decided: " if number == 0 else "decided again: ") + entry["status"])
        out.write(f"  {what}, by {entry['reviewer'] or '?'} at {entry['reviewed_at'] or '?'} ({entry['file']}:{entry['line']})\n")
    out.write(paint("task:", "cyan") + "\n")
    for line in clip(str(record.get("input_redacted") or ""), TASK_SHOWN):
        out.write(f"  {line}\n")
    out.write(paint("final answer:", "cyan") + "\n")
    for line in clip(str(record.get("output_approved") or ""), ANSWER_SHOWN):
        out.write(f"  {line}\n")
    calls = tool_calls(record)
    out.write(paint("tool calls:", "cyan") + (f" {folded(calls)}\n" if calls else " none\n"))
    for line in unfolded(calls, CALLS_SHOWN):
        out.write(line + "\n")
    out.write(paint("redaction:", "cyan") + "\n")
    for line in redaction_lines(facts):
        out.write(f"  {line}\n")
    out.write(paint("trainable:", "cyan") + "\n")
    for line in _trainability_lines(view.trainability, view.status == "pending"):
        out.write(f"  {line}\n")
    out.write(f"next: {view.next_step}\n")


# --- --list --------------------------------------------------------------------------

LIST_COLUMNS = ("ID", "PROJECT", "HARNESS", "WHEN", "OUTCOME", "SIZE", "REDACTED", "TASK")


def list_row(entry) -> Dict[str, Any]:
    facts = entry.summary or summary_facts.Summary(harness=entry.harness, when=entry.created_at)
    return {
        "id": entry.id, "domain": entry.domain, "workflow": entry.workflow, "harness": entry.harness,
        "created_at": entry.created_at, "task": entry.task, "line": entry.line,
        "project": facts.project, "when": facts.when, "outcome": facts.outcome,
        "size": facts.as_json()["size"], "redaction": {"found": facts.redacted, "findings": facts.findings},
    }


def list_text(entries, out: IO[str]) -> None:
    rows = [LIST_COLUMNS]
    for entry in entries:
        facts = entry.summary or summary_facts.Summary(harness=entry.harness, when=entry.created_at)
        rows.append((entry.id, facts.project or "-", entry.harness, when(facts.when or entry.created_at),
                     facts.outcome or "-", size_text(facts), redacted_text(facts), entry.task))
    widths = [max(len(row[column]) for row in rows) for column in range(len(LIST_COLUMNS) - 1)]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] + "\n")
