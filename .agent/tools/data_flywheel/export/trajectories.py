"""``atif/<split>.jsonl``: the trainable and held-out runs as ATIF trajectories, linked across compactions.

A run's trajectory is written when the curator places it (it gives a training
row or is an eval case), to a scratch file per split. A compaction segment
names the next segment of its session (``continued_trajectory_ref``), which
may be approved later in the input, so the links are filled in at the end:
each split's scratch file is read once more, the link added where the next
segment was exported, every row checked against its schema and written into
the export. Memory stays flat: the segments are indexed in a scratch SQLite
table, and the rows stream.

Subagents are linked the same way, by reference rather than embedded: a
subagent's run is approved, placed in a split and trained on by itself (it
may land in another split than its parent, and either may come first), so
embedding it in the parent's ``subagent_trajectories`` would write it twice,
possibly across the train/held-out line. The subagent's trajectory names its
parent in ``extra.flywheel`` (``parent_session_hash``, ``parent_tool_call_id``,
written with the row); at the end, the parent's observation result of that
call gets a ``SubagentTrajectoryRef`` in the file-ref form Harbor defines:
``trajectory_path`` the subagent's split file (beside this one) and
``trajectory_id`` the line in it, since one file holds many trajectories.
A subagent whose launching call is not known stays linked by session only.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Dict, List, Optional, TextIO

from ..seen import scratch_sqlite
from ..writers import TRAJECTORY_FORMATS
from . import files

FOLDER = "atif"


class TrajectoryFiles:
    def __init__(self, staging) -> None:
        self.staging = staging
        self._folder, self._db = scratch_sqlite("data-flywheel-atif-")
        self._db.execute("CREATE TABLE segments (key TEXT PRIMARY KEY, trajectory_id TEXT) WITHOUT ROWID")
        self._db.execute("CREATE TABLE subagents (call TEXT, trajectory_id TEXT, split TEXT,"
                         " PRIMARY KEY (call, trajectory_id)) WITHOUT ROWID")
        self._db.execute("BEGIN")
        self._scratch: Dict[str, TextIO] = {}

    def write(self, run, split: str, eval_case: bool) -> None:
        for fmt in TRAJECTORY_FORMATS:
            for row in fmt.rows(run, split, eval_case):
                key = _segment_key(row, 0)
                if key is not None:
                    # The first run approved for a segment is the one a link names.
                    self._db.execute("INSERT OR IGNORE INTO segments VALUES (?, ?)", (key, row["trajectory_id"]))
                call = _launch_key(row["extra"]["flywheel"])
                if call is not None:
                    self._db.execute("INSERT OR IGNORE INTO subagents VALUES (?, ?, ?)",
                                     (call, row["trajectory_id"], split))
                handle = self._scratch.get(split)
                if handle is None:
                    handle = self._scratch[split] = open(os.path.join(self._folder, split + ".jsonl"), "w+",
                                                         encoding="utf-8", newline="\n")
                handle.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")

    def close(self) -> List[files.FileEntry]:
        entries = []
        try:
            for split in sorted(self._scratch):
                handle = self._scratch[split]
                handle.seek(0)
                out = files.RecordFile(self.staging, f"{FOLDER}/{split}.jsonl", kind="trajectory",
                                       schema_kind=TRAJECTORY_FORMATS[0].SCHEMA_KIND,
                                       format=TRAJECTORY_FORMATS[0].NAME, split=split)
                try:
                    for line in handle:
                        row = json.loads(line)
                        following = self._next_segment(row)
                        if following is not None:
                            row["continued_trajectory_ref"] = following
                        self._refer_subagents(row)
                        out.write(row)
                except BaseException:
                    out.abandon()
                    raise
                entries.append(out.close())
        finally:
            self.abandon()
        return entries

    def _next_segment(self, row) -> Optional[str]:
        key = _segment_key(row, 1)
        if key is None:
            return None
        found = self._db.execute("SELECT trajectory_id FROM segments WHERE key = ?", (key,)).fetchone()
        return found[0] if found is not None and found[0] != row["trajectory_id"] else None

    def _refer_subagents(self, row) -> None:
        """Each observation result of a call that launched exported subagents refers to them."""
        session = row["extra"]["flywheel"].get("session_hash")
        if session is None:
            return
        for step in row["steps"]:
            for result in step.get("observation", {}).get("results", ()):
                call = result.get("source_call_id")
                if call is None:
                    continue
                found = self._db.execute("SELECT trajectory_id, split FROM subagents WHERE call = ?"
                                         " ORDER BY trajectory_id", (f"{session}\x1f{call}",)).fetchall()
                if found:
                    result["subagent_trajectory_ref"] = [
                        {"trajectory_id": trajectory, "trajectory_path": f"{split}.jsonl"} for trajectory, split in found]

    def abandon(self) -> None:
        for handle in self._scratch.values():
            handle.close()
        self._scratch = {}
        if self._db is not None:
            self._db.close()
            self._db = None
            shutil.rmtree(self._folder, ignore_errors=True)


def _segment_key(row, offset: int) -> Optional[str]:
    provenance = row["extra"]["flywheel"]
    session, segment = provenance.get("session_hash"), provenance.get("segment")
    if session is None or segment is None:
        return None
    return f"{provenance['split']}\x1f{session}\x1f{segment + offset}"


def _launch_key(provenance) -> Optional[str]:
    session, call = provenance.get("parent_session_hash"), provenance.get("parent_tool_call_id")
    return None if session is None or call is None else f"{session}\x1f{call}"
