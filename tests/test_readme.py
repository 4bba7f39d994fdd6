"""The README's examples run: every tool command line in it, in a scratch repository set up like a user's."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import EXAMPLE_RUNS, FIXTURES, ROOT, TOOLS

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
TOOL = "python3 .agent/tools/data_flywheel_export.py"


def shell_examples():
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if TOOL in command:
                lines.append(command)
    return lines


EXAMPLES = shell_examples()


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("user-repo")
    shutil.copytree(TOOLS, repo / ".agent" / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(os.path.join(ROOT, "schemas"), repo / ".agent" / "tools" / "schemas")
    (repo / ".agent" / "flywheel").mkdir()
    shutil.copy(EXAMPLE_RUNS, repo / ".agent" / "flywheel" / "approved-runs.jsonl")
    (repo / "examples" / "flywheel").mkdir(parents=True)
    shutil.copy(EXAMPLE_RUNS, repo / "examples" / "flywheel" / "approved-runs.jsonl")
    shutil.copy(EXAMPLE_RUNS, repo / "runs.jsonl")
    (repo / "notes.md").write_text("Deploy notes: logs are in /home/" + "dana/app.log\n")
    (repo / "session.jsonl").write_text('{"role": "user", "content": "hello"}\n')
    (repo / "audit.jsonl").write_text('{"event": "deploy"}\n')
    (repo / "my.schema.json").write_text(json.dumps({"type": "object"}))
    (repo / "data.jsonl").write_text("{}\n")
    # HOME is the scratch repository, so harvest's default folders never reach this machine's real sessions.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1", "HOME": str(repo)}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "notes.md"], cwd=repo, check=True)
    # The validate example reads an export of 2026-04-25, which SOURCE_DATE_EPOCH names.
    subprocess.run(["python3", ".agent/tools/data_flywheel_export.py"], cwd=repo, env=env, check=True, capture_output=True)
    # The review examples decide the candidates harvested from three real sessions (ids cand_51c0, cand_5953, cand_19c9).
    (repo / "sessions").mkdir()
    for harness in ("claude-code", "codex", "gemini-cli"):
        shutil.copy(os.path.join(FIXTURES, harness, "tool-calls.jsonl"), repo / "sessions" / f"{harness}.jsonl")
    subprocess.run(
        ["python3", ".agent/tools/data_flywheel_export.py", "harvest", "--path", "sessions", "--all-projects"],
        cwd=repo, env=env, check=True, capture_output=True,
    )
    return repo, env


def test_the_readme_has_tool_examples():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("command", EXAMPLES)
def test_readme_example_runs(user_repo, command):
    repo, env = user_repo
    result = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    # 1 is "ran and found something" (validate, redact --check); 2 would be a broken example.
    assert result.returncode in (0, 1), (command, result.stdout[-1000:], result.stderr[-1000:])


def test_readme_redaction_config_is_accepted(tmp_path):
    from data_flywheel.redaction import load_config

    block = re.search(r"```json\n(.*?)```", README, re.S).group(1)
    path = tmp_path / "redaction.json"
    path.write_text(block)
    load_config(str(path))


def test_readme_two_setup_commands_exist_in_the_makefile():
    makefile = open(os.path.join(ROOT, "Makefile"), encoding="utf-8").read()
    assert "make demo" in README and "make test" in README
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    assert "make test" in ci


def test_the_readme_harvest_walk_is_what_the_tool_prints(tmp_path):
    """The harvest section's walk (harvest, list, show, accept, reject, export) on the real sessions it names."""
    block = next(b for b in re.findall(r"```text\n(.*?)```", README, re.S) if b.startswith("$ cd /tmp/private"))
    steps = [chunk for chunk in re.split(r"^\$ ", block, flags=re.M) if chunk]
    project = tmp_path / "private"
    (project / ".agent").mkdir(parents=True)
    shutil.copytree(TOOLS, project / ".agent" / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(os.path.join(ROOT, "schemas"), project / ".agent" / "tools" / "schemas")
    sessions = tmp_path / "home" / ".claude" / "projects" / "-tmp-private"
    sessions.mkdir(parents=True)
    source = os.path.join(ROOT, "..", "shared", "fixtures", "claude-code", "codemie", "-tmp-private")
    if not os.path.isdir(source):
        pytest.skip("../shared/fixtures is not beside the checkout")
    for name in os.listdir(source):
        # The sessions ran in /tmp/private; here the project is this scratch folder.
        text = open(os.path.join(source, name), encoding="utf-8").read()
        (sessions / name).write_text(text.replace('"cwd":"/tmp/private"', json.dumps({"cwd": str(project)})[1:-1]))
    env = {**os.environ, "HOME": str(tmp_path / "home"), "SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1",
           "DATA_FLYWHEEL_REVIEWER": "dana"}
    for step in steps:
        command, _, expected = step.partition("\n")
        command = command.replace("cd /tmp/private && ", "")
        result = subprocess.run(["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (command, result.stderr)
        assert (result.stdout + result.stderr).replace(str(project), "/tmp/private") == expected, command
