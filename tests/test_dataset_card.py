"""The export's README.md as a Hugging Face dataset card (loading it with `datasets` is in test_consumers_training)."""
import json

from conftest import EXAMPLE_RUNS, run_cli

from data_flywheel.export import dataset_card


def test_size_categories_are_the_hubs_buckets():
    assert [dataset_card.size_category(n) for n in (0, 999, 1000, 9999, 10_000, 2_000_000, 10 ** 10)] == [
        "n<1K", "n<1K", "1K<n<10K", "1K<n<10K", "10K<n<100K", "1M<n<10M", "n>1B"]


def _front_matter(text):
    assert text.startswith("---\n")
    head, _sep, rest = text[4:].partition("\n---\n")
    return head.splitlines(), rest


def test_the_readme_starts_with_card_metadata_naming_every_training_file_per_split(tmp_path):
    out = tmp_path / "out"
    result = run_cli(["export", "--approved-runs", EXAMPLE_RUNS, "--out", str(out)], env={"SOURCE_DATE_EPOCH": "0"})
    assert result.code == 0, result
    head, rest = _front_matter((out / "README.md").read_text(encoding="utf-8"))
    assert "license: other" in head and f'license_name: "{dataset_card.LICENSE_PLACEHOLDER}"' in head
    assert head[head.index("task_categories:") + 1] == "- text-generation"
    assert head[head.index("size_categories:") + 1] == "- n<1K"
    manifest = json.loads((out / "manifest.json").read_text())
    listed = [line.strip() for line in head if line.strip().startswith(("- config_name:", "- split:", "path:"))]
    expected = []
    for fmt in ("hf-chat", "openai-chat", "openai-preference", "trl-preference"):
        expected.append(f'- config_name: "{fmt}"')
        for split in ("train", "validation", "test"):
            path = f"training/{fmt}/{split}.jsonl"
            if any(entry["path"] == path and entry["rows"] for entry in manifest["files"]):
                expected += [f"- split: {split}", f'path: "{path}"']
    assert listed == expected and len(expected) == 4 + 2 * 8  # 3 chat splits each, preference pairs in train only
    assert head[head.index('- config_name: "openai-chat"') + 1] == "  default: true"
    for section in ("## What this is", "## How it was made", "## Redaction and review", "## Eval sets",
                    "## Readiness", "## Known limits", "## Files"):
        assert "\n" + section + "\n" in rest
    assert "- `saas/bug_triage`: first eval set and repeated failure modes; next: 74 more approved runs" in rest
    assert "- `eval/holdout.jsonl`: 6 held-out cases" in rest  # with the personal-data run, which now trains
