"""The curator: one row per duplicate cluster, held-out eval cases, no leaks, real preference pairs only."""
import json

import pytest
from conftest import make_run, write_runs

from data_flywheel.config import Config
from data_flywheel.export import dedup, splits
from data_flywheel.export.curate import Curator
from data_flywheel.export.gate import RedactionGate
from data_flywheel.export.pipeline import Aggregator
from data_flywheel.redaction import Redactor

ALL_TRAIN = {"train": 1.0, "validation": 0.0, "test": 0.0}
ALL_TEST = {"train": 0.0, "validation": 0.0, "test": 1.0}


def _words(index, count=14):
    return " ".join(f"w{index}x{k}" for k in range(count))


def distinct(index, **extra):
    fields = {"input_redacted": f"Ticket {index}: {_words(index)}",
              "output_approved": f"Answer {index}: {_words(index + 100000)}"}
    fields.update(extra)
    return make_run(index, **fields)


@pytest.fixture
def place():
    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "p")

    def placements(records, ratios=ALL_TRAIN, max_tokens=None):
        with Curator(ratios, max_tokens) as curator:
            placed = [(aggregator.make_run(record), None) for record in records]
            placed = [(run, curator.place(run)) for run, _ in placed]
            return placed, curator.metrics()

    return placements


def test_exact_and_near_duplicates_collapse_into_the_first_row(place):
    first = distinct(1)
    exact = dict(first, id="run-exact", output_approved=first["output_approved"].upper() + " ")
    near_words = first["output_approved"].split()
    near_words[3] = "different"
    near = dict(first, id="run-near", output_approved=" ".join(near_words))
    placed, metrics = place([first, exact, near, distinct(2)])
    kept = [placement.example is not None for _run, placement in placed]
    assert kept == [True, False, False, True]
    assert metrics["dedup"]["exact_duplicates"] == 1
    assert metrics["dedup"]["near_duplicates"] == 1
    assert metrics["dedup"]["cluster_sizes"] == {"3": 1} and metrics["dedup"]["largest_cluster"] == 3
    assert metrics["sft_rows"]["train"] == 2


def test_a_shared_system_instruction_does_not_make_runs_duplicates(place):
    long_instruction = "Follow the team's triage checklist carefully. " * 30
    placed, metrics = place([distinct(i, instruction=long_instruction) for i in range(5)])
    assert all(placement.example is not None for _run, placement in placed)
    assert metrics["dedup"]["near_duplicates"] == 0


def test_eval_cases_come_only_from_held_out_splits(place):
    placed, metrics = place([distinct(i) for i in range(300)], ratios=splits.DEFAULT_RATIOS)
    for run, placement in placed:
        assert placement.eval_case == (placement.split in ("validation", "test"))
        assert placement.example is not None  # nothing here is a duplicate of anything else
    assert metrics["eval_cases"]["validation"] + metrics["eval_cases"]["test"] == sum(
        1 for _run, placement in placed if placement.eval_case
    )


def test_no_eval_input_reaches_the_training_split_whichever_comes_first(place):
    # The same ticket in a held-out session and in a training session, in both orders.
    held_out_session = next(f"s{i}" for i in range(1000) if splits.assign(f"session:s{i}", splits.DEFAULT_RATIOS) == "test")
    train_session = next(f"s{i}" for i in range(1000) if splits.assign(f"session:s{i}", splits.DEFAULT_RATIOS) == "train")
    ticket = "Ticket: " + _words(5)
    held = distinct(1, input_redacted=ticket, source={"session_hash": held_out_session})
    trained = distinct(2, input_redacted=ticket + " please", source={"session_hash": train_session})
    placed, metrics = place([held, trained], ratios=splits.DEFAULT_RATIOS)
    assert placed[0][1].eval_case and placed[1][1].example is None
    assert metrics["decontamination"]["training_rows_dropped"] == 1
    placed, metrics = place([trained, held], ratios=splits.DEFAULT_RATIOS)
    assert placed[0][1].example is not None and not placed[1][1].eval_case
    assert metrics["decontamination"]["eval_cases_already_in_training"] == 1


def _plan_text():
    """A real file's text: the refactoring plan a Pi session reads (shared fixtures)."""
    import os

    from conftest import ROOT

    path = os.path.join(ROOT, "..", "shared", "fixtures", "pi", "before-compaction.jsonl")
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            if "# Coding Agent Refactoring Plan" in line:
                text = _longest_string(json.loads(line), "# Coding Agent Refactoring Plan")
                if text:
                    return text
    raise AssertionError("the fixture's plan is gone")


def _longest_string(value, start):
    if isinstance(value, str):
        return value if value.startswith(start) else ""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_longest_string(item, start) for item in items), key=len, default="")


def _sessions():
    def first(split):
        return next(f"s{i}" for i in range(1000) if splits.assign(f"session:s{i}", splits.DEFAULT_RATIOS) == split)
    return first("test"), first("train")


def test_eval_inputs_sharing_a_long_prefix_with_a_training_input_are_caught_whichever_comes_first(place):
    # Two overlapping windows of one real file, as in a real corpus: each eval input shares its
    # first 200+ characters with the training input and then goes on differently, so the
    # whole-text similarity stays under 0.7 and only the 13-word overlap rule catches them.
    plan = _plan_text()
    assert len(plan) > 6000
    held_out_session, train_session = _sessions()
    trained = distinct(1, input_redacted=plan[:240] + plan[3000:4500], source={"session_hash": train_session})
    evals = [distinct(2, input_redacted=plan[:220] + plan[1000:2500], source={"session_hash": held_out_session}),
             distinct(3, input_redacted=plan[:260] + plan[4600:6000], source={"session_hash": held_out_session})]
    for held in evals:
        words = dedup.tokens(held["input_redacted"])
        similarity = dedup.similarity(dedup.signature(words), dedup.signature(dedup.tokens(trained["input_redacted"])))
        assert similarity < dedup.NEAR_DUPLICATE_THRESHOLD
    # Training row first: neither eval input is held out.
    placed, metrics = place([trained] + evals, ratios=splits.DEFAULT_RATIOS)
    assert placed[0][1].example is not None and [p.eval_case for _run, p in placed[1:]] == [False, False]
    decontamination = metrics["decontamination"]
    assert decontamination["eval_cases_overlapping_training"] == 2
    assert decontamination["eval_cases_already_in_training"] == 0
    # Eval inputs first: both held out, and the training row that overlaps them is dropped.
    placed, metrics = place(evals + [trained], ratios=splits.DEFAULT_RATIOS)
    assert [p.eval_case for _run, p in placed[:2]] == [True, True] and placed[2][1].example is None
    decontamination = metrics["decontamination"]
    assert decontamination["training_rows_dropped"] == decontamination["training_rows_dropped_by_overlap"] == 1
    assert "13 or more consecutive words" in decontamination["overlap_rule"]


def test_a_shared_span_of_12_words_is_not_overlap(place):
    held_out_session, train_session = _sessions()
    shared = " ".join(f"shared{k}" for k in range(12))
    trained = distinct(1, input_redacted=f"{shared} {_words(1, 30)}", source={"session_hash": train_session})
    held = distinct(2, input_redacted=f"{_words(2, 30)} {shared}", source={"session_hash": held_out_session})
    for order in ([trained, held], [held, trained]):
        placed, metrics = place(order, ratios=splits.DEFAULT_RATIOS)
        by_split = {placement.split: placement for _run, placement in placed}
        assert by_split["test"].eval_case and by_split["train"].example is not None
        assert metrics["decontamination"]["eval_cases_overlapping_training"] == 0
        assert metrics["decontamination"]["training_rows_dropped"] == 0
    # One more shared word is a 13-word span.
    longer = f"{shared} shared12"
    trained = dict(trained, input_redacted=f"{longer} {_words(1, 30)}")
    held = dict(held, input_redacted=f"{_words(2, 30)} {longer}")
    placed, metrics = place([trained, held], ratios=splits.DEFAULT_RATIOS)
    assert metrics["decontamination"]["eval_cases_overlapping_training"] == 1


def test_repeated_eval_inputs_give_one_eval_case(place):
    placed, metrics = place([distinct(1), distinct(2, input_redacted=distinct(1)["input_redacted"])], ratios=ALL_TEST)
    assert [placement.eval_case for _run, placement in placed] == [True, False]
    assert metrics["decontamination"]["eval_case_duplicates"] == 1


def test_an_edited_run_gives_a_pair_from_the_human_edit(place):
    edited = distinct(1, human_review={"status": "edited"}, output_original="The agent's first draft, which was wrong.")
    placed, metrics = place([edited])
    (pair,) = placed[0][1].pairs
    assert pair.origin == "edited"
    assert pair.chosen == edited["output_approved"]
    assert pair.rejected == edited["output_original"]
    assert pair.prompt.messages[-1]["role"] == "user"
    assert metrics["preference_pairs"]["edited"] == 1


def test_an_edit_that_changed_nothing_gives_no_pair(place):
    same = distinct(1, human_review={"status": "edited"})
    same["output_original"] = same["output_approved"] + "  "
    placed, _metrics = place([same])
    assert placed[0][1].pairs == []


@pytest.mark.parametrize("order", ["rejected_first", "accepted_first"])
def test_a_rejected_and_an_accepted_run_for_one_input_make_a_pair(place, order):
    accepted = distinct(1)
    rejected = distinct(2, input_redacted=accepted["input_redacted"], human_review={"status": "rejected"},
                        output_approved="A wrong answer the reviewer rejected.")
    records = [rejected, accepted] if order == "rejected_first" else [accepted, rejected]
    placed, metrics = place(records)
    pairs = [pair for _run, placement in placed for pair in placement.pairs]
    assert len(pairs) == 1
    assert pairs[0].origin == "rejected_vs_accepted"
    assert pairs[0].chosen == accepted["output_approved"]
    assert pairs[0].rejected == rejected["output_approved"]
    assert metrics["preference_pairs"]["rejected_without_approved_match"] == 0


def test_pairs_are_never_synthesized(place):
    accepted_only = [distinct(i) for i in range(20)]
    lonely_reject = distinct(99, human_review={"status": "rejected"})
    placed, metrics = place(accepted_only + [lonely_reject])
    assert all(placement.pairs == [] for _run, placement in placed)
    assert metrics["preference_pairs"]["rejected_without_approved_match"] == 1


def test_a_rejected_run_the_scanner_had_to_redact_is_not_used(place):
    from secret_factory import planted_values

    _family, secret = planted_values()[0]
    accepted = distinct(1)
    rejected = distinct(2, input_redacted=accepted["input_redacted"], human_review={"status": "rejected"},
                        output_approved="wrong, token " + secret)
    placed, _metrics = place([accepted, rejected])
    assert all(placement.pairs == [] for _run, placement in placed)


def test_max_tokens_drops_long_rows_and_counts_them(place):
    long_run = distinct(1, output_approved="word " * 5000)
    placed, metrics = place([long_run, distinct(2)], max_tokens=2000)
    assert [placement.example is not None for _run, placement in placed] == [False, True]
    assert metrics["over_max_tokens"] == 1 and metrics["max_tokens"] == 2000


def test_export_files_follow_the_placements(tmp_path, cli):
    runs = [distinct(i) for i in range(200)]
    runs.append(dict(runs[0], id="run-copy"))
    source = write_runs(tmp_path / "runs.jsonl", runs)
    out = tmp_path / "out"
    assert cli(["export", "--approved-runs", source, "--out", str(out)]).code == 0
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    data = metrics["datasets"]
    assert data["dedup"]["exact_duplicates"] == 1
    manifest = json.loads((out / "manifest.json").read_text())
    alpaca = [json.loads(line) for line in (out / "training-examples.jsonl").read_text().splitlines()]
    assert len(alpaca) == sum(data["sft_rows"].values()) == 200
    for split in splits.SPLITS:
        assert sum(1 for row in alpaca if row["metadata"]["split"] == split) == data["sft_rows"][split]
    for entry in manifest["files"]:
        if entry["path"].startswith("training/"):
            fmt, split_file = entry["path"].split("/")[1:]
            assert entry["format"] == fmt and entry["split"] + ".jsonl" == split_file and entry["rows"] > 0
    def read(name):
        return [json.loads(line) for line in (out / name).read_text().splitlines()]

    # eval-cases.jsonl: agentic-stack's regression suite, one case per approved, clean run, any split.
    everything, promptfoo = read("eval-cases.jsonl"), read("eval-cases.promptfoo.jsonl")
    assert len(everything) == len(promptfoo) == metrics["eval_cases"] == 201
    assert {case["split"] for case in everything} == set(splits.SPLITS)
    assert [case["id"] for case in everything if case["holdout"]] == [case["id"] for case in read("eval/holdout.jsonl")]
    # eval/holdout.jsonl: only the held-out, decontaminated cases, as the curator counted them.
    cases, held_promptfoo = read("eval/holdout.jsonl"), read("eval/holdout.promptfoo.jsonl")
    assert len(cases) == len(held_promptfoo) == metrics["holdout_eval_cases"] == sum(data["eval_cases"].values()) > 0
    sizes = {entry["path"]: entry["rows"] for entry in manifest["files"]}
    assert sizes["eval-cases.jsonl"] == 201 and sizes["eval/holdout.jsonl"] == len(cases)
    for case, test in zip(cases, held_promptfoo):
        assert {"input", "target", "id", "metadata"} <= set(case)
        assert not {"files", "setup", "sandbox"} & set(case)
        assert case["metadata"]["split"] == case["split"] in ("validation", "test")
        assert case["holdout"] is case["metadata"]["holdout"] is test["metadata"]["holdout"] is True
        assert test["vars"]["input"] == case["input"] and test["assert"]
    train_inputs = [dedup.tokens(row["input"]) for row in alpaca if row["metadata"]["split"] == "train"]
    for case in cases:
        case_sig = dedup.signature(dedup.tokens(case["input_redacted"]))
        for tokens_ in train_inputs:
            assert dedup.similarity(case_sig, dedup.signature(tokens_)) < dedup.NEAR_DUPLICATE_THRESHOLD


def test_status_counts_match_the_export(tmp_path, cli):
    runs = [distinct(i) for i in range(120)] + [dict(distinct(3), id="dup")]
    source = write_runs(tmp_path / "runs.jsonl", runs)
    exported = cli(["export", "--approved-runs", source, "--out", str(tmp_path / "o"), "--json"]).json()
    status = cli(["status", "--approved-runs", source, "--json"]).json()
    assert status["eval_cases"] == exported["eval_cases"]


def test_missing_context_tokens_are_estimated_and_labelled(tmp_path, cli):
    given = distinct(1, context_tokens_before=3000, context_tokens_after=700)
    missing = distinct(2)
    source = write_runs(tmp_path / "runs.jsonl", [given, missing])
    out = tmp_path / "o"
    assert cli(["export", "--approved-runs", source, "--out", str(out)]).code == 0
    traces = [json.loads(line) for line in (out / "trace-records.jsonl").read_text().splitlines()]
    assert (traces[0]["context_tokens_before"], traces[0]["context_tokens_estimated"]) == (3000, False)
    assert traces[1]["context_tokens_estimated"] is True and traces[1]["context_tokens_before"] > 0
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    assert metrics["token_estimates"]["approximate"] is True and metrics["token_estimates"]["runs_estimated"] == 1


def test_a_conversation_is_tokenised_part_by_part_as_if_joined():
    from data_flywheel.export.curate import conversation_text, own_part, run_keys
    from data_flywheel.writers.conversation import conversation_of

    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "p")
    odd = ["e\u0301t\u00e9", "\u0301accent first", "ﬁ ligature", "全角ＡＢＣ", "", "tab\tend_", "日本語の文"]
    records = [distinct(i) for i in range(3)] + [make_run(9, input_redacted=odd[0] + odd[1], output_approved=" ".join(odd))]
    for record in records:
        run = aggregator.make_run(record)
        own = own_part(conversation_of(run), run.text("input_redacted"))
        assert run_keys(run).row == dedup.fingerprint(dedup.tokens(conversation_text(own)))
    for left in odd:
        for right in odd:
            assert dedup.tokens(left) + dedup.tokens(right) == dedup.tokens(left + "\n" + right)


def test_requests_of_one_session_are_not_duplicates_of_each_other(tmp_path):
    """Each later request of a real session carries the earlier ones as context; only its own part is compared."""
    import os

    from conftest import ROOT, read_jsonl, run_cli

    source = os.path.join(ROOT, "..", "shared", "fixtures", "claude-code", "codemie", "-tmp-private")
    if not os.path.isdir(source):
        pytest.skip("../shared/fixtures is not beside the checkout")
    env = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "DATA_FLYWHEEL_REVIEWER": "dana"}
    root = tmp_path / ".agent"
    assert run_cli(["harvest", "--agent-root", str(root), "--path", source, "--all-projects"], env=env).code == 0
    pending = run_cli(["review", "--agent-root", str(root), "--list", "--json"], env=env).json()["pending"]
    carried = [c["size"]["context_messages"] for c in read_jsonl(root / "flywheel" / "candidates.jsonl")]
    assert len(pending) == 3 and sum(count > 0 for count in carried) == 2
    for row in pending:
        assert run_cli(["review", "--agent-root", str(root), "--accept", row["id"]], env=env).code == 0
    assert run_cli(["export", "--agent-root", str(root), "--out", str(tmp_path / "out")], env=env).code == 0
    metrics = json.loads((tmp_path / "out" / "flywheel-metrics.json").read_text())
    dedup = metrics["datasets"]["dedup"]
    assert (dedup["exact_duplicates"], dedup["near_duplicates"]) == (0, 0)
    assert sum(metrics["datasets"]["sft_rows"].values()) == 3
    rows = [row for path in (tmp_path / "out" / "training" / "openai-chat").glob("*.jsonl") for row in read_jsonl(path)]
    assert len(rows) == 3
