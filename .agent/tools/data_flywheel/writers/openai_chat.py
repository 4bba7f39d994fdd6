"""``openai-chat``: OpenAI's chat fine-tuning line, ``{"messages", "tools"?, "parallel_tool_calls"?}``.

Shape from OpenAI's ``FineTuneChatRequestInput`` (openai/openai-openapi) and
the SDK's ``ChatCompletionMessageParam``: ``content`` is always a string (``""``
on a tool-call turn); assistant ``tool_calls`` are
``{"id", "type": "function", "function": {"name", "arguments": JSON text}}``;
a tool message has ``tool_call_id`` (and no ``name``: the tool message type
has none). ``tools`` and ``parallel_tool_calls: true`` appear only when the
run offered tools (the chat API refuses an empty ``tools`` list). No ``weight``:
every assistant turn of an approved trajectory is trained. No traceability
field: see ``writers/__init__.py``.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

NAME = "openai-chat"
SCHEMA_KIND = "training-example-openai-chat"


def rows(example) -> Iterator[Dict[str, Any]]:
    conversation = example.conversation
    yield chat_line(conversation.messages, conversation.tools)


def chat_line(messages: List[Dict[str, Any]], tools: List[Dict[str, Any]]) -> Dict[str, Any]:
    """``{"messages", "tools"?, "parallel_tool_calls"?}`` for neutral messages and tool specs."""
    line: Dict[str, Any] = {"messages": [message_of(message) for message in messages]}
    if tools:
        line["tools"] = tools
        line["parallel_tool_calls"] = True
    return line


def message_of(message: Dict[str, Any]) -> Dict[str, Any]:
    role = message["role"]
    out: Dict[str, Any] = {"role": role, "content": message["content"]}
    if role == "assistant" and message.get("tool_calls"):
        out["tool_calls"] = [
            {"id": call["id"], "type": "function",
             "function": {"name": call["name"], "arguments": arguments_text(call["arguments"])}}
            for call in message["tool_calls"]
        ]
    elif role == "tool":
        out["tool_call_id"] = message["tool_call_id"]
    return out


def arguments_text(arguments: Dict[str, Any]) -> str:
    return json.dumps(arguments, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
