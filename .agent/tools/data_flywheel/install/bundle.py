"""The runnable bundle: what ``.agent/tools/`` holds, built from this repository's sources.

Sources of truth are ``tools/`` (the entry script and the package) and
``schemas/``. The bundle is ``.agent/tools/data_flywheel_export.py``,
``.agent/tools/data_flywheel/**.py`` and ``.agent/tools/schemas/*.json``:
copying that folder anywhere is a working install. This repository's own
``.agent/tools/`` is built with ``make agent``; a test proves it matches.

Run: ``PYTHONPATH=tools python3 -m data_flywheel.install.bundle [AGENT_DIR]``
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import List, Tuple

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TOOLS_DIR = os.path.dirname(_PACKAGE_DIR)
ENTRY = "data_flywheel_export.py"


def source_root() -> str:
    """The checkout (or install) this package runs from: the folder above ``tools/``."""
    return os.path.dirname(_TOOLS_DIR)


def bundle_files() -> List[Tuple[str, str]]:
    """``(path inside .agent/tools, source path)`` for every file of the bundle, sorted."""
    from ..records.schemas import schema_dir

    files = [(ENTRY, os.path.join(_TOOLS_DIR, ENTRY))]
    for folder, dirnames, filenames in os.walk(_PACKAGE_DIR):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py") or name.endswith(".json"):
                full = os.path.join(folder, name)
                files.append((os.path.relpath(full, _TOOLS_DIR).replace(os.sep, "/"), full))
    schemas = schema_dir()
    for name in sorted(os.listdir(schemas)):
        if name.endswith(".schema.json"):
            files.append((f"schemas/{name}", os.path.join(schemas, name)))
    return sorted(files)


def write_bundle(tools_dest: str) -> List[str]:
    """Replace ``tools_dest`` with a fresh bundle (built beside it, then swapped in)."""
    parent = os.path.dirname(os.path.abspath(tools_dest))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".tools.staging-", dir=parent)
    written = []
    try:
        for relative, source in bundle_files():
            target = os.path.join(staging, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
            written.append(relative)
        os.chmod(os.path.join(staging, ENTRY), 0o755)
        os.chmod(staging, 0o755)
        if os.path.exists(tools_dest):
            shutil.rmtree(tools_dest)
        os.rename(staging, tools_dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    agent_dir = argv[0] if argv else os.path.join(source_root(), ".agent")
    if os.path.abspath(_TOOLS_DIR).startswith(os.path.abspath(agent_dir) + os.sep):
        print("error: run this from the repository's tools/, not from an installed copy", file=sys.stderr)
        return 2
    written = write_bundle(os.path.join(agent_dir, "tools"))
    print(f"wrote {len(written)} files to {os.path.join(agent_dir, 'tools')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
