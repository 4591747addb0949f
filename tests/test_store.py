"""The Parquet store: incremental builds equal clean ones, the switch is atomic, qc.load() says what it does."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

import qcompare as qc
from qcompare.build import BUILD_INFO, build, build_tables, groups, read_info, read_tables, stale_plans
from qcompare.errors import StaleError


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _plans(tables):
    return sorted(tables["documents"].doc_id)


def _edit(raw, doc_id, extra="\n到2025年,全市质量合格率达到99%。\n"):
    path = raw / f"{doc_id}.txt"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_incremental_build_equals_a_clean_build(raw_copy, tmp_path):
    out, clean = tmp_path / "inc", tmp_path / "clean"
    first = build(raw_copy, out)
    assert first.processed == _plans(read_tables(out)) and first.reused == 0

    again = build(raw_copy, out)
    assert not again.changed and again.describe().startswith("nothing changed since the last build (5 plans)")

    _edit(raw_copy, "yichun")
    (raw_copy / "jiangsu-2018.txt").unlink()
    (raw_copy / "jiangsu-2018.meta.yml").unlink()
    shutil.copy(raw_copy / "jincheng-2023.txt", raw_copy / "jincheng-copy.txt")
    shutil.copy(raw_copy / "jincheng-2023.meta.yml", raw_copy / "jincheng-copy.meta.yml")
    assert stale_plans(raw_copy, out) == ["jiangsu-2018", "jincheng-copy", "yichun"]
    result = build(raw_copy, out)
    changed_groups = [g for g in groups(sorted(["huaian-inferred", "jincheng-2023", "jincheng-copy", "jiujiang-2024", "yichun"]))
                      if {"yichun", "jincheng-copy", "jiangsu-2018"} & set(g) or "jiangsu-2018" in g]
    assert set(result.processed) == {d for g in changed_groups for d in g} and result.removed == ["jiangsu-2018"]

    build(raw_copy, clean)
    assert _files(out) == _files(clean)  # the same parts, byte for byte, and the same pointer
    tables = read_tables(out)
    assert "jiangsu-2018" not in set(tables["targets"].doc_id)
    yichun = tables["targets"].query("doc_id == 'yichun' and value == 99.0")
    assert len(yichun) == 1
    copy = tables["targets"].query("doc_id == 'jincheng-copy' and indicator_id == 'food_safety_sampling_pass_rate'")
    assert copy.value.tolist() == [98.5]
    in_memory, _ = build_tables(raw_copy)
    for name, df in in_memory.items():
        pd.testing.assert_frame_equal(tables[name], df, check_exact=True)


def test_parquet_bytes_do_not_depend_on_jobs(raw_copy, tmp_path):
    build(raw_copy, tmp_path / "one", jobs=1)
    build(raw_copy, tmp_path / "two", jobs=2)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def _tables_or_none(out):
    try:
        return read_tables(out)
    except StaleError:
        return None


STEPS = 12  # one more than the file operations of this build (11: ten parts, then the pointer)


@pytest.mark.parametrize("step", range(STEPS))
def test_a_kill_at_any_file_operation_leaves_the_old_set_or_the_new(raw_copy, tmp_path, monkeypatch, step):
    out = tmp_path / "out"
    build(raw_copy, out)
    old = read_tables(out)
    _edit(raw_copy, "jiujiang-2024")
    _edit(raw_copy, "huaian-inferred")
    (out / ".staging-999").mkdir()  # left by a build of the previous layout that was killed
    real_replace, real_rename, calls = os.replace, os.rename, []

    def failing(real):
        def op(src, dst, *a, **kw):
            calls.append(dst)
            if len(calls) == step + 1:
                raise OSError(28, "No space left on device (injected)")
            return real(src, dst, *a, **kw)
        return op

    monkeypatch.setattr(os, "replace", failing(real_replace))
    monkeypatch.setattr(os, "rename", failing(real_rename))
    try:
        build(raw_copy, out)
        killed = False
    except OSError:
        killed = True
    monkeypatch.undo()
    seen = _tables_or_none(out)
    assert seen is not None
    new = build_tables(raw_copy)[0]
    matches_old = all(seen[n].equals(old[n]) for n in old)
    matches_new = all(seen[n].equals(new[n]) for n in new)
    assert matches_old != matches_new  # exactly one of the two sets, never a mix
    assert matches_new == (not killed)  # every operation before the switch is invisible; the switch is the last
    build(raw_copy, out)
    assert not (out / ".staging-999").exists()
    assert not [p for p in out.rglob("*.tmp")]
    assert read_tables(out)["documents"].equals(new["documents"])
    if step == 0:
        assert killed
    if step == STEPS - 1:
        assert not killed, f"{len(calls)} file operations: raise STEPS so every one is tried"


def test_load_builds_with_a_message_or_refuses(raw_copy, tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(StaleError, match=r"no complete build; run `qcompare build --raw .* --out .*`"):
        qc.load(raw_copy, out, build=False)
    corpus = qc.load(raw_copy, out)
    assert "qcompare: no complete build in" in capsys.readouterr().err
    assert len(corpus.documents) == 5
    _edit(raw_copy, "yichun")
    with pytest.raises(StaleError, match=r"1 plan\(s\) added, changed or removed since the last build; run `qcompare build"):
        qc.load(raw_copy, out, build=False)
    qc.load(raw_copy, out)
    assert "1 plan(s) added, changed or removed" in capsys.readouterr().err
    qc.load(raw_copy, out, build=False)
    assert capsys.readouterr().err == ""


def test_a_damaged_pointer_rebuilds(raw_copy, tmp_path):
    out = tmp_path / "out"
    build(raw_copy, out)
    (out / BUILD_INFO).write_text("{not json", encoding="utf-8")
    assert stale_plans(raw_copy, out) is None
    assert build(raw_copy, out).processed == _plans(read_tables(out))
    assert len(list((out / "parts").iterdir())) == len(set(_files(out)) - {BUILD_INFO})
    assert read_info(out)["rows"]["documents"] == 5
