"""The run cache: incremental exports are the bytes of a full one, and the cache is private, safe and bounded."""
from __future__ import annotations

import json
import os
import sqlite3
import zlib

import pytest
from conftest import make_run, run_cli, tree_bytes, write_runs
from corpus import generate_runs

from data_flywheel.export import cache, parallel

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}


@pytest.fixture
def project(tmp_path):
    agent = tmp_path / ".agent"
    (agent / "flywheel").mkdir(parents=True)
    return agent


@pytest.fixture
def computed(monkeypatch):
    """How many runs each pass computes (the rest come from the cache)."""
    calls = []
    real = parallel.prepare

    def counting(aggregator, record):
        calls.append(record["id"])
        return real(aggregator, record)

    monkeypatch.setattr(parallel, "prepare", counting)
    return calls


def export(agent, runs_path, out, *extra):
    result = run_cli(["export", "--agent-root", str(agent), "--approved-runs", str(runs_path), "--out", str(out),
                      *extra], env=ENV)
    assert result.code == 0, result
    return tree_bytes(out)


def folder(agent):
    return str(agent / "flywheel" / "cache")


def test_appending_runs_computes_only_the_new_ones_and_gives_the_full_exports_bytes(project, tmp_path, computed):
    runs = list(generate_runs(210, seed=7))
    path = write_runs(tmp_path / "runs.jsonl", runs[:200])
    export(project, path, tmp_path / "first")
    assert len(computed) == 200
    write_runs(path, runs)  # the same 200 lines, then 10 more
    del computed[:]
    incremental = export(project, path, tmp_path / "incremental")
    assert sorted(computed) == sorted(run["id"] for run in runs[200:])
    del computed[:]
    uncached = export(project, path, tmp_path / "uncached", "--no-cache")
    assert len(computed) == 210
    fresh_agent = tmp_path / "fresh" / ".agent"
    (fresh_agent / "flywheel").mkdir(parents=True)
    fresh = export(fresh_agent, path, tmp_path / "fresh-out")
    assert incremental == uncached == fresh
    assert len(list(cache.entries(folder(project)))) == 210


def test_status_reuses_what_export_cached(project, tmp_path, computed):
    path = write_runs(tmp_path / "runs.jsonl", list(generate_runs(60, seed=2)))
    export(project, path, tmp_path / "out")
    del computed[:]
    status = run_cli(["status", "--agent-root", str(project), "--approved-runs", path, "--json"], env=ENV)
    assert status.code == 0, status
    assert computed == []
    assert status.json()["total_traces"] == 60


def test_no_cache_neither_reads_nor_writes_it(project, tmp_path, computed):
    path = write_runs(tmp_path / "runs.jsonl", [make_run(1), make_run(2)])
    export(project, path, tmp_path / "out", "--no-cache")
    assert not os.path.exists(folder(project))


def test_no_cache_folder_without_a_flywheel_folder(tmp_path):
    path = write_runs(tmp_path / "runs.jsonl", [make_run(1)])
    assert run_cli(["status", "--agent-root", str(tmp_path / "none"), "--approved-runs", path]).code == 0
    assert not os.path.exists(tmp_path / "none")


def test_only_redacted_text_is_stored(project, tmp_path):
    token = "sk-ant-api03-" + "Zq8Xw" * 19 + "AA"  # built here so the repository holds no key
    email = "maria.ortiz" + "@acmecorp.io"
    path = write_runs(tmp_path / "runs.jsonl", [make_run(1, input_redacted=f"deploy with {token} now",
                                                         output_approved=f"mailed {email}")])
    export(project, path, tmp_path / "out")
    stored = [zlib.decompress(value).decode("ascii") for _key, value in cache.entries(folder(project))]
    assert len(stored) == 1 and "deploy with [ANTHROPIC_KEY_1] now" in stored[0]
    assert "Zq8Xw" not in stored[0] and "maria.ortiz" not in stored[0]
    for name in os.listdir(folder(project)):
        with open(os.path.join(folder(project), name), "rb") as fp:
            content = fp.read()
        assert token.encode() not in content and b"Zq8Xw" not in content and b"maria.ortiz" not in content, name


@pytest.mark.parametrize("change", ["config", "redaction", "project"])
def test_a_change_of_configuration_or_rules_recomputes_every_run(project, tmp_path, computed, change):
    path = write_runs(tmp_path / "runs.jsonl", [make_run(i) for i in range(1, 6)])
    export(project, path, tmp_path / "a")
    extra = []
    if change == "config":
        (project / "flywheel" / "config.json").write_text(json.dumps({"accept_auto_redacted": True}), encoding="utf-8")
    elif change == "redaction":
        (project / "flywheel" / "redaction.json").write_text(json.dumps({"deny": ["bluebird"]}), encoding="utf-8")
    else:
        extra = ["--project", "another"]
    del computed[:]
    export(project, path, tmp_path / "b", *extra)
    assert len(computed) == 5


def test_a_damaged_entry_or_file_is_recomputed_with_the_same_output(project, tmp_path, computed):
    path = write_runs(tmp_path / "runs.jsonl", list(generate_runs(40, seed=3)))
    expected = export(project, path, tmp_path / "a")
    db = sqlite3.connect(os.path.join(folder(project), cache.CACHE_FILE))
    db.execute("UPDATE entry SET value = substr(value, 1, 20) WHERE key IN (SELECT key FROM entry LIMIT 3)")
    db.commit()
    db.close()
    del computed[:]
    assert export(project, path, tmp_path / "b") == expected
    assert len(computed) == 3
    with open(os.path.join(folder(project), cache.CACHE_FILE), "wb") as fp:
        fp.write(b"not a database" * 100)
    del computed[:]
    assert export(project, path, tmp_path / "c") == expected
    assert len(computed) == 40


def test_entries_no_recent_pass_used_are_forgotten(project, tmp_path):
    old = write_runs(tmp_path / "old.jsonl", [make_run(i) for i in range(1, 4)])
    new = write_runs(tmp_path / "new.jsonl", [make_run(i) for i in range(10, 12)])
    export(project, old, tmp_path / "out-old")
    for number in range(cache.KEEP_PASSES - 1):
        export(project, new, tmp_path / f"out-{number}")
        assert len(list(cache.entries(folder(project)))) == 5
    export(project, new, tmp_path / "out-last")
    assert len(list(cache.entries(folder(project)))) == 2


def test_a_value_round_trips_to_the_same_run_and_keys(tmp_path):
    from data_flywheel.config import Config
    from data_flywheel.export.curate import run_keys
    from data_flywheel.export.gate import RedactionGate
    from data_flywheel.export.pipeline import Aggregator
    from data_flywheel.redaction import Redactor

    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "demo")
    for record in generate_runs(30, seed=5):
        run = aggregator.make_run(record)
        decoded_run, keys = parallel.decode(parallel.prepare(aggregator, record))
        assert decoded_run == run
        assert keys == run_keys(run)


def test_an_interrupted_pass_leaves_a_cache_the_next_pass_can_use(project, tmp_path, computed, monkeypatch):
    from data_flywheel.export import pipeline

    path = write_runs(tmp_path / "runs.jsonl", list(generate_runs(80, seed=9)))
    expected = export(project, path, tmp_path / "expected", "--no-cache")
    real_fold = pipeline.Aggregator.fold

    def failing_fold(self, run, *rest):
        if self.totals.traces == 50:
            raise KeyboardInterrupt
        real_fold(self, run, *rest)

    monkeypatch.setattr(pipeline.Aggregator, "fold", failing_fold)
    del computed[:]
    assert run_cli(["export", "--agent-root", str(project), "--approved-runs", path, "--out",
                    str(tmp_path / "broken")], env=ENV).code == 130
    kept = len(list(cache.entries(folder(project))))
    assert 50 <= kept <= len(computed)  # what was computed before the stop, committed whole
    monkeypatch.setattr(pipeline.Aggregator, "fold", real_fold)
    del computed[:]
    assert export(project, path, tmp_path / "after") == expected
    assert len(computed) == 80 - kept
