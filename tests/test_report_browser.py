"""report.html in a real browser: headless Chromium renders it, the screenshot is not blank, every heading shows.

Chromium comes from the distribution's packages (`.ci/run` installs it when it is
missing). Elsewhere the test skips with the reason; under CI=true it must run.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLE_RUNS, ROOT, run_cli

sys.path.insert(0, os.path.join(ROOT, "bench"))
from report_screenshot import inked_rows  # noqa: E402

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1200,2400"]

# Appended to a copy of the page (the page itself has no script): for each heading, whether the
# browser laid it out with a size and shows it, written into the DOM that --dump-dom prints.
PROBE = """<script>
const seen = [...document.querySelectorAll("h1, h2")].map(h => {
  const box = h.getBoundingClientRect(), style = getComputedStyle(h);
  return {text: h.textContent.trim(), height: box.height, width: box.width,
          shown: style.display !== "none" && style.visibility !== "hidden" && style.opacity !== "0",
          colour: style.color, background: getComputedStyle(document.body).backgroundColor};
});
document.body.setAttribute("data-probe", JSON.stringify(seen));
</script>"""


def _browser_or_skip():
    if BROWSER:
        return BROWSER
    if os.environ.get("CI") == "true":
        pytest.fail("no Chromium on PATH under CI=true: .ci/run installs the distribution's chromium package")
    pytest.skip("no Chromium on PATH (Debian: apt-get install chromium); .ci/run installs it in CI")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    browser = _browser_or_skip()
    out = tmp_path_factory.mktemp("export") / "out"
    result = run_cli(["export", "--approved-runs", EXAMPLE_RUNS, "--out", str(out)],
                     env={"NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1777104000"})
    assert result.code == 0, result
    return browser, out / "report.html"


def _run(browser, *args):
    return subprocess.run([browser, *FLAGS, *args], capture_output=True, text=True, timeout=90)


def test_the_page_renders_to_a_screenshot_that_is_not_blank(page, tmp_path):
    browser, report = page
    shot = tmp_path / "report.png"
    _run(browser, f"--screenshot={shot}", report.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert inked_rows(str(shot)) > 0.2


def test_every_heading_is_laid_out_and_shown(page, tmp_path):
    browser, report = page
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _run(browser, "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, dom[:500]
    headings = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    texts = [heading["text"] for heading in headings]
    assert texts[0].startswith("Data flywheel report")
    for expected in ("Readiness", "Redaction"):
        assert any(expected.lower() in text.lower() for text in texts), texts
    for heading in headings:
        assert heading["shown"] and heading["height"] > 8 and heading["width"] > 20, heading
        assert heading["colour"] != heading["background"], heading
