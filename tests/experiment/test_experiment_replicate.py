"""Replications: seeds, worker-independence, outputs, records for pandas, documented fields."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from ketensim.experiment import FIELDS, replicate, spawn_seeds
from ketensim.experiment.fields import METRICS
from ketensim.experiment.replication import Experiment
from ketensim.scenario.model import Scenario

N = 4


@pytest.fixture(scope="module")
def experiment(tiny: Scenario) -> Experiment:
    return replicate(tiny, N, root_seed=7, workers=1, progress=False)


class TestSeeds:
    def test_spawned_from_seed_sequence(self) -> None:
        """Seeds are SeedSequence(root).spawn(n)[i] as 64-bit integers, all different."""
        import numpy as np

        seeds = spawn_seeds(7, 5)
        assert seeds == [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(7).spawn(5)]
        assert len(set(seeds)) == 5 and all(0 <= s < 2**64 for s in seeds)

    def test_prefix_does_not_depend_on_n(self) -> None:
        """The first 20 seeds of 200 replications are the seeds of 20 replications."""
        assert spawn_seeds(1, 200)[:20] == spawn_seeds(1, 20)

    def test_roots_differ(self) -> None:
        assert set(spawn_seeds(1, 10)).isdisjoint(spawn_seeds(2, 10))

    def test_bad_arguments(self) -> None:
        with pytest.raises(ValueError, match="root seed must be >= 0"):
            spawn_seeds(-1, 3)
        with pytest.raises(ValueError, match="replications must be >= 1"):
            spawn_seeds(1, 0)


class TestReplicate:
    def test_outcomes_in_index_order_with_their_seeds(self, experiment: Experiment) -> None:
        assert [o.index for o in experiment.outcomes] == list(range(N))
        assert [o.seed for o in experiment.outcomes] == spawn_seeds(7, N) == list(experiment.seeds)

    def test_same_seed_same_result_as_a_single_run(self, experiment: Experiment, tiny: Scenario) -> None:
        """Replication i is exactly run_replication(scenario, seeds[i])."""
        from ketensim.run import run_replication

        r = run_replication(tiny, experiment.seeds[2], xml=False)
        assert experiment.outcomes[2].metrics["broken_pairs"] == r.summary["broken_pairs"]
        assert experiment.outcomes[2].metrics["messages"] == r.summary["messages"]

    def test_workers_do_not_change_results(self, experiment: Experiment, tiny: Scenario, tmp_path: Path) -> None:
        """workers=1 and workers=2 write byte-identical replications.csv, summary.json and series.csv."""
        parallel = replicate(tiny, N, root_seed=7, workers=2, progress=False)
        experiment.write(tmp_path / "one")
        parallel.write(tmp_path / "two")
        for name in ("replications.csv", "summary.json", "summary.csv", "series.csv", "breakdowns.csv",
                     "injections.csv"):
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name

    def test_series_cover_the_window(self, experiment: Experiment) -> None:
        series = experiment.series()
        hours = len(series["hour_utc"])
        assert hours > 24 * 60
        assert all(len(v) == hours for v in series.values())
        assert series["broken_cumulative_mean"][-1] == pytest.approx(
            sum(o.metrics["broken_pairs"] for o in experiment.outcomes) / N)


@pytest.fixture(scope="module")
def out(experiment: Experiment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("replications")
    experiment.write(folder)
    return folder


class TestOutputs:
    def test_replications_csv_has_one_row_per_replication(self, out: Path, experiment: Experiment) -> None:
        rows = list(csv.DictReader((out / "replications.csv").open()))
        assert [int(r["index"]) for r in rows] == list(range(N))
        assert [int(r["seed"]) for r in rows] == list(experiment.seeds)
        assert list(rows[0])[2:] == experiment.metric_names

    def test_summary_json(self, out: Path, tiny: Scenario) -> None:
        data = json.loads((out / "summary.json").read_text())
        assert data["kind"] == "replications" and data["n"] == N and data["root_seed"] == 7
        assert data["seeds"] == spawn_seeds(7, N) and data["scenario"] == tiny.id
        assert "SeedSequence" in data["seed_method"] and data["ketensim_version"]
        broken = data["metrics"]["broken_pairs"]
        assert set(broken) == {"n", "mean", "ci_low", "ci_high", "sd", "min", "max", "half_width",
                               "target_half_width", "precise_enough", "n_needed"}
        assert broken["ci_low"] <= broken["mean"] <= broken["ci_high"]
        share = data["proportions"]["broken_pairs_gt_0"]
        assert 0 <= share["ci_low"] <= share["p"] <= share["ci_high"] <= 1
        assert [i["kind"] for i in data["injections"]] == ["late_send", "slow_response", "corrupt"]
        assert data["injections"][2]["took_effect"]["k"] == 0
        assert data["resolved_scenario"]["population"]["clients"] == 300

    def test_summary_csv_rows(self, out: Path, experiment: Experiment) -> None:
        rows = list(csv.DictReader((out / "summary.csv").open()))
        assert {r["metric"] for r in rows if r["kind"] == "mean"} == set(experiment.metric_names)
        assert "broken_pairs_gt_0" in {r["metric"] for r in rows if r["kind"] == "proportion"}


class TestRecords:
    def test_records_are_flat(self, experiment: Experiment) -> None:
        records = experiment.records()
        assert len(records) == N
        assert all(isinstance(v, (int, float, str)) for r in records for v in r.values())

    def test_to_dataframe(self, experiment: Experiment) -> None:
        pd = pytest.importorskip("pandas")
        df = experiment.to_dataframe()
        assert isinstance(df, pd.DataFrame) and len(df) == N
        assert {"index", "seed", "broken_pairs"} <= set(df.columns)

    def test_to_dataframe_without_pandas_says_what_to_do(self, experiment: Experiment,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(ImportError, match=r"needs pandas.*pip install pandas.*records\(\)"):
            experiment.to_dataframe()


class TestFields:
    def test_every_metric_is_documented(self, experiment: Experiment) -> None:
        """METRICS (and so FIELDS) lists exactly the numeric summary fields a run produces."""
        assert list(METRICS) == experiment.metric_names

    def test_fields_document_every_file(self) -> None:
        for name in ("replications.csv", "summary.json", "summary.csv", "breakdowns.csv", "injections.csv",
                     "series.csv", "compare.csv", "sweep.csv", "sweep_replications.csv"):
            assert name in FIELDS
        for metric in METRICS:
            assert f"| {metric} |" in FIELDS


class TestFailure:
    @pytest.mark.parametrize("workers", [1, 2])
    def test_a_crash_names_the_seed(self, tiny: Scenario, workers: int) -> None:
        """A replication that raises stops the experiment with the variant, index and seed to reproduce it."""
        from dataclasses import replace

        from ketensim.experiment.engine import ReplicationFailed, run_tasks

        broken = replace(tiny, behaviour=None)  # type: ignore[arg-type]  # the world cannot be built
        task = ("retour_block=+6h", 0, 12345, broken, False)
        with pytest.raises(ReplicationFailed, match=r"replication 0 of variant 'retour_block=\+6h' of scenario "
                                                    r"2022-3.0-3.1 \(seed 12345\) failed: AttributeError: ") as info:
            run_tasks([task, task], workers=workers, progress=False)
        assert info.value.__cause__ is not None
