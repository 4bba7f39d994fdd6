"""Gemini CLI chat recordings as episodes.

Gemini CLI records each session under ``~/.gemini/tmp/<project-id>/chats/``:

- current files, ``session-<YYYY-MM-DDTHH-MM>-<id8>.jsonl`` (subagents:
  ``chats/<parentSessionId>/<id>.jsonl``): a metadata line
  ``{sessionId, projectHash, startTime, lastUpdated, kind}``, then
  MessageRecords ``{id, timestamp, type, content, ...}``, ``{"$set": {...}}``
  metadata patches and ``{"$rewindTo": "<id>"}`` rewinds;
- legacy files, ``session-....json``: one JSON document
  ``{sessionId, projectHash, startTime, lastUpdated, messages: [...]}``.

The conversation is rebuilt the way ``loadConversationRecord`` does: a record
is re-appended whenever it changes and the last write for an ``id`` wins (in
the position of its first write); ``$rewindTo`` drops that message and every
later one (all of them when the id is unknown); a ``$set`` carrying
``messages`` is a checkpoint that replaces the whole history.

Compaction: the JSONL has no dedicated record, but ``/compress`` (and automatic
compression) replaces the history by a ``<state_snapshot>`` summary as a user
turn, a fixed model acknowledgement and the kept tail, and the recorder writes
that as a ``$set.messages`` checkpoint. A checkpoint that brings in a new user
message holding ``<state_snapshot>`` therefore ends a segment, as pi's
``compaction`` entry does.

What one session yields, in order: per segment a ``task`` episode, then the
``compact_summary`` episode of the compaction that ended it (paired, both or
neither), then one ``turn`` episode per user request. Problems go to
``on_problem`` as ``jsonio.LineProblem`` (corrupt lines, an unfinished last
line, unusable task segments).
"""
# Gemini CLI chat recording: google-gemini/gemini-cli:packages/core/src/services/chatRecordingService.ts,
# packages/core/src/services/chatRecordingTypes.ts, packages/core/src/utils/sessionUtils.ts
# (convertSessionToClientHistory: what a resumed session sends to the model) and
# packages/core/src/context/chatCompressionService.ts (the compressed history); see
# shared/formats/harness-sessions.md section 4.
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

from ... import jsonio
from ...records import episode as ep
from ...records.normalize import parse_time
from .base import NOT_USABLE, TRUNCATED_LAST_LINE, json_lines, never, nothing_to_skip, why_not_usable

NAME = "gemini-cli"
# ${GEMINI_CLI_HOME:-~}/.gemini/tmp/<project-id>/chats/ (GEMINI_CLI_HOME replaces the home
# directory: packages/core/src/utils/paths.ts homedir()); subagent sessions sit one level
# deeper, in chats/<parentSessionId>/. The caller expands ``~`` and the glob.
DEFAULT_DIRS: Tuple[str, ...] = ("~/.gemini/tmp/*/chats",)


def default_dirs(env) -> Tuple[str, ...]:
    """``$GEMINI_CLI_HOME/.gemini/tmp/*/chats`` when that is set (it stands in for the home folder)."""
    base = env.get("GEMINI_CLI_HOME")
    return (os.path.join(base, ".gemini", "tmp", "*", "chats"),) if base else DEFAULT_DIRS

sniff_path = never
skip_reason = nothing_to_skip

PROVIDER = "google"  # Gemini CLI talks only to Google's Gemini API (AI Studio, Vertex, Code Assist).

# TokensSummary (chatRecordingTypes.ts) -> episode usage keys.
_USAGE_KEYS = (
    ("input", "input_tokens"),
    ("output", "output_tokens"),
    ("cached", "cache_read_tokens"),
    ("thoughts", "reasoning_tokens"),
    ("tool", "tool_tokens"),
    ("total", "total_tokens"),
)

# chatCompressionService.ts: the summary turn holds a <state_snapshot>, and the model's
# turn after it is this fixed acknowledgement (not model output, so it is dropped).
_SNAPSHOT_TAG = "<state_snapshot>"
_COMPRESSION_ACK = "Got it. Thanks for the additional context!"

# A pretty-printed legacy session: its first key lines, as JSON.stringify(record, null, 2) writes them.
_LEGACY_KEY = re.compile(r'^\s{1,8}"(sessionId|projectHash)"\s*:\s*"')


def sniff(head: List[str]) -> bool:
    """True for a JSONL session's metadata line or the start of a legacy single-JSON session."""
    lines = [line.lstrip("\ufeff").strip() for line in head]
    lines = [line for line in lines if line]
    if not lines:
        return False
    if lines[0] == "{":
        keys = {m.group(1) for m in (_LEGACY_KEY.match(line) for line in head) if m}
        return keys == {"sessionId", "projectHash"}
    value, problem = jsonio.parse_json_text(lines[0])
    return (
        problem is None
        and isinstance(value, dict)
        and isinstance(value.get("sessionId"), str)
        and isinstance(value.get("projectHash"), str)
        and "type" not in value  # pi, Claude Code and Codex lines all carry a type
    )


# --- reading records --------------------------------------------------------------------


@dataclass
class _Segment:
    """The history between two compactions, as it stood when the segment ended."""

    records: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    carried: Set[str] = field(default_factory=set)  # ids brought in by the checkpoint that opened it
    summary_id: Optional[str] = None
    ack_id: Optional[str] = None
    kept_from_before: Set[str] = field(default_factory=set)  # ids of the previous segment it kept
    summary: str = ""  # the compaction summary that opened it, and when it was written
    summary_time: Optional[dt.datetime] = None


def _records(path: str, on_problem: Callable[[jsonio.LineProblem], None]) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """``(line, record)`` pairs of a JSONL session (streamed), or of a legacy single-JSON session."""
    with open(path, "rb") as fp:
        skipped = 0
        for raw in fp:
            if raw.lstrip(jsonio.BOM).strip():
                break
            skipped += 1
        else:
            raw = b""
        if raw.lstrip(jsonio.BOM).strip() == b"{":
            # Legacy session-*.json: pretty-printed, so never valid line by line; small, read whole.
            yield from _legacy_document(raw + fp.read(), skipped + 1, path, on_problem)
            return
        fp.seek(0)
        yield from json_lines(fp, path, on_problem)


def _legacy_document(
    data: bytes, first_line: int, path: str, on_problem: Callable[[jsonio.LineProblem], None]
) -> Iterator[Tuple[int, Dict[str, Any]]]:
    try:
        value, problem = jsonio.parse_json_text(data.lstrip(jsonio.BOM).decode("utf-8"))
    except UnicodeDecodeError:
        value, problem = None, (jsonio.INVALID_UTF8, "invalid UTF-8 (save the file as UTF-8)")
    if problem is None and not isinstance(value, dict):
        problem = (jsonio.NOT_AN_OBJECT, "expected a JSON object")
    if problem is not None:
        line, message = first_line, problem[1]
        if problem[0] == jsonio.INVALID_JSON:
            line, message = _json_error_position(data.lstrip(jsonio.BOM).decode("utf-8", "replace"), line, message)
        on_problem(jsonio.LineProblem(path, line, problem[0], message))
        return
    yield first_line, value


def _json_error_position(text: str, line: int, message: str) -> Tuple[int, str]:
    """Line and column of a multi-line document's JSON error (jsonio reports a column only)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return line - 1 + error.lineno, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
    except ValueError:
        pass
    return line, message


def _is_message(record: Dict[str, Any]) -> bool:
    return isinstance(record.get("id"), str)


def _read_segments(path: str, on_problem: Callable[[jsonio.LineProblem], None]) -> Tuple[Dict[str, Any], List[_Segment]]:
    metadata: Dict[str, Any] = {}
    segments = [_Segment()]

    def checkpoint(messages: List[Any]) -> None:
        current = segments[-1]
        fresh = {m["id"]: m for m in messages if isinstance(m, dict) and _is_message(m)}
        summary_id = next(
            (i for i, m in fresh.items() if i not in current.records and m.get("type") == "user"
             and _SNAPSHOT_TAG in _plain_text(m.get("content"))),
            None,
        )
        if summary_id is None:
            # A rollback, masking or resume sync: the history is simply replaced.
            current.records = fresh
            return
        before = {_content_key(m): i for i, m in current.records.items()}
        kept = set()
        for i, m in fresh.items():
            if i in current.records:
                kept.add(i)
            elif _content_key(m) in before:  # re-wrapped turns may come back with new ids
                kept.add(before[_content_key(m)])
        ids = list(fresh)
        after = ids[ids.index(summary_id) + 1] if ids.index(summary_id) + 1 < len(ids) else None
        ack_id = after if after is not None and _plain_text(fresh[after].get("content")).strip() == _COMPRESSION_ACK else None
        summary = fresh[summary_id]
        segments.append(
            _Segment(fresh, set(fresh), summary_id, ack_id, kept, _plain_text(summary.get("content")), parse_time(summary.get("timestamp")))
        )

    for _line, record in _records(path, on_problem):
        if isinstance(record.get("$rewindTo"), str):
            records = segments[-1].records
            target = record["$rewindTo"]
            if target in records:
                ids = list(records)
                for i in ids[ids.index(target):]:
                    del records[i]
            else:
                records.clear()  # loadConversationRecord clears everything for an unknown id
        elif _is_message(record):
            segments[-1].records[record["id"]] = record
        elif isinstance(record.get("$set"), dict):
            patch = record["$set"]
            if isinstance(patch.get("messages"), list):
                checkpoint(patch["messages"])
            metadata.update({k: v for k, v in patch.items() if k != "messages"})
        elif isinstance(record.get("sessionId"), str):
            # The metadata line, or a whole legacy record (which carries its messages).
            metadata.update({k: v for k, v in record.items() if k != "messages"})
            for message in record.get("messages") or []:
                if isinstance(message, dict) and _is_message(message):
                    segments[-1].records[message["id"]] = message
    return metadata, segments


# --- records to messages ----------------------------------------------------------------


def _parts(content: Any) -> List[Any]:
    if isinstance(content, list):
        return [{"text": p} if isinstance(p, str) else p for p in content]
    if isinstance(content, (str, dict)):
        return [{"text": content} if isinstance(content, str) else content]
    return []


def _part_marker(part: Dict[str, Any]) -> str:
    """partToString(verbose) in packages/core/src/utils/partUtils.ts: a marker, never inline data."""
    if isinstance(part.get("inlineData"), dict):
        mime = part["inlineData"].get("mimeType") or "unknown"
        category = next((c for p, c in (("audio/", "Audio"), ("video/", "Video"), ("image/", "Image")) if str(mime).startswith(p)), "Media")
        return f"[{category}: {mime}]"
    if "fileData" in part:
        return "[File Data]"
    if "executableCode" in part:
        return "[Executable Code]"
    if "codeExecutionResult" in part:
        return "[Code Execution Result]"
    return ""


def _plain_text(content: Any) -> str:
    """The visible text of a PartListUnion: text parts (not thoughts) and markers for media."""
    out = []
    for part in _parts(content):
        if not isinstance(part, dict) or "functionCall" in part or "functionResponse" in part:
            continue
        if isinstance(part.get("text"), str):
            if not part.get("thought"):
                out.append(part["text"])
        else:
            out.append(_part_marker(part))
    return "".join(out)


def _content_key(record: Dict[str, Any]) -> str:
    return json.dumps([record.get("type"), record.get("content")], sort_keys=True, ensure_ascii=False)


def _is_ignored_user_text(text: str) -> bool:
    # isIgnoredUserContent (packages/core/src/utils/sessionUtils.ts): slash commands, help and
    # injected context are not sent to the model when a session is resumed.
    text = text.strip()
    return not text or text.startswith(("/", "?", "<session_context>", "<hook_context>"))


def _response_text(response: Any) -> str:
    """A functionResponse's ``response``: its ``output``, else its ``error``, else the JSON."""
    if isinstance(response, dict):
        for key in ("output", "error"):
            if isinstance(response.get(key), str):
                return response[key]
        if set(response) == {"content"} and isinstance(response["content"], str):
            return response["content"]
    if isinstance(response, str):
        return response
    return json.dumps(response, ensure_ascii=False)


def _tool_messages(result: Any, call_id: str, name: Optional[str], when: Optional[dt.datetime]) -> List[ep.Message]:
    """Tool messages for a functionResponse list (a string result is the output itself)."""
    if isinstance(result, str):
        return [ep.Message("tool", result, tool_call_id=call_id, name=name, timestamp=when)]
    out: List[ep.Message] = []
    extra: List[str] = []
    for part in _parts(result):
        if not isinstance(part, dict):
            continue
        response = part.get("functionResponse")
        if isinstance(response, dict):
            rid = response.get("id") if isinstance(response.get("id"), str) and response.get("id") else call_id
            rname = response.get("name") if isinstance(response.get("name"), str) else name
            out.append(ep.Message("tool", _response_text(response.get("response")), tool_call_id=rid, name=rname, timestamp=when))
        else:
            text = part["text"] if isinstance(part.get("text"), str) else _part_marker(part)
            if text:
                extra.append(text)
    if extra:
        # Sibling parts (media the tool returned) belong to the last response.
        if out:
            last = out[-1]
            out[-1] = ep.Message("tool", "\n".join([last.content] + extra), tool_call_id=last.tool_call_id, name=last.name, timestamp=when)
        else:
            out.append(ep.Message("tool", "\n".join(extra), tool_call_id=call_id, name=name, timestamp=when))
    return out


def _usage(raw: Any) -> Tuple[Tuple[str, int], ...]:
    return ep.usage_counts(raw, _USAGE_KEYS)


def _gemini(record: Dict[str, Any], when: Optional[dt.datetime], answered: Set[str]) -> List[ep.Message]:
    """A ``gemini`` record: the assistant message, then the tool results its toolCalls[] embed."""
    parts = _parts(record.get("content"))
    texts: List[str] = []
    thoughts: List[str] = []
    calls: List[ep.ToolCall] = []
    in_content = any(isinstance(p, dict) and isinstance(p.get("functionCall"), dict) for p in parts)
    for part in parts:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("functionCall"), dict):
            call = part["functionCall"]
            name = call.get("name") if isinstance(call.get("name"), str) else ""
            call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else f"call_{len(calls)}"
            if name:
                calls.append(ep.ToolCall(call_id, name, ep.arguments_json(call.get("args"))))
        elif isinstance(part.get("text"), str):
            (thoughts if part.get("thought") else texts).append(part["text"])
        else:
            texts.append(_part_marker(part))
    for thought in record.get("thoughts") or []:
        # ThoughtSummary {subject, description}, rendered as convertSessionToClientHistory does.
        if isinstance(thought, dict):
            subject, description = thought.get("subject") or "", thought.get("description") or ""
            thoughts.append(f"**{subject}** {description}" if subject else str(description))
    tool_calls = [c for c in record.get("toolCalls") or [] if isinstance(c, dict) and isinstance(c.get("name"), str)]
    stop = None
    if not in_content:
        for call in tool_calls:
            call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else f"call_{len(calls)}"
            calls.append(ep.ToolCall(call_id, call["name"], ep.arguments_json(call.get("args"))))
    if any(c.get("status") == "cancelled" for c in tool_calls):
        stop = "cancelled"
    text, reasoning = ep.split_reasoning(texts, thoughts)
    if not text and not calls:
        return []  # thought-only or empty turns (e.g. the synthetic "Binary content received") say nothing
    model = record.get("model") if isinstance(record.get("model"), str) and record.get("model") else None
    out = [
        ep.Message(
            "assistant", text, tool_calls=tuple(calls), reasoning=reasoning, timestamp=when,
            model=model, provider=PROVIDER if model else None, usage=_usage(record.get("tokens")), stop_reason=stop,
        )
    ]
    # ToolCallRecord.result: Part[] of functionResponse{id, name, response{output|error}}, or a string.
    for index, call in enumerate(tool_calls):
        call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else f"call_{index}"
        if call.get("result") is None or call_id in answered:
            continue
        for message in _tool_messages(call["result"], call_id, call["name"], parse_time(call.get("timestamp")) or when):
            if message.tool_call_id not in answered:
                answered.add(message.tool_call_id or "")
                out.append(message)
    return out


def _convert(records: List[Dict[str, Any]], summary_id: Optional[str], ack_id: Optional[str]) -> List[Tuple[str, bool, List[ep.Message]]]:
    """Per record: (id, is a user request, its messages), in history order."""
    out: List[Tuple[str, bool, List[ep.Message]]] = []
    answered: Set[str] = set()
    last_assistant: Optional[Tuple[int, int]] = None  # (index in out, index in its messages)
    for record in records:
        rid, kind = record["id"], record.get("type")
        when = parse_time(record.get("timestamp"))
        messages: List[ep.Message] = []
        request = False
        if rid == summary_id:
            messages = [ep.compaction_summary_message(_plain_text(record.get("content")), when)]
        elif rid == ack_id:
            pass
        elif kind == "user":
            parts = _parts(record.get("content"))
            responses = [p for p in parts if isinstance(p, dict) and isinstance(p.get("functionResponse"), dict)]
            if responses:
                # Newer recordings store tool results as their own user-type record.
                for message in _tool_messages(parts, "", None, when):
                    if message.tool_call_id not in answered:
                        answered.add(message.tool_call_id or "")
                        messages.append(message)
            else:
                text = _plain_text(parts)
                if not _is_ignored_user_text(text):
                    messages = [ep.Message("user", text, timestamp=when)]
                    request = True
                    last_assistant = None
        elif kind == "gemini":
            messages = _gemini(record, when, answered)
            if messages:
                last_assistant = (len(out), 0)
        elif kind == "error" and last_assistant is not None:
            # An error shown after the model's turn (API error, failed loop) ends that turn badly.
            at, index = last_assistant
            out[at][2][index] = dataclasses.replace(out[at][2][index], stop_reason="error")
        # info and warning records are UI notices; they never reach the model.
        out.append((rid, request, messages))
    return out


# --- episodes ---------------------------------------------------------------------------


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
) -> Iterator[ep.Episode]:
    """Yield the usable episodes of one chat recording; problems go to ``on_problem``."""
    metadata, segments = _read_segments(path, on_problem)
    session_id = metadata.get("sessionId") if isinstance(metadata.get("sessionId"), str) else None
    session_id = session_id or os.path.splitext(os.path.basename(path))[0]
    # Gemini CLI records no folder, only projectHash = sha256 of the project root
    # (packages/core/src/utils/paths.ts getProjectHash); scoping compares hashes.
    project_hash = metadata.get("projectHash") if isinstance(metadata.get("projectHash"), str) else None

    def build(kind: str, segment: int, chat: List[ep.Message], own: Optional[List[ep.Message]] = None) -> Optional[ep.Episode]:
        episode = ep.build_episode(kind, NAME, session_id, segment, chat, own=own, keep_reasoning=keep_reasoning)
        if episode is not None:
            episode.project_id = project_hash
        return episode

    converted = [_convert(list(s.records.values()), s.summary_id, s.ack_id) for s in segments]
    turns: List[List[ep.Message]] = []
    for number, (segment, rows) in enumerate(zip(segments, converted)):
        chat = [m for _, _, messages in rows for m in messages]
        own_rows = [row for row in rows if row[0] not in segment.carried]
        own = [m for _, _, messages in own_rows for m in messages]
        task = build("task", number, chat, own)
        if task is None:
            on_problem(jsonio.LineProblem(path, 1, NOT_USABLE, f"task segment {number} is not usable: {why_not_usable(chat)}"))
        else:
            summary_episode = None
            if number + 1 < len(segments):
                following = segments[number + 1]
                summarized = [m for rid, _, messages in rows if rid not in following.kept_from_before for m in messages]
                prompt = ep.compact_summary_messages(summarized, following.summary)
                if prompt is not None:
                    summary_episode = build("compact_summary", number, prompt, [])
                    if summary_episode is not None:
                        summary_episode.started_at = summary_episode.ended_at = following.summary_time
                        ep.pair(task, summary_episode)
            yield task
            if summary_episode is not None:
                yield summary_episode
        # Turns: each user request in this segment's own records; back-to-back requests are one turn.
        previous_was_request = False
        for _, request, messages in own_rows:
            if not messages:
                continue
            if request and not previous_was_request:
                turns.append([])
            if turns:
                turns[-1].extend(m for m in messages if not m.summary)
            previous_was_request = request
    for number, chat in enumerate(turns):
        episode = build("turn", number, chat)
        if episode is not None:
            yield episode

