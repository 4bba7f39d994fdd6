import json

from conftest import EXAMPLE_RUNS, make_run, run_cli, write_runs


def test_status_table_on_the_example():
    result = run_cli(["status", "--approved-runs", EXAMPLE_RUNS])
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split()[:7] == ["workflow", "runs", "approved", "trainable", "evals", "band", "next"]
    rows = {line.split()[0]: line.split() for line in lines[1:3]}
    # One run's only finding is a home-folder name: personal data trains with its placeholder.
    assert rows["saas/bug_triage"][1:6] == ["28", "26", "26", "4", "eval_set"]
    assert rows["engineering/code_review"][1:6] == ["12", "11", "11", "2", "context_card"]
    assert lines[-2] == ("redaction: 0 secret and 1 personal finding (home-directory-user 1); "
                         "1 run with personal data only, trainable with placeholders")
    assert lines[-1].startswith("next: ")
    assert "\033[" not in result.out  # NO_COLOR


def test_status_json_for_agents(tmp_path):
    path = write_runs(tmp_path / "r.jsonl", [make_run(i) for i in range(1, 12)] + ["oops"])
    result = run_cli(["status", "--approved-runs", path, "--json"])
    assert result.code == 0
    document = json.loads(result.out)
    workflow = document["workflows"]["saas/bug_triage"]
    assert workflow["approved"] == 11 and workflow["readiness"]["agentic_stack"]["band"] == "context_card"
    assert workflow["readiness"]["distillation"]["next"] == "489 more trainable examples (11 of 500) for distillation pilot"
    assert document["input_quality"]["skipped_lines"] == 1
    assert "warning:" in result.err


def test_status_writes_nothing(tmp_path):
    path = write_runs(tmp_path / "r.jsonl", [make_run(1)])
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert run_cli(["status", "--approved-runs", path]).code == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    import io

    from data_flywheel.cli import main

    class Tty(io.StringIO):
        def isatty(self):
            return True

    path = write_runs(tmp_path / "r.jsonl", [make_run(1)])
    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False)):
        out = Tty()
        assert main(["status", "--approved-runs", path], stdout=out, stderr=io.StringIO(), env=env) == 0
        assert ("\033[1m" in out.getvalue()) is coloured


def test_empty_status_says_what_to_do(tmp_path):
    result = run_cli(["status", "--approved-runs", str(tmp_path / "none.jsonl")])
    assert result.code == 0
    assert result.out.splitlines()[0] == f"no runs in {tmp_path / 'none.jsonl'}"
    assert result.out.splitlines()[-1].startswith("next: put approved runs in")
