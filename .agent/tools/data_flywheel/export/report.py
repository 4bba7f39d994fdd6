"""``report.html``: one self-contained page a team lead opens to see where the flywheel stands.

Built from an export's own documents (metrics, redaction report, cards,
manifest) and the metrics of the other exports beside it, so every figure on
the page is a figure in ``flywheel-metrics.json``. Inline CSS and SVG only: no
script, no font, image or style sheet fetched, nothing that needs a server; it
reads the same with JavaScript off, follows the system's dark mode
(``prefers-color-scheme``) and prints on white. Every text from the export is
HTML-escaped; redaction findings appear as rule ids and counts, never values.
"""
from __future__ import annotations

import html
import json
import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import InputError
from . import readiness

REPORT_FILE = "report.html"
HISTORY_LIMIT = 60  # exports drawn on the runs-over-time chart (the latest ones)
TOP_FAILURES = 10
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}")  # export folders as `export` names them by default
SCALE_TITLES = {"agentic_stack": "agentic-stack bands", "distillation": "distillation scale"}
SECTIONS = ("Summary", "Readiness", "Runs over time", "Review outcomes", "Redaction findings", "Datasets",
            "Top failure modes", "Context cards")

CSS = """
:root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bar:#e6e9ed;--ok:#1a7f37;--go:#0969da;--warn:#9a6700;--bad:#cf222e;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--bar:#21262d;--ok:#3fb950;--go:#4493f8;--warn:#d29922;--bad:#f85149;--card:#161b22}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1.5rem;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1.25rem 0 .25rem}p.note,.muted{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.tiles{display:flex;flex-wrap:wrap;gap:.75rem}.tile{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem .9rem;min-width:9rem}
.tile b{display:block;font-size:1.4rem}
svg{display:block;max-width:100%;height:auto}svg text{fill:var(--fg);font:12px system-ui,sans-serif}
.track{fill:var(--bar)}.fill{fill:var(--go)}.done{fill:var(--ok)}.acc{fill:var(--ok)}.edi{fill:var(--warn)}.rej{fill:var(--bad)}.pen{fill:var(--muted)}
.line-t{stroke:var(--go);fill:none;stroke-width:2}.line-a{stroke:var(--ok);fill:none;stroke-width:2}.line-r{stroke:var(--warn);fill:none;stroke-width:2}
.axis{stroke:var(--line)}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.25rem 1rem 1rem;margin:1rem 0}
.card ol{padding-left:1.5rem}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bar);padding:0 .2rem;border-radius:3px}
.legend span{margin-right:1rem}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-.1rem}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#999;--bar:#e5e5e5;--card:#fff}body{max-width:none;padding:0}section,.card,table{break-inside:avoid}h2{break-after:avoid}}
"""


def esc(value: Any) -> str:
    """Every text that reaches the page passes here (quotes too: it may land in an attribute)."""
    return html.escape(str(value), quote=True)


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


# --- reading an export folder ---------------------------------------------------------


def read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fp:
            return json.load(fp)
    except FileNotFoundError:
        raise InputError("not found", source=path, remedy="point report at an export folder (it holds flywheel-metrics.json)") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"cannot read it: {error.__class__.__name__}", source=path,
                         remedy="export again to rewrite the folder") from None


def history(exports_root: str, current: Optional[Tuple[str, Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    """One point per dated export folder in ``exports_root``, oldest first (by generated_at, then name).

    Only folders named like the default export folder (``YYYY-MM-DD``, any
    suffix) count, so an export written with ``--out`` beside unrelated
    folders stays byte-identical to one written alone. ``current`` (name,
    metrics) is always drawn and stands in for a folder being written right
    now. Folders whose metrics cannot be read are left out: a broken old export
    must not stop a new report.
    """
    points: Dict[str, Dict[str, Any]] = {}
    try:
        names = sorted(os.listdir(exports_root))
    except OSError:
        names = []
    for name in names:
        if not _DATED.match(name):
            continue
        path = os.path.join(exports_root, name, "flywheel-metrics.json")
        try:
            with open(path, encoding="utf-8") as fp:
                metrics = json.load(fp)
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if isinstance(metrics, dict):
            points[name] = _point(name, metrics)
    if current is not None:
        points[current[0]] = _point(*current)
    ordered = sorted(points.values(), key=lambda point: (point["generated_at"], point["name"]))
    return ordered[-HISTORY_LIMIT:]


def _point(name: str, metrics: Dict[str, Any]) -> Dict[str, Any]:
    def number(key: str) -> int:
        value = metrics.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    return {"name": name, "generated_at": str(metrics.get("generated_at") or ""), "traces": number("total_traces"),
            "approved": number("accepted_traces"), "trainable": number("trainable_traces")}


def build_from_folder(folder: str) -> str:
    """The page for an existing export folder (the ``report`` command)."""
    metrics = read_json(os.path.join(folder, "flywheel-metrics.json"))
    redaction = read_json(os.path.join(folder, "redaction-report.json"))
    cards = read_json(os.path.join(folder, "context-cards.json"))
    manifest = read_json(os.path.join(folder, "manifest.json"))
    markdowns = {}
    for card in cards if isinstance(cards, list) else []:
        path = os.path.join(folder, "context-cards", str(card.get("domain")), f"{card.get('workflow')}.md")
        try:
            with open(path, encoding="utf-8") as fp:
                markdowns[f"{card.get('domain')}/{card.get('workflow')}"] = fp.read()
        except (OSError, UnicodeDecodeError):
            pass  # the JSON card still shows
    folder = os.path.abspath(folder)
    points = history(os.path.dirname(folder), (os.path.basename(folder), metrics))
    return render(metrics, redaction, cards, markdowns, manifest.get("files", []), points,
                  project=str(manifest.get("project") or ""))


# --- the page -----------------------------------------------------------------------------


def render(metrics: Dict[str, Any], redaction: Dict[str, Any], cards: Sequence[Dict[str, Any]],
           markdowns: Dict[str, str], files: Sequence[Dict[str, Any]], points: Sequence[Dict[str, Any]],
           *, project: str = "") -> str:
    """The whole page as one string; deterministic for the same inputs."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>Data flywheel report{' · ' + esc(project) if project else ''}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Data flywheel report{' · ' + esc(project) if project else ''}</h1>",
        f'<p class="muted">Export generated {esc(metrics.get("generated_at", ""))}. Every figure here comes from '
        "this export's own files (flywheel-metrics.json, manifest.json, the context cards); nothing on this page "
        "is fetched from elsewhere.</p>",
        _summary(metrics),
        _readiness(metrics),
        _over_time(points),
        _outcomes(metrics),
        _redaction(redaction),
        _datasets(metrics, files),
        _failures(cards),
        _cards(cards, markdowns),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _section(title: str, body: str) -> str:
    anchor = re.sub(r"[^a-z]+", "-", title.lower()).strip("-")
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>\n{body}\n</section>'


def _summary(metrics: Dict[str, Any]) -> str:
    counts = metrics.get("context_cards") or {"ready": 0, "draft": 0}
    tiles = [
        ("traces", metrics.get("total_traces", 0)),
        ("human-approved", metrics.get("accepted_traces", 0)),
        ("trainable", metrics.get("trainable_traces", 0)),
        ("eval cases", metrics.get("eval_cases", 0)),
        ("held-out eval cases", metrics.get("holdout_eval_cases", 0)),
        ("context cards ready", counts.get("ready", 0)),
        ("card drafts", counts.get("draft", 0)),
        ("runs redacted", (metrics.get("redaction") or {}).get("runs_affected", 0)),
    ]
    body = '<div class="tiles">' + "".join(
        f'<div class="tile"><b>{esc(value)}</b>{esc(label)}</div>' for label, value in tiles) + "</div>"
    body += (f'<p class="note">A card is ready from {readiness.CARD_BAND.low} approved runs (the first readiness band); '
             "below that it is written as a draft.</p>")
    return _section("Summary", body)


def _bar(fraction: float, width: int = 320, height: int = 14, done: bool = False) -> str:
    filled = round(max(0.0, min(fraction, 1.0)) * width, 1)
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{fraction:.0%} of the way">'
            f'<rect class="track" width="{width}" height="{height}" rx="3"/>'
            f'<rect class="{"done" if done else "fill"}" width="{filled}" height="{height}" rx="3"/></svg>')


def _readiness(metrics: Dict[str, Any]) -> str:
    workflows = metrics.get("workflows") or {}
    if not workflows:
        return _section("Readiness", '<p class="muted">No runs yet.</p>')
    rows = ['<table><tr><th>workflow</th><th>scale</th><th>band reached</th><th>toward the next band</th><th>what it needs</th></tr>']
    for key, workflow in workflows.items():
        for scale in ("agentic_stack", "distillation"):
            place = (workflow.get("readiness") or {}).get(scale) or {}
            progress = place.get("progress")
            if "progress" not in place:  # an export from before bars were recorded
                drawing = '<span class="muted">–</span>'
            elif progress:
                drawing = _bar(float(progress["fraction"]))
                drawing += (f'<span class="muted">{esc(progress["have"])} {esc(progress["counts"].replace("_", " "))} of '
                            f'{esc(progress["to"])} (from {esc(progress["from"])})</span>')
            else:
                drawing = _bar(1.0, done=True) + '<span class="muted">top band reached</span>'
            rows.append(f"<tr><td>{esc(key)}</td><td>{esc(SCALE_TITLES[scale])}</td><td>{esc(place.get('label', ''))}</td>"
                        f"<td>{drawing}</td><td>{esc(place.get('next') or '–')}</td></tr>")
    rows.append("</table>")
    note = ('<p class="note">Bars run from the band reached (or zero) to the next band\'s floor, in that band\'s own '
            "count. Bands are planning thresholds, not scientific cutoffs.</p>")
    return _section("Readiness", "\n".join(rows) + note)


def _over_time(points: Sequence[Dict[str, Any]]) -> str:
    if not points:
        return _section("Runs over time", '<p class="muted">No exports found.</p>')
    width, height, left, bottom = 640, 220, 48, 40
    top = max(max(point["traces"] for point in points), 1)
    step = (width - left - 16) / max(len(points) - 1, 1)

    def xy(index: int, value: int) -> Tuple[float, float]:
        return round(left + index * step, 1), round(height - bottom - value / top * (height - bottom - 16), 1)

    svg = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           'aria-label="traces, approved and trainable runs per export">',
           f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}"/>',
           f'<text x="4" y="20">{esc(top)}</text><text x="4" y="{height - bottom}">0</text>']
    for key, css in (("traces", "line-t"), ("approved", "line-a"), ("trainable", "line-r")):
        coords = [xy(index, point[key]) for index, point in enumerate(points)]
        svg.append(f'<polyline class="{css}" points="{" ".join(f"{x},{y}" for x, y in coords)}"/>')
        for x, y in coords:
            svg.append(f'<circle class="{css}" cx="{x}" cy="{y}" r="3"/>')
    label_every = max(1, len(points) // 8)
    for index, point in enumerate(points):
        if index % label_every == 0 or index == len(points) - 1:
            x, _y = xy(index, 0)
            svg.append(f'<text x="{x}" y="{height - bottom + 16}" text-anchor="middle">{esc(point["generated_at"][:10])}</text>')
    svg.append("</svg>")
    legend = ('<p class="legend"><span><svg class="sw" viewBox="0 0 10 10"><rect class="fill" width="10" height="10"/></svg>traces</span>'
              '<span><svg class="sw" viewBox="0 0 10 10"><rect class="acc" width="10" height="10"/></svg>approved</span>'
              '<span><svg class="sw" viewBox="0 0 10 10"><rect class="edi" width="10" height="10"/></svg>trainable</span></p>')
    # Exports are named by when they were generated, not by folder: the page must not depend on --out.
    table = ['<table><tr><th>export generated</th><th class="n">traces</th><th class="n">approved</th><th class="n">trainable</th></tr>']
    for point in points:
        table.append(f'<tr><td>{esc(point["generated_at"])}</td><td class="n">{esc(point["traces"])}</td>'
                     f'<td class="n">{esc(point["approved"])}</td><td class="n">{esc(point["trainable"])}</td></tr>')
    table.append("</table>")
    note = ('<p class="note">This export and every dated export folder beside it (YYYY-MM-DD, as export names them) '
            f'that holds flywheel-metrics.json, the latest {HISTORY_LIMIT}.'
            + (" Only one so far: the next export draws a line." if len(points) == 1 else "") + "</p>")
    return _section("Runs over time", "".join(svg) + legend + "\n".join(table) + note)


def _outcomes(metrics: Dict[str, Any]) -> str:
    workflows = metrics.get("workflows") or {}
    if not workflows:
        return _section("Review outcomes", '<p class="muted">No runs yet.</p>')
    rows = ['<table><tr><th>workflow</th><th>outcomes</th><th class="n">runs</th><th class="n">accepted</th>'
            '<th class="n">edited</th><th class="n">rejected</th><th class="n">pending</th><th class="n">acceptance rate</th></tr>']
    for key, workflow in workflows.items():
        total = int(workflow.get("traces") or 0)
        counts = [(name, int(workflow.get(name) or 0), css) for name, css in
                  (("accepted", "acc"), ("edited", "edi"), ("rejected", "rej"), ("pending", "pen"))]
        width, x, shapes = 240, 0.0, []
        for name, count, css in counts:
            part = width * count / total if total else 0
            if part:
                shapes.append(f'<rect class="{css}" x="{round(x, 1)}" width="{round(part, 1)}" height="14"><title>{esc(name)} {count}</title></rect>')
            x += part
        svg = (f'<svg width="{width}" height="14" viewBox="0 0 {width} 14" role="img" aria-label="accepted, edited, rejected, pending">'
               f'<rect class="track" width="{width}" height="14"/>{"".join(shapes)}</svg>')
        cells = "".join(f'<td class="n">{count} ({_pct(count, total)})</td>' for _name, count, _css in counts)
        rows.append(f'<tr><td>{esc(key)}</td><td>{svg}</td><td class="n">{total}</td>{cells}'
                    f'<td class="n">{esc(workflow.get("acceptance_rate", 0))}</td></tr>')
    rows.append("</table>")
    legend = ('<p class="legend">' + "".join(
        f'<span><svg class="sw" viewBox="0 0 10 10"><rect class="{css}" width="10" height="10"/></svg>{name}</span>'
        for name, css in (("accepted", "acc"), ("edited", "edi"), ("rejected", "rej"), ("pending", "pen"))) + "</p>")
    note = '<p class="note">Acceptance rate: accepted and edited runs over all runs (agentic-stack\'s acceptance_rate).</p>'
    return _section("Review outcomes", legend + "\n".join(rows) + note)


def _rule_classes() -> Dict[str, str]:
    from ..redaction.rules import RULES

    return {rule.id: {"secret": "secret", "pii": "personal data"}.get(rule.kind, rule.kind) for rule in RULES}


def _redaction(report: Dict[str, Any]) -> str:
    by_rule = report.get("by_rule") or {}
    body = [f'<p>{esc(report.get("runs_affected", 0))} of {esc(report.get("runs_scanned", 0))} runs had findings; '
            f'{esc(report.get("findings", 0))} findings in all (rule set {esc(report.get("ruleset_version", ""))}). '
            "Values are never stored: only rule ids, fields and counts.</p>"]
    if by_rule:
        classes = _rule_classes()
        by_class: Dict[str, int] = {}
        for rule, count in by_rule.items():
            name = classes.get(rule, "team rule")
            by_class[name] = by_class.get(name, 0) + int(count)
        body.append("<h3>By class</h3><table><tr><th>class</th><th class=\"n\">findings</th></tr>" + "".join(
            f'<tr><td>{esc(name)}</td><td class="n">{esc(count)}</td></tr>' for name, count in sorted(by_class.items())) + "</table>")
        top = max(int(count) for count in by_rule.values())
        rows = []
        for rule, count in sorted(by_rule.items(), key=lambda item: (-int(item[1]), item[0])):
            rows.append(f'<tr><td><code>{esc(rule)}</code></td><td>{esc(classes.get(rule, "team rule"))}</td>'
                        f'<td>{_bar(int(count) / top, width=160, height=10)}</td><td class="n">{esc(count)}</td></tr>')
        body.append("<h3>By rule</h3><table><tr><th>rule</th><th>class</th><th></th><th class=\"n\">findings</th></tr>"
                    + "".join(rows) + "</table>")
        fields = report.get("by_field") or {}
        body.append("<h3>By field</h3><table><tr><th>field</th><th class=\"n\">findings</th></tr>" + "".join(
            f'<tr><td><code>{esc(name)}</code></td><td class="n">{esc(count)}</td></tr>' for name, count in sorted(fields.items()))
                    + "</table>")
    return _section("Redaction findings", "\n".join(body))


def _datasets(metrics: Dict[str, Any], files: Sequence[Dict[str, Any]]) -> str:
    datasets = metrics.get("datasets") or {}
    body = []
    by_format: Dict[str, Dict[str, int]] = {}
    for entry in files:
        if entry.get("kind") == "training-example" and entry.get("rows") is not None:
            splits = by_format.setdefault(str(entry.get("format")), {})
            split = str(entry.get("split") or "all splits")
            splits[split] = splits.get(split, 0) + int(entry["rows"])
    names = ("train", "validation", "test", "all splits")
    if by_format:
        rows = ["<table><tr><th>format</th>" + "".join(f'<th class="n">{name}</th>' for name in names) + "</tr>"]
        for fmt, splits in sorted(by_format.items()):
            rows.append(f"<tr><td>{esc(fmt)}</td>" + "".join(
                f'<td class="n">{esc(splits.get(name, "–"))}</td>' for name in names) + "</tr>")
        rows.append("</table>")
        body.append("<h3>Rows by format and split</h3>" + "\n".join(rows)
                    + '<p class="note">From manifest.json; alpaca (training-examples.jsonl) holds every split in one file.</p>')
    if datasets:
        dedup = datasets.get("dedup") or {}
        pairs = datasets.get("preference_pairs") or {}
        decon = datasets.get("decontamination") or {}
        facts = [
            ("training rows (sft) by split", ", ".join(f"{k} {v}" for k, v in (datasets.get("sft_rows") or {}).items())),
            ("preference pairs by split", ", ".join(f"{k} {v}" for k, v in (datasets.get("preference_rows") or {}).items())),
            ("preference pairs from edits", pairs.get("edited", 0)),
            ("preference pairs from a rejected and an accepted run", pairs.get("rejected_vs_accepted", 0)),
            ("rejected runs with no approved match (counted, not paired)", pairs.get("rejected_without_approved_match", 0)),
            ("exact duplicates collapsed", dedup.get("exact_duplicates", 0)),
            ("near duplicates collapsed", f"{dedup.get('near_duplicates', 0)} (similarity at least {dedup.get('near_duplicate_threshold', '')})"),
            ("largest duplicate cluster", dedup.get("largest_cluster", 0)),
            ("training rows dropped as eval inputs", decon.get("training_rows_dropped", 0)),
        ]
        body.append("<h3>Duplicates and preference pairs</h3><table>" + "".join(
            f'<tr><td>{esc(label)}</td><td class="n">{esc(value)}</td></tr>' for label, value in facts) + "</table>")
    if not body:
        body.append('<p class="muted">No training rows yet.</p>')
    return _section("Datasets", "\n".join(body))


def _failures(cards: Sequence[Dict[str, Any]]) -> str:
    found: List[Tuple[int, str, str, str]] = []
    for card in cards:
        key = f"{card.get('domain')}/{card.get('workflow')}"
        for item in (card.get("evidence") or {}).get("failure_modes") or []:
            of = f"{item.get('support')} of {item.get('of')} {item.get('unit', 'runs')}" if "of" in item else f"{item.get('support')} runs"
            found.append((int(item.get("support") or 0), key, str(item.get("text")), of))
    found.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    if not found:
        return _section("Top failure modes", '<p class="muted">No run states a failure mode and none was mined.</p>')
    rows = "".join(f"<tr><td>{esc(key)}</td><td>{_inline(text)}</td><td>{esc(of)}</td></tr>"
                   for _support, key, text, of in found[:TOP_FAILURES])
    return _section("Top failure modes", "<table><tr><th>workflow</th><th>failure mode</th><th>support</th></tr>"
                    + rows + f'</table><p class="note">The {TOP_FAILURES} most supported across workflows, from the cards.</p>')


def _inline(text: str) -> str:
    """Escape, then the Markdown our cards use inline: `code`, **bold**, _emphasis_."""
    pieces = re.split(r"(`[^`]+`)", text)  # code spans first: a glob like src/**/*.ts is not bold
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(f"<code>{esc(piece[1:-1])}</code>")
            continue
        # Markup is added to already-escaped text, so only our own tags are tags.
        piece = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", esc(piece))
        out.append(re.sub(r"(?<![\w])_\(([^_]+)\)_(?![\w])", r"<i>(\1)</i>", piece))
    return "".join(out)


def _card_html(markdown: str) -> str:
    """The subset of Markdown a card is written in: headings, numbered and bulleted lists, rules, paragraphs."""
    out: List[str] = []
    open_list = ""
    for line in markdown.splitlines():
        item = re.match(r"^(\d+)\. (.*)$", line)
        bullet = line.startswith("- ")
        wanted = "ol" if item else "ul" if bullet else ""
        if open_list and open_list != wanted:
            out.append(f"</{open_list}>")
            open_list = ""
        if wanted and not open_list:
            out.append(f"<{wanted}>")
            open_list = wanted
        if item:
            out.append(f"<li>{_inline(item.group(2))}</li>")
        elif bullet:
            out.append(f"<li>{_inline(line[2:])}</li>")
        elif line.startswith("## "):
            out.append(f"<h4>{_inline(line[3:])}</h4>")
        elif line.startswith("# "):
            out.append(f"<h3>{_inline(line[2:])}</h3>")
        elif line.strip() == "---":
            out.append("<hr>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return "\n".join(out)


def _cards(cards: Sequence[Dict[str, Any]], markdowns: Dict[str, str]) -> str:
    if not cards:
        return _section("Context cards", '<p class="muted">No cards yet.</p>')
    parts = []
    for card in cards:
        key = f"{card.get('domain')}/{card.get('workflow')}"
        markdown = markdowns.get(key)
        body = _card_html(markdown) if markdown else f"<h3>{esc(key)}</h3><p>{esc(card.get('goal', ''))}</p>"
        parts.append(f'<div class="card" id="card-{esc(re.sub(r"[^a-z0-9]+", "-", key.lower()))}">{body}</div>')
    return _section("Context cards", "\n".join(parts))
