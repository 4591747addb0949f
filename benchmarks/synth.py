"""Seed plans -> a synthetic corpus of N plans, with the targets planted in each.

Reads the plans of a raw folder (default ``data/raw``) and what the library extracts from
them; writes ``<out>/raw/<id>.txt`` + ``<id>.meta.yml`` for N synthetic plans and
``<out>/planted.csv`` (one row per target planted: doc_id, indicator_raw, value,
value_high, unit, comparator, target_year, source).

A synthetic plan is recombined from the seeds' paragraphs: the preamble and goal section
of one seed, then three to seven body sections drawn from any seed (a section moves whole,
with its heading, so each paragraph keeps its heading context). Every target value written
in ASCII digits is redrawn (percentages stay within 0-100 and keep their decimals), the
seed's city and province names are replaced by made-up ones, and every year is shifted by
the same few years. The planted targets are the seed targets with those same changes, so
building the corpus must give them back: recall below 1 means extraction lost something
at scale. (How good extraction is against a human reading is ``qcompare eval``'s job.)

Plan ``i`` depends only on ``(seed, i)``: the 100-plan corpus is the first 100 plans of
the 1,000-plan one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import opencc
import pandas as pd
import yaml

from qcompare import paths
from qcompare.build import find_plans, process_plan, read_plan
from qcompare.plan.normalize import fold_width, normalize
from qcompare.plan.reader import decode

# Made-up place names: two syllables from characters that are not numerals, units,
# comparator cues, list joiners or target verbs, so a name never changes what is extracted.
SYLLABLES = "青云岚松柏桐梧溪泽澜岳峰岭川源泉湖沙霞晴宁安康丰昌盛华嘉瑞祥泰福荣桂兰梅竹滨"
PLANTED_COLUMNS = ["doc_id", "indicator_raw", "value", "value_high", "unit", "comparator", "target_year", "source"]
KEY = ["doc_id", "indicator_raw", "value", "value_high", "unit", "comparator"]
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?=\s*年|〕)")
_SUFFIX = re.compile(r"(?:市|省|自治区|自治州|地区|盟)$")


@dataclass
class Paragraph:
    """One line of a seed plan, with the targets the library reads in it."""

    seed: str
    text: str  # the line as written
    targets: list[dict] = field(default_factory=list)  # indicator_raw, value, ..., span (start, end) in text or None


@dataclass
class Seed:
    """A bundled plan cut into its preamble and top-level sections."""

    doc_id: str
    meta: dict
    names: dict[str, str]  # 'city' / 'province' -> short name as written in the sidecar
    preamble: list[Paragraph]
    sections: list[list[Paragraph]]


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def short_name(name: str | None) -> str:
    """A jurisdiction without its administrative suffix.

    >>> short_name("九江市"), short_name("江苏省"), short_name(None)
    ('九江', '江苏', '')
    """
    return _SUFFIX.sub("", name or "")


def value_span(quote_norm: str, value: float) -> tuple[int, int] | None:
    """Where ``value`` is written in a normalized quote, when it is written exactly once.

    >>> value_span("合格率稳定在93%以上", 93.0)
    (6, 8)
    >>> value_span("100万、50万、30万元", 100.0), value_span("达到12%和12个", 12.0)
    ((0, 3), None)
    """
    hits = [m.span() for m in _NUMBER.finditer(quote_norm) if float(m[0]) == value]
    return hits[0] if len(hits) == 1 else None


def load_seeds(raw: Path) -> list[Seed]:
    """Every plan in ``raw``, cut into sections, each line with the targets read in it."""
    seeds = []
    for plan in find_plans(raw):
        data, meta = read_plan(plan)
        text, _ = decode(data, plan.text_path, meta.get("encoding"))
        tables = process_plan(plan.doc_id, data, meta, plan.text_path)
        clauses = tables["clauses"].set_index("clause_id")
        norm = normalize(text)
        by_clause: dict[int, list[dict]] = {}
        for t in tables["targets"].itertuples(index=False):
            c = clauses.loc[t.clause_id]
            value = None if pd.isna(t.value) else float(t.value)
            span = None
            if value is not None and pd.isna(t.value_high):
                local = value_span(norm[t.start : t.end], value)
                span = (t.start - c.start + local[0], t.start - c.start + local[1]) if local else None
            by_clause.setdefault(t.clause_id, []).append({
                "indicator_raw": t.indicator_raw, "value": value,
                "value_high": None if pd.isna(t.value_high) else float(t.value_high),
                "unit": None if pd.isna(t.unit) else t.unit, "comparator": t.comparator,
                "target_year": None if pd.isna(t.target_year) else int(t.target_year),
                "source": f"{plan.doc_id}#{t.target_id}", "span": span,
            })
        preamble, sections = [], []
        top = None
        for c in tables["clauses"].itertuples(index=False):
            para = Paragraph(plan.doc_id, text[c.start : c.end], by_clause.get(c.clause_id, []))
            head = c.heading_path.split(" > ")[0]
            if not head:
                preamble.append(para)
            elif head != top:
                sections.append([para])
            else:
                sections[-1].append(para)
            top = head or top
        names = {"city": short_name(meta["jurisdiction"]), "province": short_name(meta.get("province"))}
        seeds.append(Seed(plan.doc_id, meta, names, preamble, sections))
    return seeds


def redraw(value: float, written: str, unit: str | None, rng: random.Random) -> str:
    """A new value written like ``written``: same decimals; a percentage stays in 0-100.

    >>> r = random.Random(1)
    >>> [redraw(93.0, "93", "%", r) for _ in range(3)], redraw(86.5, "86.5", None, r), redraw(100, "100", "%", r)
    (['89', '97', '96'], '71.8', '100')
    """
    decimals = len(written.split(".")[1]) if "." in written else 0
    if unit == "%" and value >= 100:
        return written  # 达到100%: a ceiling, kept
    if unit == "%":
        new = min(max(value + rng.uniform(-6, 6), 10 ** -decimals), 100 - 10 ** -decimals if decimals else 99)
    else:
        new = max(value * rng.uniform(0.6, 1.5), 10 ** -decimals if decimals else 1)
    return f"{new:.{decimals}f}"


def shift_years(text: str, delta: int) -> str:
    """Every year (before 年, or in 〔2023〕) moved by ``delta``, in ASCII or full-width digits.

    >>> shift_years("到２０２５年,晋市政发〔2023〕18号,2020-2025", 2)
    '到2027年,晋市政发〔2025〕18号,2020-2025'
    """
    folded = fold_width(text)
    out, last = [], 0
    for m in _YEAR.finditer(folded):
        out += [text[last : m.start()], str(int(m[1]) + delta)]
        last = m.end()
    return "".join(out) + text[last:]


def rename(text: str, names: dict[str, str], new: dict[str, str]) -> str:
    """The seed's city and province names (Simplified or Traditional) replaced by new ones.

    >>> rename("九江市、江西省、江西", {"city": "九江", "province": "江西"}, {"city": "青岚", "province": "泽川"})
    '青岚市、泽川省、泽川'
    """
    for kind in ("province", "city"):  # a province-level seed's own name is a province's
        old = names.get(kind)
        if not old or old == new[kind]:
            continue
        for variant in dict.fromkeys((old, _s2t().convert(old))):
            text = text.replace(variant, new[kind])
    return text


def _place(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.sample(SYLLABLES, 2))
        if name not in taken:
            taken.add(name)
            return name


def seed_year(seed: Seed) -> int | None:
    """The year a seed plan was issued (stated or inferred), or None."""
    issued = seed.meta.get("issued")
    return int(str(issued)[:4]) if issued else seed.meta.get("issued_year")


def era_gap(base: Seed, other: Seed) -> int:
    """Years to move a section of ``other`` by so that it keeps its distance to its plan's issue
    year inside a plan issued as ``base`` was: a 2018 section's 到2020年 becomes 到2026年 in a
    plan issued in 2024. Zero when either year is unknown.

    >>> a, b = Seed("a", {"issued": "2024-03-19"}, {}, [], []), Seed("b", {"issued_year": 2018}, {}, [], [])
    >>> era_gap(a, b), era_gap(b, a), era_gap(a, Seed("c", {}, {}, [], []))
    (6, -6, 0)
    """
    a, b = seed_year(base), seed_year(other)
    return a - b if a and b else 0


def make_plan(seeds: list[Seed], i: int, seed: int = 0) -> tuple[str, str, dict, list[dict]]:
    """Synthetic plan ``i``: ``(doc_id, text, sidecar fields, planted targets)``."""
    rng = random.Random(f"qcompare-synth-{seed}-{i}")
    doc_id = f"synth-{i:05d}"
    base = rng.choice(seeds)
    pool = [(s, k) for s in seeds for k in range(1, len(s.sections))]
    body = rng.sample(pool, min(len(pool), rng.randint(3, 7)))
    paragraphs = base.preamble + (base.sections[0] if base.sections else [])
    paragraphs += [p for s, k in body for p in s.sections[k]]
    taken: set[str] = {s.names["city"] for s in seeds} | {s.names["province"] for s in seeds}
    new = {"city": _place(rng, taken), "province": _place(rng, taken)}
    province_level = base.meta["level"] == "province"
    delta = rng.randint(-3, 3)
    by_seed = {s.doc_id: s for s in seeds}
    lines, planted = [], []
    for para in paragraphs:
        names = by_seed[para.seed].names
        shift = delta + era_gap(base, by_seed[para.seed])
        text, changes = para.text, {}
        norm = fold_width(text)
        for t in para.targets:
            if t["span"] and t["span"] not in changes:
                s, e = t["span"]
                changes[t["span"]] = redraw(t["value"], norm[s:e], t["unit"], rng)
        for (s, e), new_value in sorted(changes.items(), reverse=True):
            text = text[:s] + new_value + text[e:]
        lines.append(shift_years(rename(text, names, new), shift))
        for t in para.targets:
            planted.append({
                "doc_id": doc_id,
                "indicator_raw": shift_years(rename(t["indicator_raw"], names, new), shift),
                "value": float(changes[t["span"]]) if t["span"] else t["value"],
                "value_high": t["value_high"], "unit": t["unit"], "comparator": t["comparator"],
                "target_year": t["target_year"] + shift if t["target_year"] else None,
                "source": t["source"],
            })
    jurisdiction = new["province"] + "省" if province_level else new["city"] + "市"
    issued = base.meta.get("issued")
    if issued:
        d = dt.date.fromisoformat(issued)
        issued = d.replace(year=d.year + delta, day=min(d.day, 28)).isoformat()
    meta = {
        "jurisdiction": jurisdiction,
        "jurisdiction_en": f"Synthetic {doc_id}",
        "level": base.meta["level"],
        "province": new["province"] + "省",
        "issued": issued,
        "issued_year": None if issued or not base.meta.get("issued_year") else base.meta["issued_year"] + delta,
        "title": shift_years(rename(base.meta["title"], base.names, new), delta),
        "source": f"synthetic (benchmarks/synth.py, seed {seed}) from {base.doc_id} + "
                  + ", ".join(f"{s.doc_id} section {k + 1}" for s, k in body),
        "inferred": [],
    }
    return doc_id, "\n".join(lines) + "\n", {k: v for k, v in meta.items() if v is not None}, planted


def write_corpus(out: Path, n: int, seed: int = 0, raw: Path | None = None) -> pd.DataFrame:
    """Write ``n`` plans to ``out/raw`` and their planted targets to ``out/planted.csv``; return those."""
    seeds = load_seeds(Path(raw or paths.raw_dir()))
    folder = Path(out) / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("synth-*"):
        old.unlink()
    planted = []
    for i in range(1, n + 1):
        doc_id, text, meta, rows = make_plan(seeds, i, seed)
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        (folder / f"{doc_id}.meta.yml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        planted += rows
    df = pd.DataFrame(planted, columns=PLANTED_COLUMNS).astype({"target_year": "Int64"})
    df.to_csv(Path(out) / "planted.csv", index=False, lineterminator="\n")
    return df


def recall(planted: pd.DataFrame, targets: pd.DataFrame) -> dict:
    """Planted targets found again (same plan, indicator phrase, value, unit, comparator).

    Each planted row is matched at most once; ``extra`` counts extracted rows nothing was
    planted for, ``year_agrees`` the matched rows whose target year is also the planted one.
    """
    def keyed(df: pd.DataFrame, with_year: bool) -> pd.Series:
        cols = KEY + (["target_year"] if with_year else [])
        k = df[cols].astype(object).where(df[cols].notna(), None)
        k["value"] = [None if v is None else round(float(v), 6) for v in k["value"]]
        k["value_high"] = [None if v is None else round(float(v), 6) for v in k["value_high"]]
        if with_year:
            k["target_year"] = [None if v is None else int(v) for v in k["target_year"]]
        return pd.Series(list(map(tuple, k.itertuples(index=False)))).value_counts()

    def matched(with_year: bool) -> int:
        p, t = keyed(planted, with_year), keyed(targets, with_year)
        return int(pd.concat([p, t], axis=1).fillna(0).min(axis=1).sum())

    found = matched(False)
    return {
        "planted": len(planted),
        "recovered": found,
        "recall": round(found / len(planted), 4) if len(planted) else 1.0,
        "extra": len(targets) - found,
        "year_agrees": matched(True),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("n", type=int, help="number of plans")
    p.add_argument("out", type=Path, help="folder to write raw/ and planted.csv into (not data/raw)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--raw", type=Path, help="seed plans (default data/raw)")
    args = p.parse_args(argv)
    if args.out.resolve().is_relative_to(paths.raw_dir().parent.resolve()):
        p.error(f"write the synthetic corpus outside {paths.raw_dir().parent} (data/raw holds real plans only)")
    planted = write_corpus(args.out, args.n, args.seed, args.raw)
    print(f"{args.n} plans, {len(planted)} planted targets -> {args.out}")


if __name__ == "__main__":
    main()
