"""(Re)build report.html, the one-page view of an export, and optionally open it in the browser.

Every export writes report.html; this command rebuilds it from an export
folder's own files (flywheel-metrics.json, redaction-report.json,
context-cards.json and the cards, manifest.json) and the metrics of every
export beside it (runs over time), then updates its line in manifest.json.
Without a folder it takes the newest export in <agent-root>/flywheel/exports/.
The page is self-contained: inline CSS and SVG, no script, nothing fetched;
readable with JavaScript off, in dark mode and on paper.

Examples:
  python3 .agent/tools/data_flywheel_export.py report --open
  python3 .agent/tools/data_flywheel_export.py report build/demo-export --json
"""
from __future__ import annotations

import hashlib
import os
import pathlib

from .. import jsonio
from ..errors import InputError, os_error
from ..export import report as html_report
from . import common

NAME = "report"
SUMMARY = "(re)build an export's report.html (readiness, growth, redaction, datasets, cards); --open shows it"


def add_arguments(parser) -> None:
    parser.add_argument("export", nargs="?", default="", metavar="EXPORT_DIR",
                        help="an export folder (default: the newest in <agent-root>/flywheel/exports/)")
    parser.add_argument("--agent-root", default=".agent", metavar="DIR", help="the .agent folder (default: .agent)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser afterwards")
    common.add_json_flag(parser)


def newest_export(exports_root: str) -> str:
    try:
        names = sorted(name for name in os.listdir(exports_root)
                       if not name.startswith(".") and os.path.isfile(os.path.join(exports_root, name, "flywheel-metrics.json")))
    except OSError:
        names = []
    if not names:
        raise InputError("no export found", source=exports_root, remedy="run 'export' first, or name an export folder")
    return os.path.join(exports_root, names[-1])


def run(args, streams) -> int:
    folder = args.export or newest_export(os.path.join(common.flywheel_dir(args), "exports"))
    if not os.path.isdir(folder):
        raise InputError("not a folder", source=folder, remedy="name an export folder (it holds flywheel-metrics.json)")
    page = html_report.build_from_folder(folder)
    path = os.path.join(folder, html_report.REPORT_FILE)
    data = page.encode("utf-8")
    _publish(folder, path, data)
    if args.json:
        streams.json({"report": path, "bytes": len(data), "opened": bool(args.open)})
    else:
        streams.stdout.write(f"report: {path}\n")
    if args.open:
        import webbrowser

        webbrowser.open(pathlib.Path(os.path.abspath(path)).as_uri())
    return 0


def _publish(folder: str, path: str, data: bytes) -> None:
    """Put the page and its manifest line in place together, or leave the export as it was.

    Both are written beside their targets first; only then are they renamed in,
    the page first. If the manifest's rename fails, the previous page is put back.
    """
    manifest_path = os.path.join(folder, "manifest.json")
    manifest = _manifest_with(manifest_path, data)
    previous = None
    if os.path.isfile(path):
        with open(path, "rb") as fp:
            previous = fp.read()
    written = []
    try:
        for target, body in ((path, data), (manifest_path, manifest)):
            temporary = target + ".tmp"
            written.append(temporary)
            with open(temporary, "wb") as fp:
                fp.write(body)
        os.replace(path + ".tmp", path)
        written.remove(path + ".tmp")
        try:
            os.replace(manifest_path + ".tmp", manifest_path)
            written.remove(manifest_path + ".tmp")
        except OSError:
            if previous is not None:
                _put_back(path, previous)
            raise
    except OSError as error:
        for temporary in written:
            try:
                os.remove(temporary)
            except OSError:
                pass
        raise os_error(error, "write the report", path, kept="the export is as it was") from None


def _put_back(path: str, data: bytes) -> None:
    temporary = path + ".tmp"
    with open(temporary, "wb") as fp:
        fp.write(data)
    os.replace(temporary, path)


def _manifest_with(path: str, data: bytes) -> bytes:
    """manifest.json with its line for report.html true to the bytes about to be written."""
    manifest = html_report.read_json(path)
    entry = {"path": html_report.REPORT_FILE, "sha256": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data),
             "rows": None, "kind": "report", "format": "html", "split": None, "schema": None}
    files = [item for item in manifest.get("files", []) if item.get("path") != html_report.REPORT_FILE]
    manifest["files"] = sorted(files + [entry], key=lambda item: item.get("path", ""))
    return jsonio.dumps_document(manifest).encode("utf-8")
