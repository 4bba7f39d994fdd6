"""install / uninstall for every harness: fresh, twice, over the user's configuration, over a malformed one, undone."""
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import EXAMPLE_RUNS, FIXTURES, ROOT, run_cli

from data_flywheel.install import bundle, installer, targets

HARNESSES = [harness.name for harness in targets.HARNESSES]
HOOKED = ["claude-code", "codex", "cursor", "gemini"]
ENV = {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}

# Written out here, not read from targets.py, so that a changed path fails a test.
ENTRY_POINTS = {
    "claude-code": ".claude/skills/data-flywheel/SKILL.md",
    "codex": ".agents/skills/data-flywheel/SKILL.md",
    "cursor": ".cursor/commands/data-flywheel.md",
    "opencode": ".opencode/commands/data-flywheel.md",
    "windsurf": ".windsurf/workflows/data-flywheel.md",
    "gemini": ".gemini/commands/data-flywheel.toml",
    "pi": ".pi/prompts/data-flywheel.md",
    "openclaw": "skills/data-flywheel/SKILL.md",
    "antigravity": ".agents/workflows/data-flywheel.md",
    "copilot": ".github/prompts/data-flywheel.prompt.md",
    "hermes": "HERMES/skills/data-flywheel/SKILL.md",
}
SETTINGS = {
    "claude-code": ".claude/settings.local.json",
    "codex": ".codex/hooks.json",
    "cursor": ".cursor/hooks.json",
    "gemini": ".gemini/settings.json",
}


def git_repo(path):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    return path


def snapshot(*folders):
    """Every folder, file (bytes) and file mode under ``folders`` (.git left out): the whole visible state."""
    state = {}
    for folder in folders:
        for base, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d != ".git"]
            state[("dir", os.path.relpath(base, folder))] = None
            for name in names:
                full = os.path.join(base, name)
                with open(full, "rb") as fp:
                    state[(folder, os.path.relpath(full, folder))] = (fp.read(), stat.S_IMODE(os.stat(full).st_mode))
    return state


def tree(folder):
    """Files under one folder by relative path, with bytes and mode: for comparing two folders."""
    return {key[1]: value for key, value in snapshot(folder).items() if key[0] != "dir"}


def differences(before, after):
    return sorted(str(key) for key in set(before) | set(after) if before.get(key) != after.get(key))


def install(repo, *args, home=None):
    extra = ["--hermes-home", str(home)] if home is not None and ("hermes" in args or "all" in args) else []
    return run_cli(["install", "--target", str(repo), *args, *extra], env=ENV)


def uninstall(repo, *args):
    return run_cli(["uninstall", "--target", str(repo), *args], env=ENV)


def entry_point(repo, home, harness):
    relative = ENTRY_POINTS[harness]
    return home / relative[len("HERMES/"):] if relative.startswith("HERMES/") else repo / relative


@pytest.fixture
def place(tmp_path):
    home = tmp_path / "hermes-home"
    home.mkdir()
    return git_repo(tmp_path / "repo"), home


# --- fresh, twice, undone ----------------------------------------------------------------


@pytest.mark.parametrize("harness", HARNESSES)
def test_fresh_install_then_again_changes_nothing_and_uninstall_restores_the_tree(place, harness):
    repo, home = place
    pristine = snapshot(repo, home)
    first = install(repo, "--harness", harness, "--hooks", home=home)
    assert first.code == 0, first
    assert entry_point(repo, home, harness).is_file()
    entry = repo / ".agent" / "tools" / "data_flywheel_export.py"
    assert entry.is_file() and os.stat(entry).st_mode & stat.S_IXUSR
    assert ".agent/flywheel/" in (repo / ".gitignore").read_text().splitlines()
    assert (repo / ".agent" / "install.json").is_file()
    installed = snapshot(repo, home)
    again = install(repo, "--harness", harness, "--hooks", home=home)
    assert again.code == 0, again
    assert "nothing to change: already installed" in again.out
    assert differences(installed, snapshot(repo, home)) == []
    undone = uninstall(repo)
    assert undone.code == 0, undone
    assert differences(pristine, snapshot(repo, home)) == []


@pytest.mark.parametrize("harness", HOOKED)
def test_hooks_call_the_hook_command_with_a_quoted_project_path_and_a_timeout_in_budget(place, harness):
    repo, home = place
    assert install(repo, "--harness", harness, "--hooks").code == 0
    document = json.loads((repo / SETTINGS[harness]).read_text())
    handlers = []
    for entries in document["hooks"].values():
        for entry in entries:
            handlers.extend(entry["hooks"] if "hooks" in entry else [entry])
    assert handlers
    budget = {"claude-code": 60, "codex": 600, "cursor": 60, "gemini": 60000}[harness]
    for handler in handlers:
        assert re.match(r'python3 "[^"]+/\.agent/tools/data_flywheel_export\.py" hook( --json)? --agent-root "[^"]+/\.agent"$',
                        handler["command"]), handler
        assert 0 < handler["timeout"] <= budget
    events = {"claude-code": {"PreCompact", "SessionEnd"}, "codex": {"PreCompact"},
              "cursor": {"sessionEnd", "preCompact"}, "gemini": {"SessionEnd", "PreCompress"}}[harness]
    assert set(document["hooks"]) == events
    assert json.loads((repo / ".agent" / "flywheel" / "config.json").read_text()) == {"capture_hook": True}


@pytest.mark.parametrize("harness", HOOKED)
def test_each_installed_hook_command_runs_and_harvests_the_session(place, tmp_path, harness):
    repo, _home = place
    assert install(repo, "--harness", harness, "--hooks").code == 0
    document = json.loads((repo / SETTINGS[harness]).read_text())
    entries = next(iter(document["hooks"].values()))
    command = (entries[0]["hooks"][0] if "hooks" in entries[0] else entries[0])["command"]
    transcript = tmp_path / "session.jsonl"
    shutil.copy(os.path.join(FIXTURES, "claude-code", "tool-calls.jsonl"), transcript)
    variable = {"claude-code": "CLAUDE_PROJECT_DIR", "cursor": "CURSOR_PROJECT_DIR", "gemini": "GEMINI_PROJECT_DIR"}
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "NO_COLOR": "1"}
    if harness in variable:
        env[variable[harness]] = str(repo)
    # Cursor runs project hooks from .cursor/; the others from the project or anywhere in it.
    cwd = repo / ".cursor" if harness == "cursor" else repo / ".agent"
    payload = json.dumps({"session_id": "s1", "transcript_path": str(transcript), "cwd": str(repo)})
    result = subprocess.run(["bash", "-c", command], input=payload, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    if harness == "gemini":
        assert json.loads(result.stdout)["harvested"] is True  # Gemini CLI reads stdout as JSON
    assert (repo / ".agent" / "flywheel" / "candidates.jsonl").is_file()


# --- over the user's own configuration ---------------------------------------------------------


def dumps(document, indent=4):
    return json.dumps(document, indent=indent) + "\n"


COMMON_USER_FILES = {
    ".gitignore": "node_modules/\n*.log",  # no final newline: restored exactly
    ".agent/flywheel/config.json": dumps({"accept_auto_redacted": True}),
    "README.md": "# my project\n",
}
USER_FILES = {
    "claude-code": {
        "CLAUDE.md": "Be brief.\n",
        ".claude/settings.json": dumps({"permissions": {"allow": ["Bash(npm test)"]},
                                        "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./guard.sh"}]}]}}),
        ".claude/settings.local.json": dumps({
            "permissions": {"deny": ["Read(.env)"]}, "env": {"FOO": "1"}, "model": "opus",
            "hooks": {"PreCompact": [{"matcher": "auto", "hooks": [{"type": "command", "command": "./save.sh", "timeout": 5}]}]},
        }),
    },
    "codex": {
        "AGENTS.md": "Run the tests.\n",
        ".codex/config.toml": "[features]\nhooks = true\n",
        ".codex/hooks.json": dumps({"hooks": {
            "Stop": [{"hooks": [{"type": "command", "command": "./stop.sh", "timeout": 10}]}],
            "PreCompact": [{"hooks": [{"type": "command", "command": "./snapshot.sh"}]}],
        }}, indent=2),
    },
    "cursor": {
        ".cursor/rules/style.mdc": "---\nalwaysApply: true\n---\nTabs.\n",
        ".cursor/hooks.json": dumps({"version": 1, "hooks": {"afterFileEdit": [{"command": "./fmt.sh"}],
                                                             "sessionEnd": [{"command": "./bye.sh", "timeout": 5}]}}),
    },
    "gemini": {
        "GEMINI.md": "Be careful.\n",
        ".gemini/commands/git/commit.toml": 'prompt = "Write the commit message."\n',
        ".gemini/settings.json": dumps({"general": {"vimMode": True}, "hooks": {
            "SessionEnd": [{"hooks": [{"name": "mine", "type": "command", "command": "./end.sh", "timeout": 1000}]}],
            "BeforeTool": [{"matcher": "run_shell_command", "hooks": [{"type": "command", "command": "./check.sh"}]}],
        }}),
    },
    "opencode": {"opencode.jsonc": '{\n  // mine\n  "model": "x",\n}\n', ".opencode/commands/review.md": "Review it.\n"},
    "windsurf": {".windsurf/rules/style.md": "Tabs.\n", ".windsurf/hooks.json": '{"hooks": {}}\n'},
    "pi": {".pi/prompts/fix.md": "Fix $1.\n", ".pi/settings.json": '{"theme": "dark"}\n'},
    "openclaw": {"SOUL.md": "Kind.\n", "AGENTS.md": "Rules.\n", "skills/weather/SKILL.md": "---\nname: weather\n---\n"},
    "antigravity": {".agents/rules/style.md": "Tabs.\n", ".agents/hooks.json": '{"groups": {}}\n'},
    "copilot": {".github/copilot-instructions.md": "Tabs.\n", ".github/prompts/review.prompt.md": "Review.\n",
                ".github/workflows/ci.yml": "on: push\n"},
    "hermes": {"HERMES/config.yaml": "model: x\nhooks:\n  on_session_end: []\n", "HERMES/skills/notes/SKILL.md": "---\nname: notes\n---\n"},
}


def write_files(repo, home, files):
    for relative, text in files.items():
        path = home / relative[len("HERMES/"):] if relative.startswith("HERMES/") else repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def assert_kept(original, now):
    """Every key the user had is still there with its value; their hook entries come first, unchanged."""
    for key, value in original.items():
        assert key in now, key
        if key == "hooks":
            for event, entries in value.items():
                assert now["hooks"][event][:len(entries)] == entries, event
        else:
            assert now[key] == value, key


@pytest.mark.parametrize("harness", HARNESSES)
def test_install_over_user_configuration_keeps_it_and_uninstall_restores_it(place, harness):
    repo, home = place
    files = {**COMMON_USER_FILES, **USER_FILES[harness]}
    write_files(repo, home, files)
    (repo / ".agent" / "flywheel" / "approved-runs.jsonl").write_text(open(EXAMPLE_RUNS).readline())
    before = snapshot(repo, home)
    result = install(repo, "--harness", harness, "--hooks", home=home)
    assert result.code == 0, result
    for relative, text in files.items():
        if relative.endswith(".json") and not relative.startswith("HERMES/"):
            assert_kept(json.loads(text), json.loads((repo / relative).read_text()))
        elif relative not in (".gitignore",):
            path = home / relative[len("HERMES/"):] if relative.startswith("HERMES/") else repo / relative
            assert path.read_text() == text, relative
    assert (repo / ".gitignore").read_text().startswith("node_modules/\n*.log\n")
    assert json.loads((repo / ".agent" / "flywheel" / "config.json").read_text()).get("capture_hook", False) is (harness in HOOKED)
    assert (repo / ".agent" / "flywheel" / "approved-runs.jsonl").read_text() == open(EXAMPLE_RUNS).readline()
    installed = snapshot(repo, home)
    assert install(repo, "--harness", harness, "--hooks", home=home).code == 0
    assert differences(installed, snapshot(repo, home)) == []
    undone = uninstall(repo)
    assert undone.code == 0, undone
    # Everything is as before, except that .gitignore still ignores the approved runs uninstall left in place.
    gitignore = repo / ".gitignore"
    assert differences(before, snapshot(repo, home)) == [str((repo, ".gitignore"))]
    assert gitignore.read_text() == files[".gitignore"] + "\n# data flywheel: private state (approved runs, candidates, " \
        "exports, install backups)\n.agent/flywheel/\n"


def test_json_is_rewritten_with_the_users_indentation(place):
    repo, _home = place
    write_files(repo, None, USER_FILES["claude-code"])
    assert install(repo, "--harness", "claude-code", "--hooks").code == 0
    text = (repo / ".claude" / "settings.local.json").read_text()
    assert text.startswith('{\n    "permissions"')


# --- malformed configuration: abort, nothing changed anywhere ------------------------------------

MALFORMED = {
    "claude-code": (".claude/settings.local.json", '{"hooks": {"PreCompact": [\n', ":2: not valid JSON"),
    "codex": (".codex/hooks.json", '{"hooks": []}\n', ': "hooks" is not an object'),
    "cursor": (".cursor/hooks.json", '{"version": 1, "hooks": {"sessionEnd": {"command": "x"}}}\n', ': "hooks.sessionEnd" is not a list'),
    "gemini": (".gemini/settings.json", '{"general": {"vimMode": tru}}\n', ":1: not valid JSON"),
}
LEDGER_BROKEN = (".agent/install.json", '{"kind": "data-flywheel-install", "version": 1, "harnesses": [], "hooks": [], "files": "all"}\n',
                 ': "files" must be a list')


@pytest.mark.parametrize("harness", HARNESSES)
def test_a_malformed_configuration_aborts_and_changes_nothing(place, harness):
    repo, home = place
    write_files(repo, home, {**COMMON_USER_FILES, **USER_FILES[harness]})
    relative, text, message = MALFORMED.get(harness, LEDGER_BROKEN)
    write_files(repo, home, {relative: text})
    before = snapshot(repo, home)
    result = install(repo, "--harness", harness, "--hooks", home=home)
    assert result.code == 2, result
    assert result.err.startswith(f"error: {repo / relative}{message}"), result.err
    assert "nothing was changed" in result.err and "Traceback" not in result.err
    assert differences(before, snapshot(repo, home)) == []


def test_one_malformed_file_stops_every_harness(place):
    repo, home = place
    write_files(repo, home, {".gemini/settings.json": "{,}\n"})
    before = snapshot(repo, home)
    result = install(repo, "--harness", "all", "--hooks", home=home)
    assert result.code == 2 and ".gemini/settings.json:1: not valid JSON" in result.err
    assert differences(before, snapshot(repo, home)) == []


def test_a_malformed_flywheel_config_stops_hooks(place):
    repo, _home = place
    write_files(repo, None, {".agent/flywheel/config.json": '{"capture_hook": yes}\n'})
    before = snapshot(repo)
    result = install(repo, "--harness", "claude-code", "--hooks")
    assert result.code == 2 and "config.json:1: not valid JSON" in result.err
    assert differences(before, snapshot(repo)) == []


def test_a_failed_write_puts_back_what_was_done(place, monkeypatch):
    repo, _home = place
    write_files(repo, None, USER_FILES["claude-code"])
    before = snapshot(repo)
    real_write = installer._write
    calls = []

    def flaky(path, data, executable, journal):
        calls.append(path)
        if len(calls) == 40:
            raise OSError(28, "No space left on device")
        real_write(path, data, executable, journal)

    monkeypatch.setattr(installer, "_write", flaky)
    result = install(repo, "--harness", "claude-code", "--hooks")
    assert result.code == 2 and "No space left on device" in result.err and "nothing was changed" in result.err
    assert differences(before, snapshot(repo)) == []


# --- JSONC, TOML, YAML: never rewritten ---------------------------------------------------------


def test_a_settings_file_with_comments_is_left_alone_and_the_snippet_printed(place):
    repo, _home = place
    text = '{\n  // my settings\n  "general": {"vimMode": true},\n}\n'
    write_files(repo, None, {".gemini/settings.json": text})
    result = install(repo, "--harness", "gemini", "--hooks")
    assert result.code == 1, result
    assert (repo / ".gemini" / "settings.json").read_text() == text
    assert "add by hand: .gemini/settings.json: has comments" in result.out
    assert '"PreCompress"' in result.out and targets.HOOK_MARKER in result.out.replace('\\"', '"')
    assert (repo / ".gemini" / "commands" / "data-flywheel.toml").is_file()


def test_toml_and_yaml_configs_are_never_touched(place):
    repo, home = place
    files = {".codex/config.toml": "[features]\nhooks = true\n", "HERMES/config.yaml": "model: x\n"}
    write_files(repo, home, files)
    assert install(repo, "--harness", "codex", "hermes", "--hooks").code == 0
    assert (repo / ".codex" / "config.toml").read_text() == files[".codex/config.toml"]
    assert (home / "config.yaml").read_text() == "model: x\n"


def test_hermes_without_a_home_gets_the_shared_folder_and_a_snippet(place):
    repo, _home = place
    result = install(repo, "--harness", "hermes")
    assert result.code == 0
    assert (repo / ".agents" / "skills" / "data-flywheel" / "SKILL.md").is_file()
    assert "~/.hermes/config.yaml" in result.out
    assert f"- {repo / '.agents' / 'skills'}" in result.out


def test_the_gemini_command_parses_with_tomllib(place):
    repo, _home = place
    assert install(repo, "--harness", "gemini").code == 0
    text = (repo / ".gemini" / "commands" / "data-flywheel.toml").read_text()
    code = "import sys, tomllib, json; print(json.dumps(tomllib.loads(sys.stdin.read())))"
    python = sys.executable if sys.version_info >= (3, 11) else shutil.which("python3.11") or shutil.which("python3.12")
    assert python, "needs a Python with tomllib (3.11+) to check the Gemini command"
    parsed = json.loads(subprocess.run([python, "-c", code], input=text, capture_output=True, text=True, check=True).stdout)
    assert set(parsed) == {"description", "prompt"}
    assert "{{args}}" in parsed["prompt"] and ".agent/tools/skills/data-flywheel/SKILL.md" in parsed["prompt"]


def test_command_files_have_frontmatter_their_harness_reads(place):
    repo, _home = place
    assert install(repo, "--harness", "all").code == 0
    for harness in ("opencode", "windsurf", "pi", "antigravity", "copilot"):
        text = entry_point(repo, None, harness).read_text()
        head = text.split("---\n")[1]
        keys = dict(line.split(": ", 1) for line in head.splitlines())
        assert ": " not in keys["description"] and keys["description"].strip() == keys["description"]
        assert ".agent/tools/skills/data-flywheel/SKILL.md" in text
    assert "$ARGUMENTS" in entry_point(repo, None, "opencode").read_text()
    assert "$@" in entry_point(repo, None, "pi").read_text()
    assert not (repo / ".cursor" / "commands" / "data-flywheel.md").read_text().startswith("---")


# --- files that are not ours ---------------------------------------------------------------------


def test_a_same_name_file_that_is_not_ours_is_left_alone_and_reported(place):
    repo, _home = place
    write_files(repo, None, {".cursor/commands/data-flywheel.md": "my own command\n"})
    before = snapshot(repo)
    result = install(repo, "--harness", "cursor")
    assert result.code == 1
    assert "left alone: .cursor/commands/data-flywheel.md: exists and is not ours" in result.out
    assert (repo / ".cursor" / "commands" / "data-flywheel.md").read_text() == "my own command\n"
    assert uninstall(repo).code == 0
    assert differences(before, snapshot(repo)) == []


def test_replace_backs_up_a_file_that_is_not_ours_and_uninstall_puts_it_back(place):
    repo, _home = place
    # agentic-stack's exporter, which ours replaces
    write_files(repo, None, {".agent/tools/data_flywheel_export.py": "print('their exporter')\n"})
    before = snapshot(repo)
    result = install(repo, "--harness", "codex", "--replace")
    assert result.code == 0, result
    assert "yours is saved in .agent/flywheel/install-backup/target/.agent/tools/data_flywheel_export.py" in result.out
    assert "their exporter" not in (repo / ".agent" / "tools" / "data_flywheel_export.py").read_text()
    assert uninstall(repo).code == 0
    assert differences(before, snapshot(repo)) == []


def test_an_installed_file_edited_since_is_kept_by_install_and_uninstall(place):
    repo, _home = place
    assert install(repo, "--harness", "pi").code == 0
    prompt = repo / ".pi" / "prompts" / "data-flywheel.md"
    prompt.write_text("my edit\n")
    again = install(repo, "--harness", "pi")
    assert again.code == 1 and "edited since" in again.out and prompt.read_text() == "my edit\n"
    undone = uninstall(repo)
    assert undone.code == 1 and "kept: .pi/prompts/data-flywheel.md: edited since" in undone.out
    assert prompt.read_text() == "my edit\n"
    assert not (repo / ".agent" / "tools").exists()


def test_uninstall_takes_out_only_our_hooks_when_the_user_edited_the_file_since(place):
    repo, _home = place
    assert install(repo, "--harness", "claude-code", "cursor", "--hooks").code == 0
    settings = repo / ".claude" / "settings.local.json"
    document = json.loads(settings.read_text())
    document["hooks"]["SessionEnd"].append({"hooks": [{"type": "command", "command": "./mine.sh"}]})
    document["model"] = "opus"
    settings.write_text(json.dumps(document, indent=2) + "\n")
    assert uninstall(repo).code == 0
    assert json.loads(settings.read_text()) == {
        "hooks": {"SessionEnd": [{"hooks": [{"type": "command", "command": "./mine.sh"}]}]}, "model": "opus"}
    assert not (repo / ".cursor").exists()  # untouched since: gone with everything else the install added
    assert not (repo / ".gitignore").exists()


# --- choosing harnesses ----------------------------------------------------------------------------


def test_without_harness_it_installs_for_the_harnesses_it_finds(place):
    repo, _home = place
    write_files(repo, None, {".claude/settings.json": "{}\n", "GEMINI.md": "x\n"})
    result = install(repo)
    assert result.code == 0
    assert "claude-code, gemini (found in the target)" in result.out
    assert (repo / ENTRY_POINTS["claude-code"]).is_file() and (repo / ENTRY_POINTS["gemini"]).is_file()
    assert not (repo / ".cursor").exists()


def test_with_no_harness_found_it_installs_the_shared_folder(place):
    repo, _home = place
    result = install(repo)
    assert result.code == 0 and "no harness found in the target" in result.out
    assert (repo / ENTRY_POINTS["codex"]).is_file()


def test_none_installs_the_tool_only(place):
    repo, _home = place
    assert install(repo, "--harness", "none").code == 0
    assert sorted(os.listdir(repo)) == [".agent", ".git", ".gitignore"]


def test_dry_run_lists_every_file_and_writes_nothing(place):
    repo, _home = place
    before = snapshot(repo)
    result = install(repo, "--harness", "claude-code", "--hooks", "--dry-run")
    assert result.code == 0
    assert differences(before, snapshot(repo)) == []
    listed = re.findall(r"^  create   (\S+)", result.out, re.M)
    expected = {f".agent/tools/{relative}" for relative, _source in bundle.bundle_files()}
    assert expected <= set(listed)
    assert {".claude/skills/data-flywheel/SKILL.md", ".claude/settings.local.json", ".gitignore",
            ".agent/flywheel/config.json"} <= set(listed)
    assert "\n  record   .agent/install.json" in result.out
    assert "dry run:" in result.out and "nothing written" in result.out


def test_json_output_lists_the_changes(place):
    repo, _home = place
    result = install(repo, "--harness", "codex", "--json")
    document = json.loads(result.out)
    assert document["harnesses"] == ["codex"] and document["invoke"] == {"codex": "$data-flywheel"}
    assert {"action": "create", "path": ".agents/skills/data-flywheel/SKILL.md", "detail": ""} in document["changes"]


def test_usage_errors(place, tmp_path):
    repo, _home = place
    shared = install(repo, "--shared-settings")
    assert shared.code == 2 and "--shared-settings only says where --hooks go" in shared.err
    assert install(repo, "--harness", "none", "codex").code == 2
    missing = install(tmp_path / "nowhere")
    assert missing.code == 2 and "the target is not a folder" in missing.err
    nothing = uninstall(repo)
    assert nothing.code == 2 and "nothing to uninstall" in nothing.err
    assert run_cli(["install", "--harness", "vim"], env=ENV).code == 2


def test_shared_settings_put_claude_hooks_in_the_committed_file(place):
    repo, _home = place
    assert install(repo, "--harness", "claude-code", "--hooks", "--shared-settings").code == 0
    assert targets.HOOK_MARKER in (repo / ".claude" / "settings.json").read_text().replace('\\"', '"')
    assert not (repo / ".claude" / "settings.local.json").exists()
    assert ".claude/settings.local.json" not in (repo / ".gitignore").read_text()


# --- the ledger ------------------------------------------------------------------------------------


def test_the_ledger_is_the_same_for_the_same_install_anywhere(tmp_path):
    first, second = git_repo(tmp_path / "a"), git_repo(tmp_path / "b")
    for repo in (first, second):
        assert install(repo, "--harness", "claude-code", "gemini", "--hooks").code == 0
    ledger = (first / ".agent" / "install.json").read_bytes()
    assert ledger == (second / ".agent" / "install.json").read_bytes()
    assert str(tmp_path).encode() not in ledger


def test_a_ledger_pointing_outside_the_target_is_refused(place, tmp_path):
    repo, _home = place
    assert install(repo, "--harness", "codex").code == 0
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    ledger = json.loads((repo / ".agent" / "install.json").read_text())
    ledger["files"].append({"path": "../precious.txt", "part": "tool", "origin": "created", "sha256": "x"})
    (repo / ".agent" / "install.json").write_text(json.dumps(ledger))
    result = uninstall(repo)
    assert result.code == 2 and "is not a path inside the target" in result.err
    assert outside.read_text() == "keep me\n"


def test_an_upgrade_updates_our_files_and_drops_the_ones_gone(place, tmp_path):
    repo, _home = place
    assert install(repo, "--harness", "claude-code").code == 0
    newer = tmp_path / "newer" / "tools"
    shutil.copytree(repo / ".agent" / "tools", newer)
    (newer / "data_flywheel" / "terminal.py").write_text((newer / "data_flywheel" / "terminal.py").read_text() + "# v2\n")
    (newer / "data_flywheel" / "tokens.py").unlink()
    (newer / "skills" / "data-flywheel" / "references" / "new.md").write_text("new\n")
    plan = installer.plan_install(str(repo), ["claude-code"], source=bundle.find_source(str(newer)))
    actions = {(op.action, op.path) for op in plan.ops}
    assert ("update", ".agent/tools/data_flywheel/terminal.py") in actions
    assert ("delete", ".agent/tools/data_flywheel/tokens.py") in actions
    assert ("create", ".claude/skills/data-flywheel/references/new.md") in actions
    installer.apply(plan)
    assert (repo / ".agent" / "tools" / "data_flywheel" / "terminal.py").read_text().endswith("# v2\n")
    assert uninstall(repo).code == 0
    assert sorted(os.listdir(repo)) == [".git"]


# --- the installed tool runs from a copy that cannot see this repository -------------------------


def test_the_installed_tool_runs_and_installs_again_from_a_copy_outside_this_repository(place, tmp_path):
    repo, _home = place
    assert install(repo, "--harness", "claude-code").code == 0
    copy = tmp_path / "isolated" / ".agent" / "tools"
    shutil.copytree(repo / ".agent" / "tools", copy)
    assert not str(copy).startswith(ROOT)
    flywheel = tmp_path / "isolated" / ".agent" / "flywheel"
    flywheel.mkdir()
    shutil.copy(EXAMPLE_RUNS, flywheel / "approved-runs.jsonl")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}
    entry = str(copy / "data_flywheel_export.py")

    def tool(*args, cwd):
        return subprocess.run([sys.executable, "-S", entry, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)

    helped = tool("--help", cwd=tmp_path / "isolated")
    assert helped.returncode == 0 and "install" in helped.stdout, helped.stderr
    exported = tool("export", "--json", cwd=tmp_path / "isolated")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["total_traces"] > 0
    assert (flywheel / "exports" / "2026-04-25" / "manifest.json").is_file()
    other = git_repo(tmp_path / "other")
    again = tool("install", "--target", str(other), "--harness", "claude-code", "codex", cwd=other)
    assert again.returncode == 0, again.stderr
    assert tree(other / ".agent" / "tools") == tree(repo / ".agent" / "tools")
    assert (other / ".claude" / "skills" / "data-flywheel" / "SKILL.md").read_bytes() == \
        (repo / ".claude" / "skills" / "data-flywheel" / "SKILL.md").read_bytes()


def test_every_skill_copy_is_the_source_skill(place):
    repo, home = place
    assert install(repo, "--harness", "all", home=home).code == 0
    source = os.path.join(ROOT, "skills", "data-flywheel")
    for folder in (repo / ".claude/skills/data-flywheel", repo / ".agents/skills/data-flywheel",
                   repo / "skills/data-flywheel", repo / ".agent/tools/skills/data-flywheel", home / "skills/data-flywheel"):
        copied, original = tree(folder), tree(source)
        assert {k: v[0] for k, v in copied.items()} == {k: v[0] for k, v in original.items()}, folder


# --- the README's install examples ------------------------------------------------------------------

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
SECTION = README.split("## Install into your repository", 1)[1].split("\n## ", 1)[0]
CHECKOUT = "~/src/data-flywheel"


def readme_install_examples():
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", SECTION, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command:
                lines.append(command)
    return lines


def test_the_readme_has_an_install_example_for_every_harness():
    examples = readme_install_examples()
    for harness in HARNESSES:
        assert any(re.search(rf"--harness {harness}(\s|$)", example) for example in examples), harness
    assert any(" uninstall" in example for example in examples)
    assert any("--hooks" in example for example in examples)


def test_the_readme_install_examples_run(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".hermes").mkdir(parents=True)
    repo = git_repo(tmp_path / "repo")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(repo)
    for example in readme_install_examples():
        argv = shlex.split(example)
        assert argv[:2] == ["python3", f"{CHECKOUT}/.agent/tools/data_flywheel_export.py"], example
        result = run_cli(argv[2:], env=ENV)
        assert result.code == 0, (example, result)
    assert (home / ".hermes" / "skills" / "data-flywheel" / "SKILL.md").is_file()


def test_the_codex_hook_needs_the_target_to_be_the_top_of_a_git_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = install(plain, "--harness", "codex", "--hooks")
    assert result.code == 1 and "not the top of a git repository" in result.out
    assert not (plain / ".codex").exists() and not (plain / ".agent" / "flywheel" / "config.json").exists()
    assert (plain / ENTRY_POINTS["codex"]).is_file()


@pytest.mark.parametrize("gitignore_before", [None, "node_modules/\n"])
def test_uninstall_keeps_the_private_folder_ignored_while_it_holds_runs(place, gitignore_before):
    repo, _home = place
    if gitignore_before is not None:
        (repo / ".gitignore").write_text(gitignore_before)
    assert install(repo, "--harness", "codex", "--hooks").code == 0
    runs = repo / ".agent" / "flywheel" / "approved-runs.jsonl"
    runs.write_text("{}\n")  # the team's own data: uninstall never touches it
    undone = uninstall(repo)
    assert undone.code == 0, undone
    assert runs.read_text() == "{}\n"
    lines = (repo / ".gitignore").read_text().splitlines()
    assert ".agent/flywheel/" in lines and lines[: len((gitignore_before or "").splitlines())] == (gitignore_before or "").splitlines()
    assert ("  note: .gitignore: .agent/flywheel/ stays ignored while it exists: it holds your approved runs, candidates "
            "and exports, which uninstall leaves in place; delete the folder, then that line") in undone.out
    listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True)
    assert ".agent/flywheel" not in listed.stdout


def test_without_target_install_and_uninstall_use_the_project_root_from_a_subfolder(place, monkeypatch):
    repo, _home = place
    (repo / "src" / "api").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "api")
    result = run_cli(["install", "--harness", "codex"], env=ENV)
    assert result.code == 0, result
    assert (repo / ".agent" / "tools" / "data_flywheel_export.py").is_file()
    assert not (repo / "src" / "api" / ".agent").exists() and not (repo / "src" / ".agent").exists()
    assert run_cli(["uninstall"], env=ENV).code == 0
    assert not (repo / ".agent" / "tools").exists()
