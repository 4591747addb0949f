"""The benchmark's synthetic corpus and bookkeeping (correctness only: no timings asserted)."""

from __future__ import annotations

import doctest
import sys

import pandas as pd
import pytest

from qcompare.build import build_tables

from .conftest import RAW, ROOT

sys.path.insert(0, str(ROOT))
from benchmarks import run, synth  # noqa: E402

SEED_NAMES = ("九江", "宜春", "晋城", "淮安", "江西", "山西", "江苏")


@pytest.fixture(scope="module")
def seeds():
    return synth.load_seeds(RAW)


@pytest.fixture(scope="module")
def corpus20(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth20")
    planted = synth.write_corpus(out, 20, seed=0, raw=RAW)
    tables, failures = build_tables(out / "raw")
    return out, planted, tables, failures


def test_doctests():
    assert doctest.testmod(synth).failed == 0


def test_every_planted_target_is_recovered_from_20_plans(corpus20):
    _, planted, tables, failures = corpus20
    assert not failures
    assert len(tables["documents"]) == 20
    assert len(planted) > 300  # ~27 targets a plan, from every seed
    assert set(planted.source.str.split("#").str[0]) == {"jiujiang-2024", "yichun", "jincheng-2023", "jiangsu-2018", "huaian-inferred"}
    found = synth.recall(planted, tables["targets"])
    assert found == {"planted": len(planted), "recovered": len(planted), "recall": 1.0, "extra": 0, "year_agrees": len(planted)}


def test_recall_notices_a_lost_or_an_invented_target(corpus20):
    _, planted, tables, _ = corpus20
    targets = tables["targets"]
    lost = synth.recall(planted, targets.drop(index=targets.index[7]))
    assert lost["recovered"] == len(planted) - 1 and lost["recall"] < 1
    wrong = targets.copy()
    wrong.loc[wrong.index[0], "value"] = 12345.0
    invented = synth.recall(planted, wrong)
    assert invented["recovered"] == len(planted) - 1 and invented["extra"] == 1


def test_numbers_names_and_years_are_varied(corpus20, seeds):
    out, planted, _, _ = corpus20
    texts = [p.read_text(encoding="utf-8") for p in sorted((out / "raw").glob("*.txt"))]
    assert not [n for n in SEED_NAMES if any(n in t for t in texts)]
    seed_targets = pd.concat(
        [pd.DataFrame(p.targets) for s in seeds for sec in [s.preamble, *s.sections] for p in sec if p.targets]
    ).set_index("source")
    both = planted.join(seed_targets[["value", "target_year"]].add_suffix("_seed"), on="source")
    numeric = both[both.value.notna()]
    assert (numeric.value != numeric.value_seed).mean() > 0.5
    assert ((numeric.unit == "%") <= (numeric.value <= 100)).all()  # a percentage stays a percentage
    # each plan moves every year by one shift of -3..+3, plus, for a borrowed section, the gap
    # between its seed's issue year and the base plan's (so a 2027 plan does not say 到2023年)
    by_id = {x.doc_id: x for x in seeds}
    base = {d: by_id[synth.yaml.safe_load((out / "raw" / f"{d}.meta.yml").read_text(encoding="utf-8"))["source"]
                     .split(" from ")[1].split(" + ")[0]] for d in both.doc_id.unique()}
    gap = [synth.era_gap(base[d], by_id[src.split("#")[0]]) for d, src in zip(both.doc_id, both.source)]
    shift = (both.target_year - both.target_year_seed - gap).dropna()
    assert shift.between(-3, 3).all() and shift.nunique() > 1
    assert (shift.groupby(both.doc_id).nunique() == 1).all()
    jur = [synth.yaml.safe_load((out / "raw" / f"synth-{i:05d}.meta.yml").read_text(encoding="utf-8"))["jurisdiction"] for i in (1, 2, 3)]
    assert len(set(jur)) == 3 and all(j.endswith(("市", "省")) for j in jur)


def test_plans_are_deterministic_and_nested(seeds, tmp_path, corpus20):
    out20 = corpus20[0]
    assert synth.make_plan(seeds, 4) == synth.make_plan(seeds, 4)
    assert synth.make_plan(seeds, 4, seed=1) != synth.make_plan(seeds, 4)
    synth.write_corpus(tmp_path, 3, seed=0, raw=RAW)
    for p in sorted((tmp_path / "raw").iterdir()):
        assert p.read_bytes() == (out20 / "raw" / p.name).read_bytes()


def test_the_generator_refuses_to_write_into_data(tmp_path):
    with pytest.raises(SystemExit):
        synth.main(["2", str(ROOT / "data")])


def test_linear_fit_and_goals_bookkeeping():
    rows = [{"plans": n, "jobs": 2, "wall_s": 1.0 + 0.02 * n, "peak_tree_rss_mb": 900.0, "targets_recall": 1.0}
            for n in (5, 100, 1000)]
    fit = run.linearity(rows)["jobs2"]
    assert fit["per_plan_ms"] == pytest.approx(20.0) and fit["fixed_s"] == pytest.approx(1.0)
    assert fit["r2"] == pytest.approx(1.0) and fit["marginal_last_over_first"] == pytest.approx(1.0)
    goals = run.goals(rows, run.linearity(rows), None)
    assert goals["build_1000_plans_jobs2_under_30s"]["pass"]  # 21 s
    assert goals["build_time_linear_jobs2"]["pass"] and goals["no_planted_target_lost"]["pass"]
    rows[-1]["wall_s"] = 40.0  # 1,000 plans now cost twice as much each as 100: not linear, too slow
    goals = run.goals(rows, run.linearity(rows), None)
    assert not goals["build_1000_plans_jobs2_under_30s"]["pass"] and not goals["build_time_linear_jobs2"]["pass"]


def test_measure_reports_time_and_memory(tmp_path):
    code = "import time; x = bytes(range(256)) * 200_000; time.sleep(0.4); print(len(x))"  # 51 MB, touched
    m = run.measure([sys.executable, "-c", code], tmp_path / "log")
    assert m["wall_s"] >= 0.4 and m["cpu_s"] > 0
    assert 50 < m["peak_process_rss_mb"] <= m["peak_tree_rss_mb"] < 500
    assert (tmp_path / "log").read_text().strip() == "51200000"
    with pytest.raises(RuntimeError, match="exited 3"):
        run.measure([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "log2")
