"""The payload: what ``<target>/.agent/tools/`` holds, and where the installer finds it.

A checkout keeps the sources apart: ``tools/`` (the entry script and the
package), ``schemas/`` and ``skills/data-flywheel/``. An installed copy carries
all three inside ``.agent/tools/``: the entry, ``data_flywheel/``,
``schemas/*.schema.json`` and ``skills/data-flywheel/`` (``SKILL.md`` and its
``references/``). So ``install`` works the same from a checkout and from any
plain copy of ``.agent/tools/`` that cannot see this repository, and installing
from an installed copy reproduces that copy exactly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ..errors import InputError

ENTRY = "data_flywheel_export.py"
PACKAGE = "data_flywheel"
SKILL_NAME = "data-flywheel"
# Inside .agent/tools/: where an installed copy keeps the skill it installs elsewhere.
SKILL_IN_BUNDLE = f"skills/{SKILL_NAME}"

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TOOLS_DIR = os.path.dirname(_PACKAGE_DIR)
_SCHEMA_PROBE = "approved-run.schema.json"


@dataclass(frozen=True)
class Source:
    """Where the files of one install come from."""

    tools_dir: str  # holds ENTRY and the package
    schemas_dir: str
    skill_dir: str
    checkout: Optional[str]  # the repository root when running from a checkout, else None


def find_source(tools_dir: str = _TOOLS_DIR) -> Source:
    """The installed copy this package runs from, or the checkout it belongs to."""
    bundled_schemas = os.path.join(tools_dir, "schemas")
    bundled_skill = os.path.join(tools_dir, *SKILL_IN_BUNDLE.split("/"))
    if os.path.isfile(os.path.join(bundled_schemas, _SCHEMA_PROBE)) and os.path.isfile(os.path.join(bundled_skill, "SKILL.md")):
        return Source(tools_dir, bundled_schemas, bundled_skill, None)
    root = os.path.dirname(tools_dir)
    schemas = os.path.join(root, "schemas")
    skill = os.path.join(root, "skills", SKILL_NAME)
    if os.path.isfile(os.path.join(schemas, _SCHEMA_PROBE)) and os.path.isfile(os.path.join(skill, "SKILL.md")):
        return Source(tools_dir, schemas, skill, root)
    raise InputError(
        "the tool's schemas or skill files are missing, so it cannot install itself",
        source=tools_dir,
        remedy=f"copy the whole .agent/tools/ folder (schemas/ and {SKILL_IN_BUNDLE}/ included), or run from a checkout",
    )


def _walk(folder: str) -> List[str]:
    """Files under ``folder``, relative with ``/``, sorted; caches and compiled files left out."""
    found = []
    for base, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            found.append(os.path.relpath(os.path.join(base, name), folder).replace(os.sep, "/"))
    return found


def skill_files(source: Source) -> List[Tuple[str, str]]:
    """``(path inside the skill folder, source path)`` for ``SKILL.md`` and its references."""
    return [(relative, os.path.join(source.skill_dir, *relative.split("/"))) for relative in _walk(source.skill_dir)]


def bundle_files(source: Optional[Source] = None) -> List[Tuple[str, str]]:
    """``(path inside .agent/tools, source path)`` for every file of the bundle, sorted."""
    source = source or find_source()
    files = [(ENTRY, os.path.join(source.tools_dir, ENTRY))]
    package = os.path.join(source.tools_dir, PACKAGE)
    for relative in _walk(package):
        if relative.endswith((".py", ".json")):
            files.append((f"{PACKAGE}/{relative}", os.path.join(package, *relative.split("/"))))
    for name in sorted(os.listdir(source.schemas_dir)):
        if name.endswith(".schema.json"):
            files.append((f"schemas/{name}", os.path.join(source.schemas_dir, name)))
    for relative, path in skill_files(source):
        files.append((f"{SKILL_IN_BUNDLE}/{relative}", path))
    return sorted(files)
