"""What a workflow's runs teach, mined deterministically from trajectories and decisions.

No model is involved: each run's trajectory is read once into small facts
(``observe``), and a per-workflow ``Miner`` folds those facts into counters
(``evidence.Evidence`` tables, bounded by ``EVIDENCE_LIMIT`` distinct keys),
so memory grows with the number of distinct statements, never with the number
of runs. ``Miner.statements`` turns the counters into ranked statements, each
with its support, what it is counted over ("3 of 4 approved runs") and the
first trace ids that show it.

What counts as a check, a read, an edit or a tool failure is data below
(``CHECKS``, ``ACTIONS``, ``ERROR_KINDS``), tested on the real sessions in
``shared/fixtures`` and on the generated corpus. The harness readers do not
keep a tool result's error flag, so a failure is recognised from its text
(``Exit code 1``, ``Command exited with code 2``, ``<tool_use_error>``...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from ..jsonio import parse_json_text
from ..records import candidates as candidate_records
from ..records.episode import text_of
from .evidence import EVIDENCE_LIMIT, Evidence

# --- thresholds: every mined statement must pass them; cards state them --------------

MIN_SUPPORT = 2  # runs: one run is an anecdote, not a habit
MIN_SHARE = 0.5  # of the runs a statement is counted over (approved runs, runs that edit, ...)
CONTRAST_GAP = 0.3  # share among rejected/failed runs minus share among accepted ones
FORMS_SHOWN = 3  # command forms quoted per check
AREAS_SHOWN = 5  # files and folders listed
AREA_DEPTH = 3  # a folder is named by its first three path components
FORM_MAX = 80  # characters of a command form kept

THRESHOLDS = {"min_support": MIN_SUPPORT, "min_share": MIN_SHARE, "contrast_gap": CONTRAST_GAP}

# --- checks: the commands a run uses to verify its work before answering -------------
# Matched on one command segment (split at && || ; |), after env assignments and
# wrappers (sudo, time, npx, uv run, python -m) are dropped. First match wins.
CHECKS: Tuple[Tuple[str, str, "re.Pattern[str]"], ...] = tuple(
    (kind, label, re.compile(pattern))
    for kind, label, pattern in (
        ("typecheck", "type-checks", r"^(mypy|pyright|pytype)\b|^(tsc|tsgo|vue-tsc)\b.*--noEmit|"
                                     r"^(npm|pnpm|yarn|bun)( run)? (typecheck|type-check|tsc)\b|^go vet\b|^cargo check\b"),
        ("test", "runs the tests", r"^(pytest|jest|vitest|mocha|rspec|tox|nox|ctest|phpunit|ava)\b|"
                                   r"^(go|cargo|dotnet|swift|mix|deno|bun|mvn|gradle|\./gradlew) test\b|"
                                   r"^(npm|pnpm|yarn)( run)? test\b|^(npm|pnpm|yarn) t\b|^make (test|check)\b|"
                                   r"^unittest\b|^node --test\b|^pytest\b"),
        ("lint", "lints", r"^(ruff|flake8|pylint|eslint|biome|golangci-lint|rubocop|shellcheck|stylelint|hadolint)\b|"
                          r"^(prettier|black|isort|gofmt)\b.*(--check|-l\b)|^cargo (clippy|fmt --check)\b|"
                          r"^(npm|pnpm|yarn|bun)( run)? (lint|check|format:check)\b|^make lint\b"),
        ("build", "builds", r"^(npm|pnpm|yarn|bun)( run)? build\b|^(go|cargo|dotnet|bazel|docker) build\b|"
                            r"^(tsc|tsgo)\b|^make( (build|all))?$|^mvn (package|compile|install|verify)\b|"
                            r"^(gradle|\./gradlew) (build|assemble)\b|^build\b|^cmake --build\b"),
    )
)
CHECK_LABELS = {kind: label for kind, label, _pattern in CHECKS}
_WRAPPERS = ("sudo", "time", "npx", "bunx", "env", "command", "exec", "nice")
_TWO_WORD_WRAPPERS = ("uv run", "poetry run", "pipenv run", "pnpm exec", "python -m", "python3 -m", "yarn dlx")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")
_REDIRECT = re.compile(r"\s*(\d?>>?|&>)\s*(&\d|/dev/null|\S+)")

# --- tool actions: a tool's name says what kind of step it is -------------------------
ACTIONS = {
    "read": ("read", "read_file", "readfile", "view", "open_file", "notebookread", "read_many_files", "cat"),
    "search": ("grep", "glob", "search_file_content", "list_directory", "ls", "list_dir", "find", "search_code",
               "codebase_search", "file_search", "glob_file_search", "rg", "repo_search", "repo.search", "websearch"),
    "edit": ("edit", "multiedit", "replace", "apply_patch", "str_replace", "str_replace_editor", "edit_file",
             "search_replace", "notebookedit", "patch"),
    "write": ("write", "write_file", "create_file", "writefile"),
    "shell": ("bash", "exec_command", "shell", "run_command", "run_shell_command", "terminal", "local_shell",
              "execute_command", "run_terminal_cmd", "container.exec", "write_stdin"),
    "plan": ("todowrite", "update_plan", "write_todos", "todo_write", "todoread"),
    "delegate": ("task", "delegate_to_agent", "agent", "spawn_agent", "subagent"),
}
_ACTION_OF = {name: action for action, names in ACTIONS.items() for name in names}
# A shell command's first word says whether it reads or searches (codex does everything in a shell).
_SHELL_READS = frozenset(("cat", "sed", "head", "tail", "nl", "less", "more", "bat", "jq"))
_SHELL_SEARCHES = frozenset(("rg", "grep", "find", "ls", "fd", "tree", "ag", "git grep"))
_PATH_KEYS = ("file_path", "path", "filename", "target_file", "notebook_path", "dir_path", "absolute_path")
_SHELL_PATH = re.compile(r"(?<![\w/.-])((?:~|\.{0,2}/)?(?:[\w.@-]+/)+[\w.@-]+\.\w{1,6})(?![\w/])")
_TEST_FILE = re.compile(r"(?:^|/)(?:tests?|__tests__|spec)/|(?:^|/)test_[^/]*$|_test\.\w+$|\.(?:test|spec)\.\w+$")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.M)
# Folders a repository's own paths start at; an absolute path is cut there.
_REPO_ROOTS = frozenset(("src", "lib", "app", "apps", "packages", "tests", "test", "docs", "cmd", "internal", "pkg",
                         "scripts", "crates", "examples", ".github", "tools", "schemas", "bench", "spec"))

# --- tool failures, recognised from the result text ------------------------------------
ERROR_KINDS: Tuple[Tuple[str, str, Tuple[str, ...], "re.Pattern[str]"], ...] = tuple(
    (kind, label, keywords, re.compile(pattern, re.M))
    for kind, label, keywords, pattern in (
        ("rejected_by_user", "the user refused the call", ("doesn't want to proceed",),
         r"^The user doesn't want to proceed with this tool use"),
        ("edit_mismatch", "the text to replace was not found", ("could not find", "not found", "no changes made", "verbatim"),
         r"Could not find the exact text|String to replace not found|old_string not found|"
         r"No changes made to .* identical content|did not appear verbatim"),
        ("file_not_found", "file not found", ("does not exist", "no such file", "enoent", "not found"),
         r"^<tool_use_error>File does not exist|No such file or directory|ENOENT|^File not found|^Error: file not found"),
        ("aborted", "aborted or timed out", ("aborted", "timed out", "timeouterror"),
         r"^Command aborted|timed out after|^Command timed out|\bTimeoutError\b"),
        ("permission_denied", "permission denied", ("permission denied", "eacces", "not permitted"),
         r"Permission denied|EACCES|Operation not permitted"),
        ("command_not_found", "command not found", ("command not found", "not recognized"),
         r"command not found|is not recognized as an internal"),
        ("nonzero_exit", "a non-zero exit code", ("exit",),
         r"^Exit code [1-9]\d*|Command exited with code [1-9]\d*|Process exited with code [1-9]\d*|"
         r"exit (?:code|status):? ?[1-9]\d*\s*$"),
        ("tool_error", "a tool error", ("error", "traceback", "failed"),
         r"\A(?:<tool_use_error>|Error:|error:|Traceback \(most recent call last\)|\w+ failed: )"),
    )
)
ERROR_LABELS = {kind: label for kind, label, _keywords, _pattern in ERROR_KINDS}
_EXITED_OK = re.compile(r"(?:Exit code|exited with code|Process exited with code) 0\b")
_CODEX_RUNNING = re.compile(r"Process running with session ID (\d+)")
# Characters of a result looked at, from its start and its end: harnesses put the error or the
# exit status first (Claude Code, Codex) or last (Pi); a long output's middle is the program's own text.
ERROR_HEAD = 600
ERROR_TAIL = 300

# --- draft-versus-approved differences a reviewer's edit shows ------------------------
_CODE_FENCE = "```"
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S", re.M)
_PATHLIKE = re.compile(r"(?:[\w.-]+/)+[\w.-]+|[\w-]+\.(?:py|ts|tsx|js|go|rs|java|rb|md|json|yaml|yml|toml|sh|c|h|cpp)\b")
_HEDGES = re.compile(r"\b(?:I think|maybe|perhaps|probably|might|should work|I believe|it seems)\b", re.I)
DIFFS = {
    "shorter": "shortened the agent's draft (the approved answer is under 70% of its length)",
    "longer": "lengthened the agent's draft (the approved answer is over 130% of its length)",
    "added_code": "added a code block the draft lacked",
    "removed_code": "removed the draft's code blocks",
    "added_list": "turned the draft into a list",
    "removed_list": "turned the draft's list into prose",
    "added_paths": "named files or paths the draft did not",
    "removed_hedges": "removed hedging (maybe, probably, I think)",
}

# --- what rejected and failed runs may share ------------------------------------------
CONTRASTS = {
    "no_tests": "ran no tests",
    "no_checks": "ran no test, lint, type-check or build",
    "unread_edit": "edited a file it had not read first",
    "no_test_read": "changed files without reading a test first",
    "tool_failed": "had a tool call fail",
    "last_check_failed": "answered after a failing check",
    "no_tools": "used no tools",
}
NEGATIVE_OUTCOMES = ("failed", "aborted")


# --- one run ---------------------------------------------------------------------------


@dataclass
class RunFacts:
    """What one run's trajectory and decision show; small, and dropped once folded."""

    calls: int = 0
    tools: List[str] = field(default_factory=list)  # distinct names, first use first
    order: List[str] = field(default_factory=list)  # distinct actions, first use first
    checks: Dict[str, List[str]] = field(default_factory=dict)  # kind -> distinct command forms
    checks_after_last_edit: Set[str] = field(default_factory=set)
    last_check_failed: bool = False
    edits: bool = False
    read_before_edit: Optional[bool] = None  # None: the run edits nothing it could have read
    test_read_before_edit: Optional[bool] = None  # None: the run edits nothing
    failures: List[Tuple[str, str]] = field(default_factory=list)  # (tool, error kind) per failed call
    calls_by_tool: Dict[str, int] = field(default_factory=dict)
    files_edited: List[str] = field(default_factory=list)
    areas: List[str] = field(default_factory=list)
    had_draft: bool = False  # output_original kept: a person edited the agent's answer
    diffs: List[str] = field(default_factory=list)


def observe(record: Dict[str, Any]) -> RunFacts:
    """Read one (redacted) run record's trajectory and draft into ``RunFacts``."""
    facts = RunFacts()
    messages = candidate_records.own_messages(record)
    if messages:
        _walk(messages, facts)
    draft = record.get("output_original")
    approved = record.get("output_approved")
    if isinstance(draft, str) and isinstance(approved, str) and draft.strip() and approved.strip():
        facts.had_draft = True
        facts.diffs = draft_differences(draft, approved)
    return facts


@dataclass
class _Call:
    position: int
    name: str
    action: str
    arguments: Dict[str, Any]
    command: str = ""
    check_kinds: Tuple[str, ...] = ()
    paths: Tuple[str, ...] = ()


def _walk(messages: List[Any], facts: RunFacts) -> None:
    calls: Dict[str, _Call] = {}
    sequence: List[_Call] = []
    sessions: Dict[str, _Call] = {}  # codex: a shell still running, by session id
    read_paths: Set[str] = set()
    edited_unread = False
    edited_read = False
    last_edit = -1
    check_results: List[Tuple[int, Tuple[str, ...], bool]] = []  # (position, kinds, failed)
    for message in messages:
        if not isinstance(message, dict):
            continue
        for raw in message.get("tool_calls") or ():
            position = len(sequence)
            call = _call_of(raw, position)
            if call is None:
                continue
            sequence.append(call)
            call_id = raw.get("id") if isinstance(raw.get("id"), str) else f"#{position}"
            calls[call_id] = call
            facts.calls += 1
            facts.calls_by_tool[call.name] = facts.calls_by_tool.get(call.name, 0) + 1
            if call.name not in facts.tools:
                facts.tools.append(call.name)
            if call.action not in facts.order:
                facts.order.append(call.action)
            if call.action in ("read", "search") or (call.command and call.action != "check"):
                read_paths.update(call.paths)
                if not facts.edits and any(_TEST_FILE.search(path) for path in call.paths):
                    facts.test_read_before_edit = True
            elif call.action in ("edit", "write"):
                if not facts.edits and facts.test_read_before_edit is None:
                    facts.test_read_before_edit = False
                facts.edits = True
                last_edit = position
                for path in call.paths:
                    if path not in facts.files_edited:
                        facts.files_edited.append(path)
                if call.action == "edit":  # a whole-file write of a new file needs no read first
                    if all(path in read_paths for path in call.paths):
                        edited_read = True
                    else:
                        edited_unread = True
                read_paths.update(call.paths)  # what it wrote, it knows
            for path in call.paths:
                area = _area(path)
                if area and area not in facts.areas:
                    facts.areas.append(area)
            for kind in call.check_kinds:
                forms = facts.checks.setdefault(kind, [])
                if call.command not in forms:
                    forms.append(call.command)
        if message.get("role") == "tool":
            call = calls.get(message.get("tool_call_id"))  # type: ignore[arg-type]
            if call is None:
                continue
            text = text_of(message.get("content"))
            running = _CODEX_RUNNING.search(text[:300])
            if running and call.command:
                sessions[running.group(1)] = call
                continue
            owner = call
            if call.name == "write_stdin":  # codex: the shell's exit arrives on a later poll
                session = str(call.arguments.get("session_id", ""))
                owner = sessions.get(session, call)
                if "Process running" in text[:300]:
                    continue
            kind = error_kind(text)
            if kind is not None:
                facts.failures.append((owner.name, kind))
            if owner.check_kinds:
                check_results.append((owner.position, owner.check_kinds, kind is not None))
    if edited_unread or edited_read:
        facts.read_before_edit = not edited_unread
    for position, kinds, _failed in check_results:
        if position > last_edit >= 0:
            facts.checks_after_last_edit.update(kinds)
    if check_results:
        facts.last_check_failed = max(check_results, key=lambda item: item[0])[2]


def _call_of(raw: Any, position: int) -> Optional[_Call]:
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    arguments = _arguments(function.get("arguments"))  # type: ignore[union-attr]
    bare = name.strip().lower()
    if bare.startswith("mcp__"):
        bare = bare.rsplit("__", 1)[-1]
    action = _ACTION_OF.get(bare, "other")
    command = _command_text(arguments)
    call = _Call(position=position, name=name.strip(), action=action, arguments=arguments)
    if command:
        forms = [(kind, form) for form in _segments(command) for kind in _check_kinds(form)]
        if forms:
            call.check_kinds = tuple(dict.fromkeys(kind for kind, _form in forms))
            call.command = forms[0][1]
            call.action = "check"
        elif action in ("shell", "other"):
            first = _segments(command)[:1]
            word = first[0].split(" ", 1)[0] if first else ""
            if word in _SHELL_READS:
                call.action = "read"
            elif word in _SHELL_SEARCHES:
                call.action = "search"
            elif action == "other":
                call.action = "shell"
    call.paths = tuple(_paths(arguments, bare))
    if command and call.action in ("read", "search"):  # `cat src/a.py`, `rg x src/b.ts`: the files it looked at
        call.paths += tuple(relative_path(token) for token in _SHELL_PATH.findall(command))
    return call


def _arguments(value: Any) -> Dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        parsed, problem = parse_json_text(value)
        if problem is None and isinstance(parsed, dict):
            return parsed
    return {}


def _command_text(arguments: Dict[str, Any]) -> str:
    for key in ("command", "cmd", "script"):
        value = arguments.get(key)
        if isinstance(value, list) and all(isinstance(part, str) for part in value):
            # codex's shell tool: ["bash", "-lc", "npm test"]
            value = value[-1] if len(value) >= 3 and value[1] in ("-lc", "-c") else " ".join(value)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _segments(command: str) -> List[str]:
    """Each simple command of a shell line, wrappers and redirections dropped, whitespace collapsed."""
    out = []
    for piece in re.split(r"&&|\|\||;|\||\n", command):
        text = _REDIRECT.sub("", piece).strip()
        words = text.split()
        while words and (_ASSIGNMENT.match(words[0]) or words[0] in _WRAPPERS):
            words.pop(0)
        text = " ".join(words)
        for wrapper in _TWO_WORD_WRAPPERS:
            if text.startswith(wrapper + " "):
                text = text[len(wrapper) + 1:]
        if text and not text.startswith(("cd ", "echo ", "export ")) and text != "cd":
            out.append(text[:FORM_MAX])
    return out


def _check_kinds(segment: str) -> List[str]:
    return [kind for kind, _label, pattern in CHECKS if pattern.search(segment)][:1]


def check_kinds_of(command: str) -> List[str]:
    """The check kinds (test, lint, typecheck, build) a shell line runs, in order."""
    return list(dict.fromkeys(kind for segment in _segments(command) for kind in _check_kinds(segment)))


def _paths(arguments: Dict[str, Any], bare_name: str) -> List[str]:
    found = []
    for key in _PATH_KEYS:
        value = arguments.get(key)
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
    if bare_name in ("apply_patch", "patch"):
        text = arguments.get("input") or arguments.get("patch") or ""
        if isinstance(text, str):
            found.extend(match.strip() for match in _PATCH_FILE.findall(text))
    return [relative_path(path) for path in found]


def relative_path(path: str) -> str:
    """A repository-relative form: absolute paths cut at a folder like ``src``, else their last two parts."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    if not (path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:/", path)):
        return path
    parts = [part for part in path.split("/") if part]
    for index, part in enumerate(parts):
        if part in _REPO_ROOTS and index < len(parts) - 1:
            return "/".join(parts[index:])
    return "/".join(parts[-2:])


def _area(path: str) -> str:
    parts = path.split("/")[:-1]
    return "/".join(parts[:AREA_DEPTH])


def error_kind(text: str) -> Optional[str]:
    """The kind of failure a tool result reports, or None when it reads as a success."""
    head = text.lstrip()[:ERROR_HEAD]
    if _EXITED_OK.search(head[:300]):
        return None
    window = head if len(text) <= ERROR_HEAD + ERROR_TAIL else head + "\n" + text[-ERROR_TAIL:]
    lowered = window.lower()
    for kind, _label, keywords, pattern in ERROR_KINDS:
        # Cheap first: a pattern runs only when one of its literals is there.
        if any(keyword in lowered for keyword in keywords) and pattern.search(window):
            return kind
    return None


def draft_differences(draft: str, approved: str) -> List[str]:
    """Plainly statable differences between an agent's draft and the answer a person approved."""
    found = []
    if len(approved) < 0.7 * len(draft):
        found.append("shorter")
    elif len(approved) > 1.3 * len(draft):
        found.append("longer")
    if _CODE_FENCE in approved and _CODE_FENCE not in draft:
        found.append("added_code")
    elif _CODE_FENCE in draft and _CODE_FENCE not in approved:
        found.append("removed_code")
    draft_list, approved_list = len(_LIST_ITEM.findall(draft)) >= 2, len(_LIST_ITEM.findall(approved)) >= 2
    if approved_list and not draft_list:
        found.append("added_list")
    elif draft_list and not approved_list:
        found.append("removed_list")
    if set(_PATHLIKE.findall(approved)) - set(_PATHLIKE.findall(draft)):
        found.append("added_paths")
    if _HEDGES.search(draft) and len(_HEDGES.findall(approved)) < len(_HEDGES.findall(draft)):
        found.append("removed_hedges")
    return found


# --- one workflow: counters folded from RunFacts ---------------------------------------


def _share_ok(support: int, of: int) -> bool:
    return support >= MIN_SUPPORT and of > 0 and support / of >= MIN_SHARE


def _item(text: str, support: int, of: int, unit: str, trace_ids: List[str]) -> Dict[str, Any]:
    return {"text": text, "support": support, "of": of, "unit": unit, "trace_ids": list(trace_ids), "source": "mined"}


def _quote(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


class Miner:
    """Per-workflow counters of mined facts; ``statements()`` applies the thresholds."""

    def __init__(self) -> None:
        self.approved_with_tools = 0  # approved runs whose trajectory has tool calls: checks and habits count over these
        self.approved_editing = 0  # approved runs that edited a file they could have read first
        self.approved_changing = 0  # approved runs that edit or write any file
        self.approved_checkable = 0  # approved runs that change a file or run a check: checks count over these
        self.edited = 0
        self.edited_with_draft = 0
        self.rejected = 0
        self.runs_with_tools = 0  # every run with tool calls: failures count over these
        self.negative = 0  # rejected, or ended failed/aborted
        self.positive = 0  # approved and not failed
        self.checks = Evidence()
        self.check_forms: Dict[str, Evidence] = {kind: Evidence() for kind in CHECK_LABELS}
        self.checks_after_edit = Evidence()
        self.tools = Evidence()
        self.order = Evidence()
        self.read_first = Evidence()
        self.failures = Evidence()  # "tool\tkind" -> runs
        self.failed_calls: Dict[str, int] = {}
        self.calls_by_tool: Dict[str, int] = {}
        self.files = Evidence()
        self.areas = Evidence()
        self.diffs = Evidence()
        self.notes_edited = Evidence()
        self.notes_rejected = Evidence()
        self.contrast_negative = Evidence()
        self.contrast_positive: Dict[str, int] = {}

    def add(self, facts: RunFacts, *, trace_id: str, status: str, outcome: str, notes: List[str]) -> None:
        approved = status in ("accepted", "edited")
        failed = outcome in NEGATIVE_OUTCOMES
        if facts.calls:
            self.runs_with_tools += 1
            for tool, count in facts.calls_by_tool.items():
                if tool in self.calls_by_tool or len(self.calls_by_tool) < EVIDENCE_LIMIT:
                    self.calls_by_tool[tool] = self.calls_by_tool.get(tool, 0) + count
            distinct = list(dict.fromkeys(f"{tool}\t{kind}" for tool, kind in facts.failures))
            self.failures.add(distinct, trace_id)
            for tool, kind in facts.failures:
                key = f"{tool}\t{kind}"
                if key in self.failures.items:
                    self.failed_calls[key] = self.failed_calls.get(key, 0) + 1
        if approved and facts.calls:
            self.approved_with_tools += 1
            # Checks verify work: a request that only asks or reads (one candidate is one request)
            # has nothing to test, so checks count over the runs that change files or run one.
            if facts.test_read_before_edit is not None or facts.checks:
                self.approved_checkable += 1
                self.checks.add(list(facts.checks), trace_id)
                for kind, forms in facts.checks.items():
                    self.check_forms[kind].add(forms, trace_id)
                self.checks_after_edit.add(sorted(facts.checks_after_last_edit), trace_id)
            self.tools.add(facts.tools, trace_id)
            self.order.add([" → ".join(facts.order)], trace_id)
            self.files.add(facts.files_edited, trace_id)
            self.areas.add(facts.areas, trace_id)
            if facts.test_read_before_edit is not None:
                self.approved_changing += 1
                if facts.test_read_before_edit:
                    self.read_first.add(["test_before_edit"], trace_id)
            if facts.read_before_edit is not None:
                self.approved_editing += 1
                if facts.read_before_edit:
                    self.read_first.add(["read_before_edit"], trace_id)
        if status == "edited" and facts.had_draft:
            self.edited_with_draft += 1
            self.diffs.add(facts.diffs, trace_id)
        if status == "edited":
            self.edited += 1
            self.notes_edited.add(notes, trace_id)
        elif status == "rejected":
            self.rejected += 1
            self.notes_rejected.add(notes, trace_id)
        if status == "rejected" or failed:
            self.negative += 1
            self.contrast_negative.add(_contrast_features(facts), trace_id)
        elif approved:
            self.positive += 1
            for feature in _contrast_features(facts):
                self.contrast_positive[feature] = self.contrast_positive.get(feature, 0) + 1

    # --- statements ---------------------------------------------------------------

    def rules(self) -> List[Dict[str, Any]]:
        """Habits of approved runs: the checks they run, reading before editing, the usual order."""
        out = []
        of = self.approved_with_tools
        unit = "approved runs with tool calls"
        for item in self.checks.ranked(MIN_SUPPORT):
            kind = item["text"]
            if not _share_ok(item["support"], self.approved_checkable):
                continue
            forms = self.check_forms[kind].ranked()[:FORMS_SHOWN]
            shown = ", ".join(f"{_quote(form['text'])} ({form['support']})" for form in forms)
            after = self.checks_after_edit.support(kind)
            text = f"{CHECK_LABELS[kind].capitalize()} before answering: {shown}"
            if after:
                text += f"; after its last edit in {after}"
            out.append(_item(text, item["support"], self.approved_checkable,
                             "approved runs that change files or run a check", item["trace_ids"]))
        support = self.read_first.support("read_before_edit")
        if _share_ok(support, self.approved_editing):
            out.append(_item("Reads a file before editing it", support, self.approved_editing,
                             "approved runs that edit a file", self.read_first.items["read_before_edit"][1]))
        support = self.read_first.support("test_before_edit")
        if _share_ok(support, self.approved_changing):
            out.append(_item("Reads a test before its first edit", support, self.approved_changing,
                             "approved runs that change files", self.read_first.items["test_before_edit"][1]))
        for item in self.order.ranked(MIN_SUPPORT)[:1]:
            if " → " in item["text"] and _share_ok(item["support"], of):
                out.append(_item(f"Works in this order: {item['text']}", item["support"], of, unit, item["trace_ids"]))
        return out

    def tools_used(self) -> List[Dict[str, Any]]:
        of = self.approved_with_tools
        return [_item(_quote(item["text"]), item["support"], of, "approved runs with tool calls", item["trace_ids"])
                for item in self.tools.ranked(MIN_SUPPORT) if _share_ok(item["support"], of)]

    def failure_modes(self) -> List[Dict[str, Any]]:
        """Tools that fail in at least MIN_SUPPORT runs, then what rejected and failed runs share."""
        out = []
        for item in self.failures.ranked(MIN_SUPPORT):
            tool, kind = item["text"].split("\t", 1)
            calls = self.failed_calls.get(item["text"], 0)
            total = self.calls_by_tool.get(tool, 0)
            text = f"{_quote(tool)} fails with {ERROR_LABELS[kind]}: {calls} of {total} calls"
            out.append(_item(text, item["support"], self.runs_with_tools, "runs with tool calls", item["trace_ids"]))
        out += self.contrasts()
        return out

    def contrasts(self) -> List[Dict[str, Any]]:
        out = []
        negative, positive = self.negative, self.positive
        if not negative or not positive:
            return out
        for item in self.contrast_negative.ranked(MIN_SUPPORT):
            feature = item["text"]
            accepted = self.contrast_positive.get(feature, 0)
            if item["support"] / negative - accepted / positive >= CONTRAST_GAP:
                text = (f"Rejected or failed runs {CONTRASTS[feature]}: {item['support']} of {negative}, "
                        f"against {accepted} of {positive} approved runs")
                out.append(_item(text, item["support"], negative, "rejected or failed runs", item["trace_ids"]))
        return out

    def corrections(self) -> List[Dict[str, Any]]:
        """What people corrected: their notes on edits and rejections (all of them, ranked), then draft differences."""
        out = []
        for item in self.notes_edited.ranked():
            out.append({**_item(item["text"], item["support"], self.edited, "edited runs", item["trace_ids"]),
                        "source": "person"})
        for item in self.notes_rejected.ranked():
            out.append({**_item(item["text"], item["support"], self.rejected, "rejected runs", item["trace_ids"]),
                        "source": "person"})
        out.sort(key=lambda entry: -entry["support"])  # stable: edits before rejections on ties
        for item in self.diffs.ranked(MIN_SUPPORT):
            if _share_ok(item["support"], self.edited_with_draft):
                out.append(_item(f"Reviewers {DIFFS[item['text']]}", item["support"], self.edited_with_draft,
                                 "edited runs with the agent's draft", item["trace_ids"]))
        return out

    def areas_touched(self) -> List[Dict[str, Any]]:
        of = self.approved_with_tools
        unit = "approved runs with tool calls"
        files = [_item(f"edits {_quote(item['text'])}", item["support"], of, unit, item["trace_ids"])
                 for item in self.files.ranked(MIN_SUPPORT)[:AREAS_SHOWN]]
        areas = [_item(f"works in {_quote(item['text'] + '/')}", item["support"], of, unit, item["trace_ids"])
                 for item in self.areas.ranked(MIN_SUPPORT)[:AREAS_SHOWN]]
        return files + areas

    def overflow(self) -> int:
        tables = [self.checks, self.checks_after_edit, self.tools, self.order, self.failures, self.files, self.areas,
                  self.diffs, self.notes_edited, self.notes_rejected, *self.check_forms.values()]
        return sum(table.overflow for table in tables)


def _contrast_features(facts: RunFacts) -> List[str]:
    features = []
    if not facts.calls:
        return ["no_tools"]
    if "test" not in facts.checks:
        features.append("no_tests")
    if not facts.checks:
        features.append("no_checks")
    if facts.read_before_edit is False:
        features.append("unread_edit")
    if facts.test_read_before_edit is False:
        features.append("no_test_read")
    if facts.failures:
        features.append("tool_failed")
    if facts.last_check_failed:
        features.append("last_check_failed")
    return features
