"""Run the command line with a fault injected: used by tests/test_staging.py, test_faults.py and bench/faults.py.

    python3 tests/faultwrap.py [--kill-at N] [--no-exchange] [--fail-write N --errno E] -- ARGS...

``--kill-at N`` sends the process SIGKILL at the Nth publishing step (each
exchange, rename and removal of a folder counts two steps: just before and
just after), as a crash at that instruction would. ``--no-exchange`` makes
publishing use its fallback (two renames). ``--fail-write N`` makes the Nth
write-like call (opening a file for writing, writing to one, making a folder,
renaming) raise ``OSError(E)``. Exit status is the command's.
"""
from __future__ import annotations

import argparse
import builtins
import os
import shutil
import signal
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))


class Injector:
    """Counts write-like calls and raises OSError at the chosen one."""

    def __init__(self, fail_at: int, code: int) -> None:
        self.fail_at = fail_at
        self.code = code
        self.calls = 0
        self.log = []  # (what, path) of every call, to say where a fault went

    def tick(self, what: str, path: object = None) -> None:
        self.calls += 1
        self.log.append((what, path))
        if self.calls == self.fail_at:
            raise OSError(self.code, os.strerror(self.code), path if isinstance(path, str) else None)


class _File:
    """A file object whose writes pass through the injector."""

    def __init__(self, inner, injector: Injector, path) -> None:
        self._inner = inner
        self._injector = injector
        self._path = path

    def write(self, data):
        self._injector.tick("write", self._path)
        return self._inner.write(data)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._inner.close()
        return False

    def __iter__(self):
        return iter(self._inner)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def install_write_faults(injector: Injector, patch) -> None:
    """``patch(obj, name, value)`` replaces a function (monkeypatch.setattr in tests, setattr here)."""
    real_open, real_os_open, real_write = builtins.open, os.open, os.write
    real_mkdir, real_rename, real_replace = os.mkdir, os.rename, os.replace
    real_mkdtemp = tempfile.mkdtemp

    def open_(file, mode="r", *args, **kwargs):
        writing = any(flag in mode for flag in "wax+")
        if writing:
            injector.tick("open", file)
        handle = real_open(file, mode, *args, **kwargs)
        return _File(handle, injector, file) if writing else handle

    tmpfile = getattr(os, "O_TMPFILE", 0)

    def os_open(path, flags, *args, **kwargs):
        # tempfile tries O_TMPFILE first and falls back on any error: the fallback is counted instead.
        if tmpfile and flags & tmpfile == tmpfile:
            return real_os_open(path, flags, *args, **kwargs)
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
            injector.tick("os.open", path)
        return real_os_open(path, flags, *args, **kwargs)

    def os_write(fd, data):
        injector.tick("os.write")
        return real_write(fd, data)

    def mkdir(path, *args, **kwargs):
        if not os.path.lexists(path):  # an existing folder fails with EEXIST, never with a disk error
            injector.tick("mkdir", path)
        return real_mkdir(path, *args, **kwargs)

    def rename(src, dst, *args, **kwargs):
        injector.tick("rename", dst)
        return real_rename(src, dst, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        injector.tick("replace", dst)
        return real_replace(src, dst, *args, **kwargs)

    def mkdtemp(*args, **kwargs):
        injector.tick("mkdtemp", kwargs.get("dir") or tempfile.gettempdir())
        return real_mkdtemp(*args, **kwargs)

    patch(builtins, "open", open_)
    patch(os, "open", os_open)
    patch(os, "write", os_write)
    patch(os, "mkdir", mkdir)
    patch(os, "rename", rename)
    patch(os, "replace", replace)
    patch(tempfile, "mkdtemp", mkdtemp)
    from data_flywheel.export import staging

    patch(staging, "_RENAME", rename)


def install_kill(kill_at: int, no_exchange: bool) -> None:
    from data_flywheel.export import staging

    steps = [0]
    real_exchange, real_rename, real_rmtree = staging.exchange, staging._RENAME, shutil.rmtree

    def step() -> None:
        steps[0] += 1
        if steps[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def around(function):
        def wrapped(*args, **kwargs):
            step()
            result = function(*args, **kwargs)
            step()
            return result
        return wrapped

    staging.exchange = around((lambda a, b: False) if no_exchange else real_exchange)
    staging._RENAME = around(real_rename)
    counted_rmtree = around(real_rmtree)

    def rmtree(path, *args, **kwargs):
        # Only publishing's own folders are steps; scratch folders of the export's writers are not.
        if ".staging-" in os.path.basename(str(path)) or ".previous-" in os.path.basename(str(path)):
            return counted_rmtree(path, *args, **kwargs)
        return real_rmtree(path, *args, **kwargs)

    staging.shutil.rmtree = rmtree


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-at", type=int, default=0)
    parser.add_argument("--no-exchange", action="store_true")
    parser.add_argument("--fail-write", type=int, default=0)
    parser.add_argument("--errno", type=int, default=28)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if options.kill_at or options.no_exchange:
        install_kill(options.kill_at, options.no_exchange)
    if options.fail_write:
        install_write_faults(Injector(options.fail_write, options.errno), setattr)
    from data_flywheel.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
