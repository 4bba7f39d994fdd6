import json

from conftest import EXAMPLE_RUNS, make_run, run_cli, write_runs


def test_status_table_on_the_example():
    result = run_cli(["status", "--approved-runs", EXAMPLE_RUNS])
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split()[:9] == ["workflow", "runs", "approved", "trainable", "evals", "held-out", "card", "band", "next"]
    rows = {line.split()[0]: line.split() for line in lines[1:3]}
    # evals: every approved, clean run (eval-cases.jsonl); the run whose only finding is a
    # home-folder name trains with its placeholder and counts too, so 26. Held out: two held-out
    # tickets whose nearest training ticket has a word-3-gram Jaccard of 0.67 and 0.68 pass the
    # similarity rule, but each shares a span of 17 or more words with a training ticket, so the
    # 13-word overlap rule keeps them out of the held-out set; 4 are held out.
    assert rows["saas/bug_triage"][1:8] == ["28", "26", "26", "26", "4", "ready", "eval_set"]
    assert rows["engineering/code_review"][1:8] == ["12", "11", "11", "11", "2", "ready", "context_card"]
    assert " ".join(rows["engineering/code_review"][8:]).startswith("14 more eval cases (11 of 25) for first eval set")
    assert "█" not in result.out  # no bars in a pipe
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
        # A terminal gets a bar to the next band: 1 approved run of the 10 a card needs is 2 of 20 cells.
        row = out.getvalue().splitlines()[1]
        plain = row.replace("\033[32m", "").replace("\033[2m", "").replace("\033[0m", "")
        assert "██" + "░" * 18 + " 1/10  9 more approved runs" in plain


def test_status_and_export_agree_on_cards(tmp_path):
    runs = [make_run(i) for i in range(1, 10)] + [make_run(100 + i, workflow="code_review") for i in range(10)]
    path = write_runs(tmp_path / "r.jsonl", runs)
    status = run_cli(["status", "--approved-runs", path, "--json"]).json()
    assert status["context_cards"] == {"ready": 1, "draft": 1}
    assert status["workflows"]["saas/bug_triage"]["card"] == "draft"
    exported = run_cli(["export", "--approved-runs", path, "--out", str(tmp_path / "out"), "--json"]).json()
    assert (exported["context_cards"], exported["context_card_drafts"]) == (1, 1)
    text = run_cli(["export", "--approved-runs", path, "--out", str(tmp_path / "out")]).out
    assert "1 context card (1 draft below 10 approved runs)" in text
    card = json.loads((tmp_path / "out" / "context-cards" / "saas" / "bug_triage.json").read_text())
    assert card["status"] == "draft"


def test_empty_status_says_what_to_do(tmp_path):
    result = run_cli(["status", "--agent-root", str(tmp_path / ".agent")])
    assert result.code == 0
    assert result.out.splitlines()[0] == f"no runs in {tmp_path / '.agent' / 'flywheel' / 'approved-runs.jsonl'}"
    assert result.out.splitlines()[-1].startswith("next: put approved runs in")


def test_status_counts_are_the_exports(tmp_path):
    # One per-run loop with two sinks: status's numbers cannot drift from export's.
    from corpus import generate_runs

    path = write_runs(tmp_path / "r.jsonl", list(generate_runs(120, seed=4)))
    env = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}
    status = run_cli(["status", "--approved-runs", path, "--json"], env=env)
    assert status.code == 0, status
    exported = run_cli(["export", "--approved-runs", path, "--out", str(tmp_path / "out")], env=env)
    assert exported.code == 0, exported
    metrics = json.loads((tmp_path / "out" / "flywheel-metrics.json").read_text(encoding="utf-8"))
    document = status.json()
    for key in ("total_traces", "accepted_traces", "trainable_traces", "eval_cases", "not_trainable_because"):
        assert document[key] == metrics[key], key
    assert document["workflows"] == metrics["workflows"]
    assert metrics["eval_cases"] > 0 and metrics["datasets"]["dedup"]["exact_duplicates"] > 0
