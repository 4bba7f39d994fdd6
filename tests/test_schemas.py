"""The bundled schemas: usable by our checker, valid under the 2020-12 meta-schema, supersets of agentic-stack's."""
import glob
import json
import os

import pytest

from conftest import FIXTURES, ROOT
from consumers import consumer_python, run_json

from data_flywheel.records import schemas
from data_flywheel.records.checker import Checker
from data_flywheel.writers import TRAINING_FORMATS

SCHEMA_FILES = sorted(glob.glob(os.path.join(ROOT, "schemas", "*.schema.json")))
AGENTIC = os.path.join(FIXTURES, "agentic-stack", "schemas")


def load(path):
    with open(path, encoding="utf-8") as fp:
        return json.load(fp)


# One schema per training format besides alpaca's agentic-stack training-example.
TRAINING_FORMAT_KINDS = [fmt.SCHEMA_KIND for fmt in TRAINING_FORMATS if fmt.SCHEMA_KIND != "training-example"]


def test_every_kind_in_the_contract_has_a_schema():
    assert sorted(schemas.KINDS) == sorted(["approved-run", "atif-trajectory", "candidate-run", "context-card", "episode", "eval-case",
                                     "flywheel-metrics", "manifest", "promptfoo-test", "redaction-report", "trace-record",
                                     "training-example"] + TRAINING_FORMAT_KINDS)
    for kind in schemas.KINDS.values():
        assert os.path.join(ROOT, "schemas", kind.filename) in SCHEMA_FILES


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=os.path.basename)
def test_schema_is_described_and_our_checker_accepts_it(path):
    schema = load(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for key in ("$id", "title", "description"):
        assert schema.get(key), key
    Checker(schema, format_assertion=True, source=path)  # refuses unimplemented keywords


def test_schemas_are_valid_under_the_official_2020_12_meta_schema():
    python = consumer_python("jsonschema", ["jsonschema==4.23.0"])
    code = (
        "import json, sys\n"
        "from jsonschema import Draft202012Validator\n"
        "bad = {}\n"
        "for path in sys.argv[1:]:\n"
        "    errors = [e.message for e in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(json.load(open(path)))]\n"
        "    if errors: bad[path] = errors\n"
        "print(json.dumps(bad))\n"
    )
    assert json.loads(run_json(python, code, *SCHEMA_FILES)) == {}


@pytest.mark.parametrize("name", sorted(os.listdir(AGENTIC)))
def test_each_schema_is_a_superset_of_agentic_stacks(name):
    theirs = load(os.path.join(AGENTIC, name))
    ours = load(os.path.join(ROOT, "schemas", name))
    assert set(theirs["properties"]) <= set(ours["properties"])
    assert set(ours["required"]) >= set(theirs["required"])
    for key, spec in theirs["properties"].items():
        if "type" in spec and "type" in ours["properties"][key]:
            their_types = set(spec["type"]) if isinstance(spec["type"], list) else {spec["type"]}
            our_types = ours["properties"][key]["type"]
            our_types = set(our_types) if isinstance(our_types, list) else {our_types}
            assert their_types & our_types, key


def test_chat_message_definitions_are_one_definition_in_three_places():
    defs = [load(os.path.join(ROOT, "schemas", name))["$defs"]
            for name in ("approved-run.schema.json", "candidate-run.schema.json", "episode.schema.json")]
    assert defs[0] == defs[1] == defs[2]


def test_approved_run_schema_accepts_the_agentic_stack_examples():
    checker = schemas.checker_for("approved-run")
    with open(os.path.join(FIXTURES, "agentic-stack", "approved-runs.redacted.jsonl")) as fp:
        for line in fp:
            assert list(checker.iter_issues(json.loads(line))) == []
