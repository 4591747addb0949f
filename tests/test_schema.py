"""Every table is declared once and validated: a violation names the table, column and row."""

from __future__ import annotations

import pytest

from qcompare.errors import SchemaError
from qcompare.schema import DECLARED, TABLES


@pytest.mark.parametrize("name", sorted(TABLES))
def test_declarations_are_complete(name):
    table = TABLES[name]
    assert table.row and table.key and set(table.key) <= set(table.names)
    assert all(c.description for c in table.columns)
    assert len(set(table.names)) == len(table.names)


def test_one_name_means_one_thing():
    """A column name shared by two declared tables is one declaration: same meaning, same type and values."""
    seen = {}
    for table in DECLARED.values():
        for col in table.columns:
            first = seen.setdefault(col.name, (table.name, col))[1]
            assert (col.meaning, col.dtype, col.allowed) == (first.meaning, first.dtype, first.allowed), (
                f"{table.name}.{col.name} and {seen[col.name][0]}.{col.name} mean different things: rename one")


def test_the_meaning_check_can_fail():
    from qcompare.schema import Column

    a, b = Column("kind", "str", "A national target or actual."), Column("kind", "str", "What the caveat is about.")
    assert a.meaning != b.meaning and a.but("Narrowed.").meaning == a.meaning


def test_built_tables_match_their_declarations(corpus):
    for name, table in TABLES.items():
        df = corpus.tables[name]
        assert list(df.columns) == table.names
        table.validate(df)


def test_a_bad_value_names_table_column_and_row(corpus):
    targets = corpus.targets.copy()
    targets.loc[3, "comparator"] = "≥"
    with pytest.raises(SchemaError, match=r"table 'targets', column 'comparator', row \{'doc_id': '.+', 'target_id': \d+\}: '≥' is not one of"):
        TABLES["targets"].validate(targets)


def test_duplicate_key_is_refused(corpus):
    clauses = corpus.clauses.head(3)
    with pytest.raises(SchemaError, match=r"table 'clauses', row \{'doc_id': 'huaian-inferred', 'clause_id': 2\}: key \('doc_id', 'clause_id'\) is not unique"):
        TABLES["clauses"].validate(clauses.iloc[[0, 1, 1]])


def test_missing_column_is_named():
    import pandas as pd

    with pytest.raises(SchemaError, match="table 'documents', column 'doc_id': column is missing"):
        TABLES["documents"].validate(pd.DataFrame({"x": [1]}))
