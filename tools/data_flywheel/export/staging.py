"""Build an export in a hidden folder beside the target, then swap it in atomically.

A reader of ``exports/<date>/`` (and a crash at any instruction) finds the
previous complete export or the new complete one, never a mix and never
nothing: files are written into ``.<name>.staging-<pid>-*`` next to the
target, and only a finished export is put in place, by one exchange of the
two folders (``renameat2(RENAME_EXCHANGE)`` on Linux 3.15+, ``renamex_np
(RENAME_SWAP)`` on macOS 10.12+). The first export of a path is one plain
rename. Where no exchange exists (Windows, a file system that refuses it) the
old folder is renamed aside and the new one in: between those two renames the
path is briefly missing, and a crash there is repaired by the next run, which
puts the previous export back. Any error (or Ctrl-C) before the swap leaves
the previous export untouched and removes the staging folder.

One writer at a time: the folder that holds the target is locked (see
``locking.FolderLock``) from before anything is checked until the export is
in place; a second export waits ``DATA_FLYWHEEL_LOCK_WAIT`` seconds (default
10) and then stops with "another export is running (pid N)". Under that lock
the leftovers of interrupted runs for this target (``.<name>.staging-*``,
``.<name>.previous-*``) are removed: a live writer would hold the lock, so
none of them is being written.

``--out`` may name anything, so before anything is written the target is
checked: it may be missing, an empty folder, or a folder this tool wrote (its
``manifest.json`` names the tool and lists every file in it). Anything else
(a project, ``.agent/flywheel`` itself, a folder a person added a file to) is
refused and left untouched. A symlink is followed: the folder it points at is
checked and replaced, the link itself stays.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sys
import tempfile
from typing import Callable, List, Mapping, Optional

from ..errors import OutputError, os_error
from ..locking import Busy, FolderLock

MANIFEST = "manifest.json"
TOOL = "data-flywheel"
# A manifest larger than this is not one of ours (ours list one line per file).
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
LOCK_WAIT_VARIABLE = "DATA_FLYWHEEL_LOCK_WAIT"
LOCK_WAIT_DEFAULT = 10.0
_STAGING_PID = re.compile(r"\.staging-(\d+)-")


def lock_wait(env: Mapping[str, str]) -> float:
    """Seconds a second writer waits for the first (``DATA_FLYWHEEL_LOCK_WAIT``, default 10)."""
    try:
        return max(0.0, float(env.get(LOCK_WAIT_VARIABLE, LOCK_WAIT_DEFAULT)))
    except ValueError:
        return LOCK_WAIT_DEFAULT


class Staging:
    def __init__(self, target: str, *, what: str = "export", wait: float = LOCK_WAIT_DEFAULT) -> None:
        self.shown = target
        self.what = what
        self.root = ""
        # A symlink is followed, never replaced: the export goes where the link points.
        self.target = os.path.realpath(os.path.abspath(target))
        if os.path.lexists(target) and not os.path.exists(target):
            raise OutputError(
                "the output path is a symlink to nothing",
                source=target,
                remedy="remove the broken link or pass --out another folder",
            )
        if os.path.exists(self.target) and not os.path.isdir(self.target):
            raise OutputError(
                "the output path exists and is not a folder",
                source=target,
                remedy="pass --out a folder path, or move the file away",
            )
        self.parent = os.path.dirname(self.target)
        self.base = os.path.basename(self.target)
        try:
            os.makedirs(self.parent, exist_ok=True)
            self._lock: Optional[FolderLock] = FolderLock(self.parent, wait)
        except Busy:
            holder = _staging_pid(self.parent)
            raise OutputError(
                f"another {what} is running" + (f" (pid {holder})" if holder else ""),
                source=target,
                remedy=f"wait for it to finish, or set {LOCK_WAIT_VARIABLE} to wait longer",
            ) from None
        except OSError as error:
            raise os_error(error, f"write the {what} folder", target) from None
        try:
            self.root = tempfile.mkdtemp(prefix=f".{self.base}.staging-{os.getpid()}-", dir=self.parent)
            # mkdtemp makes the folder 0700; an export should get the user's usual permissions.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.root, 0o777 & ~umask)
            self._clean_leftovers()
            refuse_foreign_folder(self.target, target)
        except OSError as error:
            self.discard()
            raise os_error(error, f"write the {what} folder", target) from None
        except BaseException:
            self.discard()
            raise

    def path(self, relative: str) -> str:
        """An absolute path inside the staging folder; refuses anything that would escape it."""
        full = os.path.normpath(os.path.join(self.root, relative))
        if os.path.commonpath([full, self.root]) != self.root or os.path.isabs(relative):
            raise OutputError(f"refusing to write outside the export folder: {relative!r}")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        return full

    def publish(self) -> None:
        """Put the finished staging folder at the target, atomically where the platform allows."""
        try:
            # Checked again: something may have been put there while the export ran.
            refuse_foreign_folder(self.target, self.shown)
            if os.path.isdir(self.target):
                if exchange(self.root, self.target):
                    # The previous export now sits at the staging name; it is ours to remove.
                    old, self.root = self.root, ""
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    self._two_renames()
            else:
                _RENAME(self.root, self.target)
                self.root = ""
        except OSError as error:
            self.discard()
            raise os_error(error, f"put the {self.what} in place", self.target) from None
        except BaseException:
            self.discard()
            raise
        self._release()

    def _two_renames(self) -> None:
        """The fallback without an exchange: old aside, new in, old removed; undone if the second fails."""
        previous = tempfile.mkdtemp(prefix=f".{self.base}.previous-{os.getpid()}-", dir=self.parent)
        os.rmdir(previous)  # only the unique name was wanted
        _RENAME(self.target, previous)
        try:
            _RENAME(self.root, self.target)
        except BaseException:
            if not os.path.lexists(self.target):
                _RENAME(previous, self.target)
            raise
        self.root = ""
        shutil.rmtree(previous, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging folder (the previous export stays) and let the next writer in."""
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)
            if not os.path.exists(self.root):
                self.root = ""
            # else: kept, so that ``discard`` again (once the caller has closed its files, e.g.
            # after "too many open files") can still remove it.
        self._release()

    def _release(self) -> None:
        lock, self._lock = getattr(self, "_lock", None), None
        if lock is not None:
            lock.release()

    def _clean_leftovers(self) -> None:
        """Remove what interrupted runs left for this target; put a previous export back if the target is gone.

        Runs under the folder lock, so no live process is writing any of these.
        """
        staging, previous = f".{self.base}.staging-", f".{self.base}.previous-"
        found: List[str] = []
        for name in sorted(os.listdir(self.parent)):
            full = os.path.join(self.parent, name)
            if full == self.root or os.path.islink(full) or not os.path.isdir(full):
                continue
            if name.startswith(staging):
                shutil.rmtree(full, ignore_errors=True)
            elif name.startswith(previous):
                found.append(full)
        if found and not os.path.lexists(self.target):
            # A crash between the fallback's two renames: the newest complete previous export goes back.
            found.sort(key=os.path.getmtime)
            for candidate in reversed(found):
                if _foreign_reason(candidate, os.listdir(candidate)) is None:
                    _RENAME(candidate, self.target)
                    found.remove(candidate)
                    break
        for full in found:
            shutil.rmtree(full, ignore_errors=True)


def _staging_pid(folder: str) -> Optional[int]:
    """The pid in the name of another process's staging folder in ``folder``, if one is there."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    for name in sorted(names, key=lambda n: -_mtime(os.path.join(folder, n))):
        match = _STAGING_PID.search(name)
        if match and int(match.group(1)) != os.getpid():
            return int(match.group(1))
    return None


def _mtime(path: str) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


# The renames publishing does, in one place, so a test can stop the process at each of them.
_RENAME: Callable[[str, str], None] = os.rename
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS sys/stdio.h
_exchange_function = None


def _load_exchange():
    """The platform's exchange call via ctypes, or None (Windows, old libc)."""
    import ctypes

    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        function = getattr(libc, "renameat2", None)  # glibc 2.28+, musl 1.2.4+
        if function is None:
            return None
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: function(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE), ctypes
    if sys.platform == "darwin":
        libc = ctypes.CDLL(None, use_errno=True)
        function = getattr(libc, "renamex_np", None)
        if function is None:
            return None
        function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: function(a, b, _RENAME_SWAP), ctypes
    return None


def exchange(first: str, second: str) -> bool:
    """Swap two existing folders in one atomic step. False when the platform or file system cannot."""
    global _exchange_function
    if _exchange_function is None:
        try:
            _exchange_function = _load_exchange() or False
        except (OSError, AttributeError, ImportError):
            _exchange_function = False
    if not _exchange_function:
        return False
    call, ctypes = _exchange_function
    if call(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)):
        return False  # this file system has no exchange: use the two renames
    raise OSError(code, os.strerror(code), second)


def refuse_foreign_folder(folder: str, shown: str) -> None:
    """Raise ``OutputError`` unless ``folder`` is missing, empty, or wholly an output of this tool."""
    if not os.path.isdir(folder):
        return
    try:
        names = os.listdir(folder)
    except OSError as error:
        raise OutputError(f"cannot read the output folder: {error.strerror}", source=shown,
                          remedy="pass --out a folder you can read and write") from None
    if not names:
        return
    reason = _foreign_reason(folder, names)
    if reason is not None:
        raise OutputError(
            f"refusing to replace a folder this tool did not write ({reason})",
            source=shown,
            remedy="pass --out a new or empty folder, or a previous export or harvest folder",
        )


def _foreign_reason(folder: str, names) -> Optional[str]:
    manifest_path = os.path.join(folder, MANIFEST)
    if MANIFEST not in names or not os.path.isfile(manifest_path) or os.path.islink(manifest_path):
        return "it has no manifest.json of an export or harvest"
    try:
        if os.path.getsize(manifest_path) > MANIFEST_MAX_BYTES:
            return "its manifest.json is not one of this tool's"
        with open(manifest_path, encoding="utf-8") as fp:
            manifest = json.load(fp)
    except (OSError, ValueError, RecursionError):
        return "its manifest.json cannot be read"
    if not isinstance(manifest, dict) or manifest.get("tool") != TOOL or not isinstance(manifest.get("files"), list):
        return "its manifest.json is not one of this tool's"
    listed = {MANIFEST}
    for entry in manifest["files"]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed.add(os.path.normpath(entry["path"]))
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            relative = os.path.relpath(os.path.join(root, name), folder)
            if os.path.normpath(relative) not in listed:
                return f"{relative} is not listed in its manifest.json"
    return None
