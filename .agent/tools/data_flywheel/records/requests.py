"""Which user messages are a person's request, and which are the harness talking.

A candidate starts at a real user request. Sessions also hold user-role text
nobody typed as a request: slash-command tags, housekeeping commands
(``/clear``, ``/exit``, ``/compact``), the wrapper around a compaction summary,
the "Warmup" ping Claude Code sends each subagent, interruption markers. Each
is a small named predicate; ``not_a_request(text)`` returns the first that
matches (a reason, for counts and tests) or None for a real request.

The readers drop most of these already where the format marks them (Claude
Code's ``isMeta`` lines, Codex's injected context); this is the shared last
word, for every harness, so a candidate's task is never one of them.
"""
from __future__ import annotations

import re
from typing import Callable, Optional, Tuple

from .episode import BRANCH_SUMMARY_PREFIX, COMPACTION_SUMMARY_PREFIX

# Commands that manage the session itself (Claude Code, Codex, Gemini CLI, pi): never a task.
HOUSEKEEPING_COMMANDS = frozenset({
    "/clear", "/exit", "/quit", "/compact", "/compress", "/new", "/reset", "/resume", "/model", "/cost",
    "/status", "/help", "/config", "/login", "/logout", "/mode", "/theme", "/memory", "/permissions",
    "/vim", "/doctor", "/bug", "/fork", "/tree", "/session", "/export", "/copy", "/stats",
    "/chat", "/settings", "/tools", "/mcp", "/hooks", "/agents", "/context", "/usage", "/undo",
})
# Claude Code writes these as user text; they are markers, not words.
INTERRUPTION_MARKERS = ("[Request interrupted by user]", "[Request interrupted by user for tool use]")
# Claude Code's subagent warm-up prompt (sent to each agent before real work).
WARMUP = "Warmup"
# A Claude Code command tag (<command-name>/x</command-name>, <command-message>, <command-args>),
# local command output, or its bash mode (!cmd: <bash-input>, <bash-stdout>, <bash-stderr>).
_COMMAND_TAG = re.compile(r"\s*<(command-name|command-message|command-args|local-command-[a-z]+|bash-[a-z]+)>")
# pi's bash mode (!cmd): the command's output handed to the model as user text
# (bashExecutionToText in badlogic/pi-mono:packages/coding-agent/src/core/messages.ts).
_SHELL_OUTPUT = re.compile(r"Ran `[^`\n]*`\n(```|\(no output\))")
# A bare slash command and nothing else ("/mode", "/bmad:bmm:status"): the harness acted on it.
_BARE_COMMAND = re.compile(r"/[A-Za-z][\w:.-]*\Z")
# Claude Code's continuation preamble when a summary arrives as plain user text.
_CONTINUATION = "This session is being continued from a previous conversation"


def is_empty(text: str) -> bool:
    return not text.strip()


def is_compaction_wrapper(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith((COMPACTION_SUMMARY_PREFIX, BRANCH_SUMMARY_PREFIX, _CONTINUATION))


def is_command_tag(text: str) -> bool:
    return _COMMAND_TAG.match(text) is not None


def is_housekeeping(text: str) -> bool:
    words = text.strip().split()
    return bool(words) and words[0].lower() in HOUSEKEEPING_COMMANDS


def is_shell_output(text: str) -> bool:
    return _SHELL_OUTPUT.match(text) is not None


def is_bare_command(text: str) -> bool:
    return _BARE_COMMAND.match(text.strip()) is not None


def is_warmup(text: str) -> bool:
    return text.strip() == WARMUP


def is_interruption(text: str) -> bool:
    return text.strip() in INTERRUPTION_MARKERS


# Cheap and likely checks first; each name is the reason reported.
_RULES: Tuple[Tuple[str, Callable[[str], bool]], ...] = (
    ("empty", is_empty),
    ("compaction_wrapper", is_compaction_wrapper),
    ("command_tag", is_command_tag),
    ("shell_output", is_shell_output),
    ("interruption", is_interruption),
    ("warmup", is_warmup),
    ("housekeeping", is_housekeeping),
    ("bare_command", is_bare_command),
)


def not_a_request(text: object) -> Optional[str]:
    """Why this user text is not a person's request, or None when it is one."""
    if not isinstance(text, str):
        return "empty"
    for reason, rule in _RULES:
        if rule(text):
            return reason
    return None
