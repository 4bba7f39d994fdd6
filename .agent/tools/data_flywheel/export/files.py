"""Files of an export: written once, hashed and counted as they are written, listed in the manifest."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from .. import jsonio
from ..errors import SchemaError, os_error
from ..records import schemas


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    bytes: int
    rows: Optional[int]
    kind: str
    format: Optional[str]
    split: Optional[str]
    schema: Optional[str]

    def as_manifest(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "rows": self.rows,
            "kind": self.kind,
            "format": self.format,
            "split": self.split,
            "schema": self.schema,
        }


class RecordFile:
    """A JSONL file of one record kind. Every row is checked against its schema before it is written.

    A row that fails its own schema is a bug in the tool, not in the input:
    the export stops (the previous export stays) rather than ship it.
    """

    def __init__(
        self,
        staging,
        relative: str,
        *,
        kind: str,
        schema_kind: Optional[str],
        format: Optional[str] = None,
        split: Optional[str] = None,
    ) -> None:
        self.relative = relative
        self.kind = kind
        self.schema_kind = schema_kind
        self.format = format
        self.split = split
        self.rows = 0
        self.size = 0
        self._digest = hashlib.sha256()
        self._checker = schemas.checker_for(schema_kind) if schema_kind else None
        self._shown = staging.shown
        self._path = staging.path(relative)
        self._fp = open(self._path, "w", encoding="utf-8", newline="\n")

    def write(self, row: Dict[str, Any]) -> None:
        if self._checker is not None and not self._checker.is_valid(row):
            issue = next(iter(self._checker.iter_issues(row)))
            raise SchemaError(
                f"internal error: a {self.schema_kind} row breaks its schema at {issue.path}: {issue.message}",
                source=self.relative,
                line=self.rows + 1,
                remedy="this is a bug in data-flywheel; please report it with the input that caused it",
            )
        line = jsonio.dumps_line(row)
        data = line.encode("utf-8")
        self._digest.update(data)
        self.size += len(data)
        self.rows += 1
        try:
            self._fp.write(line)
        except OSError as error:  # raised as OutputError, so a reader's "skip unreadable input" never hides it
            raise os_error(error, f"write {self.relative}", self._shown) from None

    def rewrite(self, change: Callable[[int, Dict[str, Any]], Dict[str, Any]]) -> None:
        """Write every row again as ``change(index, row)`` gives it (checked, hashed and counted anew)."""
        self._fp.close()
        path = self._path
        old = path + ".before-rewrite"
        try:
            os.replace(path, old)
            self.rows = 0
            self.size = 0
            self._digest = hashlib.sha256()
            self._fp = open(path, "w", encoding="utf-8", newline="\n")
            with open(old, encoding="utf-8") as before:
                for index, line in enumerate(before):
                    self.write(change(index, json.loads(line)))
            os.remove(old)
        except OSError as error:
            raise os_error(error, f"rewrite {self.relative}", self._shown) from None

    def close(self) -> FileEntry:
        self._fp.close()
        return FileEntry(
            self.relative,
            "sha256:" + self._digest.hexdigest(),
            self.size,
            self.rows,
            self.kind,
            self.format,
            self.split,
            schemas.schema_id(self.schema_kind) if self.schema_kind else None,
        )

    def abandon(self) -> None:
        try:
            self._fp.close()
        except OSError:  # flushing to a full disk fails again; the staging folder is removed anyway
            pass


def write_document(
    staging,
    relative: str,
    text: str,
    *,
    kind: str,
    rows: Optional[int] = None,
    schema_kind: Optional[str] = None,
    format: Optional[str] = None,
) -> FileEntry:
    data = text.encode("utf-8")
    with open(staging.path(relative), "wb") as fp:
        fp.write(data)
    return FileEntry(
        relative,
        "sha256:" + hashlib.sha256(data).hexdigest(),
        len(data),
        rows,
        kind,
        format,
        None,
        schemas.schema_id(schema_kind) if schema_kind else None,
    )


def check_document(kind: str, document: Any, relative: str) -> None:
    checker = schemas.checker_for(kind)
    if not checker.is_valid(document):
        issue = next(iter(checker.iter_issues(document)))
        raise SchemaError(
            f"internal error: {relative} breaks the {kind} schema at {issue.path}: {issue.message}",
            remedy="this is a bug in data-flywheel; please report it",
        )
