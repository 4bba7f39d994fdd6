"""Runs prepared in worker processes come back in file order and give the same bytes as one process."""
from __future__ import annotations

import pytest
from conftest import run_cli, tree_bytes, write_runs
from corpus import generate_runs

from data_flywheel.config import Config
from data_flywheel.export import parallel
from data_flywheel.export.gate import RedactionGate
from data_flywheel.export.pipeline import Aggregator
from data_flywheel.redaction import Redactor

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}


def export(path, out):
    result = run_cli(["export", "--approved-runs", str(path), "--out", str(out), "--no-cache"], env=ENV)
    assert result.code == 0, result
    return tree_bytes(out)


@pytest.fixture
def pools(monkeypatch):
    """Every pool started, with small chunks and no threshold, so a small input uses one."""
    started = []
    context = parallel._fork_context()
    if context is None:
        pytest.skip("no fork start method here")

    class Recording:
        def Pool(self, processes, **kwargs):
            started.append(processes)
            return context.Pool(processes, **kwargs)

    monkeypatch.setattr(parallel, "_fork_context", lambda: Recording())
    monkeypatch.setattr(parallel, "CHUNK", 16)
    monkeypatch.setattr(parallel, "PARALLEL_AFTER", 0)
    return started


def test_two_processes_give_the_bytes_of_one(tmp_path, monkeypatch, pools):
    path = write_runs(tmp_path / "runs.jsonl", list(generate_runs(200, seed=11)))
    monkeypatch.setattr(parallel, "default_processes", lambda: 1)
    one = export(path, tmp_path / "one")
    assert pools == []
    monkeypatch.setattr(parallel, "default_processes", lambda: 2)
    two = export(path, tmp_path / "two")
    assert pools == [2]
    assert one == two


def test_without_fork_the_work_stays_in_this_process(tmp_path, monkeypatch):
    path = write_runs(tmp_path / "runs.jsonl", list(generate_runs(40, seed=12)))
    expected = export(path, tmp_path / "a")
    monkeypatch.setattr(parallel, "_fork_context", lambda: None)
    monkeypatch.setattr(parallel, "PARALLEL_AFTER", 0)
    monkeypatch.setattr(parallel, "default_processes", lambda: 2)
    assert export(path, tmp_path / "b") == expected


def test_results_are_in_order_with_bounded_chunks_in_flight(pools):
    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "demo")
    records = list(generate_runs(160, seed=13))
    read = []

    def lines():
        for number, record in enumerate(records, 1):
            read.append(number)
            yield number, record

    ahead = []
    made = []
    for run, _keys in parallel.prepared_runs(lines(), aggregator, processes=2):
        made.append(run.raw_id)
        ahead.append(len(read) - len(made))
    assert made == [record["id"] for record in records]
    assert pools == [2]
    # Chunks wait for the main process at most IN_FLIGHT per worker, plus the one being read.
    assert max(ahead) <= (parallel.IN_FLIGHT * 2 + 1) * parallel.CHUNK
    assert max(ahead) > parallel.CHUNK  # the pool did run ahead


def test_small_inputs_start_no_pool(pools, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_AFTER", 2000)  # the real threshold
    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "demo")
    records = list(generate_runs(40, seed=14))
    made = [run.raw_id for run, _keys in parallel.prepared_runs(enumerate(records), aggregator, processes=2)]
    assert made == [record["id"] for record in records]
    assert pools == []
