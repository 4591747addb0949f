"""Deliberately bad inputs (tests/bad_inputs/cases.yml): each gives its documented error,
and a build over a raw folder with one bad file stops before writing anything, or skips
that file only with --keep-going."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

import qcompare.errors as errors
from qcompare.ingest.add import add_plan
from qcompare.build import build, build_tables, read_tables
from qcompare.cli import main
from qcompare.plan.sidecar import read_sidecar

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad_inputs"
RAW = HERE.parent / "data" / "raw"
CASES = yaml.safe_load((BAD / "cases.yml").read_text(encoding="utf-8"))
VALID_SIDECAR = {
    "jurisdiction": "梅州市", "jurisdiction_en": "Meizhou", "level": "city", "province": "广东省",
    "title": "梅州市全面推进质量强市建设实施方案", "source": "bad-inputs fixture",
}


def _cases(via: str) -> list:
    return [pytest.param(c, id=c["file"]) for c in CASES if via in c["via"]]


def _fragments(case) -> list[str]:
    return case["message"] if isinstance(case["message"], list) else [case["message"]]


def test_every_file_in_the_folder_has_a_case():
    listed = {c["file"] for c in CASES}
    inputs = {p.name for p in BAD.iterdir() if p.suffix not in (".yml", ".py")}
    assert inputs == listed
    for case in CASES:
        assert set(case) <= {"file", "via", "sidecar", "error", "message", "why"}, case["file"]
        assert issubclass(getattr(errors, case["error"]), errors.QcompareError)


@pytest.mark.parametrize("case", _cases("build"))
def test_build_refuses_with_documented_message(case, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    src = BAD / case["file"]
    shutil.copy(src, raw / src.name)
    sidecar = src.with_name(src.stem + ".meta.yml")
    if sidecar.exists():
        shutil.copy(sidecar, raw / sidecar.name)
    elif case.get("sidecar") != "none":
        (raw / sidecar.name).write_text(yaml.safe_dump(VALID_SIDECAR, allow_unicode=True), encoding="utf-8")
    with pytest.raises(errors.BuildError) as info:
        build_tables(raw)
    [failure] = info.value.failures
    assert type(failure).__name__ == case["error"]
    assert failure.path.parent == raw and failure.path.name in (src.name, sidecar.name)
    assert str(failure).startswith(str(failure.path))
    for fragment in _fragments(case):
        assert fragment in str(failure)


@pytest.mark.parametrize("case", _cases("add"))
def test_add_refuses_with_documented_message(case, tmp_path):
    raw = tmp_path / "raw"
    src = BAD / case["file"]
    with pytest.raises(getattr(errors, case["error"])) as info:
        add_plan(src, "bad-input", "梅州市", "city", raw=raw)
    assert type(info.value).__name__ == case["error"]
    message = str(info.value)
    assert message.startswith(str(src)) and "\n" not in message
    for fragment in _fragments(case):
        assert fragment in message
    assert not raw.exists(), "a refused add must write nothing"


def test_add_refusal_exits_non_zero_with_one_line(tmp_path, capsys):
    code = main(["add", str(BAD / "scanned.pdf"), "--id", "scan", "--jurisdiction", "梅州市", "--level", "city", "--raw", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("qcompare: ") and err.count("\n") == 1 and "no Chinese text layer" in err
    assert list(tmp_path.iterdir()) == []


def test_python_yaml_tag_is_refused_not_executed():
    marker = Path("/tmp/qcompare-yaml-tag-was-executed")
    marker.unlink(missing_ok=True)
    with pytest.raises(errors.MetadataError, match="cannot read the sidecar"):
        read_sidecar(BAD / "python-tag.meta.yml")
    assert not marker.exists()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_bad_file_stops_the_build_before_writing(raw_copy, tmp_path, capsys):
    out = tmp_path / "processed"
    build(raw_copy, out)
    before = _snapshot(out)
    shutil.copy(BAD / "binary.txt", raw_copy / "broken.txt")
    (raw_copy / "broken.meta.yml").write_text(yaml.safe_dump(VALID_SIDECAR, allow_unicode=True), encoding="utf-8")

    with pytest.raises(errors.BuildError) as info:
        build(raw_copy, out)
    assert [f.path.name for f in info.value.failures] == ["broken.txt"]
    assert "1 plan(s) failed, nothing written (use --keep-going to build the rest)" in str(info.value)
    assert _snapshot(out) == before  # previous outputs untouched, no staging folder left

    code = main(["build", "--raw", str(raw_copy), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "broken.txt: binary data, not text" in err
    assert _snapshot(out) == before

    build(raw_copy, out, keep_going=True)
    tables = read_tables(out)
    assert "skipped" in capsys.readouterr().err
    assert sorted(tables["documents"].doc_id) == sorted(p.stem for p in RAW.glob("*.txt"))
    info = json.loads((out / "build_info.json").read_text(encoding="utf-8"))
    assert info["skipped"] == [str(raw_copy / "broken.txt")]
    jincheng = tables["targets"].query("doc_id == 'jincheng-2023' and indicator_id == 'manufacturing_product_pass_rate'")
    assert list(jincheng.value) == [93.0]


def test_20_mb_text_is_refused_quickly(tmp_path):
    # A plan repeated to 20 MB built in 13 s and 0.9 GB before the limit (and grows with
    # every table added); it is now refused before decoding, by build and by add.
    raw = tmp_path / "raw"
    raw.mkdir()
    plan = (RAW / "jincheng-2023.txt").read_bytes() + b"\n"
    (raw / "huge.txt").write_bytes(plan * (20_000_000 // len(plan) + 1))
    shutil.copy(RAW / "jincheng-2023.meta.yml", raw / "huge.meta.yml")
    start = time.perf_counter()
    with pytest.raises(errors.BuildError) as info:
        build_tables(raw)
    assert time.perf_counter() - start < 10
    [failure] = info.value.failures
    assert isinstance(failure, errors.TooLargeError)
    assert str(failure) == (
        f"{raw / 'huge.txt'}: 20.0 MB of text, over the 5 MB limit for one plan: "
        "several plans or a whole site in one file? split it into one file per plan"
    )
    with pytest.raises(errors.TooLargeError, match="20.0 MB of text"):
        add_plan(raw / "huge.txt", "huge-2", "晋城市", "city", raw=tmp_path / "added")
    assert not (tmp_path / "added").exists()
