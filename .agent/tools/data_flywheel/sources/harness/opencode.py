"""OpenCode sessions as episodes: the ``opencode.db`` SQLite store and the legacy ``storage/`` JSON tree.

OpenCode 1.2+ keeps every session of every project in one SQLite database
(WAL mode) with three tables: ``session``, ``message`` (``data`` holds the
message info as JSON) and ``part`` (``data`` holds one part as JSON). OpenCode
1.1 and older wrote the same objects as files:
``storage/session/<projectID>/<ses>.json``, ``storage/message/<ses>/<msg>.json``
and ``storage/part/<msg>/<prt>.json``.

The database is opened read-only through a URI (``mode=ro``): OpenCode may be
writing to it, and WAL readers never block nor are blocked by its writer.
Nothing here writes to the database or its ``-wal``/``-shm`` files.

A text ``sniff(head)`` cannot recognise a database, so this reader exposes
``sniff_path(path)`` too (``sniff`` always says no). ``read_session(path)``
takes the database, a ``storage/`` directory, or one legacy session file, and
yields the episodes of every session it holds. Per session, in order:

- per segment (compactions split a session), a ``task`` episode;
- after it, the ``compact_summary`` episode of the compaction that ended it,
  paired with it both ways (both or neither);
- then one ``turn`` episode per user request.

An assistant message in OpenCode spans several model calls ("steps", marked by
``step-start`` parts); each step becomes one chat-completions assistant
message followed by the results of its tool calls. A compaction is a user
message holding a ``compaction`` part followed by an assistant message with
``summary: true`` whose text is the summary; in the episode the pair becomes
the wrapped summary user message, as in every harness here.
"""
# OpenCode storage: anomalyco/opencode:packages/opencode/src/session/session.sql.ts (tables),
# packages/opencode/src/session/message-v2.ts (message and part shapes; toModelMessages, what the
# model is sent) and packages/opencode/src/session/compaction.ts; see
# shared/formats/harness-sessions.md section 5.
from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ... import jsonio
from .. import readonly_sqlite
from ...records import episode as ep
from .base import NOT_USABLE, nothing_to_skip, why_not_usable

NAME = "opencode"
# ${XDG_DATA_HOME:-~/.local/share}/opencode/: ``opencode.db`` (1.2+) and ``storage/`` (1.1 and
# older). The caller expands ``~`` and honours XDG_DATA_HOME.
DEFAULT_DIRS: Tuple[str, ...] = ("~/.local/share/opencode",)


def default_dirs(env) -> Tuple[str, ...]:
    """``$XDG_DATA_HOME/opencode`` when that is set, else ``DEFAULT_DIRS``."""
    base = env.get("XDG_DATA_HOME")
    return (os.path.join(base, "opencode"),) if base else DEFAULT_DIRS
DATABASE_NAME = "opencode.db"

# Reason codes beyond jsonio's.
skip_reason = nothing_to_skip
UNREADABLE_DATABASE = "unreadable_database"

_TABLES = frozenset({"session", "message", "part"})

# Assistant ``tokens`` / step-finish ``tokens`` -> episode usage keys.
_USAGE_KEYS = (
    (("input",), "input_tokens"),
    (("output",), "output_tokens"),
    (("reasoning",), "reasoning_tokens"),
    (("cache", "read"), "cache_read_tokens"),
    (("cache", "write"), "cache_write_tokens"),
)


@dataclass
class _Message:
    """One stored message: its info (``data``), its parts in order, and where it came from."""

    id: str
    info: Dict[str, Any]
    parts: List[Dict[str, Any]]
    line: int


@dataclass
class _Session:
    id: str
    line: int
    messages: List[_Message]
    directory: Optional[str] = None  # the folder OpenCode ran in (session.directory)


# --- finding and opening stores ---------------------------------------------------------


def sniff(head: List[str]) -> bool:
    """Always False: OpenCode's store is SQLite (or a tree of files); use ``sniff_path``."""
    return False


def sniff_path(path: str) -> bool:
    """True for an OpenCode database, a legacy ``storage/`` directory, or a legacy session file."""
    if os.path.isdir(path):
        return all(os.path.isdir(os.path.join(path, name)) for name in ("session", "message", "part"))
    if path.endswith(".json"):
        return _legacy_session_file(path) is not None
    return readonly_sqlite.has_tables(path, {table: () for table in _TABLES})


_connect = readonly_sqlite.connect  # mode=ro: see sources/readonly_sqlite.py


def _legacy_session_file(path: str) -> Optional[str]:
    """The storage root of ``storage/session/<projectID>/<ses>.json``, or None."""
    project_dir = os.path.dirname(os.path.abspath(path))
    session_dir = os.path.dirname(project_dir)
    root = os.path.dirname(session_dir)
    if os.path.basename(session_dir) != "session" or not os.path.basename(path).startswith("ses_"):
        return None
    if not os.path.isdir(os.path.join(root, "message")):
        return None
    return root


# --- reading sessions -------------------------------------------------------------------


def _json(text: Any, source: str, line: int, what: str, on_problem: Callable[[jsonio.LineProblem], None]) -> Optional[Dict[str, Any]]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            on_problem(jsonio.LineProblem(source, line, jsonio.INVALID_UTF8, f"{what}: invalid UTF-8"))
            return None
    if not isinstance(text, str):
        on_problem(jsonio.LineProblem(source, line, jsonio.INVALID_JSON, f"{what}: no JSON data"))
        return None
    value, problem = jsonio.parse_json_text(text)
    if problem is None and not isinstance(value, dict):
        problem = (jsonio.NOT_AN_OBJECT, "expected a JSON object")
    if problem is not None:
        on_problem(jsonio.LineProblem(source, line, problem[0], f"{what}: {problem[1]}"))
        return None
    return value


def _database_sessions(path: str, on_problem: Callable[[jsonio.LineProblem], None]) -> Iterator[_Session]:
    try:
        connection = _connect(path)
        try:
            # SELECT *: older databases may lack ``directory``.
            sessions = connection.execute("SELECT rowid, * FROM session ORDER BY time_created, id").fetchall()
            for session in sessions:
                messages: List[_Message] = []
                by_id: Dict[str, _Message] = {}
                rows = connection.execute(
                    "SELECT rowid, id, data FROM message WHERE session_id = ? ORDER BY time_created, id", (session["id"],)
                )
                for row in rows:
                    info = _json(row["data"], path, row["rowid"], f"message {row['id']}", on_problem)
                    if info is not None:
                        message = _Message(row["id"], info, [], row["rowid"])
                        messages.append(message)
                        by_id[row["id"]] = message
                # message-v2.ts hydrate(): parts in (message_id, id) order.
                rows = connection.execute(
                    "SELECT rowid, id, message_id, data FROM part WHERE session_id = ? ORDER BY message_id, id", (session["id"],)
                )
                for row in rows:
                    owner = by_id.get(row["message_id"])
                    if owner is None:
                        continue
                    data = _json(row["data"], path, row["rowid"], f"part {row['id']}", on_problem)
                    if data is not None:
                        owner.parts.append(data)
                directory = session["directory"] if "directory" in session.keys() else None
                yield _Session(session["id"], session["rowid"], messages, directory if isinstance(directory, str) else None)
        finally:
            connection.close()
    except sqlite3.Error as error:
        # Not a database, corrupt, or locked exclusively: reported, nothing harvested from here on.
        on_problem(jsonio.LineProblem(path, 0, UNREADABLE_DATABASE, f"cannot read the database: {error}"))


def _read_json_file(path: str, on_problem: Callable[[jsonio.LineProblem], None]) -> Optional[Dict[str, Any]]:
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except OSError as error:
        on_problem(jsonio.LineProblem(path, 0, UNREADABLE_DATABASE, f"cannot read the file: {error.strerror}"))
        return None
    return _json(data.lstrip(jsonio.BOM), path, 1, "file", on_problem)


def _legacy_sessions(root: str, session_files: List[str], on_problem: Callable[[jsonio.LineProblem], None]) -> Iterator[_Session]:
    loaded = []
    for file in session_files:
        info = _read_json_file(file, on_problem)
        if info is not None and isinstance(info.get("id"), str):
            created = (info.get("time") or {}).get("created") if isinstance(info.get("time"), dict) else None
            directory = info.get("directory") if isinstance(info.get("directory"), str) else None
            loaded.append((created if isinstance(created, (int, float)) else 0, info["id"], directory or ""))
    for _created, session_id, directory in sorted(loaded):
        messages = []
        for file in glob.glob(os.path.join(glob.escape(os.path.join(root, "message", session_id)), "*.json")):
            info = _read_json_file(file, on_problem)
            if info is None:
                continue
            message_id = info.get("id") if isinstance(info.get("id"), str) else os.path.basename(file)[:-5]
            parts = []
            for part_file in sorted(glob.glob(os.path.join(glob.escape(os.path.join(root, "part", message_id)), "*.json"))):
                part = _read_json_file(part_file, on_problem)
                if part is not None:
                    parts.append(part)
            parts.sort(key=lambda p: str(p.get("id") or ""))
            messages.append(_Message(message_id, info, parts, 1))
        messages.sort(key=lambda m: (_created_ms(m.info), m.id))
        yield _Session(session_id, 1, messages, directory or None)


def _sessions(path: str, on_problem: Callable[[jsonio.LineProblem], None]) -> Iterator[Tuple[str, _Session]]:
    """``(source, session)`` for every session the path holds."""
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(glob.escape(os.path.join(path, "session")), "*", "ses_*.json")))
        for session in _legacy_sessions(path, files, on_problem):
            yield os.path.join(path, "session"), session
        return
    root = _legacy_session_file(path) if path.endswith(".json") else None
    if root is not None:
        for session in _legacy_sessions(root, [path], on_problem):
            yield path, session
        return
    for session in _database_sessions(path, on_problem):
        yield path, session


# --- messages ---------------------------------------------------------------------------


def _created_ms(info: Dict[str, Any]) -> float:
    time = info.get("time")
    created = time.get("created") if isinstance(time, dict) else None
    return created if isinstance(created, (int, float)) and not isinstance(created, bool) else 0


def _moment(millis: Any) -> Optional[dt.datetime]:
    if not isinstance(millis, (int, float)) or isinstance(millis, bool):
        return None
    try:
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _usage(tokens: Any) -> Tuple[Tuple[str, int], ...]:
    if not isinstance(tokens, dict):
        return ()
    out = []
    for path, key in _USAGE_KEYS:
        value: Any = tokens
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out.append((key, value))
    return tuple(out)


def _is_compaction_request(message: _Message) -> bool:
    return message.info.get("role") == "user" and any(p.get("type") == "compaction" for p in message.parts)


def _is_summary(message: _Message) -> bool:
    info = message.info
    return info.get("role") == "assistant" and info.get("summary") is True


def _summary_text(message: _Message) -> str:
    return "\n".join(p["text"] for p in message.parts if p.get("type") == "text" and isinstance(p.get("text"), str))


def _user(message: _Message, system_before: Optional[str]) -> Tuple[List[ep.Message], bool]:
    """The user message (after its ``system`` prompt when that changes); True when a person wrote it."""
    texts: List[str] = []
    typed = False
    for part in message.parts:
        kind = part.get("type")
        # toModelMessages: text parts unless ignored; files (not text/plain or directories, which
        # OpenCode has already inlined as text parts) as attachments, here a marker.
        if kind == "text" and isinstance(part.get("text"), str) and not part.get("ignored"):
            texts.append(part["text"])
            typed = typed or not part.get("synthetic")
        elif kind == "file" and part.get("mime") not in ("text/plain", "application/x-directory"):
            texts.append(f"[Attached {part.get('mime')}: {part.get('filename') or 'file'}]")
            typed = True
        elif kind == "subtask":
            texts.append("The following tool was executed by the user")
    when = _moment(_created_ms(message.info))
    out = []
    system = message.info.get("system")
    if isinstance(system, str) and system and system != system_before:
        out.append(ep.Message("system", system, timestamp=when))
    if texts:
        out.append(ep.Message("user", "\n".join(texts), timestamp=when))
    return out, typed and bool(texts)


def _tool_result(part: Dict[str, Any], when: Optional[dt.datetime]) -> Optional[ep.Message]:
    state = part.get("state") if isinstance(part.get("state"), dict) else {}
    status = state.get("status")
    call_id = str(part.get("callID") or "")
    name = part.get("tool") if isinstance(part.get("tool"), str) else None
    if status == "completed":
        # The full output is kept even when pruning later cleared it from the context
        # (state.time.compacted): it is what the model saw when it made its next call.
        output = state.get("output")
        return ep.Message("tool", output if isinstance(output, str) else json.dumps(output, ensure_ascii=False),
                          tool_call_id=call_id, name=name, timestamp=when)
    if status == "error":
        metadata = state.get("metadata") if isinstance(state.get("metadata"), dict) else {}
        if metadata.get("interrupted") is True and isinstance(metadata.get("output"), str):
            text = metadata["output"]
        else:
            text = str(state.get("error") or "")
        return ep.Message("tool", text, tool_call_id=call_id, name=name, timestamp=when)
    return None  # pending or running: the call never got a result


def _stop_reason(info: Dict[str, Any]) -> Optional[str]:
    error = info.get("error")
    if isinstance(error, dict):
        return "aborted" if error.get("name") == "MessageAbortedError" else "error"
    return info.get("finish") if isinstance(info.get("finish"), str) else None


def _assistant(message: _Message) -> List[ep.Message]:
    """One assistant message per step, each followed by its tool results."""
    info = message.info
    when = _moment(_created_ms(info))
    model = info.get("modelID") if isinstance(info.get("modelID"), str) else None
    provider = info.get("providerID") if isinstance(info.get("providerID"), str) else None
    steps: List[Dict[str, Any]] = []
    step: Dict[str, Any] = {"texts": [], "thoughts": [], "calls": [], "results": [], "usage": None}
    for part in message.parts:
        kind = part.get("type")
        if kind == "step-start" and (step["texts"] or step["thoughts"] or step["calls"]):
            steps.append(step)
            step = {"texts": [], "thoughts": [], "calls": [], "results": [], "usage": None}
        elif kind == "text" and isinstance(part.get("text"), str):
            step["texts"].append(part["text"])
        elif kind == "reasoning" and isinstance(part.get("text"), str):
            step["thoughts"].append(part["text"])
        elif kind == "tool" and isinstance(part.get("tool"), str):
            state = part.get("state") if isinstance(part.get("state"), dict) else {}
            call_id = str(part.get("callID") or f"call_{len(step['calls'])}")
            part = dict(part, callID=call_id)
            step["calls"].append(ep.ToolCall(call_id, part["tool"], ep.arguments_json(state.get("input"))))
            times = state.get("time") if isinstance(state.get("time"), dict) else {}
            result = _tool_result(part, _moment(times.get("end")) or when)
            if result is not None:
                step["results"].append(result)
        elif kind == "step-finish":
            step["usage"] = _usage(part.get("tokens"))
    if step["texts"] or step["thoughts"] or step["calls"]:
        steps.append(step)
    steps = [s for s in steps if s["texts"] or s["calls"]]  # a reasoning-only step says nothing
    if not any(s["usage"] is not None for s in steps) and steps:
        steps[-1]["usage"] = _usage(info.get("tokens"))
    out: List[ep.Message] = []
    for index, s in enumerate(steps):
        text, reasoning = ep.split_reasoning(s["texts"], s["thoughts"])
        last = index == len(steps) - 1
        out.append(ep.Message(
            "assistant", text, tool_calls=tuple(s["calls"]), reasoning=reasoning, timestamp=when, model=model,
            provider=provider, usage=s["usage"] or (), stop_reason=_stop_reason(info) if last else "tool-calls",
        ))
        out.extend(s["results"])
    return out


@dataclass
class _Row:
    """A stored message turned into chat messages; ``request`` marks a person's prompt."""

    index: int
    messages: List[ep.Message]
    request: bool = False


def _rows(messages: List[_Message]) -> List[_Row]:
    rows: List[_Row] = []
    last_assistant: Optional[int] = None
    system: Optional[str] = None
    for index, message in enumerate(messages):
        role = message.info.get("role")
        if _is_compaction_request(message) or _is_summary(message):
            rows.append(_Row(index, []))
            continue
        if role == "user":
            chat, request = _user(message, system)
            if isinstance(message.info.get("system"), str):
                system = message.info["system"]
            rows.append(_Row(index, chat, request))
            last_assistant = None
        elif role == "assistant":
            chat = _assistant(message)
            if not chat and _stop_reason(message.info) in ("error", "aborted") and last_assistant is not None:
                # A call that failed before producing anything ends the turn of the step before it.
                row = rows[last_assistant]
                at = max(i for i, m in enumerate(row.messages) if m.role == "assistant")
                row.messages[at] = dataclasses.replace(row.messages[at], stop_reason=_stop_reason(message.info))
            if chat:
                last_assistant = len(rows)
            rows.append(_Row(index, chat))
        else:
            rows.append(_Row(index, []))
    return rows


# --- episodes ---------------------------------------------------------------------------


@dataclass
class _Compaction:
    request: int  # index of the user message with the compaction part
    summary: _Message
    keep_from: int  # first kept message (tail_start_id), == request when nothing is kept


def _compactions(messages: List[_Message]) -> List[_Compaction]:
    """Completed compactions: the summary answered its request, finished, and has no error."""
    index_of = {m.id: i for i, m in enumerate(messages)}
    found = []
    for i, message in enumerate(messages):
        if not _is_compaction_request(message):
            continue
        summary = next(
            (m for m in messages[i + 1:] if _is_summary(m) and m.info.get("parentID") == message.id
             and m.info.get("finish") and not m.info.get("error") and _summary_text(m)),
            None,
        )
        if summary is None:
            continue
        part = next(p for p in message.parts if p.get("type") == "compaction")
        tail = part.get("tail_start_id")
        keep_from = index_of.get(tail, i) if isinstance(tail, str) else i
        found.append(_Compaction(i, summary, min(keep_from, i)))
    return found


def _episodes(source: str, session: _Session, keep_reasoning: bool, on_problem: Callable[[jsonio.LineProblem], None]) -> Iterator[ep.Episode]:
    messages = session.messages
    rows = _rows(messages)
    compactions = _compactions(messages)

    def build(kind: str, segment: int, chat: List[ep.Message], own: Optional[List[ep.Message]] = None) -> Optional[ep.Episode]:
        episode = ep.build_episode(kind, NAME, session.id, segment, chat, own=own, keep_reasoning=keep_reasoning)
        if episode is not None:
            episode.cwd = session.directory
        return episode

    def chat_of(indices: List[int]) -> List[ep.Message]:
        return [m for i in indices for m in rows[i].messages]

    # Each segment's context as message indices, after its opening summary (pi's order: the
    # summary, the kept tail (tail_start_id onwards), then what came after the compaction).
    bounds = [c.request for c in compactions] + [len(messages)]
    contexts: List[List[int]] = []
    owns: List[List[int]] = []
    summaries: List[Optional[ep.Message]] = [None]
    for segment, end in enumerate(bounds):
        if segment == 0:
            own = list(range(0, end))
            contexts.append(own)
        else:
            previous = compactions[segment - 1]
            summaries.append(ep.compaction_summary_message(
                _summary_text(previous.summary), _moment(_created_ms(previous.summary.info))))
            own = list(range(messages.index(previous.summary) + 1, end))
            contexts.append(list(range(previous.keep_from, previous.request)) + own)
        owns.append(own)

    for segment, indices in enumerate(contexts):
        opening = [summaries[segment]] if summaries[segment] is not None else []
        context = opening + chat_of(indices)
        task = build("task", segment, context, chat_of(owns[segment]))
        if task is None:
            on_problem(jsonio.LineProblem(source, session.line, NOT_USABLE,
                                          f"session {session.id} task segment {segment} is not usable: {why_not_usable(context)}"))
            continue
        summary_episode = None
        if segment < len(compactions):
            compaction = compactions[segment]
            # What the compaction summarized: the context minus the tail it kept.
            summarized = opening + chat_of([i for i in indices if not compaction.keep_from <= i < compaction.request])
            prompt = ep.compact_summary_messages(summarized, _summary_text(compaction.summary))
            if prompt is not None:
                summary_episode = build("compact_summary", segment, prompt, [])
                if summary_episode is not None:
                    summary_episode.started_at = summary_episode.ended_at = _moment(_created_ms(compaction.summary.info))
                    ep.pair(task, summary_episode)
        yield task
        if summary_episode is not None:
            yield summary_episode

    # Turns: a person's prompt starts one; requests back to back are one turn.
    turns: List[List[ep.Message]] = []
    previous_was_request = False
    for row in rows:
        if not row.messages:
            continue
        if row.request and not previous_was_request:
            turns.append([])
        if turns:
            turns[-1].extend(row.messages)
        previous_was_request = row.request
    for number, chat in enumerate(turns):
        episode = build("turn", number, chat)
        if episode is not None:
            yield episode


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
) -> Iterator[ep.Episode]:
    """Yield the usable episodes of every session in a database, storage tree or legacy session file."""
    for source, session in _sessions(path, on_problem):
        yield from _episodes(source, session, keep_reasoning, on_problem)

