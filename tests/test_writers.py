"""The training-format writers: the neutral conversation, each format's rows, their schemas."""
import copy
import json

import pytest
from conftest import make_run
from corpus import generate_runs

from data_flywheel.config import Config
from data_flywheel.export.gate import RedactionGate
from data_flywheel.export.pipeline import Aggregator
from data_flywheel.records import schemas
from data_flywheel.redaction import Redactor
from data_flywheel.writers import (
    PREFERENCE_FORMATS,
    SFT_FORMATS,
    TRAINING_FORMATS,
    Example,
    PreferencePair,
    alpaca,
    hf_chat,
    openai_chat,
    openai_preference,
    trl_preference,
)
from data_flywheel.writers.conversation import DEFAULT_INSTRUCTION, TOOL_NAME, Conversation, conversation_of, prompt_of

AGGREGATOR = Aggregator(RedactionGate(Redactor()), Config(), "demo")


def run_of(**fields):
    return AGGREGATOR.make_run(make_run(1, **fields))


def call(call_id, name, arguments):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def messages_of(record_messages, **fields):
    return conversation_of(run_of(messages=record_messages, **fields)).messages


def only_rows(fmt, item):
    rows = list(fmt.rows(item))
    assert len(rows) == 1
    issues = list(schemas.issues_for(fmt.SCHEMA_KIND, rows[0]))
    assert issues == [], issues
    return rows[0]


TRAJECTORY = [
    {"role": "developer", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Fix the import."}, {"type": "text", "text": "It fails."}]},
    {"role": "assistant", "content": None, "reasoning_content": "think", "tool_calls": [
        call("c1", "read_file", '{"path": "a.py"}'), call("c2", "search_code", {"query": "import", "paths": ["src"]})]},
    {"role": "tool", "tool_call_id": "c1", "content": "print(1)"},
    {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "src/a.py:1"}]},
    {"role": "assistant", "content": "The draft answer."},
]
TOOLS = [{"type": "function", "function": {"name": "read_file", "description": "Read a file.",
                                           "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}]
# TRAJECTORY's tools: the run's own definition kept, search_code's inferred from its one call.
TRAJECTORY_TOOLS = TOOLS + [{"type": "function", "function": {"name": "search_code", "description": "", "parameters": {
    "$comment": "inferred from 1 observed call", "type": "object",
    "properties": {"paths": {"type": "array"}, "query": {"type": "string"}}, "required": ["paths", "query"]}}}]


# --- the neutral conversation ----------------------------------------------------


def test_a_run_with_only_input_and_output_becomes_system_user_assistant():
    conversation = conversation_of(run_of(context="Team rules apply."))
    assert conversation.messages == [
        {"role": "system", "content": "Triage the ticket.\n\nTeam rules apply."},
        {"role": "user", "content": "Ticket 1: the import fails after adding a custom field."},
        {"role": "assistant", "content": "Likely regression in the import validator (ticket 1)."},
    ]
    assert conversation.tools == []
    assert conversation_of(run_of(instruction=None)).messages[0] == {"role": "system", "content": DEFAULT_INSTRUCTION}


def test_a_trajectory_keeps_its_tool_calls_in_the_neutral_form():
    conversation = conversation_of(run_of(messages=TRAJECTORY, tools=TOOLS, output_approved="The approved answer."))
    assert conversation.messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Fix the import.\nIt fails."},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "name": "read_file", "arguments": {"path": "a.py"}},
            {"id": "c2", "name": "search_code", "arguments": {"query": "import", "paths": ["src"]}}]},
        {"role": "tool", "content": "print(1)", "tool_call_id": "c1", "name": "read_file"},
        {"role": "tool", "content": "src/a.py:1", "tool_call_id": "c2", "name": "search_code"},
        # A human edit replaces the agent's final draft.
        {"role": "assistant", "content": "The approved answer."},
    ]
    assert conversation.tools == TRAJECTORY_TOOLS


def test_the_final_answer_is_the_last_assistant_message_and_nothing_after_it_is_kept():
    messages = messages_of([
        {"role": "user", "content": "Do it."},
        {"role": "assistant", "content": "Done.", "tool_calls": [call("c1", "run_command", {"command": "make"})]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        {"role": "user", "content": "Thanks!"},
    ], output_approved="Done.")
    # The final answer's own calls were answered after it, so they go with the rest.
    assert messages == [{"role": "user", "content": "Do it."}, {"role": "assistant", "content": "Done."}]


def test_unanswered_calls_and_orphan_results_are_dropped():
    messages = messages_of([
        {"role": "user", "content": "Go."},
        {"role": "assistant", "content": None, "tool_calls": [call("c1", "read_file", {"path": "a"}),
                                                              call("c2", "read_file", {"path": "b"})]},
        {"role": "tool", "tool_call_id": "c1", "content": "A"},
        {"role": "tool", "tool_call_id": "c1", "content": "a second answer"},
        {"role": "tool", "tool_call_id": "nobody", "content": "orphan"},
        {"role": "assistant", "content": "", "tool_calls": [call("c3", "read_file", {"path": "c"})]},
        {"role": "user", "content": "Also check d."},
        {"role": "tool", "tool_call_id": "c3", "content": "too late: a user turn came between"},
        {"role": "assistant", "content": "Answer."},
    ], output_approved="Answer.")
    assert messages == [
        {"role": "user", "content": "Go."},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "name": "read_file", "arguments": {"path": "a"}}]},
        {"role": "tool", "content": "A", "tool_call_id": "c1", "name": "read_file"},
        {"role": "user", "content": "Also check d."},
        {"role": "assistant", "content": "Answer."},
    ]


def test_calls_without_an_id_or_with_a_repeated_id_are_unanswerable():
    messages = messages_of([
        {"role": "user", "content": "Go."},
        {"role": "assistant", "content": "Looking.", "tool_calls": [
            call("", "read_file", {"path": "a"}), call("c1", "read_file", {"path": "b"}), call("c1", "read_file", {"path": "c"})]},
        {"role": "tool", "tool_call_id": "c1", "content": "B"},
        {"role": "tool", "tool_call_id": "c1", "content": "C"},
        {"role": "tool", "tool_call_id": "", "content": "A"},
        {"role": "assistant", "content": "Answer."},
    ], output_approved="Answer.")
    assert [m.get("tool_calls") for m in messages if m["role"] == "assistant"] == [
        [{"id": "c1", "name": "read_file", "arguments": {"path": "b"}}], None]
    assert [m["content"] for m in messages if m["role"] == "tool"] == ["B"]


@pytest.mark.parametrize("arguments", [None, "", "  ", "null", "{}", {}])
def test_missing_or_empty_arguments_mean_no_arguments(arguments):
    raw = call("c1", "list_jobs", arguments)
    if arguments is None:
        del raw["function"]["arguments"]
    messages = messages_of([{"role": "user", "content": "Go."}, {"role": "assistant", "content": None, "tool_calls": [raw]},
                            {"role": "tool", "tool_call_id": "c1", "content": "[]"}, {"role": "assistant", "content": "A."}],
                           output_approved="A.")
    assert messages[1]["tool_calls"] == [{"id": "c1", "name": "list_jobs", "arguments": {}}]


@pytest.mark.parametrize("broken", [
    call("c1", "read_file", '{"path": "src/cut'),  # a truncated call: not JSON
    call("c1", "read_file", '["a.py"]'),  # JSON, not an object
    call("c1", "read_file", "NaN"),  # not standard JSON
    call("c1", "read_file", 5),
    call("c1", "", {"path": "a"}),  # an empty tool name
    call("c1", "   ", {"path": "a"}),
])
def test_a_trajectory_that_cannot_be_written_faithfully_falls_back_to_the_plain_form(broken):
    run = run_of(messages=[{"role": "user", "content": "Go."}, {"role": "assistant", "content": None, "tool_calls": [broken]},
                           {"role": "tool", "tool_call_id": "c1", "content": "x"}, {"role": "assistant", "content": "A."}],
                 tools=TOOLS)
    conversation = conversation_of(run)
    assert [m["role"] for m in conversation.messages] == ["system", "user", "assistant"]
    assert conversation.messages[1]["content"] == run.text("input_redacted")
    assert conversation.tools == TOOLS  # the tools the run offered are kept


def test_tool_names_openai_refuses_are_renamed_everywhere_without_collisions():
    long_name = "x" * 70
    raw = [{"role": "user", "content": "Go."},
           {"role": "assistant", "content": None, "tool_calls": [
               call("c1", "repo.search", {"q": "a"}), call("c2", "repo_search", {"q": "b"}),
               call("c3", long_name, {}), call("c4", "検索", {})]},
           {"role": "tool", "tool_call_id": "c1", "content": "1"}, {"role": "tool", "tool_call_id": "c2", "content": "2"},
           {"role": "tool", "tool_call_id": "c3", "content": "3"}, {"role": "tool", "tool_call_id": "c4", "content": "4"},
           {"role": "assistant", "content": "A."}]
    tools = [{"type": "function", "function": {"name": name}} for name in ("repo.search", "repo_search", long_name, "検索")]
    conversation = conversation_of(run_of(messages=raw, tools=tools, output_approved="A."))
    called = [c["name"] for c in conversation.messages[1]["tool_calls"]]
    answered = [m["name"] for m in conversation.messages if m["role"] == "tool"]
    offered = [t["function"]["name"] for t in conversation.tools]
    assert called == answered == offered
    assert all(TOOL_NAME.match(name) for name in called)
    assert len(set(called)) == 4  # repo.search did not become the existing repo_search
    assert called[1] == "repo_search" and called[0].startswith("repo_search_") and len(called[2]) == 64
    assert called == [c["name"] for c in conversation_of(run_of(messages=raw, tools=tools)).messages[1]["tool_calls"]]


def test_systems_and_assistant_turns_are_gathered_so_every_template_accepts_them():
    messages = messages_of([
        {"role": "system", "content": "Rule one."},
        {"role": "developer", "content": "Rule two."},
        {"role": "user", "content": "Go."},
        {"role": "assistant", "content": "Let me look."},
        {"role": "assistant", "content": None, "tool_calls": [call("c1", "read_file", {"path": "a"})]},
        {"role": "tool", "tool_call_id": "c1", "content": "A"},
        {"role": "system", "content": "Reminder: be brief."},
        {"role": "assistant", "content": "Part one."},
        {"role": "assistant", "content": "Part two."},
    ], output_approved="Part one.\n\nPart two.")
    assert messages == [
        {"role": "system", "content": "Rule one.\n\nRule two."},
        {"role": "user", "content": "Go."},
        {"role": "assistant", "content": "Let me look.", "tool_calls": [{"id": "c1", "name": "read_file", "arguments": {"path": "a"}}]},
        {"role": "tool", "content": "A", "tool_call_id": "c1", "name": "read_file"},
        {"role": "user", "content": "Reminder: be brief."},
        {"role": "assistant", "content": "Part one.\n\nPart two."},
    ]


def test_a_trajectory_without_a_user_turn_or_an_answer_gets_them_from_the_run():
    messages = messages_of([{"role": "system", "content": "S."},
                            {"role": "assistant", "content": "", "tool_calls": [call("c1", "read_file", {"path": "a"})]},
                            {"role": "tool", "tool_call_id": "c1", "content": "A"}])
    run = run_of()
    assert messages == [
        {"role": "system", "content": "S."},
        {"role": "user", "content": run.text("input_redacted")},
        {"role": "assistant", "content": run.text("output_approved")},
    ]


def test_turns_before_the_first_user_message_are_dropped():
    messages = messages_of([{"role": "system", "content": "S."},
                            {"role": "assistant", "content": "Hi! How can I help?"},
                            {"role": "user", "content": "Fix it."},
                            {"role": "assistant", "content": "Fixed."}], output_approved="Fixed.")
    assert messages == [{"role": "system", "content": "S."}, {"role": "user", "content": "Fix it."},
                        {"role": "assistant", "content": "Fixed."}]


def test_the_prompt_is_everything_before_the_final_answer():
    run = run_of(messages=TRAJECTORY, tools=TOOLS)
    prompt = prompt_of(run)
    assert prompt.messages == conversation_of(run).messages[:-1]
    assert prompt.messages[-1]["role"] == "tool" and prompt.tools == TRAJECTORY_TOOLS
    assert prompt_of(run_of()).messages[-1]["role"] == "user"


def test_conversations_never_change_the_run():
    run = run_of(messages=TRAJECTORY, tools=TOOLS)
    before = copy.deepcopy(run.record)
    for fmt in SFT_FORMATS:
        list(fmt.rows(Example(run=run, split="train", conversation=conversation_of(run))))
    assert run.record == before


# --- the formats -------------------------------------------------------------------


def test_the_registry():
    assert [fmt.NAME for fmt in SFT_FORMATS] == ["alpaca", "openai-chat", "hf-chat"]
    assert [fmt.NAME for fmt in PREFERENCE_FORMATS] == ["openai-preference", "trl-preference"]
    assert TRAINING_FORMATS == SFT_FORMATS + PREFERENCE_FORMATS
    for fmt in TRAINING_FORMATS:
        assert fmt.SCHEMA_KIND in schemas.KINDS


def test_alpaca_rows_are_agentic_stacks_with_the_examples_split():
    run = run_of()
    row = only_rows(alpaca, Example(run=run, split="validation", conversation=conversation_of(run)))
    assert row == {
        "instruction": "Triage the ticket.",
        "context": "Use the saas_bug_triage context card.",
        "input": "Ticket 1: the import fails after adding a custom field.",
        "output": "Likely regression in the import validator (ticket 1).",
        "metadata": {"domain": "saas", "workflow": "bug_triage", "source_trace_ids": [run.trace_id], "split": "validation",
                     "pii_level": "none", "trainable": True, "project": "demo", "harness": "codex"},
    }


def test_openai_chat_rows():
    run = run_of(messages=TRAJECTORY, tools=TOOLS, output_approved="Final.")
    row = only_rows(openai_chat, Example(run=run, split="train", conversation=conversation_of(run)))
    assert row == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Fix the import.\nIt fails."},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "read_file", "arguments": '{"path":"a.py"}'}},
                {"id": "c2", "type": "function",
                 "function": {"name": "search_code", "arguments": '{"query":"import","paths":["src"]}'}}]},
            {"role": "tool", "content": "print(1)", "tool_call_id": "c1"},
            {"role": "tool", "content": "src/a.py:1", "tool_call_id": "c2"},
            {"role": "assistant", "content": "Final."},
        ],
        "tools": TRAJECTORY_TOOLS,
        "parallel_tool_calls": True,
    }
    plain = run_of()
    assert set(only_rows(openai_chat, Example(run=plain, split="train", conversation=conversation_of(plain)))) == {"messages"}


def test_hf_chat_rows_have_one_call_per_turn_object_arguments_and_json_texts():
    run = run_of(messages=TRAJECTORY, tools=TOOLS, output_approved="Final.")
    row = only_rows(hf_chat, Example(run=run, split="test", conversation=conversation_of(run)))
    assert row["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Fix the import.\nIt fails."},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "read_file", "arguments": {"path": "a.py"}}}]},
        {"role": "tool", "content": "print(1)", "tool_call_id": "c1", "name": "read_file"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c2", "type": "function", "function": {"name": "search_code", "arguments": {"query": "import", "paths": ["src"]}}}]},
        {"role": "tool", "content": "src/a.py:1", "tool_call_id": "c2", "name": "search_code"},
        {"role": "assistant", "content": "Final."},
    ]
    assert json.loads(row["tools"]) == TRAJECTORY_TOOLS
    assert json.loads(row["metadata"]) == {"domain": "saas", "workflow": "bug_triage", "split": "test",
                                           "source_trace_ids": [run.trace_id]}
    plain = run_of()
    assert only_rows(hf_chat, Example(run=plain, split="train", conversation=conversation_of(plain)))["tools"] == "null"


def test_a_parallel_turns_text_stays_on_its_first_call():
    run = run_of(messages=[{"role": "user", "content": "Go."},
                           {"role": "assistant", "content": "Both at once.", "tool_calls": [
                               call("c1", "read_file", {"path": "a"}), call("c2", "read_file", {"path": "b"})]},
                           {"role": "tool", "tool_call_id": "c2", "content": "B"},  # answered out of order
                           {"role": "tool", "tool_call_id": "c1", "content": "A"},
                           {"role": "assistant", "content": "Done."}], output_approved="Done.")
    row = only_rows(hf_chat, Example(run=run, split="train", conversation=conversation_of(run)))
    assert [(m["role"], m["content"]) for m in row["messages"]] == [
        ("user", "Go."), ("assistant", "Both at once."), ("tool", "A"), ("assistant", ""), ("tool", "B"), ("assistant", "Done.")]


def pair_of(run, origin="edited"):
    return PreferencePair(prompt=prompt_of(run), chosen="The approved answer.", rejected="The draft.", split="train",
                          origin=origin, domain=run.domain, workflow=run.workflow, source_trace_ids=[run.trace_id, "trace_x"])


def test_openai_preference_rows():
    run = run_of(messages=TRAJECTORY, tools=TOOLS)
    row = only_rows(openai_preference, pair_of(run))
    sft = openai_chat.chat_line(prompt_of(run).messages, TRAJECTORY_TOOLS)
    assert row == {
        "input": sft,
        "preferred_output": [{"role": "assistant", "content": "The approved answer."}],
        "non_preferred_output": [{"role": "assistant", "content": "The draft."}],
    }
    assert row["input"]["messages"][-1]["role"] == "tool" and row["input"]["parallel_tool_calls"] is True
    assert "tools" not in only_rows(openai_preference, pair_of(run_of()))["input"]


def test_trl_preference_rows():
    run = run_of(messages=TRAJECTORY, tools=TOOLS)
    row = only_rows(trl_preference, pair_of(run, "rejected_vs_accepted"))
    assert row["prompt"] == hf_chat.messages_of(prompt_of(run).messages)
    assert row["chosen"] == [{"role": "assistant", "content": "The approved answer."}]
    assert row["rejected"] == [{"role": "assistant", "content": "The draft."}]
    assert json.loads(row["tools"]) == TRAJECTORY_TOOLS
    assert json.loads(row["metadata"]) == {"domain": "saas", "workflow": "bug_triage", "split": "train",
                                           "origin": "rejected_vs_accepted", "source_trace_ids": [run.trace_id, "trace_x"]}


def test_every_corpus_run_gives_one_valid_row_per_format_the_same_every_time():
    first, second = [], []
    for record in generate_runs(300, seed=3):
        run = AGGREGATOR.make_run(record)
        example = Example(run=run, split="train", conversation=conversation_of(run))
        pair = pair_of(run)
        rows = [only_rows(fmt, example) for fmt in SFT_FORMATS] + [only_rows(fmt, pair) for fmt in PREFERENCE_FORMATS]
        first.append(json.dumps(rows))
        run = AGGREGATOR.make_run(record)
        second.append(json.dumps([next(fmt.rows(Example(run=run, split="train", conversation=conversation_of(run))))
                                  for fmt in SFT_FORMATS] + [next(fmt.rows(pair_of(run))) for fmt in PREFERENCE_FORMATS]))
    assert first == second


# --- the schemas catch what the consumers would refuse -------------------------------


def _hf_row():
    run = run_of(messages=TRAJECTORY, tools=TOOLS)
    return next(hf_chat.rows(Example(run=run, split="train", conversation=conversation_of(run))))


def _openai_row():
    run = run_of(messages=TRAJECTORY, tools=TOOLS)
    return next(openai_chat.rows(Example(run=run, split="train", conversation=conversation_of(run))))


def _set(path, value):
    def change(row):
        target = row
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return row
    return change


@pytest.mark.parametrize("kind, make, change, complaint", [
    ("hf-chat", _hf_row, _set(("messages", 2, "content"), None), "not of type 'string'"),
    ("hf-chat", _hf_row, _set(("messages", 1, "content"), [{"type": "text", "text": "x"}]), "not of type 'string'"),
    ("hf-chat", _hf_row, _set(("messages", 2, "tool_calls", 0, "function", "arguments"), '{"path":"a.py"}'),
     "not of type 'object'"),
    ("hf-chat", _hf_row, _set(("tools",), []), "not of type 'string'"),
    ("hf-chat", _hf_row, _set(("metadata",), {"domain": "saas"}), "not of type 'string'"),
    ("hf-chat", _hf_row, _set(("type",), "user"), "Additional properties"),
    ("hf-chat", _hf_row, lambda row: row["messages"][2]["tool_calls"].append(row["messages"][4]["tool_calls"][0]) or row,
     "is too long"),
    ("hf-chat", _hf_row, lambda row: row["messages"][3].pop("name") and row, "required"),
    ("openai-chat", _openai_row, _set(("messages", 2, "tool_calls", 0, "function", "arguments"), {"path": "a.py"}),
     "not of type 'string'"),
    ("openai-chat", _openai_row, _set(("messages", 2, "tool_calls", 0, "function", "name"), "repo.search"), "match"),
    ("openai-chat", _openai_row, _set(("messages", 2, "content"), None), "not of type 'string'"),
    ("openai-chat", _openai_row, lambda row: row["messages"][3].pop("tool_call_id") and row, "required"),
    ("openai-chat", _openai_row, _set(("messages",), [{"role": "user", "content": "no answer"}]), "contain"),
    ("openai-chat", _openai_row, _set(("tools",), []), "non-empty"),
])
def test_the_schemas_refuse_what_a_consumer_would(kind, make, change, complaint):
    row = change(make())
    issues = [str(issue) for issue in schemas.issues_for("training-example-" + kind, row)]
    assert issues and any(complaint in issue for issue in issues), issues


def test_the_openai_and_trl_schemas_share_their_message_definitions():
    def defs(kind):
        return schemas.bundled_schema(kind)["$defs"]
    openai_defs = defs("training-example-openai-chat")
    assert {k: v for k, v in defs("training-example-openai-preference").items() if k != "answer"} == openai_defs
    hf_defs = defs("training-example-hf-chat")
    assert {k: v for k, v in defs("training-example-trl-preference").items() if k != "answer"} == hf_defs
    assert defs("training-example-openai-preference")["answer"] == defs("training-example-trl-preference")["answer"]


def test_validate_finds_the_kind_of_a_training_file_from_its_path(tmp_path):
    for fmt in TRAINING_FORMATS[1:]:
        found = schemas.kind_for_filename(str(tmp_path / "export" / "training" / fmt.NAME / "train.jsonl"))
        assert found == (schemas.KINDS[fmt.SCHEMA_KIND], False)
    assert schemas.kind_for_filename(str(tmp_path / "training" / "unknown" / "train.jsonl")) is None


def test_conversation_is_a_plain_dataclass_the_curator_can_rebuild():
    rebuilt = Conversation(messages=[{"role": "user", "content": "x"}], tools=[])
    assert Conversation(messages=[{"role": "user", "content": "x"}]) == rebuilt


def test_each_format_schema_is_identified_by_its_kind():
    for fmt in TRAINING_FORMATS:
        schema = schemas.bundled_schema(fmt.SCHEMA_KIND)
        assert schema["$id"] == f"urn:data-flywheel:schema:{fmt.SCHEMA_KIND}:1"
        assert schemas.KINDS[fmt.SCHEMA_KIND].filename == f"{fmt.SCHEMA_KIND}.schema.json"
