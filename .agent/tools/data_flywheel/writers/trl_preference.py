"""``trl-preference``: TRL's conversational preference row, ``{"prompt", "chosen", "rejected", "tools", "metadata"}``.

The explicit-prompt preference type of TRL's dataset formats: ``prompt`` is the
conversation before the answer (messages exactly as in ``hf-chat``, so it ends
with a user or tool message), ``chosen`` and ``rejected`` one assistant message
each. ``tools`` (read by ``DPOTrainer`` with ``json.loads``) and ``metadata``
are JSON texts as in ``hf-chat``; metadata adds the pair's ``origin``.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator

from .hf_chat import json_text, messages_of, tools_text

NAME = "trl-preference"
SCHEMA_KIND = "training-example-trl-preference"


def rows(pair) -> Iterator[Dict[str, Any]]:
    yield {
        "prompt": messages_of(pair.prompt.messages),
        "chosen": [{"role": "assistant", "content": pair.chosen}],
        "rejected": [{"role": "assistant", "content": pair.rejected}],
        "tools": tools_text(pair.prompt.tools),
        "metadata": json_text({"domain": pair.domain, "workflow": pair.workflow, "split": pair.split,
                               "origin": pair.origin, "source_trace_ids": list(pair.source_trace_ids)}),
    }
