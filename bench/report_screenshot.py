"""Render an export's report.html in headless Chromium and save a screenshot: a manual look, not a test.

    python3 bench/report_screenshot.py [EXPORT_DIR] [--out report.png]

Without EXPORT_DIR it exports the bundled example first. Needs a `chromium`
(Debian: apt-get install chromium); prints where the PNG is and its size, and
exits 1 when Chromium is missing or wrote nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY = os.path.join(ROOT, "tools", "data_flywheel_export.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", nargs="?", default="")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "flywheel-report.png"))
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    folder = args.export
    if not folder:
        folder = os.path.join(tempfile.mkdtemp(), "export")
        subprocess.run([sys.executable, ENTRY, "export", "--approved-runs",
                        os.path.join(ROOT, "examples", "flywheel", "approved-runs.jsonl"), "--out", folder],
                       check=True, stdout=subprocess.DEVNULL)
    page = os.path.abspath(os.path.join(folder, "report.html"))
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,2400",
                    f"--screenshot={args.out}", "file://" + page], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    size = os.path.getsize(args.out) if os.path.exists(args.out) else 0
    print(f"{args.out}: {size} bytes (from {page})")
    return 0 if size > 10_000 else 1


if __name__ == "__main__":
    sys.exit(main())
