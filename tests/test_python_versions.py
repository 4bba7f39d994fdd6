"""The tool under every CPython 3.9-3.13 on this machine: same commands, byte-identical exports.

pytest itself runs on one interpreter; the tool needs nothing but the
standard library, so each other interpreter runs it as a user would. The
suite fails if no interpreter older than 3.10 is found, because 3.9 is the
oldest promise and the easiest one to break.
"""
import glob
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ENTRY, EXAMPLE_RUNS, TOOLS, tree_bytes

SUPPORTED = [(3, minor) for minor in range(9, 14)]


def find_interpreters():
    candidates = [sys.executable]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    pyenv_root = os.environ.get("PYENV_ROOT")
    if pyenv_root:
        candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3")))
    candidates += [shutil.which(f"python3.{minor}") for minor in range(9, 14)]
    found = {}
    for path in filter(None, candidates):
        try:
            out = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out:
            version = tuple(int(part) for part in out.split("."))
            if version in SUPPORTED:
                found.setdefault(version, path)
    return dict(sorted(found.items()))


INTERPRETERS = find_interpreters()


def test_an_interpreter_older_than_3_10_is_available():
    assert any(version < (3, 10) for version in INTERPRETERS), (
        f"only {sorted(INTERPRETERS)} found: install CPython 3.9 (e.g. pyenv install 3.9) so the suite proves 3.9 support")


def run(python, *args, cwd, env_extra=None):
    env = {**os.environ, "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", **(env_extra or {})}
    return subprocess.run([python, ENTRY, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_every_module_imports_on_every_version(tmp_path):
    code = (
        "import sys, pkgutil, importlib; sys.path.insert(0, %r); import data_flywheel; "
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(data_flywheel.__path__, 'data_flywheel.') if not m.name.endswith('__main__')]; print('ok')"
    ) % TOOLS
    for version, python in INTERPRETERS.items():
        # __main__ is left out: importing it runs the tool (python -m data_flywheel).
        result = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert result.stdout.strip() == "ok", (version, result.stderr)


def test_exports_are_byte_identical_across_versions(tmp_path):
    outputs = {}
    for version, python in INTERPRETERS.items():
        out = tmp_path / ("out-%d.%d" % version)
        result = run(python, "export", "--approved-runs", EXAMPLE_RUNS, "--out", str(out), "--project", "example", cwd=tmp_path)
        assert result.returncode == 0, (version, result.stderr)
        checked = run(python, "validate", str(out / "trace-records.jsonl"), cwd=tmp_path)
        assert checked.returncode == 0, (version, checked.stdout, checked.stderr)
        status = run(python, "status", "--approved-runs", EXAMPLE_RUNS, "--json", cwd=tmp_path)
        assert status.returncode == 0 and '"workflows"' in status.stdout, (version, status.stderr)
        outputs[version] = tree_bytes(out)
    first_version, first = next(iter(outputs.items()))
    for version, tree in outputs.items():
        differing = sorted(name for name in set(first) | set(tree) if first.get(name) != tree.get(name))
        assert differing == [], f"{version} differs from {first_version} in {differing}"


@pytest.mark.parametrize("version", sorted(INTERPRETERS), ids=lambda v: "%d.%d" % v)
def test_bad_input_is_handled_on_every_version(tmp_path, version):
    python = INTERPRETERS[version]
    runs = tmp_path / "runs.jsonl"
    runs.write_bytes(b'{"id": "x", "v": NaN}\n\xff\n[' * 1 + b"]" + b"\n" + b'{"id": ' + b"[" * 5000 + b"]" * 5000 + b"}\n")
    result = run(python, "export", "--approved-runs", str(runs), "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("(line skipped)") == 4
