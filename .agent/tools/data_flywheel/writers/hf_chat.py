"""``hf-chat``: TRL's conversational language-modeling row, ``{"messages", "tools", "metadata"}``.

Shape from TRL's dataset formats (``docs/source/dataset_formats.md``, tool
calling) and the chat templates TRL ships; why each choice is made is in
``writers/__init__.py``. Every row has the same keys with the same JSON types:

- system/user: ``{"role", "content"}``;
- assistant: ``{"role", "content"}``, plus ``tool_calls``
  ``[{"id", "type": "function", "function": {"name", "arguments": object}}]``
  with exactly one call (parallel calls become one turn per call, each
  followed by its result);
- tool: ``{"role": "tool", "content", "tool_call_id", "name"}``;
- ``tools``: the JSON text of the tool specs, ``"null"`` without tools;
- ``metadata``: the JSON text of ``{"domain", "workflow", "split", "source_trace_ids"}``.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

NAME = "hf-chat"
SCHEMA_KIND = "training-example-hf-chat"


def rows(example) -> Iterator[Dict[str, Any]]:
    run = example.run
    yield {
        "messages": messages_of(example.conversation.messages),
        "tools": tools_text(example.conversation.tools),
        "metadata": json_text({"domain": run.domain, "workflow": run.workflow, "split": example.split,
                               "source_trace_ids": [run.trace_id]}),
    }


def messages_of(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Neutral messages as TRL messages, one tool call per assistant turn."""
    out: List[Dict[str, Any]] = []
    index = 0
    while index < len(messages):
        message = messages[index]
        index += 1
        role = message["role"]
        if role == "tool":
            out.append({"role": "tool", "content": message["content"], "tool_call_id": message["tool_call_id"],
                        "name": message["name"]})
            continue
        calls = message.get("tool_calls") if role == "assistant" else None
        if not calls:
            out.append({"role": role, "content": message["content"]})
            continue
        # The answers to this turn's calls: the run of tool messages right after it.
        answers: List[Dict[str, Any]] = []
        while index < len(messages) and messages[index]["role"] == "tool":
            answers.append(messages[index])
            index += 1
        for position, call in enumerate(calls):
            out.append({
                "role": "assistant",
                "content": message["content"] if position == 0 else "",
                "tool_calls": [{"id": call["id"], "type": "function",
                                "function": {"name": call["name"], "arguments": call["arguments"]}}],
            })
            out.extend(
                {"role": "tool", "content": answer["content"], "tool_call_id": answer["tool_call_id"],
                 "name": answer["name"]}
                for answer in answers if answer["tool_call_id"] == call["id"]
            )
    return out


def tools_text(tools: List[Dict[str, Any]]) -> str:
    return json_text(tools) if tools else "null"


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
