"""--out never deletes what the tool did not write: only a missing, empty, or earlier output folder is replaced."""
import json
import os

from conftest import FIXTURES, make_run, run_cli, tree_bytes, write_runs

EPOCH = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}
PI_SESSION = os.path.join(FIXTURES, "pi", "branch.jsonl")


def export_to(tmp_path, out, *extra):
    runs = write_runs(tmp_path / "runs.jsonl", [make_run(1), make_run(2)])
    return run_cli(["export", "--approved-runs", runs, "--out", str(out), *extra], env=EPOCH)


def a_project(tmp_path):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('hello')\n")
    (project / "README.md").write_text("# my project\n")
    return project


def refused(result, shown):
    assert result.code == 2, result
    assert result.err.startswith(f"error: {shown}: refusing to replace a folder this tool did not write"), result.err
    assert "pass --out a new or empty folder" in result.err


def test_a_project_folder_is_refused_and_left_whole(tmp_path):
    project = a_project(tmp_path)
    before = tree_bytes(project)
    refused(export_to(tmp_path, project), project)
    assert tree_bytes(project) == before
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_the_store_itself_is_refused(tmp_path):
    store = tmp_path / ".agent" / "flywheel"
    store.mkdir(parents=True)
    (store / "approved-runs.jsonl").write_text(json.dumps(make_run(1)) + "\n")
    (store / "candidates.jsonl").write_text("")
    before = tree_bytes(store)
    refused(export_to(tmp_path, store), store)
    assert tree_bytes(store) == before


def test_an_export_with_a_file_a_person_added_is_refused(tmp_path):
    out = tmp_path / "out"
    assert export_to(tmp_path, out).code == 0
    (out / "notes.txt").write_text("mine")
    result = export_to(tmp_path, out)
    refused(result, out)
    assert "notes.txt is not listed in its manifest.json" in result.err
    assert (out / "notes.txt").read_text() == "mine"


def test_a_folder_with_a_foreign_manifest_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"tool": "something-else", "files": []}))
    result = export_to(tmp_path, out)
    refused(result, out)
    assert "is not one of this tool's" in result.err


def test_an_empty_folder_and_a_previous_export_are_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert export_to(tmp_path, out).code == 0
    assert (out / "manifest.json").is_file()
    again = export_to(tmp_path, out)
    assert again.code == 0, again
    assert (out / "trace-records.jsonl").is_file()


def test_a_symlink_out_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for _ in range(2):
        result = export_to(tmp_path, link)
        assert result.code == 0, result
        assert link.is_symlink()
        assert (real / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real", "runs.jsonl"]


def test_a_symlink_to_a_project_is_refused(tmp_path):
    project = a_project(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(project, target_is_directory=True)
    before = tree_bytes(project)
    refused(export_to(tmp_path, link), link)
    assert tree_bytes(project) == before and link.is_symlink()


def test_harvest_out_refuses_a_user_folder_and_replaces_its_own(tmp_path):
    project = a_project(tmp_path)
    before = tree_bytes(project)
    root = tmp_path / "agent"
    argv = ["harvest", "--agent-root", str(root), "--path", PI_SESSION, "--out"]
    refused(run_cli(argv + [str(project)], env=EPOCH), project)
    assert tree_bytes(project) == before
    out = tmp_path / "harvested"
    assert run_cli(argv + [str(out)], env=EPOCH).code == 0
    again = run_cli(argv + [str(out)], env=EPOCH)
    assert again.code == 0, again
    assert (out / "episodes.jsonl").is_file()


def test_export_over_a_harvest_folder_is_allowed(tmp_path):
    out = tmp_path / "out"
    assert run_cli(["harvest", "--agent-root", str(tmp_path / "agent"), "--path", PI_SESSION, "--out", str(out)],
                   env=EPOCH).code == 0
    assert export_to(tmp_path, out).code == 0
    assert not (out / "episodes.jsonl").exists()
