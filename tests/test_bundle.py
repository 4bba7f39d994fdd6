"""One source of truth: .agent/tools/ is the installer's build of tools/ + schemas/ + skills/, and a copy of it works."""
import ast
import os
import re
import shutil
import subprocess
import sys

from conftest import EXAMPLE_RUNS, ROOT

from data_flywheel.install import bundle, installer

AGENT_TOOLS = os.path.join(ROOT, ".agent", "tools")


def files_under(folder):
    found = {}
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".pyc"):
                continue
            full = os.path.join(base, name)
            with open(full, "rb") as fp:
                found[os.path.relpath(full, folder).replace(os.sep, "/")] = fp.read()
    return found


def test_the_bundle_holds_the_entry_the_package_the_schemas_and_the_skill():
    paths = [relative for relative, _source in bundle.bundle_files()]
    assert bundle.ENTRY in paths
    assert "data_flywheel/install/installer.py" in paths
    assert "schemas/approved-run.schema.json" in paths
    assert f"{bundle.SKILL_IN_BUNDLE}/SKILL.md" in paths
    assert any(path.startswith(f"{bundle.SKILL_IN_BUNDLE}/references/") for path in paths)
    assert not any("__pycache__" in path or path.endswith(".pyc") for path in paths)


def test_committed_agent_tools_is_identical_to_a_fresh_install(tmp_path):
    installer.apply(installer.plan_install(str(tmp_path), ["none"]))
    fresh = files_under(tmp_path / ".agent" / "tools")
    committed = files_under(AGENT_TOOLS)
    stale = sorted(name for name in set(fresh) | set(committed) if fresh.get(name) != committed.get(name))
    assert stale == [], f".agent/tools/ is out of date in {stale[:10]}: run 'make agent' and commit it"


def test_make_agent_on_this_checkout_would_change_nothing():
    plan = installer.plan_install(ROOT, ["none"])
    assert plan.self_install
    assert [(op.action, op.path) for op in plan.ops] == [], "run 'make agent' and commit .agent/tools/"
    assert plan.problems == 0


def test_make_agent_runs_the_installer_on_this_checkout():
    makefile = open(os.path.join(ROOT, "Makefile"), encoding="utf-8").read()
    recipe = re.search(r"^agent:\n\t(.+)$", makefile, re.M).group(1)
    assert "tools/data_flywheel_export.py install --target . --harness none" in recipe


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
