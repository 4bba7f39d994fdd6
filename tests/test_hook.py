"""The hook entry point: opt-in, one session, fast, never blocking the harness."""
import json
import os
import shutil
import time

from conftest import FIXTURES, read_jsonl, run_cli

ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}


def project(tmp_path, enabled=True):
    flywheel = tmp_path / "repo" / ".agent" / "flywheel"
    flywheel.mkdir(parents=True)
    if enabled:
        (flywheel / "config.json").write_text('{"capture_hook": true}\n')
    return tmp_path / "repo", flywheel


def transcript_in(repo, fixture, name):
    """A copy of a fixture session that ran in ``repo`` (its recorded folder rewritten)."""
    with open(os.path.join(FIXTURES, fixture), encoding="utf-8") as fp:
        text = fp.read().replace('"/home/dev/project"', json.dumps(str(repo)))
    target = repo.parent / name
    target.write_text(text, encoding="utf-8")
    return target


def payload(transcript, cwd, **extra):
    return json.dumps({"session_id": "s1", "transcript_path": str(transcript), "cwd": str(cwd),
                       "hook_event_name": "SessionEnd", **extra}).encode()


def test_off_unless_the_team_enables_it(tmp_path):
    repo, flywheel = project(tmp_path, enabled=False)
    transcript = os.path.join(FIXTURES, "pi", "thinking.jsonl")
    result = run_cli(["hook"], stdin=payload(transcript, repo), env=ENV)
    assert result.code == 0
    assert result.err == f'capture is off: set "capture_hook": true in {flywheel / "config.json"}\n'
    assert not (flywheel / "harvest").exists() and not (flywheel / "candidates.jsonl").exists()


def test_a_claude_code_session_end_harvests_that_session_quickly(tmp_path):
    repo, flywheel = project(tmp_path)
    transcript = transcript_in(repo, os.path.join("claude-code", "tool-calls.jsonl"), "session.jsonl")
    started = time.perf_counter()
    result = run_cli(["hook", "--json"], stdin=payload(transcript, repo), env=ENV)
    elapsed = time.perf_counter() - started
    assert result.code == 0, result
    summary = json.loads(result.out)
    assert summary["harvested"] is True and summary["rows"] == {"claude-code": {"task": 1, "turn": 2}}
    assert len(read_jsonl(flywheel / "candidates.jsonl")) == 2  # one per request of the session
    assert read_jsonl(os.path.join(summary["out"], "episodes.jsonl"))
    # The budget is 1.5 s for SessionEnd; measured well under 0.2 s here, bound loosely for shared CI.
    assert elapsed < 1.5
    again = run_cli(["hook", "--json"], stdin=payload(transcript, repo), env=ENV)
    assert json.loads(again.out)["candidates_added"] == 0


def test_bad_payloads_exit_1_never_2(tmp_path):
    repo, _ = project(tmp_path)
    for stdin, message in (
        (b"not json", "the hook payload is not JSON"),
        (b'{"cwd": "/x"}', "the hook payload has no transcript_path"),
        (payload(tmp_path / "missing.jsonl", repo), "the transcript named in the payload does not exist (yet)"),
    ):
        result = run_cli(["hook"], stdin=stdin, env=ENV)
        assert result.code == 1, result
        assert result.err.startswith("error: <stdin>: " + message)
        assert "Traceback" not in result.err


def test_large_transcripts_are_harvested_in_the_background(tmp_path, monkeypatch):
    from data_flywheel.commands import hook

    monkeypatch.setattr(hook, "DETACH_ABOVE_BYTES", 0)
    repo, flywheel = project(tmp_path)
    transcript = transcript_in(repo, os.path.join("pi", "thinking.jsonl"), "big.jsonl")
    started = time.perf_counter()
    result = run_cli(["hook", "--json"], stdin=payload(transcript, repo), env=ENV)
    assert time.perf_counter() - started < 1.0
    summary = json.loads(result.out)
    assert result.code == 0 and summary["detached"] is True
    episodes = os.path.join(summary["out"], "episodes.jsonl")
    deadline = time.time() + 60
    while not os.path.exists(episodes) and time.time() < deadline:
        time.sleep(0.1)
    assert read_jsonl(episodes), open(summary["log"]).read()


def test_a_payload_cwd_in_a_subfolder_uses_the_projects_one_store(tmp_path):
    repo, flywheel = project(tmp_path)
    (repo / "src" / "api").mkdir(parents=True)
    transcript = tmp_path / "session.jsonl"
    # The fixture ran in /home/dev/project; here it ran in a subfolder of this repository.
    with open(os.path.join(FIXTURES, "claude-code", "tool-calls.jsonl"), encoding="utf-8") as fp:
        transcript.write_text(fp.read().replace('"/home/dev/project"', json.dumps(str(repo / "src" / "api"))))
    result = run_cli(["hook", "--json"], stdin=payload(transcript, repo / "src" / "api"), env=ENV)
    assert result.code == 0, result
    candidates = read_jsonl(flywheel / "candidates.jsonl")
    assert candidates and {candidate["project"] for candidate in candidates} == {"repo"}
    assert not (repo / "src" / "api" / ".agent").exists()


def test_a_session_of_another_project_is_not_taken(tmp_path):
    repo, flywheel = project(tmp_path)
    transcript = tmp_path / "elsewhere.jsonl"
    shutil.copy(os.path.join(FIXTURES, "claude-code", "tool-calls.jsonl"), transcript)  # ran in /home/dev/project
    result = run_cli(["hook"], stdin=payload(transcript, repo), env=ENV)
    assert result.code == 0, result
    assert result.out.endswith("0 new candidates (the session ran outside this project: not taken)\n")
    assert not (flywheel / "candidates.jsonl").exists() or not read_jsonl(flywheel / "candidates.jsonl")
