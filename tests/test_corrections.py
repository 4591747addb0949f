"""Corrections (data/corrections.yml): each kind changes exactly the rows it names, survives a rebuild, stale ones are reported."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml

import qcompare as qc
from qcompare import cli
from qcompare.build import build, is_stale, read_tables
from qcompare.corrections import apply, plan_texts, read_corrections
from qcompare.errors import CorrectionsError
from tests.conftest import FIXTURES, RAW

JIUJIANG_PASS_RATE = {"doc_id": "jiujiang-2024", "quote": "制造業產品質量合格率達到94.5%以上", "start": 839}
JINCHENG_CHAINS = {"doc_id": "jincheng-2023", "quote": "2条1000亿级产业链"}  # the extractor misses it (README, Evaluation)
NOTE = {"reason": "test", "by": "tester"}


def write(path, entries) -> None:
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def corrected(corpus, tmp_path, entries):
    path = tmp_path / "corrections.yml"
    write(path, entries)
    corrections = read_corrections(path)
    texts = plan_texts(corpus.raw, corpus.documents, {c.doc_id for c in corrections})
    return apply(corpus.targets, corpus.clauses, texts, corrections, path)


def changed(before: pd.DataFrame, after: pd.DataFrame) -> set[tuple]:
    """Keys of rows that differ, were dropped or were added."""
    key = ["doc_id", "target_id"]
    merged = before.merge(after, on=key, how="outer", suffixes=("_b", "_a"), indicator=True)
    cols = [c for c in before.columns if c not in key]
    differs = merged._merge != "both"
    for c in cols:
        b, a = merged[f"{c}_b"], merged[f"{c}_a"]
        differs |= ~((b == a).fillna(False) | (b.isna() & a.isna()))
    return set(map(tuple, merged.loc[differs, key].values.tolist()))


@pytest.fixture
def pass_rate(corpus) -> tuple[str, int]:
    """(doc_id, target_id) of Jiujiang's 94.5 % manufacturing pass-rate target, found by its quote."""
    t = corpus.targets
    row = t[(t.doc_id == JIUJIANG_PASS_RATE["doc_id"]) & (t.quote == JIUJIANG_PASS_RATE["quote"])]
    return JIUJIANG_PASS_RATE["doc_id"], int(row.target_id.item())


def test_every_extracted_row_says_so(corpus):
    assert set(corpus.targets.origin) == {"extracted"}


def test_override_changes_only_the_named_row(corpus, tmp_path, pass_rate):
    after, stale = corrected(corpus, tmp_path, [{**JIUJIANG_PASS_RATE, "value": 95.0, "target_year": 2026, **NOTE}])
    assert stale == [] and changed(corpus.targets, after) == {pass_rate}
    row = after.set_index(["doc_id", "target_id"]).loc[pass_rate]
    assert (row.value, row.target_year, row.origin, row.indicator_id) == (95.0, 2026, "corrected", "manufacturing_product_pass_rate")


def test_indicator_override_brings_its_family(corpus, tmp_path, pass_rate):
    after, _ = corrected(corpus, tmp_path, [{**JIUJIANG_PASS_RATE, "indicator_id": "food_safety_sampling_pass_rate", **NOTE}])
    row = after.set_index(["doc_id", "target_id"]).loc[pass_rate]
    assert (row.indicator_id, row.family) == ("food_safety_sampling_pass_rate", "food_safety_pass_rate")


def test_one_row_of_a_list_is_picked_by_its_indicator(corpus, tmp_path):
    entry = {"doc_id": "huaian-inferred", "quote": "省著名商标13件、市知名商标30件", "start": 601, "indicator_raw": "市知名商标"}
    after, _ = corrected(corpus, tmp_path, [{**entry, "value": 31, **NOTE}])
    assert changed(corpus.targets, after) == {("huaian-inferred", 8)}
    with pytest.raises(CorrectionsError, match=r"corrections.yml: entry 1 .*names 2 rows \(target_id 7, 8\)"):
        corrected(corpus, tmp_path, [{**entry, "indicator_raw": None, "value": 31, **NOTE}])


def test_reject_drops_only_the_named_row(corpus, tmp_path, pass_rate):
    after, _ = corrected(corpus, tmp_path, [{**JIUJIANG_PASS_RATE, "reject": True, **NOTE}])
    assert changed(corpus.targets, after) == {pass_rate} and len(after) == len(corpus.targets) - 1


def test_add_a_missed_target(corpus, tmp_path):
    add = {"indicator_raw": "1000亿级产业链", "value": 2, "unit": "条", "comparator": "=", "target_year": 2025}
    after, stale = corrected(corpus, tmp_path, [{**JINCHENG_CHAINS, "add": add, **NOTE}])
    new_id = corpus.targets[corpus.targets.doc_id == "jincheng-2023"].target_id.max() + 1
    assert stale == [] and changed(corpus.targets, after) == {("jincheng-2023", new_id)}
    row = after.set_index(["doc_id", "target_id"]).loc[("jincheng-2023", new_id)]
    text = plan_texts(corpus.raw, corpus.documents, {"jincheng-2023"})["jincheng-2023"]
    assert text[row.start : row.end] == "2条1000亿级产业链" and row.origin == "added"
    assert row.heading_path == "三、打造产业质量竞争新优势 > (六)提高制造业质量竞争优势"


def test_stale_entries_are_reported_not_dropped(corpus, tmp_path):
    entries = [
        {"doc_id": "yichun", "quote": "这句话不在任何方案里", "value": 1, **NOTE},
        {**JIUJIANG_PASS_RATE, "start": 5, "value": 1, **NOTE},  # the quote occurs, but no row starts there
        {"doc_id": "no-such-plan", "quote": "x", "reject": True, **NOTE},
    ]
    after, stale = corrected(corpus, tmp_path, entries)
    assert changed(corpus.targets, after) == set()
    assert [s.split(":")[0] for s in stale] == ["entry 1 (yichun '这句话不在任何方案里')",
                                              "entry 2 (jiujiang-2024 '制造業產品質量合格率達到94.5%以上')",
                                              "entry 3 (no-such-plan 'x')"]
    assert "no longer occurs" in stale[0] and "no target row" in stale[1] and "not in the corpus" in stale[2]


@pytest.mark.parametrize("entries, message", [
    ("- [unclosed", "is not valid YAML"),
    ({"doc_id": "x"}, "must be a YAML list"),
    ([{**JIUJIANG_PASS_RATE, "value": 1}], "entry 1 (jiujiang-2024 '制造業產品質量合格率達到94.5%以上'): reason is missing"),
    ([{**JIUJIANG_PASS_RATE, "valu": 1, **NOTE}], "unknown field 'valu'"),
    ([{**JIUJIANG_PASS_RATE, "value": "95", **NOTE}], "value must be a number"),
    ([{**JIUJIANG_PASS_RATE, "comparator": ">>", **NOTE}], "comparator '>>' is not one of"),
    ([{**JIUJIANG_PASS_RATE, "indicator_id": "no_such", **NOTE}], "not in taxonomy.yml"),
    ([{**JIUJIANG_PASS_RATE, "value": 1, "reject": True, **NOTE}], "exactly one fix"),
    ([{**JIUJIANG_PASS_RATE, **NOTE}], "exactly one fix"),
    ([{**JINCHENG_CHAINS, "add": {"value": 2}, **NOTE}], "add: needs a mapping with at least indicator_raw and comparator"),
])
def test_malformed_file_is_one_typed_line(tmp_path, entries, message):
    path = tmp_path / "corrections.yml"
    path.write_text(entries, encoding="utf-8") if isinstance(entries, str) else write(path, entries)
    with pytest.raises(CorrectionsError) as err:
        read_corrections(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value) and "\n" not in str(err.value)


def test_corrections_survive_a_rebuild_and_a_change_rebuilds(raw_copy, tmp_path, capsys):
    out = tmp_path / "out"
    entries = [{**JIUJIANG_PASS_RATE, "value": 95.0, **NOTE}, {"doc_id": "yichun", "quote": "这句话不在任何方案里", "value": 1, **NOTE}]
    write(raw_copy.parent / "corrections.yml", entries)
    build(raw_copy, out)
    assert "warning: stale correction:" in capsys.readouterr().err
    info = json.loads((out / "build_info.json").read_text(encoding="utf-8"))
    assert len(info["stale_corrections"]) == 1 and "entry 2 (yichun" in info["stale_corrections"][0]
    assert not is_stale(raw_copy, out)
    targets = qc.load(raw_copy, out, rebuild=True).targets
    corrected = targets[(targets.doc_id == "jiujiang-2024") & (targets.quote == JIUJIANG_PASS_RATE["quote"])]
    assert corrected[["value", "origin"]].values.tolist() == [[95.0, "corrected"]]
    n = corrected.target_id.item()
    assert read_tables(out)["targets"].query(f"doc_id == 'jiujiang-2024' and target_id == {n}").value.item() == 95.0
    assert cli.main(["corrections", "--stale", "--raw", str(raw_copy)]) == 1
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and listed[0].startswith("stale: ") and "entry 2 (yichun '这句话不在任何方案里')" in listed[0]
    write(raw_copy.parent / "corrections.yml", entries)
    assert not is_stale(raw_copy, out)  # same content: same fingerprint
    write(raw_copy.parent / "corrections.yml", [{**JIUJIANG_PASS_RATE, "value": 96.0, **NOTE}])
    assert is_stale(raw_copy, out)


def test_eval_scores_with_and_without_corrections(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    shutil.copytree(RAW, home / "data" / "raw")
    chains = {"indicator_raw": "1000亿级产业链", "value": 2, "unit": "条", "comparator": "=", "target_year": 2025}
    write(home / "data" / "corrections.yml", [{**JINCHENG_CHAINS, "add": chains, **NOTE}])
    monkeypatch.setenv("QCOMPARE_HOME", str(home))
    gold = str(FIXTURES / "gold_targets.csv")

    def jincheng_misses(*flags) -> int:
        assert cli.main(["eval", "--gold", gold, *flags]) == 0
        line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("jincheng-2023"))
        return int(line.split()[3])  # tp fp fn ...

    assert jincheng_misses() == 1  # 3条200亿级产业链 is still missed
    assert jincheng_misses("--no-corrections") == 2
