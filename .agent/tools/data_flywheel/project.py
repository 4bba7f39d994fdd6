"""Where the project is, from anywhere inside it, and who is working in it.

One store per project: every command that reads or writes
``.agent/flywheel/`` finds the project root the same way, so running the tool
from a subfolder never starts a second store there. The root is the nearest
folder, from the current one upward, that holds ``.agent/``; the search stops
at a repository's top level (a folder holding ``.git``, a folder or, in a
worktree or submodule, a file), which is the root when no ``.agent/`` was
found below it. Outside any repository and with no ``.agent/`` above, the
current folder is the root, as before. ``--agent-root`` overrides all of it.

Finding the top level only looks for ``.git``: no git is run. Git runs only
for the reviewer's name (``git config user.name``), with a timeout, no shell,
and never when it is not on the ``PATH`` the command was given.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Mapping, Optional

AGENT_DIR = ".agent"


@dataclass(frozen=True)
class Project:
    root: str  # absolute
    found_by: str  # "agent" (.agent/ here or above), "git" (the repository's top level) or "cwd"
    cwd: str  # absolute: the folder the search started from

    @property
    def agent_root(self) -> str:
        """The ``.agent`` folder, relative to the starting folder (``.agent``, ``../../.agent``) so messages stay short."""
        return os.path.join(os.path.relpath(self.root, self.cwd), AGENT_DIR) if self.root != self.cwd else AGENT_DIR

    @property
    def name(self) -> str:
        return os.path.basename(self.root) or "project"


def find(start: Optional[str] = None) -> Project:
    """The project that ``start`` (default: the current folder) is in."""
    cwd = os.path.abspath(start or os.getcwd())
    here = cwd
    while True:
        if os.path.isdir(os.path.join(here, AGENT_DIR)):
            return Project(here, "agent", cwd)
        if os.path.exists(os.path.join(here, ".git")):
            return Project(here, "git", cwd)
        parent = os.path.dirname(here)
        if parent == here:
            return Project(cwd, "cwd", cwd)
        here = parent


def git_user_name(cwd: str, env: Mapping[str, str], timeout: float = 2.0) -> str:
    """``git config user.name`` as git would answer it in ``cwd``, or ``""`` (no git, no name, any failure)."""
    git = shutil.which("git", path=env.get("PATH") or None) if env.get("PATH") else None
    if git is None:
        return ""
    try:
        done = subprocess.run(
            [git, "config", "--get", "user.name"], cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    if done.returncode != 0:
        return ""
    return done.stdout.decode("utf-8", "replace").strip()


def account_name() -> str:
    """The operating-system account's name from the password database (``USER`` may be unset in containers)."""
    try:
        import pwd  # not on Windows, where USERNAME is set

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError, AttributeError):
        return ""
