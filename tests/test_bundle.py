"""One source of truth: .agent/tools/ is a build of tools/ + schemas/, and a copy of it is a working install."""
import ast
import os
import shutil
import subprocess
import sys

from conftest import EXAMPLE_RUNS, ROOT

from data_flywheel.install import bundle

AGENT_TOOLS = os.path.join(ROOT, ".agent", "tools")


def committed_files():
    found = {}
    for base, dirs, names in os.walk(AGENT_TOOLS):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".pyc"):
                continue
            full = os.path.join(base, name)
            found[os.path.relpath(full, AGENT_TOOLS).replace(os.sep, "/")] = open(full, "rb").read()
    return found


def test_committed_agent_tools_is_identical_to_a_fresh_build():
    fresh = {relative: open(source, "rb").read() for relative, source in bundle.bundle_files()}
    committed = committed_files()
    stale = sorted(name for name in set(fresh) | set(committed) if fresh.get(name) != committed.get(name))
    assert stale == [], f".agent/tools/ is out of date in {stale[:10]}: run 'make agent' and commit it"


def test_a_copy_of_agent_tools_outside_the_repo_is_a_working_install(tmp_path):
    target = tmp_path / "elsewhere" / ".agent" / "tools"
    shutil.copytree(AGENT_TOOLS, target, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "elsewhere" / ".agent" / "flywheel").mkdir()
    shutil.copy(EXAMPLE_RUNS, tmp_path / "elsewhere" / ".agent" / "flywheel" / "approved-runs.jsonl")
    env = {"PATH": os.environ.get("PATH", ""), "SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1"}
    entry = str(target / "data_flywheel_export.py")
    helped = subprocess.run([sys.executable, "-S", entry, "--help"], cwd=tmp_path / "elsewhere", env=env,
                            capture_output=True, text=True)
    assert helped.returncode == 0, helped.stderr
    exported = subprocess.run([sys.executable, "-S", entry], cwd=tmp_path / "elsewhere", env=env,
                              capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "elsewhere" / ".agent" / "flywheel" / "exports" / "2026-04-25" / "manifest.json").is_file()


def test_the_tool_imports_only_the_standard_library():
    stdlib = set(sys.stdlib_module_names) | {"__future__"} if hasattr(sys, "stdlib_module_names") else None
    assert stdlib, "needs Python 3.10+ to list the standard library"
    offenders = []
    for base, _dirs, names in os.walk(os.path.join(ROOT, "tools")):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(base, name)
            tree = ast.parse(open(path, encoding="utf-8").read(), path)
            for node in ast.walk(tree):
                modules = []
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                for module in modules:
                    top = module.split(".")[0]
                    if top not in stdlib and top != "data_flywheel":
                        offenders.append(f"{os.path.relpath(path, ROOT)}:{node.lineno}: {module}")
    assert offenders == []
