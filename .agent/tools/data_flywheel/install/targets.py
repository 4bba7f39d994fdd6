"""Every harness the installer knows, as data: its entry point, how to detect it, its capture hooks.

Facts (paths, hook shapes, budgets, trust prompts) are from each harness's
documentation as summarised in the team's harness-install-targets notes; the
comments cite the harness. A harness is a row here, not a branch in the
installer. Entry points that are not a skill folder (commands, workflows,
prompt files) are one short prompt pointing the agent at the skill the tool
carries, ``.agent/tools/skills/data-flywheel/SKILL.md``, so there is one copy
of the instructions to keep right and it is always beside the tool it drives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from .bundle import SKILL_IN_BUNDLE

SKILL_DIR = "data-flywheel"
TOOL = "python3 .agent/tools/data_flywheel_export.py"
# The part every hook command we write carries: our entries are found (and only ours removed) by it.
HOOK_MARKER = '/.agent/tools/data_flywheel_export.py" hook'
# Plain YAML scalar: no ": " and no leading quote, so every frontmatter reader takes it as is.
DESCRIPTION = "Record approved agent work, harvest and review sessions, export redacted datasets and report readiness (data flywheel)"


@dataclass(frozen=True)
class CommandFile:
    """A one-file entry point: a slash command, workflow or prompt file."""

    path: str
    frontmatter: Tuple[Tuple[str, str], ...] = ()
    arguments: str = ""  # the harness's placeholder for what the user typed after the command
    toml: bool = False  # Gemini CLI: description + prompt in TOML


@dataclass(frozen=True)
class HookEvent:
    name: str
    timeout: int  # in the harness's unit (HookSpec.timeout_unit)


@dataclass(frozen=True)
class HookSpec:
    """Where and how a harness runs a command hook that can hand us a session transcript."""

    settings: str  # JSON file, relative to the target
    shape: str  # "groups": {"hooks": {Event: [{"hooks": [handler]}]}} (Claude-style); "flat": {Event: [handler]} (Cursor)
    events: Tuple[HookEvent, ...]
    project_dir: str  # shell expression for the project root, used quoted
    timeout_unit: str  # "s" or "ms"
    trust: str  # what the user has to do before the hook runs
    shared_settings: Optional[str] = None  # --shared-settings writes here instead
    json_stdout: bool = False  # the harness parses a hook's stdout as JSON
    handler_name: bool = False  # the handler has a "name" (shown in the harness's hook list)
    new_file: Tuple[Tuple[str, object], ...] = ()  # keys a file we create starts with
    comments_allowed: bool = False  # the harness reads comments: such a file is left alone, snippet printed

    def command(self) -> str:
        root = self.project_dir
        extra = " --json" if self.json_stdout else ""
        return f'python3 "{root}/.agent/tools/data_flywheel_export.py" hook{extra} --agent-root "{root}/.agent"'


@dataclass(frozen=True)
class Harness:
    name: str
    title: str
    invoke: str
    skill_dirs: Tuple[str, ...] = ()  # full copies of the skill folder, relative to the target
    command: Optional[CommandFile] = None
    detect: Tuple[str, ...] = ()  # any of these in the target means the harness is in use
    hooks: Optional[HookSpec] = None
    no_hooks: str = ""  # why --hooks adds nothing for this harness, and what to do instead
    user_level: bool = False  # Hermes: skills live in the user's home, not in the project


CLAUDE_CODE = Harness(
    "claude-code", "Claude Code", "/data-flywheel",
    # Claude Code does not scan .agents/skills: it needs its own folder (code.claude.com/docs, skills).
    skill_dirs=(".claude/skills/data-flywheel",),
    detect=(".claude", "CLAUDE.md", "CLAUDE.local.md"),
    hooks=HookSpec(
        # settings.local.json is the project's gitignored file: a capture hook is a personal choice.
        settings=".claude/settings.local.json", shared_settings=".claude/settings.json", shape="groups",
        # SessionEnd's budget is 1.5 s unless a hook sets a timeout (up to 60 s); the hook detaches big sessions.
        events=(HookEvent("PreCompact", 30), HookEvent("SessionEnd", 30)),
        project_dir="$CLAUDE_PROJECT_DIR", timeout_unit="s",
        trust="Claude Code: no prompt; the hooks load when a session starts (see /hooks)",
    ),
)
CODEX = Harness(
    "codex", "Codex CLI", "$data-flywheel",
    # Codex has no custom prompts since 0.117.0; skills in .agents/skills are invoked with $name.
    skill_dirs=(".agents/skills/data-flywheel",),
    detect=(".codex", ".agents/skills", "AGENTS.md"),
    hooks=HookSpec(
        settings=".codex/hooks.json", shape="groups",
        # PreCompact is documented and cannot block; SessionEnd is not yet, and Stop fires every turn.
        events=(HookEvent("PreCompact", 30),),
        # Codex documents no project-directory variable; the repository root is where the session runs.
        project_dir="$(git rev-parse --show-toplevel)", timeout_unit="s",
        trust="Codex: asks you to review and trust a new project hook before it runs (open /hooks)",
    ),
)
CURSOR = Harness(
    "cursor", "Cursor", "/data-flywheel",
    command=CommandFile(".cursor/commands/data-flywheel.md"),
    detect=(".cursor", ".cursorrules"),
    hooks=HookSpec(
        settings=".cursor/hooks.json", shape="flat",
        events=(HookEvent("sessionEnd", 30), HookEvent("preCompact", 30)),
        # Relative hook commands resolve from .cursor/, so the path goes through the project variable.
        project_dir="$CURSOR_PROJECT_DIR", timeout_unit="s",
        new_file=(("version", 1),), comments_allowed=True,
        trust="Cursor: no prompt; it reads .cursor/hooks.json when it starts",
    ),
)
OPENCODE = Harness(
    "opencode", "OpenCode", "/data-flywheel",
    command=CommandFile(".opencode/commands/data-flywheel.md", (("description", DESCRIPTION),), "$ARGUMENTS"),
    detect=(".opencode", "opencode.json", "opencode.jsonc"),
    no_hooks="OpenCode runs hooks only as TypeScript plugins; harvest its sessions with `harvest --source opencode`",
)
WINDSURF = Harness(
    "windsurf", "Windsurf", "/data-flywheel",
    command=CommandFile(".windsurf/workflows/data-flywheel.md", (("description", DESCRIPTION),)),
    detect=(".windsurf", ".windsurfrules"),
    no_hooks="Windsurf has no session-end or compaction hook event",
)
GEMINI = Harness(
    "gemini", "Gemini CLI", "/data-flywheel",
    command=CommandFile(".gemini/commands/data-flywheel.toml", (("description", DESCRIPTION),), "{{args}}", toml=True),
    detect=(".gemini", "GEMINI.md"),
    hooks=HookSpec(
        settings=".gemini/settings.json", shape="groups",
        # Timeouts in milliseconds (default 60000); SessionEnd is best effort, PreCompress advisory.
        events=(HookEvent("SessionEnd", 30000), HookEvent("PreCompress", 30000)),
        project_dir="$GEMINI_PROJECT_DIR", timeout_unit="ms",
        # "Silence is mandatory": Gemini CLI parses a hook's stdout as JSON.
        json_stdout=True, handler_name=True, comments_allowed=True,
        trust="Gemini CLI: asks you to trust a new or changed project hook the first time it runs",
    ),
)
PI = Harness(
    "pi", "Pi", "/data-flywheel",
    command=CommandFile(".pi/prompts/data-flywheel.md", (("description", DESCRIPTION),), "$@"),
    detect=(".pi",),
    no_hooks="Pi runs hooks only as TypeScript extensions; harvest its sessions with `harvest --source pi`",
)
OPENCLAW = Harness(
    "openclaw", "OpenClaw", "/data-flywheel",
    # <workspace>/skills wins over every other OpenClaw skill folder.
    skill_dirs=("skills/data-flywheel",),
    detect=("SOUL.md",),
    no_hooks="OpenClaw hooks are TypeScript handlers; harvest its sessions with `harvest --source openclaw`",
)
ANTIGRAVITY = Harness(
    "antigravity", "Antigravity", "/data-flywheel",
    command=CommandFile(".agents/workflows/data-flywheel.md", (("description", DESCRIPTION),)),
    detect=(".agents/workflows", ".agents/rules", ".agent/workflows", ".agent/rules"),
    no_hooks="Antigravity's hooks cover tool events only, not the end of a session",
)
COPILOT = Harness(
    "copilot", "GitHub Copilot (VS Code)", "/data-flywheel",
    command=CommandFile(".github/prompts/data-flywheel.prompt.md", (("description", DESCRIPTION), ("agent", "agent"))),
    detect=(".github/prompts", ".github/copilot-instructions.md", ".github/instructions"),
    no_hooks="VS Code agent hooks are not supported by the installer yet",
)
HERMES = Harness(
    "hermes", "Hermes", "/data-flywheel",
    # Without --hermes-home: the shared folder, plus a config.yaml snippet pointing Hermes at it.
    skill_dirs=(".agents/skills/data-flywheel",),
    user_level=True,
    no_hooks="Hermes hook payloads name no transcript; harvest its sessions with `harvest --source hermes`",
)

HARNESSES: Tuple[Harness, ...] = (
    CLAUDE_CODE, CODEX, CURSOR, OPENCODE, WINDSURF, GEMINI, PI, OPENCLAW, ANTIGRAVITY, COPILOT, HERMES,
)
BY_NAME: Dict[str, Harness] = {harness.name: harness for harness in HARNESSES}
# The shared folder most harnesses read: what an install with no harness detected writes.
FALLBACK = CODEX
HERMES_SKILL_DIR = "skills/data-flywheel"  # inside --hermes-home


def hermes_snippet(skills_folder: str) -> str:
    """The ``~/.hermes/config.yaml`` lines that make Hermes load the project's shared skill folder."""
    return f"skills:\n  external_dirs:\n    - {skills_folder}\n"


def _prompt(arguments: str) -> str:
    request = f"Request: {arguments}" if arguments else "The request, if any, follows."
    return (
        f"Use the data-flywheel skill: read `.agent/tools/{SKILL_IN_BUNDLE}/SKILL.md` (paths are relative to the "
        "project root) and follow it. It covers recording an approved result, harvesting and reviewing agent "
        f"sessions, exporting redacted datasets and reporting readiness, all with `{TOOL}`.\n"
        "\n"
        "Never record work as approved unless the user approved it in this conversation.\n"
        "\n"
        f"{request}\n"
    )


def _toml_string(text: str) -> str:
    """A TOML basic string (one line): quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render_command(command: CommandFile) -> bytes:
    """The bytes of a command, workflow or prompt file."""
    prompt = _prompt(command.arguments)
    if command.toml:
        # custom-commands.md: `prompt` (required) and `description`; {{args}} is replaced by the arguments.
        lines = [f"{key} = {_toml_string(value)}" for key, value in command.frontmatter]
        lines.append(f"prompt = {_toml_string(prompt)}")
        return ("\n".join(lines) + "\n").encode("utf-8")
    head = ""
    if command.frontmatter:
        head = "---\n" + "".join(f"{key}: {value}\n" for key, value in command.frontmatter) + "---\n\n"
    return (head + "# /data-flywheel\n\n" + prompt).encode("utf-8")
