"""`qcompare build`: atomic, deterministic, and clear about the plan that fails."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from qcompare.build import build, build_tables, is_stale, read_tables
from qcompare.cli import main
from qcompare.errors import BuildError, MetadataError


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_every_table_deterministically(raw_copy, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build(raw_copy, a, csv=True)
    build(raw_copy, b, csv=True, force=True)
    names = {p.name for p in a.iterdir()}
    for table in ("documents", "clauses", "targets"):
        assert f"{table}.csv" in names
        assert (a / f"{table}.csv").read_bytes() == (b / f"{table}.csv").read_bytes()
    assert _snapshot(a) == _snapshot(b)
    csv = pd.read_csv(a / "targets.csv")
    assert csv.query("doc_id == 'jiujiang-2024' and indicator_id == 'manufacturing_product_pass_rate'").value.tolist() == [94.5]
    assert not is_stale(raw_copy, a)
    (raw_copy / "yichun.txt").write_text((raw_copy / "yichun.txt").read_text(encoding="utf-8") + "\n补充。", encoding="utf-8")
    assert is_stale(raw_copy, a)


def test_a_failed_build_leaves_previous_outputs_untouched(raw_copy, tmp_path):
    out = tmp_path / "out"
    build(raw_copy, out)
    before = _snapshot(out)
    (raw_copy / "empty.txt").write_bytes(b"")
    (raw_copy / "empty.meta.yml").write_text((raw_copy / "yichun.meta.yml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(BuildError, match=r"empty\.txt: the file is empty"):
        build(raw_copy, out)
    assert _snapshot(out) == before


def test_keep_going_builds_the_rest(raw_copy, tmp_path):
    (raw_copy / "binary.txt").write_bytes(bytes(range(256)) * 20)
    shutil.copy(raw_copy / "yichun.meta.yml", raw_copy / "binary.meta.yml")
    build(raw_copy, tmp_path / "out", keep_going=True)
    tables = read_tables(tmp_path / "out")
    assert "binary" not in set(tables["documents"].doc_id)
    assert len(tables["documents"]) == 5


def test_gbk_copy_gives_the_same_targets(raw_copy):
    data = (raw_copy / "jincheng-2023.txt").read_text(encoding="utf-8")
    (raw_copy / "jincheng-gbk.txt").write_bytes(data.encode("gbk"))
    shutil.copy(raw_copy / "jincheng-2023.meta.yml", raw_copy / "jincheng-gbk.meta.yml")
    tables, _ = build_tables(raw_copy)
    docs = tables["documents"].set_index("doc_id")
    assert docs.loc["jincheng-gbk", "encoding"] == "gb18030"
    cols = ["indicator_raw", "value", "unit", "comparator", "target_year"]
    t = tables["targets"]
    a = t[t.doc_id == "jincheng-2023"][cols].reset_index(drop=True)
    b = t[t.doc_id == "jincheng-gbk"][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_missing_sidecar_suggests_one_from_the_text(raw_copy, capsys):
    (raw_copy / "jincheng-2023.meta.yml").unlink()
    with pytest.raises(BuildError) as err:
        build_tables(raw_copy)
    failure = err.value.failures[0]
    assert isinstance(failure, MetadataError)
    assert "jincheng-2023.txt: no sidecar; create jincheng-2023.meta.yml" in str(failure)
    assert "doc_number: 晋市政发〔2023〕18号" in failure.suggestion
    assert "issued: '2023-12-26'" in failure.suggestion
    assert main(["build", "--raw", str(raw_copy), "--out", str(raw_copy.parent / "out")]) == 2
    assert "晋市政发〔2023〕18号" in capsys.readouterr().err


@pytest.mark.parametrize(
    "sidecar, message",
    [
        ("jurisdiction: [unclosed", "cannot read the sidecar"),
        ("- just\n- a list\n", "the sidecar must be a YAML mapping"),
        ("jurisdiction: 宜春市\nlevel: city\n", "field 'jurisdiction_en' is missing"),
        ("jurisdiction: 宜春市\njurisdiction_en: Yichun\nlevel: town\nprovince: 江西省\ntitle: t\nsource: s\n", "field 'level' is 'town'"),
        ("jurisdiction: 宜春市\njurisdiction_en: Yichun\nlevel: city\nprovince: 江西省\ntitle: t\nsource: s\nissued: March 2024\n", "field 'issued' is 'March 2024'"),
        ("jurisdiction: 42\njurisdiction_en: Yichun\nlevel: city\nprovince: 江西省\ntitle: t\nsource: s\n", "field 'jurisdiction' must be text"),
        ("!!python/object/apply:os.system ['echo hi']\n", "cannot read the sidecar"),
    ],
)
def test_malformed_sidecar_names_the_file_and_field(raw_copy, sidecar, message):
    (raw_copy / "yichun.meta.yml").write_text(sidecar, encoding="utf-8")
    with pytest.raises(BuildError, match=rf"yichun\.meta\.yml: {message}"):
        build_tables(raw_copy)


def test_a_failing_plan_is_reported_from_a_parallel_build(raw_copy):
    (raw_copy / "empty.txt").write_bytes(b"")
    shutil.copy(raw_copy / "yichun.meta.yml", raw_copy / "empty.meta.yml")
    with pytest.raises(BuildError, match=r"empty\.txt: the file is empty"):
        build_tables(raw_copy, jobs=2)
    tables, failures = build_tables(raw_copy, jobs=2, keep_going=True)
    assert [f.path.name for f in failures] == ["empty.txt"] and len(tables["documents"]) == 5
