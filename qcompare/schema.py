"""Every table the suite writes, declared once: columns, types, allowed values, key.

``TABLES[name].validate(df)`` runs before any table is written or returned, so a
violation names the table, the column and the row instead of surfacing later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from qcompare.errors import SchemaError

LEVELS = ("national", "province", "city", "county")
SCRIPTS = ("traditional", "simplified")
COMPARATORS = (">=", "<=", "=", "approx", "range", "increase_by", "decrease_by", "qualitative")
# What kind of number a target holds (rules in data/lexicon.yml `kinds`): a stock to reach or keep,
# new things over the plan period, a per-year amount, a change from a baseline, a running total.
TARGET_KINDS = ("level", "added", "annual", "change", "cumulative")
ROLES = ("lead", "partner")
MAPPED_BY = ("phrase", "normalized phrase", "subject")  # how a target was mapped (taxonomy.map_target)
ORIGINS = ("extracted", "corrected", "added")
DOC_TYPES = ("plan", "bulletin", "news", "review")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "Int64", "float64" or "boolean"
    description: str
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    meaning: str = ""  # what the name means in every table; set once, where the column is first declared

    def __post_init__(self):
        if not self.meaning:
            object.__setattr__(self, "meaning", self.description)

    def but(self, note: str, **changes) -> Column:
        """The same column (same meaning) as another table holds it: ``note`` says how it narrows."""
        return replace(self, description=f"{self.meaning} {note}".strip(), **changes)


@dataclass(frozen=True)
class Table:
    name: str
    row: str  # what one row is
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def empty(self) -> pd.DataFrame:
        """A table with no rows and the declared columns and types."""
        return self.conform(pd.DataFrame({c: [] for c in self.names}))

    def conform(self, df: pd.DataFrame) -> pd.DataFrame:
        """Declared columns, in order, cast to their declared types."""
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise SchemaError(self.name, missing[0], "column is missing")
        out = df[self.names].copy()
        for col in self.columns:
            try:
                out[col.name] = out[col.name].astype(col.dtype)
            except (TypeError, ValueError) as exc:
                raise SchemaError(self.name, col.name, f"cannot be read as {col.dtype}: {exc}") from None
        return out.reset_index(drop=True)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Conform ``df`` and check nulls, allowed values and key; return it."""
        df = self.conform(df)
        for col in self.columns:
            values = df[col.name]
            if not col.nullable and values.isna().any():
                row = df.loc[values.isna(), list(self.key)].iloc[0].to_dict()
                raise SchemaError(self.name, col.name, "must not be empty", row)
            if col.allowed is not None:
                bad = values.notna() & ~values.isin(col.allowed)
                if bad.any():
                    row = df.loc[bad, list(self.key)].iloc[0].to_dict()
                    raise SchemaError(
                        self.name, col.name, f"{values[bad].iloc[0]!r} is not one of {list(col.allowed)}", row
                    )
        dup = df.duplicated(list(self.key))
        if dup.any():
            raise SchemaError(self.name, None, f"key {self.key} is not unique", df.loc[dup, list(self.key)].iloc[0].to_dict())
        return df


def _c(name, dtype, description, **kw) -> Column:
    return Column(name, dtype, description, **kw)


DOC_ID = _c("doc_id", "str", "Plan id: the raw file's name without .txt.", nullable=False)
CLAUSE_ID = _c("clause_id", "Int64", "Clause number within the plan, 1-based in reading order.", nullable=False)
START = _c("start", "Int64", "Start offset (characters) in the plan's original text.", nullable=False)
END = _c("end", "Int64", "End offset (exclusive) in the plan's original text.", nullable=False)
HEADING_PATH = _c("heading_path", "str", "Headings down to the clause, joined by ' > ' (normalized text).")
JURISDICTION = _c("jurisdiction", "str", "Jurisdiction's Chinese name (sidecar).", nullable=False)
JURISDICTION_EN = _c("jurisdiction_en", "str", "Jurisdiction's English name (sidecar).")
LEVEL = _c("level", "str", "Administrative level of the issuing jurisdiction.", nullable=False, allowed=LEVELS)
TITLE = _c("title", "str", "Plan title (sidecar).")
DOC_NUMBER = _c("doc_number", "str", "文号: the sidecar's, else the one the text states.")
SOURCE = _c("source", "str", "Where the text or value came from.")
TARGET_ID = _c("target_id", "Int64", "Target number within the plan, 1-based in reading order.", nullable=False)
INDICATOR_RAW = _c("indicator_raw", "str", "Indicator as the plan names it (Simplified), the minimal complete phrase.", nullable=False)
INDICATOR_ID = _c("indicator_id", "str", "Canonical indicator (taxonomy.yml).")
FAMILY = _c("family", "str", "Indicator family (taxonomy.yml): measures comparable with a caveat.")
VALUE = _c("value", "float64", "The number as the plan writes it or the publisher reports it (94.5 for 94.5 %).")
VALUE_HIGH = _c("value_high", "float64", "Upper bound of a range target.")
UNIT = _c("unit", "str", "Unit as written (%, 个百分点, 个, 家, 万元, …); empty for an index or score.")
COMPARATOR = _c("comparator", "str", "How the value binds.", allowed=COMPARATORS)
TARGET_YEAR = _c("target_year", "Int64", "Year the target is for: stated, or inherited from the goal paragraph.")
ASPIRATIONAL = _c("aspirational", "boolean", "True for 力争/争取/争创 targets.", nullable=False)
YEAR = _c("year", "Int64", "Year the value is for: the year measured.")
BASELINE_YEAR = _c("baseline_year", "Int64", "Year a target starts from.")
QUOTE = _c("quote", "str", "The plan's own words holding the value, in its own script.", nullable=False)
KIND = _c("kind", "str", "What the number is: level (达到 X), added (新增 X), annual (每年/年均 X), change (提高 X 个百分点,"
           " 下降 X%), cumulative (累计 X).", allowed=TARGET_KINDS)
FLAGS = _c("flags", "str", "Data-quality flags, ';'-joined (replacement_char, private_use, question_marks, corrupted, ...).")

DOCUMENTS = Table(
    "documents",
    "one plan",
    ("doc_id",),
    (
        DOC_ID,
        JURISDICTION,
        JURISDICTION_EN,
        LEVEL,
        _c("doc_type", "str", "What the text is (sidecar, default plan): a plan sets targets; a statistical bulletin or a news"
           " text only reports actuals (its targets are dropped); a review looks back on a plan.", nullable=False,
           allowed=DOC_TYPES),
        _c("province", "str", "Province the jurisdiction belongs to (sidecar)."),
        _c("issued", "str", "Issue date, ISO 8601, empty when unknown (sidecar)."),
        _c("issued_year", "Int64", "Issue year: from `issued`, else the sidecar's inferred `issued_year`."),
        TITLE,
        DOC_NUMBER,
        SOURCE.but("For a plan: the sidecar's note on where its text came from."),
        _c("url", "str", "Web address the text was published at (sidecar), when known."),
        _c("notes", "str", "Free notes (sidecar)."),
        _c("inferred", "str", "Sidecar fields that were inferred, not stated, ';'-joined."),
        _c("script", "str", "Script the original text is written in.", nullable=False, allowed=SCRIPTS),
        _c("encoding", "str", "Encoding the raw bytes were decoded with.", nullable=False),
        _c("characters", "Int64", "Characters in the original text.", nullable=False),
        _c("sha256", "str", "SHA-256 of the raw bytes.", nullable=False),
        _c("stated_title", "str", "Title as the text itself states it."),
        _c("stated_doc_number", "str", "文号 as the text itself states it (spaces removed)."),
        _c("stated_signed_date", "str", "成文/落款 date the text states, ISO 8601."),
        _c("stated_published_date", "str", "发布 date the text states, ISO 8601."),
        _c("normalization_steps", "str", "Normalization steps that changed the text, ';'-joined."),
        _c("furniture_lines", "Int64", "Lines dropped as page furniture (页码, 打印本页, image.png, ...)."),
    ),
)

CLAUSES = Table(
    "clauses",
    "one paragraph-level unit of a plan (a line of text, or a heading line)",
    ("doc_id", "clause_id"),
    (
        DOC_ID,
        CLAUSE_ID,
        HEADING_PATH,
        _c("heading", "str", "Text of the nearest heading (the clause's own when it opens with one)."),
        _c("is_heading", "boolean", "True when the clause is a heading and nothing more.", nullable=False),
        _c("text", "str", "Clause text, normalized (Simplified, ASCII digits).", nullable=False),
        START,
        END,
        _c("responsibility_raw", "str", "Responsibility note closing the clause, e.g. 责任单位:…, without brackets."),
        FLAGS,
    ),
)


TARGETS = Table(
    "targets",
    "one target a plan sets for one indicator: a value, a range, a change, or a qualitative level",
    ("doc_id", "target_id"),
    (
        DOC_ID,
        TARGET_ID,
        CLAUSE_ID,
        HEADING_PATH,
        INDICATOR_RAW,
        INDICATOR_ID.but("Empty when unmapped."),
        FAMILY,
        _c("mapped_by", "str", "How indicator_id was found: the phrase as written, its normalized form (jurisdiction,"
           " pinyin, trailing words dropped), or the subject a bare 合格率/满意度 takes from its sentence;"
           " empty when unmapped.", allowed=MAPPED_BY),
        VALUE.but("Empty for a qualitative or corrupted target."),
        VALUE_HIGH,
        UNIT,
        COMPARATOR.but("", nullable=False),
        KIND.but("", nullable=False),
        TARGET_YEAR,
        ASPIRATIONAL,
        QUOTE.but("The shortest clause holding the target."),
        START,
        END,
        BASELINE_YEAR.but("As the plan states it for a change (较2020年提高…)."),
        FLAGS,
        _c("origin", "str", "Where the row comes from: the extractor, a reviewer's correction of it, or a target a reviewer"
           " added (data/corrections.yml).", nullable=False, allowed=ORIGINS),
    ),
)


ACTUALS = Table(
    "actuals",
    "one past or current value a text states for one indicator (2022年…合格率为92.7%; 截至2023年底已建成12个)",
    ("doc_id", "actual_id"),
    (
        DOC_ID,
        _c("actual_id", "Int64", "Actual number within the document, 1-based in reading order.", nullable=False),
        CLAUSE_ID,
        HEADING_PATH,
        INDICATOR_RAW,
        INDICATOR_ID.but("Mapped as for targets; empty when unmapped."),
        FAMILY,
        VALUE.but("Empty when the number touches damaged text."),
        UNIT,
        YEAR.but("2022年…, 截至2023年底; empty when the text states none (目前, 现有)."),
        QUOTE.but("The shortest clause holding the value."),
        START,
        END,
        FLAGS.but("Here also change: a rise or fall (增长5.1%), not a level."),
    ),
)

INCENTIVE_KINDS = ("奖励", "补助", "资助", "奖补", "补贴")

INCENTIVES = Table(
    "incentives",
    "one award or subsidy amount a text promises for one award or recognition (给予100万元的奖励 for 中国质量奖); not a target",
    ("doc_id", "incentive_id"),
    (
        DOC_ID,
        _c("incentive_id", "Int64", "Incentive number within the document, 1-based in reading order.", nullable=False),
        CLAUSE_ID,
        HEADING_PATH,
        _c("award", "str", "The award or recognition the money is for, as written (Simplified), e.g. 中国质量奖提名奖;"
           " a variant in brackets, e.g. 江西名牌产品认定(复评).", nullable=False),
        _c("payment", "str", "The word the text uses for the money.", nullable=False, allowed=INCENTIVE_KINDS),
        VALUE.but("The amount (100 for 100万元).", nullable=False),
        UNIT.but("An amount in a list takes the list's unit (100万、50万元).", nullable=False),
        QUOTE.but("The shortest clause holding the amount."),
        START,
        END,
        FLAGS.but("Here also up_to (最高/不超过: a ceiling, not a fixed sum) and unpaired (awards and amounts differ in"
                  " number, so the award is the whole list)."),
    ),
)


NATIONAL = Table(
    "national",
    "one national reference value for one indicator and year: a 2025 target of the 质量强国建设纲要, or an actual the market regulator reported",
    ("indicator_id", "reference", "year"),
    (
        INDICATOR_ID.but("", nullable=False),
        _c("reference", "str", "A national target, or the national actual for a year.", nullable=False, allowed=("target", "actual")),
        YEAR.but("For a target, the year it is for.", nullable=False),
        VALUE.but("As published.", nullable=False),
        COMPARATOR.but("Actuals use '='.", nullable=False),
        UNIT,
        SOURCE.but("For a national value: publisher, document and the sentence it comes from.", nullable=False),
    ),
)

COMPARISON_STATUSES = ("value", "qualitative", "corrupted", "no target set")

COMPARISON = Table(
    "comparison",
    "what one plan sets for the compared indicator(s), per indicator, kind and target year: one target, or one"
    " 'no target set' row for a plan that sets none; with the national references and the plan's own baseline as"
    " columns (returned by qc.compare(), not built or written)",
    ("compared", "doc_id", "indicator_id", "kind", "target_year"),
    (
        _c("compared", "str", "The indicator or family compared: what the name given to qc.compare() resolved to.",
           nullable=False),
        DOC_ID,
        JURISDICTION,
        JURISDICTION_EN,
        LEVEL,
        TITLE,
        DOC_NUMBER,
        TARGET_ID.but("The first of the plan's targets with this indicator, kind and year; empty on a 'no target set'"
                      " row.", nullable=True),
        INDICATOR_ID.but("Empty on a 'no target set' row of a family comparison."),
        FAMILY.but("", nullable=False),
        _c("name_zh", "str", "Indicator's Chinese name (taxonomy.yml); empty where indicator_id is."),
        _c("name_en", "str", "Indicator's English name (taxonomy.yml); empty where indicator_id is."),
        INDICATOR_RAW.but("Empty on a 'no target set' row.", nullable=True),
        KIND.but("Empty on a 'no target set' row."),
        VALUE.but("Empty unless status is a value."),
        VALUE_HIGH,
        UNIT,
        COMPARATOR.but("Empty on 'no target set' rows."),
        TARGET_YEAR,
        ASPIRATIONAL.but("Empty on a 'no target set' row.", nullable=True),
        _c("status", "str", "What the row holds: a number, a level without one, a damaged number, or nothing.",
           nullable=False, allowed=COMPARISON_STATUSES),
        QUOTE.but("Empty on a 'no target set' row.", nullable=True),
        _c("national_target", "float64", "National target of the indicator (qc.national()) for the row's target year,"
           " else the latest; only for a level in the same unit."),
        _c("national_target_year", "Int64", "Year national_target is for."),
        _c("vs_national_target", "float64", "Value minus national_target (in points for a %)."),
        _c("national_actual", "float64", "Latest national actual of the indicator (qc.national()); only for a level in"
           " the same unit."),
        _c("national_actual_year", "Int64", "Year of national_actual."),
        _c("vs_national_actual", "float64", "Value minus national_actual."),
        _c("baseline_value", "float64", "Latest actual of the indicator the plan itself states, or a bulletin of the same"
           " jurisdiction does (actuals table), up to the target year, in the target's unit; only for a level."),
        BASELINE_YEAR.but("Here the year baseline_value is for."),
        _c("to_go", "float64", "Value minus baseline_value: what the plan commits to close (negative: already met)."),
    ),
)

DEPARTMENTS = Table(
    "departments",
    "one department a task clause's responsibility note names (or a section note makes it inherit)",
    ("doc_id", "clause_id", "department_raw"),
    (
        DOC_ID,
        CLAUSE_ID,
        _c("department_raw", "str", "Department as written (Simplified), tails such as 等按职责分工负责 dropped.", nullable=False),
        _c("department", "str", "Canonical department id (departments.yml; a predecessor maps to its successor), empty when unmapped."),
        _c("body_level", "str", "Level of the body: its 省/市/县 prefix, else the canonical body's, else the plan's.", nullable=False, allowed=LEVELS),
        _c("role", "str", "lead: listed first, or marked 牵头; partner otherwise.", nullable=False, allowed=ROLES),
        _c("note", "str", "How the row was read: predecessor of …, also named …, inherited from section note, ..."),
        START.but("Of the name; for an inherited row, in the section note."),
        END.but("Of the name."),
    ),
)

TERMS = Table(
    "terms",
    "one term (jieba word, stopwords dropped) one plan uses in its clause texts",
    ("doc_id", "term"),
    (
        DOC_ID,
        _c("term", "str", "Word as jieba segments the normalized text, with the package's user dictionary.", nullable=False),
        _c("term_count", "Int64", "Times the plan uses the term (headings-only lines and responsibility notes left out).", nullable=False),
        _c("tfidf", "float64", "Share of the plan's words x ln(plans / plans using the term), L2-normalized per plan, over the built corpus."),
    ),
)

# --- tables of the export bundle (qcompare export) ----------------------------------

SOURCES = Table(
    "sources",
    "one plan and where its text came from",
    ("doc_id",),
    (
        DOC_ID,
        *(c for c in DOCUMENTS.columns if c.name in (
            "jurisdiction", "jurisdiction_en", "level", "province", "issued", "issued_year", "title", "doc_number",
            "source", "url", "inferred", "sha256")),
    ),
)

CAVEATS = Table(
    "caveats",
    "one thing a reader must know before comparing: an indicator only comparable within its family, a plan"
    " that is not city-level, undated, partly inferred, or has damaged or unmapped targets",
    ("caveat", "subject"),
    (
        _c("caveat", "str", "What the caveat is about.", nullable=False,
           allowed=("family_only", "level", "undated", "inferred", "corrupted", "unmapped")),
        _c("subject", "str", "The indicator_id (family_only) or doc_id (every other kind).", nullable=False),
        _c("detail", "str", "The caveat in one sentence, naming the plans concerned.", nullable=False),
    ),
)

DICTIONARY = Table(
    "dictionary",
    "one column of one table",
    ("table", "column"),
    (
        _c("table", "str", "Table name.", nullable=False),
        _c("row", "str", "What one row of the table is.", nullable=False),
        _c("key", "str", "The table's primary key, ', '-joined.", nullable=False),
        _c("column", "str", "Column name.", nullable=False),
        _c("type", "str", "Declared type: str, Int64 (integer, may be empty), float64, boolean.", nullable=False),
        _c("nullable", "boolean", "True when the column may be empty.", nullable=False),
        _c("allowed", "str", "Allowed values, ' | '-joined; empty when any value is allowed."),
        _c("description", "str", "What the column holds.", nullable=False),
        _c("exported", "str", "File in this bundle holding the table; empty for a declared table not exported"
           " (e.g. comparison, returned by qc.compare())."),
    ),
)


# --- the registry: every table, declared above, listed once ---------------------------

TABLES: dict[str, Table] = {t.name: t for t in (DOCUMENTS, CLAUSES, TARGETS, ACTUALS, INCENTIVES, DEPARTMENTS, TERMS)}
"""The tables ``qcompare build`` writes, in build order."""

DECLARED: dict[str, Table] = {**TABLES, **{t.name: t for t in (NATIONAL, COMPARISON, SOURCES, CAVEATS, DICTIONARY)}}
"""Every declared table: the built ones, then those derived on demand or written by ``qcompare export``."""
