"""pi-coding-agent sessions (and OpenClaw's legacy JSONL, which is the same format) as episodes.

A pi session is one JSONL file: a ``session`` header, then entries. From
version 2 on, entries form a tree through ``id``/``parentId`` (a branch is a
second child of some entry); version 1 files are a plain list. The live
branch is the path from the last entry back to the root, as pi rebuilds it
when it reopens a session. Along that path each ``compaction`` entry starts a
new segment whose context is the summary, the kept messages
(``firstKeptEntryId`` onwards) and what came after.

What one session yields, in order:

- per segment, a ``task`` episode (the context the model worked in);
- after a task episode, the ``compact_summary`` episode of the compaction that
  ended it (prompt: the compacted conversation plus the summarization
  instruction; response: the summary), paired with it both ways. It is left
  out when the task episode is unusable or nothing but an earlier summary was
  compacted (both or neither);
- then one ``turn`` episode per user request on the live branch.

Problems go to ``on_problem`` as ``jsonio.LineProblem``: corrupt lines
(skipped; the session is still read), an unfinished last line
(``truncated_last_line``: a session still being written), a missing header,
and task segments that are not usable (``not_usable``, so they can be counted).

OpenClaw embeds pi's SessionManager and writes the same v3 entries to
``~/.openclaw/agents/<agent>/sessions/<sessionId>.jsonl``; ``openclaw.py``
reuses this reader with another harness name.
"""
# Pi session format: badlogic/pi-mono:packages/coding-agent/docs/session.md and
# badlogic/pi-mono:packages/coding-agent/src/core/session-manager.ts (see
# shared/formats/harness-sessions.md section 3).
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from ... import jsonio
from ...records import episode as ep
from ...records.normalize import parse_time
from .base import NOT_USABLE, TRUNCATED_LAST_LINE, json_lines, never, nothing_to_skip, why_not_usable

NAME = "pi"
# ${PI_CODING_AGENT_DIR:-~/.pi/agent}/sessions/--<cwd>--/<timestamp>_<uuid>.jsonl; the
# caller expands ``~`` and honours PI_CODING_AGENT_DIR.
DEFAULT_DIRS: Tuple[str, ...] = ("~/.pi/agent/sessions",)


def default_dirs(env) -> Tuple[str, ...]:
    """``$PI_CODING_AGENT_DIR/sessions`` when that is set, else ``DEFAULT_DIRS``."""
    base = env.get("PI_CODING_AGENT_DIR")
    return (os.path.join(base, "sessions"),) if base else DEFAULT_DIRS

sniff_path = never
skip_reason = nothing_to_skip

# A reason code beyond the shared ones (base), for the caller's counts.
NO_HEADER = "no_session_header"

# Usage keys in the episode, from pi's AssistantMessage.usage.
_USAGE_KEYS = (
    ("input", "input_tokens"),
    ("output", "output_tokens"),
    ("cacheRead", "cache_read_tokens"),
    ("cacheWrite", "cache_write_tokens"),
    ("totalTokens", "total_tokens"),
)


def sniff(head: List[str]) -> bool:
    """True when the first non-blank line is a pi session header."""
    for line in head:
        text = line.lstrip("\ufeff").strip()
        if not text:
            continue
        header, problem = jsonio.parse_json_text(text)
        return problem is None and isinstance(header, dict) and header.get("type") == "session" and isinstance(
            header.get("id"), str
        )
    return False


# --- reading entries --------------------------------------------------------------------


@dataclass
class _Entry:
    line: int
    id: str
    parent_id: Optional[str]
    data: Dict[str, Any]


def _read_entries(
    fp: Iterable[bytes], source: str, on_problem: Callable[[jsonio.LineProblem], None]
) -> Tuple[Optional[Dict[str, Any]], List[_Entry]]:
    header: Optional[Dict[str, Any]] = None
    version = 1
    # Every parsed line, header included: v1 compactions point into this list by index.
    parsed: List[Optional[_Entry]] = []
    entries: List[_Entry] = []
    for number, value in json_lines(fp, source, on_problem):
        if not parsed and value.get("type") == "session":
            header = value
            version = value.get("version") if isinstance(value.get("version"), int) else 1
            parsed.append(None)
            continue
        if not parsed:
            on_problem(jsonio.LineProblem(source, number, NO_HEADER, "no session header before the first entry"))
            parsed.append(None)
        previous = entries[-1].id if entries else None
        if version >= 2 and isinstance(value.get("id"), str):
            entry = _Entry(number, value["id"], value.get("parentId") if "parentId" in value else previous, value)
        else:
            # v1 (session-manager.ts migrateV1ToV2): a linear list, each entry the child of the one before.
            entry = _Entry(number, f"#{number}", previous, value)
        if value.get("type") == "compaction" and isinstance(value.get("firstKeptEntryIndex"), int):
            index = value["firstKeptEntryIndex"]
            target = parsed[index] if 0 <= index < len(parsed) else None
            value["firstKeptEntryId"] = target.id if target is not None else None
        message = value.get("message")
        if version < 3 and isinstance(message, dict) and message.get("role") == "hookMessage":
            message["role"] = "custom"  # migrateV2ToV3
        parsed.append(entry)
        entries.append(entry)
    return header, entries


def _live_path(entries: List[_Entry]) -> List[_Entry]:
    """Root-to-leaf path ending at the last entry (pi's buildSessionContext with no leaf id).

    A parent that is missing (its line was corrupt) is bridged to the entry just
    before the child in the file, so one bad line does not cut off the history.
    """
    if not entries:
        return []
    by_id = {entry.id: entry for entry in entries}
    position = {id(entry): index for index, entry in enumerate(entries)}
    path: List[_Entry] = []
    seen: Set[str] = set()
    current: Optional[_Entry] = entries[-1]
    while current is not None and current.id not in seen:
        seen.add(current.id)
        path.append(current)
        if current.parent_id is None:
            break
        parent = by_id.get(current.parent_id)
        if parent is None:
            index = position[id(current)]
            parent = entries[index - 1] if index > 0 else None
        current = parent
    path.reverse()
    return path


# --- entries to messages ----------------------------------------------------------------


def _timestamp(entry: Dict[str, Any], message: Optional[Dict[str, Any]] = None) -> Optional[dt.datetime]:
    moment = parse_time(entry.get("timestamp"))
    if moment is None and message is not None:
        millis = jsonio.finite_number(message.get("timestamp"))
        if millis is not None:
            try:
                moment = dt.datetime.fromtimestamp(millis / 1000, tz=dt.timezone.utc)
            except (OverflowError, OSError, ValueError):
                moment = None
    return moment


def _usage(raw: Any) -> Tuple[Tuple[str, int], ...]:
    return ep.usage_counts(raw, _USAGE_KEYS)


def _assistant(message: Dict[str, Any], when: Optional[dt.datetime]) -> ep.Message:
    texts: List[str] = []
    thoughts: List[str] = []
    calls: List[ep.ToolCall] = []
    content = message.get("content")
    for block in content if isinstance(content, list) else [{"type": "text", "text": content}]:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            thoughts.append(block["thinking"])
        elif kind == "toolCall" and isinstance(block.get("name"), str) and block["name"]:
            call_id = block.get("id") if isinstance(block.get("id"), str) and block.get("id") else None
            calls.append(ep.ToolCall(call_id or f"call_{len(calls)}", block["name"], ep.arguments_json(block.get("arguments"))))
    text, reasoning = ep.split_reasoning(texts, thoughts)
    return ep.Message(
        "assistant",
        text,
        tool_calls=tuple(calls),
        reasoning=reasoning,
        timestamp=when,
        model=message.get("model") if isinstance(message.get("model"), str) else None,
        provider=message.get("provider") if isinstance(message.get("provider"), str) else None,
        usage=_usage(message.get("usage")),
        stop_reason=message.get("stopReason") if isinstance(message.get("stopReason"), str) else None,
    )


def _bash_text(message: Dict[str, Any]) -> str:
    # bashExecutionToText in badlogic/pi-mono:packages/coding-agent/src/core/messages.ts
    text = f"Ran `{message.get('command', '')}`\n"
    output = message.get("output")
    text += f"```\n{output}\n```" if output else "(no output)"
    code = message.get("exitCode")
    if message.get("cancelled"):
        text += "\n\n(command cancelled)"
    elif isinstance(code, int) and code != 0:
        text += f"\n\nCommand exited with code {code}"
    return text


def _message(entry: Dict[str, Any]) -> Optional[ep.Message]:
    """The chat message an entry contributes to the model's context, or None (pi's convertToLlm)."""
    kind = entry.get("type")
    if kind == "custom_message":
        return ep.Message("user", ep.text_of(entry.get("content")), timestamp=_timestamp(entry))
    if kind == "branch_summary" and isinstance(entry.get("summary"), str) and entry["summary"]:
        return ep.branch_summary_message(entry["summary"], _timestamp(entry))
    message = entry.get("message")
    if kind != "message" or not isinstance(message, dict):
        return None
    when = _timestamp(entry, message)
    role = message.get("role")
    if role == "user" or role == "custom" or role in ("system", "developer"):
        return ep.Message("user" if role == "custom" else role, ep.text_of(message.get("content")), timestamp=when)
    if role == "assistant":
        return _assistant(message, when)
    if role == "toolResult":
        name = message.get("toolName") if isinstance(message.get("toolName"), str) else None
        call_id = message.get("toolCallId") if isinstance(message.get("toolCallId"), str) else ""
        return ep.Message("tool", ep.text_of(message.get("content")), tool_call_id=call_id, name=name, timestamp=when)
    if role == "bashExecution":
        if message.get("excludeFromContext"):
            return None
        return ep.Message("user", _bash_text(message), timestamp=when)
    if role == "compactionSummary" and isinstance(message.get("summary"), str):
        return ep.compaction_summary_message(message["summary"], when)
    if role == "branchSummary" and isinstance(message.get("summary"), str):
        return ep.branch_summary_message(message["summary"], when)
    return None


# --- segments and episodes --------------------------------------------------------------


def _is_request(entry: Dict[str, Any]) -> bool:
    message = entry.get("message")
    return entry.get("type") == "message" and isinstance(message, dict) and message.get("role") == "user"


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
    harness: str = NAME,
) -> Iterator[ep.Episode]:
    """Yield the usable episodes of one session file; problems go to ``on_problem``."""
    with open(path, "rb") as fp:
        header, entries = _read_entries(fp, path, on_problem)
    fallback_id = os.path.splitext(os.path.basename(path))[0]
    return episodes_from_entries(header, entries, path, on_problem, fallback_id, keep_reasoning=keep_reasoning, harness=harness)


def read_lines(
    lines: Iterable[bytes],
    source: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    fallback_id: str,
    *,
    keep_reasoning: bool = False,
    harness: str = NAME,
) -> Iterator[ep.Episode]:
    """Episodes from pi entries that arrive as JSON lines from elsewhere (OpenClaw's SQLite rows)."""
    header, entries = _read_entries(lines, source, on_problem)
    return episodes_from_entries(header, entries, source, on_problem, fallback_id, keep_reasoning=keep_reasoning, harness=harness)


def episodes_from_entries(
    header: Optional[Dict[str, Any]],
    entries: List[_Entry],
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    fallback_id: str,
    *,
    keep_reasoning: bool,
    harness: str,
) -> Iterator[ep.Episode]:
    session_id = header["id"] if header and isinstance(header.get("id"), str) else fallback_id
    cwd = header.get("cwd") if header and isinstance(header.get("cwd"), str) else None
    path_entries = _live_path(entries)
    messages: Dict[int, ep.Message] = {}
    for index, entry in enumerate(path_entries):
        message = _message(entry.data)
        if message is not None:
            messages[index] = message
    compactions = [i for i, entry in enumerate(path_entries) if entry.data.get("type") == "compaction"]
    bounds = compactions + [len(path_entries)]

    def build(kind: str, segment: int, chat: List[ep.Message], own: Optional[List[ep.Message]] = None) -> Optional[ep.Episode]:
        episode = ep.build_episode(kind, harness, session_id, segment, chat, own=own, keep_reasoning=keep_reasoning)
        if episode is not None:
            episode.cwd = cwd
        return episode

    def first_kept(compaction_at: int) -> int:
        wanted = path_entries[compaction_at].data.get("firstKeptEntryId")
        for i in range(compaction_at):
            if path_entries[i].id == wanted:
                return i
        return compaction_at

    # Each segment's context as (path index, message); a summary sits at its compaction's index.
    contexts: List[List[Tuple[int, ep.Message]]] = []
    owns: List[List[ep.Message]] = []
    for segment, end in enumerate(bounds):
        if segment == 0:
            context = [(i, messages[i]) for i in range(end) if i in messages]
            own = [m for _, m in context]
        else:
            start = compactions[segment - 1]
            data = path_entries[start].data
            summary = ep.compaction_summary_message(str(data.get("summary") or ""), _timestamp(data))
            kept = [(i, messages[i]) for i in range(first_kept(start), start) if i in messages]
            after = [(i, messages[i]) for i in range(start + 1, end) if i in messages]
            context = [(start, summary)] + kept + after
            own = [m for _, m in after]
        contexts.append(context)
        owns.append(own)

    for segment, context in enumerate(contexts):
        task = build("task", segment, [m for _, m in context], owns[segment])
        if task is None:
            first = path_entries[bounds[segment - 1]].line if segment and path_entries else 1
            on_problem(jsonio.LineProblem(path, first, NOT_USABLE, f"task segment {segment} is not usable: {why_not_usable([m for _, m in context])}"))
            continue
        summary_episode = None
        if segment < len(compactions):
            compaction_at = compactions[segment]
            keep_from = first_kept(compaction_at)
            summarized = [m for i, m in context if i in compactions or not keep_from <= i < compaction_at]
            data = path_entries[compaction_at].data
            chat = ep.compact_summary_messages(summarized, str(data.get("summary") or ""))
            if chat is not None:
                summary_episode = build("compact_summary", segment, chat, [])
                if summary_episode is not None:
                    summary_episode.started_at = summary_episode.ended_at = _timestamp(data)
                    ep.pair(task, summary_episode)
        yield task
        if summary_episode is not None:
            yield summary_episode

    # A turn starts at a user request; requests sent back to back (no answer between) are one turn.
    requests: List[int] = []
    previous_was_request = False
    for i in sorted(messages):
        is_request = _is_request(path_entries[i].data)
        if is_request and not previous_was_request:
            requests.append(i)
        previous_was_request = is_request
    for turn, start in enumerate(requests):
        end = requests[turn + 1] if turn + 1 < len(requests) else len(path_entries)
        chat = [messages[i] for i in range(start, end) if i in messages and not messages[i].summary]
        episode = build("turn", turn, chat)
        if episode is not None:
            yield episode

