"""qc.compare and qc.coverage on the bundled plans: real values, statuses, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qcompare as qc
from qcompare.analysis.compare import resolve
from qcompare.corpus import Corpus
from qcompare.errors import UnknownNameError
from qcompare.schema import COMPARISON, TABLES
from qcompare.knowledge.taxonomy import CATEGORIES


def _plan(table: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    return table[table["doc_id"] == doc_id]


@pytest.fixture(scope="module")
def manufacturing(corpus) -> pd.DataFrame:
    return qc.compare("manufacturing_product_pass_rate", corpus=corpus)


def test_manufacturing_product_pass_rate_values(manufacturing):
    values = manufacturing[manufacturing["status"] == "value"].set_index("jurisdiction_en")
    assert values["value"].to_dict() == {"Jiujiang": 94.5, "Yichun": 94.0, "Jincheng": 93.0}
    assert set(values["comparator"]) == {">="}
    assert set(values["target_year"]) == {2025}
    assert set(values["level"]) == {"city"}
    assert values.at["Jincheng", "doc_number"] == "晋市政发〔2023〕18号"
    assert values.at["Jiujiang", "title"] == "九江市深化质量强市建设实施方案"
    assert "94.5" in values.at["Jiujiang", "quote"]


def test_returned_columns_are_the_declared_ones(manufacturing):
    assert list(manufacturing.columns) == COMPARISON.names
    COMPARISON.validate(manufacturing)
    assert "comparison" not in TABLES  # declared for validation, not a built table


def test_plans_without_the_indicator_show_no_target_set_never_zero(manufacturing):
    none = manufacturing[manufacturing["status"] == "no target set"]
    assert set(none["doc_id"]) == {"jiangsu-2018", "huaian-inferred"}
    assert none["value"].isna().all() and none["comparator"].isna().all()
    assert set(none["indicator_id"]) == {"manufacturing_product_pass_rate"}
    assert _plan(none, "jiangsu-2018")["level"].item() == "province"


def test_national_references_are_columns_of_each_level_row(manufacturing):
    rows = manufacturing[manufacturing["status"] == "value"].set_index("doc_id")
    jiujiang = rows.loc["jiujiang-2024"]
    assert (jiujiang["national_target"], jiujiang["national_target_year"]) == (94.0, 2025)
    assert (jiujiang["national_actual"], jiujiang["national_actual_year"]) == (pytest.approx(93.93), 2024)
    assert jiujiang["vs_national_target"] == pytest.approx(0.5)
    assert rows.at["jincheng-2023", "vs_national_target"] == pytest.approx(-1.0)
    assert manufacturing["doc_id"].notna().all()  # no national rows: references are columns


def test_one_row_per_plan_indicator_kind_and_year(manufacturing):
    assert not manufacturing.duplicated(["doc_id", "indicator_id", "kind", "target_year"]).any()


def test_national_references_table():
    from qcompare.analysis.compare import national_references

    nat = national_references("manufacturing_product_pass_rate")
    assert nat.loc[nat["reference"] == "target", ["value", "year"]].values.tolist() == [[94.0, 2025]]
    assert nat.loc[nat["reference"] == "actual"].set_index("year").at[2024, "value"] == pytest.approx(93.93)


def test_counts_of_new_things_get_no_national_level(corpus):
    """淮安's 新增主导制定地方标准4项 is an addition: no national level, no gap, kind 'added'."""
    rows = qc.compare("local_standards", corpus=corpus).set_index("doc_id")
    assert rows.at["huaian-inferred", "kind"] == "added" and rows.at["huaian-inferred", "value"] == 4
    assert rows.at["yichun", "kind"] == "level" and rows.at["yichun", "value"] == 62
    assert rows[["national_target", "vs_national_target", "baseline_value"]].isna().all().all()


def test_chinese_name_resolves_to_the_indicator(corpus, manufacturing):
    by_name = qc.compare("制造业产品质量合格率", corpus=corpus)
    pd.testing.assert_frame_equal(by_name, manufacturing)


def test_family_comparison_includes_jincheng_food_safety(corpus):
    food = qc.compare("food_safety_pass_rate", corpus=corpus)
    jincheng = _plan(food, "jincheng-2023")
    assert jincheng["value"].tolist() == [98.5]
    assert jincheng["indicator_id"].item() == "food_safety_sampling_pass_rate"
    assert set(food["family"]) == {"food_safety_pass_rate"}
    none = food[food["status"] == "no target set"]
    assert none["indicator_id"].isna().all() and set(none["doc_id"]) == {"jiangsu-2018", "huaian-inferred"}


def test_qualitative_target_keeps_its_status(corpus):
    index = qc.compare("manufacturing_competitiveness_index", corpus=corpus)
    yichun = _plan(index, "yichun")
    assert yichun["status"].item() == "qualitative"
    assert np.isnan(yichun["value"].item())
    assert "全省先进水平" in yichun["quote"].item()
    assert _plan(index, "jiujiang-2024")["value"].item() == 86.5


def test_jurisdictions_and_year_filters(corpus):
    some = qc.compare("manufacturing_product_pass_rate", jurisdictions=["Jiujiang", "晋城市"], corpus=corpus)
    assert set(some["doc_id"].dropna()) == {"jiujiang-2024", "jincheng-2023"}
    in_2020 = qc.compare("manufacturing_competitiveness_index", year=2020, corpus=corpus)
    assert _plan(in_2020, "jiangsu-2018")["value"].item() == 88
    assert _plan(in_2020, "jiujiang-2024")["status"].item() == "no target set"
    assert set(in_2020.loc[in_2020["status"] != "no target set", "target_year"]) <= {2020}


def test_unknown_indicator_names_close_matches(corpus):
    with pytest.raises(UnknownNameError, match="manufacturing_pass_rate") as err:
        qc.compare("manufacturing_rate", corpus=corpus)
    assert isinstance(err.value, qc.QcompareError)
    assert "\n" not in str(err.value)
    with pytest.raises(UnknownNameError, match="食品安全抽检合格率"):
        qc.compare("食品安全合格率", corpus=corpus)


def test_unknown_jurisdiction_names_close_matches(corpus):
    with pytest.raises(UnknownNameError, match="Jiujiang"):
        qc.compare("food_safety_pass_rate", jurisdictions=["Jiujing"], corpus=corpus)


def test_an_id_that_is_also_a_family_means_the_indicator():
    sel = resolve("manufacturing_competitiveness_index")
    assert (sel.kind, sel.indicator_ids) == ("indicator", ("manufacturing_competitiveness_index",))
    assert resolve("manufacturing_pass_rate").kind == "family"


def test_damaged_number_is_corrupted_not_a_value(corpus):
    targets = corpus.targets.copy()
    row = targets.index[(targets["doc_id"] == "jiujiang-2024") & (targets["indicator_id"] == "manufacturing_product_pass_rate")]
    targets.loc[row, ["value", "flags"]] = [np.nan, "corrupted"]
    damaged = Corpus({**corpus.tables, "targets": TABLES["targets"].validate(targets)}, corpus.path, corpus.raw)
    table = qc.compare("manufacturing_product_pass_rate", corpus=damaged)
    assert _plan(table, "jiujiang-2024")["status"].item() == "corrupted"
    assert qc.coverage(damaged).at["manufacturing_product_pass_rate", "jiujiang-2024"] == "corrupted"


def test_coverage_matrix(corpus):
    cov = qc.coverage(corpus)
    assert set(cov.columns) == set(corpus.documents["doc_id"])
    assert cov.columns[0] == "jiangsu-2018"  # province plans first
    assert cov.at["manufacturing_product_pass_rate", "jiujiang-2024"] == "value"
    assert cov.at["manufacturing_competitiveness_index", "yichun"] == "qualitative"
    assert cov.at["manufacturing_product_pass_rate", "jiangsu-2018"] == "absent"
    assert set(cov.stack()) <= {"value", "qualitative", "corrupted", "absent"}
    assert set(cov.index) == set(corpus.targets["indicator_id"].dropna())  # mapped indicators only
    categories = qc.taxonomy().loc[cov.index, "category"].map(CATEGORIES.index)
    assert categories.is_monotonic_increasing
