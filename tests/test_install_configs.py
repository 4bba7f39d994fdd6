"""The edits install makes to the user's files, each with its exact inverse."""
import json

import pytest

from data_flywheel.errors import ConfigError
from data_flywheel.install import configs, targets

MARKER = targets.HOOK_MARKER
CLAUDE = targets.CLAUDE_CODE.hooks
CURSOR = targets.CURSOR.hooks
GEMINI = targets.GEMINI.hooks


def test_hooks_are_appended_after_the_users_own_and_removed_again():
    mine = {"matcher": "auto", "hooks": [{"type": "command", "command": "./save.sh"}]}
    document = {"model": "opus", "hooks": {"PreCompact": [mine]}}
    merged, undo = configs.add_hooks(document, CLAUDE, "s.json", MARKER)
    assert merged["model"] == "opus" and merged["hooks"]["PreCompact"][0] == mine
    ours = merged["hooks"]["PreCompact"][1]["hooks"][0]
    assert ours == {"type": "command", "command": CLAUDE.command(), "timeout": 30}
    assert undo == {"events_added": ["SessionEnd"], "hooks_added": False}
    assert document == {"model": "opus", "hooks": {"PreCompact": [mine]}}  # the input is not changed
    again, _ = configs.add_hooks(merged, CLAUDE, "s.json", MARKER)
    assert again == merged  # the command is the idempotency key
    assert configs.remove_hooks(merged, CLAUDE, "s.json", MARKER, undo) == document


def test_a_group_shared_with_the_users_handler_keeps_theirs():
    document = {"hooks": {"SessionEnd": [{"hooks": [{"type": "command", "command": "./a.sh"},
                                                    {"type": "command", "command": CLAUDE.command()}]}]}}
    removed = configs.remove_hooks(document, CLAUDE, "s.json", MARKER, {"events_added": [], "hooks_added": False})
    assert removed == {"hooks": {"SessionEnd": [{"hooks": [{"type": "command", "command": "./a.sh"}]}]}}


def test_cursor_hooks_are_flat_and_a_new_file_says_version_1():
    merged, undo = configs.add_hooks({"version": 1}, CURSOR, "hooks.json", MARKER)
    assert merged == {"version": 1, "hooks": {
        "sessionEnd": [{"command": CURSOR.command(), "timeout": 30}],
        "preCompact": [{"command": CURSOR.command(), "timeout": 30}],
    }}
    assert configs.remove_hooks(merged, CURSOR, "hooks.json", MARKER, undo) == {"version": 1}


def test_gemini_handlers_have_a_name_json_output_and_milliseconds():
    merged, _undo = configs.add_hooks({}, GEMINI, "settings.json", MARKER)
    handler = merged["hooks"]["SessionEnd"][0]["hooks"][0]
    assert handler["name"] == "data-flywheel-capture" and handler["timeout"] == 30000
    assert " hook --json " in handler["command"] and '"$GEMINI_PROJECT_DIR/.agent"' in handler["command"]


@pytest.mark.parametrize("text, message", [
    ('{"hooks": 3}', '"hooks" is not an object'),
    ('{"hooks": {"PreCompact": {}}}', '"hooks.PreCompact" is not a list'),
])
def test_a_hooks_shape_we_cannot_append_to_is_refused(text, message):
    with pytest.raises(ConfigError) as caught:
        configs.add_hooks(json.loads(text), CLAUDE, "s.json", MARKER)
    assert caught.value.message == message and caught.value.source == "s.json"


@pytest.mark.parametrize("text, line", [("{\n  \"a\": 1,\n}\n", 3), ("[1]", 1), ("{\"a\": tru}", 1)])
def test_malformed_json_names_the_line(text, line):
    with pytest.raises(ConfigError) as caught:
        configs.parse_object(text, "settings.json")
    assert caught.value.line == line and "nothing was changed" in caught.value.remedy


def test_jsonc_is_recognised_only_where_the_harness_allows_comments():
    text = '{\n  // a comment with "quotes" and a // inside\n  "url": "http://x//y", /* block */\n  "a": [1, 2,],\n}\n'
    with pytest.raises(configs.JsoncFile):
        configs.parse_object(text, "settings.json", comments_allowed=True)
    with pytest.raises(ConfigError):
        configs.parse_object(text, "settings.json", comments_allowed=False)
    assert json.loads(configs._strip_jsonc(text)) == {"url": "http://x//y", "a": [1, 2]}
    with pytest.raises(ConfigError):  # broken even without its comments: malformed, not JSONC
        configs.parse_object('{\n // c\n "a": }', "settings.json", comments_allowed=True)


def test_indentation_is_kept():
    assert configs.indent_of('{\n    "a": 1\n}') == 4
    assert configs.indent_of('{\n\t"a": 1\n}') == "\t"
    assert configs.indent_of('{"a": 1}') == 2


def test_gitignore_lines_are_added_once_and_taken_out_exactly():
    assert configs.gitignore_missing("/.agent/flywheel\n", [".agent/flywheel/"]) == []
    assert configs.gitignore_missing(".agent/flywheel/*\n", [".agent/flywheel/"]) == []
    assert configs.gitignore_missing(".agent/\n", [".agent/flywheel/"]) == [".agent/flywheel/"]
    text = "node_modules/\n*.log"
    appended = configs.gitignore_append(text, [".agent/flywheel/"])
    assert appended == f"node_modules/\n*.log\n{configs.GITIGNORE_COMMENT}\n.agent/flywheel/\n"
    edited = appended + "dist/\n"
    assert configs.gitignore_remove(edited, [".agent/flywheel/"]) == "node_modules/\n*.log\ndist/\n"


def test_a_config_key_is_set_and_put_back():
    for before in ({}, {"capture_hook": False, "accept_auto_redacted": True}):
        after, undo = configs.set_key(before, "capture_hook", True)
        assert after["capture_hook"] is True
        assert configs.unset_key(after, undo) == before


def test_the_snippet_is_the_json_to_merge():
    snippet = json.loads(configs.hooks_snippet(CURSOR, MARKER))
    assert snippet["version"] == 1 and set(snippet["hooks"]) == {"sessionEnd", "preCompact"}
