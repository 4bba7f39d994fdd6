"""report.html: self-contained, escaped, secret-free, and every figure equal to the export's metrics."""
import html.parser
import json
import re

from conftest import EXAMPLE_RUNS, make_run, run_cli, write_runs
from data_flywheel.export import report

EPOCH = {"SOURCE_DATE_EPOCH": "1777104000", "NO_COLOR": "1"}
TOKEN = "ghp_" + "Zq8" * 12  # built here so the repository holds no token


class Page(html.parser.HTMLParser):
    """Every tag with its attributes, the text of h2 headings and of summary tiles."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.headings, self.tiles, self.text = [], [], [], []
        self._in = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in.append((tag, dict(attrs).get("class")))

    def handle_endtag(self, tag):
        while self._in and self._in.pop()[0] != tag:
            pass

    def handle_data(self, data):
        self.text.append(data)
        if self._in and self._in[-1][0] == "h2":
            self.headings.append(data)
        if len(self._in) >= 2 and self._in[-1][0] == "b" and self._in[-2][1] == "tile":
            self.tiles.append(int(data))


def _export(tmp_path, runs, name="2026-04-25", env=EPOCH):
    path = write_runs(tmp_path / f"runs-{name}.jsonl", runs)
    out = tmp_path / "exports" / name
    result = run_cli(["export", "--approved-runs", path, "--out", str(out), "--project", "demo"], env=env)
    assert result.code == 0, result
    return out


def _runs():
    runs = [make_run(i) for i in range(1, 13)]
    runs.append(make_run(20, human_review={"status": "rejected", "review_notes": "Guessed the cause."}))
    runs.append(make_run(21, output_approved=f"Use the token {TOKEN} to call the API."))  # planted secret
    runs.append(make_run(22, workflow="code_review", goal="<script>alert(1)</script>",
                         stable_rules=["Never <img src=http://evil.example/x.png> inline"]))
    return runs


def test_the_page_is_self_contained_escaped_and_has_every_section(tmp_path):
    out = _export(tmp_path, _runs())
    text = (out / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    tags = {tag for tag, _attrs in page.tags}
    assert "script" not in tags and "img" not in tags and "link" not in tags and "iframe" not in tags
    for _tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            assert not re.match(r"^(https?:|//|javascript:|data:)", value or ""), (name, value)
    assert "url(" not in text and "@import" not in text
    # The planted URL is text on the page, escaped, never an attribute that would fetch it.
    assert "&lt;img src=http://evil.example/x.png&gt;" in text and "<img" not in text
    assert page.headings == list(report.SECTIONS)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert TOKEN not in text and "Zq8Zq8" not in text
    assert "prefers-color-scheme:dark" in text and "@media print" in text


def test_every_figure_equals_the_metrics(tmp_path):
    out = _export(tmp_path, _runs())
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    assert page.tiles == [metrics["total_traces"], metrics["accepted_traces"], metrics["trainable_traces"],
                          metrics["eval_cases"], metrics["holdout_eval_cases"], metrics["context_cards"]["ready"], metrics["context_cards"]["draft"],
                          metrics["redaction"]["runs_affected"]]
    text = "".join(page.text)
    bug = metrics["workflows"]["saas/bug_triage"]
    assert f"{bug['rejected']} ({bug['rejected'] / bug['traces']:.0%})" in text
    progress = bug["readiness"]["agentic_stack"]["progress"]
    assert f"{progress['have']} {progress['counts'].replace('_', ' ')} of {progress['to']} (from {progress['from']})" in text
    for rule, count in metrics["redaction"]["by_rule"].items():
        assert re.search(re.escape(rule) + r"secret[^0-9]*" + str(count), text)
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(item for item in manifest["files"] if item["path"] == "report.html")
    assert entry["kind"] == "report" and entry["format"] == "html"


def test_runs_over_time_reads_every_export_beside_it(tmp_path):
    _export(tmp_path, _runs()[:5], "2026-04-01", env={"SOURCE_DATE_EPOCH": "1775001600"})
    out = _export(tmp_path, _runs(), "2026-04-25")
    (tmp_path / "exports" / "2026-04-10").mkdir()
    (tmp_path / "exports" / "2026-04-10" / "flywheel-metrics.json").write_text("{not json")
    _export(tmp_path, _runs()[:3], "scratch")  # not a dated folder: not part of the history
    points = report.history(str(tmp_path / "exports"))
    assert [(p["name"], p["traces"]) for p in points] == [("2026-04-01", 5), ("2026-04-25", 15)]
    text = (out / "report.html").read_text()
    assert "<td>2026-04-01T00:00:00Z</td>" in text and "<td>2026-04-25T08:00:00Z</td>" in text
    assert "scratch" not in text


def test_report_command_rebuilds_the_same_page_and_can_open_it(tmp_path, monkeypatch):
    out = _export(tmp_path, _runs())
    before = (out / "report.html").read_bytes()
    (out / "report.html").unlink()
    opened = []
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = run_cli(["report", str(out), "--open"])
    assert result.code == 0, result
    assert result.out == f"report: {out / 'report.html'}\n"
    assert (out / "report.html").read_bytes() == before
    assert opened == [(out / "report.html").as_uri()]
    # Without a folder: the newest export under <agent-root>/flywheel/exports/.
    agent = tmp_path / "agent"
    (agent / "flywheel").mkdir(parents=True)
    (tmp_path / "exports").rename(agent / "flywheel" / "exports")
    result = run_cli(["report", "--agent-root", str(agent), "--json"])
    assert result.code == 0 and result.json()["report"].endswith("2026-04-25/report.html")


def test_report_without_an_export_says_what_to_do(tmp_path):
    result = run_cli(["report", "--agent-root", str(tmp_path)])
    assert result.code == 2
    assert result.err.startswith("error: ") and "run 'export' first" in result.err and "Traceback" not in result.err


def test_the_example_report_shows_its_cards(tmp_path):
    out = tmp_path / "out"
    assert run_cli(["export", "--approved-runs", EXAMPLE_RUNS, "--out", str(out)], env=EPOCH).code == 0
    text = (out / "report.html").read_text()
    assert 'id="card-saas-bug-triage"' in text and 'id="card-engineering-code-review"' in text
    assert "<h3>saas / bug_triage</h3>" in text


def test_report_rebuilds_an_export_made_before_cards_and_bars_were_counted(tmp_path):
    out = _export(tmp_path, _runs())
    metrics = json.loads((out / "flywheel-metrics.json").read_text())
    del metrics["context_cards"]
    for workflow in metrics["workflows"].values():
        del workflow["card"]
        for place in workflow["readiness"].values():
            del place["progress"]
    (out / "flywheel-metrics.json").write_text(json.dumps(metrics))
    result = run_cli(["report", str(out)])
    assert result.code == 0, result
    page = Page((out / "report.html").read_text())
    assert page.headings == list(report.SECTIONS) and "top band reached" not in "".join(page.text)


def test_card_markdown_becomes_escaped_html():
    rendered = report._inline("Run `ls src/**/x/**/*.ts` **now** <b>x</b> _(3 of 4 runs)_")
    assert rendered == ("Run <code>ls src/**/x/**/*.ts</code> <b>now</b> &lt;b&gt;x&lt;/b&gt; <i>(3 of 4 runs)</i>")
    assert report._inline("**<script>** `<img>`") == "<b>&lt;script&gt;</b> <code>&lt;img&gt;</code>"
