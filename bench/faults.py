#!/usr/bin/env python3
"""The fault bench: crashes, full disks, races and hostile input, as an operator's machine sees them.

Categories (each prints cases tried, handled cleanly, failures):

- kill -9 at random moments of a 10k-run export, a reader polling the export
  path all along: the path must always hold a complete export (the previous
  or the new one), never be missing; leftovers are removed by the next run.
- kill -9 just before and after each publishing step (exchange, renames,
  removal), for the exchange and for the two-rename fallback.
- 8 writers appending decisions (record) while an export runs, and two
  exports at once: no lost or torn line, one export at a time.
- a full tmpfs (mounted when the machine allows), a read-only one, too few
  file descriptors, a file-size limit, a path too long: exit 2, one line,
  the previous export intact, no staging left, stores whole.
- an OSError injected at each write of each command.
- 600 fuzzed approved-run lines (each exported alone) and a 20 MB string.
- 150 fuzzed config.json / redaction.json files, each exported with.
- deny-list cost: 10,000 entries against 1,000.

Every in-process case runs under a time limit (a hang is a failure). Not part
of `make test`: it takes a few minutes. Usage: python3 bench/faults.py [--quick]
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY = os.path.join(ROOT, "tools", "data_flywheel_export.py")
FAULTWRAP = os.path.join(ROOT, "tests", "faultwrap.py")
PI_SESSION = os.path.join(ROOT, "tests", "fixtures", "pi", "branch.jsonl")
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from data_flywheel.cli import main as cli_main  # noqa: E402
from faultwrap import Injector, install_write_faults  # noqa: E402
from fuzz import base_run, fuzzed_configs, fuzzed_lines  # noqa: E402

ENV = {**os.environ, "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"}
LIMIT_SECONDS = 60
ONE_ERROR_LINE = re.compile(r"error: \S.*: .+\(.+\)\n\Z")


class Tally:
    def __init__(self) -> None:
        self.rows: Dict[str, List] = {}

    def case(self, category: str, ok: bool, detail: str = "") -> None:
        row = self.rows.setdefault(category, [0, 0, []])
        row[0] += 1
        if ok:
            row[1] += 1
        else:
            row[2].append(detail)

    def print(self) -> bool:
        width = max(len(name) for name in self.rows)
        print(f"\n{'category':<{width}}  tried  clean  failures")
        clean = True
        for name, (tried, ok, failures) in self.rows.items():
            print(f"{name:<{width}}  {tried:>5}  {ok:>5}  {len(failures):>8}")
            for detail in failures[:5]:
                print(f"{'':<{width}}    - {detail[:300]}")
            clean = clean and not failures
        print("\nall clean" if clean else "\nFAILURES above")
        return clean


# --- helpers --------------------------------------------------------------------------------------


def write_runs(path: str, count: int, tag: str) -> str:
    workflows = ["bug_triage", "refactor", "code_review", "Lead Intake", "migration"]
    with open(path, "w", encoding="utf-8") as fp:
        for index in range(count):
            run = base_run(index)
            run["id"] = f"{tag}-{index:06d}"
            run["workflow"] = workflows[index % len(workflows)]
            run["input_redacted"] += f" ({tag}) the import of batch {index} fails after a custom field is added."
            fp.write(json.dumps(run) + "\n")
    return path


def export_state(out: str) -> Optional[str]:
    """The input sha256 of the complete export at ``out``, or None when it is missing or incomplete."""
    try:
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as fp:
            manifest = json.load(fp)
        for entry in manifest["files"]:
            if os.path.getsize(os.path.join(out, entry["path"])) != entry["bytes"]:
                return None
        return manifest["input"]["sha256"]
    except (OSError, ValueError, KeyError):
        return None


def leftovers(folder: str) -> List[str]:
    return [name for name in os.listdir(folder) if ".staging-" in name or ".previous-" in name]


class Reader(threading.Thread):
    """Polls the export path: counts the times it is missing or its manifest cannot be read."""

    def __init__(self, out: str) -> None:
        super().__init__(daemon=True)
        self.out = out
        self.looks = 0
        self.missing = 0
        self.stop = threading.Event()

    def run(self) -> None:
        manifest = os.path.join(self.out, "manifest.json")
        while not self.stop.is_set():
            self.looks += 1
            try:
                with open(manifest, "rb") as fp:
                    json.loads(fp.read())
            except (OSError, ValueError):
                self.missing += 1
            time.sleep(0.0005)

    def finish(self) -> int:
        self.stop.set()
        self.join()
        return self.missing


def cli(argv: List[str], env: Optional[Dict[str, str]] = None):
    """Run the command line in this process under the time limit: (code, stdout, stderr) or raise."""
    out, err = io.StringIO(), io.StringIO()

    def alarm(_signum, _frame):
        raise TimeoutError(f"no answer in {LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, LIMIT_SECONDS)
    try:
        code = cli_main(argv, stdin=io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"), stdout=out, stderr=err,
                        env=env or {"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000", "DATA_FLYWHEEL_LOCK_WAIT": "0"})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def guarded(tally: Tally, category: str, name: str, function: Callable[[], Optional[str]]) -> None:
    """Run one case: it returns None when handled cleanly, else what went wrong; an exception is a failure."""
    try:
        problem = function()
    except BaseException as error:  # a traceback or a hang is exactly what this bench looks for
        if isinstance(error, KeyboardInterrupt):
            raise
        problem = f"{type(error).__name__}: {error}"
    tally.case(category, problem is None, f"{name}: {problem}")


def spawn(argv: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *argv], env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# --- kill -9 ---------------------------------------------------------------------------------------


def kills_at_random(tally: Tally, work: str, count: int, runs: int, seed: int) -> None:
    category = f"kill -9 during a {runs // 1000}k-run export"
    out = os.path.join(work, "kill", "out")
    os.makedirs(os.path.dirname(out))
    a = write_runs(os.path.join(work, "runs-a.jsonl"), runs, "a")
    b = write_runs(os.path.join(work, "runs-b.jsonl"), runs, "b")
    started = time.monotonic()
    subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", a, "--out", out], env=ENV, check=True, capture_output=True)
    duration = time.monotonic() - started
    print(f"  a {runs}-run export takes {duration:.1f} s here; killing {count} at random moments")
    rng = random.Random(seed)
    reader = Reader(out)
    reader.start()
    sources = [a, b]
    outcomes = {"previous export": 0, "new export": 0}
    for case in range(count):
        before = export_state(out)
        source = sources[case % 2 == 0]
        child = spawn([ENTRY, "export", "--approved-runs", source, "--out", out])
        moment = rng.uniform(0.05, duration * 1.05)
        time.sleep(moment)
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = export_state(out)
        left = leftovers(os.path.dirname(out))
        outcomes["previous export" if after == before else "new export"] += 1

        def check() -> Optional[str]:
            if after is None:
                return "no complete export at the path"
            if after != before and child.returncode == -9 and moment < 0.3:
                return "changed before the export could have finished"
            if len(left) > 2:
                return f"leftovers pile up: {left}"
            return None

        guarded(tally, category, f"kill at {moment:.2f} s", check)
    missing = reader.finish()
    final = subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", a, "--out", out], env=ENV, capture_output=True, text=True)
    tally.case(category, missing == 0, f"the export path was missing or unreadable {missing} of {reader.looks} looks")
    tally.case(category, final.returncode == 0 and not leftovers(os.path.dirname(out)),
               f"the next run left {leftovers(os.path.dirname(out))} (exit {final.returncode})")
    print(f"  after the kills the path held: {outcomes}; the reader looked {reader.looks} times, "
          f"found it missing or unreadable {missing} times")


def kills_at_each_step(tally: Tally, work: str) -> None:
    for fallback in (False, True):
        category = "kill -9 at each publishing step" + (" (two-rename fallback)" if fallback else "")
        folder = os.path.join(work, "steps-fallback" if fallback else "steps")
        os.makedirs(folder)
        out = os.path.join(folder, "out")
        a = write_runs(os.path.join(folder, "a.jsonl"), 300, "a")
        b = write_runs(os.path.join(folder, "b.jsonl"), 300, "b")
        subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", a, "--out", out], env=ENV, check=True,
                       capture_output=True)
        flags = ["--no-exchange"] if fallback else []
        step = 0
        while True:
            step += 1
            before = export_state(out)
            reader = Reader(out)
            reader.start()
            source = b if step % 2 else a
            child = subprocess.run([sys.executable, FAULTWRAP, "--kill-at", str(step), *flags, "--",
                                    "export", "--approved-runs", source, "--out", out], env=ENV, capture_output=True)
            missing = reader.finish()
            if child.returncode != -9:
                break
            after = export_state(out)
            restored = None
            if after is None and fallback:
                # The documented window of the fallback: the next run puts the previous export back.
                subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", a, "--out", out], env=ENV, check=True,
                               capture_output=True)
                restored = export_state(out)

            def check() -> Optional[str]:
                if after is None and not fallback:
                    return "no complete export after the kill"
                if after is None and restored is None:
                    return "the next run did not restore an export"
                if after is not None and after != before and after is not None and step == 1:
                    return "the export changed before the first step"
                if missing and not fallback:
                    return f"a reader found the path missing {missing} times"
                return None

            guarded(tally, category, f"step {step}", check)
        subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", a, "--out", out], env=ENV, check=True, capture_output=True)
        tally.case(category, not leftovers(folder), f"leftovers after the next run: {leftovers(folder)}")


# --- concurrency -----------------------------------------------------------------------------------

WRITER = r"""
import io, sys
sys.path.insert(0, sys.argv[1])
from data_flywheel.cli import main
root, tag, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
codes = []
for index in range(count):
    codes.append(main(["record", "--agent-root", root, "--domain", "saas", "--workflow", "triage", "--status", "accepted",
                       "--input", f"Writer {tag} task {index}: fix the import.", "--output", f"Fixed {tag}-{index}.",
                       "--reviewer", "dana"], stdout=io.StringIO(), stderr=sys.stderr, env={"NO_COLOR": "1"}))
print(sum(1 for code in codes if code == 0))
"""


def concurrent_writers(tally: Tally, work: str, writers: int, each: int, runs: int) -> None:
    category = f"{writers} writers appending during an export"
    root = os.path.join(work, "together", ".agent")
    store = os.path.join(root, "flywheel", "approved-runs.jsonl")
    os.makedirs(os.path.dirname(store))
    shutil.copy(write_runs(os.path.join(work, "together.jsonl"), runs, "t"), store)
    out = os.path.join(work, "together", "out")
    export = spawn([ENTRY, "export", "--agent-root", root, "--out", out])
    children = [spawn(["-c", WRITER, os.path.join(ROOT, "tools"), root, f"w{n}", str(each)]) for n in range(writers)]
    recorded = 0
    for child in children:
        stdout, stderr = child.communicate()
        recorded += int(stdout.decode().strip() or 0)
        if child.returncode != 0:
            tally.case(category, False, f"a writer exited {child.returncode}: {stderr.decode()[-300:]}")
    export.communicate()
    with open(store, "rb") as fp:
        data = fp.read()
    lines = data.split(b"\n")
    torn = 0
    for line in lines[:-1]:
        try:
            json.loads(line)
        except ValueError:
            torn += 1
    appended = len(lines) - 1 - runs
    for index in range(writers * each):
        tally.case(category, index < recorded, "a record did not succeed")
    tally.case(category, export.returncode == 0, f"the export exited {export.returncode}")
    tally.case(category, data.endswith(b"\n") and torn == 0 and appended == writers * each,
               f"{torn} torn lines, {appended} appended of {writers * each}")
    # Two exports at once: one waits (or, told not to, stops with exit 2); never a half-published tree.
    category = "two exports at once"
    for wait in ("0", "120"):
        env = {**ENV, "DATA_FLYWHEEL_LOCK_WAIT": wait}
        first = spawn([ENTRY, "export", "--agent-root", root, "--out", out], env)
        time.sleep(0.3)
        second = spawn([ENTRY, "export", "--agent-root", root, "--out", out], env)
        _, err2 = second.communicate()
        first.communicate()
        message = err2.decode()
        if wait == "0":
            ok = (second.returncode == 2 and "another export is running (pid " in message) or second.returncode == 0
        else:
            ok = second.returncode == 0
        ok = ok and first.returncode == 0 and export_state(out) is not None and not leftovers(os.path.dirname(out))
        tally.case(category, ok, f"wait {wait}: exits {first.returncode}/{second.returncode}: {message[-200:]}")


# --- real OS errors ----------------------------------------------------------------------------------


def real_os_errors(tally: Tally, work: str, runs_path: str) -> None:
    category = "full, read-only and limited file systems"
    mount = os.path.join(work, "tmpfs")
    os.makedirs(mount)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount], capture_output=True).returncode == 0
    small = write_runs(os.path.join(work, "small.jsonl"), 20, "s")
    try:
        if mounted:
            out = os.path.join(mount, "out")
            subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", small, "--out", out], env=ENV, check=True, capture_output=True)
            before = snapshot(out)
            filler = os.path.join(mount, "filler")
            expect_clean(tally, category, "export onto a full tmpfs",
                         [ENTRY, "export", "--approved-runs", runs_path, "--out", out], out, before, mount)
            root = os.path.join(mount, ".agent")
            store = os.path.join(root, "flywheel", "approved-runs.jsonl")
            os.makedirs(os.path.dirname(store))
            shutil.copy(small, store)
            fill(filler, mount)
            expect_clean(tally, category, "record onto a full tmpfs",
                         [ENTRY, "record", "--agent-root", root, "--domain", "saas", "--workflow", "triage", "--status",
                          "accepted", "--input", "x" * 5000, "--output", "Fixed.", "--reviewer", "dana"], out, before, mount,
                         stores=[store])
            expect_clean(tally, category, "harvest onto a full tmpfs",
                         [ENTRY, "harvest", "--agent-root", root, "--path", PI_SESSION, "--out", os.path.join(mount, "h")],
                         out, before, mount, stores=[store])
            with open(store, "ab") as fp:
                fp.write(b'{"id": "torn", "cre')
            os.remove(filler)
            fill(filler, mount, leave=1024)
            expect_clean(tally, category, "validate --repair on a full tmpfs", [ENTRY, "validate", "--repair", store],
                         out, before, mount, unchanged=[store])
            os.remove(filler)
            subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
            expect_clean(tally, category, "export onto a read-only file system",
                         [ENTRY, "export", "--approved-runs", small, "--out", out], out, before, mount)
            expect_clean(tally, category, "record onto a read-only file system",
                         [ENTRY, "record", "--agent-root", root, "--domain", "saas", "--workflow", "triage", "--status",
                          "accepted", "--input", "Fix it.", "--output", "Fixed.", "--reviewer", "dana"], out, before, mount)
        else:
            print("  (cannot mount a tmpfs here: the full and read-only file system cases are skipped)")
        out = os.path.join(work, "limits", "out")
        os.makedirs(os.path.dirname(out))
        subprocess.run([sys.executable, ENTRY, "export", "--approved-runs", small, "--out", out], env=ENV, check=True, capture_output=True)
        before = snapshot(out)
        for name, limit in (("too few file descriptors (RLIMIT_NOFILE 16)", (resource.RLIMIT_NOFILE, 16)),
                            ("a file-size limit (RLIMIT_FSIZE 64 KB)", (resource.RLIMIT_FSIZE, 65536))):
            expect_clean(tally, category, name, [ENTRY, "export", "--approved-runs", runs_path, "--out", out], out, before,
                         os.path.dirname(out), limit=limit)
        long_out = os.path.join(work, "limits", "x" * 300)
        expect_clean(tally, category, "a path too long", [ENTRY, "export", "--approved-runs", small, "--out", long_out],
                     out, before, os.path.dirname(out))
    finally:
        if mounted:
            subprocess.run(["umount", mount], capture_output=True)


def fill(path: str, mount: str, leave: int = 0) -> None:
    """Fill the file system at ``mount`` up to ``leave`` free bytes."""
    stats = os.statvfs(mount)
    free = stats.f_bavail * stats.f_frsize - leave
    with open(path, "wb") as fp:
        try:
            fp.write(b"\0" * max(0, free))
            fp.flush()
        except OSError:
            pass


def snapshot(folder: str) -> Dict[str, bytes]:
    found = {}
    for base, _dirs, names in os.walk(folder):
        for name in names:
            with open(os.path.join(base, name), "rb") as fp:
                found[os.path.relpath(os.path.join(base, name), folder)] = fp.read()
    return found


def expect_clean(tally: Tally, category: str, name: str, argv: List[str], out: str, before: Dict[str, bytes],
                 folder: str, *, stores=(), unchanged=(), limit=None) -> None:
    kept = {path: open(path, "rb").read() for path in unchanged}

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past RLIMIT_FSIZE fails with EFBIG instead
        if limit is not None:
            resource.setrlimit(limit[0], (limit[1], limit[1]))

    child = subprocess.run([sys.executable, *argv], env=ENV, capture_output=True, text=True, preexec_fn=limited)

    def check() -> Optional[str]:
        if child.returncode != 2 or not ONE_ERROR_LINE.match(child.stderr):
            return f"exit {child.returncode}: {child.stderr[-400:]!r}"
        if snapshot(out) != before:
            return "the previous export changed"
        if leftovers(folder):
            return f"staging left: {leftovers(folder)}"
        for store in stores:
            with open(store, "rb") as fp:
                data = fp.read()
            if not data.endswith(b"\n") or any(not json.loads(line) for line in data.splitlines()):
                return f"{store} holds a torn line"
        for path, data in kept.items():
            if open(path, "rb").read() != data:
                return f"{path} changed"
        return None

    guarded(tally, category, name, check)
    print(f"  {name}: {child.stderr.strip()[:200]}")


# --- injected OSErrors ------------------------------------------------------------------------------


class _Patches:
    def __init__(self) -> None:
        self.saved: list = []

    def __call__(self, owner, name, value) -> None:
        self.saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def undo(self) -> None:
        while self.saved:
            owner, name, value = self.saved.pop()
            setattr(owner, name, value)


def injected_errors(tally: Tally, work: str) -> None:
    category = "an OSError at each write of each command"
    template = os.path.join(work, "inject-template")
    root = os.path.join(template, ".agent")
    os.makedirs(os.path.join(root, "flywheel"))
    write_runs(os.path.join(root, "flywheel", "approved-runs.jsonl"), 30, "i")
    commands = {
        "export": lambda base: ["export", "--agent-root", os.path.join(base, ".agent"), "--out", os.path.join(base, "out")],
        "harvest": lambda base: ["harvest", "--agent-root", os.path.join(base, ".agent"), "--path", PI_SESSION,
                                 "--out", os.path.join(base, "h")],
        "record": lambda base: ["record", "--agent-root", os.path.join(base, ".agent"), "--domain", "saas", "--workflow",
                                "t", "--status", "accepted", "--input", "Fix.", "--output", "Fixed.", "--reviewer", "dana"],
        "status": lambda base: ["status", "--agent-root", os.path.join(base, ".agent")],
        "validate --repair": lambda base: ["validate", "--repair", os.path.join(base, ".agent", "flywheel", "approved-runs.jsonl")],
    }
    assert cli(commands["export"](template))[0] == 0
    codes = [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EMFILE, errno.ENAMETOOLONG, errno.EIO, errno.EDQUOT]
    number = 0
    for name, argv in commands.items():
        injector = Injector(0, 0)
        patches = _Patches()
        probe = os.path.join(work, "inject-probe")
        shutil.copytree(template, probe)
        install_write_faults(injector, patches)
        try:
            cli(argv(probe))
        finally:
            patches.undo()
        shutil.rmtree(probe)
        for fail_at in range(1, injector.calls + 1):
            number += 1
            base = os.path.join(work, f"inject-{number}")
            shutil.copytree(template, base)
            before = snapshot(os.path.join(base, "out"))
            code = codes[number % len(codes)]
            patches = _Patches()
            install_write_faults(Injector(fail_at, code), patches)
            try:
                result = cli(argv(base))
            except BaseException as error:
                patches.undo()
                tally.case(category, False, f"{name} write {fail_at}: {type(error).__name__}: {error}")
                continue
            patches.undo()

            def check() -> Optional[str]:
                exit_code, _out, err = result
                if exit_code != 2 or not ONE_ERROR_LINE.match(err) or os.strerror(code) not in err:
                    return f"exit {exit_code}: {err[-300:]!r}"
                if snapshot(os.path.join(base, "out")) != before or leftovers(base):
                    return "the previous export changed or staging was left"
                store = os.path.join(base, ".agent", "flywheel", "approved-runs.jsonl")
                with open(store, "rb") as fp:
                    if not fp.read().endswith(b"\n"):
                        return "torn approved runs"
                return None

            guarded(tally, category, f"{name} write {fail_at} ({errno.errorcode[code]})", check)
            shutil.rmtree(base)


# --- hostile input ----------------------------------------------------------------------------------


def fuzzed_runs(tally: Tally, work: str, count: int) -> None:
    category = f"fuzzed approved-run lines"
    folder = os.path.join(work, "fuzz-lines")
    os.makedirs(folder)
    path = os.path.join(folder, "runs.jsonl")
    for index, (name, data) in enumerate(fuzzed_lines(seed=1515, count=count)):
        with open(path, "wb") as fp:
            fp.write(data.replace(b"\n", b" ") + b"\n")
        out = os.path.join(folder, "out")

        def check() -> Optional[str]:
            code, _stdout, err = cli(["export", "--approved-runs", path, "--out", out])
            if code != 0:
                return f"exit {code}: {err[-200:]!r}"
            with open(os.path.join(out, "flywheel-metrics.json"), encoding="utf-8") as fp:
                quality = json.load(fp)["input_quality"]
            if quality["records_read"] == 1:
                return None
            if quality["skipped_lines"] + quality["blank_lines"] == 1 and (quality["blank_lines"] or f"{path}:1: " in err):
                return None
            return f"neither exported nor reported: {quality}"

        guarded(tally, category, f"case {index} ({name})", check)
    category = "a 20 MB string"
    big = base_run(1)
    big["output_approved"] = ("All clear. " * 2_000_000)[:20_000_000]
    with open(path, "w", encoding="utf-8") as fp:
        fp.write(json.dumps(big) + "\n")
    started = time.monotonic()
    guarded(tally, category, "export", lambda: None if cli(["export", "--approved-runs", path, "--out",
                                                            os.path.join(folder, "big")])[0] == 0 else "not exported")
    print(f"  a run with a 20 MB answer exported in {time.monotonic() - started:.1f} s")


def fuzzed_config_files(tally: Tally, work: str, count: int) -> None:
    category = "fuzzed config.json / redaction.json"
    root = os.path.join(work, "fuzz-config", ".agent")
    flywheel = os.path.join(root, "flywheel")
    os.makedirs(flywheel)
    write_runs(os.path.join(flywheel, "approved-runs.jsonl"), 5, "c")
    for index, (name, mutation, data) in enumerate(fuzzed_configs(seed=1515, count=count)):
        for other in ("config.json", "redaction.json"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(flywheel, other))
        with open(os.path.join(flywheel, name), "wb") as fp:
            fp.write(data)

        def check() -> Optional[str]:
            code, _stdout, err = cli(["export", "--agent-root", root, "--out", os.path.join(work, "fuzz-config", "out")])
            if code == 0 or (code == 2 and ONE_ERROR_LINE.match(err) and err.startswith(f"error: {os.path.join(flywheel, name)}")):
                return None
            return f"exit {code}: {err[-200:]!r}"

        guarded(tally, category, f"case {index} {name} ({mutation})", check)


def deny_list_cost(tally: Tally, work: str) -> None:
    category = "deny-list: 10,000 entries within 3x of 1,000"
    rng = random.Random(6)
    seconds = {}
    for size in (1000, 10000):
        root = os.path.join(work, f"deny-{size}", ".agent")
        os.makedirs(os.path.join(root, "flywheel"))
        write_runs(os.path.join(root, "flywheel", "approved-runs.jsonl"), 300, "d")
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 12))) for _ in range(size)]
        deny = [word.title() + " Corp" if n % 3 == 0 else word for n, word in enumerate(words)]
        with open(os.path.join(root, "flywheel", "redaction.json"), "w", encoding="utf-8") as fp:
            json.dump({"deny": deny + [{"regex": "build-[0-9]+\\.corp", "label": "HOST"}]}, fp)
        best = None
        for _ in range(3):
            started = time.monotonic()
            subprocess.run([sys.executable, ENTRY, "export", "--agent-root", root, "--out", os.path.join(root, "out")],
                           env=ENV, check=True, capture_output=True)
            elapsed = time.monotonic() - started
            best = elapsed if best is None else min(best, elapsed)
        seconds[size] = best
    ratio = seconds[10000] / seconds[1000]
    print(f"  export of 300 runs: 1,000 deny entries {seconds[1000]:.2f} s, 10,000 {seconds[10000]:.2f} s ({ratio:.2f}x)")
    tally.case(category, ratio <= 3, f"{ratio:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and smaller cases (a smoke run)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    options = parser.parse_args()
    work = options.keep or tempfile.mkdtemp(prefix="flywheel-faults-")
    os.makedirs(work, exist_ok=True)
    tally = Tally()
    runs = 1000 if options.quick else 10000
    try:
        print("kill -9 at random moments ...", flush=True)
        kills_at_random(tally, work, 4 if options.quick else 20, runs, seed=15)
        print("kill -9 at each publishing step ...", flush=True)
        kills_at_each_step(tally, work)
        print("concurrent writers ...", flush=True)
        concurrent_writers(tally, work, 8, 5 if options.quick else 25, runs)
        print("real OS errors ...", flush=True)
        real_os_errors(tally, work, os.path.join(work, "runs-a.jsonl"))
        print("injected OS errors ...", flush=True)
        injected_errors(tally, work)
        print("fuzzed lines ...", flush=True)
        fuzzed_runs(tally, work, 60 if options.quick else 600)
        print("fuzzed configuration files ...", flush=True)
        fuzzed_config_files(tally, work, 30 if options.quick else 150)
        print("deny-list cost ...", flush=True)
        deny_list_cost(tally, work)
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if tally.print() else 1


if __name__ == "__main__":
    sys.exit(main())
