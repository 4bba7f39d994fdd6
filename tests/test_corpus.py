"""The generated test corpus (tests/corpus.py): deterministic, valid, clean, and as varied as it claims."""
import collections
import json

from corpus import generate_runs, write_corpus

from data_flywheel.config import Config
from data_flywheel.export.gate import RedactionGate
from data_flywheel.export.pipeline import Aggregator
from data_flywheel.records import schemas
from data_flywheel.redaction import Redactor

COUNT = 1500


def corpus():
    return list(generate_runs(COUNT))


def test_the_same_arguments_give_the_same_runs_and_a_longer_corpus_extends_a_shorter_one(tmp_path):
    runs = corpus()
    assert len(runs) == COUNT
    assert json.dumps(runs) == json.dumps(corpus())
    assert runs[:200] == list(generate_runs(200))
    assert runs[:50] != list(generate_runs(50, seed=1))
    path = write_corpus(str(tmp_path / "runs.jsonl"), 20)
    with open(path, encoding="utf-8") as fp:
        assert [json.loads(line) for line in fp] == runs[:20]


def test_every_run_is_a_valid_approved_run_the_gate_finds_nothing_in():
    checker = schemas.checker_for("approved-run")
    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "corpus")
    ids = set()
    for record in corpus():
        assert list(checker.iter_issues(record)) == [], record["id"]
        run = aggregator.make_run(record)
        assert run.findings["findings"] == 0, (record["id"], run.findings["by_rule"])
        assert run.trainable == (record["human_review"]["status"] != "rejected"), record["id"]
        ids.add(record["id"])
    assert len(ids) == COUNT


def _argument_types(value, path, seen):
    if isinstance(value, dict):
        for key, child in value.items():
            _argument_types(child, path + (key,), seen)
    elif isinstance(value, list):
        for child in value:
            _argument_types(child, path + ("[]",), seen)
    else:
        seen[path].add(type(value).__name__)


def test_the_corpus_has_everything_it_promises():
    runs = corpus()
    seen = collections.Counter()
    types = collections.defaultdict(set)
    by_text = collections.defaultdict(list)
    prompts = collections.defaultdict(set)
    sessions = collections.Counter()
    for record in runs:
        status = record["human_review"]["status"]
        seen["status " + status] += 1
        seen["domain " + record["domain"]] += 1
        seen["tools" if "tools" in record else "no tools"] += 1
        text = record["input_redacted"]
        seen["cjk"] += any("\u4e00" <= char <= "\u9fff" or "\u3040" <= char <= "\u30ff" for char in text)
        seen["log"] += '"level"' in text and "duration_ms=" in text
        seen["code"] += "def " in text
        seen["output_original"] += "output_original" in record
        session = (record.get("source") or {}).get("session_hash")
        if session:
            sessions[session] += 1
        by_text[(record["input_redacted"], record["output_approved"])].append(record["id"])
        prompts[(record["workflow"], record["instruction"], record["input_redacted"])].add(status)
        if "messages" not in record:
            seen["input/output only"] += 1
            continue
        seen["trajectory"] += 1
        for message in record["messages"]:
            content = message.get("content")
            seen["content " + type(content).__name__] += 1
            seen["role " + message["role"]] += 1
            seen["reasoning"] += "reasoning_content" in message
            calls = message.get("tool_calls") or []
            seen["parallel"] += len(calls) > 1
            for call in calls:
                arguments = call["function"].get("arguments")
                seen["arguments " + type(arguments).__name__] += 1
                seen["tool " + call["function"]["name"]] += 1
                if isinstance(arguments, str) and arguments.strip():
                    try:
                        arguments = json.loads(arguments)
                    except ValueError:
                        seen["arguments not json"] += 1
                        continue
                if isinstance(arguments, dict):
                    _argument_types(arguments, (call["function"]["name"],), types)
                    seen["nested arguments"] += any(isinstance(v, (dict, list)) for v in arguments.values())
    for wanted in ("status accepted", "status edited", "status rejected", "tools", "no tools", "cjk", "log", "code",
                   "output_original", "input/output only", "trajectory", "content str", "content list",
                   "content NoneType", "role developer", "role tool", "reasoning", "parallel", "arguments str",
                   "arguments dict", "tool repo.search", "arguments not json", "nested arguments"):
        assert seen[wanted] >= 3, (wanted, seen[wanted])
    assert sum(1 for key in seen if key.startswith("domain ")) >= 5
    # Exact duplicates and near-duplicates of earlier runs.
    assert sum(1 for ids in by_text.values() if len(ids) > 1) >= 10
    near = 0
    outputs = [record["output_approved"].split(" ") for record in runs]
    by_input = collections.defaultdict(list)
    for record, words in zip(runs, outputs):
        by_input[record["input_redacted"]].append(words)
    for group in by_input.values():
        near += any(len(a) == len(b) and 0 < sum(x != y for x, y in zip(a, b)) <= 2 for a in group for b in group)
    assert near >= 10
    # A rejected and an approved run for the same prompt, and sessions of several runs.
    assert sum(1 for statuses in prompts.values() if "rejected" in statuses and statuses - {"rejected"}) >= 20
    assert sum(1 for count in sessions.values() if count >= 2) >= 10
    # One JSON type per argument key, so strict datasets loading is a fair test of the writers.
    assert {path: kinds for path, kinds in types.items() if len(kinds) > 1} == {}
