"""Render an export's report.html in headless Chromium and save a screenshot: a manual look, not a test.

    python3 bench/report_screenshot.py [EXPORT_DIR] [--out report.png]

Without EXPORT_DIR it exports the bundled example first. Needs a `chromium`
(Debian: apt-get install chromium); prints where the PNG is and its size, and
exits 1 when Chromium is missing or wrote nothing.
"""
from __future__ import annotations

import argparse
import os
import struct
import shutil
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY = os.path.join(ROOT, "tools", "data_flywheel_export.py")


def inked_rows(png: str) -> float:
    """Share of the screenshot's pixel rows that are not one flat colour (a blank page scores near 0)."""
    with open(png, "rb") as fp:
        data = fp.read()
    position, idat, width, channels = 8, b"", 0, 4
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, _height, _depth, colour = struct.unpack(">IIBB", body[:10])
            channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour, 4)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * channels
    rows = [raw[i:i + stride] for i in range(0, len(raw), stride)]
    inked = 0
    for row in rows:
        pixels = row[1 + channels:]
        # Filter 0 keeps raw bytes (flat if one value); filters 1-4 turn a flat row into zeros.
        flat = len(set(pixels)) <= 1 if row[0] == 0 else not any(pixels)
        inked += not flat
    return inked / max(len(rows), 1)


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
    share = inked_rows(args.out) if size else 0.0
    print(f"{args.out}: {size} bytes, {share:.0%} of pixel rows not blank (from {page})")
    return 0 if share > 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())
