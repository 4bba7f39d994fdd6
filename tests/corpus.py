"""A deterministic corpus of approved runs for the writer, split, dedup and consumer tests.

``generate_runs(count, seed=0)`` yields ``count`` records valid under
``schemas/approved-run.schema.json``, the same ones for the same arguments. The
mix, by scenario (a scenario may give several runs):

- chat trajectories with tool calls: arguments as JSON texts and as objects,
  differing key sets, nested objects and lists, calls without arguments,
  parallel calls, content-part lists, ``null`` content, ``developer`` and
  ``reasoning_content``; some with a ``tools`` list, some without;
- the awkward trajectories the writers must handle: a tool name OpenAI would
  refuse (``repo.search``), an unanswered call, an orphan tool result, a
  trailing user message, arguments that are not JSON;
- input/output-only runs (some with a ``tools`` list);
- edited runs (``output_original`` is the agent's draft);
- a rejected and an accepted run with the same instruction and input;
- exact duplicates and near-duplicates (a few words changed) of earlier runs;
- sessions: several runs sharing ``source.session_hash``;
- CJK prose, JSON- and log-heavy text, code, across six domain/workflows.

Nothing in it is a secret or personal data: the redaction gate must find
nothing (``tests/test_corpus.py`` proves it), or the runs would be untrainable.
Every argument key has one JSON type across the whole corpus, so strict
``datasets`` loading of the TRL files is a fair test of the writers.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import random
from typing import Any, Callable, Dict, Iterator, List

WORKFLOWS = (
    ("saas", "bug_triage", "Triage the bug report and propose the next step."),
    ("devtools", "code_review", "Review the change and list concrete problems."),
    ("data_platform", "incident_summary", "Summarise the incident from the logs."),
    ("localization", "translation_review", "Check the translation against the source string."),
    ("infra", "ci_failure", "Explain why the CI job failed and how to fix it."),
    ("docs", "api_reference", "Write the reference entry for the function."),
)

WORDS = (
    "import export parser schema column widget ticket queue worker cache index build deploy release branch "
    "merge commit review comment layout render template invoice report metric dashboard alert timeout retry "
    "payload header footer sidebar toggle filter sort page limit offset cursor batch stream buffer socket "
    "thread lock mutex handler callback promise future option setting flag feature rollout canary fallback "
    "locale string plural message bundle glossary term module package wheel binary script runner job step "
    "artifact upload download archive folder migration table field record entry value default null empty "
    "error warning failure crash regression panic trace frame stack module loader bundle plugin hook event "
    "listener signal channel topic partition replica leader follower quorum election snapshot checkpoint "
    "validator checker linter formatter compiler interpreter runtime profile sample gauge counter histogram"
).split()

CJK_PHRASES = (
    "导入功能在添加自定义字段后失败", "请检查翻译是否与原文一致", "构建任务在编译阶段超时", "日志显示缓存未命中",
    "この変更はテストを壊しています", "設定ファイルの既定値が正しくありません", "リリース前にもう一度確認してください",
    "사용자 설정이 저장되지 않습니다", "번역 문자열의 복수형이 누락되었습니다",
)

# Argument types are fixed per key across the corpus (see the module docstring).
TOOL_SPECS = {
    "read_file": {
        "description": "Read a text file from the workspace.",
        "parameters": {"type": "object", "properties": {
            "path": {"type": "string", "description": "Workspace-relative path."},
            "offset": {"type": "integer"}, "limit": {"type": "integer"}}, "required": ["path"]},
    },
    "run_command": {
        "description": "Run a shell command in the sandbox.",
        "parameters": {"type": "object", "properties": {
            "command": {"type": "string"}, "timeout": {"type": "integer"},
            "options": {"type": "object", "properties": {"cwd": {"type": "string"}, "shell": {"type": "boolean"}}}},
            "required": ["command"]},
    },
    "search_code": {
        "description": "Search the repository.",
        "parameters": {"type": "object", "properties": {
            "query": {"type": "string"}, "paths": {"type": "array", "items": {"type": "string"}},
            "filters": {"type": "object", "properties": {"language": {"type": "string"},
                                                         "max_results": {"type": "integer"}}}},
            "required": ["query"]},
    },
    "write_file": {
        "description": "Write a text file.",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
                       "required": ["path", "content"]},
    },
    "create_ticket": {
        "description": "Open a ticket in the tracker.",
        "parameters": {"type": "object", "properties": {
            "title": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}},
            "fields": {"type": "object", "properties": {"priority": {"type": "string", "enum": ["low", "high"]},
                                                        "estimate": {"type": "integer"},
                                                        "components": {"type": "array", "items": {"type": "string"}}}}},
            "required": ["title"]},
    },
    "list_jobs": {"description": "List the CI jobs of the current pipeline.", "parameters": {"type": "object", "properties": {}}},
    "mcp__docs__lookup": {
        "description": "Look a topic up in the team docs.",
        "parameters": {"type": "object", "properties": {"topic": {"type": "string"}, "depth": {"type": "integer"}},
                       "required": ["topic"]},
    },
    # Not a valid OpenAI function name: the writers rename it (repo_search).
    "repo.search": {
        "description": "Search across repositories (an MCP server.tool name).",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.serial = 0
        self.calls = 0
        self.sessions = 0
        self.start = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
        self.made: List[Dict[str, Any]] = []  # earlier runs, for duplicates

    # --- text ------------------------------------------------------------------

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def sentence(self) -> str:
        text = self.words(self.rng.randint(8, 16))
        return text[0].upper() + text[1:] + "."

    def prose(self, sentences: int = 3) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def cjk(self) -> str:
        picked = self.rng.sample(CJK_PHRASES, 3)
        return "。".join(picked) + "。" + " " + self.words(6)

    def log_text(self) -> str:
        lines = []
        for step in range(self.rng.randint(4, 9)):
            stamp = (self.start + dt.timedelta(seconds=37 * step + self.serial)).strftime("%Y-%m-%dT%H:%M:%SZ")
            level = self.rng.choice(("INFO", "WARN", "ERROR", "DEBUG"))
            record = {"ts": stamp, "level": level, "job": self.rng.choice(WORDS), "step": step,
                      "status": self.rng.choice(("ok", "failed", "skipped")), "duration_ms": self.rng.randint(3, 900)}
            lines.append(json.dumps(record) if step % 2 else
                         f"{stamp} {level} worker[{step}] job={record['job']} status={record['status']} "
                         f"duration_ms={record['duration_ms']}")
        return "\n".join(lines)

    def code(self) -> str:
        name = "_".join(self.rng.sample(WORDS, 2))
        arg = self.rng.choice(WORDS)
        return (f"def {name}({arg}, limit=10):\n"
                f"    \"\"\"{self.sentence()}\"\"\"\n"
                f"    items = [x for x in {arg} if x]\n"
                f"    return items[:limit]\n")

    def task_text(self) -> str:
        kind = self.rng.random()
        if kind < 0.15:
            return self.cjk()
        if kind < 0.35:
            return self.prose(1) + "\n\n```\n" + self.log_text() + "\n```"
        if kind < 0.5:
            return self.prose(1) + "\n\n```python\n" + self.code() + "```"
        return self.prose(self.rng.randint(2, 4))

    # --- records ---------------------------------------------------------------

    def base(self, workflow_index: int = -1) -> Dict[str, Any]:
        self.serial += 1
        domain, workflow, instruction = WORKFLOWS[workflow_index if workflow_index >= 0 else
                                                  self.rng.randrange(len(WORKFLOWS))]
        created = self.start + dt.timedelta(minutes=7 * self.serial)
        return {
            "id": f"corpus-{self.seed}-{self.serial:06d}",
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "project": "corpus",
            "domain": domain,
            "workflow": workflow,
            "harness": self.rng.choice(("claude-code", "codex", "opencode", "gemini")),
            "instruction": instruction,
            "input_redacted": self.task_text(),
            "output_approved": self.prose(self.rng.randint(2, 4)),
            "human_review": {"status": "accepted"},
            "redaction_status": "passed",
            "pii_level": "none",
            "raw_input_stored": False,
        }

    def call_id(self) -> str:
        self.calls += 1
        return f"call_{self.seed}_{self.calls:06d}"

    def arguments(self, name: str) -> Dict[str, Any]:
        rng = self.rng
        if name == "read_file":
            args: Dict[str, Any] = {"path": f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}.py"}
            if rng.random() < 0.5:
                args["offset"] = rng.randint(0, 400)
            if rng.random() < 0.5:
                args["limit"] = rng.randint(20, 200)
            return args
        if name == "run_command":
            args = {"command": rng.choice(("pytest -q", "make build", "npm test", "git status"))}
            if rng.random() < 0.5:
                args["timeout"] = rng.choice((30, 120, 600))
            if rng.random() < 0.4:
                args["options"] = {"cwd": rng.choice(("src", "web", ".")), "shell": rng.random() < 0.5}
            return args
        if name == "search_code":
            args = {"query": self.words(2)}
            if rng.random() < 0.5:
                args["paths"] = [f"src/{rng.choice(WORDS)}" for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                args["filters"] = {"language": rng.choice(("python", "typescript", "go")),
                                   "max_results": rng.randint(5, 50)}
            return args
        if name == "write_file":
            return {"path": f"src/{rng.choice(WORDS)}.py", "content": self.code()}
        if name == "create_ticket":
            args = {"title": self.sentence(), "labels": rng.sample(("bug", "regression", "ui", "ci"), 2)}
            if rng.random() < 0.6:
                fields: Dict[str, Any] = {"priority": rng.choice(("low", "high"))}
                if rng.random() < 0.5:
                    fields["estimate"] = rng.randint(1, 8)
                if rng.random() < 0.5:
                    fields["components"] = [rng.choice(WORDS)]
                args["fields"] = fields
            return args
        if name == "mcp__docs__lookup":
            return {"topic": self.words(2), "depth": rng.randint(1, 3)}
        if name == "repo.search":
            return {"query": self.words(3)}
        return {}  # list_jobs

    def result(self, name: str) -> Any:
        if name in ("run_command", "list_jobs"):
            text = self.log_text()
        elif name == "read_file":
            text = self.code()
        elif name in ("search_code", "repo.search"):
            text = json.dumps({"matches": [{"path": f"src/{self.rng.choice(WORDS)}.py", "line": self.rng.randint(1, 300)}
                                           for _ in range(self.rng.randint(1, 3))]})
        else:
            text = self.prose(1)
        if self.rng.random() < 0.15:
            return [{"type": "text", "text": text}, {"type": "text", "text": self.sentence()}]
        return text

    def call(self, name: str) -> Dict[str, Any]:
        args = self.arguments(name)
        call: Dict[str, Any] = {"id": self.call_id(), "type": "function", "function": {"name": name}}
        if name == "list_jobs":
            form = self.rng.choice(("missing", "empty", "object", "text"))
            if form == "empty":
                call["function"]["arguments"] = ""
            elif form == "object":
                call["function"]["arguments"] = {}
            elif form == "text":
                call["function"]["arguments"] = "{}"
            return call
        call["function"]["arguments"] = args if self.rng.random() < 0.5 else json.dumps(args)
        return call

    def trajectory(self, record: Dict[str, Any], names: List[str], *, parallel: bool = False) -> List[Dict[str, Any]]:
        rng = self.rng
        messages: List[Dict[str, Any]] = []
        roll = rng.random()
        if roll < 0.6:
            messages.append({"role": "system", "content": record["instruction"]})
        elif roll < 0.75:
            messages.append({"role": "developer", "content": record["instruction"]})
        user: Any = record["input_redacted"]
        if rng.random() < 0.2:
            user = [{"type": "text", "text": record["input_redacted"]}]
        messages.append({"role": "user", "content": user})
        pending = list(names)
        while pending:
            batch = pending[:2] if parallel and len(pending) > 1 else pending[:1]
            pending = pending[len(batch):]
            calls = [self.call(name) for name in batch]
            content = rng.choice((None, "", "Let me look at the " + rng.choice(WORDS) + " first."))
            assistant: Dict[str, Any] = {"role": "assistant", "content": content, "tool_calls": calls}
            if rng.random() < 0.2:
                assistant["reasoning_content"] = self.sentence()
            messages.append(assistant)
            for call in calls:
                messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.result(call["function"]["name"])})
        messages.append({"role": "assistant", "content": record["output_approved"]})
        return messages

    def tools_for(self, names: List[str]) -> List[Dict[str, Any]]:
        offered = sorted(set(names) | set(self.rng.sample(sorted(TOOL_SPECS), 2)))
        return [{"type": "function", "function": {"name": name, **copy.deepcopy(TOOL_SPECS[name])}} for name in offered]

    # --- scenarios: each returns the runs it makes -------------------------------

    def chat(self) -> List[Dict[str, Any]]:
        record = self.base()
        pool = [name for name in TOOL_SPECS if name != "repo.search"]
        names = [self.rng.choice(pool) for _ in range(self.rng.randint(1, 4))]
        record["messages"] = self.trajectory(record, names, parallel=self.rng.random() < 0.3)
        if self.rng.random() < 0.6:
            record["tools"] = self.tools_for(names)
        return [record]

    def awkward(self) -> List[Dict[str, Any]]:
        record = self.base()
        kind = self.rng.choice(("dotted_name", "unanswered", "orphan", "trailing_user", "not_json"))
        names = ["repo.search", "read_file"] if kind == "dotted_name" else ["read_file", "search_code"]
        messages = self.trajectory(record, names)
        if kind == "unanswered":  # the second call's result never came
            index = max(i for i, m in enumerate(messages) if m["role"] == "tool")
            del messages[index]
        elif kind == "orphan":
            messages.insert(-1, {"role": "tool", "tool_call_id": "call_nobody_made", "content": self.sentence()})
        elif kind == "trailing_user":
            messages.append({"role": "user", "content": "Thanks, that is all."})
        elif kind == "not_json":
            first = next(m for m in messages if m.get("tool_calls"))
            first["tool_calls"][0]["function"]["arguments"] = '{"path": "src/cut'
        record["messages"] = messages
        record["tools"] = self.tools_for(names)
        record["eval_tags"] = [kind]
        return [record]

    def plain(self) -> List[Dict[str, Any]]:
        record = self.base()
        if self.rng.random() < 0.3:
            record["context"] = self.prose(1)
        if self.rng.random() < 0.25:
            record["tools"] = self.tools_for([])
        return [record]

    def edited(self) -> List[Dict[str, Any]]:
        record = self.chat()[0] if self.rng.random() < 0.5 else self.plain()[0]
        draft = self.prose(2)
        record["output_original"] = draft
        record["human_review"] = {"status": "edited", "review_notes": "Tightened the answer."}
        if "messages" in record:
            record["messages"][-1]["content"] = draft  # the trajectory ends with the agent's draft
        return [record]

    def judged(self) -> List[Dict[str, Any]]:
        accepted = self.chat()[0] if self.rng.random() < 0.4 else self.plain()[0]
        rejected = self.base()
        for key in ("domain", "workflow", "instruction", "input_redacted"):
            rejected[key] = accepted[key]
        rejected["output_approved"] = self.prose(2)
        rejected["human_review"] = {"status": "rejected", "review_notes": "Misses the root cause."}
        return [rejected, accepted] if self.rng.random() < 0.5 else [accepted, rejected]

    def duplicate(self) -> List[Dict[str, Any]]:
        if not self.made:
            return self.plain()
        record = copy.deepcopy(self.rng.choice(self.made))
        fresh = self.base()
        record["id"], record["created_at"] = fresh["id"], fresh["created_at"]
        record.pop("source", None)
        if self.rng.random() < 0.5:  # near-duplicate: a few words changed
            words = record["output_approved"].split(" ")
            for _ in range(2):
                words[self.rng.randrange(len(words))] = self.rng.choice(WORDS)
            record["output_approved"] = " ".join(words)
            if "messages" in record:
                record["messages"][-1]["content"] = record["output_approved"]
        return [record]

    def session(self) -> List[Dict[str, Any]]:
        self.sessions += 1
        session = hashlib.sha256(f"corpus-session-{self.seed}-{self.sessions}".encode()).hexdigest()[:24]
        workflow = self.rng.randrange(len(WORKFLOWS))
        runs = []
        for _ in range(self.rng.randint(2, 5)):
            record = self.chat()[0] if self.rng.random() < 0.5 else self.plain()[0]
            domain, name, instruction = WORKFLOWS[workflow]
            record.update(domain=domain, workflow=name, instruction=instruction, source={"session_hash": session})
            for message in record.get("messages", ())[:1]:
                if message["role"] in ("system", "developer"):
                    message["content"] = instruction
            runs.append(record)
        return runs


SCENARIOS = (
    ("chat", 30), ("plain", 22), ("edited", 10), ("judged", 8), ("duplicate", 10), ("session", 8), ("awkward", 5),
)


def generate_runs(count: int, seed: int = 0) -> Iterator[Dict[str, Any]]:
    """``count`` approved-run records, the same for the same ``count`` prefix and ``seed``."""
    maker = _Maker(seed)
    names = [name for name, _weight in SCENARIOS]
    weights = [weight for _name, weight in SCENARIOS]
    made = 0
    while made < count:
        scenario: Callable[[], List[Dict[str, Any]]] = getattr(maker, maker.rng.choices(names, weights)[0])
        for record in scenario():
            if made == count:
                return
            maker.made.append(record)
            made += 1
            yield record


def write_corpus(path: str, count: int, seed: int = 0) -> str:
    with open(path, "w", encoding="utf-8") as fp:
        for record in generate_runs(count, seed):
            fp.write(json.dumps(record, ensure_ascii=False) + "\n")
    return str(path)
