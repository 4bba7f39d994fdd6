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


# --- publishing is atomic; leftovers are cleaned; one writer at a time -------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

from conftest import ROOT  # noqa: E402
from data_flywheel.export import staging  # noqa: E402
from data_flywheel.locking import FolderLock  # noqa: E402

FAULTWRAP = os.path.join(ROOT, "tests", "faultwrap.py")


def complete_export(out):
    """The manifest's files, each present with its listed size: (run ids) of a complete export."""
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["files"]:
        assert (out / entry["path"]).stat().st_size == entry["bytes"], entry["path"]
    return [json.loads(line)["source_run_id_hash"] for line in (out / "trace-records.jsonl").read_text().splitlines()]


def crashed_export(tmp_path, out, runs, *flags):
    path = write_runs(tmp_path / "runs.jsonl", runs)
    argv = [sys.executable, FAULTWRAP, *flags, "--", "export", "--approved-runs", path, "--out", str(out)]
    return subprocess.run(argv, env={**os.environ, **EPOCH}, capture_output=True).returncode


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".previous-" in p.name)


# Steps (see faultwrap.py): with the exchange, 1 before it, 2 after it, 3 before the old export is removed;
# with the fallback (its refused exchange is steps 1-2), 4 is between the two renames. bench/faults.py kills at every step and at random moments.
@pytest.mark.parametrize("flags, step, expected", [
    ([], 1, "old"), ([], 2, "new"), ([], 3, "new"), (["--no-exchange"], 4, "restored"),
], ids=["before-exchange", "after-exchange", "before-cleanup", "between-two-renames"])
def test_a_kill_while_publishing_leaves_the_old_or_the_new_export(tmp_path, flags, step, expected):
    out = tmp_path / "out"
    assert export_to(tmp_path, out).code == 0
    old = complete_export(out)
    assert crashed_export(tmp_path, out, [make_run(7), make_run(8), make_run(9)], "--kill-at", str(step), *flags) == -9
    if expected == "restored":
        assert not out.exists()
        # The next run (here only its set-up) puts the previous export back before anything else.
        staging.Staging(str(out), wait=0).discard()
        assert complete_export(out) == old
    else:
        assert (complete_export(out) == old) == (expected == "old")
        assert len(complete_export(out)) == (2 if expected == "old" else 3)
    assert export_to(tmp_path, out).code == 0
    assert leftovers(tmp_path) == []


def test_publishing_swaps_in_one_step_where_the_platform_can(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").write_text("a")
    if not staging.exchange(str(a), str(b)):
        pytest.skip("no exchange rename on this platform or file system")
    assert [p.name for p in b.iterdir()] == ["from-a"] and list(a.iterdir()) == []


def test_leftovers_of_interrupted_runs_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    assert export_to(tmp_path, out).code == 0
    for name in (".out.staging-999999-abc", ".out.staging-xyz", ".out.previous-1-abc"):
        (tmp_path / name / "context-cards").mkdir(parents=True)
        (tmp_path / name / "trace-records.jsonl").write_text("{}\n")
    (tmp_path / ".other.staging-1-abc").mkdir()
    (tmp_path / ".out.staging-link").symlink_to(a_project(tmp_path), target_is_directory=True)
    assert export_to(tmp_path, out).code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".other.staging-1-abc", ".out.staging-link"]
    assert (tmp_path / "project" / "README.md").is_file()


def test_a_second_writer_waits_then_exits_2_naming_the_first(tmp_path):
    out = tmp_path / "out"
    assert export_to(tmp_path, out).code == 0
    before = tree_bytes(out)
    live = tmp_path / ".out.staging-4242-live"  # what the first writer is writing: never touched
    live.mkdir()
    (live / "trace-records.jsonl").write_text("{}\n")
    lock = FolderLock(str(tmp_path), wait=0)
    try:
        runs = write_runs(tmp_path / "runs.jsonl", [make_run(3)])
        result = run_cli(["export", "--approved-runs", runs, "--out", str(out)], env={**EPOCH, "DATA_FLYWHEEL_LOCK_WAIT": "0.2"})
        harvest = run_cli(["harvest", "--agent-root", str(tmp_path / "agent"), "--path", PI_SESSION, "--out",
                           str(tmp_path / "h")], env={**EPOCH, "DATA_FLYWHEEL_LOCK_WAIT": "0"})
    finally:
        lock.release()
    assert result.code == 2
    assert result.err == (f"error: {out}: another export is running (pid 4242) "
                          "(wait for it to finish, or set DATA_FLYWHEEL_LOCK_WAIT to wait longer)\n")
    assert harvest.code == 2 and "another harvest is running (pid 4242)" in harvest.err
    assert tree_bytes(out) == before and (live / "trace-records.jsonl").is_file()
    assert export_to(tmp_path, out).code == 0  # once the lock is free
