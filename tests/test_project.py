"""Finding the project from anywhere inside it (one store per project), and who is working in it."""
import os
import shutil

import pytest

from conftest import read_jsonl, run_cli

from data_flywheel import project

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "DATA_FLYWHEEL_REVIEWER": "dana"}
RECORD = ["record", "--domain", "saas", "--workflow", "triage", "--status", "accepted", "--input", "a", "--output", "b"]


def test_the_nearest_agent_folder_upward_is_the_root(tmp_path):
    (tmp_path / "repo" / ".agent").mkdir(parents=True)
    deep = tmp_path / "repo" / "src" / "pkg"
    deep.mkdir(parents=True)
    found = project.find(str(deep))
    assert (found.root, found.found_by, found.name) == (str(tmp_path / "repo"), "agent", "repo")
    assert found.agent_root == os.path.join("..", "..", ".agent")
    at_root = project.find(str(tmp_path / "repo"))
    assert at_root.agent_root == ".agent"


@pytest.mark.parametrize("git_is_a_file", [False, True])
def test_the_git_top_level_is_the_root_and_the_search_stops_there(tmp_path, git_is_a_file):
    (tmp_path / ".agent").mkdir()  # above the repository: another project's, not this one's
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    if git_is_a_file:  # a worktree or a submodule
        (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    else:
        (repo / ".git").mkdir()
    found = project.find(str(repo / "sub"))
    assert (found.root, found.found_by) == (str(repo), "git")
    assert found.agent_root == os.path.join("..", ".agent")


def test_outside_any_project_the_current_folder_is_the_root(tmp_path):
    found = project.find(str(tmp_path))
    if found.found_by == "cwd":  # unless the machine has an .agent/ or .git above the temporary folder
        assert (found.root, found.agent_root) == (str(tmp_path), ".agent")


def test_record_from_a_subfolder_writes_to_the_one_store_and_names_the_project(tmp_path, monkeypatch):
    repo = tmp_path / "shop"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "api").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "api")
    result = run_cli(RECORD, env=ENV)
    assert result.code == 0, result
    assert f"written to {os.path.join('..', '..', '.agent', 'flywheel', 'approved-runs.jsonl')}" in result.out
    [run] = read_jsonl(repo / ".agent" / "flywheel" / "approved-runs.jsonl")
    assert run["project"] == "shop"
    assert not (repo / "src" / "api" / ".agent").exists() and not (repo / "src" / ".agent").exists()
    # Later commands from anywhere in the repository find the same store, now by its .agent/ folder.
    monkeypatch.chdir(repo / "src")
    status = run_cli(["status", "--json"], env=ENV)
    assert status.code == 0 and status.json()["approved_runs"] == os.path.join("..", ".agent", "flywheel", "approved-runs.jsonl")


def test_agent_root_still_overrides(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".agent").mkdir(parents=True)
    monkeypatch.chdir(repo)
    result = run_cli([*RECORD, "--agent-root", str(tmp_path / "elsewhere")], env=ENV)
    assert result.code == 0, result
    assert (tmp_path / "elsewhere" / "flywheel" / "approved-runs.jsonl").exists()
    assert not (repo / ".agent" / "flywheel").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_user_name_is_read_with_the_given_environment(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Dana Reviewer\n")
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1"}
    assert project.git_user_name(str(tmp_path), env) == "Dana Reviewer"
    (home / ".gitconfig").write_text("")
    assert project.git_user_name(str(tmp_path), env) == ""
    assert project.git_user_name(str(tmp_path), {"HOME": str(home)}) == ""  # no PATH: git is not run


def test_account_name_comes_from_the_password_database():
    pwd = pytest.importorskip("pwd")
    assert project.account_name() == pwd.getpwuid(os.getuid()).pw_name
