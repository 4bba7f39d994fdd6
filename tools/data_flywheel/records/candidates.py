"""Candidate runs: one per user request of a harvested task episode, waiting for a human decision.

A task episode (a session, or the stretch between two compactions) answers
many requests. Each real user request (``records.requests``: not a command
tag, housekeeping command, compaction wrapper, warm-up ping or interruption)
becomes one pending candidate in ``.agent/flywheel/candidates.jsonl`` (schema
``candidate-run``):

- ``input_redacted`` is the request (requests sent back to back, before any
  answer, are one request, joined by a blank line);
- ``output_approved`` is the last assistant message with text before the next
  request (what a reviewer accepts, edits or rejects); a request with no such
  message (only tool calls, or nothing) is no candidate;
- ``messages`` is the trajectory up to that answer, *with* the earlier context
  the model saw (system prompt, compaction summary, earlier requests), so a
  chat row trains on what the model was really given; ``size.context_messages``
  says how many of them came before the request. Earlier context is kept whole
  up to ``CONTEXT_BUDGET`` characters; beyond that only the most recent earlier
  requests that fit are kept (whole requests, so no tool result loses its
  call), after the system prompt and the compaction summary that open the
  episode, and ``context_left_out`` names what was
  left out (the episode, how many messages, their digest): a session of a
  hundred requests would otherwise store its history a hundred times;
- ``outcome`` is ``failed`` or ``aborted`` when the span's last model turn
  ended that way (an API error, the user pressing Esc): kept, labelled, as a
  negative example;
- ``project``, ``harness``, ``started_at``, ``size`` and ``redaction`` are what
  ``review --list`` shows; ``redaction`` counts the placeholders, by rule, in the
  whole trajectory the candidate carries.

Harvested sessions have no domain or workflow of their own; candidates get
``coding`` / ``<harness>_session`` until a reviewer says otherwise.

Appending is idempotent: a candidate's id is a digest of its session hash,
segment, request position and content, so harvesting the same sessions again
adds nothing, and a session that grew adds only its new requests (and a new
version of a request whose answer changed). Appends happen under a lock, one
whole line at a time (cut back if a write fails), so a concurrent reviewer or harvester never
sees half a line.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .. import jsonio
from ..locking import locked
from ..seen import SeenSet
from . import normalize, requests
from .episode import message_outcome

CANDIDATES_FILE = "candidates.jsonl"


class _Digests:
    """SHA-256 of any run of an episode's messages, each message serialized once.

    Every candidate's id digests the trajectory up to its answer; serializing
    that prefix again for each request would cost the square of the session.
    """

    def __init__(self, messages: List[Dict[str, Any]]) -> None:
        self.lines = [json.dumps(m, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                      for m in messages]

    def of(self, start: int, end: int) -> str:
        digest = hashlib.sha256()
        for line in self.lines[start:end]:
            digest.update(line)
        return digest.hexdigest()


@dataclass(frozen=True)
class MessageFacts:
    """What the record's chat messages no longer carry: each message's outcome and time."""

    outcome: str = "completed"
    timestamp: Optional[str] = None
    usage: Tuple[Tuple[str, int], ...] = ()


def facts_of(messages: Sequence[Any]) -> List[MessageFacts]:
    """``MessageFacts`` for each ``episode.Message`` of an episode, in order."""
    return [
        MessageFacts(message_outcome(m) if m.role == "assistant" else "completed",
                     normalize.iso_z(m.timestamp) if m.timestamp is not None else None, m.usage)
        for m in messages
    ]


@dataclass(frozen=True)
class Request:
    """One request's span in an episode's messages: ``start`` (first request message) to ``answer``."""

    start: int
    request_end: int  # one past the last request message
    answer: int  # the index of the final assistant message with text
    end: int  # one past the span (the next request, or the end)


def request_spans(messages: List[Dict[str, Any]], first: int = 0) -> Iterator[Request]:
    """The spans of the real requests from ``first`` on that got an answer with text.

    When the episode's own part opens with the model still at work (a compaction
    cut into a request), that work answers the last request of the carried-in
    context: it is a span too, its answer searched only from ``first`` on (the
    request made a candidate in the segment before, with the answer it had then).
    When the carried-in context holds no request (only a summary), the span's
    request is empty (``start == request_end``).
    """
    bounds: List[Tuple[int, int, int]] = []  # (start, request_end, where the answer may start)
    index = first
    while index < len(messages):
        if _is_request(messages[index]):
            start = index
            while index < len(messages) and _is_request(messages[index]):
                index += 1  # back to back: one request
            bounds.append((start, index, index))
        else:
            index += 1
    opens_with_work = any(m.get("role") == "assistant" for m in messages[first: bounds[0][0] if bounds else None])
    if opens_with_work:
        carried = [i for i in range(first) if _is_request(messages[i])]
        if carried:
            start = carried[-1]
            while start > 0 and start - 1 in carried:
                start -= 1
            bounds.insert(0, (start, carried[-1] + 1, first))
        else:
            # The request is not in this episode at all (Claude Code's summary replaced it):
            # an empty request span, which the caller names from the segment before.
            bounds.insert(0, (first, first, first))
    for number, (start, request_end, answer_from) in enumerate(bounds):
        end = bounds[number + 1][0] if number + 1 < len(bounds) else len(messages)
        answer = next((i for i in range(end - 1, answer_from - 1, -1) if _has_text_answer(messages[i])), None)
        if answer is not None:
            yield Request(start, request_end, answer, end)


def _is_request(message: Dict[str, Any]) -> bool:
    return message.get("role") == "user" and requests.not_a_request(message.get("content")) is None


def _has_text_answer(message: Dict[str, Any]) -> bool:
    content = message.get("content")
    return message.get("role") == "assistant" and isinstance(content, str) and bool(content.strip())


def _span_outcome(facts: Sequence[MessageFacts], messages: List[Dict[str, Any]], span: Request) -> str:
    """The outcome of the span's last model turn (aborted after the answer counts too)."""
    for index in range(span.end - 1, span.request_end - 1, -1):
        if messages[index].get("role") == "assistant":
            return facts[index].outcome if index < len(facts) else "completed"
    return "completed"


_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]")


def _redaction_in(lines: Iterable[bytes], placeholders: Dict[str, Tuple[str, str]]) -> Dict[str, Any]:
    """What redaction replaced in these serialized messages: findings by rule and by class, from the placeholders left.

    ``placeholders`` maps each placeholder to its rule and class (``secret`` or
    ``personal``). The whole trajectory counts, earlier context included: a
    chat row trains on all of it.
    """
    by_rule: Dict[str, int] = {}
    by_class: Dict[str, int] = {}
    if placeholders:
        for line in lines:
            if b"[" not in line:
                continue
            for found in _PLACEHOLDER.findall(line.decode("utf-8")):
                known = placeholders.get(found)
                if known is not None:
                    rule, kind = known
                    by_rule[rule] = by_rule.get(rule, 0) + 1
                    by_class[kind] = by_class.get(kind, 0) + 1
    return {"findings": sum(by_rule.values()), "by_rule": dict(sorted(by_rule.items())),
            "by_class": dict(sorted(by_class.items()))}


def characters_and_calls(messages: Iterable[Dict[str, Any]]) -> Tuple[int, int]:
    """Characters of text and tool-call arguments, and tool calls, in chat messages."""
    characters = calls = 0
    for message in messages:
        if isinstance(message, dict):
            characters += _characters(message)
            calls += len(message.get("tool_calls") or ())
    return characters, calls


def _size(messages: List[Dict[str, Any]], context_messages: int) -> Dict[str, int]:
    characters, calls = characters_and_calls(messages[context_messages:])
    return {"messages": len(messages) - context_messages, "tool_calls": calls, "characters": characters,
            "context_messages": context_messages}


# Characters of earlier context a candidate carries in full (about 16k tokens).
CONTEXT_BUDGET = 64_000


def own_messages(record: Dict[str, Any]) -> List[Any]:
    """The messages of a candidate's (or an approved run's) own request, without the earlier context it carries.

    A candidate keeps ``size.context_messages`` leading messages from the
    requests before it, so that chat rows show what the model saw; counting
    its work (tool calls, checks, failures) must leave those out.
    """
    messages = record.get("messages") if isinstance(record.get("messages"), list) else []
    size = record.get("size") if isinstance(record.get("size"), dict) else {}
    skip = size.get("context_messages")
    if isinstance(skip, int) and not isinstance(skip, bool) and 0 < skip <= len(messages):
        return messages[skip:]
    return messages


def _characters(message: Dict[str, Any]) -> int:
    content = message.get("content")
    size = len(content) if isinstance(content, str) else 0
    for call in message.get("tool_calls") or ():
        function = call.get("function") if isinstance(call, dict) else None
        arguments = function.get("arguments") if isinstance(function, dict) else None
        size += len(arguments) if isinstance(arguments, str) else 0
    return size


def _context_start(before: Sequence[int], starts: Sequence[int], request: int) -> int:
    """Where the kept earlier context starts: the earliest of ``starts`` whose messages up to
    ``request`` fit in ``CONTEXT_BUDGET`` (``before[i]``: characters of the messages before ``i``)."""
    for start in starts:  # earliest first: keep as much as fits
        if start < request and before[request] - before[start] <= CONTEXT_BUDGET:
            return start
    return request


def candidates_from_episode(
    record: Dict[str, Any],
    facts: Sequence[MessageFacts],
    *,
    placeholders: Dict[str, Tuple[str, str]],
    project: str,
    harvested_at: str,
    earlier_request: Optional[str] = None,
) -> Iterator[Dict[str, Any]]:
    """Pending candidate runs, one per answered real request of a redacted ``task`` episode record.

    ``earlier_request``: the last request of the session's segment before this one
    (``last_request``), the task of work that carries on across a compaction whose
    summary replaced the request itself.
    """
    messages = record["messages"]
    # Always carried: the system prompt and a compaction summary right after it (small, and
    # without it a row after a compaction starts with no idea of the work so far).
    lead = 0
    while lead < len(messages) and messages[lead].get("role") in ("system", "developer"):
        lead += 1
    if lead < len(messages) and messages[lead].get("role") == "user" and requests.is_compaction_wrapper(
            messages[lead].get("content") or ""):
        lead += 1
    spans = list(request_spans(messages, record.get("context_messages") or 0))
    starts = [lead] + [span.start for span in spans]
    digests = _Digests(messages)
    before = [0]
    for message in messages:
        before.append(before[-1] + _characters(message))
    for span in spans:
        keep_from = _context_start(before, starts, span.start)
        trajectory = messages[:lead] + messages[keep_from: span.answer + 1]
        request_at = lead + span.start - keep_from
        task = "\n\n".join(m.get("content") or "" for m in messages[span.start:span.request_end])
        if span.start == span.request_end:
            if not earlier_request:
                continue  # work whose request nobody can name: no candidate
            task = earlier_request
        outcome = _span_outcome(facts, messages, span)
        key = f"{record['session_hash']}|{record['segment']}|{span.start}|{digests.of(0, span.answer + 1)}"
        started = (facts[span.start].timestamp if span.start < len(facts) else None) or record.get("started_at")
        redaction = _redaction_in(digests.lines[:lead] + digests.lines[keep_from: span.answer + 1], placeholders)
        candidate: Dict[str, Any] = {
            "id": "cand_" + normalize.sha256_hex(key)[:24],
            "created_at": started or harvested_at,
            "project": project,
            "domain": "coding",
            "workflow": normalize.slug(f"{record['harness']}_session"),
            "harness": record["harness"],
            "started_at": started or harvested_at,
            "outcome": outcome,
            "size": _size(trajectory, request_at),
            "redaction": redaction,
            "input_redacted": task,
            "output_approved": messages[span.answer]["content"],
            "messages": trajectory,
            # The tools the session offered (definitions where it stored them, else the ones it called).
            "tools": record.get("tools") or [],
            "human_review": {"status": "pending"},
            # The tool scanned and redacted this text itself; "passed" is its own finding, not a claim.
            "redaction_status": "auto_redacted" if redaction["findings"] else "passed",
            "pii_level": "unknown",
            "raw_input_stored": False,
            "source": {
                "episode_id": record["id"],
                "session_hash": record["session_hash"],
                "segment": record["segment"],
                "request": span.start,
                "outcome": outcome,
                "unanswered_tool_calls": _unanswered(trajectory[request_at:]),
            },
        }
        if redaction["by_class"]:
            # What the replaced values were, by class (never the values): the export's
            # policy decides from these, since the text now holds only placeholders.
            candidate["redaction_findings"] = dict(redaction["by_class"])
        if keep_from > lead:
            candidate["context_left_out"] = {"episode_id": record["id"], "left_out_messages": keep_from - lead,
                                             "left_out_sha256": digests.of(lead, keep_from)}
        for key in ("parent_session_hash", "parent_tool_call_id"):  # a subagent's link to its parent
            if record.get(key):
                candidate["source"][key] = record[key]
        if record.get("model"):
            candidate["model_used"] = record["model"]
        usage = _span_usage(facts[span.start: span.end])
        if usage:
            # Token counts of this request's model turns, as the harness reported them (ATIF export reports them).
            candidate["source"]["usage"] = usage
        yield candidate


def last_request(record: Dict[str, Any]) -> Optional[str]:
    """The text of the last real request in an episode record's messages (for the segment after it)."""
    for message in reversed(record.get("messages") or ()):
        if _is_request(message):
            return message.get("content")
    return None


def _span_usage(facts: Sequence[MessageFacts]) -> Dict[str, int]:
    totals: Dict[str, int] = {}
    for fact in facts:
        for key, value in fact.usage:
            totals[key] = totals.get(key, 0) + value
    return dict(sorted(totals.items()))


def _unanswered(messages: List[Dict[str, Any]]) -> int:
    answered = {m.get("tool_call_id") for m in messages if m.get("role") == "tool"}
    return sum(1 for m in messages for call in m.get("tool_calls") or () if call.get("id") not in answered)


def append_new(path: str, candidates: Iterable[Dict[str, Any]]) -> int:
    """Append the candidates whose id is not in ``path`` yet; return how many were added.

    Written one line at a time as they come (a candidate carries its whole
    trajectory, so holding them all would grow with the harvest), under the
    lock, so no other writer interleaves. A reader may see the last line
    still being written; every reader here treats a torn last line as unfinished.
    """
    added = 0
    with locked(path), SeenSet() as seen:
        if os.path.exists(path):
            with open(path, "rb") as fp:
                for _line, existing in jsonio.read_json_lines(fp, path, lambda _problem: None):
                    if isinstance(existing.get("id"), str):
                        seen.first_seen(existing["id"], 0)
        with jsonio.LineAppender(path, what="the candidates") as store:  # each line whole or absent
            for candidate in candidates:
                if seen.first_seen(candidate["id"], 0) is not None:
                    continue
                store.append(jsonio.dumps_line(candidate).encode("utf-8"))
                added += 1
    return added
