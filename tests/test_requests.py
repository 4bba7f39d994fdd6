"""Which user texts are a person's request: each rule with what it catches and what it must not."""
import pytest

from data_flywheel.records import episode as ep
from data_flywheel.records.requests import not_a_request

NOT_REQUESTS = [
    ("", "empty"),
    ("   \n", "empty"),
    (None, "empty"),
    (ep.COMPACTION_SUMMARY_PREFIX + "we did x" + ep.COMPACTION_SUMMARY_SUFFIX, "compaction_wrapper"),
    (ep.BRANCH_SUMMARY_PREFIX + "a branch" + ep.BRANCH_SUMMARY_SUFFIX, "compaction_wrapper"),
    ("This session is being continued from a previous conversation that ran out of context.", "compaction_wrapper"),
    ("<command-message>init is analyzing your codebase…</command-message>\n<command-name>/init</command-name>",
     "command_tag"),
    ("<command-name>/clear</command-name>\n<command-message>clear</command-message>", "command_tag"),
    ("<local-command-stdout></local-command-stdout>", "command_tag"),
    ("<bash-input>ls</bash-input>", "command_tag"),
    ("Ran `ls`\n```\nREADME.md\n```", "shell_output"),
    ("Ran `false`\n(no output)", "shell_output"),
    ("[Request interrupted by user]", "interruption"),
    ("[Request interrupted by user for tool use]", "interruption"),
    ("Warmup", "warmup"),
    ("/clear", "housekeeping"),
    ("/exit", "housekeeping"),
    ("/compact keep the failing tests in mind", "housekeeping"),
    ("/model opus", "housekeeping"),
    ("/bmad:bmm:workflow-status", "bare_command"),
]

REQUESTS = [
    "fix the failing test in tests/test_io.py",
    "d",  # a menu choice is still the person's answer
    "Warmup the cache before the benchmark",
    "/tmp/build.log has the error, read it",  # a path, not a command
    "please run /clear semantics by me: what does it keep?",
    "Ran the tests myself, they pass",
    "continue",
]


@pytest.mark.parametrize("text, reason", NOT_REQUESTS)
def test_not_a_request(text, reason):
    assert not_a_request(text) == reason


@pytest.mark.parametrize("text", REQUESTS)
def test_a_request(text):
    assert not_a_request(text) is None
