"""The episode model's conversion rules, each with a small case, and every record checked against the schema."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from data_flywheel.records import episode as ep
from data_flywheel.records.normalize import hashed_id
from data_flywheel.records.schemas import checker_for

T0 = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.timezone.utc)


def valid(record):
    issues = [str(issue) for issue in checker_for("episode").iter_issues(record)]
    assert issues == []
    return record


def user(text="Do it."):
    return ep.Message("user", text, timestamp=T0)


def assistant(text="Done.", calls=(), stop="stop", reasoning="", usage=()):
    return ep.Message("assistant", text, tool_calls=tuple(calls), reasoning=reasoning, stop_reason=stop,
                      model="m1", provider="p1", usage=usage, timestamp=T0 + dt.timedelta(seconds=5))


def build(messages, **kwargs):
    return ep.build_episode("task", "pi", "session-1", 0, messages, **kwargs)


def test_reasoning_is_dropped_by_default():
    record = valid(build([user(), assistant("Answer.", reasoning="secret plan")]).to_record())
    assert record["messages"][1] == {"role": "assistant", "content": "Answer."}


def test_reasoning_is_kept_as_reasoning_content_when_asked():
    record = valid(build([user(), assistant("Answer.", reasoning="plan")], keep_reasoning=True).to_record())
    assert record["messages"][1] == {"role": "assistant", "content": "Answer.", "reasoning_content": "plan"}


def test_split_reasoning_keeps_thinking_out_of_content():
    assert ep.split_reasoning(["a", "", "b"], ["x", "y"]) == ("a\nb", "x\ny")


def test_compaction_summary_is_wrapped_as_a_user_message():
    message = ep.compaction_summary_message("S")
    assert message.role == "user" and message.summary
    assert message.content == (
        "The conversation history before this point was compacted into the following summary:\n\n<summary>\nS\n</summary>"
    )


def test_developer_role_becomes_system():
    record = valid(build([ep.Message("developer", "Be brief."), user(), assistant()]).to_record())
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]


def test_trailing_requests_are_trimmed_but_not_the_results_of_the_last_calls():
    call = ep.ToolCall("c1", "bash", "{}")
    messages = [user(), assistant("", [call], "toolUse"), ep.Message("tool", "out", tool_call_id="c1"), user("more")]
    assert [m.role for m in ep.trim_trailing(messages)] == ["user", "assistant", "tool"]
    orphan = [user(), assistant(), ep.Message("tool", "out", tool_call_id="nobody-called")]
    assert [m.role for m in ep.trim_trailing(orphan)] == ["user", "assistant"]


def test_context_messages_counts_what_came_from_before():
    summary = ep.compaction_summary_message("earlier work")
    own = [user(), assistant()]
    episode = ep.build_episode("task", "pi", "s", 1, [ep.Message("system", "sys"), summary, *own], own=own)
    assert episode.to_record()["context_messages"] == 2
    assert ep.build_episode("task", "pi", "s", 0, own).to_record()["context_messages"] == 0


@pytest.mark.parametrize("roles, usable", [
    (["user", "assistant"], True),
    (["assistant", "tool"], False),
    (["user"], False),
    ([], False),
])
def test_usable_needs_a_user_and_an_assistant(roles, usable):
    messages = [ep.Message(role, "x", tool_call_id="c" if role == "tool" else None) for role in roles]
    assert ep.is_usable(messages) is usable
    assert (build(messages) is not None) is usable


def test_tool_call_only_turn_has_empty_string_content_and_json_arguments():
    call = ep.ToolCall("c1", "read", ep.arguments_json({"path": "a.txt"}))
    record = valid(build([user(), assistant("", [call], "toolUse"), ep.Message("tool", "alpha", tool_call_id="c1", name="read"),
                          assistant("alpha")]).to_record())
    assert record["messages"][1] == {"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "read", "arguments": '{"path": "a.txt"}'}}]}
    assert record["messages"][2] == {"role": "tool", "content": "alpha", "tool_call_id": "c1", "name": "read"}
    assert record["tools"] == [{"type": "function", "function": {"name": "read"}}]
    assert record["unanswered_tool_calls"] == 0


def test_arguments_json_keeps_a_string_and_encodes_none_as_an_empty_object():
    assert ep.arguments_json('{"a":1}') == '{"a":1}'
    assert ep.arguments_json(None) == "{}"


def test_unanswered_tool_calls_are_kept_and_counted():
    calls = [ep.ToolCall("c1", "read", "{}"), ep.ToolCall("c2", "read", "{}")]
    messages = [user(), assistant("", calls, "toolUse"), ep.Message("tool", "x", tool_call_id="c1"), assistant("partial")]
    record = valid(build(messages).to_record())
    assert record["unanswered_tool_calls"] == 1
    assert len(record["messages"][1]["tool_calls"]) == 2


@pytest.mark.parametrize("stop, outcome", [("stop", "completed"), ("toolUse", "completed"), ("error", "failed"),
                                           ("aborted", "aborted"), (None, "completed")])
def test_outcome_comes_from_the_last_assistant_stop_reason(stop, outcome):
    assert valid(build([user(), assistant(stop=stop)]).to_record())["outcome"] == outcome


def test_id_is_a_sha256_over_session_hash_kind_and_segment():
    session_hash = hashed_id("session-1")
    assert ep.episode_id(session_hash, "task", 0).startswith("ep_")
    assert len(ep.episode_id(session_hash, "task", 0)) == 3 + 32
    assert ep.episode_id(session_hash, "task", 0) != ep.episode_id(session_hash, "task", 1)
    assert ep.episode_id(session_hash, "task", 0) != ep.episode_id(session_hash, "turn", 0)
    assert build([user(), assistant()]).id == ep.episode_id(session_hash, "task", 0)


def test_record_fields():
    record = valid(build([user(), assistant(usage=(("input_tokens", 3), ("output_tokens", 2)))]).to_record())
    assert record["session_hash"] == hashed_id("session-1")
    assert (record["harness"], record["kind"], record["segment"], record["pair_id"]) == ("pi", "task", 0, None)
    assert (record["model"], record["provider"]) == ("m1", "p1")
    assert record["usage"] == {"input_tokens": 3, "output_tokens": 2}
    assert (record["started_at"], record["ended_at"]) == ("2026-01-05T10:00:00Z", "2026-01-05T10:00:05Z")
    json.dumps(record, allow_nan=False)


def test_usage_and_times_come_from_own_messages_only():
    carried = assistant("old", usage=(("input_tokens", 100),))
    new = assistant("new", usage=(("input_tokens", 1),))
    record = valid(build([user(), carried, user("next"), new], own=[new]).to_record())
    assert record["usage"] == {"input_tokens": 1}


def test_compact_summary_messages_and_pairing():
    chat = ep.compact_summary_messages([user("Build it."), assistant("Built.")], "## Goal\nBuild it.")
    assert [m.role for m in chat] == ["user", "assistant", "user", "assistant"]
    assert chat[2].content == ep.SUMMARIZATION_INSTRUCTION and chat[3].content == "## Goal\nBuild it."
    task = build([user(), assistant()])
    summary = ep.build_episode("compact_summary", "pi", "session-1", 0, chat, own=[])
    ep.pair(task, summary)
    assert valid(task.to_record())["pair_id"] == summary.id
    assert valid(summary.to_record())["pair_id"] == task.id


def test_no_compact_summary_when_only_an_earlier_summary_was_compacted():
    assert ep.compact_summary_messages([], "S") is None
    assert ep.compact_summary_messages([ep.compaction_summary_message("earlier")], "S") is None


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        ep.build_episode("chat", "pi", "s", 0, [user(), assistant()])
