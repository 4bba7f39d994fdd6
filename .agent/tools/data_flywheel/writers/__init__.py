"""Training formats: one module per format, each with ``NAME``, ``SCHEMA_KIND`` and ``rows(item)``.

An SFT format's ``rows`` takes an ``Example`` (a trainable run, its split and
its conversation from ``conversation.conversation_of``); a preference format's
takes a ``PreferencePair`` built from a real human judgement. Each yields the
rows the item contributes, checked by the export against ``SCHEMA_KIND``'s
schema. The export names the files (``training-examples.jsonl`` for alpaca,
``training/<NAME>/<split>.jsonl`` for the others) and lists each in
``manifest.json`` with its ``format`` and ``split``. Facts about each consumer:
``shared/formats/training-and-eval-consumers.md``; the consumer checks that
prove them: ``tests/test_consumers_training.py``.

| format | row | for |
|---|---|---|
| ``alpaca`` | ``instruction``, ``context``, ``input``, ``output``, ``metadata`` | agentic-stack, Axolotl ``alpaca`` |
| ``openai-chat`` | ``messages``, ``tools``?, ``parallel_tool_calls``? | OpenAI chat fine-tuning |
| ``hf-chat`` | ``messages``, ``tools`` (JSON text), ``metadata`` (JSON text) | TRL ``SFTTrainer``, HF chat templates |
| ``openai-preference`` | ``input``, ``preferred_output``, ``non_preferred_output`` | OpenAI DPO |
| ``trl-preference`` | ``prompt``, ``chosen``, ``rejected``, ``tools``, ``metadata`` | TRL ``DPOTrainer`` |
| ``atif`` | an ATIF-v1.8 trajectory (``atif/<split>.jsonl``) | Harbor, the Agent Data Protocol, NeMo Relay |

**Traceability.** ``alpaca``, ``hf-chat`` and ``trl-preference`` rows carry
``metadata`` (domain, workflow, split, source trace ids; ``origin`` for pairs).
In the two TRL formats it is a JSON *text*, one type in every row, so strict
``datasets`` loading cannot meet a key set that changes between rows; TRL's
``apply_chat_template`` reads only its own keys (``messages``, ``prompt``,
``chosen``, ...) and the trainers drop columns the model does not take, so an
extra column breaks nothing (checked with TRL 1.16). The OpenAI rows carry
nothing extra: the SDK's types ignore unknown keys, so passing them proves
nothing about the fine-tuning service, whose published line schemas list only
their own fields. Instead, within one split the OpenAI files line up with the
TRL files row for row: line N of ``training/openai-chat/train.jsonl`` is line
N of ``training/hf-chat/train.jsonl`` (and of the alpaca rows of that split),
and ``openai-preference`` lines up with ``trl-preference`` the same way.

**Why the TRL variants look as they do** (consumers file, sections 2.1 and 3):

- tool-call ``arguments`` are objects (templates ``tojson`` them; a string is
  double-encoded by Qwen 2.5 and Llama 3.1), ``content`` is ``""`` on a
  tool-call turn, never ``null``;
- an assistant turn that calls several tools at once becomes one turn per call,
  each followed by its result: Llama 3.1's template refuses more than one call
  per turn;
- ``tools`` is the JSON text of the tool list, and ``"null"`` (not ``"[]"``)
  when the run had none: TRL's trainers pass ``json.loads(tools)`` straight
  to the template, and Llama 3.1 writes its tool-calling preamble for an empty
  list but not for ``None``;
- no top-level ``type`` + ``message`` pair (datasets 5.x would read the file as
  agent traces). Arguments stay objects, so ``datasets>=4.7`` is needed to load
  them as written: older versions, like ``on_mixed_types=None``, fill the keys
  one call lacks but another has with ``null``, and templates render those.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List

from . import alpaca, atif, hf_chat, openai_chat, openai_preference, trl_preference
from .conversation import Conversation


@dataclass
class Example:
    """One SFT row's worth: a trainable run, the split it is in, and its conversation."""

    run: Any  # records.run.Run
    split: str
    conversation: Conversation


@dataclass
class PreferencePair:
    """Two answers to one prompt that a human told apart; ``origin`` says how.

    ``edited``: the agent's draft (``output_original``) rejected, the human's
    edit chosen. ``rejected_vs_accepted``: a rejected run's output and an
    approved run's output for the same input.
    """

    prompt: Conversation
    chosen: str
    rejected: str
    split: str
    origin: str
    domain: str
    workflow: str
    source_trace_ids: List[str] = field(default_factory=list)


SFT_FORMATS = (alpaca, openai_chat, hf_chat)
PREFERENCE_FORMATS = (openai_preference, trl_preference)
TRAINING_FORMATS = SFT_FORMATS + PREFERENCE_FORMATS
# Whole trajectories (every step, not a training conversation): ``rows(run, split, eval_case)``.
TRAJECTORY_FORMATS = (atif,)
