"""One candidate per answered request, on real sessions (../shared/fixtures) and hand-made episodes."""
import os

import pytest

from conftest import ROOT
from data_flywheel.records import candidates as cands
from data_flywheel.records import episode as ep
from data_flywheel.records.requests import not_a_request
from data_flywheel.records.schemas import checker_for
from data_flywheel.sources.harness import claude_code, codex, pi

SHARED = os.path.join(ROOT, "..", "shared", "fixtures")
CLAUDE = os.path.join(SHARED, "claude-code", "codemie")
needs_shared = pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/fixtures is not beside the checkout")
CHECK = checker_for("candidate-run")


def candidates_of(episodes):
    found = []
    for episode in episodes:
        if episode.kind != "task":
            continue
        record = episode.to_record()
        found.extend(cands.candidates_from_episode(record, cands.facts_of(episode.messages), placeholders={},
                                                   project="demo", harvested_at="2026-01-01T00:00:00Z"))
    for candidate in found:
        assert CHECK.is_valid(candidate), candidate["id"]
    return found


def read(reader, path):
    return candidates_of(reader.read_session(path, lambda problem: None))


def user(text):
    return ep.Message("user", text)


def assistant(text="", calls=(), stop="stop"):
    return ep.Message("assistant", text, tool_calls=tuple(calls), stop_reason=stop)


@needs_shared
def test_a_custom_slash_command_becomes_the_prompt_the_model_received():
    found = read(claude_code, os.path.join(CLAUDE, "session-3fe1b6bc.jsonl"))
    first = found[0]["input_redacted"]
    assert first.startswith("IT IS CRITICAL THAT YOU FOLLOW THESE STEPS")
    assert found[1]["input_redacted"].startswith("analyze existing codex folder for sessions structure")
    for candidate in found:
        texts = [m["content"] for m in candidate["messages"] if m["role"] == "user"]
        assert not any(t.lstrip().startswith(("<command-", "<local-command-")) for t in texts)
        assert not_a_request(candidate["input_redacted"]) is None


@needs_shared
def test_clear_and_warmup_never_become_candidates():
    session = read(claude_code, os.path.join(CLAUDE, "session-196820da.jsonl"))  # opens with /clear
    assert session[0]["input_redacted"].startswith("ultrathink there is logic that tracks files")
    for name in ("agent-36541525.jsonl", "agent-50243ee8.jsonl"):  # subagent "Warmup" pings
        assert read(claude_code, os.path.join(CLAUDE, "-tmp-private", name)) == []


@needs_shared
def test_each_request_is_a_candidate_with_the_earlier_context():
    found = read(claude_code, os.path.join(CLAUDE, "-tmp-private", "4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl"))
    assert [c["input_redacted"] for c in found] == ["create hello.py, md and js", "update py with one liner comment",
                                                    "delete js"]
    assert [c["output_approved"] for c in found][2] == "Done! I've deleted hello.js."
    second = found[1]
    assert second["messages"][0]["content"] == "create hello.py, md and js"  # what the model saw first
    assert second["size"]["context_messages"] == 6 and second["size"]["messages"] == 6
    assert second["messages"][6]["content"] == "update py with one liner comment"
    assert second["messages"][-1]["content"] == second["output_approved"]
    assert [c["size"]["tool_calls"] for c in found] == [3, 2, 1]
    assert {c["started_at"] for c in found} == {c["created_at"] for c in found}
    assert len({c["id"] for c in found}) == 3
    assert all(c["project"] == "demo" and c["harness"] == "claude-code" for c in found)


@needs_shared
def test_an_interrupted_request_is_a_labelled_negative_candidate():
    found = read(claude_code, os.path.join(CLAUDE, "session-9eda1058.jsonl"))
    assert [(c["input_redacted"], c["outcome"]) for c in found] == [
        ("show tools and store response in file", "aborted"), ("explore more of current repo", "completed"),
        ("what else?", "completed")]
    assert found[0]["source"]["outcome"] == "aborted"


@needs_shared
def test_codex_desktop_prompts_each_become_a_candidate():
    path = os.path.join(SHARED, "codex", "codemie", "rollout-2026-05-11T13-28-45-019e1695-0522-7c83-8b39-0dd379793f80.jsonl")
    found = read(codex, path)
    assert len(found) == 3
    assert "My request for Codex:\nanalyze trascript" in found[0]["input_redacted"]
    assert found[1]["input_redacted"].startswith("there is a need for nikita to draft demo scenario")
    assert found[0]["messages"][0]["role"] == "system"  # the system prompt is kept whatever the budget


def test_requests_in_carried_context_are_not_candidates_again():
    # pi's real session compacts twice; kept messages after each summary were requests of the
    # segment before, which made their candidates there.
    path = os.path.join(os.path.dirname(__file__), "fixtures", "pi", "before-compaction.jsonl")
    found = read(pi, path)
    assert len(found) == 48
    keys = [(c["input_redacted"], c["output_approved"]) for c in found]
    assert len(set(keys)) == len(keys)
    assert not any(c["input_redacted"].startswith(ep.COMPACTION_SUMMARY_PREFIX) for c in found)
    # After a compaction every candidate opens with its summary, whatever the budget left out.
    later = [c for c in found if c["source"]["segment"] > 0]
    assert later and all(c["messages"][0]["content"].startswith(ep.COMPACTION_SUMMARY_PREFIX) for c in later)
    assert any("context_left_out" in c for c in later)


def build(messages, **kwargs):
    return ep.build_episode("task", "pi", "s1", 0, messages, **kwargs)


def test_back_to_back_requests_are_one_and_unanswered_ones_make_nothing():
    call = ep.ToolCall("c1", "bash", "{}")
    messages = [user("look at a.py"), user("and b.py"), assistant("Both are fine."),
                user("now run the tests"), assistant("", [call]), ep.Message("tool", "ok", tool_call_id="c1"),
                user("/clear"), user("thanks"), assistant("", [], stop="aborted")]
    found = candidates_of([build(messages)])
    assert [(c["input_redacted"], c["output_approved"]) for c in found] == [("look at a.py\n\nand b.py", "Both are fine.")]


def test_the_answer_is_the_last_text_and_the_outcome_the_last_turn():
    call = ep.ToolCall("c1", "bash", "{}")
    messages = [user("fix it"), assistant("Looking.", [call]), ep.Message("tool", "boom", tool_call_id="c1"),
                assistant("It is fixed."), assistant("", [ep.ToolCall("c2", "bash", "{}")], stop="error")]
    (candidate,) = candidates_of([build(messages)])
    assert candidate["output_approved"] == "It is fixed." and candidate["outcome"] == "failed"
    assert candidate["messages"][-1]["content"] == "It is fixed."  # the row ends on its answer


def test_ids_are_stable_and_a_grown_session_keeps_its_earlier_candidates():
    short = [user("one"), assistant("1"), user("two"), assistant("2")]
    grown = short + [user("three"), assistant("3")]
    first = [c["id"] for c in candidates_of([build(short)])]
    again = [c["id"] for c in candidates_of([build(short)])]
    later = [c["id"] for c in candidates_of([build(grown)])]
    assert first == again and later[:2] == first and len(set(later)) == 3


def test_context_over_the_budget_keeps_the_latest_whole_requests_and_names_the_rest():
    big = "x" * (cands.CONTEXT_BUDGET // 2 + 10)
    call = ep.ToolCall("c1", "read", "{}")
    messages = [ep.Message("system", "be brief"),
                user("read a"), assistant("", [call]), ep.Message("tool", big, tool_call_id="c1"), assistant("a read"),
                user("read b"), assistant(big),
                user("summarise"), assistant("done")]
    last = candidates_of([build(messages)])[-1]
    assert [m["content"][:9] for m in last["messages"]] == ["be brief", "read b", "x" * 9, "summarise", "done"]
    assert last["context_left_out"]["left_out_messages"] == 4
    assert last["size"]["context_messages"] == 3


def test_redaction_is_counted_per_candidate_from_its_placeholders():
    messages = [user("my key is [GITHUB_TOKEN_1]"), assistant("noted"), user("and?"), assistant("[GITHUB_TOKEN_1] is set")]
    record = build(messages).to_record()
    found = list(cands.candidates_from_episode(record, cands.facts_of(messages), placeholders={"[GITHUB_TOKEN_1]": ("github-pat", "secret")},
                                               project="p", harvested_at="2026-01-01T00:00:00Z"))
    # The second carries the first request as context: a row trains on both placeholders.
    assert [c["redaction"] for c in found] == [
        {"findings": 1, "by_rule": {"github-pat": 1}, "by_class": {"secret": 1}},
        {"findings": 2, "by_rule": {"github-pat": 2}, "by_class": {"secret": 2}}]
    assert [c["redaction_status"] for c in found] == ["auto_redacted", "auto_redacted"]
    # By class, what the export's policy reads: a secret keeps a run out of training until a person accepts it.
    assert [c["redaction_findings"] for c in found] == [{"secret": 1}, {"secret": 2}]
