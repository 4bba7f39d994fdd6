"""Every OS error is a user error: each command, failed at each write it makes, exits 2 with one line.

faultwrap.install_write_faults makes the Nth write-like call (opening a file
for writing, a write, a mkdir, a rename) raise OSError; each command is run
once to count its calls, then once failing at every one of them. Whatever
the point, the command prints one ``error: PATH: ...`` line with the fix and
exits 2, the previous export is byte-for-byte intact with no staging folder
left, and the stores hold whole lines only. bench/faults.py does the same
with kill -9, a full tmpfs and concurrent writers.
"""
import errno
import json
import os
import re
import shutil

import pytest

from conftest import FIXTURES, make_run, run_cli, tree_bytes, write_runs
from faultwrap import Injector, install_write_faults

EPOCH = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "DATA_FLYWHEEL_LOCK_WAIT": "0"}
PI_SESSION = os.path.join(FIXTURES, "pi", "branch.jsonl")


def a_store(base):
    flywheel = base / ".agent" / "flywheel"
    flywheel.mkdir(parents=True)
    write_runs(flywheel / "approved-runs.jsonl", [make_run(1), make_run(2, workflow="Lead Intake")])
    assert run_cli(["export", "--agent-root", str(base / ".agent"), "--out", str(base / "out")], env=EPOCH).code == 0
    assert run_cli(["harvest", "--agent-root", str(base / ".agent"), "--path", PI_SESSION, "--all-projects",
                    "--out", str(base / "h")], env=EPOCH).code == 0
    return base


def first_candidate(base):
    with open(base / ".agent" / "flywheel" / "candidates.jsonl", encoding="utf-8") as fp:
        return json.loads(fp.readline())["id"]


COMMANDS = {
    "export": lambda base: ["export", "--agent-root", str(base / ".agent"), "--out", str(base / "out")],
    "harvest": lambda base: ["harvest", "--agent-root", str(base / ".agent"), "--path", PI_SESSION, "--out", str(base / "h")],
    "record": lambda base: ["record", "--agent-root", str(base / ".agent"), "--domain", "saas", "--workflow", "triage",
                            "--status", "accepted", "--input", "Fix the import.", "--output", "Fixed the validator.",
                            "--reviewer", "dana"],
    "validate --repair": lambda base: ["validate", "--repair", str(base / ".agent" / "flywheel" / "approved-runs.jsonl")],
    "status": lambda base: ["status", "--agent-root", str(base / ".agent")],
    "review --accept": lambda base: ["review", "--agent-root", str(base / ".agent"), "--accept", first_candidate(base),
                                     "--reviewer", "dana"],
    "report": lambda base: ["report", str(base / "out")],
    "install": lambda base: ["install", "--target", str(base), "--harness", "claude-code"],
}


class Patches:
    def __init__(self) -> None:
        self.saved = []

    def __call__(self, owner, name, value) -> None:
        self.saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def undo(self) -> None:
        while self.saved:
            owner, name, value = self.saved.pop()
            setattr(owner, name, value)


def run_with_fault(base, argv, fail_at, code=errno.ENOSPC):
    injector = Injector(fail_at, code)
    patches = Patches()
    install_write_faults(injector, patches)
    try:
        result = run_cli(argv, env=EPOCH)
    finally:
        patches.undo()
    return result, injector.calls


def whole_lines(path):
    if not path.exists():
        return True
    data = path.read_bytes()
    return data == b"" or (data.endswith(b"\n") and all(json.loads(line) for line in data.splitlines() if line.strip()))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_failing_at_each_write_exits_2_with_one_line(tmp_path, name):
    template = a_store(tmp_path / "template")
    if name == "validate --repair":
        with open(template / ".agent" / "flywheel" / "approved-runs.jsonl", "a") as fp:
            fp.write('{"id": "torn", "cr')
    clean, calls = run_with_fault(template, COMMANDS[name](template), 0)
    shutil.rmtree(template)
    template = a_store(tmp_path / "template")  # the counting run changed it; start again from the same state
    if name == "validate --repair":
        with open(template / ".agent" / "flywheel" / "approved-runs.jsonl", "a") as fp:
            fp.write('{"id": "torn", "cr')
    assert clean.code == 0, clean
    assert calls > 0 or name == "status"
    for fail_at in range(1, calls + 1):
        base = tmp_path / f"case-{fail_at}"
        shutil.copytree(template, base, symlinks=True)
        before = tree_bytes(base / "out")
        result, _ = run_with_fault(base, COMMANDS[name](base), fail_at)
        where = f"{name}, write {fail_at} of {calls}"
        assert result.code == 2, (where, result)
        assert re.match(r"error: /[^:]+: cannot ", result.err) and result.err.count("\n") == 1, (where, result.err)
        assert "No space left on device (" in result.err and result.err.endswith(")\n"), (where, result.err)
        assert tree_bytes(base / "out") == before, where
        assert [p.name for p in base.iterdir() if ".staging-" in p.name or ".previous-" in p.name] == [], where
        for store in ("approved-runs.jsonl", "candidates.jsonl"):
            path = base / ".agent" / "flywheel" / store
            assert name == "validate --repair" or whole_lines(path), (where, store)
        shutil.rmtree(base)


def test_other_os_errors_name_their_own_fix(tmp_path):
    a_store(tmp_path)
    argv = COMMANDS["export"](tmp_path)
    for code, fix in [(errno.EACCES, "choose a folder you can write, or fix its permissions"),
                      (errno.EROFS, "choose a folder you can write, or fix its permissions"),
                      (errno.ENAMETOOLONG, "choose a shorter path"),
                      (errno.EMFILE, "raise the open-files limit (ulimit -n)")]:
        result, _ = run_with_fault(tmp_path, argv, 3, code)
        assert result.code == 2 and f"{os.strerror(code)} ({fix}" in result.err, result.err


# --- hostile input: fuzzed lines and configuration files, each under a time limit ----------------

import signal  # noqa: E402

from data_flywheel import config as flywheel_config  # noqa: E402
from data_flywheel.errors import ConfigError  # noqa: E402
from data_flywheel.redaction import Redactor  # noqa: E402
from data_flywheel.redaction import config as redaction_config  # noqa: E402
from fuzz import fuzzed_configs, fuzzed_lines, split_lines  # noqa: E402

# Generous: a hang is what this catches, not slowness (bench/faults.py measures time).
LIMIT_SECONDS = 10


class Hang(Exception):
    pass


def within_limit(function):
    def alarm(_signum, _frame):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, LIMIT_SECONDS)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_fuzzed_lines_are_exported_or_skipped_with_their_line(tmp_path):
    cases = list(fuzzed_lines(seed=15, count=150))
    runs = tmp_path / "runs.jsonl"
    runs.write_bytes(split_lines(cases))
    result = within_limit(lambda: run_cli(["export", "--approved-runs", str(runs), "--out", str(tmp_path / "out")], env=EPOCH))
    assert result.code == 0, result
    quality = json.loads((tmp_path / "out" / "flywheel-metrics.json").read_text())["input_quality"]
    assert quality["lines_read"] == len(cases)
    assert quality["records_read"] + quality["skipped_lines"] + quality["blank_lines"] == len(cases)
    assert quality["records_read"] > 10 and quality["skipped_lines"] > 10


def test_fuzzed_configuration_files_load_or_are_refused_in_time(tmp_path):
    text = "Acme Corp build-12.corp.internal " + "a" * 3000 + "! " + "x" * 3000
    outcomes = {"loaded": 0, "refused": 0}
    for name, mutation, data in fuzzed_configs(seed=15, count=60):
        (tmp_path / name).write_bytes(data)

        def load():
            if name == "config.json":
                return flywheel_config.load_config(str(tmp_path))
            return Redactor(redaction_config.load_config(str(tmp_path / name))).session().redact(text)

        try:
            within_limit(load)
            outcomes["loaded"] += 1
        except ConfigError as error:
            assert str(error).startswith(str(tmp_path / name)), (mutation, error)
            outcomes["refused"] += 1
    assert outcomes["loaded"] > 5 and outcomes["refused"] > 5, outcomes


@pytest.mark.skipif(not hasattr(os, "fork"), reason="resource limits are set in a forked child")
def test_too_few_open_files_is_one_line_with_the_fix(tmp_path):
    import resource
    import subprocess
    import sys

    from conftest import ENTRY, EXAMPLE_RUNS

    def limited():
        resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))

    out = tmp_path / "out"
    child = subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", EXAMPLE_RUNS, "--out", str(out)],
                           capture_output=True, text=True, preexec_fn=limited, timeout=60)
    assert child.returncode == 2, child.stderr
    assert child.stderr.count("\n") == 1 and "Traceback" not in child.stderr
    assert "Too many open files (raise the open-files limit (ulimit -n)" in child.stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == []
