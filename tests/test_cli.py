"""The command line's outside: help on every command, the default command, exit codes, the README."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ENTRY, ROOT, run_cli

from data_flywheel.commands import COMMANDS

NAMES = [command.NAME for command in COMMANDS]


@pytest.mark.parametrize("name", NAMES)
def test_every_command_has_help_with_an_example(name):
    result = run_cli([name, "--help"])
    assert result.code == 0
    assert result.out.startswith(f"usage: data_flywheel_export.py {name}")
    assert "Example" in result.out
    if name != "redact" or "--json" in result.out:
        assert "--json" in result.out


def test_top_level_help_lists_every_command():
    result = run_cli(["--help"])
    assert result.code == 0
    for name in NAMES:
        assert re.search(rf"^\s+{name}\s", result.out, re.M), name
    assert "With no command, runs 'export'" in result.out


def test_every_command_appears_in_the_readme_with_an_example():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for name in NAMES:
        assert f"data_flywheel_export.py {name}" in readme, name


def test_version():
    from data_flywheel import __version__

    result = run_cli(["--version"])
    assert result.code == 0 and result.out.strip() == f"data_flywheel_export.py {__version__}"


def test_usage_error_is_exit_2_with_usage_and_no_traceback():
    result = run_cli(["export", "--no-such-flag"])
    assert result.code == 2
    assert "usage:" in result.err and "unrecognized arguments: --no-such-flag" in result.err
    assert "Traceback" not in result.err


def test_unknown_command_is_a_usage_error():
    result = run_cli(["frobnicate"])
    assert result.code == 2 and "invalid choice: 'frobnicate'" in result.err


def test_entry_script_runs_as_a_program_from_anywhere(tmp_path):
    """The thin entry finds its package: the agentic-stack invocation works from any folder."""
    result = subprocess.run([sys.executable, ENTRY, "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and "commands:" in result.stdout


def test_user_errors_from_the_entry_script_have_no_traceback(tmp_path):
    (tmp_path / "out").write_text("a file")
    (tmp_path / "runs.jsonl").write_text("")
    result = subprocess.run(
        [sys.executable, ENTRY, "--approved-runs", "runs.jsonl", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: out: the output path exists and is not a folder")
    assert "Traceback" not in result.stderr


def test_importing_the_package_has_no_side_effects():
    code = "import sys; sys.path.insert(0, %r); import data_flywheel; print(sorted(m for m in sys.modules if m.startswith('data_flywheel')))" % os.path.join(ROOT, "tools")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "['data_flywheel', 'data_flywheel.errors']"
    assert result.stderr == ""
