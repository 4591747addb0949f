"""`qcompare export`: the zip's tables, workbook, dictionary, sources and caveats."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from qcompare import cli, schema
from qcompare.reports.export import FOLDER, declared_tables, export, heading, sources
from qcompare.knowledge.taxonomy import taxonomy_version


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, corpus):
    path = export(tmp_path_factory.mktemp("export") / "out.zip", corpus)
    with zipfile.ZipFile(path) as z:
        files = {name[len(FOLDER) + 1:]: z.read(name) for name in z.namelist()}
    return files, corpus


def table(files, name) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[name]), dtype=str, keep_default_na=False)


def test_zip_holds_every_table_and_the_notes(bundle):
    files, corpus = bundle
    expected = {f"tables/{n}.csv" for n in (*corpus.tables, "national", "comparison")}
    expected |= {"qcompare.xlsx", "dictionary.csv", "sources.csv", "caveats.csv", "README.txt", "about.json"}
    assert expected <= set(files)
    targets = table(files, "tables/targets.csv")
    assert len(targets) == len(corpus.targets) and list(targets.columns) == schema.TABLES["targets"].names


def test_workbook_has_one_sheet_per_table(bundle):
    files, corpus = bundle
    book = openpyxl.load_workbook(io.BytesIO(files["qcompare.xlsx"]))
    assert set(book.sheetnames) == {*corpus.tables, "national", "comparison", "sources", "caveats", "dictionary"}
    sheet = book["targets"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert list(header) == [heading(n) for n in schema.TABLES["targets"].names] and len(body) == len(corpus.targets)
    assert header[:3] == ("Doc id", "Target id", "Clause id")
    col = {name: i for i, name in enumerate(header)}
    values = {(r[col["Doc id"]], r[col["Value"]]) for r in body if r[col["Indicator id"]] == "manufacturing_product_pass_rate"}
    assert values == {("jiujiang-2024", 94.5), ("yichun", 94), ("jincheng-2023", 93)}
    assert sheet.auto_filter.ref == sheet.dimensions and sheet.freeze_panes == "A2"
    assert sheet.cell(row=1, column=col["Comparator"] + 1).comment.text.startswith("How the value binds.")
    quote = sheet.column_dimensions[openpyxl.utils.get_column_letter(col["Quote"] + 1)].width
    assert quote == 60 and sheet.column_dimensions["A"].width < 20  # fitted to the text, capped


def test_workbook_holds_the_comparisons(bundle):
    files, _ = bundle
    comparison = table(files, "tables/comparison.csv")
    row = comparison[(comparison.doc_id == "jiujiang-2024") & (comparison.indicator_id == "manufacturing_product_pass_rate")]
    assert set(row.compared) == {"manufacturing_product_pass_rate", "manufacturing_pass_rate"}  # the indicator and its family
    assert row[["value", "kind", "national_target", "vs_national_target"]].drop_duplicates().values.tolist() == [
        ["94.5", "level", "94.0", "0.5"]]
    food = comparison[(comparison.doc_id == "jincheng-2023") & (comparison.compared == "food_safety_pass_rate")]
    assert food[["indicator_id", "value"]].values.tolist() == [["food_safety_sampling_pass_rate", "98.5"]]
    assert not comparison.duplicated(["compared", "doc_id", "indicator_id", "kind", "target_year"]).any()
    book = openpyxl.load_workbook(io.BytesIO(files["qcompare.xlsx"]), read_only=True)
    assert len(list(book["comparison"].iter_rows())) == len(comparison) + 1


def test_sources_carry_the_url_a_sidecar_gives(raw_copy, tmp_path):
    import qcompare as qc

    meta = raw_copy / "jincheng-2023.meta.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + "url: https://www.example.gov.cn/jincheng/2023-18.html\n", encoding="utf-8")
    corpus = qc.load(raw_copy, tmp_path / "out")
    got = sources(corpus.documents).set_index("doc_id")["url"]
    assert got["jincheng-2023"] == "https://www.example.gov.cn/jincheng/2023-18.html" and got.drop("jincheng-2023").isna().all()


def test_dictionary_covers_every_declared_column(bundle):
    files, corpus = bundle
    dictionary = table(files, "dictionary.csv")
    listed = set(zip(dictionary.table, dictionary.column))
    declared = {(t.name, c.name) for t in vars(schema).values() if isinstance(t, schema.Table) for c in t.columns}
    declared |= {(t.name, c.name) for t in schema.TABLES.values() for c in t.columns}
    assert declared <= listed
    assert {(t.name, c.name) for t in declared_tables() for c in t.columns} == listed
    for name in (*corpus.tables, "national", "comparison"):  # every exported column is explained
        csv = table(files, f"tables/{name}.csv")
        assert set(csv.columns) <= set(dictionary.loc[dictionary.table == name, "column"])
    assert (dictionary.description != "").all()
    comparator = dictionary[(dictionary.table == "targets") & (dictionary.column == "comparator")].iloc[0]
    assert ">=" in comparator.allowed and comparator.exported == "tables/targets.csv"


def test_sources_name_every_plan(bundle):
    files, corpus = bundle
    sources = table(files, "sources.csv").set_index("doc_id")
    assert sorted(sources.index) == sorted(corpus.documents.doc_id)
    assert sources.at["jincheng-2023", "doc_number"] == "晋市政发〔2023〕18号"
    assert (sources.source != "").all() and sources.sha256.str.len().eq(64).all()


def test_caveats_are_derived_from_the_data(bundle):
    files, _ = bundle
    caveats = table(files, "caveats.csv")
    by = {(k, s): d for k, s, d in caveats.itertuples(index=False)}
    assert ("level", "jiangsu-2018") in by and "province" in by[("level", "jiangsu-2018")]
    assert not any(k == "level" and s != "jiangsu-2018" for k, s in by)  # the four city plans are fine
    assert "unknown" in by[("undated", "yichun")] and "2016" in by[("undated", "huaian-inferred")]
    assert ("undated", "jincheng-2023") not in by
    family = by[("family_only", "food_safety_sampling_pass_rate")]
    assert "food_safety_pass_rate" in family and "jiujiang-2024" in family
    assert ("family_only", "manufacturing_product_pass_rate") in by  # Jiangsu and Huai'an use other family members
    readme = files["README.txt"].decode("utf-8")
    assert by[("level", "jiangsu-2018")] in readme


def test_about_names_versions(bundle):
    files, _ = bundle
    about = json.loads(files["about.json"])
    assert about["taxonomy_version"] == taxonomy_version() and about["plans"] == 5
    assert taxonomy_version() in files["README.txt"].decode("utf-8")


def test_cli_export_writes_the_zip(tmp_path, monkeypatch, corpus, capsys):
    monkeypatch.setattr("qcompare.reports.export.load", lambda *a, **k: corpus)
    out = tmp_path / "share" / "bundle.zip"
    assert cli.main(["export", "--out", str(out)]) == 0
    assert zipfile.is_zipfile(out) and str(out) in capsys.readouterr().out
