"""The training and eval files against the real libraries that read them, in throwaway virtualenvs.

Installed once per cache (``tests/consumers.py``; a registry that cannot be
reached fails these tests) with pinned major versions. Checked with:
datasets 5.2.0 (pyarrow 26.0.1), transformers 5.23.0, tokenizers 0.23.3,
jinja2 3.1.6, trl 1.16.0 (``--no-deps``: its data helpers and chat templates
without torch), openai 3.54.0 (pydantic 2.14.3), inspect-ai 0.3.285.

(a) every training file loads with ``datasets`` in strict mode
    (``on_mixed_types=None``, the pre-4.7 inference) and every row round-trips
    once the ``None`` values strict loading fills in are dropped; the TRL files
    also round-trip exactly with the default loader (what ``datasets>=4.7`` does);
(b) every ``hf-chat`` and ``trl-preference`` row, as ``datasets`` loads it,
    renders through TRL's ``maybe_apply_chat_template`` with templates TRL ships,
    whole row included (so ``tools``/``metadata`` columns pass TRL's key check),
    and where a template writes arguments as JSON they appear as objects,
    never double-encoded;
(c) every ``openai-chat`` and ``openai-preference`` row validates against the
    ``openai`` SDK's message and tool types (lazy iterables forced), with
    OpenAI's own rules the types leave out (keys, weight, names, arguments);
(d) the eval cases load with inspect_ai's ``json_dataset``, one sample per line.

The training files come from the writers run over ``tests/corpus.py`` runs,
and from a real ``export`` of a corpus file. One subprocess per consumer and
test, every file in it.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest
from conftest import ENTRY
from consumers import consumer_python
from corpus import generate_runs, write_corpus

from data_flywheel.config import Config
from data_flywheel.export.gate import RedactionGate
from data_flywheel.export.pipeline import Aggregator
from data_flywheel.redaction import Redactor
from data_flywheel.writers import PREFERENCE_FORMATS, SFT_FORMATS, TRAINING_FORMATS, Example, PreferencePair
from data_flywheel.writers.conversation import conversation_of, prompt_of

HF_REQUIREMENTS = ["datasets>=5,<6", "transformers>=5,<6", "tokenizers>=0.22,<1", "jinja2>=3.1,<4"]
TRL_REQUIREMENT = "trl>=1.16,<2"
OPENAI_REQUIREMENTS = ["openai>=3,<4"]
INSPECT_REQUIREMENTS = ["inspect-ai>=0.3.285,<0.4"]

# Templates that write arguments as JSON: the objects must appear as written.
JSON_TEMPLATES = ("qwen2_5", "qwen3", "qwen3_instruct_2507", "llama3_1", "llama3_2", "gptoss")
# Templates that write each argument their own way: they must render, and never a double-encoded object.
OTHER_TEMPLATES = ("qwen3_6", "glm4moe", "nemotron_3_nano", "gemma4_v5", "lfm2_v2")

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_HUB_DISABLE_TELEMETRY": "1", "INSPECT_DISABLE_TELEMETRY": "1", "TOKENIZERS_PARALLELISM": "false"}


# --- the consumers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf_python():
    python = consumer_python("hf-training", HF_REQUIREMENTS)
    marker = os.path.join(os.path.dirname(os.path.dirname(python)), ".trl-installed")
    if not (os.path.exists(marker) and open(marker).read() == TRL_REQUIREMENT):
        # trl's own dependencies pull in torch; its data helpers and templates need none of it.
        result = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                                 TRL_REQUIREMENT], capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise RuntimeError(f"could not install {TRL_REQUIREMENT} for the TRL check:\n{result.stderr[-2000:]}")
        with open(marker, "w") as fp:
            fp.write(TRL_REQUIREMENT)
    return python


@pytest.fixture(scope="module")
def openai_python():
    return consumer_python("openai3", OPENAI_REQUIREMENTS)


@pytest.fixture(scope="module")
def inspect_python():
    return consumer_python("inspect-ai", INSPECT_REQUIREMENTS)


def consume(python, code, files, tmp, **extra_env):
    """Run ``code`` with the consumer's python over ``files``; it prints one JSON report."""
    env = dict(os.environ, HF_DATASETS_CACHE=os.path.join(tmp, "hf-cache"), HF_HOME=os.path.join(tmp, "hf-home"),
               INSPECT_LOG_DIR=os.path.join(tmp, "inspect-logs"), **OFFLINE, **extra_env)
    script = os.path.join(tmp, "consumer_check.py")
    with open(script, "w", encoding="utf-8") as fp:
        fp.write(code)
    result = subprocess.run([python, script, *files], capture_output=True, text=True, timeout=600, env=env, cwd=tmp)
    if result.returncode != 0:
        raise AssertionError(result.stderr[-4000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


DATASETS_CHECK = r'''
import json, sys
from datasets import disable_progress_bars, load_dataset
disable_progress_bars()

def without_none(value):
    if isinstance(value, dict):
        return {key: without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_none(item) for item in value]
    return value

report = {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fp:
        rows = [json.loads(line) for line in fp if line.strip()]
    problems = []
    strict = load_dataset("json", data_files=path, split="train", on_mixed_types=None)
    if len(strict) != len(rows):
        problems.append(f"strict: {len(strict)} rows for {len(rows)} lines")
    for index, row in enumerate(strict):
        if index < len(rows) and without_none(row) != without_none(rows[index]):
            problems.append(f"strict: row {index + 1} does not round-trip")
    exact = None
    if isinstance(rows[0].get("metadata"), str):  # the TRL formats: exact with datasets>=4.7's loader
        loaded = load_dataset("json", data_files=path, split="train")
        exact = sum(loaded[index] == rows[index] for index in range(len(rows)))
        if exact != len(rows):
            problems.append(f"default: {len(rows) - exact} rows differ from the file")
    report[path] = {"rows": len(rows), "problems": problems[:5], "exact": exact}
print(json.dumps(report))
'''

TRL_CHECK = r'''
import json, os, sys
import trl
from datasets import disable_progress_bars, load_dataset
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerFast
from trl.data_utils import is_conversational, maybe_apply_chat_template
disable_progress_bars()

JSON_TEMPLATES, OTHER_TEMPLATES = json.loads(os.environ["JSON_TEMPLATES"]), json.loads(os.environ["OTHER_TEMPLATES"])
folder = os.path.join(os.path.dirname(trl.__file__), "chat_templates")

def tokenizer(name):
    # Only tokenize=False rendering is needed: a throwaway tokenizer with the real template.
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]")),
                                  eos_token="<|im_end|>", bos_token="<|begin_of_text|>", unk_token="[UNK]")
    with open(os.path.join(folder, name + ".jinja"), encoding="utf-8") as fp:
        tok.chat_template = fp.read()
    return tok

def calls(row):
    for key in ("messages", "prompt"):
        for message in row.get(key) or ():
            for call in message.get("tool_calls") or ():
                yield call["function"]["arguments"]

report = {"rows": 0, "calls": 0, "errors": [], "not_json": [], "double_encoded": [], "not_conversational": 0,
          "tool_preamble_without_tools": 0, "templates": JSON_TEMPLATES + OTHER_TEMPLATES}
tokenizers = {name: tokenizer(name) for name in report["templates"]}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fp:
        rows = [json.loads(line) for line in fp if line.strip()]
    loaded = load_dataset("json", data_files=path, split="train")
    for index, example in enumerate(loaded):
        source = rows[index]
        report["rows"] += 1
        if not is_conversational(example):
            report["not_conversational"] += 1
        tools = json.loads(example["tools"])
        arguments = list(calls(source))
        report["calls"] += len(arguments)
        for name, tok in tokenizers.items():
            try:
                rendered = maybe_apply_chat_template(example, tok, tools=tools)
            except Exception as error:
                report["errors"].append(f"{os.path.basename(path)} row {index + 1} {name}: {type(error).__name__}: {error}"[:300])
                continue
            text = "".join(rendered[key] for key in ("text", "prompt", "chosen", "rejected") if key in rendered)
            for value in arguments:
                value = json.loads(value) if isinstance(value, str) else value
                as_json = json.dumps(value, ensure_ascii=False)
                if value and json.dumps(as_json, ensure_ascii=False) in text:
                    report["double_encoded"].append(f"{os.path.basename(path)} row {index + 1} {name}")
                if name in JSON_TEMPLATES and as_json not in text:
                    report["not_json"].append(f"{os.path.basename(path)} row {index + 1} {name}: {as_json[:80]}")
        # SFTTrainer/DPOTrainer pass json.loads(tools) straight to the template: no tools must mean no preamble.
        if not tools and "messages" in example:
            text = tokenizers["llama3_1"].apply_chat_template(example["messages"], tools=tools, tokenize=False)
            report["tool_preamble_without_tools"] += "Environment: ipython" in text
for key in ("errors", "not_json", "double_encoded"):
    report[key] = report[key][:10]
print(json.dumps(report))
'''

OPENAI_CHECK = r'''
import json, re, sys
from typing import List
from pydantic import TypeAdapter
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

MESSAGES = TypeAdapter(List[ChatCompletionMessageParam])
TOOLS = TypeAdapter(List[ChatCompletionToolParam])
NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}\Z")
CHAT_KEYS = {"messages", "tools", "parallel_tool_calls"}

def force(value):
    # The SDK types declare Iterable fields, which pydantic validates lazily: consume them.
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {key: force(item) for key, item in value.items()}
    return [force(item) for item in value]

def chat_problems(line, where, need_assistant):
    problems = []
    if set(line) - CHAT_KEYS:
        problems.append(f"{where}: unexpected keys {sorted(set(line) - CHAT_KEYS)}")
    messages = line.get("messages")
    if not isinstance(messages, list) or not messages:
        return problems + [f"{where}: no messages"]
    try:
        force(MESSAGES.validate_python(messages))
        force(TOOLS.validate_python(line.get("tools", [])))
    except Exception as error:
        return problems + [f"{where}: {error}"[:400]]
    if "tools" in line and not line["tools"]:
        problems.append(f"{where}: empty tools")
    if "parallel_tool_calls" in line and not isinstance(line["parallel_tool_calls"], bool):
        problems.append(f"{where}: parallel_tool_calls is not a boolean")
    for tool in line.get("tools", []):
        if not NAME.match(tool["function"]["name"]):
            problems.append(f"{where}: tool name {tool['function']['name']!r}")
    open_ids = set()
    for number, message in enumerate(messages):
        if message.get("weight", 1) not in (0, 1) or isinstance(message.get("weight"), bool):
            problems.append(f"{where}: message {number} weight {message.get('weight')!r}")
        if not isinstance(message.get("content"), str):
            problems.append(f"{where}: message {number} content is not a string")
        if message["role"] == "tool":
            if message.get("tool_call_id") not in open_ids:
                problems.append(f"{where}: message {number} answers no open call")
            open_ids.discard(message.get("tool_call_id"))
            continue
        if open_ids:
            problems.append(f"{where}: message {number} comes before calls {sorted(open_ids)} were answered")
        open_ids = set()
        for call in message.get("tool_calls") or ():
            open_ids.add(call["id"])
            if not NAME.match(call["function"]["name"]):
                problems.append(f"{where}: call name {call['function']['name']!r}")
            if not isinstance(json.loads(call["function"]["arguments"]), dict):
                problems.append(f"{where}: arguments are not a JSON object")
    if need_assistant and messages[-1]["role"] != "assistant":
        problems.append(f"{where}: does not end with an assistant message")
    return problems

def answer_problems(output, where):
    try:
        force(MESSAGES.validate_python(output))
    except Exception as error:
        return [f"{where}: {error}"[:400]]
    if len(output) != 1 or output[0].get("role") != "assistant" or not output[0].get("content"):
        return [f"{where}: not one assistant message with text"]
    return []

report = {"rows": 0, "problems": []}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fp:
        for number, line in enumerate(fp, 1):
            row = json.loads(line)
            where = f"{path.rsplit('/', 3)[-2]}/{path.rsplit('/', 1)[-1]}:{number}"
            report["rows"] += 1
            if "input" in row:
                if set(row) != {"input", "preferred_output", "non_preferred_output"}:
                    report["problems"].append(f"{where}: keys {sorted(row)}")
                report["problems"] += chat_problems(row["input"], where, need_assistant=False)
                if row["input"]["messages"][-1]["role"] not in ("user", "tool"):
                    report["problems"].append(f"{where}: the input does not end with a user or tool message")
                report["problems"] += answer_problems(row["preferred_output"], where + " preferred_output")
                report["problems"] += answer_problems(row["non_preferred_output"], where + " non_preferred_output")
            else:
                report["problems"] += chat_problems(row, where, need_assistant=True)

# The check can fail: an object where OpenAI wants a JSON text is refused.
control = [{"role": "assistant", "content": "", "tool_calls": [
    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}]
try:
    force(MESSAGES.validate_python(control))
    report["control_refused"] = False
except Exception:
    report["control_refused"] = True
report["problems"] = report["problems"][:10]
print(json.dumps(report))
'''

INSPECT_CHECK = r'''
import json, sys
from inspect_ai.dataset import FieldSpec, json_dataset

report = {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fp:
        rows = [json.loads(line) for line in fp if line.strip()]
    dataset = json_dataset(path, FieldSpec(input="input", target="target", id="id"))
    problems = []
    if len(dataset) != len(rows):
        problems.append(f"{len(dataset)} samples for {len(rows)} lines")
    for sample, row in zip(dataset, rows):
        if sample.id != row.get("id") or sample.input != row.get("input") or sample.target != row.get("target"):
            problems.append(f"{row.get('id')}: id, input or target not read as written")
        if sample.metadata != row.get("metadata"):
            problems.append(f"{row.get('id')}: metadata not read as written")
        if sample.files or sample.setup or sample.sandbox:
            problems.append(f"{row.get('id')}: files, setup or sandbox would be executed")
    report[path] = {"rows": len(rows), "samples": len(dataset), "problems": problems[:5]}
print(json.dumps(report))
'''


# --- the files ----------------------------------------------------------------------


def _split_of(index):
    return ("train", "train", "train", "train", "train", "train", "train", "train", "validation", "test")[index % 10]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The writers over corpus runs, in the export's layout: {format name: [paths]}."""
    folder = tmp_path_factory.mktemp("writers")
    aggregator = Aggregator(RedactionGate(Redactor()), Config(), "corpus")
    rows = defaultdict(list)
    approved = {}
    for index, record in enumerate(generate_runs(900, seed=7)):
        run = aggregator.make_run(record)
        split = _split_of(index)
        key = (run.workflow, run.text("instruction"), run.text("input_redacted"))
        pairs = []
        if run.trainable:
            example = Example(run=run, split=split, conversation=conversation_of(run))
            for fmt in SFT_FORMATS:
                rows[(fmt.NAME, split)].extend(fmt.rows(example))
            approved.setdefault(key, run)
            if run.text("output_original"):
                pairs.append(PreferencePair(prompt_of(run), run.text("output_approved"), run.text("output_original"),
                                            split, "edited", run.domain, run.workflow, [run.trace_id]))
        elif run.review_status == "rejected" and key in approved:
            chosen = approved[key]
            pairs.append(PreferencePair(prompt_of(chosen), chosen.text("output_approved"), run.text("output_approved"),
                                        split, "rejected_vs_accepted", run.domain, run.workflow,
                                        [chosen.trace_id, run.trace_id]))
        for pair in pairs:
            for fmt in PREFERENCE_FORMATS:
                rows[(fmt.NAME, pair.split)].extend(fmt.rows(pair))
    files = defaultdict(list)
    for (name, split), items in sorted(rows.items()):
        path = folder / "training" / name / f"{split}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fp:
            fp.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in items)
        files[name].append(str(path))
    assert {name for name in files} == {fmt.NAME for fmt in TRAINING_FORMATS}
    assert all(len(files[fmt.NAME]) == 3 for fmt in TRAINING_FORMATS)
    return files


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A real export of a corpus file: (export folder, manifest)."""
    folder = tmp_path_factory.mktemp("export")
    runs = write_corpus(str(folder / "approved-runs.jsonl"), 1200, seed=11)
    out = folder / "out"
    env = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1777104000")
    result = subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", runs, "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out / "manifest.json", encoding="utf-8") as fp:
        return str(out), json.load(fp)


def _training_entries(exported):
    out, manifest = exported
    entries = defaultdict(list)
    for entry in manifest["files"]:
        if entry.get("kind") == "training-example":
            entries[entry["format"]].append((os.path.join(out, entry["path"]), entry))
    return entries


def _lines(path):
    with open(path, encoding="utf-8") as fp:
        return sum(1 for line in fp if line.strip())


# --- (a) datasets ---------------------------------------------------------------------


def assert_datasets_round_trip(hf_python, paths, tmp):
    report = consume(hf_python, DATASETS_CHECK, paths, tmp)
    assert set(report) == set(paths)
    for path, result in report.items():
        assert result["rows"] == _lines(path) > 0, path
        assert result["problems"] == [], (path, result["problems"])
    return report


def test_every_training_file_loads_strictly_with_datasets_and_round_trips(hf_python, written, tmp_path):
    paths = [path for name in sorted(written) for path in written[name]]
    report = assert_datasets_round_trip(hf_python, paths, str(tmp_path))
    for name in ("hf-chat", "trl-preference"):
        for path in written[name]:
            assert report[path]["exact"] == report[path]["rows"], path


# --- (b) TRL ------------------------------------------------------------------------


def assert_trl_renders(hf_python, paths, tmp):
    report = consume(hf_python, TRL_CHECK, paths, tmp, JSON_TEMPLATES=json.dumps(JSON_TEMPLATES),
                     OTHER_TEMPLATES=json.dumps(OTHER_TEMPLATES))
    assert report["rows"] == sum(_lines(path) for path in paths)
    assert report["errors"] == []
    assert report["double_encoded"] == []
    assert report["not_json"] == []
    assert report["not_conversational"] == 0
    assert report["tool_preamble_without_tools"] == 0
    return report


def test_hf_chat_and_trl_preference_rows_render_through_trls_templates(hf_python, written, tmp_path):
    report = assert_trl_renders(hf_python, written["hf-chat"] + written["trl-preference"], str(tmp_path))
    assert report["calls"] > 100  # the check saw real tool calls


# --- (c) openai -----------------------------------------------------------------------


def assert_openai_valid(openai_python, paths, tmp):
    report = consume(openai_python, OPENAI_CHECK, paths, tmp)
    assert report["control_refused"] is True
    assert report["rows"] == sum(_lines(path) for path in paths)
    assert report["problems"] == []


def test_openai_rows_validate_against_the_openai_types(openai_python, written, tmp_path):
    assert_openai_valid(openai_python, written["openai-chat"] + written["openai-preference"], str(tmp_path))


# --- the real export ----------------------------------------------------------------


def test_every_training_file_of_a_real_export_passes_its_consumer_checks(hf_python, openai_python, exported, tmp_path):
    entries = _training_entries(exported)
    assert set(entries) == {fmt.NAME for fmt in TRAINING_FORMATS}
    for name, found in entries.items():
        for path, entry in found:
            assert entry["rows"] == _lines(path), path
            if name != "alpaca":
                assert entry["split"] == os.path.basename(path)[: -len(".jsonl")]
                assert entry["path"] == f"training/{name}/{entry['split']}.jsonl"
    everything = [path for name in sorted(entries) for path, _entry in entries[name]]
    assert_datasets_round_trip(hf_python, everything, str(tmp_path))
    assert_trl_renders(hf_python, [path for name in ("hf-chat", "trl-preference") for path, _ in entries[name]],
                       str(tmp_path))
    assert_openai_valid(openai_python, [path for name in ("openai-chat", "openai-preference") for path, _ in entries[name]],
                        str(tmp_path))
    # Within a split the SFT files line up row for row (writers/__init__.py, traceability).
    by_split = {entry["split"]: path for path, entry in entries["hf-chat"]}
    for path, entry in entries["openai-chat"]:
        with open(path, encoding="utf-8") as ours, open(by_split[entry["split"]], encoding="utf-8") as theirs:
            for openai_line, hf_line in zip(ours, theirs):
                openai_row, hf_row = json.loads(openai_line), json.loads(hf_line)
                assert openai_row["messages"][-1]["content"] == hf_row["messages"][-1]["content"]


# --- (d) inspect_ai -----------------------------------------------------------------


def test_eval_cases_load_with_inspect_ai_one_sample_per_line(inspect_python, exported, tmp_path):
    out, manifest = exported
    paths = [os.path.join(out, entry["path"]) for entry in manifest["files"] if entry.get("format") == "flywheel-eval"]
    # Both eval sets: the regression suite (every approved, clean run) and the held-out set.
    assert paths == [os.path.join(out, "eval-cases.jsonl"), os.path.join(out, "eval", "holdout.jsonl")]
    report = consume(inspect_python, INSPECT_CHECK, paths, str(tmp_path))
    for path, result in report.items():
        assert result["rows"] == result["samples"] == _lines(path) > 0
        assert result["problems"] == [], result["problems"]


# --- (e) the dataset card -----------------------------------------------------------

CARD_CHECK = r'''
import json, sys
from datasets import disable_progress_bars, get_dataset_config_names, load_dataset
disable_progress_bars()
folder, names = sys.argv[1], json.loads(sys.argv[2])
report = {"configs": sorted(get_dataset_config_names(folder)), "splits": {}}
for name in names:
    loaded = load_dataset(folder, name)
    report["splits"][name] = {split: len(rows) for split, rows in loaded.items()}
print(json.dumps(report))
'''


def test_every_config_of_the_dataset_card_loads_by_name_with_the_manifests_split_sizes(hf_python, exported, tmp_path):
    out, manifest = exported
    expected = defaultdict(dict)
    for entry in manifest["files"]:
        if entry["kind"] == "training-example" and entry["path"].startswith("training/"):
            expected[entry["format"]][entry["split"]] = entry["rows"]
    assert sorted(expected) == ["hf-chat", "openai-chat", "openai-preference", "trl-preference"]
    with open(os.path.join(out, "README.md"), encoding="utf-8") as fp:
        assert fp.readline() == "---\n"
    env = dict(os.environ, HF_DATASETS_CACHE=os.path.join(str(tmp_path), "hf-cache"),
               HF_HOME=os.path.join(str(tmp_path), "hf-home"), **OFFLINE)
    result = subprocess.run([hf_python, "-c", CARD_CHECK, out, json.dumps(sorted(expected))],
                            capture_output=True, text=True, timeout=600, env=env, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["configs"] == sorted(expected)
    assert report["splits"] == {name: dict(sizes) for name, sizes in expected.items()}
