"""An exclusive advisory lock on a state file, so two processes never interleave their appends.

``fcntl.flock`` on POSIX; on Windows, where ``fcntl`` does not exist,
``msvcrt.locking`` on the first byte of a side file. The lock file sits beside
the state file (``candidates.jsonl.lock``) and is left in place: removing it
would race with the next locker.
"""
from __future__ import annotations

import contextlib
import errno
import os
import time
from typing import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


@contextlib.contextmanager
def locked(path: str) -> Iterator[None]:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".lock", "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            else:  # pragma: no cover - Windows
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


class Busy(Exception):
    """Another process holds the lock (after waiting as long as allowed)."""


class FolderLock:
    """An exclusive lock on a folder itself, held until ``release``: one writer per output folder.

    POSIX locks the folder's own descriptor (``flock`` works on directories on
    Linux and macOS), so nothing is added to a folder the user chose. Windows
    cannot open a folder, so it locks ``.data-flywheel.lock`` inside it.
    The kernel drops the lock when its process dies, even by ``kill -9``.
    """

    def __init__(self, folder: str, wait: float) -> None:
        self._fd = -1
        self._handle = None
        deadline = time.monotonic() + max(0.0, wait)
        if fcntl is not None:
            self._fd = os.open(folder, os.O_RDONLY)
        else:  # pragma: no cover - Windows
            self._handle = open(os.path.join(folder, ".data-flywheel.lock"), "a+b")
        while not self._try():
            if time.monotonic() >= deadline:
                self.release()
                raise Busy(folder)
            time.sleep(0.05)

    def _try(self) -> bool:
        try:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # pragma: no cover - Windows
                self._handle.seek(0)
                msvcrt.locking(self._handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = -1
        if self._handle is not None:  # pragma: no cover - Windows
            self._handle.close()
            self._handle = None
