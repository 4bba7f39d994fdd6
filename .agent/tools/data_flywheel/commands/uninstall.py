"""Take out what `install` added: the tool, the skill, entry points, hooks; put changed files back.

Reads the install ledger (.agent/install.json). A file the install created is
deleted if it is unchanged since; a file it changed (.gitignore, hook settings,
.agent/flywheel/config.json) gets its previous bytes back from the backup in
.agent/flywheel/install-backup/, or, if you edited it since, only our entries
are taken out and your edits kept. Files that were there before the install
are never deleted, and nothing under .agent/flywheel/ but the backups is
touched: your approved runs and exports stay, and while they do, .gitignore
keeps ignoring .agent/flywheel/ (the command says so). Everything is planned first: a
settings file that no longer parses stops the uninstall with nothing changed.

Examples:
  python3 .agent/tools/data_flywheel_export.py uninstall --dry-run
  python3 .agent/tools/data_flywheel_export.py uninstall --target ../your-repo --json
"""
from __future__ import annotations

from .. import project
from ..install import installer
from . import common
from .install import report

NAME = "uninstall"
SUMMARY = "take out what install added and put back what it changed"


def add_arguments(parser) -> None:
    parser.add_argument("--target", default=None, metavar="DIR",
                        help="the repository to uninstall from (default: this project's root, found upward from here)")
    parser.add_argument("--hermes-home", default=None, metavar="DIR",
                        help="where the Hermes skill was installed (default: the folder the ledger names)")
    parser.add_argument("--dry-run", action="store_true", help="print every file it would delete or restore, and write nothing")
    common.add_json_flag(parser)


def run(args, streams) -> int:
    args.target = args.target or project.find().root  # never a second .agent/ in a subfolder
    plan = installer.plan_uninstall(args.target, hermes_home=args.hermes_home)
    if not args.dry_run:
        installer.apply(plan)
    report(plan, args, streams)
    return 1 if plan.problems else 0
