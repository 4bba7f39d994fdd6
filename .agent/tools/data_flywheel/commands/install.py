"""Install the tool and the /data-flywheel skill into a repository, for one or more harnesses.

Copies the runnable .agent/tools/ (the package, the schemas and the skill),
adds .agent/flywheel/ (private state) to the target's .gitignore, and writes
each harness's own entry point:

  claude-code  .claude/skills/data-flywheel/           /data-flywheel
  codex        .agents/skills/data-flywheel/           $data-flywheel (also read by most others)
  cursor       .cursor/commands/data-flywheel.md       /data-flywheel
  opencode     .opencode/commands/data-flywheel.md     /data-flywheel
  windsurf     .windsurf/workflows/data-flywheel.md    /data-flywheel
  gemini       .gemini/commands/data-flywheel.toml     /data-flywheel
  pi           .pi/prompts/data-flywheel.md            /data-flywheel
  openclaw     skills/data-flywheel/                   /data-flywheel
  antigravity  .agents/workflows/data-flywheel.md      /data-flywheel
  copilot      .github/prompts/data-flywheel.prompt.md /data-flywheel
  hermes       <--hermes-home>/skills/data-flywheel/, else a config.yaml snippet

Without --harness it installs for the harnesses whose files it finds in the
target (.claude/, .cursor/, GEMINI.md, ...), or the shared .agents/skills/
folder if it finds none. Nothing is clobbered: a file of the same name that is
not ours is left alone and reported (--replace backs it up and replaces it);
JSON settings are parsed and our entries appended, every other key kept, after
a backup in .agent/flywheel/install-backup/; a malformed settings file stops
the install with the file and the reason, and then nothing is changed at all.
TOML, YAML and JSONC files are never rewritten: the snippet to add is printed.
Installing again changes nothing; .agent/install.json records what was added,
so `uninstall` can take exactly that out again.

--hooks (opt-in) adds capture hooks that harvest each session as pending
candidates: Claude Code PreCompact and SessionEnd (in .claude/settings.local.json,
or .claude/settings.json with --shared-settings), Codex PreCompact
(.codex/hooks.json), Cursor sessionEnd and preCompact (.cursor/hooks.json),
Gemini CLI SessionEnd and PreCompress (.gemini/settings.json); and it sets
"capture_hook": true in .agent/flywheel/config.json. Codex and Gemini CLI ask
you to trust a new hook before it runs.

Examples:
  python3 .agent/tools/data_flywheel_export.py install --dry-run
  python3 ~/src/data-flywheel/.agent/tools/data_flywheel_export.py install --target . --harness claude-code codex
  python3 .agent/tools/data_flywheel_export.py install --harness claude-code --hooks
  python3 .agent/tools/data_flywheel_export.py install --harness hermes --hermes-home ~/.hermes
"""
from __future__ import annotations

from typing import List

from .. import project
from ..errors import InputError
from ..install import installer, targets
from ..terminal import Painter, colour_enabled, plural
from . import common

NAME = "install"
SUMMARY = "install the tool and the /data-flywheel skill into a repository, for your harnesses"

HARNESS_CHOICES = [harness.name for harness in targets.HARNESSES] + ["all", "none"]


def add_arguments(parser) -> None:
    parser.add_argument("--target", default=None, metavar="DIR",
                        help="the repository to install into (default: this project's root, found upward from here)")
    parser.add_argument(
        "--harness", nargs="+", choices=HARNESS_CHOICES, metavar="NAME",
        help=f"one or more of {', '.join(HARNESS_CHOICES)} (none: the tool only; default: the harnesses found in the target)",
    )
    parser.add_argument("--hooks", action="store_true", help="also add capture hooks and turn capture on (opt-in)")
    parser.add_argument("--shared-settings", action="store_true",
                        help="Claude Code hooks in .claude/settings.json (committed) instead of settings.local.json")
    parser.add_argument("--hermes-home", default=None, metavar="DIR", help="install the Hermes skill into DIR/skills/ (e.g. ~/.hermes)")
    parser.add_argument("--replace", action="store_true",
                        help="back up and replace same-name files that are not ours (uninstall puts them back)")
    parser.add_argument("--dry-run", action="store_true", help="print every file it would create or change, and write nothing")
    common.add_json_flag(parser)


def run(args, streams) -> int:
    args.target = args.target or project.find().root  # never a second .agent/ in a subfolder
    if args.shared_settings and not args.hooks:
        raise InputError("--shared-settings only says where --hooks go: add --hooks, or drop it")
    plan = installer.plan_install(
        args.target, args.harness, hooks=args.hooks, shared_settings=args.shared_settings,
        hermes_home=args.hermes_home, replace=args.replace,
    )
    if not args.dry_run:
        installer.apply(plan)
    report(plan, args, streams)
    return 1 if plan.problems else 0


_VERBS = {
    "create": "create", "update": "update", "merge": "change", "replace": "replace", "restore": "restore",
    "backup": "back up", "ledger": "record", "delete": "delete", "rmdir": "remove",
}


def _unit(op) -> str:
    """The folder a file belongs to when a report groups files (the tool, a skill folder)."""
    if op.action not in ("create", "update", "delete"):
        return ""  # replacements, restores and backups are few and worth a line each
    if op.path.startswith(installer.TOOLS + "/"):
        return installer.TOOLS + "/"
    marker = targets.SKILL_DIR + "/"
    index = op.path.find(marker)
    if index >= 0 and "/skills/" in "/" + op.path[:index]:
        return op.path[:index + len(marker)]
    return ""


def _lines(plan, dry_run: bool) -> List[str]:
    lines = []
    grouped = {}
    for op in plan.ordered_ops():
        if op.action == "rmdir" and not dry_run:
            continue  # empty folders left behind by an uninstall: counted, not listed
        unit = "" if dry_run else _unit(op)
        if unit:
            key = (op.action, op.root, unit)
            if key not in grouped:
                grouped[key] = len(lines)
                lines.append([op.action, plan.shown(op.root, unit), 0, ""])
            lines[grouped[key]][2] += 1
        else:
            lines.append([op.action, plan.shown(op.root, op.path), 0, op.detail])
    shown = []
    for action, path, count, detail in lines:
        extra = f" ({plural(count, 'file')})" if count else (f"  ({detail})" if detail else "")
        shown.append(f"  {_VERBS[action]:<8} {path}{extra}")
    return shown


def report(plan, args, streams) -> None:
    dry_run = args.dry_run
    if args.json:
        streams.json(plan.as_json(dry_run))
        return
    out = streams.stdout
    paint = Painter(colour_enabled(out, streams.env))
    verb = "Would install" if dry_run else "Installing"
    if plan.mode == "uninstall":
        verb = "Would uninstall from" if dry_run else "Uninstalling from"
        head = f"{verb} {plan.target}"
    else:
        which = ", ".join(plan.harnesses) or "the tool only"
        found = {
            "given": "",
            "detected": " (found in the target)",
            "fallback": " (no harness found in the target: the shared .agents/skills/ folder most harnesses read)",
        }[plan.chosen]
        if plan.self_install:
            which = "building this checkout's .agent/tools/" + (f", {which}" if plan.harnesses else "")
        head = f"{verb} into {plan.target} from {plan.source}: {which}{found}"
    out.write(paint(head, "bold") + "\n")
    for line in _lines(plan, dry_run):
        out.write(line + "\n")
    for note in plan.notes:
        label = {"left-alone": "left alone", "kept": "kept", "snippet": "add by hand", "info": "note"}[note.kind]
        out.write(paint(f"  {label}: {note.path}: {note.message}", "yellow" if note.problem else "dim") + "\n")
        if note.text:
            for text_line in note.text.rstrip("\n").splitlines():
                out.write(f"      {text_line}\n")
    if plan.trust:
        out.write("Capture hooks: each session is harvested as pending candidates for a person to review.\n")
        for line in plan.trust:
            out.write(f"  {line}\n")
    if plan.mode == "install" and plan.harnesses and not dry_run:
        uses = ", ".join(f"{targets.BY_NAME[name].title} {targets.BY_NAME[name].invoke}" for name in plan.harnesses)
        out.write(f"Use it: {uses}.\n")
    changes = len(plan.ops)
    if dry_run:
        tail = f"dry run: {plural(changes, 'change')} planned, nothing written"
    elif not changes:
        tail = "nothing to change: " + (".agent/tools/ is up to date" if plan.self_install else "already installed")
    else:
        tail = f"done: {plural(changes, 'change')}"
    if plan.problems:
        tail += f"; {plural(plan.problems, 'file')} need{'s' if plan.problems == 1 else ''} your attention (above)"
    out.write(tail + "\n")
