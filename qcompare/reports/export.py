"""Corpus -> a shareable zip: the tidy tables as CSV and Excel, a data dictionary, sources, caveats.

Reads every table of the corpus (``schema.TABLES``), the national reference values, the
table declarations in ``schema.py`` and the taxonomy version; writes one zip (default
``reports/qcompare-export.zip``), atomically:

    qcompare-export/README.txt          what is inside, versions, the caveats in words
    qcompare-export/tables/<name>.csv   every table, UTF-8, and comparison.csv (qc.compare of every shared indicator)
    qcompare-export/qcompare.xlsx       one sheet per table, plus sources, caveats, dictionary
    qcompare-export/dictionary.csv      every declared column: table, type, allowed values, meaning
    qcompare-export/sources.csv         where each plan's text came from
    qcompare-export/caveats.csv         what a reader must know before comparing
    qcompare-export/about.json          qcompare and taxonomy versions, build fingerprint
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

from qcompare import paths, schema
from qcompare.analysis.compare import compare
from qcompare.atomic import write_atomic
from qcompare.corpus import Corpus, load
from qcompare.knowledge.reference import national
from qcompare.knowledge.taxonomy import taxonomy, taxonomy_version
from qcompare.reports.grid import shared_indicators
from qcompare.schema import CAVEATS, COMPARISON, DICTIONARY, SOURCES, Table

FOLDER = "qcompare-export"
DEFAULT_NAME = "qcompare-export.zip"

def declared_tables() -> list[Table]:
    """Every table of the registry (``schema.DECLARED``), built or not."""
    return list(schema.DECLARED.values())


def dictionary(exported: dict[str, str]) -> pd.DataFrame:
    """One row per declared column; ``exported`` maps table name -> file in the bundle."""
    rows = [
        {"table": t.name, "row": t.row, "key": ", ".join(t.key), "column": c.name, "type": c.dtype,
         "nullable": c.nullable, "allowed": " | ".join(c.allowed) if c.allowed else None,
         "description": c.description, "exported": exported.get(t.name)}
        for t in declared_tables() for c in t.columns
    ]
    return DICTIONARY.validate(pd.DataFrame(rows))


def sources(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per plan: jurisdiction, date, 文号, where the text came from, the raw bytes' hash."""
    return SOURCES.validate(documents)


def _names(documents: pd.DataFrame, doc_ids) -> str:
    where = documents.set_index("doc_id")["jurisdiction"]
    return ", ".join(f"{where.get(d, d)} ({d})" for d in sorted(doc_ids))


def caveats(documents: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Caveats derived from the data (see ``CAVEATS``), one row per indicator or plan concerned."""
    rows = []
    mapped = targets.dropna(subset=["indicator_id", "family"])
    family_plans = mapped.groupby("family")["doc_id"].agg(set)
    for (indicator, family), plans in mapped.groupby(["indicator_id", "family"])["doc_id"]:
        others = family_plans[family] - set(plans)
        if others:
            rows.append(("family_only", indicator,
                         f"{indicator} (set by {_names(documents, set(plans))}) compares with "
                         f"{_names(documents, others)} only as family {family}: those plans set other indicators of it"))
    for doc in documents.itertuples(index=False):
        if doc.level != "city":
            rows.append(("level", doc.doc_id, f"{doc.jurisdiction} ({doc.doc_id}) is a {doc.level}-level plan: its "
                                              f"targets cover the whole {doc.level}, not one city"))
        if pd.isna(doc.issued):
            known = f"issue year {doc.issued_year} is inferred" if pd.notna(doc.issued_year) else "issue year unknown"
            rows.append(("undated", doc.doc_id, f"{doc.jurisdiction} ({doc.doc_id}) states no issue date; {known}"))
        if isinstance(doc.inferred, str) and doc.inferred:
            rows.append(("inferred", doc.doc_id, f"{doc.jurisdiction} ({doc.doc_id}): sidecar fields inferred, not "
                                                 f"stated in the text: {doc.inferred.replace(';', ', ')}"))
    flags = targets["flags"].fillna("").astype(str).str.split(";")
    for doc_id, n in targets[flags.map(lambda f: "corrupted" in f)].groupby("doc_id").size().items():
        rows.append(("corrupted", doc_id, f"{_names(documents, [doc_id])}: {n} target(s) touch damaged characters; "
                                          "their values are left empty"))
    for doc_id, n in targets[targets["indicator_id"].isna()].groupby("doc_id").size().items():
        rows.append(("unmapped", doc_id, f"{_names(documents, [doc_id])}: {n} target(s) not mapped to the taxonomy "
                                         "(qcompare indicators --unmapped); they appear in no comparison"))
    df = pd.DataFrame(rows, columns=CAVEATS.names) if rows else CAVEATS.empty()
    return CAVEATS.validate(df.sort_values(["caveat", "subject"], kind="stable"))


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text without the control characters Excel files cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v)
    return out


def comparisons(corpus: Corpus) -> pd.DataFrame:
    """``qc.compare()`` of every indicator and family two or more plans set, stacked
    (``schema.COMPARISON``, column ``compared``): what the indicator reports show, in one table."""
    parts = [compare(i, corpus=corpus) for i in shared_indicators(corpus.targets, taxonomy().index)]
    return COMPARISON.validate(pd.concat(parts, ignore_index=True)) if parts else COMPARISON.empty()


def heading(column: str) -> str:
    """A column name as a sheet's header prints it.

    >>> heading("indicator_id"), heading("vs_national_target")
    ('Indicator id', 'Vs national target')
    """
    return column.replace("_", " ").capitalize()


def workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx with one sheet per table: readable headers (each with its column's meaning as a
    comment, from the data dictionary), widths that fit the text up to 60 characters, the
    header row frozen and filters on."""
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    meaning = {(t.name, c.name): c.description for t in declared_tables() for c in t.columns}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in sheets.items():
            sheet_name = name[:31]
            _excel_safe(df).rename(columns=heading).to_excel(writer, sheet_name=sheet_name, index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[sheet_name]
            sheet.auto_filter.ref = sheet.dimensions
            for j, column in enumerate(df.columns, start=1):
                cells = df[column].head(500).map(lambda v: len(str(v)) if pd.notna(v) else 0)
                sheet.column_dimensions[get_column_letter(j)].width = min(max([len(heading(column)), *cells], default=8) + 2, 60)
                if (name, column) in meaning:
                    sheet.cell(row=1, column=j).comment = Comment(meaning[(name, column)], "qcompare")
    return buffer.getvalue()


def _readme(about: dict, tables: dict[str, pd.DataFrame], notes: pd.DataFrame) -> str:
    lines = [
        "qcompare export",
        "",
        f"qcompare {about['qcompare_version']}, taxonomy {about['taxonomy_version']}, exported {about['exported']}.",
        f"{about['plans']} plans; build fingerprint {about['build_fingerprint']}.",
        "",
        "tables/<name>.csv   the tidy tables, UTF-8 (Excel users: open qcompare.xlsx instead)",
        *(f"  {name}: {len(df)} rows" for name, df in tables.items()),
        "qcompare.xlsx       the same tables, one sheet each (filters on, each header's meaning in its comment),",
        "                    plus sources, caveats and dictionary",
        "dictionary.csv      every column of every table: type, allowed values, meaning",
        "sources.csv         where each plan's text came from (URL when known), with the SHA-256 of the raw file",
        "caveats.csv         read before comparing:",
        *(f"  - {d}" for d in notes["detail"]),
        "",
    ]
    return "\n".join(lines)


def export(out: str | Path | None = None, corpus: Corpus | None = None) -> Path:
    """Write the bundle to ``out`` (default reports/qcompare-export.zip); return its path."""
    out = Path(out) if out else paths.reports_dir() / DEFAULT_NAME
    corpus = corpus if corpus is not None else load()
    tables = {**corpus.tables, "national": national(), "comparison": comparisons(corpus)}
    notes = caveats(corpus.documents, corpus.targets)
    plans = sources(corpus.documents)
    extra = {"sources": plans, "caveats": notes}
    exported = {name: f"tables/{name}.csv" for name in tables} | {n: f"{n}.csv" for n in (*extra, "dictionary")}
    data_dictionary = dictionary(exported)
    build_info = corpus.path / "build_info.json"
    about = {
        "qcompare_version": paths.VERSION,
        "taxonomy_version": taxonomy_version(),
        "build_fingerprint": json.loads(build_info.read_text(encoding="utf-8")).get("fingerprint") if build_info.exists() else None,
        "plans": len(corpus.documents),
        "exported": date.today().isoformat(),
        "tables": {name: len(df) for name, df in tables.items()},
    }

    def csv(df: pd.DataFrame) -> bytes:
        return df.to_csv(index=False, lineterminator="\n").encode("utf-8")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{FOLDER}/README.txt", _readme(about, tables, notes))
        for name, df in tables.items():
            z.writestr(f"{FOLDER}/tables/{name}.csv", csv(df))
        for name, df in {**extra, "dictionary": data_dictionary}.items():
            z.writestr(f"{FOLDER}/{name}.csv", csv(df))
        z.writestr(f"{FOLDER}/qcompare.xlsx", workbook({**tables, **extra, "dictionary": data_dictionary}))
        z.writestr(f"{FOLDER}/about.json", json.dumps(about, indent=1, ensure_ascii=False) + "\n")
    return write_atomic(out, buffer.getvalue())
