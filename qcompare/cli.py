"""The `qcompare` command: build, evaluate and inspect the corpus."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import warnings
from pathlib import Path

import pandas as pd

from qcompare import paths
from qcompare.errors import InputError, QcompareError, TargetsInReportWarning, UsageError
from qcompare.schema import LEVELS


def _build(args) -> int:
    from qcompare.build import build

    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise InputError(args.out, "--out names a file, not a folder; give a folder for the tables")
    result = build(args.raw, args.out, jobs=args.jobs, keep_going=args.keep_going, csv=args.csv, progress=True)
    print(result.describe())
    return 0


def _eval(args) -> int:
    if not (args.gold or args.actuals_gold):
        raise UsageError("eval: give --gold FILE (targets), --actuals-gold FILE, or both")
    from qcompare.corpus import load
    from qcompare.analysis.evaluate import evaluate, read_gold
    from qcompare.schema import TABLES

    if args.actuals_gold:
        _eval_actuals(args)
    if not args.gold:
        return 0
    gold = read_gold(args.gold)
    if args.no_corrections:
        from qcompare.build import build_tables

        targets = build_tables(paths.raw_dir())[0]["targets"]  # the extractor's own output, in memory
        print("Scoring the extractor's own output (data/corrections.yml not applied)\n")
    else:
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
        if result.kind_mismatches is not None:
            kinds = result.kind_mismatches
            print(f"\nKind agrees with the gold on {result.matched - len(kinds)} of {result.matched} matched targets")
            if len(kinds):
                print(kinds.to_string(index=False))
    return 0


def _eval_actuals(args) -> None:
    from qcompare.corpus import load
    from qcompare.analysis.evaluate import evaluate_actuals, read_actuals_gold
    from qcompare.schema import TABLES

    gold = read_actuals_gold(args.actuals_gold)
    actuals = TABLES["actuals"].validate(pd.read_csv(args.actuals)) if args.actuals else load().actuals
    result = evaluate_actuals(gold, actuals)
    cols = ["doc_id", "indicator_raw", "value", "unit", "year", "quote"]
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.max_colwidth", 50):
        print("Actuals\n" + result.scores.to_string())
        print(f"\nMissed actuals ({len(result.misses)})\n" + (result.misses[cols].to_string(index=False) if len(result.misses) else "none"))
        print(f"\nFalse actuals ({len(result.false_hits)})\n" + (result.false_hits[cols].to_string(index=False) if len(result.false_hits) else "none"))
        print(f"\nYear agrees with the gold on {result.matched - len(result.year_mismatches)} of {result.matched} matched actuals")
        if len(result.year_mismatches):
            print(result.year_mismatches.to_string(index=False))
    if args.gold:
        print()


def _show(table: pd.DataFrame, empty: str = "none") -> None:
    with pd.option_context("display.width", 200, "display.max_rows", 1000, "display.max_colwidth", 60):
        print(table.to_string(index=False) if len(table) else empty)


def _indicators(args) -> int:
    from qcompare.corpus import load
    from qcompare.knowledge.taxonomy import suggest, unmapped, usage

    targets = load().targets
    if args.suggest:
        table = suggest(targets)
        for (phrase, n, plans), rows in table.groupby(["indicator_raw", "targets", "plans"], sort=False):
            print(f"{phrase}  ({n} targets, {plans} plans)")
            for r in rows.itertuples(index=False):
                print(f"  {r.score:.2f}  {r.indicator_id}  {r.name_zh}\n        {r.yaml}")
        print("suggestions only: check the phrase is the same measure, then paste its line into that id's entry in"
              " qcompare/data/taxonomy.yml" if len(table) else "every indicator phrase is mapped")
        return 0
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

    if args.notebooks is not None and not args.notebooks.is_dir():
        raise InputError(args.notebooks, "--notebooks is not a folder; give the folder holding the report notebooks")
    result = run(jobs=args.jobs, only=args.only, force=args.force, lang=args.lang, show_code=args.show_code,
                 notebooks=args.notebooks)
    print(describe(result), file=sys.stderr if result.failed else sys.stdout)
    print(f"index: {result.reports_dir / 'index.html'}")
    return result.exit_code


def _review(args) -> int:
    from qcompare.corpus import load
    from qcompare.reports.review import write_review

    if bool(args.doc_id) == args.all:
        raise QcompareError("review: give one plan id, or --all for every plan")
    corpus = load()
    doc_ids = list(corpus.documents.doc_id) if args.all else [args.doc_id]
    for path in write_review(corpus, doc_ids, out_file=args.out):
        print(f"wrote {path}")
    return 0


def _corrections(args) -> int:
    from qcompare.build import build_tables
    from qcompare.corrections import apply_file, corrections_path, read_corrections

    raw = args.raw or paths.raw_dir()
    path = corrections_path(raw)
    entries = read_corrections(path)
    stale = apply_file(build_tables(raw)[0], raw)[1] if entries else []
    if not args.stale:
        print(f"{path}: {len(entries)} correction(s), {len(stale)} stale")
        for c in entries:
            print(f"  {c.label}: {c.action} {c.fields or ''} by {c.by}: {c.reason}")
    for warning in stale:
        print(f"stale: {warning}")
    if args.stale and not stale:
        print(f"{path}: no stale corrections ({len(entries)} entries)")
    return 1 if stale else 0


def _export(args) -> int:
    from qcompare.reports.export import export

    out = export(args.out)
    print(f"exported {out}")
    return 0


def positive_int(text: str) -> int:
    """``--jobs``: a whole number of at least 1.

    >>> positive_int("2")
    2
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


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
    b.add_argument("--jobs", type=positive_int, default=1, help="plans processed in parallel")
    b.add_argument("--csv", action="store_true", help="also write each table as <out>/<table>.csv (UTF-8, byte-identical for the same inputs)")
    b.add_argument("--keep-going", action="store_true", help="skip plans that fail instead of stopping")
    b.set_defaults(func=_build)

    e = sub.add_parser("eval", help="score extracted targets (and actuals) against a gold annotation")
    e.add_argument("--gold", type=Path, help="targets gold CSV")
    e.add_argument("--targets", type=Path, help="targets CSV (default: the processed corpus)")
    e.add_argument("--no-corrections", action="store_true", help="score the extractor's own output, without data/corrections.yml")
    e.add_argument("--actuals-gold", type=Path, help="actuals gold CSV (doc_id, indicator_raw, value, unit, year, quote)")
    e.add_argument("--actuals", type=Path, help="actuals CSV (default: the processed corpus)")
    e.set_defaults(func=_eval)

    i = sub.add_parser("indicators", help="list the indicator taxonomy and how many plans use each")
    i.add_argument("--unmapped", action="store_true", help="list raw phrases not yet mapped, most frequent first")
    i.add_argument("--suggest", action="store_true",
                   help="for each unmapped phrase, the 3 closest indicators and the taxonomy.yml line to paste (never applied)")
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
    r.add_argument("--jobs", type=positive_int, default=1, help="notebooks run in parallel")
    r.add_argument("--only", metavar="PATTERN", action="append", help="only reports whose name matches (glob, or a substring); repeatable")
    r.add_argument("--force", action="store_true", help="rerun reports even when nothing they read has changed")
    r.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of labels and names")
    r.add_argument("--show-code", action="store_true", help="keep code cells in the HTML (hidden by default)")
    r.add_argument("--notebooks", type=Path, help="notebooks folder (default notebooks/)")
    r.set_defaults(func=_report)

    v = sub.add_parser("review", help="write a plan's review page: its text with every target highlighted")
    v.add_argument("doc_id", nargs="?", help="plan id (see data/raw/)")
    v.add_argument("--all", action="store_true", help="one page per plan, and reports/review/index.html")
    v.add_argument("--out", type=Path, help="page to write (default reports/review/<doc_id>.html)")
    v.set_defaults(func=_review)

    c = sub.add_parser("corrections", help="list the corrections in data/corrections.yml and whether each still applies")
    c.add_argument("--stale", action="store_true", help="list only stale entries (quote or row gone); exit 1 if any")
    c.add_argument("--raw", type=Path, help="raw folder (default data/raw; the corrections file sits beside it)")
    c.set_defaults(func=_corrections)

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


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our warnings as one line, ``qcompare: warning: <file>: <what>``; others as Python prints them."""
    if issubclass(category, TargetsInReportWarning):
        print(f"qcompare: warning: {message}", file=sys.stderr)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _show_warning
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except QcompareError as exc:
        print(f"qcompare: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `qcompare eval | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 0
    except OSError as exc:  # disk full, read-only or unwritable output: the file and what to do
        print(f"qcompare: {os_error(exc, exc.filename or _written(args))}", file=sys.stderr)
        return 2


def _written(args) -> Path | None:
    """The folder a command writes into: named when an OSError does not say which file failed."""
    defaults = {"build": paths.processed_dir, "add": paths.raw_dir, "report": paths.reports_dir, "export": paths.reports_dir}
    if args.command not in defaults:
        return None
    return getattr(args, "raw" if args.command == "add" else "out", None) or defaults[args.command]()


_FULL = "free some space, or write to another disk, and run again; earlier outputs are unchanged"
_DENIED = "write to a folder you can write (--out, or --raw for add), or fix its permissions"
_ADVICE = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.EROFS: "the file system is read-only; write to another folder (--out, or --raw for add)",
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.ENOTDIR: "a part of the path is a file, not a folder; give a folder",
    errno.EEXIST: "a file stands where a folder is needed; give another folder",
}


def os_error(exc: OSError, where: str | Path | None) -> str:
    """An operating-system error as ``<file>: <reason>; <what to do>``.

    >>> os_error(OSError(errno.ENOSPC, "No space left on device"), "/tmp/out/targets.csv")
    '/tmp/out/targets.csv: no space left on device; free some space, or write to another disk, and run again; earlier outputs are unchanged'
    """
    reason = (os.strerror(exc.errno) if exc.errno else str(exc)).lower()  # pyarrow's own strerror is vaguer
    advice = _ADVICE.get(exc.errno, "check the file and run again")
    return f"{where or '(no file named)'}: {reason}; {advice}"


if __name__ == "__main__":
    sys.exit(main())
