"""Throwaway virtualenvs for checks that need a real third-party consumer (never the tool itself).

A consumer is installed once into ``.cache/consumers/<name>/`` (gitignored) and reused. If the
package registry cannot be reached the test fails loudly: a consumer check that cannot run must
not pass.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from typing import Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache", "consumers")


def python_at_least(minor: int) -> Optional[str]:
    """A Python 3.<minor>+ interpreter for a consumer that needs one: this one, one on PATH, or pyenv's."""
    if sys.version_info >= (3, minor):
        return sys.executable
    candidates = [shutil.which(f"python3.{version}") for version in range(13, minor - 1, -1)]
    pyenv = os.path.join(os.path.expanduser("~"), ".pyenv", "versions")
    for folder in sorted(glob.glob(os.path.join(pyenv, "3.*")), reverse=True):
        parts = os.path.basename(folder).split(".")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= minor:
            candidates.append(os.path.join(folder, "bin", "python"))
    for candidate in candidates:
        # A pyenv shim is on PATH even when its version is not selected: it must run.
        if candidate and subprocess.run([candidate, "-c", "import venv"], capture_output=True).returncode == 0:
            return candidate
    return None


def consumer_python(name: str, requirements: Sequence[str], *, base: Optional[str] = None,
                    no_deps: Sequence[str] = ()) -> str:
    """The python of a virtualenv with ``requirements`` installed (and ``no_deps`` without their dependencies).

    ``base``: the interpreter the virtualenv is made from (default: the one running the tests).
    """
    folder = os.path.join(CACHE, name)
    python = os.path.join(folder, "bin", "python")
    marker = os.path.join(folder, ".installed")
    wanted = "\n".join(list(requirements) + [f"--no-deps {item}" for item in no_deps])
    if os.path.exists(marker) and open(marker).read() == wanted:
        return python
    subprocess.run([base or sys.executable, "-m", "venv", "--clear", folder], check=True, capture_output=True)
    if no_deps:
        result = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", *no_deps],
            capture_output=True, text=True, timeout=900,
        )
        if result.returncode != 0:
            raise RuntimeError(f"could not install {' '.join(no_deps)} for the {name} check:\n{result.stderr[-2000:]}")
    result = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
        capture_output=True, text=True, timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(f"could not install {' '.join(requirements)} for the {name} check:\n{result.stderr[-2000:]}")
    with open(marker, "w") as fp:
        fp.write(wanted)
    return python


def run_json(python: str, code: str, *args: str) -> str:
    result = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise AssertionError(result.stderr[-4000:])
    return result.stdout
