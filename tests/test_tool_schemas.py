"""Tool argument schemas inferred from a run's own calls (``writers/tool_schemas.py``)."""
from data_flywheel.writers.tool_schemas import ENUM_MIN_CALLS, infer_parameters, with_inferred


def test_types_per_key_and_required_for_keys_in_every_call():
    schema = infer_parameters([{"command": "ls", "timeout": 5, "flag": True},
                               {"command": "pwd", "timeout": 2.5, "env": {"A": "1"}, "args": ["-l"]},
                               {"command": "id", "timeout": None}])
    assert schema == {
        "$comment": "inferred from 3 observed calls", "type": "object",
        "properties": {"args": {"type": "array"}, "command": {"type": "string"}, "env": {"type": "object"},
                       "flag": {"type": "boolean"}, "timeout": {"type": ["null", "number"]}},
        "required": ["command", "timeout"],
    }


def test_an_enum_only_for_a_few_short_strings_over_many_calls():
    many = [{"mode": "read" if index % 2 else "write", "path": f"f{index}.py"} for index in range(ENUM_MIN_CALLS)]
    schema = infer_parameters(many)
    assert schema["properties"]["mode"] == {"type": "string", "enum": ["read", "write"]}
    assert "enum" not in schema["properties"]["path"]  # too many values
    assert "enum" not in infer_parameters(many[:ENUM_MIN_CALLS - 1])["properties"]["mode"]  # too few calls
    long_value = [{"mode": "x" * 41}] + [{"mode": "read"}] * ENUM_MIN_CALLS
    assert "enum" not in infer_parameters(long_value)["properties"]["mode"]


def test_definitions_a_run_brought_win_and_unlisted_called_tools_are_added():
    real = {"type": "function", "function": {"name": "read", "parameters": {"type": "object"}}}
    named = {"type": "function", "function": {"name": "grep", "description": "Search."}}
    calls = [{"name": "read", "arguments": {"path": "a"}}, {"name": "grep", "arguments": {"q": "x"}},
             {"name": "ls", "arguments": {}}]
    tools = with_inferred([real, named], calls)
    assert tools[0] == real
    assert tools[1]["function"]["description"] == "Search."
    assert tools[1]["function"]["parameters"]["required"] == ["q"]
    assert tools[2] == {"type": "function", "function": {"name": "ls", "description": "", "parameters": {
        "$comment": "inferred from 1 observed call", "type": "object", "properties": {}}}}
    assert with_inferred([named], []) == [named]  # a tool never called keeps what it had


def test_workflow_evidence_is_per_workflow_and_bounded():
    from data_flywheel.writers.tool_schemas import MAX_KEYS, MAX_TOOLS, WorkflowEvidence, is_inferred

    evidence = WorkflowEvidence()
    evidence.add(("saas", "a"), [{"name": "Read", "arguments": {"path": "x", "limit": 1}},
                                 {"name": "Read", "arguments": {"path": "y"}}])
    evidence.add(("saas", "b"), [{"name": "Read", "arguments": {"file": "z"}}])
    first = evidence.schema(("saas", "a"), "Read")
    assert first == {"$comment": "inferred from 2 observed calls", "type": "object",
                     "properties": {"limit": {"type": "integer"}, "path": {"type": "string"}}, "required": ["path"]}
    assert is_inferred(first) and not is_inferred({"type": "object"})
    assert evidence.schema(("saas", "b"), "Read")["properties"] == {"file": {"type": "string"}}
    assert evidence.schema(("saas", "b"), "Write") is None
    evidence.add(("saas", "c"), [{"name": f"t{i}", "arguments": {}} for i in range(MAX_TOOLS + 5)])
    assert evidence.schema(("saas", "c"), f"t{MAX_TOOLS - 1}") is not None
    assert evidence.schema(("saas", "c"), f"t{MAX_TOOLS}") is None  # past the cap: rows keep their own schema
    evidence.add(("saas", "d"), [{"name": "Wide", "arguments": {f"k{i}": 1 for i in range(MAX_KEYS + 1)}}])
    assert evidence.schema(("saas", "d"), "Wide") is None
