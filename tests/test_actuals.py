"""Actuals, incentives and doc_type: what was, what is paid, and texts that are not plans."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

import qcompare as qc
from qcompare import cli
from qcompare.analysis.evaluate import evaluate, evaluate_actuals, read_actuals_gold
from qcompare.build import build_tables, read_tables
from qcompare.errors import MetadataError, TargetsInReportWarning
from qcompare.extract.actuals import clause_actuals
from qcompare.plan.sidecar import read_sidecar

from tests.conftest import FIXTURES, RAW

CASES = yaml.safe_load((FIXTURES / "actuals_cases.yml").read_text(encoding="utf-8"))
BULLETINS = FIXTURES / "bulletins"
DEVSET = FIXTURES / "plans"


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_actuals_cases(case):
    found, _ = clause_actuals(case["text"], case["issued"], case.get("carry", False))
    got = [(f.indicator, f.value, f.unit, f.year, f.change) for f in found]
    want = [(e["indicator"], float(e["value"]), e["unit"], e["year"], e.get("change", False)) for e in case["expect"]]
    assert got == want


def test_bundled_plans_state_no_past_values(corpus):
    # The five plans state targets only; their one past year is in a title (《质量发展纲要2016年行动计划》).
    assert corpus.actuals.empty
    assert list(corpus.actuals.columns) == qc.TABLES["actuals"].names


def test_award_money_is_an_incentive_with_its_award(corpus):
    t = corpus.incentives.set_index("award")
    assert set(corpus.incentives.doc_id) == {"jiujiang-2024"}
    assert t["value"].to_dict() == {"中国质量奖": 100, "中国质量奖提名奖": 50, "省长质量奖": 50, "市长质量奖": 30,
                                    "江西名牌产品认定": 5, "江西名牌产品认定(复评)": 2}
    assert set(t["unit"]) == {"万元"} and set(t["payment"]) == {"奖励"}
    text = (RAW / "jiujiang-2024.txt").read_text(encoding="utf-8")
    row = t.loc["中国质量奖"]
    assert text[row.start : row.end] == row.quote and "100萬" in row.quote  # the plan's own script


def test_documents_default_to_plan(corpus):
    assert set(corpus.documents.doc_type) == {"plan"}


@pytest.fixture(scope="module")
def bulletins():
    tables, failures = build_tables(BULLETINS)
    assert not failures
    return tables


def test_bulletin_gives_actuals_and_no_targets(bulletins):
    assert set(bulletins["documents"].doc_type) == {"bulletin"}
    assert bulletins["targets"].empty
    a = bulletins["actuals"]

    def values(doc_id, year):
        rows = a[(a.doc_id == doc_id) & (a.indicator_id == "manufacturing_product_pass_rate") & (a.year == year)]
        return rows[rows["flags"].isna()]["value"].tolist()

    assert values("jiujiang-bulletin-2024", 2024) == [93.6]
    assert values("yichun-bulletin-2023", 2022) == [92.8] and values("yichun-bulletin-2023", 2023) == [93.4]
    rise = bulletins["actuals"][bulletins["actuals"].unit == "个百分点"].iloc[0]
    assert (rise["value"], rise["flags"], rise["indicator_raw"]) == (0.4, "change", "制造业产品质量合格率")


def test_bulletin_with_targets_warns_naming_file_and_count(tmp_path):
    shutil.copy(BULLETINS / "yichun-bulletin-2023.meta.yml", tmp_path / "odd.meta.yml")
    (tmp_path / "odd.txt").write_text("到2025年,全市食品抽检合格率达到99%以上,新增国家标准10项。\n", encoding="utf-8")
    with pytest.warns(TargetsInReportWarning, match=r"odd\.txt: doc_type is 'bulletin' but the text holds 2 target"):
        tables, _ = build_tables(tmp_path)
    assert tables["targets"].empty


def test_plan_targets_are_kept_without_warning(tmp_path, recwarn):
    meta = yaml.safe_load((BULLETINS / "yichun-bulletin-2023.meta.yml").read_text(encoding="utf-8"))
    (tmp_path / "p.meta.yml").write_text(yaml.safe_dump({**meta, "doc_type": "plan"}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "p.txt").write_text("到2025年,全市食品抽检合格率达到99%以上。\n", encoding="utf-8")
    tables, _ = build_tables(tmp_path)
    assert tables["targets"]["value"].tolist() == [99.0]
    assert not [w for w in recwarn if issubclass(w.category, TargetsInReportWarning)]


def test_unknown_doc_type_is_refused(tmp_path):
    meta = yaml.safe_load((BULLETINS / "yichun-bulletin-2023.meta.yml").read_text(encoding="utf-8"))
    path = tmp_path / "x.meta.yml"
    path.write_text(yaml.safe_dump({**meta, "doc_type": "report"}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(MetadataError, match="field 'doc_type' is 'report'; use one of plan, bulletin, news, review"):
        read_sidecar(path)


@pytest.fixture(scope="module")
def with_bulletins(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    for folder in (RAW, BULLETINS):
        for f in folder.glob("*.*"):
            shutil.copy(f, raw / f.name)
    return qc.load(raw, tmp_path_factory.mktemp("processed"))


def test_compare_gives_baseline_national_actual_and_gap(with_bulletins):
    rows = qc.compare("manufacturing_product_pass_rate", corpus=with_bulletins)
    assert not rows.doc_id.isin(["jiujiang-bulletin-2024", "yichun-bulletin-2023"]).any()  # they set no targets
    plans = rows[rows.status == "value"].set_index("doc_id")
    assert (plans.at["jiujiang-2024", "baseline_value"], plans.at["jiujiang-2024", "baseline_year"]) == (93.6, 2024)
    assert plans.at["jiujiang-2024", "to_go"] == pytest.approx(94.5 - 93.6)
    assert (plans.at["yichun", "baseline_value"], plans.at["yichun", "baseline_year"]) == (93.4, 2023)
    assert pd.isna(plans.at["jincheng-2023", "baseline_value"])  # no bulletin for 晋城
    assert set(plans["national_actual"]) == {93.93} and set(plans["national_actual_year"]) == {2024}


def test_compare_figure_draws_the_baseline_arrow(with_bulletins):
    """九江: an arrow from its 2024 baseline 93.6 % to its 2025 target 94.5 %, labelled with the year."""
    fig = qc.plot.compare("manufacturing_product_pass_rate", corpus=with_bulletins)
    ax = fig.axes[0]
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert sorted((a.xyann[0], a.xy[0]) for a in arrows) == [(93.4, 94.0), (93.6, 94.5)]
    words = [t.get_text() for t in ax.texts]
    assert "基期2024年 93.6%" in words and "基期2023年 93.4%" in words
    assert ax.get_xlim()[0] < 93.4  # the baselines are inside the axis


def test_devset_actuals_recall_and_no_past_value_in_targets(devset):
    tables = devset.tables
    gold = read_actuals_gold(DEVSET / "gold_actuals.csv")
    result = evaluate_actuals(gold, tables["actuals"])
    assert result.scores.at["overall", "recall"] >= 0.9, result.misses
    assert result.scores.at["overall", "precision"] >= 0.9, result.false_hits
    assert result.year_mismatches.empty
    assert len(tables["actuals"]) <= result.matched / 0.9  # precision over the whole set, not only the gold's texts
    reports = tables["documents"].loc[tables["documents"].doc_type.isin(["bulletin", "news"]), "doc_id"]
    assert len(reports) == 3 and not tables["targets"].doc_id.isin(reports).any()
    # past statistics never reach targets: no gold actual is also a target
    as_targets = evaluate(gold.assign(comparator="=", value_high=None, target_year=gold.year), tables["targets"])
    assert as_targets.scores.at["overall", "tp"] == 0, as_targets.scores
    incentives = tables["incentives"]
    paid = pd.read_csv(DEVSET / "gold_incentives.csv", dtype={"value": float})
    found = paid.merge(incentives, on=["doc_id", "value", "unit"], how="left", indicator=True)
    assert (found["_merge"] == "both").all(), found
    assert tables["targets"].merge(paid, on=["doc_id", "value"]).empty  # award money never reaches targets


def test_eval_command_scores_actuals(tmp_path, capsys):
    tables, _ = build_tables(BULLETINS)
    path = tmp_path / "actuals.csv"
    tables["actuals"].to_csv(path, index=False)
    gold = tmp_path / "gold.csv"
    pd.DataFrame([
        {"doc_id": "jiujiang-bulletin-2024", "indicator_raw": "制造业产品质量合格率", "value": 93.6, "unit": "%", "year": 2024, "quote": "x"},
        {"doc_id": "jiujiang-bulletin-2024", "indicator_raw": "消费品抽查合格率", "value": 91.0, "unit": "%", "year": 2024, "quote": "x"},
    ]).to_csv(gold, index=False)
    assert cli.main(["eval", "--actuals-gold", str(gold), "--actuals", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Missed actuals (1)" in out and "消费品抽查合格率" in out
    overall = [line for line in out.splitlines() if line.startswith("overall")][0].split()
    assert overall[1:4] == ["1", "7", "1"]  # tp, fp (the bulletin's other actuals), fn


def test_eval_without_a_gold_is_one_line(capsys):
    assert cli.main(["eval"]) == 2
    assert capsys.readouterr().err.strip() == "qcompare: eval: give --gold FILE (targets), --actuals-gold FILE, or both"


def test_export_holds_actuals_and_incentives(corpus, tmp_path):
    import zipfile

    from qcompare.reports.export import FOLDER, export

    with zipfile.ZipFile(export(tmp_path / "x.zip", corpus)) as z:
        names = set(z.namelist())
        dictionary = pd.read_csv(z.open(f"{FOLDER}/dictionary.csv"))
    assert {f"{FOLDER}/tables/actuals.csv", f"{FOLDER}/tables/incentives.csv"} <= names
    exported = dictionary.set_index(["table", "column"])["exported"]
    assert exported[("incentives", "award")] == "tables/incentives.csv"
    assert exported[("actuals", "year")] == "tables/actuals.csv"
    assert ("documents", "doc_type") in exported.index


def test_build_command_prints_the_warning_as_one_line(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(BULLETINS / "jiujiang-bulletin-2024.meta.yml", raw / "b.meta.yml")
    (raw / "b.txt").write_text("2024年全市制造业产品质量合格率为93.6%。到2025年,合格率达到95%以上。\n", encoding="utf-8")
    assert cli.main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"qcompare: warning: {raw / 'b.txt'}: doc_type is 'bulletin' but the text holds 1 target(s) (到2025年…);"
                   " they are dropped. Is it a plan? Then set doc_type: plan in its sidecar"]
    actuals = read_tables(tmp_path / "out")["actuals"]
    assert actuals[["value", "year"]].values.tolist() == [[93.6, 2024]]
