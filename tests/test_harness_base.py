"""The shared reader layer: every reader follows the Reader protocol; sniffing and JSON lines, shared."""
import inspect
import io
import json
import os

import pytest

from conftest import ROOT
from data_flywheel import jsonio
from data_flywheel.sources import discover
from data_flywheel.sources.harness import READERS, base, codex

SHARED = os.path.join(ROOT, "..", "shared", "fixtures")
needs_shared = pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/fixtures is not beside the checkout")


@pytest.mark.parametrize("reader", READERS, ids=[r.NAME for r in READERS])
def test_every_reader_follows_the_protocol(reader):
    assert isinstance(reader, base.Reader)
    assert isinstance(reader.NAME, str) and reader.NAME
    assert isinstance(reader.DEFAULT_DIRS, tuple) and reader.DEFAULT_DIRS
    assert isinstance(reader.default_dirs({}), tuple) and reader.default_dirs({}) == reader.DEFAULT_DIRS
    assert reader.sniff([]) is False and reader.sniff(["not json"]) is False
    assert reader.sniff_path(os.path.join(ROOT, "README.md")) is False
    assert reader.skip_reason(os.path.join(ROOT, "README.md")) is None
    parameters = inspect.signature(reader.read_session).parameters
    assert list(parameters)[:2] == ["path", "on_problem"]
    assert parameters["keep_reasoning"].kind is inspect.Parameter.KEYWORD_ONLY
    assert not hasattr(reader, "read") and not hasattr(reader, "session_dirs")  # one name per job


def test_the_registry_names_are_unique():
    assert len({r.NAME for r in READERS}) == len(READERS)


def test_json_lines_reports_an_unfinished_last_line_as_truncated():
    problems = []
    data = b'{"a": 1}\nnot json\n{"b": 2}\n{"c": '
    rows = list(base.json_lines(io.BytesIO(data), "s.jsonl", problems.append))
    assert rows == [(1, {"a": 1}), (3, {"b": 2})]
    assert [(p.line, p.reason) for p in problems] == [(2, jsonio.INVALID_JSON), (4, base.TRUNCATED_LAST_LINE)]


def test_read_head_reads_a_long_first_line_whole_and_cuts_the_others():
    data = b"\n" + b"x" * 100 + b"\n" + b"y" * 50 + b"\nz\n"
    head = base.read_head(io.BytesIO(data), lines=4, line_bytes=10, first_line_bytes=1000)
    assert head == [b"\n", b"x" * 100 + b"\n", b"y" * 10, b"z\n"]
    capped = base.read_head(io.BytesIO(data), lines=1, line_bytes=10, first_line_bytes=40)
    assert capped == [b"\n"]
    assert base.read_head(io.BytesIO(b"x" * 100), lines=1, line_bytes=10, first_line_bytes=40) == [b"x" * 40]


def test_under():
    assert base.under("/repo", "/repo") and base.under("/repo/sub/x", "/repo") and base.under("/repo/", "/repo")
    assert not base.under("/repository", "/repo") and not base.under("/", "/repo")


@needs_shared
def test_a_first_line_over_64_kb_is_still_recognised(tmp_path):
    source = os.path.join(SHARED, "codex", "codemie", "rollout-2026-05-11T13-28-45-019e1695-0522-7c83-8b39-0dd379793f80.jsonl")
    with open(source, encoding="utf-8") as fp:
        lines = fp.readlines()
    meta = json.loads(lines[0])
    meta["payload"]["base_instructions"]["text"] += "\n# Long project rules\n" + "Keep changes small. " * 4000
    lines[0] = json.dumps(meta) + "\n"
    assert len(lines[0].encode("utf-8")) > discover.HEAD_BYTES
    path = tmp_path / "rollout-long.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    found = discover.classify(str(path), READERS)
    assert found.reader is codex and found.skipped is None
    assert sum(1 for e in codex.read_session(str(path), lambda p: None) if e.kind == "turn") == 3
