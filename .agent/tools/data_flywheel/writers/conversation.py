"""One approved run as a chat conversation in a neutral form every training format starts from.

``conversation_of(run)`` is the whole SFT conversation; ``prompt_of(run)`` is
everything before its final answer (the prompt of a preference pair). The
neutral form is what the format writers translate, nothing more:

- ``role`` is ``system``, ``user``, ``assistant`` or ``tool``; ``content`` is
  always a string;
- an assistant message that calls tools has ``tool_calls``:
  ``[{"id": str, "name": str, "arguments": dict}]`` (never an empty list);
- a tool message has ``tool_call_id`` and ``name`` (the called tool's);
- ``tools`` holds OpenAI-style function specs
  ``{"type": "function", "function": {"name", "description"?, "parameters"?}}``:
  the run's own definitions, plus one for every tool the conversation calls;
  where the run brought no ``parameters``, they are inferred from the
  conversation's calls (``tool_schemas.py``, marked with a ``$comment``); the
  export later gives the chat files the workflow's schema (``export/tool_specs.py``).

**A run with a chat trajectory** (``messages``) keeps it, tool calls included:

1. ``developer`` becomes ``system``; a content-part list becomes its text parts
   joined by newlines (an image becomes ``[image]``); ``null`` content becomes
   ``""``; ``reasoning_content`` is dropped (a redacted approved answer is what
   is trained, not the model's scratchpad, and most templates cannot place it).
2. The leading system messages become one. A system message later in the
   trajectory (a harness reminder) becomes a user message: several templates
   accept a system message only first, and TRL refuses a prompt that ends in one.
3. Consecutive assistant messages become one (their texts joined by a blank
   line, their tool calls in order), which is how chat-completions represents
   a turn.
4. The last assistant message is the final answer. Messages after it are
   dropped (a trailing "thanks" or the results of calls it made), so tool
   calls on the final answer are dropped too. Its content becomes the run's
   ``output_approved`` (a human edit replaces the agent's draft). A trajectory
   with no assistant message gets one with ``output_approved``.
5. **Unanswered tool calls** are dropped: a call is answered only by a tool
   message with its id in the run of tool messages right after the calling
   message (chat-completions refuses anything else). Tool messages that answer
   no such call (orphans, second answers, an empty ``tool_call_id``) are dropped;
   an assistant message left with neither text nor calls is dropped. A call
   without an id, or repeating an id in the same message, is unanswerable.
6. After the system message comes a user message: turns before the first
   user message (an assistant's greeting) are dropped, and a trajectory with
   no user message before its answer gets the run's ``input_redacted`` as one.
   Llama 3.1's template, given tools, takes the first message after the system
   message as the user's request whatever its role.

**Tool names** that break OpenAI's ``[a-zA-Z0-9_-]{1,64}`` (an MCP ``server.tool``,
a long or non-ASCII name) are renamed consistently within the conversation, in
calls, tool messages and ``tools``: every other character becomes ``_`` and
the name is cut to 64; when that would collide with another tool's name or
leaves no letter or digit, ``_`` plus 8 hex digits of the name's SHA-256 end it.

**Not representable**, the run falls back to the plain form below with its
``tools`` (the answer is kept, the trajectory is not): a tool call with an empty
name, or ``arguments`` that are neither an object nor a JSON text of an object.
Missing, ``null``, ``""`` or ``"null"`` arguments mean ``{}`` (a call without
arguments); a JSON text of a list, number or string, or text that is not JSON
(a truncated call), is the model's broken output and must not be trained as
a call, and guessing a wrapper object would invent arguments nobody approved.

**A run with only input and output** becomes system + user + assistant: system
is the run's ``instruction`` (default below), plus a blank line and its
``context`` when it has one; user is ``input_redacted``; assistant is
``output_approved``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from ..jsonio import parse_json_text
from ..records.episode import text_of
from .tool_schemas import with_inferred

DEFAULT_INSTRUCTION = "Complete this approved workflow using the provided context card."

# OpenAI function names: tools[].function.name in the chat-completions and fine-tuning specs.
TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_-]")
_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool"}


@dataclass
class Conversation:
    messages: List[Dict[str, Any]]
    tools: List[Dict[str, Any]] = field(default_factory=list)


class _Unrepresentable(Exception):
    """The trajectory cannot be written faithfully in every format; the plain form is used."""


def conversation_of(run) -> Conversation:
    """The full SFT conversation of a (redacted, normalised) run; see the module docstring."""
    raw_tools = run.record.get("tools")
    trajectory = None
    try:
        trajectory = _trajectory(run)
    except _Unrepresentable:
        pass
    messages = trajectory if trajectory is not None else _plain(run)
    names = _name_map(_tool_names(messages, raw_tools))
    if names:
        for message in messages:
            for call in message.get("tool_calls", ()):
                call["name"] = names.get(call["name"], call["name"])
            if message["role"] == "tool":
                message["name"] = names.get(message["name"], message["name"])
    calls = [call for message in messages for call in message.get("tool_calls", ())]
    return Conversation(messages=messages, tools=with_inferred(_tools(raw_tools, names), calls))


def prompt_of(run) -> Conversation:
    """Everything before the final answer: the prompt a preference pair's two answers follow."""
    return prompt_from(conversation_of(run))


def prompt_from(conversation: Conversation) -> Conversation:
    """``prompt_of`` for a conversation already built (writers never change the messages they read)."""
    return Conversation(messages=conversation.messages[:-1], tools=conversation.tools)


# --- the plain form ------------------------------------------------------------------


def _plain(run) -> List[Dict[str, Any]]:
    system = run.text("instruction") or DEFAULT_INSTRUCTION
    context = run.text("context")
    if context:
        system = f"{system}\n\n{context}"
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": run.text("input_redacted")},
        {"role": "assistant", "content": run.text("output_approved")},
    ]


# --- the trajectory, one step per numbered rule in the docstring ---------------------


def _trajectory(run) -> Optional[List[Dict[str, Any]]]:
    raw = run.record.get("messages")
    if not isinstance(raw, list) or not raw:
        return None
    messages = [message for message in map(_message, raw) if message is not None]  # rule 1
    messages = _systems_first(messages)  # rule 2
    messages = _merge_assistants(messages)  # rule 3
    messages = _cut_after_final(messages)  # rule 4
    messages = _answered_only(messages)  # rule 5
    messages = _merge_assistants(messages)  # dropping messages can leave two assistants side by side
    if not messages or messages[-1]["role"] != "assistant":
        messages.append({"role": "assistant", "content": ""})
    answer = run.text("output_approved")
    if answer:
        messages[-1]["content"] = answer
    return _user_first(messages, run.text("input_redacted"))  # rule 6


def _message(raw: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(raw, dict):
        return None
    role = _ROLES.get(raw.get("role"))  # type: ignore[arg-type]
    if role is None:
        return None
    message: Dict[str, Any] = {"role": role, "content": text_of(raw.get("content"))}
    if role == "assistant":
        calls = [_call(call) for call in raw.get("tool_calls") or ()]
        if calls:
            message["tool_calls"] = calls
    elif role == "tool":
        call_id = raw.get("tool_call_id")
        message["tool_call_id"] = call_id if isinstance(call_id, str) else ""
    return message


def _call(raw: Any) -> Dict[str, Any]:
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise _Unrepresentable("a tool call without a name")
    arguments = _arguments(function.get("arguments"))  # type: ignore[union-attr]
    if arguments is None:
        raise _Unrepresentable("tool call arguments that are not a JSON object")
    call_id = raw.get("id")
    return {"id": call_id if isinstance(call_id, str) else "", "name": name, "arguments": arguments}


def _arguments(value: Any) -> Optional[Dict[str, Any]]:
    """The arguments as an object, or None when they are not one (see the docstring)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return None
    if not value.strip():
        return {}
    parsed, problem = parse_json_text(value)
    if problem is not None:
        return None
    if parsed is None:
        return {}
    return parsed if isinstance(parsed, dict) else None


def _systems_first(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    leading: List[str] = []
    index = 0
    while index < len(messages) and messages[index]["role"] == "system":
        leading.append(messages[index]["content"])
        index += 1
    out: List[Dict[str, Any]] = []
    system = "\n\n".join(text for text in leading if text)
    if system:
        out.append({"role": "system", "content": system})
    for message in messages[index:]:
        if message["role"] == "system":
            message = {"role": "user", "content": message["content"]}
        out.append(message)
    return out


def _merge_assistants(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for message in messages:
        previous = out[-1] if out else None
        if message["role"] == "assistant" and previous is not None and previous["role"] == "assistant":
            texts = [text for text in (previous["content"], message["content"]) if text]
            merged: Dict[str, Any] = {"role": "assistant", "content": "\n\n".join(texts)}
            calls = previous.get("tool_calls", []) + message.get("tool_calls", [])
            if calls:
                merged["tool_calls"] = calls
            out[-1] = merged
        else:
            out.append(message)
    return out


def _cut_after_final(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    last = max((index for index, message in enumerate(messages) if message["role"] == "assistant"), default=None)
    if last is None:
        return messages
    messages = messages[: last + 1]
    messages[last] = {"role": "assistant", "content": messages[last]["content"]}
    return messages


def _answered_only(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Keep calls answered in the tool block right after them and the tool messages that answer them."""
    kept: List[Dict[str, Any]] = []
    open_calls: Dict[str, Dict[str, Any]] = {}  # id -> call of the latest assistant message, until answered
    answered: set = set()
    for message in messages:
        role = message["role"]
        if role == "assistant":
            open_calls = {}
            for call in message.get("tool_calls", ()):
                if call["id"] and call["id"] not in open_calls:
                    open_calls[call["id"]] = call
            kept.append(message)
        elif role == "tool":
            call = open_calls.pop(message["tool_call_id"], None)
            if call is not None:
                answered.add(id(call))
                kept.append({"role": "tool", "content": message["content"], "tool_call_id": call["id"],
                             "name": call["name"]})
        else:
            open_calls = {}
            kept.append(message)
    out: List[Dict[str, Any]] = []
    for position, message in enumerate(kept):
        if message["role"] == "assistant" and "tool_calls" in message:
            calls = [call for call in message["tool_calls"] if id(call) in answered]
            message = {"role": "assistant", "content": message["content"]}
            if calls:
                message["tool_calls"] = calls
        is_final = position == len(kept) - 1
        if message["role"] == "assistant" and not is_final and not message["content"] and "tool_calls" not in message:
            continue
        out.append(message)
    return out


def _user_first(messages: List[Dict[str, Any]], task: str) -> List[Dict[str, Any]]:
    start = 1 if messages and messages[0]["role"] == "system" else 0
    first_user = next((index for index, message in enumerate(messages) if message["role"] == "user"), None)
    if first_user is None:
        return messages[:start] + [{"role": "user", "content": task}] + messages[start:]
    return messages[:start] + messages[first_user:]


# --- tool names and specs ------------------------------------------------------------


def _tool_names(messages: List[Dict[str, Any]], raw_tools: Any) -> List[str]:
    names = [call["name"] for message in messages for call in message.get("tool_calls", ())]
    for spec in raw_tools if isinstance(raw_tools, list) else ():
        function = spec.get("function") if isinstance(spec, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if isinstance(name, str) and name:
            names.append(name)
    return names


def _name_map(names: Iterable[str]) -> Dict[str, str]:
    """Original -> OpenAI-valid name, for the names that need it; never two tools on one name."""
    distinct = set(names)
    taken = {name for name in distinct if TOOL_NAME.match(name)}
    renamed: Dict[str, str] = {}
    for name in sorted(distinct - taken):
        cleaned = _NOT_NAME_CHAR.sub("_", name)[:64]
        if cleaned in taken or not any(char.isalnum() for char in cleaned):
            cleaned = cleaned[:55] + "_" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        taken.add(cleaned)
        renamed[name] = cleaned
    return renamed


def _tools(raw_tools: Any, names: Dict[str, str]) -> List[Dict[str, Any]]:
    """OpenAI-style function specs with valid names; entries that are not function specs are left out."""
    tools: List[Dict[str, Any]] = []
    seen = set()
    for spec in raw_tools if isinstance(raw_tools, list) else ():
        function = spec.get("function") if isinstance(spec, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(name, str) or not name:
            continue
        name = names.get(name, name)
        if name in seen:
            continue
        seen.add(name)
        out: Dict[str, Any] = {"name": name}
        if isinstance(function.get("description"), str):  # type: ignore[union-attr]
            out["description"] = function["description"]  # type: ignore[index]
        if isinstance(function.get("parameters"), dict):  # type: ignore[union-attr]
            out["parameters"] = function["parameters"]  # type: ignore[index]
        tools.append({"type": "function", "function": out})
    return tools
