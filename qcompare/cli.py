"""The `qcompare` command: build, evaluate and inspect the corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from . import paths
from .errors import QcompareError


def _build(args) -> int:
    from .build import build

    tables = build(args.raw, args.out, jobs=args.jobs, keep_going=args.keep_going)
    out = args.out or paths.processed_dir()
    print(f"built {', '.join(f'{n} ({len(df)} rows)' for n, df in tables.items())} -> {out}")
    return 0


def _eval(args) -> int:
    from .corpus import load
    from .evaluate import evaluate, read_gold
    from .schema import TABLES

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


def _indicators(args) -> int:
    from .corpus import load
    from .taxonomy import taxonomy

    targets = load().targets
    with pd.option_context("display.width", 200, "display.max_rows", 1000, "display.max_colwidth", 60):
        if args.unmapped:
            unmapped = targets[targets.indicator_id.isna()]
            counts = unmapped.groupby("indicator_raw").agg(targets=("doc_id", "size"), plans=("doc_id", "nunique"))
            print(counts.sort_values(["targets", "plans"], ascending=False).to_string())
        else:
            used = targets.groupby("indicator_id").doc_id.nunique().rename("plans")
            table = taxonomy()[["id", "name_zh", "name_en", "family", "category", "unit"]].join(used)
            table["plans"] = table.plans.fillna(0).astype(int)
            print(table.to_string(index=False))
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
