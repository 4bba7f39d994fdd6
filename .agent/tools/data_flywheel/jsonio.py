"""Streaming JSON Lines: read one line at a time, report every bad line, never crash.

Reading is byte-oriented so that one bad byte costs one line, not the file:
each line is decoded on its own. A UTF-8 BOM on the first line, CRLF endings
and blank lines are tolerated. Every problem becomes a ``LineProblem`` with a
reason code (counted in ``input_quality``) and a message that never quotes the
line's content, because the content may hold a secret.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Tuple

from .errors import os_error

BOM = b"\xef\xbb\xbf"

# Reason codes, in the order input_quality lists them.
INVALID_UTF8 = "invalid_utf8"
INVALID_JSON = "invalid_json"
NON_STANDARD_NUMBER = "non_standard_number"
TOO_DEEP = "too_deep"
NOT_AN_OBJECT = "not_an_object"
SCHEMA_VIOLATION = "schema_violation"
DUPLICATE_ID = "duplicate_id"

FORM_REASONS = (INVALID_UTF8, INVALID_JSON, NON_STANDARD_NUMBER, TOO_DEEP, NOT_AN_OBJECT)

# Deeper records are refused on every Python version alike: 3.12+ parse far
# deeper than 3.9 does, and what the tool does next (redaction, json.dumps)
# recurses. No real run comes near it.
MAX_DEPTH = 256


@dataclass(frozen=True)
class LineProblem:
    source: str
    line: int
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class _NonStandardNumber(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN, Infinity and -Infinity by default; JSON does not.
    raise _NonStandardNumber(name)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return "an object"


def _finite_float(text: str) -> float:
    # 1e400 is valid JSON syntax but no float: it would become inf, which no JSON writer may emit.
    value = float(text)
    if math.isinf(value):
        raise _OutOfRange(text if len(text) <= 20 else text[:17] + "...")
    return value


class _OutOfRange(ValueError):
    pass


# A lone surrogate can only come from a \ud800-\udfff escape (raw UTF-8 cannot encode one).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _maybe_surrogates(text: str) -> bool:
    return "\\ud" in text or "\\uD" in text


def replace_lone_surrogates(value: Any) -> Tuple[Any, int]:
    """``value`` with every lone surrogate (in keys and strings) replaced by U+FFFD, and how many there were.

    A surrogate cannot be written as UTF-8, so it would stop any writer; the
    replacement character keeps the rest of the text.
    """
    count = 0

    def fixed(text: str) -> str:
        nonlocal count
        new, found = _SURROGATE.subn("\ufffd", text)
        count += found
        return new

    if isinstance(value, str):
        return fixed(value), count
    root = [value]
    stack: List[Tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            if _SURROGATE.search(item):
                container[key] = fixed(item)
        elif isinstance(item, list):
            stack.extend((item, index) for index in range(len(item)))
        elif isinstance(item, dict):
            if any(_SURROGATE.search(name) for name in item):
                item = container[key] = {fixed(name): child for name, child in item.items()}
            stack.extend((item, name) for name in item)
    return root[0], count


def parse_json_text(text: str) -> Tuple[Any, Optional[Tuple[str, str]]]:
    """Parse one JSON text strictly. Returns ``(value, None)`` or ``(None, (reason, message))``.

    Lone surrogates are replaced (see ``replace_lone_surrogates``); numbers
    beyond a float's range are refused like NaN.
    """
    value, problem, _replaced = _parse(text)
    return value, problem


def _parse(text: str) -> Tuple[Any, Optional[Tuple[str, str]], int]:
    value, problem = _loads(text)
    if problem is None and _maybe_surrogates(text):
        value, replaced = replace_lone_surrogates(value)
        return value, None, replaced
    return value, problem, 0


def _loads(text: str) -> Tuple[Any, Optional[Tuple[str, str]]]:
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float), None
    except _NonStandardNumber as error:
        return None, (NON_STANDARD_NUMBER, f"{error} is not valid JSON (use null or a string instead)")
    except _OutOfRange as error:
        return None, (NON_STANDARD_NUMBER, f"{error} is beyond the range of a number (use null or a string instead)")
    except RecursionError:
        return None, (TOO_DEEP, f"JSON nested deeper than {MAX_DEPTH} levels (flatten the record)")
    except json.JSONDecodeError as error:
        return None, (INVALID_JSON, f"not valid JSON: {error.msg} at column {error.colno}")
    except ValueError as error:  # e.g. an integer literal longer than int_max_str_digits (3.11+)
        return None, (INVALID_JSON, f"not valid JSON: {str(error).split(':')[0]}")


class LastLine:
    """Filled in while a file is read: whether its last line lacks a newline.

    Harness logs are appended to while the agent runs; a last line without its
    newline is a session still being written (or a writer that was cut off).
    """

    unfinished = False


def lines_noting_last(fp: IO[bytes], last: LastLine) -> Iterator[bytes]:
    """The lines of ``fp`` unchanged; ``last.unfinished`` is set before the last one is handed out."""
    previous = None
    for raw in fp:
        if previous is not None:
            yield previous
        previous = raw
    if previous is not None:
        last.unfinished = not previous.endswith(b"\n")
        yield previous


def read_json_lines(
    fp: IO[bytes],
    source: str,
    on_problem: Callable[[LineProblem], None],
    *,
    objects_only: bool = True,
    digest: Optional["hashlib._Hash"] = None,
    on_blank: Optional[Callable[[int], None]] = None,
    on_replaced: Optional[Callable[[int, int], None]] = None,
) -> Iterator[Tuple[int, Any]]:
    """Yield ``(line_number, value)`` for each good line of a binary stream.

    Bad lines go to ``on_problem`` and are skipped. With ``objects_only`` a
    line must hold a JSON object. ``digest`` is fed the raw bytes as they are
    read, so the input's sha256 costs no second pass. ``on_replaced(line, n)``
    hears of the lone surrogates replaced in a line.
    """
    for number, raw in enumerate(fp, start=1):
        if digest is not None:
            digest.update(raw)
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM):]
        stripped = raw.strip()
        if not stripped:
            if on_blank is not None:
                on_blank(number)
            continue
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError as error:
            leading = len(raw) - len(raw.lstrip())
            on_problem(
                LineProblem(
                    source,
                    number,
                    INVALID_UTF8,
                    f"invalid UTF-8 at byte {leading + error.start + 1} of the line (save the file as UTF-8)",
                )
            )
            continue
        value, problem, replaced = _parse(text)
        if replaced and on_replaced is not None:
            on_replaced(number, replaced)
        if problem is None and stripped.count(b"[") + stripped.count(b"{") > MAX_DEPTH and depth(value) > MAX_DEPTH:
            problem = (TOO_DEEP, f"JSON nested deeper than {MAX_DEPTH} levels (flatten the record)")
        if problem is not None:
            on_problem(LineProblem(source, number, problem[0], problem[1]))
            continue
        if objects_only and not isinstance(value, dict):
            on_problem(
                LineProblem(source, number, NOT_AN_OBJECT, f"expected a JSON object, got {_json_kind(value)}")
            )
            continue
        yield number, value


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursing."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


# Limits for the small JSON documents a person writes (config.json, redaction.json):
# far above any real file, far below what could exhaust the stack or the CPU.
DOCUMENT_MAX_DEPTH = 32
DOCUMENT_MAX_DIGITS = 100


class DocumentError(ValueError):
    """Why a configuration document was refused; ``line`` is 1-based when known, ``key`` for duplicates."""

    def __init__(self, message: str, line: Optional[int] = None, key: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.key = key


def _no_duplicate_keys(pairs: Any) -> Dict[str, Any]:
    document: Dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise DocumentError(f"duplicate key {key!r}", key=key)
        document[key] = value
    return document


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > DOCUMENT_MAX_DIGITS:
        raise DocumentError(f"a number with more than {DOCUMENT_MAX_DIGITS} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > DOCUMENT_MAX_DIGITS + 10:
        raise DocumentError("a number out of range (use a smaller number)")
    return value


def loads_document(text: str) -> Any:
    """Parse a configuration document strictly: no duplicate keys (JSON keeps the last one
    silently, which can flip a setting), no NaN/Infinity, numbers of at most
    ``DOCUMENT_MAX_DIGITS`` digits, nesting of at most ``DOCUMENT_MAX_DEPTH``.
    Raises ``DocumentError``."""
    # Nesting is bounded before parsing: the parser recurses, and a deep text must not reach it.
    if text.count("[") + text.count("{") > DOCUMENT_MAX_DEPTH and _bracket_depth(text) > DOCUMENT_MAX_DEPTH:
        raise DocumentError(f"nested deeper than {DOCUMENT_MAX_DEPTH} levels")
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_int=_bounded_int, parse_float=_bounded_float,
            parse_constant=_reject_constant,
        )
    except _NonStandardNumber as error:
        raise DocumentError(f"{error} is not valid JSON (use a number or null)") from None
    except json.JSONDecodeError as error:
        raise DocumentError(f"not valid JSON: {error.msg}", line=error.lineno) from None
    except RecursionError:
        raise DocumentError(f"nested deeper than {DOCUMENT_MAX_DEPTH} levels") from None


def _bracket_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (an upper bound when the text is not JSON)."""
    deepest = level = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            level += 1
            deepest = max(deepest, level)
        elif token in "]}":
            level -= 1
    return deepest


_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def dumps_line(record: Any) -> str:
    """One compact JSONL line. Non-ASCII stays readable; key order is the caller's (deterministic)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def dumps_document(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# Past this a count (of tokens, of milliseconds) is not a measurement; sums of such would overflow.
NUMBER_MAX = 1e15


def finite_number(value: Any) -> Optional[float]:
    """A finite number of plausible size or None: bools, strings, NaN and 10**400 are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not -NUMBER_MAX <= value <= NUMBER_MAX:
        return None
    return value


class LineAppender:
    """Appends whole lines to a JSON Lines store: each line is in the file entirely or not at all.

    Use under the store's lock (``locking.locked``). A write that fails
    part-way (a full disk, a quota) is cut back to the size before it, then
    ``OutputError`` is raised with the path and the fix. A last line the file
    already ends without (a writer that was cut off, here or in another tool)
    is left as it is, but the first new line starts on a line of its own, so
    nothing new is swallowed; every reader then reports that line by number,
    and ``validate --repair`` removes it, keeping a backup.
    """

    def __init__(self, path: str, *, what: str = "the file", mode: int = 0o600) -> None:
        self.path = path
        self.what = what
        self._fd = -1
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, mode)
            self.size = os.fstat(self._fd).st_size
            self._torn = False
            if self.size:
                os.lseek(self._fd, self.size - 1, os.SEEK_SET)
                self._torn = os.read(self._fd, 1) != b"\n"
        except OSError as error:
            self.close()
            raise os_error(error, f"write {what}", path, kept="nothing was written") from None

    def append(self, line: bytes) -> None:
        data = b"\n" + line if self._torn else line
        try:
            view = memoryview(data)
            while view:  # one write; the loop only guards against a short write
                view = view[os.write(self._fd, view):]
        except OSError as error:
            try:
                os.ftruncate(self._fd, self.size)
            except OSError:  # pragma: no cover - the disk refuses even to shrink the file
                raise os_error(error, f"write {self.what}", self.path,
                               kept="the last line may be cut off: run validate --repair on the file") from None
            raise os_error(error, f"write {self.what}", self.path, kept="the file is as it was before this line") from None
        self.size += len(data)
        self._torn = False

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "LineAppender":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def repair_lines(path: str, stamp: str) -> Tuple[list, Optional[str]]:
    """Remove the lines of a JSON Lines file that are not JSON at all (torn by a cut-off writer, garbled).

    Only on request (``validate --repair``): the removed lines are returned as
    ``LineProblem``s, the original is kept as ``<path>.bak-<stamp>`` and the
    repaired file replaces it in one rename. Lines that are JSON but break a
    schema are data and stay. Returns ``(removed, backup path or None)``.
    """
    import shutil
    import tempfile

    from .locking import locked

    removed: list = []
    try:
        with locked(path):
            with open(path, "rb") as fp:
                for _ in read_json_lines(fp, path, removed.append, objects_only=False):
                    pass
            if not removed:
                return removed, None
            bad = {problem.line for problem in removed}
            backup = f"{path}.bak-{stamp}"
            shutil.copy2(path, backup)
            folder = os.path.dirname(os.path.abspath(path))
            fd, temporary = tempfile.mkstemp(prefix=".repair-", dir=folder)
            try:
                with open(fd, "wb") as out, open(path, "rb") as fp:
                    for number, raw in enumerate(fp, start=1):
                        if number not in bad:
                            out.write(raw if raw.endswith(b"\n") else raw + b"\n")
                os.chmod(temporary, os.stat(path).st_mode & 0o777)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
    except OSError as error:
        raise os_error(error, "repair the file", path, kept="the file is as it was") from None
    return removed, backup
