"""Claude Code sessions as episodes.

A Claude Code session is one JSONL file, ``<config>/projects/<slug>/<sessionId>.jsonl``.
Conversation lines (``user``, ``assistant``, ``system``, and structural lines
such as ``attachment`` or ``progress``) form a tree through ``uuid`` /
``parentUuid``; a rewind starts a second child of an earlier line and leaves
the abandoned branch in the file. The live branch is the path from the newest
user or assistant line back to the root. A ``compact_boundary`` line has no
parent but names the old leaf in ``logicalParentUuid``, so the walk continues
through it into the history before the compaction.

Three quirks of the format shape the reader:

- one API response is written one content block per line, each line with its
  own ``uuid`` but the same ``message.id`` (and the same ``usage`` repeated):
  those lines are merged into one assistant message whose usage counts once;
- with parallel tool calls the lines of one response and their results are
  siblings in the tree, so a walk back from the leaf can miss some of them;
  the reader therefore takes the blocks of a response, and the result of each
  tool call (``tool_use.id`` = ``tool_result.tool_use_id``), from anywhere in
  the same chain, and puts the results right after the call;
- subagent lines (``isSidechain: true``, with an ``agentId``) sit in the
  parent's file (older versions) or in ``agent-<agentId>.jsonl`` files of
  their own (newer ones); each subagent is its own trajectory.

What one session yields, in order:

- for the main chain, per segment (the stretch between compactions) a
  ``task`` episode; a segment after a compaction opens with the wrapped
  summary. After a task episode comes the ``compact_summary`` episode of the
  compaction that ended it (prompt: the segment plus the summarization
  instruction; response: the summary), paired with it both ways, or neither;
- then one ``turn`` episode per user request on the main chain;
- then, per subagent, its ``task`` episode(s) (and compact summaries); a
  subagent's single prompt would make its turn a copy of its task, so
  subagents yield no turn episodes.

A slash command writes a tag line (``<command-message>``, ``<command-name>``)
and, for a prompt command (a custom command, ``/init``, a skill), the prompt
the model actually received as an ``isMeta`` child of that line: the prompt
becomes the user request and the tag is dropped; a command with no prompt
(``/clear``, ``/compact``) leaves nothing. Left out of every message list:
other injected ``isMeta`` user lines (caveats, reminders), local slash-command output, thinking blocks (reasoning only
with ``keep_reasoning``), and the ``[Request interrupted by user]`` markers,
which instead label the interrupted assistant message ``aborted``. A synthetic
API-error message (``isApiErrorMessage``) stays and labels its episode
``failed``.

Problems go to ``on_problem`` as ``jsonio.LineProblem``: corrupt lines
(skipped; the session is still read), an unfinished last line
(``truncated_last_line``) and task segments that are not usable
(``not_usable``).
"""
# Claude Code session format: shared/formats/harness-sessions.md section 1, field
# inventory from daaain/claude-code-log:claude_code_log/models.py (1.7.0); tree
# shapes (rewinds, parallel tool flows, compaction) from
# daaain/claude-code-log:dev-docs/dag.md and its test/test_data fixtures.
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from ... import jsonio
from ...records import episode as ep
from ...records.normalize import hashed_id, parse_time
from .base import NOT_USABLE, TRUNCATED_LAST_LINE, json_lines, never, nothing_to_skip, stamp_cwd, why_not_usable

NAME = "claude-code"
# ${CLAUDE_CONFIG_DIR:-~/.claude}/projects/<slug>/<sessionId>.jsonl, plus subagent
# files <slug>/agent-<id>.jsonl (1.x) or <slug>/<sessionId>/subagents/agent-<id>.jsonl
# (2.x). The caller expands ``~``; ``session_dirs`` applies CLAUDE_CONFIG_DIR.
CONFIG_DIR_ENV = "CLAUDE_CONFIG_DIR"
DEFAULT_DIRS: Tuple[str, ...] = ("~/.claude/projects",)

sniff_path = never
skip_reason = nothing_to_skip

PROVIDER = "anthropic"

# Usage keys in the episode (the names pi's reader uses), from the API's usage object.
_USAGE_KEYS = (
    ("input_tokens", "input_tokens"),
    ("output_tokens", "output_tokens"),
    ("cache_read_input_tokens", "cache_read_tokens"),
    ("cache_creation_input_tokens", "cache_write_tokens"),
)

# Anthropic stop reasons in the episode's vocabulary (only error/aborted change the outcome).
_STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_use"}

# Written by the CLI as user text when the user presses Esc; not the user's words.
_INTERRUPTED = ("[Request interrupted by user]", "[Request interrupted by user for tool use]")
# Output of local slash commands (/model, /cost, ...), shown to the user, never sent to the model.
_LOCAL_COMMAND_TAGS = ("<local-command-stdout>", "<local-command-stderr>", "<local-command-caveat>")
# The line a slash command writes: which command, with its arguments; never what the model acts on.
_COMMAND_TAGS = ("<command-name>", "<command-message>", "<command-args>")
# The sentence Claude Code puts before a compaction summary; the summary proper follows it.
_SUMMARY_PREAMBLE = "This session is being continued from a previous conversation that ran out of context."
_SUMMARY_LEAD_IN = "The conversation is summarized below:"

_MESSAGE_TYPES = ("user", "assistant", "system")


def default_dirs(environ: Optional[Mapping[str, str]] = None) -> Tuple[str, ...]:
    """Where sessions live: ``$CLAUDE_CONFIG_DIR/projects`` when that is set, else ``DEFAULT_DIRS``."""
    environ = os.environ if environ is None else environ
    base = environ.get(CONFIG_DIR_ENV)
    return (os.path.join(base, "projects"),) if base else DEFAULT_DIRS



def _is_claude_line(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if kind in _MESSAGE_TYPES:
        # pi entries have id/parentId and Gemini records id: only Claude Code writes uuid + parentUuid + sessionId.
        return isinstance(value.get("uuid"), str) and "parentUuid" in value and isinstance(value.get("sessionId"), str)
    if kind == "summary":
        return isinstance(value.get("leafUuid"), str)
    if kind == "file-history-snapshot":
        return "messageId" in value and isinstance(value.get("snapshot"), dict)
    return False


def sniff(head: List[str]) -> bool:
    """True when one of the first lines is a Claude Code conversation, summary or file-snapshot line."""
    for line in head:
        text = line.lstrip("\ufeff").strip()
        if not text:
            continue
        value, problem = jsonio.parse_json_text(text)
        if problem is None and _is_claude_line(value):
            return True
    return False


# --- reading lines ----------------------------------------------------------------------


@dataclass
class _Entry:
    line: int
    uuid: str
    parent: Optional[str]
    data: Dict[str, Any]


def _chain_key(value: Dict[str, Any]) -> str:
    """"" for the main conversation, the agent id for a subagent's lines."""
    if value.get("isSidechain") is True:
        agent = value.get("agentId")
        return agent if isinstance(agent, str) and agent else "sidechain"
    return ""


def _read_chains(
    fp: IO[bytes], source: str, on_problem: Callable[[jsonio.LineProblem], None]
) -> Tuple[Optional[str], Optional[str], Dict[str, List[_Entry]]]:
    """The session id, its working folder and the entries of each chain (main first), in file order, one per uuid."""
    session_id: Optional[str] = None
    cwd: Optional[str] = None
    chains: Dict[str, List[_Entry]] = {}
    seen: Set[str] = set()
    for number, value in json_lines(fp, source, on_problem):
        if cwd is None and isinstance(value.get("cwd"), str) and value["cwd"]:
            cwd = value["cwd"]
        uuid = value.get("uuid")
        if not isinstance(uuid, str) or not uuid or uuid in seen:
            continue  # summary, file-history-snapshot, queue-operation...; or a replayed duplicate
        seen.add(uuid)
        if session_id is None and isinstance(value.get("sessionId"), str) and value["sessionId"]:
            session_id = value["sessionId"]
        parent = value.get("parentUuid")
        if parent is None and value.get("subtype") == "compact_boundary":
            parent = value.get("logicalParentUuid")  # the leaf before the compaction
        entry = _Entry(number, uuid, parent if isinstance(parent, str) and parent else None, value)
        chains.setdefault(_chain_key(value), []).append(entry)
    return session_id, cwd, chains


def _is_conversation(entry: _Entry) -> bool:
    return entry.data.get("type") in ("user", "assistant")


def _live_path(entries: List[_Entry]) -> List[_Entry]:
    """Root-to-leaf path ending at the newest user or assistant line.

    Structural lines (hooks, progress) can be newer than the last message
    without being on its branch, so they are never taken as the leaf. A
    parent that is missing (its line was corrupt) is bridged to the line just
    before the child in the file, so one bad line does not cut off the history.
    """
    leaf_at = next((i for i in range(len(entries) - 1, -1, -1) if _is_conversation(entries[i])), None)
    if leaf_at is None:
        return []
    by_id = {entry.uuid: index for index, entry in enumerate(entries)}
    path: List[_Entry] = []
    seen: Set[int] = set()
    index: Optional[int] = leaf_at
    while index is not None and index not in seen:
        seen.add(index)
        entry = entries[index]
        path.append(entry)
        if entry.parent is None:
            break
        index = by_id.get(entry.parent, index - 1 if index > 0 else None)
    path.reverse()
    return path


# --- lines to messages ------------------------------------------------------------------


def _usage(raw: Any) -> Tuple[Tuple[str, int], ...]:
    counts = ep.usage_counts(raw, _USAGE_KEYS)
    # Claude Code records no total; the sum of its parts stands in for one.
    return counts + (("total_tokens", sum(value for _, value in counts)),) if counts else ()


def _message_id(entry: _Entry) -> str:
    message = entry.data.get("message")
    raw = message.get("id") if isinstance(message, dict) else None
    return raw if isinstance(raw, str) and raw else "#" + entry.uuid


def _assistant(lines: List[_Entry]) -> ep.Message:
    """One assistant message from every line of one API response (same ``message.id``)."""
    texts: List[str] = []
    thoughts: List[str] = []
    calls: List[ep.ToolCall] = []
    for entry in lines:
        message = entry.data.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else [{"type": "text", "text": content}]:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                texts.append(block["text"])
            elif kind == "thinking" and isinstance(block.get("thinking"), str):
                thoughts.append(block["thinking"])
            elif kind == "tool_use" and isinstance(block.get("name"), str) and block["name"]:
                call_id = block.get("id") if isinstance(block.get("id"), str) and block.get("id") else None
                calls.append(ep.ToolCall(call_id or f"call_{len(calls)}", block["name"], ep.arguments_json(block.get("input"))))
            # redacted_thinking carries no readable text; server-tool blocks are not client tool calls.
    last = lines[-1].data
    message = last.get("message") if isinstance(last.get("message"), dict) else {}
    model = message.get("model") if isinstance(message.get("model"), str) else None
    stop = message.get("stop_reason")
    stop_reason = _STOP_REASONS.get(stop, stop) if isinstance(stop, str) else None
    if last.get("isApiErrorMessage") is True or model == "<synthetic>":
        # The CLI's own "API Error: ..." text, not a model response.
        model, stop_reason = None, "error"
    text, reasoning = ep.split_reasoning(texts, thoughts)
    return ep.Message(
        "assistant",
        text,
        tool_calls=tuple(calls),
        reasoning=reasoning,
        timestamp=parse_time(lines[0].data.get("timestamp")),
        model=model,
        provider=PROVIDER if model else None,
        # Every line of a response repeats the usage: count it once, from the last line.
        usage=_usage(message.get("usage")),
        stop_reason=stop_reason,
    )


def _summary_text(text: str) -> str:
    """The summary proper, without the sentence Claude Code puts before it."""
    text = text.strip()
    if text.startswith(_SUMMARY_PREAMBLE):
        text = text[len(_SUMMARY_PREAMBLE):].lstrip()
        if text.startswith(_SUMMARY_LEAD_IN):
            text = text[len(_SUMMARY_LEAD_IN):].lstrip()
    return text


@dataclass
class _Item:
    """A message on the live path, or a compaction point (``message`` None for a bare boundary)."""

    kind: str  # "request" | "assistant" | "tool" | "summary" | "boundary"
    line: int
    message: Optional[ep.Message] = None
    summary: str = ""


@dataclass
class _Results:
    """Each tool call's result, from anywhere in the chain: ``tool_use_id`` -> (message, line)."""

    by_id: Dict[str, Tuple[ep.Message, int]] = field(default_factory=dict)
    used: Set[str] = field(default_factory=set)


def _tool_message(block: Dict[str, Any], when: Optional[dt.datetime]) -> Optional[ep.Message]:
    call_id = block.get("tool_use_id")
    if not isinstance(call_id, str):
        return None
    return ep.Message("tool", ep.text_of(block.get("content")), tool_call_id=call_id, timestamp=when)


def _collect_results(entries: List[_Entry]) -> _Results:
    results = _Results()
    for entry in entries:
        message = entry.data.get("message")
        content = message.get("content") if entry.data.get("type") == "user" and isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                tool = _tool_message(block, parse_time(entry.data.get("timestamp")))
                if tool is not None and tool.tool_call_id not in results.by_id:
                    results.by_id[tool.tool_call_id or ""] = (tool, entry.line)
    return results


def _items(entries: List[_Entry]) -> List[_Item]:
    """The live path as messages, API responses merged and each call followed by its result."""
    responses: Dict[str, List[_Entry]] = {}
    for entry in entries:
        if entry.data.get("type") == "assistant":
            responses.setdefault(_message_id(entry), []).append(entry)
    results = _collect_results(entries)
    items: List[_Item] = []
    emitted: Set[str] = set()
    command_tag: Optional[str] = None  # the uuid of the slash-command tag line just seen
    for entry in _live_path(entries):
        data = entry.data
        kind = data.get("type")
        if kind == "system":
            if data.get("subtype") == "compact_boundary":
                items.append(_Item("boundary", entry.line))
            continue
        if kind == "assistant":
            message_id = _message_id(entry)
            if message_id in emitted:
                continue
            emitted.add(message_id)
            assistant = _assistant(responses[message_id])
            items.append(_Item("assistant", entry.line, assistant))
            for call in assistant.tool_calls:
                found = results.by_id.get(call.id)
                if found is not None and call.id not in results.used:
                    results.used.add(call.id)
                    items.append(_Item("tool", found[1], dataclasses.replace(found[0], name=call.name)))
            continue
        if kind != "user":
            continue
        message = data.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        when = parse_time(data.get("timestamp"))
        if data.get("isMeta") is True:
            if entry.parent is not None and entry.parent == command_tag:
                # A slash command's prompt: the tag line says which command, this line is
                # what the model was told to do. The request is the prompt, not the tag.
                text = ep.text_of(content)
                if text.strip():
                    items.append(_Item("request", entry.line, ep.Message("user", text, timestamp=when)))
            command_tag = None
            continue  # other injected lines (caveats, reminders) are not the user's words
        command_tag = None
        if data.get("isCompactSummary") is True:
            items.append(_Item("summary", entry.line, summary=_summary_text(ep.text_of(content))))
            continue
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                tool = _tool_message(block, when)
                if tool is not None and tool.tool_call_id not in results.used:
                    # A result whose call is not on the path (its line was lost): kept where it is.
                    results.used.add(tool.tool_call_id or "")
                    items.append(_Item("tool", entry.line, tool))
        text = ep.text_of(content)  # text and image blocks only: the results went out as tool messages
        if not text.strip() or text.lstrip().startswith(_LOCAL_COMMAND_TAGS):
            continue
        if text.lstrip().startswith(_COMMAND_TAGS):
            # /clear, /compact and other local commands end here; a prompt command's
            # instructions follow as an isMeta child line (above).
            command_tag = entry.uuid
            continue
        if text.strip() in _INTERRUPTED:
            _mark_aborted(items)
            continue
        items.append(_Item("request", entry.line, ep.Message("user", text, timestamp=when)))
    return items


def _mark_aborted(items: List[_Item]) -> None:
    for item in reversed(items):
        if item.kind == "assistant" and item.message is not None:
            if item.message.stop_reason != "error":
                item.message = dataclasses.replace(item.message, stop_reason="aborted")
            return


# --- segments and episodes --------------------------------------------------------------


@dataclass
class _Segment:
    line: int
    summary: Optional[str] = None  # the compaction summary that opens the segment
    items: List[_Item] = field(default_factory=list)


def _segments(items: List[_Item]) -> List[_Segment]:
    """Split at compactions: a boundary line and the summary line after it are one compaction."""
    segments = [_Segment(items[0].line if items else 1)]
    for item in items:
        current = segments[-1]
        if item.kind == "boundary":
            segments.append(_Segment(item.line))
        elif item.kind == "summary":
            # A summary line with no boundary just before it (older files) is a compaction of its own.
            if current.items or current.summary is not None or len(segments) == 1:
                current = _Segment(item.line)
                segments.append(current)
            current.summary = item.summary
        else:
            current.items.append(item)
    if len(segments) > 1 and not segments[0].items:
        segments.pop(0)  # the file starts with a compaction: nothing before it to make a segment of
    return segments


def read_session(
    path: str,
    on_problem: Callable[[jsonio.LineProblem], None],
    *,
    keep_reasoning: bool = False,
) -> Iterator[ep.Episode]:
    """Yield the usable episodes of one session file; problems go to ``on_problem``."""
    with open(path, "rb") as fp:
        session_id, cwd, chains = _read_chains(fp, path, on_problem)
    # A subagent's lines carry its parent's session id; without one (no line said it) there is no link.
    parent_hash = hashed_id(session_id) if session_id else None
    session_id = session_id or os.path.splitext(os.path.basename(path))[0]
    if not chains:
        on_problem(jsonio.LineProblem(path, 1, NOT_USABLE, "task segment 0 is not usable: no messages"))
        return
    for key in sorted(chains):  # "" (the main chain) sorts first
        entries = chains[key]
        chain_id = session_id if not key else f"{session_id}:agent-{key}"
        times = {entry.line: parse_time(entry.data.get("timestamp")) for entry in entries}
        items = _items(entries)
        episodes = stamp_cwd(_chain_episodes(path, chain_id, items, times, on_problem, keep_reasoning, turns=not key), cwd)
        if key and parent_hash is not None:
            call_id = _launching_call(chains, path, session_id, key)
            episodes = _with_parent(episodes, parent_hash, call_id)
        yield from episodes


def _with_parent(episodes: Iterator[ep.Episode], parent_hash: str, call_id: Optional[str]) -> Iterator[ep.Episode]:
    for episode in episodes:
        episode.parent_session_hash, episode.parent_tool_call_id = parent_hash, call_id
        yield episode


def _launching_call(chains: Dict[str, List[_Entry]], path: str, session_id: str, agent_id: str) -> Optional[str]:
    """The id of the parent's tool call (Task/Agent) that launched subagent ``agent_id``, or None.

    Its result line names the agent: ``toolUseResult.agentId`` and the text
    ``agentId: <id> (for resuming ...)``. Older versions keep the parent's lines
    in the same file; newer ones in ``<sessionId>.jsonl`` beside an
    ``agent-<id>.jsonl`` file, or beside the ``<sessionId>/`` folder of a
    ``subagents/agent-<id>.jsonl`` file. Only an unambiguous match counts.
    """
    if "" in chains:
        values: Iterator[Dict[str, Any]] = (entry.data for entry in chains[""])
    else:
        folder = os.path.dirname(path)
        if os.path.basename(folder) == "subagents":
            values = _lines_naming(os.path.dirname(folder) + ".jsonl", agent_id)
        else:
            values = _lines_naming(os.path.join(folder, session_id + ".jsonl"), agent_id)
    found: Set[str] = set()
    for value in values:
        result = value.get("toolUseResult")
        content = value.get("message", {}).get("content") if isinstance(value.get("message"), dict) else None
        if value.get("isSidechain") is True or value.get("type") != "user" or not isinstance(content, list):
            continue
        blocks = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"
                  and isinstance(b.get("tool_use_id"), str) and b["tool_use_id"]]
        for block in blocks:
            text = ep.text_of(block.get("content"))
            named = (isinstance(result, dict) and result.get("agentId") == agent_id and len(blocks) == 1) or any(
                line.startswith(f"agentId: {agent_id}") and line[len(f"agentId: {agent_id}"):][:1] in ("", " ")
                for line in text.splitlines())
            if named:
                found.add(block["tool_use_id"])
    return found.pop() if len(found) == 1 else None


def _lines_naming(path: str, agent_id: str) -> Iterator[Dict[str, Any]]:
    """The JSON lines of the parent's file that mention ``agent_id`` (a byte search first: the file
    can be large and is read in full on its own); nothing when it is missing or unreadable."""
    needle = agent_id.encode("utf-8")
    try:
        with open(path, "rb") as fp:
            for raw in fp:
                if needle in raw:
                    value, problem = jsonio.parse_json_text(raw.decode("utf-8", "replace"))
                    if problem is None and isinstance(value, dict):
                        yield value
    except OSError:
        return


def _chain_episodes(
    path: str,
    chain_id: str,
    items: List[_Item],
    times: Dict[int, Optional[dt.datetime]],
    on_problem: Callable[[jsonio.LineProblem], None],
    keep_reasoning: bool,
    *,
    turns: bool,
) -> Iterator[ep.Episode]:
    def build(kind: str, segment: int, chat: List[ep.Message], own: Optional[List[ep.Message]] = None,
              continuation: bool = False) -> Optional[ep.Episode]:
        return ep.build_episode(kind, NAME, chain_id, segment, chat, own=own, keep_reasoning=keep_reasoning,
                                continuation=continuation)

    segments = _segments(items)
    label = "" if turns else "subagent "
    for number, segment in enumerate(segments):
        own = [item.message for item in segment.items if item.message is not None]
        context = list(own)
        if segment.summary is not None:
            context.insert(0, ep.compaction_summary_message(segment.summary, times.get(segment.line)))
        # A file that starts mid-session (its first line a tool result or the assistant's
        # work, the request in an earlier file): the stretch before the first compaction is kept.
        starts_mid = number == 0 and bool(segment.items) and segment.items[0].kind in ("tool", "assistant")
        task = build("task", number, context, own, continuation=starts_mid)
        if task is None:
            on_problem(jsonio.LineProblem(path, segment.line, NOT_USABLE,
                                          f"{label}task segment {number} is not usable: {why_not_usable(context)}"))
            continue
        summary_episode = None
        following = segments[number + 1] if number + 1 < len(segments) else None
        if following is not None and following.summary:
            chat = ep.compact_summary_messages(context, following.summary)
            if chat is not None:
                summary_episode = build("compact_summary", number, chat, [])
                if summary_episode is not None:
                    summary_episode.started_at = summary_episode.ended_at = times.get(following.line)
                    ep.pair(task, summary_episode)
        yield task
        if summary_episode is not None:
            yield summary_episode
    if not turns:
        return
    # A turn starts at a user request; requests sent back to back (no answer between) are one turn.
    flat = [item for item in items if item.message is not None]
    starts: List[int] = []
    previous_was_request = False
    for index, item in enumerate(flat):
        is_request = item.kind == "request"
        if is_request and not previous_was_request:
            starts.append(index)
        previous_was_request = is_request
    for turn, start in enumerate(starts):
        end = starts[turn + 1] if turn + 1 < len(starts) else len(flat)
        episode = build("turn", turn, [item.message for item in flat[start:end] if item.message is not None])
        if episode is not None:
            yield episode

