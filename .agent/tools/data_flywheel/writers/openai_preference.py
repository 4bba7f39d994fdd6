"""``openai-preference``: OpenAI's DPO line, ``{"input", "preferred_output", "non_preferred_output"}``.

From OpenAI's DPO guide and cookbook (not the 2024-12..2025-06 OpenAPI
spellings ``preferred_completion``/``non_preferred_completion``): ``input`` is a
chat line (``messages``, and ``tools``/``parallel_tool_calls`` when the run
offered tools) ending before the answer; each output is one assistant message.
Messages are written exactly as in ``openai-chat``.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator

from .openai_chat import chat_line

NAME = "openai-preference"
SCHEMA_KIND = "training-example-openai-preference"


def rows(pair) -> Iterator[Dict[str, Any]]:
    yield {
        "input": chat_line(pair.prompt.messages, pair.prompt.tools),
        "preferred_output": [{"role": "assistant", "content": pair.chosen}],
        "non_preferred_output": [{"role": "assistant", "content": pair.rejected}],
    }
