"""Hermes agent sessions as episodes: the ``state.db`` SQLite store.

NousResearch's Hermes agent keeps every session in one SQLite database (WAL
mode) with a ``sessions`` table (metadata, the system prompt, token totals)
and a ``messages`` table holding OpenAI chat messages one row each:
``role``, ``content``, ``tool_calls`` (the OpenAI JSON list), ``tool_call_id``
and ``tool_name`` on ``tool`` rows, ``finish_reason`` and reasoning columns on
assistant rows. Rows are read in ``id`` (insertion) order, as Hermes itself
replays them.

The database is opened read-only through a URI (``mode=ro``), like the
OpenCode reader: Hermes may be writing to it, and WAL readers never block nor
are blocked by its writer. Nothing here writes to the database.

Compaction replaces the live context with ``[head copies, summary, tail
copies, (todo snapshot)]``, where the summary is a message whose content starts
with Hermes's handoff prefix (``[CONTEXT COMPACTION ...``) and ends with an end
marker, or is merged into the first tail message after a delimiter. Hermes
stores that list in one of two ways:

- in place: the old rows become ``active = 0, compacted = 1`` and the list is
  inserted as new active rows of the same session;
- by rotation (older builds): the session ends with ``end_reason =
  'compression'`` and a continuation session (``parent_session_id``) starts
  with the list.

Rows with ``active = 0, compacted = 0`` were taken back by the user (rewind,
undo, retry) and are not read. A compression chain is read as one
conversation: its session hash is the root session's id and its segments
are numbered across the chain. Per conversation, in order:

- per segment, a ``task`` episode (the context the model saw: the session's
  system prompt, then the wrapped summary, the kept head and tail, and what
  followed);
- after it, the ``compact_summary`` episode of the compaction that ended it,
  paired both ways (both or neither);
- then one ``turn`` episode per user request (messages copied into a
  compacted context are not counted twice).

Delegated subagents and ``/branch`` sessions also carry a ``parent_session_id``;
they are read as conversations of their own.
"""
# Hermes storage: NousResearch hermes-agent 0.19.0 (PyPI sdist) hermes_state.py (SCHEMA_SQL,
# _encode_content, archive_and_compact, get_compression_tip), agent/context_compressor.py
# (compress: SUMMARY_PREFIX, _SUMMARY_END_MARKER, _MERGED_SUMMARY_DELIMITER) and
# agent/conversation_compression.py (in-place versus rotation); see
# shared/formats/harness-sessions.md section 7.
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ... import jsonio
from .. import readonly_sqlite
from ...records import episode as ep
from .base import nothing_to_skip

NAME = "hermes"
# ${HERMES_HOME:-~/.hermes}/state.db. The caller expands ``~``; ``default_dirs`` honours HERMES_HOME.
DATABASE_NAME = "state.db"
# The database itself, not the folder: ~/.hermes also holds skills, configs and JSON snapshots.
DEFAULT_DIRS: Tuple[str, ...] = ("~/.hermes/" + DATABASE_NAME,)

# Reason codes beyond jsonio's.
NOT_USABLE = "not_usable"
skip_reason = nothing_to_skip  # Hermes records no working folder: its sessions have no project (see README)
UNREADABLE_DATABASE = "unreadable_database"

# hermes_state.py _encode_content: list/dict content (multimodal parts) stored as this prefix + JSON.
_CONTENT_JSON_PREFIX = "\x00json:"
# context_compressor.py: every current and historical handoff prefix starts with one of these.
_SUMMARY_PREFIXES = ("[CONTEXT COMPACTION", "[CONTEXT SUMMARY]:")
_SUMMARY_END_MARKER = "--- END OF CONTEXT SUMMARY — respond to the message below, not the summary above ---"
_MERGED_PRIOR_CONTEXT_HEADER = "[PRIOR CONTEXT — for reference only; not a new message]"
_MERGED_SUMMARY_DELIMITER = "[END OF PRIOR CONTEXT — COMPACTION SUMMARY BELOW]"
# tools/todo_tool.py format_for_injection: re-injected after a compaction, no person's request.
_TODO_SNAPSHOT_PREFIX = "[Your active task list was preserved across context compression]"
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})

# sessions columns -> episode usage keys (token totals per session id).
_USAGE_COLUMNS = (
    ("input_tokens", "input_tokens"),
    ("output_tokens", "output_tokens"),
    ("cache_read_tokens", "cache_read_tokens"),
    ("cache_write_tokens", "cache_write_tokens"),
    ("reasoning_tokens", "reasoning_tokens"),
)


def default_dirs(env) -> Tuple[str, ...]:
    """``$HERMES_HOME/state.db`` when that is set, else ``DEFAULT_DIRS``."""
    home = env.get("HERMES_HOME")
    return (os.path.join(home, DATABASE_NAME),) if home else DEFAULT_DIRS


# --- finding and opening the store ------------------------------------------------------


def sniff(head: List[str]) -> bool:
    """Always False: Hermes's store is SQLite; use ``sniff_path``."""
    return False


def sniff_path(path: str) -> bool:
    """True for an SQLite file with Hermes's ``sessions`` and ``messages`` tables."""
    return readonly_sqlite.has_tables(path, {
        "sessions": ("id", "source", "parent_session_id"),
        "messages": ("session_id", "role", "content", "tool_calls", "tool_call_id"),
    })


_connect = readonly_sqlite.connect  # mode=ro: see sources/readonly_sqlite.py


# --- loading ----------------------------------------------------------------------------


@dataclass
class _Session:
    row: Dict[str, Any]
    line: int
    messages: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.row.get("id"))


def _load(path: str, on_problem: Callable[[jsonio.LineProblem], None]) -> List[_Session]:
    sessions: List[_Session] = []
    try:
        connection = _connect(path)
        try:
            # SELECT * rather than named columns: older databases lack columns that
            # hermes_state.py _reconcile_columns adds on the writer's next start.
            for row in connection.execute("SELECT rowid AS _line, * FROM sessions ORDER BY started_at, id"):
                record = dict(row)
                sessions.append(_Session(record, record.pop("_line")))
            by_id = {s.id: s for s in sessions}
            for row in connection.execute("SELECT * FROM messages ORDER BY session_id, id"):
                owner = by_id.get(str(row["session_id"]))
                if owner is not None:
                    owner.messages.append(dict(row))
        finally:
            connection.close()
    except sqlite3.Error as error:
        # Not a database, corrupt, or locked exclusively: reported, nothing harvested.
        on_problem(jsonio.LineProblem(path, 0, UNREADABLE_DATABASE, f"cannot read the database: {error}"))
        return []
    return sessions


def _model_config(session: _Session) -> Dict[str, Any]:
    text = session.row.get("model_config")
    if not isinstance(text, str):
        return {}
    value, problem = jsonio.parse_json_text(text)
    return value if problem is None and isinstance(value, dict) else {}


def _chains(sessions: List[_Session]) -> List[List[_Session]]:
    """Compression chains root first; every other session is a chain of one."""
    by_id = {s.id: s for s in sessions}
    children: Dict[str, List[_Session]] = {}
    for session in sessions:
        parent = session.row.get("parent_session_id")
        config = _model_config(session)
        # hermes_state.py get_compression_tip: a continuation is a child of a session that ended
        # for compression, and not a branch, a delegated subagent or a tool session.
        if (parent in by_id and by_id[parent].row.get("end_reason") == "compression"
                and "_branched_from" not in config and "_delegate_from" not in config
                and session.row.get("source") != "tool"):
            children.setdefault(parent, []).append(session)

    def rank(child: _Session) -> Tuple[int, float]:
        end = child.row.get("end_reason")
        state = 0 if end == "compression" else 1 if child.row.get("ended_at") is None else 2
        stamps = [m.get("timestamp") for m in child.messages if isinstance(m.get("timestamp"), (int, float))]
        last = max(stamps) if stamps else child.row.get("started_at") or 0
        return state, -float(last)

    continuation = {parent: sorted(kids, key=rank)[0].id for parent, kids in children.items()}
    continuations = set(continuation.values())
    chains = []
    for session in sessions:
        if session.id in continuations:
            continue
        chain = [session]
        while chain[-1].id in continuation and len(chain) <= len(sessions):
            chain.append(by_id[continuation[chain[-1].id]])
        chains.append(chain)
    return chains


# --- rows -------------------------------------------------------------------------------


@dataclass
class _Row:
    """One stored message as chat messages; ``key`` compares copies made by a compaction."""

    index: int
    session: _Session
    line: int
    messages: List[ep.Message]
    key: Tuple[Any, ...]
    active: bool
    summary: Optional[str] = None  # the handoff summary this row carries
    request: bool = False
    todo: bool = False


def _moment(seconds: Any) -> Optional[dt.datetime]:
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _text(content: Any) -> str:
    """Content as text; multimodal parts (``_encode_content``) become their text and markers."""
    if content is None:
        return ""
    if isinstance(content, (int, float)):
        return str(content)
    if isinstance(content, str) and content.startswith(_CONTENT_JSON_PREFIX):
        value, problem = jsonio.parse_json_text(content[len(_CONTENT_JSON_PREFIX):])
        if problem is not None:
            return content[len(_CONTENT_JSON_PREFIX):]
        content = value
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    texts = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif kind in ("image_url", "image", "input_image"):
                texts.append("[Attached image]")
            elif kind:
                texts.append(f"[Attached {kind}]")
    return "\n".join(texts)


def _summary_body(text: str) -> Optional[Tuple[str, Optional[str]]]:
    """``(summary, prior_content)`` when the text carries a handoff summary, else None."""
    prior = None
    body = text.strip()
    if _MERGED_SUMMARY_DELIMITER in body:
        before, body = body.split(_MERGED_SUMMARY_DELIMITER, 1)
        before = before.strip()
        if before.startswith(_MERGED_PRIOR_CONTEXT_HEADER):
            before = before[len(_MERGED_PRIOR_CONTEXT_HEADER):].strip()
        prior, body = before, body.strip()
    if not body.startswith(_SUMMARY_PREFIXES):
        return None
    if body.endswith(_SUMMARY_END_MARKER):
        body = body[: -len(_SUMMARY_END_MARKER)].rstrip()
    # The prefix is one fixed instruction paragraph ending in ":" and a newline before the body
    # (context_compressor.py _with_summary_prefix); the legacy one is "[CONTEXT SUMMARY]:".
    head, newline, rest = body.partition("\n")
    if body.startswith("[CONTEXT SUMMARY]:"):
        body = body[len("[CONTEXT SUMMARY]:"):].strip()
    elif newline:
        body = rest.strip()
    else:
        body = ""
    return body, prior


def _tool_calls(raw: Any, row: Dict[str, Any], source: str, on_problem) -> Optional[Tuple[ep.ToolCall, ...]]:
    if raw in (None, ""):
        return ()
    value, problem = jsonio.parse_json_text(raw) if isinstance(raw, str) else (raw, None)
    if problem is None and not isinstance(value, list):
        problem = (jsonio.NOT_AN_OBJECT, "expected a JSON list")
    if problem is not None:
        on_problem(jsonio.LineProblem(source, row.get("id") or 0, problem[0], f"message {row.get('id')} tool_calls: {problem[1]}"))
        return None
    calls = []
    for number, call in enumerate(value):
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        name = function.get("name") or call.get("name")
        if not isinstance(name, str):
            continue
        call_id = call.get("id") or call.get("call_id") or f"call_{row.get('id')}_{number}"
        calls.append(ep.ToolCall(str(call_id), name, ep.arguments_json(function.get("arguments", call.get("arguments")))))
    return tuple(calls)


def _stop_reason(finish: Any) -> Optional[str]:
    if not isinstance(finish, str):
        return None
    # conversation_loop.py: content_filter is the provider declining to answer.
    return "refusal" if finish == "content_filter" else finish


def _row(index: int, session: _Session, raw: Dict[str, Any], source: str, on_problem) -> Optional[_Row]:
    line = raw.get("id") if isinstance(raw.get("id"), int) else 0
    role = raw.get("role")
    if role not in _ROLES:
        return None  # session_meta and other bookkeeping rows are never sent to the model
    content = raw.get("content")
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            on_problem(jsonio.LineProblem(source, line, jsonio.INVALID_UTF8, f"message {line} content: invalid UTF-8"))
            return None
    calls = _tool_calls(raw.get("tool_calls"), raw, source, on_problem) if role == "assistant" else ()
    if calls is None:
        return None
    text = _text(content)
    when = _moment(raw.get("timestamp"))
    active = raw.get("active") is None or bool(raw.get("active"))
    # Copies may differ from their originals where the compressor pruned old tool output or
    # shortened arguments (context_compressor.py _prune_old_tool_results): ids identify them.
    if role == "tool":
        key: Tuple[Any, ...] = ("tool", raw.get("tool_call_id"))
    else:
        key = (ep.normalize_role(role), text, tuple((c.id, c.name) for c in calls))
    found = _summary_body(text) if role in ("user", "assistant") else None
    if found is not None:
        summary, prior = found
        messages = [ep.compaction_summary_message(summary, when)]
        if prior is not None:  # merged into the first kept tail message, whose content comes before
            messages.append(ep.Message(role, prior, timestamp=when))
            key = (role, prior, ())
        return _Row(index, session, line, messages, key, active, summary=summary)
    if role == "assistant":
        reasoning = raw.get("reasoning_content") or raw.get("reasoning")
        message = ep.Message(
            "assistant", text, tool_calls=calls, reasoning=reasoning if isinstance(reasoning, str) else "",
            timestamp=when, model=session.row.get("model"), provider=session.row.get("billing_provider"),
            stop_reason=_stop_reason(raw.get("finish_reason")),
        )
    elif role == "tool":
        name = raw.get("tool_name") if isinstance(raw.get("tool_name"), str) else None
        message = ep.Message("tool", text, tool_call_id=str(raw.get("tool_call_id") or ""), name=name, timestamp=when)
    else:
        message = ep.Message(role, text, timestamp=when)
    todo = role == "user" and text.startswith(_TODO_SNAPSHOT_PREFIX)
    return _Row(index, session, line, [message], key, active, request=role == "user" and not todo, todo=todo)


# --- segments ---------------------------------------------------------------------------


@dataclass
class _Segment:
    start: int  # first row of the context (the batch a compaction wrote, or 0)
    own_start: int  # first row this segment produced itself
    summary_row: Optional[int] = None  # the row carrying the summary that opens it
    kept_from: Optional[int] = None  # in the previous context, the first row of the kept tail


def _segments(rows: List[_Row]) -> List[_Segment]:
    segments = [_Segment(0, 0)]
    for s, row in enumerate(rows):
        if row.summary is None:
            continue
        previous = segments[-1]
        start = None
        if row.active and any(not r.active for r in rows[:s] if r.session is row.session):
            # In place, the latest compaction: the batch starts after the last archived row.
            start = max(i for i in range(s) if rows[i].session is row.session and not rows[i].active) + 1
        elif row.session is not rows[previous.start].session and not any(
                r.summary is not None for r in rows[:s] if r.session is row.session):
            # Rotation: the continuation session starts with the batch.
            start = min(i for i in range(s + 1) if rows[i].session is row.session)
        if start is None or not previous.start <= start <= s:
            # An earlier in-place compaction: the head copies repeat the start of the context before.
            start = s
            for h in range(1, (s - previous.start) // 2 + 1):
                if all(rows[s - h + j].key == rows[previous.start + j].key for j in range(h)):
                    start = s - h
        # The kept tail: the rows after the summary repeat the end of the context before.
        first_tail = s if len(row.messages) > 1 else s + 1
        tail = 0
        for t in range(1, start - previous.start + 1):
            if first_tail + t > len(rows):
                break
            if all(rows[first_tail + j].key == rows[start - t + j].key for j in range(t)):
                tail = t
        own_start = first_tail + tail
        if own_start < len(rows) and rows[own_start].todo:
            own_start += 1
        segments.append(_Segment(start, max(own_start, s + 1), s, start - tail))
    return segments


def _episodes(source: str, chain: List[_Session], keep_reasoning: bool, on_problem) -> Iterator[ep.Episode]:
    root = chain[0]
    rows: List[_Row] = []
    for session in chain:
        for raw in session.messages:
            if raw.get("active") is not None and not raw.get("active") and not raw.get("compacted"):
                continue  # rewound, undone or retried: the user took it back
            row = _row(len(rows), session, raw, source, on_problem)
            if row is not None:
                rows.append(row)
    segments = _segments(rows)
    ends = [seg.start for seg in segments[1:]] + [len(rows)]

    def build(kind, segment, chat, own=None):
        return ep.build_episode(kind, NAME, root.id, segment, chat, own=own, keep_reasoning=keep_reasoning)

    def system(session: _Session) -> List[ep.Message]:
        prompt = session.row.get("system_prompt")
        return [ep.Message("system", prompt)] if isinstance(prompt, str) and prompt else []

    # A session's token totals go to its task episode when it holds exactly one segment.
    hosts: Dict[str, List[int]] = {}
    for number, seg in enumerate(segments):
        host = rows[seg.summary_row].session if seg.summary_row is not None else root
        hosts.setdefault(host.id, []).append(number)

    for number, seg in enumerate(segments):
        end = ends[number]
        host = rows[seg.summary_row].session if seg.summary_row is not None else root
        context_rows = rows[seg.start:end]
        context = system(host) + [m for r in context_rows for m in r.messages]
        own = [m for r in rows[seg.own_start:end] for m in r.messages]
        task = build("task", number, context, own)
        if task is None:
            line = rows[seg.start].line if seg.start < len(rows) else host.line
            on_problem(jsonio.LineProblem(source, line, NOT_USABLE,
                                          f"session {host.id} task segment {number} is not usable: {_why(context)}"))
            continue
        if hosts.get(host.id) == [number]:
            task.extra_usage = {key: host.row[column] for column, key in _USAGE_COLUMNS
                                if isinstance(host.row.get(column), int) and host.row[column] > 0}
        summary_episode = None
        if number + 1 < len(segments):
            following = segments[number + 1]
            summary_row = rows[following.summary_row]
            summarized_rows = [r for r in context_rows if r.index < following.kept_from]
            summarized = system(host) + [m for r in summarized_rows for m in r.messages]
            prompt = ep.compact_summary_messages([m for m in summarized if m.role != "system"], summary_row.summary or "")
            if prompt is not None and summary_row.summary:
                summary_episode = build("compact_summary", number, prompt, [])
                if summary_episode is not None:
                    summary_episode.started_at = summary_episode.ended_at = summary_row.messages[0].timestamp
                    ep.pair(task, summary_episode)
        yield task
        if summary_episode is not None:
            yield summary_episode

    # Turns, from what each segment produced itself: a person's request starts one.
    turns: List[Tuple[_Session, List[ep.Message]]] = []
    previous_was_request = False
    for number, seg in enumerate(segments):
        for row in rows[seg.own_start:ends[number]]:
            if row.summary is not None or row.todo:
                continue
            if row.request and not previous_was_request:
                turns.append((row.session, system(row.session)))
            if turns:
                turns[-1][1].extend(row.messages)
            previous_was_request = row.request
    for number, (_session, chat) in enumerate(turns):
        episode = build("turn", number, chat)
        if episode is not None:
            yield episode


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
) -> Iterator[ep.Episode]:
    """Yield the usable episodes of every session in a Hermes ``state.db``."""
    for chain in _chains(_load(path, on_problem)):
        yield from _episodes(path, chain, keep_reasoning, on_problem)



def _why(chat: List[ep.Message]) -> str:
    roles = {m.role for m in chat}
    if not chat or roles <= {"system"}:
        return "no messages"
    if "user" not in roles:
        return "no user message"
    return "no assistant message"
