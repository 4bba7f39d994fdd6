"""Plan, apply and undo an install: the tool, the skill, each harness's entry point, opt-in hooks.

All or nothing: ``plan_install`` and ``plan_uninstall`` read everything and
decide every write before ``apply`` touches a file, so a malformed settings
file or ledger stops the run with the file and the reason and nothing changed.
``apply`` writes each file atomically (a temporary file, then ``os.replace``)
and, if a write fails halfway, puts back what it had already done.

What an install never does: overwrite a file that is not its own (it is left
alone and reported; ``--replace`` backs it up first and ``uninstall`` puts it
back), rewrite a TOML, YAML or JSONC configuration (a snippet is printed), or
reassign a JSON key it did not add. Installing twice changes nothing.

Installing into the checkout the tool runs from (``make agent``) builds that
checkout's own ``.agent/tools/`` from ``tools/``, ``schemas/`` and ``skills/``:
no ledger, because it is a build, not an install into someone's repository.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import __version__
from ..config import CONFIG_FILE
from ..errors import ConfigError, InputError, OutputError
from . import bundle, configs, ledger, targets
from .ledger import HERMES, LEDGER, TARGET, Entry, Ledger

TOOLS = ".agent/tools"
BACKUPS = ".agent/flywheel/install-backup"
FLYWHEEL_CONFIG = f".agent/flywheel/{CONFIG_FILE}"
GITIGNORE = ".gitignore"
PRIVATE = ".agent/flywheel/"

# Order in which an apply performs its operations: backups before the files they save.
_STAGES = {"backup": 0, "create": 1, "update": 1, "merge": 1, "replace": 1, "restore": 1, "ledger": 2, "delete": 3, "rmdir": 4}


@dataclass
class Op:
    action: str  # create, update, merge, replace, restore, backup, ledger, delete, rmdir
    root: str
    path: str  # relative to its root, "/"-separated
    after: Optional[bytes] = None
    detail: str = ""
    part: str = ""
    executable: bool = False


@dataclass
class Note:
    kind: str  # left-alone, kept, snippet, info
    path: str
    message: str
    text: str = ""  # the snippet to add by hand
    problem: bool = False  # the command exits 1


@dataclass
class Plan:
    mode: str  # install or uninstall
    target: str
    roots: Dict[str, str]
    harnesses: List[str] = field(default_factory=list)
    chosen: str = "given"  # how the harnesses were chosen: given, detected, fallback
    ops: List[Op] = field(default_factory=list)
    notes: List[Note] = field(default_factory=list)
    trust: List[str] = field(default_factory=list)
    self_install: bool = False
    source: str = ""

    def shown(self, root: str, path: str) -> str:
        return path if root == TARGET else os.path.join(self.roots[root], *path.split("/"))

    def ordered_ops(self) -> List[Op]:
        return sorted(self.ops, key=lambda op: _STAGES[op.action])

    @property
    def problems(self) -> int:
        return sum(1 for note in self.notes if note.problem)

    def as_json(self, dry_run: bool) -> Dict[str, Any]:
        return {
            "mode": self.mode,
            "target": self.target,
            "dry_run": dry_run,
            "harnesses": self.harnesses,
            "chosen": self.chosen,
            "changes": [
                {"action": op.action, "path": self.shown(op.root, op.path), "detail": op.detail}
                for op in self.ordered_ops()
            ],
            "notes": [
                {"kind": note.kind, "path": note.path, "message": note.message, **({"snippet": note.text} if note.text else {})}
                for note in self.notes
            ],
            "trust": self.trust,
            "invoke": {name: targets.BY_NAME[name].invoke for name in self.harnesses},
        }


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as fp:
            return fp.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InputError(f"cannot read it: {error.strerror}", source=path) from None


def _text(data: Optional[bytes], shown: str) -> str:
    if data is None:
        return ""
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8", source=shown, remedy="save it as UTF-8, then try again; nothing was changed") from None


def _same_place(left: str, right: str) -> bool:
    try:
        return os.path.samefile(left, right)
    except OSError:
        return False


def detect(target: str) -> List[str]:
    """The harnesses whose files are already in ``target``, in registry order."""
    return [
        harness.name for harness in targets.HARNESSES
        if any(os.path.lexists(os.path.join(target, *marker.split("/"))) for marker in harness.detect)
    ]


def resolve_harnesses(target: str, names: Optional[Sequence[str]]) -> Tuple[List[str], str]:
    """The harness names to install and how they were chosen: given, detected or fallback."""
    if not names:
        found = detect(target)
        return (found, "detected") if found else ([targets.FALLBACK.name], "fallback")
    if "none" in names and len(names) > 1:
        raise InputError("--harness none installs the tool only; it cannot be combined with harness names")
    if "none" in names:
        return [], "given"
    if "all" in names:
        return [harness.name for harness in targets.HARNESSES], "given"
    return [harness.name for harness in targets.HARNESSES if harness.name in names], "given"


class _Planner:
    def __init__(self, plan: Plan, before: Ledger, *, replace: bool) -> None:
        self.plan = plan
        self.before = before
        self.after = dataclasses.replace(before, files=dict(before.files), dirs=set(before.dirs),
                                         harnesses=set(before.harnesses), hooks=set(before.hooks))
        self.replace = replace
        self.desired: Dict[Tuple[str, str], str] = {}
        self.desired_paths: set = set()  # the same, as absolute paths (a Hermes home may be inside the target)

    def abs(self, root: str, path: str) -> str:
        return os.path.join(self.plan.roots[root], *path.split("/"))

    def note(self, kind: str, root: str, path: str, message: str, *, text: str = "", problem: bool = False) -> None:
        self.plan.notes.append(Note(kind, self.plan.shown(root, path), message, text, problem))

    def op(self, action: str, root: str, path: str, after: Optional[bytes] = None, detail: str = "",
           part: str = "", executable: bool = False) -> None:
        self.plan.ops.append(Op(action, root, path, after, detail, part, executable))

    def backup_path(self, root: str, path: str) -> str:
        return f"{BACKUPS}/{root}/{path}"

    # --- whole files that are ours -------------------------------------------------

    def want(self, root: str, path: str, data: bytes, part: str, *, executable: bool = False) -> None:
        key = (root, path)
        full = self.abs(root, path)
        if key in self.desired or full in self.desired_paths:
            return  # a folder two harnesses share (.agents/skills): written once
        self.desired[key] = part
        self.desired_paths.add(full)
        entry = self.before.files.get(key)
        digest = sha256(data)
        if os.path.islink(full) or (os.path.lexists(full) and not os.path.isfile(full)):
            self.note("left-alone", root, path, "exists and is not a regular file: left alone", problem=True)
            return
        current = _read(full)
        if current is None:
            self.op("create", root, path, data, part=part, executable=executable)
            self.after.files[key] = Entry(path, part, "created", digest, root)
        elif current == data:
            if entry is not None:
                self.after.files[key] = dataclasses.replace(entry, sha256=digest, part=part)
            elif not self.plan.self_install:
                self.after.files[key] = Entry(path, part, "adopted", digest, root)
        elif entry is not None and sha256(current) == entry.sha256:
            self.op("update", root, path, data, "installed earlier, unchanged since: new version", part, executable)
            self.after.files[key] = dataclasses.replace(entry, sha256=digest, part=part)
        elif self.plan.self_install and part == "tool":
            self.op("update", root, path, data, "rebuilt from the sources", part, executable)
        elif entry is not None:
            self.note("left-alone", root, path, "installed earlier but edited since: left as it is "
                      "(move it aside and install again for the new version)", problem=True)
        elif self.replace:
            backup = self.backup_path(root, path)
            self.op("backup", TARGET, backup, current, f"your {path}, put back by uninstall", part)
            self.op("replace", root, path, data, f"yours is saved in {backup}", part, executable)
            self.after.files[key] = Entry(path, part, "replaced", digest, root, backup, sha256(current))
        else:
            self.note("left-alone", root, path, "exists and is not ours: left alone "
                      "(--replace backs it up and replaces it; uninstall puts it back)", problem=True)

    def want_skill(self, root: str, folder: str, part: str, source: bundle.Source) -> None:
        for relative, path in bundle.skill_files(source):
            with open(path, "rb") as fp:
                self.want(root, f"{folder}/{relative}", fp.read(), part)

    def drop_stale(self, parts: Sequence[str]) -> None:
        """Files an earlier install of these parts added that this version no longer has."""
        for key, entry in sorted(self.before.files.items()):
            if entry.part not in parts or key in self.desired:
                continue
            if entry.root not in self.plan.roots:
                continue  # in a Hermes home this run cannot see: keep it on the books
            current = _read(self.abs(entry.root, entry.path))
            del self.after.files[key]
            if current is None:
                continue
            if sha256(current) != entry.sha256:
                self.note("kept", entry.root, entry.path, "no longer part of the install, but edited since: left in place")
            elif entry.origin == "replaced":
                saved = _read(self.abs(TARGET, entry.backup)) if entry.backup else None
                if saved is not None:
                    self.op("restore", entry.root, entry.path, saved, "no longer part of the install: yours is back", entry.part)
                    self.op("delete", TARGET, entry.backup, detail="backup no longer needed")
            else:
                self.op("delete", entry.root, entry.path, detail="no longer part of the install", part=entry.part)

    def drop_stale_build(self, bundle_paths: Sequence[str]) -> None:
        """Self-install: files in this checkout's .agent/tools/ that the sources no longer have."""
        wanted = {f"{TOOLS}/{path}" for path in bundle_paths}
        tools = self.abs(TARGET, TOOLS)
        for base, dirnames, filenames in os.walk(tools):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                relative = os.path.relpath(os.path.join(base, name), self.plan.target).replace(os.sep, "/")
                if relative not in wanted and not name.endswith((".pyc", ".pyo")):
                    self.op("delete", TARGET, relative, detail="not in the sources any more", part="tool")

    # --- the user's files, edited in place ------------------------------------------

    def edit(self, path: str, part: str, current: Optional[bytes], data: bytes, undo: Dict[str, Any], detail: str) -> None:
        """Write ``data`` over the user's file (or a new one) and record how to take our part out again."""
        key = (TARGET, path)
        entry = self.before.files.get(key)
        digest = sha256(data)
        if current is None:
            if entry is not None and entry.backup:
                self.op("delete", TARGET, entry.backup, detail="backup of a file deleted since")
            self.op("create", TARGET, path, data, detail, part)
            self.after.files[key] = Entry(path, part, "created", digest, TARGET, undo=undo)
        elif entry is not None and entry.origin in ("created", "changed"):
            self.op("merge", TARGET, path, data, detail, part)
            self.after.files[key] = dataclasses.replace(entry, sha256=digest, undo=_merge_undo(entry.undo, undo))
        else:
            backup = self.backup_path(TARGET, path)
            self.op("backup", TARGET, backup, current, f"your {path} as it was, for uninstall", part)
            self.op("merge", TARGET, path, data, f"{detail}; yours is saved in {backup}", part)
            self.after.files[key] = Entry(path, part, "changed", digest, TARGET, backup, sha256(current), undo)

    def gitignore(self, lines: Sequence[str]) -> None:
        full = self.abs(TARGET, GITIGNORE)
        if os.path.islink(full) or (os.path.lexists(full) and not os.path.isfile(full)):
            self.note("snippet", TARGET, GITIGNORE, "is not a regular file: add these lines yourself",
                      text="\n".join(lines) + "\n", problem=True)
            return
        current = _read(full)
        text = _text(current, full)
        missing = configs.gitignore_missing(text, lines)
        if missing:
            data = configs.gitignore_append(text, missing).encode("utf-8")
            self.edit(GITIGNORE, "gitignore", current, data, {"lines": missing}, "ignore " + ", ".join(missing))

    def hooks(self, harness: targets.Harness, shared_settings: bool) -> bool:
        spec = harness.hooks
        assert spec is not None
        path = spec.shared_settings if shared_settings and spec.shared_settings else spec.settings
        full = self.abs(TARGET, path)
        snippet = configs.hooks_snippet(spec, targets.HOOK_MARKER)
        if spec.project_dir.startswith("$(git ") and not os.path.lexists(os.path.join(self.plan.target, ".git")):
            self.note("info", TARGET, path, f"no {harness.title} hook: it finds the project with git, and the target is "
                      f"not the top of a git repository; harvest with `harvest --source {harness.name}` instead", problem=True)
            return False
        if os.path.islink(full) or (os.path.lexists(full) and not os.path.isfile(full)):
            self.note("snippet", TARGET, path, "is not a regular file: merge these hooks yourself", text=snippet, problem=True)
            return False
        current = _read(full)
        text = _text(current, full)
        try:
            document = configs.parse_object(text, full, comments_allowed=spec.comments_allowed)
        except configs.JsoncFile:
            self.note("snippet", TARGET, path, f"has comments, which {harness.title} allows and a rewrite would lose: "
                      "it is left alone; merge these hooks yourself", text=snippet, problem=True)
            return False
        if current is None:
            document = dict(spec.new_file)
        merged, undo = configs.add_hooks(document, spec, full, targets.HOOK_MARKER)
        if merged != document or current is None:
            indent = configs.indent_of(text) if current is not None else 2
            events = ", ".join(event.name for event in spec.events)
            self.edit(path, f"hooks:{harness.name}", current, configs.dump_object(merged, indent), undo,
                      f"capture hooks {events}")
        return True

    def capture_on(self) -> None:
        full = self.abs(TARGET, FLYWHEEL_CONFIG)
        current = _read(full)
        text = _text(current, full)
        document = configs.parse_object(text, full)
        if current is not None and document.get("capture_hook") is True:
            return
        updated, undo = configs.set_key(document, "capture_hook", True)
        indent = configs.indent_of(text) if current is not None else 2
        self.edit(FLYWHEEL_CONFIG, "config", current, configs.dump_object(updated, indent), undo, '"capture_hook": true')

    # --- folders and the ledger -------------------------------------------------------

    def new_dirs(self, extra: Sequence[Tuple[str, str]] = ()) -> None:
        """Record every folder the writes will create, so uninstall can remove it again."""
        paths = [(op.root, op.path) for op in self.plan.ops if op.action in ("create", "backup", "replace")]
        for root, path in paths + list(extra):
            root_dir = self.plan.roots[root]
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                if not os.path.isdir(os.path.join(root_dir, *parts[:depth])):
                    self.after.dirs.add((root, "/".join(parts[:depth])))

    def write_ledger(self) -> None:
        self.new_dirs(extra=[(TARGET, LEDGER)])
        data = self.after.dumps()
        current = _read(self.abs(TARGET, LEDGER))
        if current != data:
            self.op("ledger", TARGET, LEDGER, data, "what was installed, for uninstall" if current is None else "updated")


def _merge_undo(old: Optional[Dict[str, Any]], new: Dict[str, Any]) -> Dict[str, Any]:
    if not old:
        return new
    merged = dict(old)
    for key in ("events_added", "lines"):
        if key in new:
            merged[key] = list(old.get(key, [])) + [item for item in new[key] if item not in old.get(key, [])]
    return merged


def plan_install(
    target: str,
    harness_names: Optional[Sequence[str]] = None,
    *,
    hooks: bool = False,
    shared_settings: bool = False,
    hermes_home: Optional[str] = None,
    replace: bool = False,
    source: Optional[bundle.Source] = None,
) -> Plan:
    """Everything an install would do, decided up front; nothing is written."""
    source = source or bundle.find_source()
    target = os.path.abspath(target)
    if not os.path.isdir(target):
        raise InputError("the target is not a folder", source=target, remedy="pass --target DIR, the repository to install into")
    self_install = source.checkout is not None and _same_place(target, source.checkout)
    names, chosen = resolve_harnesses(target, harness_names)
    roots = {TARGET: target}
    if hermes_home is not None:
        hermes_home = os.path.abspath(os.path.expanduser(hermes_home))
        if not os.path.isdir(hermes_home):
            raise InputError("the Hermes home folder does not exist", source=hermes_home,
                             remedy="pass the folder Hermes uses (~/.hermes or $HERMES_HOME)")
        roots[HERMES] = hermes_home
    plan = Plan("install", target, roots, names, chosen, self_install=self_install,
                source=source.checkout or source.tools_dir)
    before = Ledger() if self_install else (ledger.read(os.path.join(target, *LEDGER.split("/"))) or Ledger())
    if hermes_home is None and before.hermes_home and os.path.isdir(before.hermes_home):
        hermes_home = roots[HERMES] = before.hermes_home
    planner = _Planner(plan, before, replace=replace)

    files = bundle.bundle_files(source)
    for relative, path in files:
        with open(path, "rb") as fp:
            planner.want(TARGET, f"{TOOLS}/{relative}", fp.read(), "tool", executable=relative == bundle.ENTRY)
    parts = ["tool"]
    for name in names:
        harness = targets.BY_NAME[name]
        parts.append(name)
        if harness.user_level and hermes_home is not None:
            planner.want_skill(HERMES, targets.HERMES_SKILL_DIR, name, source)
        else:
            for folder in harness.skill_dirs:
                planner.want_skill(TARGET, folder, name, source)
            if harness.user_level:
                skills = os.path.join(target, ".agents", "skills")
                planner.note("snippet", TARGET, "~/.hermes/config.yaml",
                             "Hermes loads skills from your home folder: add these lines to ~/.hermes/config.yaml "
                             "(or pass --hermes-home to install there)", text=targets.hermes_snippet(skills))
        if harness.command is not None:
            planner.want(TARGET, harness.command.path, targets.render_command(harness.command), name)
    if self_install:
        planner.drop_stale_build([relative for relative, _path in files])
    else:
        planner.drop_stale(parts)

    ignore = [PRIVATE]
    hooked = []
    if hooks:
        for name in names:
            harness = targets.BY_NAME[name]
            if harness.hooks is None:
                planner.note("info", TARGET, name, f"no capture hook: {harness.no_hooks}")
            elif planner.hooks(harness, shared_settings):
                hooked.append(name)
                plan.trust.append(harness.hooks.trust)
                if harness.hooks.settings == ".claude/settings.local.json" and not shared_settings:
                    ignore.append(".claude/settings.local.json")
        if hooked:
            planner.capture_on()
        else:
            planner.note("info", TARGET, FLYWHEEL_CONFIG, "capture stays off: none of these harnesses has a capture hook")
    planner.gitignore(ignore)

    planner.after.harnesses |= set(names)
    planner.after.hooks |= set(hooked)
    planner.after.tool_version = __version__
    if hermes_home is not None and any(targets.BY_NAME[name].user_level for name in names):
        planner.after.hermes_home = hermes_home
    if not self_install:
        planner.write_ledger()
    return plan


def plan_uninstall(target: str, *, hermes_home: Optional[str] = None, source: Optional[bundle.Source] = None) -> Plan:
    """Everything an uninstall would do: remove what was added, put back what was changed."""
    target = os.path.abspath(target)
    if not os.path.isdir(target):
        raise InputError("the target is not a folder", source=target, remedy="pass --target DIR, the repository to uninstall from")
    try:
        source = source or bundle.find_source()
    except InputError:
        source = None
    if source is not None and source.checkout is not None and _same_place(target, source.checkout):
        raise InputError("this is the tool's own checkout: its .agent/tools/ is a build of tools/, not an install",
                         source=target, remedy="nothing to uninstall here")
    before = ledger.read(os.path.join(target, *LEDGER.split("/")))
    if before is None:
        raise InputError(f"nothing to uninstall: there is no {LEDGER}", source=target,
                         remedy="only an install made by this tool's install command can be undone")
    roots = {TARGET: target}
    home = os.path.abspath(os.path.expanduser(hermes_home)) if hermes_home else before.hermes_home
    if home and os.path.isdir(home):
        roots[HERMES] = home
    plan = Plan("uninstall", target, roots, sorted(before.harnesses))
    planner = _Planner(plan, before, replace=False)
    gone: set = set()  # absolute paths this uninstall deletes

    def delete(root: str, path: str, detail: str, part: str = "") -> None:
        if planner.abs(root, path) not in gone:
            planner.op("delete", root, path, detail=detail, part=part)
            gone.add(planner.abs(root, path))

    for _key, entry in sorted(before.files.items()):
        if entry.root not in roots:
            planner.note("kept", TARGET, entry.path, "in the Hermes home, which was not found: pass --hermes-home", problem=True)
            continue
        full = planner.abs(entry.root, entry.path)
        current = _read(full) if os.path.isfile(full) and not os.path.islink(full) else None
        saved = _read(planner.abs(TARGET, entry.backup)) if entry.backup else None
        backup_done = True  # the backup (if any) is no longer needed once this entry is dealt with
        if current is None or entry.origin == "adopted":
            pass
        elif sha256(current) == entry.sha256 and entry.origin == "created":
            delete(entry.root, entry.path, "added by the install", entry.part)
        elif sha256(current) == entry.sha256 and saved is not None and sha256(saved) == entry.before_sha256:
            planner.op("restore", entry.root, entry.path, saved, "back to what it was before the install", entry.part)
        elif entry.undo is not None:
            backup_done = _take_out(planner, entry, current, delete)
        else:
            backup_done = False
            where = f"; yours is saved in {entry.backup}" if saved is not None else ""
            planner.note("kept", entry.root, entry.path, f"edited since it was installed: left in place{where}", problem=True)
        if saved is not None and backup_done:
            delete(TARGET, entry.backup, "backup no longer needed")
    delete(TARGET, LEDGER, "the install ledger")
    _keep_private_ignored(planner, target, gone)
    _prune(planner, before, gone)
    return plan


def _keep_private_ignored(planner: _Planner, target: str, gone: set) -> None:
    """While ``.agent/flywheel/`` holds anything after the uninstall, the ``.gitignore`` left still ignores it, and says so.

    That folder holds approved runs, candidates and exports, which the
    uninstall never touches: un-ignoring it would let a plain ``git add .``
    commit them. Only what the install itself put there (the hook setting,
    backups) goes, and then the folder goes with it.
    """
    private = os.path.join(target, *PRIVATE.strip("/").split("/"))
    if not any(os.path.join(base, name) not in gone for base, _dirs, names in os.walk(private) for name in names):
        return
    for index, op in enumerate(planner.plan.ops):
        if op.root != TARGET or op.path != GITIGNORE:
            continue
        if op.action == "delete":
            text = ""
        elif op.after is not None:
            text = _text(op.after, GITIGNORE)
        else:
            return
        if not configs.gitignore_missing(text, [PRIVATE]):
            return
        kept = configs.gitignore_append(text, [PRIVATE]).encode("utf-8")
        action = "merge" if op.action == "delete" else op.action
        planner.plan.ops[index] = dataclasses.replace(
            op, action=action, after=kept, detail=f"{op.detail}; {PRIVATE} stays ignored")
        planner.note("info", TARGET, GITIGNORE, f"{PRIVATE} stays ignored while it exists: it holds your approved runs, "
                     "candidates and exports, which uninstall leaves in place; delete the folder, then that line")
        return


def _take_out(planner: _Planner, entry: Entry, current: bytes, delete) -> bool:
    """Remove only our entries from a file the user has edited since the install; False if left to the user."""
    full = planner.abs(entry.root, entry.path)
    text = _text(current, full)
    undo = entry.undo or {}
    if entry.part == "gitignore":
        updated = configs.gitignore_remove(text, undo.get("lines", []))
        empty = not updated.strip()
        data = updated.encode("utf-8")
    else:
        harness = targets.BY_NAME.get(entry.part.split(":", 1)[1]) if entry.part.startswith("hooks:") else None
        spec = harness.hooks if harness is not None else None
        if spec is None and (entry.part != "config" or "key" not in undo):
            planner.note("kept", entry.root, entry.path, "this version cannot undo that change: left in place", problem=True)
            return False
        try:
            document = configs.parse_object(text, full, comments_allowed=bool(spec and spec.comments_allowed))
        except configs.JsoncFile:
            planner.note("kept", entry.root, entry.path, "has comments now: take out the entries whose command "
                         f"contains {targets.HOOK_MARKER!r} yourself", problem=True)
            return False
        if spec is not None:
            updated_doc = configs.remove_hooks(document, spec, full, targets.HOOK_MARKER, undo)
            empty = updated_doc in ({}, dict(spec.new_file))
        else:
            updated_doc = configs.unset_key(document, undo)
            empty = updated_doc == {}
        data = configs.dump_object(updated_doc, configs.indent_of(text))
        if updated_doc == document and not (entry.origin == "created" and empty):
            return True
    if entry.origin == "created" and empty:
        delete(entry.root, entry.path, "added by the install (only our entries were left)", entry.part)
    elif data != current:
        planner.op("merge", entry.root, entry.path, data, "took out our entries; your changes since are kept", entry.part)
    return True


def _prune(planner: _Planner, before: Ledger, gone: set) -> None:
    """Folders the install created that the uninstall leaves empty (caches of our own code included)."""
    removed: set = set()
    for root, path in sorted(before.dirs, key=lambda item: (-item[1].count("/"), item)):
        if root not in planner.plan.roots:
            continue
        full = planner.abs(root, path)
        if not os.path.isdir(full) or os.path.islink(full) or full in removed:
            continue
        rest = []
        for name in os.listdir(full):
            child = os.path.join(full, name)
            if child in gone or child in removed:
                continue
            if name == "__pycache__" and path.startswith(TOOLS) and _only_bytecode(child):
                continue
            rest.append(name)
        if not rest:
            planner.op("rmdir", root, path, detail="folder added by the install")
            removed.add(full)


def _only_bytecode(folder: str) -> bool:
    return all(name.endswith((".pyc", ".pyo")) and os.path.isfile(os.path.join(folder, name)) for name in os.listdir(folder))


# --- applying a plan -------------------------------------------------------------------


def apply(plan: Plan) -> None:
    """Carry out ``plan``; on any failure, undo what was done and raise ``OutputError``."""
    journal: List[Tuple[str, str, Optional[bytes], Optional[int]]] = []
    current = ""
    try:
        for op in plan.ordered_ops():
            current = os.path.join(plan.roots[op.root], *op.path.split("/"))
            if op.action == "rmdir":
                _remove_dir(current, journal)
            elif op.action == "delete":
                _delete(current, journal)
            else:
                _write(current, op.after or b"", op.executable, journal)
    except OSError as error:
        _roll_back(journal)
        raise OutputError(f"cannot change it: {error.strerror or error}", source=current,
                          remedy="nothing was changed; fix the permissions and try again") from None
    except BaseException:
        _roll_back(journal)
        raise


def _make_dirs(folder: str, journal) -> None:
    if os.path.isdir(folder):
        return
    _make_dirs(os.path.dirname(folder), journal)
    os.mkdir(folder)
    journal.append(("mkdir", folder, None, None))


def _write(path: str, data: bytes, executable: bool, journal) -> None:
    _make_dirs(os.path.dirname(path), journal)
    previous = _read(path) if os.path.isfile(path) else None
    mode = stat.S_IMODE(os.stat(path).st_mode) if previous is not None else None
    temporary = f"{path}.flywheel-{os.getpid()}.tmp"
    # "x": a fresh file whose mode follows the umask, as any file the user creates.
    with open(temporary, "xb") as fp:
        fp.write(data)
    try:
        if mode is not None:
            os.chmod(temporary, mode)
        elif executable:
            new_mode = stat.S_IMODE(os.stat(temporary).st_mode)
            os.chmod(temporary, new_mode | (new_mode & 0o444) >> 2)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    journal.append(("file", path, previous, mode))


def _delete(path: str, journal) -> None:
    if not os.path.isfile(path):
        return
    previous = _read(path)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    os.unlink(path)
    journal.append(("file-deleted", path, previous, mode))


def _remove_dir(path: str, journal) -> None:
    if not os.path.isdir(path):
        return
    cache = os.path.join(path, "__pycache__")
    if os.path.isdir(cache) and _only_bytecode(cache):
        shutil.rmtree(cache)  # bytecode of our own code: nothing to put back
    os.rmdir(path)
    journal.append(("rmdir", path, None, None))


def _roll_back(journal) -> None:
    for kind, path, previous, mode in reversed(journal):
        try:
            if kind == "mkdir":
                os.rmdir(path)
            elif kind == "rmdir":
                os.mkdir(path)
            elif previous is None:
                os.unlink(path)
            else:
                with open(path, "wb") as fp:
                    fp.write(previous)
                if mode is not None:
                    os.chmod(path, mode)
        except OSError:
            pass  # best effort: the error that stopped the apply is what the user sees
