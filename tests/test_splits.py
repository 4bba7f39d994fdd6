"""Splits: grouped by session, deterministic, stable as the corpus grows, ratios from flag or config."""
import json

import pytest
from conftest import make_run, write_runs

from data_flywheel.errors import ConfigError
from data_flywheel.export import splits


def test_ratios_are_normalised_from_a_string_or_an_object():
    assert splits.parse_ratios("80,10,10", source="x") == pytest.approx({"train": 0.8, "validation": 0.1, "test": 0.1})
    assert splits.parse_ratios({"train": 3, "test": 1}, source="x") == pytest.approx(
        {"train": 0.75, "validation": 0.0, "test": 0.25}
    )


@pytest.mark.parametrize("bad", ["80,20", "a,b,c", "-1,1,1", "0,0,0", {"training": 1}, {"train": "1"}, {"train": True}, 5])
def test_bad_ratios_are_refused_with_a_fix(bad):
    with pytest.raises(ConfigError) as caught:
        splits.parse_ratios(bad, source="config.json", line=3)
    assert caught.value.remedy and "80,10,10" in caught.value.remedy


def test_assignment_follows_the_ratios_and_is_deterministic():
    ratios = splits.parse_ratios("70,20,10", source="x")
    keys = [f"run:trace_{i}" for i in range(20000)]
    first = [splits.assign(key, ratios) for key in keys]
    assert first == [splits.assign(key, ratios) for key in keys]
    for name, share in ratios.items():
        assert abs(first.count(name) / len(keys) - share) < 0.015, name


def test_a_zero_ratio_leaves_that_split_empty():
    ratios = splits.parse_ratios("90,10,0", source="x")
    assert "test" not in {splits.assign(f"k{i}", ratios) for i in range(5000)}


def test_group_key_is_the_session_when_there_is_one():
    assert splits.group_key({"source": {"session_hash": "abc"}}, "trace_1") == "session:abc"
    assert splits.group_key({"session_id": "s-1"}, "trace_1") == "session:s-1"
    assert splits.group_key({}, "trace_1") == "run:trace_1"


def _export(tmp_path, cli, runs, name, *extra):
    source = write_runs(tmp_path / f"{name}.jsonl", runs)
    out = tmp_path / name
    result = cli(["export", "--approved-runs", source, "--out", str(out), "--project", "p", *extra])
    assert result.code == 0, result
    traces = [json.loads(line) for line in (out / "trace-records.jsonl").read_text().splitlines()]
    rows = [json.loads(line) for line in (out / "training-examples.jsonl").read_text().splitlines()]
    return out, traces, rows


def _distinct_run(index, **extra):
    # Distinct words per run, so no two runs are near-duplicates of each other.
    words = " ".join(f"w{index}x{k}" for k in range(12))
    return make_run(index, input_redacted=f"Ticket {index}: {words}", output_approved=f"Answer {index}: {words[::-1]}", **extra)


def test_every_run_of_a_session_lands_in_one_split(tmp_path, cli):
    runs = [_distinct_run(i, source={"session_hash": f"s{i % 40}"}) for i in range(200)]
    _out, traces, _rows = _export(tmp_path, cli, runs, "sessions")
    by_session = {}
    for run, trace in zip(runs, traces):
        by_session.setdefault(run["source"]["session_hash"], set()).add(trace["split"])
    assert all(len(found) == 1 for found in by_session.values()), by_session
    assert len({split for found in by_session.values() for split in found}) >= 2


def test_adding_runs_never_moves_an_existing_row(tmp_path, cli):
    first = [_distinct_run(i) for i in range(300)]
    grown = first + [_distinct_run(i) for i in range(300, 700)]
    _a, _t, before = _export(tmp_path, cli, first, "before")
    _b, _t2, after = _export(tmp_path, cli, grown, "after")
    split_after = {row["metadata"]["source_trace_ids"][0]: row["metadata"]["split"] for row in after}
    assert len(before) == 300
    for row in before:
        assert split_after[row["metadata"]["source_trace_ids"][0]] == row["metadata"]["split"]
    assert {row["metadata"]["split"] for row in after} == {"train", "validation", "test"}


def test_a_split_written_in_the_input_is_not_honoured(tmp_path, cli):
    runs = [_distinct_run(i, split="test") for i in range(60)]
    _out, traces, _rows = _export(tmp_path, cli, runs, "pinned")
    assert {trace["split"] for trace in traces} != {"test"}


def test_ratios_from_the_flag_and_from_config(tmp_path, cli):
    runs = [_distinct_run(i) for i in range(200)]
    _out, traces, _rows = _export(tmp_path, cli, runs, "flag", "--split-ratios", "0,0,1")
    assert {trace["split"] for trace in traces} == {"test"}
    agent = tmp_path / "agent"
    (agent / "flywheel").mkdir(parents=True)
    (agent / "flywheel" / "config.json").write_text('{"split_ratios": {"train": 0, "validation": 1, "test": 0}}')
    _out, traces, _rows = _export(tmp_path, cli, runs, "config", "--agent-root", str(agent))
    assert {trace["split"] for trace in traces} == {"validation"}


def test_bad_ratios_from_flag_or_config_are_exit_2_with_the_place(tmp_path, cli):
    source = write_runs(tmp_path / "runs.jsonl", [make_run(1)])
    result = cli(["export", "--approved-runs", source, "--out", str(tmp_path / "o"), "--split-ratios", "1,2"])
    assert result.code == 2 and "--split-ratios" in result.err and "Traceback" not in result.err
    agent = tmp_path / "agent"
    (agent / "flywheel").mkdir(parents=True)
    (agent / "flywheel" / "config.json").write_text('{\n  "split_ratios": {"train": -1}\n}')
    result = cli(["export", "--agent-root", str(agent), "--approved-runs", source, "--out", str(tmp_path / "o")])
    assert result.code == 2 and "config.json:2" in result.err
    assert not (tmp_path / "o").exists()


def test_a_subagent_goes_with_the_session_that_launched_it():
    from data_flywheel.export.splits import group_key

    child = {"source": {"session_hash": "sha256:child", "parent_session_hash": "sha256:parent"}}
    parent = {"source": {"session_hash": "sha256:parent"}}
    assert group_key(child, "t1") == group_key(parent, "t2") == "session:sha256:parent"
