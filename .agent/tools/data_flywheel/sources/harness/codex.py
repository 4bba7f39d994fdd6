"""OpenAI Codex CLI rollouts as episodes.

A Codex session is one rollout file,
``${CODEX_HOME:-~/.codex}/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl``
(archived ones under ``archived_sessions/``). Each line is an envelope
``{"timestamp", "type", "payload"}``: ``session_meta`` first, then
``response_item``, ``event_msg``, ``turn_context`` and ``compacted`` lines.
Legacy rollouts (before about 0.40) start with a bare ``{id, timestamp,
instructions, git}`` header followed by ``{"record_type": "state"}`` lines and
bare ResponseItems.

How the reader turns a rollout into chat messages:

- The conversation is written twice, as ``response_item`` records and again as
  ``event_msg`` ``user_message``/``agent_message``. Only the ``response_item``
  copy is read: it is what the model saw, tool calls included. Codex Desktop
  writes some rollouts with no ``response_item`` user message at all; there the
  prompts are read from ``event_msg`` ``user_message`` (else they would be lost).
- ``web_search_call`` (a search Codex runs server-side, with no output item)
  becomes a ``web_search`` tool call whose arguments are its query (and
  ``queries``); having no result, it counts as unanswered.
- One model response (``reasoning``, ``message``, ``function_call``,
  ``custom_tool_call``, ``local_shell_call`` items in a row) becomes one
  assistant message; ``function_call_output``/``custom_tool_call_output``
  become tool messages joined to their call by ``call_id``.
- Injected context (``<environment_context>``, ``<user_instructions>``,
  AGENTS.md, permission instructions, ``<turn_aborted>`` notes) is left out;
  other ``developer`` text becomes a system message. The system prompt
  (``session_meta`` ``base_instructions``, older ``instructions``) opens each
  task episode.
- Usage comes from ``event_msg`` ``token_count`` (``last_token_usage``; a
  repeat with the same running total is counted once), the model from
  ``turn_context``, the provider from ``session_meta.model_provider``.
- ``turn_aborted`` marks the turn's last answer aborted; ``thread_rolled_back``
  drops the last ``num_turns`` user turns, as Codex does when it rebuilds the
  history.

Each episode knows the folder the session ran in (``session_meta.cwd``, else the
first ``turn_context.cwd``) for project scoping.

What one session yields, in order: per segment (a ``compacted`` line starts a
new one) a ``task`` episode, then the ``compact_summary`` episode of the
compaction that ended it, paired both ways (both or neither; never when only
earlier summaries were compacted or the summary is empty); then one ``turn``
episode per user request. A segment after a compaction opens with the
``replacement_history`` Codex stored, its summary message rewrapped; without
one (older builds) with the earlier real user messages and the summary, which
is how Codex rebuilt the history then.

``.jsonl.zst`` rollouts cannot be read with the standard library before Python
3.14: ``sniff`` says no, and ``read_session`` reports them as ``skipped``
(``SKIPPED_REASON``) and yields nothing.
"""
# Codex rollout format: openai/codex:codex-rs/protocol/src/protocol.rs (RolloutItem,
# CompactedItem, EventMsg), openai/codex:codex-rs/protocol/src/models.rs (ResponseItem),
# openai/codex:codex-rs/rollout/src/policy.rs (what is persisted),
# openai/codex:codex-rs/rollout/src/compression.rs (.jsonl.zst); see
# shared/formats/harness-sessions.md section 2.
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

from ... import jsonio
from ...records import episode as ep
from ...records.normalize import parse_time
from .base import NOT_USABLE, SKIPPED, TRUNCATED_LAST_LINE, json_lines, never, why_not_usable

NAME = "codex"
# ${CODEX_HOME:-~/.codex}/sessions/YYYY/MM/DD/rollout-*.jsonl and archived_sessions/; the
# caller expands ``~`` and, when CODEX_HOME is set, uses it in place of ``~/.codex``.
HOME_ENV = "CODEX_HOME"
DEFAULT_DIRS: Tuple[str, ...] = ("~/.codex/sessions", "~/.codex/archived_sessions")

# Recent Codex compresses old rollouts (codex-rs/rollout/src/compression.rs); the harvest
# command lists these files as skipped with this reason.
SKIPPED_SUFFIXES: Tuple[str, ...] = (".jsonl.zst",)
SKIPPED_REASON = "zstd-compressed rollout (the standard library reads zstd only from Python 3.14)"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

sniff_path = never

_ENVELOPE_TYPES = frozenset({"session_meta", "response_item", "event_msg", "turn_context", "compacted"})
# ResponseItem payload types (codex-rs/protocol/src/models.rs) a legacy rollout writes bare.
_RESPONSE_ITEM_TYPES = frozenset({
    "message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
    "custom_tool_call_output", "local_shell_call", "web_search_call", "ghost_snapshot", "compaction",
    "compaction_summary", "tool_search_call", "tool_search_output", "image_generation_call",
})
_ASSISTANT_ITEMS = frozenset({"reasoning", "function_call", "custom_tool_call", "local_shell_call"})
_OUTPUT_ITEMS = frozenset({"function_call_output", "custom_tool_call_output"})

# Text Codex injects as user/developer messages (codex-rs/core/src/environment_context.rs,
# user_instructions.rs, event_mapping.rs): context for the model, not a person's request.
_INJECTED_PREFIXES = (
    "<environment_context>",
    "<user_instructions>",
    "# agents.md instructions for ",
    "<permissions instructions>",
    "<turn_aborted>",
)

# The openings of Codex's summarization prompts: codex-rs/core/templates/compact/prompt.md
# (current) and the older memento prompt of codex-rs/core/src/compact.rs.
_COMPACTION_PROMPTS = (
    "you are performing a context checkpoint compaction",
    "you have exceeded the maximum number of tokens",
)

# event_msg token_count usage keys (TokenUsage in protocol.rs) to episode usage keys.
_USAGE_KEYS = (
    ("input_tokens", "input_tokens"),
    ("cached_input_tokens", "cache_read_tokens"),
    ("output_tokens", "output_tokens"),
    ("reasoning_output_tokens", "reasoning_tokens"),
    ("total_tokens", "total_tokens"),
)

_UUID_IN_NAME = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")


def default_dirs(env) -> Tuple[str, ...]:
    """``$CODEX_HOME/sessions`` (and ``archived_sessions``) when that is set, else ``DEFAULT_DIRS``."""
    base = env.get(HOME_ENV)
    if not base:
        return DEFAULT_DIRS
    return (os.path.join(base, "sessions"), os.path.join(base, "archived_sessions"))


def skip_reason(path: str) -> Optional[str]:
    """Why this file cannot be read here (a zstd-compressed rollout), or None."""
    if path.endswith(SKIPPED_SUFFIXES):
        return SKIPPED_REASON
    return None


def sniff(head: List[str]) -> bool:
    """True when the first non-blank line is a Codex ``session_meta`` line or a legacy rollout header."""
    for line in head:
        text = line.lstrip("\ufeff").strip()
        if not text:
            continue
        first, problem = jsonio.parse_json_text(text)
        if problem is not None or not isinstance(first, dict):
            return False  # zstd bytes, or some other format
        return _is_session_meta(first) or _is_legacy_header(first)
    return False


def _is_session_meta(value: Dict[str, Any]) -> bool:
    payload = value.get("payload")
    return value.get("type") == "session_meta" and isinstance(payload, dict) and isinstance(payload.get("id"), str)


def _is_legacy_header(value: Dict[str, Any]) -> bool:
    # Legacy header: {id, timestamp, instructions, git}, with no "type" (pi's and Claude
    # Code's first lines have one; Gemini's metadata has sessionId, not id).
    return (
        "type" not in value
        and isinstance(value.get("id"), str)
        and isinstance(value.get("timestamp"), str)
        and ("instructions" in value or "git" in value)
    )


# --- reading lines ----------------------------------------------------------------------


@dataclass
class _Record:
    line: int
    kind: str  # an envelope type
    payload: Dict[str, Any]
    timestamp: Optional[dt.datetime]


def _read_records(fp: IO[bytes], source: str, on_problem: Callable[[jsonio.LineProblem], None]) -> List[_Record]:
    records: List[_Record] = []
    first = True
    for number, value in json_lines(fp, source, on_problem):
        kind = value.get("type")
        if kind in _ENVELOPE_TYPES and isinstance(value.get("payload"), dict):
            records.append(_Record(number, kind, value["payload"], parse_time(value.get("timestamp"))))
        elif first and _is_legacy_header(value):
            records.append(_Record(number, "session_meta", value, parse_time(value.get("timestamp"))))
        elif kind in _RESPONSE_ITEM_TYPES:
            # A legacy bare ResponseItem: no envelope, no timestamp of its own.
            records.append(_Record(number, "response_item", value, None))
        # Anything else ({"record_type": "state"}, newer envelope types) carries no message.
        first = False
    return records


# --- response items to messages ---------------------------------------------------------


@dataclass
class _Assistant:
    """One model response being assembled; frozen into an ``ep.Message`` at the end."""

    texts: List[str] = field(default_factory=list)
    thoughts: List[str] = field(default_factory=list)
    calls: List[ep.ToolCall] = field(default_factory=list)
    usage: Dict[str, int] = field(default_factory=dict)
    timestamp: Optional[dt.datetime] = None
    model: Optional[str] = None
    provider: Optional[str] = None
    stop_reason: Optional[str] = None
    closed: bool = False

    def has_output(self) -> bool:
        return bool(self.calls) or any(self.texts)

    def freeze(self) -> ep.Message:
        text, reasoning = ep.split_reasoning(self.texts, self.thoughts)
        return ep.Message(
            "assistant",
            text,
            tool_calls=tuple(self.calls),
            reasoning=reasoning,
            timestamp=self.timestamp,
            model=self.model,
            provider=self.provider,
            usage=tuple(sorted(self.usage.items())),
            stop_reason=self.stop_reason,
        )


_Item = Union[ep.Message, _Assistant]


def _is_injected(text: str) -> bool:
    return text.lstrip().lower().startswith(_INJECTED_PREFIXES)


def _is_compaction_prompt(text: str) -> bool:
    return text.lstrip().lower().startswith(_COMPACTION_PROMPTS)


def _content_text(content: Any, *, drop_injected: bool = False) -> str:
    """Text of a message's content parts; images become a marker, never inline data."""
    if isinstance(content, str):
        return "" if drop_injected and _is_injected(content) else content
    if not isinstance(content, list):
        return ""
    parts = []
    for part in content:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text") and isinstance(part.get("text"), str):
            if not (drop_injected and _is_injected(part["text"])):
                parts.append(part["text"])
        elif kind in ("input_image", "image"):
            parts.append("[image]")
    return "\n".join(p for p in parts if p)


def _output_text(output: Any) -> str:
    """A tool output as the model saw it: a string (kept verbatim) or a list of content items."""
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return _content_text(output)
    if isinstance(output, dict) and isinstance(output.get("content"), str):
        return output["content"]  # FunctionCallOutputPayload written as an object
    return "" if output is None else json.dumps(output, ensure_ascii=False)


def _reasoning_text(payload: Dict[str, Any]) -> str:
    # reasoning{summary:[summary_text], content: null | [reasoning_text]}: the raw text when
    # present, else the summary; encrypted_content is opaque.
    def texts(parts: Any) -> List[str]:
        if not isinstance(parts, list):
            return []
        return [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]

    return "\n".join(texts(payload.get("content")) or texts(payload.get("summary")))


def _call_id(payload: Dict[str, Any]) -> Optional[str]:
    for key in ("call_id", "id"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class _Transcript:
    """Messages in order, with one model response merged into one assistant message."""

    def __init__(self, provider: Optional[str]) -> None:
        self.items: List[_Item] = []
        self.provider = provider
        self.model: Optional[str] = None
        self.call_names: Dict[str, str] = {}

    def _assistant(self, when: Optional[dt.datetime], *, opens: bool = False) -> _Assistant:
        """The response being assembled, or a new one.

        ``opens``: the item (reasoning, a message) comes first in a Responses API output,
        before any tool call; after a call it belongs to the next response.
        """
        last = self.items[-1] if self.items else None
        if isinstance(last, _Assistant) and not last.closed and not (opens and last.calls):
            return last
        draft = _Assistant(timestamp=when, model=self.model, provider=self.provider)
        self.items.append(draft)
        return draft

    def last_assistant(self) -> Optional[_Assistant]:
        for item in reversed(self.items):
            if isinstance(item, _Assistant):
                return item
        return None

    def current_answer(self) -> Optional[_Assistant]:
        """The last model response of the turn in progress (after the last user request), if any."""
        for item in reversed(self.items):
            if isinstance(item, _Assistant):
                return item
            if _is_request(item):
                return None
        return None

    def close(self) -> None:
        last = self.items[-1] if self.items else None
        if isinstance(last, _Assistant):
            last.closed = True

    def add(self, payload: Dict[str, Any], when: Optional[dt.datetime]) -> None:
        kind = payload.get("type")
        if kind == "message":
            role = payload.get("role")
            if role == "assistant":
                self._assistant(when, opens=True).texts.append(_content_text(payload.get("content")))
            elif role in ("user", "developer", "system"):
                text = _content_text(payload.get("content"), drop_injected=True)
                if text:
                    self.items.append(ep.Message(role, text, timestamp=when))
        elif kind == "reasoning":
            self._assistant(when, opens=True).thoughts.append(_reasoning_text(payload))
        elif kind in ("function_call", "custom_tool_call", "local_shell_call"):
            call_id = _call_id(payload)
            if call_id is None:
                return
            if kind == "function_call":
                name, arguments = payload.get("name"), ep.arguments_json(payload.get("arguments"))
            elif kind == "custom_tool_call":
                # Free-form input (apply_patch's patch text): chat-completions wants JSON arguments.
                name, arguments = payload.get("name"), json.dumps({"input": payload.get("input")}, ensure_ascii=False)
            else:
                name, arguments = "local_shell", ep.arguments_json(payload.get("action"))
            if not isinstance(name, str) or not name:
                return
            self.call_names[call_id] = name
            self._assistant(when).calls.append(ep.ToolCall(call_id, name, arguments))
        elif kind in _OUTPUT_ITEMS:
            call_id = _call_id(payload)
            if call_id is None or call_id not in self.call_names:
                return  # its call was lost (a corrupt line); a tool message with no call breaks templates
            self.close()
            self.items.append(
                ep.Message("tool", _output_text(payload.get("output")), tool_call_id=call_id,
                           name=self.call_names[call_id], timestamp=when)
            )
        elif kind == "web_search_call":
            # Answered server-side: no output item, but the query is the model's action.
            action = payload.get("action") if isinstance(payload.get("action"), dict) else {}
            arguments = {key: action[key] for key in ("query", "queries", "url", "pattern") if key in action}
            call_id = _call_id(payload) or f"web_search_{sum(1 for _ in self.call_names)}"
            self.call_names[call_id] = "web_search"
            self._assistant(when).calls.append(ep.ToolCall(call_id, "web_search", json.dumps(arguments, ensure_ascii=False)))
        # ghost_snapshot and the opaque remote compaction item put no chat message in the transcript.

    def add_request(self, text: str, when: Optional[dt.datetime]) -> None:
        """A prompt known only from ``event_msg`` ``user_message`` (Codex Desktop writes no response item for it)."""
        if text.strip() and not _is_injected(text):
            self.items.append(ep.Message("user", text, timestamp=when))


def _usage(info: Any) -> Dict[str, int]:
    raw = info.get("last_token_usage") if isinstance(info, dict) else None
    if not isinstance(raw, dict):
        return {}
    out = {}
    for source_key, key in _USAGE_KEYS:
        value = raw.get(source_key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out[key] = value
    return out


def _freeze(items: List[_Item]) -> List[ep.Message]:
    # A response with only reasoning (cut off before it said or did anything) is no message.
    return [item.freeze() if isinstance(item, _Assistant) else item
            for item in items if not isinstance(item, _Assistant) or item.has_output()]


def _is_request(message: ep.Message) -> bool:
    return message.role == "user" and not message.summary


# --- segments ---------------------------------------------------------------------------


@dataclass
class _Segment:
    context: List[ep.Message]  # what the model started the segment with (after a compaction)
    line: int  # where the segment starts, for problem reports
    own: _Transcript  # what happened in the segment itself
    summary: Optional[str] = None  # the compaction that ended it
    summary_usage: Dict[str, int] = field(default_factory=dict)
    summary_time: Optional[dt.datetime] = None


def _system_prompt(meta: Dict[str, Any]) -> Optional[str]:
    for key in ("base_instructions", "instructions"):
        value = meta.get(key)
        if isinstance(value, dict):
            value = value.get("text")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _rollback(transcript: _Transcript, turns: int) -> None:
    """Drop the last ``turns`` user turns (ThreadRolledBack), as Codex rebuilds the history.

    Only turns of the current segment can be dropped: a rollback reaching back past a
    compaction cannot restore what the compaction replaced.
    """
    starts = [i for i, item in enumerate(transcript.items) if isinstance(item, ep.Message) and _is_request(item)]
    if turns <= 0 or not starts:
        return
    del transcript.items[starts[-min(turns, len(starts))]:]


def _drop_compaction_turn(transcript: _Transcript, summary: str) -> Dict[str, int]:
    """Remove the compaction request and its answer from the segment; return that request's usage.

    Codex records its local compaction turn before the ``compacted`` line: the
    summarization prompt (codex-rs/core/templates/compact/prompt.md) as a user message and
    the summary as an assistant message, whose text is ``compacted.message``
    (codex-rs/core/src/compact.rs). They belong to the compact_summary episode, not the task.
    """
    items = transcript.items
    usage: Dict[str, int] = {}
    last = items[-1] if items else None
    if isinstance(last, _Assistant) and not last.calls and summary.strip() and (
        "\n".join(t for t in last.texts if t).strip() == summary.strip()
    ):
        items.pop()
        usage = dict(last.usage)
    last = items[-1] if items else None
    if isinstance(last, ep.Message) and last.role == "user" and _is_compaction_prompt(last.content):
        items.pop()
    return usage


def _next_context(payload: Dict[str, Any], previous: List[ep.Message], summary: str,
                  provider: Optional[str], when: Optional[dt.datetime]) -> List[ep.Message]:
    wrapped = ep.compaction_summary_message(summary, when) if summary.strip() else None
    history = payload.get("replacement_history")
    if isinstance(history, list):
        replacement = _Transcript(provider)
        for item in history:
            if isinstance(item, dict):
                replacement.add(item, None)
        context = _freeze(replacement.items)
        if wrapped is None:
            return context
        # Codex stores the summary as a user message with its own prefix
        # (codex-rs/core/src/compact.rs SUMMARY_PREFIX): rewrap it the shared way.
        for i, message in enumerate(context):
            if message.role == "user" and message.content.rstrip().endswith(summary.strip()):
                return context[:i] + [wrapped] + context[i + 1:]
        return context + [wrapped]
    # Older builds (no replacement_history) rebuilt the history from the real user
    # messages so far and the summary (codex-rs/core/src/compact.rs build_compacted_history).
    kept = [m for m in previous if _is_request(m)]
    return kept + ([wrapped] if wrapped else [])


def _is_prompt_item(payload: Dict[str, Any]) -> bool:
    return (payload.get("type") == "message" and payload.get("role") == "user"
            and bool(_content_text(payload.get("content"), drop_injected=True)))


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
) -> Iterator[ep.Episode]:
    """Yield the usable episodes of one rollout file; problems go to ``on_problem``."""
    with open(path, "rb") as fp:
        compressed = fp.read(4) == ZSTD_MAGIC
        if compressed or skip_reason(path):
            on_problem(jsonio.LineProblem(path, 1, SKIPPED, SKIPPED_REASON))
            return
        fp.seek(0)
        records = _read_records(fp, path, on_problem)

    meta: Dict[str, Any] = {}
    for record in records[:1]:
        if record.kind == "session_meta":
            meta = record.payload
    session_id = meta.get("id") if isinstance(meta.get("id"), str) else None
    if session_id is None:
        found = _UUID_IN_NAME.search(os.path.basename(path))
        session_id = found.group(1) if found else os.path.splitext(os.path.basename(path))[0]
    provider = meta.get("model_provider") if isinstance(meta.get("model_provider"), str) else None
    cwd = meta.get("cwd") if isinstance(meta.get("cwd"), str) else next(
        (r.payload["cwd"] for r in records if r.kind == "turn_context" and isinstance(r.payload.get("cwd"), str)), None)
    # Codex Desktop keeps some prompts only as event_msg user_message: read those when the
    # rollout has no response_item user message at all (else they are a second copy).
    prompts_from_events = not any(_is_prompt_item(r.payload) for r in records if r.kind == "response_item")
    prompt = _system_prompt(meta)
    system = [ep.Message("system", prompt)] if prompt else []

    segments = [_Segment([], 1, _Transcript(provider))]
    last_total: Any = None
    for record in records:
        current = segments[-1]
        transcript = current.own
        payload = record.payload
        if record.kind == "response_item":
            transcript.add(payload, record.timestamp)
        elif record.kind == "turn_context":
            transcript.close()
            if isinstance(payload.get("model"), str):
                transcript.model = payload["model"]
        elif record.kind == "event_msg":
            kind = payload.get("type")
            if kind == "token_count" and isinstance(payload.get("info"), dict):
                total = payload["info"].get("total_token_usage")
                if total is not None and total == last_total:
                    continue  # the same count sent again (with new rate limits)
                last_total = total
                draft = transcript.last_assistant()
                if draft is not None:
                    for key, value in _usage(payload["info"]).items():
                        draft.usage[key] = draft.usage.get(key, 0) + value
                transcript.close()
            elif kind in ("turn_aborted", "error"):
                draft = transcript.current_answer()
                if draft is not None:
                    draft.stop_reason = "aborted" if kind == "turn_aborted" else "error"
                transcript.close()
            elif kind == "user_message" and prompts_from_events and isinstance(payload.get("message"), str):
                transcript.close()
                transcript.add_request(payload["message"], record.timestamp)
            elif kind == "thread_rolled_back":
                turns = payload.get("num_turns")
                if isinstance(turns, int) and not isinstance(turns, bool):
                    _rollback(transcript, turns)
        elif record.kind == "compacted":
            summary = payload.get("message") if isinstance(payload.get("message"), str) else ""
            current.summary = summary
            current.summary_usage = _drop_compaction_turn(transcript, summary)
            current.summary_time = record.timestamp
            previous = current.context + _freeze(transcript.items)
            context = _next_context(payload, previous, summary, provider, record.timestamp)
            following = _Transcript(provider)
            following.model = transcript.model
            following.call_names = transcript.call_names
            segments.append(_Segment(context, record.line, following))

    def build(kind: str, segment: int, chat: List[ep.Message], own: Optional[List[ep.Message]] = None) -> Optional[ep.Episode]:
        episode = ep.build_episode(kind, NAME, session_id, segment, chat, own=own, keep_reasoning=keep_reasoning)
        if episode is not None:
            episode.cwd = cwd
        return episode

    owns = [_freeze(s.own.items) for s in segments]
    for index, seg in enumerate(segments):
        own = owns[index]
        context = seg.context + own
        task = build("task", index, system + context, own)
        if task is None:
            on_problem(jsonio.LineProblem(path, seg.line, NOT_USABLE, f"task segment {index} is not usable: {why_not_usable(context)}"))
            continue
        summary_episode = None
        if seg.summary is not None and seg.summary.strip():
            summarized = [m for m in context if m.role not in ("system", "developer")]
            chat = ep.compact_summary_messages(summarized, seg.summary)
            if chat is not None:
                summary_episode = build("compact_summary", index, chat, [])
                if summary_episode is not None:
                    summary_episode.started_at = summary_episode.ended_at = seg.summary_time
                    summary_episode.extra_usage = seg.summary_usage
                    ep.pair(task, summary_episode)
        yield task
        if summary_episode is not None:
            yield summary_episode

    # A turn starts at a user request; requests sent back to back (no answer between) are one turn.
    messages = [m for own in owns for m in own]
    requests: List[int] = []
    previous_was_request = False
    for i, message in enumerate(messages):
        is_request = _is_request(message)
        if is_request and not previous_was_request:
            requests.append(i)
        previous_was_request = is_request
    for turn, start in enumerate(requests):
        end = requests[turn + 1] if turn + 1 < len(requests) else len(messages)
        episode = build("turn", turn, messages[start:end])
        if episode is not None:
            yield episode

