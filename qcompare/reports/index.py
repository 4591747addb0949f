"""The manifest's reports and the figures folder -> ``reports/index.html``.

Reads the manifest (a dict, see :mod:`qcompare.reports.batch`) and the file names in ``figures/``;
returns HTML text. Same manifest and figures, same bytes: no timestamps of its own.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
.failed { color: #b2182b; }
.muted { color: #777; font-size: .9em; }
"""


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _html_lang(entry: dict) -> str:
    """The language tag of a report's own words (its ``lang`` parameter)."""
    return "zh-CN" if entry.get("parameters", {}).get("lang", "zh") == "zh" else "en"


def _report_row(name: str, entry: dict, figures_href: str) -> str:
    title = _link(entry["html"], name) if entry.get("html") else escape(name)
    status = escape(entry["status"])
    if entry["status"] != "ok":
        kept = "; last good report kept" if entry.get("html") else ""
        failed = f" ({_link(entry['failed_notebook'], 'executed copy')})" if entry.get("failed_notebook") else ""
        status = f'<span class="failed">failed: {escape(entry.get("error") or "")}{kept}</span>{failed}'
    figures = " ".join(_link(f"{figures_href}/{f}", f) for f in entry.get("figures", []))
    notebook = _link(entry["executed_notebook"], "ipynb") if entry.get("executed_notebook") else ""
    return (
        f"<tr><td>{title}</td><td lang=\"{_html_lang(entry)}\">{escape(entry.get('summary', ''))}</td><td>{status}</td>"
        f"<td>{figures}</td><td>{notebook}</td><td class=\"muted\">{entry.get('duration_s', '')} s</td></tr>"
    )


def render_index(manifest: dict, reports_dir: Path, figures_dir: Path) -> str:
    """``index.html``: every report with its summary, status and figures, then every figure."""
    figures_href = Path(os.path.relpath(figures_dir, reports_dir)).as_posix()
    reports = manifest.get("reports", {})
    made_by: dict[str, list[str]] = {}
    for name, entry in reports.items():
        for f in entry.get("figures", []):
            made_by.setdefault(f, []).append(name)
    rows = "\n".join(_report_row(n, e, figures_href) for n, e in sorted(reports.items()))
    files = sorted(p.name for p in figures_dir.glob("*") if p.suffix in (".png", ".svg")) if figures_dir.is_dir() else []
    stems = sorted({Path(f).stem for f in files})
    fig_rows = []
    for stem in stems:
        links = " ".join(_link(f"{figures_href}/{f}", Path(f).suffix[1:].upper()) for f in files if Path(f).stem == stem)
        by = sorted({n for f in files if Path(f).stem == stem for n in made_by.get(f, [])})
        source = ", ".join(_link(reports[n]["html"], n) if reports[n].get("html") else escape(n) for n in by) or '<span class="muted">not made by a current report</span>'
        fig_rows.append(f"<tr><td>{escape(stem)}</td><td>{links}</td><td>{source}</td></tr>")
    failed = sum(e["status"] != "ok" for e in reports.values())
    headline = f"{len(reports)} reports" + (f', <span class="failed">{failed} failed</span>' if failed else "")
    pages = sorted(p.stem for p in (reports_dir / "review").glob("*.html") if p.stem != "index")
    review = ("<p>Review pages (each plan's text with every target highlighted; <code>qcompare review --all</code>): "
              + " ".join(_link(f"review/{p}.html", p) for p in pages) + "</p>") if pages else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>qcompare reports</title><style>{STYLE}</style></head>
<body>
<h1>qcompare reports</h1>
<p>{headline}; regenerate with <code>qcompare report</code>. Details per report in {_link("manifest.json", "manifest.json")}.</p>
{review}
<table>
<tr><th>report</th><th>summary</th><th>status</th><th>figures</th><th>notebook</th><th>run time</th></tr>
{rows}
</table>
<h2>Figures</h2>
<table>
<tr><th>figure</th><th>files</th><th>made by</th></tr>
{chr(10).join(fig_rows)}
</table>
</body>
</html>
"""
