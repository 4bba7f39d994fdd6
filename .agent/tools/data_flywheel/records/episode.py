"""The episode model: one chat-completions trajectory harvested from a harness session.

Harness readers turn their entries into ``Message`` objects (a chat message
plus the metadata an episode needs: time, model, usage, stop reason); the
small functions here apply the conversion rules every harness shares, and
``build_episode`` assembles a checked ``Episode`` whose ``to_record()`` is
valid under ``schemas/episode.schema.json``.

The rules (from the harvest issue):

- thinking/reasoning is never in ``content``; it is ``reasoning_content``
  only when the caller asks to keep it;
- a compaction summary inside the history becomes a user message wrapped as
  ``COMPACTION_SUMMARY_PREFIX + summary + COMPACTION_SUMMARY_SUFFIX``;
- the ``developer`` role becomes ``system``;
- trailing user and system messages are trimmed, but not the tool results
  that answer the last assistant turn (a compaction in the middle of a tool
  loop comes right after one, and it is the model's input for what follows);
- an episode is usable only with at least one user and one assistant message;
- ``content`` is always a string (``""`` on a tool-call-only assistant turn)
  and tool-call ``arguments`` a JSON string;
- a tool call without a result is kept and counted in ``unanswered_tool_calls``.

Nothing here redacts: redaction is a later layer. Everything here is pure.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from .normalize import hashed_id, iso_z

KINDS = ("task", "compact_summary", "turn")
OUTCOMES = ("completed", "failed", "aborted")

# The wording pi puts around a summary when it rebuilds the context
# (badlogic/pi-mono:packages/coding-agent/src/core/messages.ts); the issue
# asks for the same wrapping for every harness.
COMPACTION_SUMMARY_PREFIX = (
    "The conversation history before this point was compacted into the following summary:\n\n<summary>\n"
)
COMPACTION_SUMMARY_SUFFIX = "\n</summary>"
BRANCH_SUMMARY_PREFIX = "The following is a summary of a branch that this conversation came back from:\n\n<summary>\n"
BRANCH_SUMMARY_SUFFIX = "\n</summary>"

# The prompt of a compact_summary episode ends with this instruction, after
# the conversation that was compacted. Shortened from pi's SUMMARIZATION_PROMPT
# (badlogic/pi-mono:packages/coding-agent/src/core/compaction/compaction.ts):
# the harness's exact instruction is not stored in the session, so one fixed
# wording keeps the rows consistent across harnesses.
SUMMARIZATION_INSTRUCTION = (
    "The messages above are a conversation to summarize. Create a structured context checkpoint "
    "summary that another LLM will use to continue the work: the goal, constraints and preferences, "
    "progress (done, in progress, blocked), key decisions, next steps and critical context. "
    "Preserve exact file paths, function names, and error messages."
)

# Stop reasons that end a trajectory badly; anything else is "completed".
_FAILED_STOPS = frozenset({"error", "failed", "failure", "refusal"})
_ABORTED_STOPS = frozenset({"aborted", "cancelled", "canceled", "interrupted"})


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as chat-completions carries it

    def to_record(self) -> Dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass(frozen=True)
class Message:
    """One chat message and what the episode needs from it; ``summary`` marks injected summaries."""

    role: str
    content: str = ""
    tool_calls: Tuple[ToolCall, ...] = ()
    tool_call_id: Optional[str] = None
    name: Optional[str] = None
    reasoning: str = ""
    timestamp: Optional[dt.datetime] = None
    model: Optional[str] = None
    provider: Optional[str] = None
    usage: Tuple[Tuple[str, int], ...] = ()
    stop_reason: Optional[str] = None
    summary: bool = False

    def to_record(self, keep_reasoning: bool = False) -> Dict[str, Any]:
        record: Dict[str, Any] = {"role": self.role, "content": self.content}
        if self.role == "assistant":
            if self.tool_calls:
                record["tool_calls"] = [call.to_record() for call in self.tool_calls]
            if keep_reasoning and self.reasoning:
                record["reasoning_content"] = self.reasoning
        if self.role == "tool":
            record["tool_call_id"] = self.tool_call_id or ""
            if self.name:
                record["name"] = self.name
        return record


# --- conversion rules, one small function each -------------------------------------------


def text_of(content: Any) -> str:
    """Text of a string or a list of content parts (pi, Claude Code); images become a marker, never inline data."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text" and isinstance(part.get("text"), str):
            parts.append(part["text"])
        elif part.get("type") == "image":
            parts.append("[image]")
    return "\n".join(parts)


def usage_counts(raw: Any, key_pairs: Iterable[Tuple[str, str]]) -> Tuple[Tuple[str, int], ...]:
    """``(our key, count)`` for each ``(harness key, our key)`` whose value is a non-negative integer."""
    if not isinstance(raw, dict):
        return ()
    out = []
    for source_key, key in key_pairs:
        value = raw.get(source_key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out.append((key, value))
    return tuple(out)


def normalize_role(role: str) -> str:
    """``developer`` is the newer name for ``system``; chat templates know only ``system``."""
    return "system" if role == "developer" else role


def arguments_json(arguments: Any) -> str:
    """Tool-call arguments as the JSON string chat-completions expects; a string is kept as it is."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps({} if arguments is None else arguments, ensure_ascii=False)


def split_reasoning(text_parts: Iterable[str], reasoning_parts: Iterable[str]) -> Tuple[str, str]:
    """Visible text and reasoning, each joined; reasoning never leaks into the content."""
    return "\n".join(p for p in text_parts if p), "\n".join(p for p in reasoning_parts if p)


def compaction_summary_message(summary: str, timestamp: Optional[dt.datetime] = None) -> Message:
    return Message(
        "user", COMPACTION_SUMMARY_PREFIX + summary + COMPACTION_SUMMARY_SUFFIX, timestamp=timestamp, summary=True
    )


def branch_summary_message(summary: str, timestamp: Optional[dt.datetime] = None) -> Message:
    return Message("user", BRANCH_SUMMARY_PREFIX + summary + BRANCH_SUMMARY_SUFFIX, timestamp=timestamp, summary=True)


def trim_trailing(messages: Sequence[Message]) -> List[Message]:
    """Drop what follows the model's last turn, except the tool results that answer it.

    A trailing user request with no answer teaches nothing; a trailing tool
    result is what the model saw before a compaction cut the loop, and losing
    it loses the evidence the summary was written from.
    """
    end = len(messages)
    while end and messages[end - 1].role not in ("assistant", "tool"):
        end -= 1
    while end and messages[end - 1].role == "tool" and not _answers_earlier(messages, end - 1):
        end -= 1
    return list(messages[:end])


def _answers_earlier(messages: Sequence[Message], index: int) -> bool:
    """True when a tool message answers a call of an assistant message before it."""
    wanted = messages[index].tool_call_id
    return any(call.id == wanted for m in messages[:index] if m.role == "assistant" for call in m.tool_calls)


def is_usable(messages: Sequence[Message], *, continuation: bool = False) -> bool:
    """A user and an assistant message; a ``continuation`` (the file picks up a session
    mid-way, its request in an earlier file) needs only the assistant's work."""
    roles = {message.role for message in messages}
    return "assistant" in roles and ("user" in roles or continuation)


def unanswered_tool_calls(messages: Sequence[Message]) -> int:
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    return sum(1 for m in messages for call in m.tool_calls if call.id not in answered)


def message_outcome(message: Message) -> str:
    """``failed``, ``aborted`` or ``completed``, from one assistant message's stop reason."""
    reason = (message.stop_reason or "").lower()
    if reason in _FAILED_STOPS:
        return "failed"
    if reason in _ABORTED_STOPS:
        return "aborted"
    return "completed"


def outcome(messages: Sequence[Message]) -> str:
    """From the last assistant message's stop reason: failed and aborted runs are kept, labelled."""
    for message in reversed(messages):
        if message.role == "assistant":
            return message_outcome(message)
    return "completed"


def total_usage(messages: Iterable[Message]) -> Dict[str, int]:
    totals: Dict[str, int] = {}
    for message in messages:
        for key, value in message.usage:
            totals[key] = totals.get(key, 0) + value
    return totals


def tools_seen(messages: Iterable[Message], defined: Sequence[Dict[str, Any]] = ()) -> List[Dict[str, Any]]:
    """The tool definitions a session brought (ATIF's ``agent.tool_definitions``), then every
    other tool the trajectory called, by name only, in first-use order (most harnesses store no schemas)."""
    names: Dict[str, None] = {spec["function"]["name"]: None for spec in defined}
    tools = list(defined)
    for message in messages:
        for call in message.tool_calls:
            if call.name not in names:
                names[call.name] = None
                tools.append({"type": "function", "function": {"name": call.name}})
    return tools


def episode_id(session_hash: str, kind: str, segment: int) -> str:
    digest = hashlib.sha256(f"{session_hash}\x00{kind}\x00{segment}".encode("utf-8")).hexdigest()
    return "ep_" + digest[:32]


def _time(moment: Optional[dt.datetime]) -> Optional[str]:
    return None if moment is None else iso_z(moment)


# --- the episode -----------------------------------------------------------------------


@dataclass
class Episode:
    kind: str
    harness: str
    session_hash: str
    segment: int
    messages: List[Message]
    # The messages this episode produced itself (not carried-over context):
    # they give usage, model and timestamps. Defaults to ``messages``.
    own: Optional[List[Message]] = None
    pair_id: Optional[str] = None
    keep_reasoning: bool = False
    started_at: Optional[dt.datetime] = None
    ended_at: Optional[dt.datetime] = None
    extra_usage: Dict[str, int] = field(default_factory=dict)
    # How many leading messages were carried in from before (system prompt, compaction
    # summary, kept history): the requests this episode answers come after them.
    context_messages: int = 0
    # Where the session ran, for project scoping; never written to the record (it is a
    # path). ``project_id``: Gemini CLI records only a hash of the folder.
    cwd: Optional[str] = None
    project_id: Optional[str] = None
    # Tool definitions the session brought (OpenAI function specs), when it stores them.
    tools: List[Dict[str, Any]] = field(default_factory=list)
    # A subagent's link to the session that launched it (hashed like ``session_hash``) and,
    # when the harness says which, the parent's tool call that launched it. Absent otherwise.
    parent_session_hash: Optional[str] = None
    parent_tool_call_id: Optional[str] = None

    @property
    def id(self) -> str:
        return episode_id(self.session_hash, self.kind, self.segment)

    def to_record(self) -> Dict[str, Any]:
        own = self.messages if self.own is None else self.own
        stamps = [m.timestamp for m in own if m.timestamp is not None]
        assistants = [m for m in own if m.role == "assistant" and m.model]
        last = assistants[-1] if assistants else None
        usage = total_usage(own)
        for key, value in self.extra_usage.items():
            usage[key] = usage.get(key, 0) + value
        started = self.started_at or (min(stamps) if stamps else None)
        ended = self.ended_at or (max(stamps) if stamps else None)
        record: Dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "harness": self.harness,
            "session_hash": self.session_hash,
            "segment": self.segment,
            "pair_id": self.pair_id,
            "messages": [m.to_record(self.keep_reasoning) for m in self.messages],
            "tools": tools_seen(self.messages, self.tools),
            "model": last.model if last else None,
            "provider": last.provider if last else None,
            "usage": usage,
            "started_at": _time(started),
            "ended_at": _time(ended),
            "outcome": outcome(self.messages),
            "unanswered_tool_calls": unanswered_tool_calls(self.messages),
            "context_messages": self.context_messages,
        }
        if self.parent_session_hash is not None:
            record["parent_session_hash"] = self.parent_session_hash
            if self.parent_tool_call_id is not None:
                record["parent_tool_call_id"] = self.parent_tool_call_id
        return record


def build_episode(
    kind: str,
    harness: str,
    session_id: str,
    segment: int,
    messages: Sequence[Message],
    *,
    own: Optional[Sequence[Message]] = None,
    keep_reasoning: bool = False,
    continuation: bool = False,
) -> Optional[Episode]:
    """Apply the shared rules; None when what is left is not a usable episode.

    ``continuation``: the messages start mid-session (a tool result or the
    assistant's work whose request is in an earlier file); kept without a user
    message, so the work before the first compaction is not lost.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown episode kind {kind!r}")
    kept = trim_trailing(messages)
    if not is_usable(kept, continuation=continuation):
        return None
    own_list = None
    carried = 0
    if own is not None:
        # Usage and timestamps come only from the episode's own messages that survived trimming.
        survivors = {id(m) for m in kept}
        own_list = [_with_role(m) for m in own if id(m) in survivors]
        owned = {id(m) for m in own}
        carried = next((i for i, m in enumerate(kept) if id(m) in owned), len(kept))
    kept = [_with_role(m) for m in kept]
    episode = Episode(kind, harness, hashed_id(session_id), segment, kept, own=own_list, keep_reasoning=keep_reasoning)
    episode.context_messages = carried
    return episode


def _with_role(message: Message) -> Message:
    role = normalize_role(message.role)
    if role == message.role:
        return message
    return dataclasses.replace(message, role=role)


def compact_summary_messages(summarized: Sequence[Message], summary: str) -> Optional[List[Message]]:
    """The compaction as a prompt and response; None when nothing but earlier summaries was summarized."""
    if not any(not m.summary for m in summarized):
        return None
    return [*summarized, Message("user", SUMMARIZATION_INSTRUCTION), Message("assistant", summary, stop_reason="stop")]


def pair(task: Episode, summary: Episode) -> None:
    """Link a task episode and its compact_summary: exported both or neither."""
    task.pair_id = summary.id
    summary.pair_id = task.id
