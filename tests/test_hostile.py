"""Hostile inputs and faults that cannot live as files in tests/bad_inputs/: special files,
a full or read-only disk, damaged outputs, bad options, and a report killed with -9.

Each ends in one line ``qcompare: <file>: <reason; what to do>``, exit code 2, and
earlier outputs byte-identical (or, for damaged outputs, a rebuild)."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

import qcompare as qc
from qcompare import errors
from qcompare.build import build, build_tables, read_tables
from qcompare.cli import main
from qcompare.ingest.add import add_plan
from qcompare.plan.reader import read_bounded
from qcompare.plan.sidecar import read_sidecar

from .test_bad_inputs import _snapshot

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
BAD = ROOT / "tests" / "bad_inputs"
SIDECAR = (RAW / "jincheng-2023.meta.yml").read_text(encoding="utf-8")


def _one_line(err: str, *fragments: str) -> None:
    assert err.startswith("qcompare: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


def _special(raw: Path, kind: str) -> Path:
    path = raw / "x.txt"
    if kind == "directory":
        path.mkdir()
    elif kind == "dangling symlink":
        path.symlink_to(raw / "gone.txt")
    else:
        path.symlink_to("/dev/zero")
    (raw / "x.meta.yml").write_text(SIDECAR, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind, reason", [
    ("directory", "not a regular file (a directory)"),
    ("dangling symlink", "a symlink to a file that does not exist"),
    ("/dev/zero", "not a regular file (a character device)"),
])
def test_special_files_are_refused_before_reading(tmp_path, kind, reason):
    raw = tmp_path / "raw"
    raw.mkdir()
    path = _special(raw, kind)
    with pytest.raises(errors.BuildError) as info:
        build_tables(raw)
    [failure] = info.value.failures
    assert str(failure).startswith(f"{path}: {reason}")
    with pytest.raises(errors.InputError, match=re.escape(reason)):
        add_plan(path, "x", "晋城市", "city", raw=tmp_path / "added")
    assert not (tmp_path / "added").exists()
    shutil.copy(RAW / "jincheng-2023.txt", raw)
    shutil.copy(RAW / "jincheng-2023.meta.yml", raw)
    build(raw, tmp_path / "out", keep_going=True)
    tables = read_tables(tmp_path / "out")  # the fingerprint skips it too, instead of reading it
    assert list(tables["documents"].doc_id) == ["jincheng-2023"]


def test_at_most_limit_plus_one_bytes_are_read():
    # /proc files are regular but stat says 0 bytes: only the bounded read can refuse them
    with pytest.raises(errors.TooLargeError, match="over the 0.0001 MB limit"):
        read_bounded("/proc/self/maps", limit=100)


def test_a_sidecar_over_its_limit_or_a_device_is_refused(tmp_path):
    big = tmp_path / "big.meta.yml"
    big.write_text("notes: " + "长" * 200_000, encoding="utf-8")
    with pytest.raises(errors.MetadataError, match="over the 0.1 MB limit"):
        read_sidecar(big)
    device = tmp_path / "dev.meta.yml"
    device.symlink_to("/dev/zero")
    with pytest.raises(errors.MetadataError, match=r"not a regular file \(a character device\)"):
        read_sidecar(device)


def test_billion_laughs_sidecar_fails_fast():
    start = time.perf_counter()
    with pytest.raises(errors.MetadataError, match="alias"):
        read_sidecar(BAD / "yaml-aliases.meta.yml")
    assert time.perf_counter() - start < 1


def test_suggested_sidecar_for_a_gbk_provincial_plan(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(BAD / "gbk-province.txt", raw)
    with pytest.raises(errors.BuildError) as info:
        build_tables(raw)
    [failure] = info.value.failures
    suggested = yaml.safe_load(failure.suggestion)
    assert (suggested["jurisdiction"], suggested["level"], suggested["province"]) == ("浙江省", "province", "浙江省")
    assert suggested["title"] == "关于深化质量强省建设的实施意见"


def test_unsafe_file_names_refused_like_add(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a..b", "it's", "two\nlines"):
        shutil.copy(RAW / "jincheng-2023.txt", raw / f"{name}.txt")
        (raw / f"{name}.meta.yml").write_text(SIDECAR, encoding="utf-8")
    with pytest.raises(errors.BuildError) as info:
        build_tables(raw)
    assert {f.reason.split(" is not a safe id")[0] for f in info.value.failures} == {
        "id 'a..b'", 'id "it\'s"', "id 'two\\nlines'"}
    with pytest.raises(errors.ImportRefused, match="is not a safe id"):
        add_plan(RAW / "jincheng-2023.txt", "a..b", "晋城市", "city", raw=tmp_path / "added")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """Two bundled plans (Jiujiang, Jincheng): a raw folder that builds in a second."""
    raw = tmp_path_factory.mktemp("small") / "raw"
    raw.mkdir()
    for doc in ("jiujiang-2024", "jincheng-2023"):
        for suffix in (".txt", ".meta.yml"):
            shutil.copy(RAW / f"{doc}{suffix}", raw)
    return raw


@pytest.fixture(scope="module")
def built(small) -> Path:
    """The small raw folder built once; tests copy it."""
    out = small.parent / "processed"
    build(small, out)
    return out


@pytest.fixture
def out(built, tmp_path) -> Path:
    dest = tmp_path / "processed"
    shutil.copytree(built, dest)
    return dest


@pytest.mark.parametrize("code, reason", [
    (errno.ENOSPC, "no space left on device; free some space"),
    (errno.EROFS, "read-only file system; the file system is read-only; write to another folder"),
])
def test_disk_full_or_read_only_during_build(small, out, tmp_path, monkeypatch, capsys, code, reason):
    before = _snapshot(out)
    changed = tmp_path / "changed"  # an edited plan, so the build has a part to write
    shutil.copytree(small, changed)
    with open(changed / "jincheng-2023.txt", "ab") as f:
        f.write("\n".encode())

    def fail(*args, **kwargs):
        raise OSError(code, "Error writing bytes to file. Detail: [errno]")  # as pyarrow raises it: no file name

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail)
    assert main(["build", "--raw", str(changed), "--out", str(out)]) == 2
    _one_line(capsys.readouterr().err, f"qcompare: {out}: {reason}")
    assert _snapshot(out) == before


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "no space left on device"), (errno.EROFS, "read-only file system")])
def test_disk_full_or_read_only_during_add(tmp_path, monkeypatch, capsys, code, reason):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "keep.txt").write_bytes(b"old")

    def fail(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)
    assert main(["add", str(RAW / "jincheng-2023.txt"), "--id", "jc", "--jurisdiction", "晋城市", "--level", "city",
                 "--raw", str(raw)]) == 2
    _one_line(capsys.readouterr().err, f"qcompare: {raw}: {reason}")
    assert sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*")) == ["keep.txt"]  # no empty originals/ either


def test_add_honours_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        added = add_plan(RAW / "jincheng-2023.txt", "jc", "晋城市", "city", raw=tmp_path)
    finally:
        os.umask(old)
    for path in (added.text_path, added.meta_path, added.original_path):
        assert path.stat().st_mode & 0o777 == 0o644, path


@pytest.mark.parametrize("argv, fragments", [
    (["build", "--out", "{file}"], ["{file}: --out names a file, not a folder"]),
    (["eval", "--gold", "{tmp}/missing.csv"], ["{tmp}/missing.csv: the gold file does not exist"]),
    (["report", "--notebooks", "{tmp}/nonexistent"], ["{tmp}/nonexistent: --notebooks is not a folder"]),
])
def test_bad_paths_are_one_line(tmp_path, capsys, argv, fragments):
    afile = tmp_path / "afile"
    afile.write_text("keep", encoding="utf-8")
    fill = {"file": str(afile), "tmp": str(tmp_path)}
    assert main([a.format(**fill) for a in argv]) == 2
    _one_line(capsys.readouterr().err, *(f.format(**fill) for f in fragments))
    assert afile.read_text(encoding="utf-8") == "keep"


def test_a_malformed_gold_row_is_named(tmp_path, capsys):
    gold = tmp_path / "gold.csv"
    gold.write_text("doc_id,indicator_raw,value,value_high,unit,comparator,target_year,quote\n"
                    "jincheng-2023,合格率,九十八,,%,>=,2025,q\n", encoding="utf-8")
    assert main(["eval", "--gold", str(gold), "--targets", str(gold)]) == 2
    _one_line(capsys.readouterr().err, f"qcompare: {gold}, entry 'row 2': value '九十八' is not a number")


@pytest.mark.parametrize("command", ["build", "report"])
@pytest.mark.parametrize("jobs", ["-3", "0", "two"])
def test_jobs_must_be_at_least_one(command, jobs, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--jobs", jobs])
    assert info.value.code == 2
    assert f"argument --jobs: {jobs!r} is not a whole number of at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("name, damage", [("parts/targets-*.parquet", "truncated"), ("parts/targets-*.parquet", "empty"),
                                          ("build_info.json", "truncated"), ("build_info.json", "garbage")])
def test_damaged_outputs_are_rebuilt(small, out, damage, name):
    path = next(out.glob(name))
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "empty": b"", "garbage": b"\x00not parquet{"}[damage])
    corpus = qc.load(small, out)
    jiujiang = corpus.targets.query("doc_id == 'jiujiang-2024' and indicator_id == 'manufacturing_product_pass_rate'")
    assert list(jiujiang.value) == [94.5]
    assert read_tables(out)["targets"].shape == corpus.targets.shape  # written again, readable


def test_indicators_rebuilds_a_truncated_table(small, out, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    shutil.copytree(small, home / "data" / "raw")
    shutil.copytree(out, home / "data" / "processed")
    next((home / "data" / "processed").glob("parts/targets-*.parquet")).write_bytes(b"PAR1")
    monkeypatch.setenv("QCOMPARE_HOME", str(home))
    assert main(["indicators"]) == 0
    assert "manufacturing_product_pass_rate" in capsys.readouterr().out


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_report_workers_die_with_a_killed_parent(small, built, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(small, home / "data" / "raw")
    shutil.copytree(built, home / "data" / "processed")
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    env = {**os.environ, "QCOMPARE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-m", "qcompare.cli", "report", "--jobs", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2 and parent.poll() is None:
            time.sleep(0.2)
            workers = _descendants(parent.pid)
        assert workers, "the report started no worker"
        time.sleep(1)  # let the workers reach their initializer
        workers |= _descendants(parent.pid)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} of {len(workers)} worker processes outlived the killed report"


@pytest.mark.parametrize("text, message", [
    ("version: 1\nindicators: [\n", "is not valid YAML"),
    ("version: 1\nindicators: {}\n", "must be a mapping with a list under 'indicators:'"),
    ("version: 1\nindicators:\n- {id: x, name_zh: 甲}\n", "indicator 'x': missing field(s)"),
])
def test_a_malformed_taxonomy_names_file_and_entry(tmp_path, monkeypatch, text, message):
    from qcompare.knowledge import taxonomy

    bad = tmp_path / "taxonomy.yml"
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setattr(taxonomy, "TAXONOMY_FILE", bad)
    taxonomy.taxonomy.cache_clear()
    try:
        with pytest.raises(errors.KnowledgeError, match=f"^{re.escape(str(bad))}.*{re.escape(message)}"):
            taxonomy.taxonomy()
    finally:
        taxonomy.taxonomy.cache_clear()
