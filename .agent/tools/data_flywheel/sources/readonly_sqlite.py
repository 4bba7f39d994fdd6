"""Opening a harness's SQLite store without any chance of changing it.

Read-only by URI (``mode=ro``): SQLite refuses every write on the connection,
and a database that its harness holds open in WAL mode still opens and shows
the last committed state. ``Path.as_uri()`` escapes characters such as ``?``
and ``#`` that would otherwise end the file name in a URI.
"""
from __future__ import annotations

import os
import pathlib
import sqlite3
from typing import Iterable, Mapping

MAGIC = b"SQLite format 3\x00"


def connect(path: str) -> sqlite3.Connection:
    uri = pathlib.Path(os.path.abspath(path)).as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=5.0)
    connection.row_factory = sqlite3.Row
    return connection


def is_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as fp:
            return fp.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def table_columns(connection: sqlite3.Connection, table: str) -> set:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def has_tables(path: str, required: Mapping[str, Iterable[str]]) -> bool:
    """True for an SQLite file whose tables include each of ``required`` with at least its columns.

    How the SQLite readers sniff: a database they cannot open, or of another
    shape, is simply not theirs.
    """
    if os.path.isdir(path) or not is_sqlite(path):
        return False
    try:
        connection = connect(path)
    except sqlite3.Error:
        return False
    try:
        for table, columns in required.items():
            present = table_columns(connection, table)  # empty when there is no such table
            if not present or not set(columns) <= present:
                return False
        return True
    except sqlite3.Error:
        return False
    finally:
        connection.close()
