"""The `qcompare` command: build, evaluate and inspect the corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from qcompare import paths
from qcompare.errors import QcompareError
from qcompare.schema import LEVELS


def _build(args) -> int:
    from qcompare.build import build

    tables = build(args.raw, args.out, jobs=args.jobs, keep_going=args.keep_going)
    out = args.out or paths.processed_dir()
    print(f"built {', '.join(f'{n} ({len(df)} rows)' for n, df in tables.items())} -> {out}")
    return 0


def _eval(args) -> int:
    from qcompare.corpus import load
    from qcompare.analysis.evaluate import evaluate, read_gold
    from qcompare.schema import TABLES

    gold = read_gold(args.gold)
    targets = TABLES["targets"].validate(pd.read_csv(args.targets)) if args.targets else load().targets
    result = evaluate(gold, targets)
    cols = ["doc_id", "indicator_raw", "value", "unit", "comparator", "quote"]
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.max_colwidth", 50):
        print("Quantitative targets\n" + result.scores.to_string())
        print("\nQualitative targets (scored apart)\n" + result.qualitative.to_string())
        print(f"\nMisses ({len(result.misses)})\n" + (result.misses[cols].to_string(index=False) if len(result.misses) else "none"))
        print(f"\nFalse hits ({len(result.false_hits)})\n" + (result.false_hits[cols].to_string(index=False) if len(result.false_hits) else "none"))
        years = result.year_mismatches
        print(f"\nTarget year agrees with the gold on {result.matched - len(years)} of {result.matched} matched targets")
        if len(years):
            print(years.to_string(index=False))
    return 0


def _show(table: pd.DataFrame, empty: str = "none") -> None:
    with pd.option_context("display.width", 200, "display.max_rows", 1000, "display.max_colwidth", 60):
        print(table.to_string(index=False) if len(table) else empty)


def _indicators(args) -> int:
    from qcompare.corpus import load
    from qcompare.knowledge.taxonomy import unmapped, usage

    targets = load().targets
    _show(unmapped(targets) if args.unmapped else usage(targets), "every indicator phrase is mapped")
    return 0


def _departments(args) -> int:
    from qcompare.corpus import load
    from qcompare.analysis.departments import unmapped, usage

    table = load().departments
    _show(unmapped(table) if args.unmapped else usage(table), "every department name is mapped")
    return 0


def _add(args) -> int:
    from qcompare.ingest.add import add_plan

    added = add_plan(
        args.path, args.id, args.jurisdiction, args.level, province=args.province, issued=args.issued,
        title=args.title, jurisdiction_en=args.jurisdiction_en, source=args.source, raw=args.raw, replace=args.replace,
    )
    read = f" (read from the text: {', '.join(added.read_from_text)})" if added.read_from_text else ""
    print(f"added {added.doc_id}: {added.clauses} clauses, {added.targets} targets")
    print(f"  {added.text_path}\n  {added.meta_path}{read}\n  {added.original_path}")
    for warning in added.warnings:
        print(f"note: {warning} ({added.meta_path.name})", file=sys.stderr)
    print("check the sidecar, then run `qcompare build`")
    return 0


def _report(args) -> int:
    from qcompare.reports.batch import describe, run

    result = run(jobs=args.jobs, only=args.only, force=args.force, lang=args.lang, show_code=args.show_code,
                 notebooks=args.notebooks)
    print(describe(result), file=sys.stderr if result.failed else sys.stdout)
    print(f"index: {result.reports_dir / 'index.html'}")
    return result.exit_code


def _export(args) -> int:
    from qcompare.reports.export import export

    out = export(args.out)
    print(f"exported {out}")
    return 0


def _brief(args) -> int:
    from qcompare.reports.word import write_brief

    out = write_brief(args.indicator, args.out, args.plans, args.lang)
    print(f"wrote {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qcompare", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the tables from the raw plans")
    b.add_argument("--raw", type=Path, help="raw folder (default data/raw)")
    b.add_argument("--out", type=Path, help="output folder (default data/processed)")
    b.add_argument("--jobs", type=int, default=1, help="plans processed in parallel")
    b.add_argument("--keep-going", action="store_true", help="skip plans that fail instead of stopping")
    b.set_defaults(func=_build)

    e = sub.add_parser("eval", help="score extracted targets against a gold annotation")
    e.add_argument("--gold", type=Path, required=True)
    e.add_argument("--targets", type=Path, help="targets CSV (default: the processed corpus)")
    e.set_defaults(func=_eval)

    i = sub.add_parser("indicators", help="list the indicator taxonomy and how many plans use each")
    i.add_argument("--unmapped", action="store_true", help="list raw phrases not yet mapped, most frequent first")
    i.set_defaults(func=_indicators)

    d = sub.add_parser("departments", help="list the canonical departments and how many task clauses name each")
    d.add_argument("--unmapped", action="store_true", help="list raw department names not yet mapped, most frequent first")
    d.set_defaults(func=_departments)

    a = sub.add_parser("add", help="add a plan from a .txt, .docx, .pdf or saved .html file")
    a.add_argument("path", type=Path, help="the plan file as received")
    a.add_argument("--id", required=True, help="plan id: lowercase letters, digits, hyphens (e.g. meizhou-2023)")
    a.add_argument("--jurisdiction", required=True, help="the place, as written (e.g. 梅州市)")
    a.add_argument("--level", required=True, choices=LEVELS)
    a.add_argument("--province", help="the province (default: the jurisdiction, for a province-level plan)")
    a.add_argument("--issued", help="issue date, ISO (default: the 成文日期 the text states)")
    a.add_argument("--title", help="the plan's title (default: the title the text states)")
    a.add_argument("--jurisdiction-en", help="the place in English (e.g. Meizhou)")
    a.add_argument("--source", help="where the file came from, e.g. its URL (default: the file's name)")
    a.add_argument("--raw", type=Path, help="raw folder (default data/raw)")
    a.add_argument("--replace", action="store_true", help="replace a plan already added under this id")
    a.set_defaults(func=_add)
    r = sub.add_parser("report", help="run every notebook over its parameter grid into reports/ (incremental)")
    r.add_argument("--jobs", type=int, default=1, help="notebooks run in parallel")
    r.add_argument("--only", metavar="PATTERN", action="append", help="only reports whose name matches (glob, or a substring); repeatable")
    r.add_argument("--force", action="store_true", help="rerun reports even when nothing they read has changed")
    r.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of labels and names")
    r.add_argument("--show-code", action="store_true", help="keep code cells in the HTML (hidden by default)")
    r.add_argument("--notebooks", type=Path, help="notebooks folder (default notebooks/)")
    r.set_defaults(func=_report)

    w = sub.add_parser("brief", help="write a Word briefing on one indicator: finding, figure, table, caveats, sources")
    w.add_argument("indicator", help="indicator id, family id or name (see qcompare indicators)")
    w.add_argument("--plans", nargs="+", metavar="ID", help="doc_ids or jurisdictions to compare (default: every plan)")
    w.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the briefing")
    w.add_argument("--out", type=Path, required=True, help="the .docx file to write")
    w.set_defaults(func=_brief)

    x = sub.add_parser("export", help="write a shareable zip: tables as CSV and Excel, data dictionary, sources, caveats")
    x.add_argument("--out", type=Path, help="zip file to write (default reports/qcompare-export.zip)")
    x.set_defaults(func=_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except QcompareError as exc:
        print(f"qcompare: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
