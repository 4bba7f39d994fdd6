"""Throwaway virtualenvs for checks that need a real third-party consumer (never the tool itself).

A consumer is installed once into ``.cache/consumers/<name>/`` (gitignored) and reused. If the
package registry cannot be reached the test fails loudly: a consumer check that cannot run must
not pass.
"""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache", "consumers")


def consumer_python(name: str, requirements: Sequence[str]) -> str:
    """The python of a virtualenv with ``requirements`` installed."""
    folder = os.path.join(CACHE, name)
    python = os.path.join(folder, "bin", "python")
    marker = os.path.join(folder, ".installed")
    wanted = "\n".join(requirements)
    if os.path.exists(marker) and open(marker).read() == wanted:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", folder], check=True, capture_output=True)
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
