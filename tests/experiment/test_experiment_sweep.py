"""One-at-a-time sweeps: points on the baseline's seeds, skipped variants with reasons, tornado."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ketensim.experiment import parse_vary, sweep
from ketensim.experiment.sensitivity import Sweep
from ketensim.scenario.model import Scenario

VARIES = ("retour_block=-19h,0h,6h", "block:3.2.2=-1h", "behaviour.aanbieder.retour_hours.median=1,17")


@pytest.fixture(scope="module")
def result(tiny: Scenario) -> Sweep:
    return sweep(tiny, [parse_vary(v, tiny) for v in VARIES], 2, root_seed=5, workers=1, progress=False)


class TestSweep:
    def test_points_in_order_with_status(self, result: Sweep) -> None:
        got = [(p.parameter, p.label, p.status) for p in result.points]
        assert got == [
            ("retour_block", "-19h", "ok"), ("retour_block", "0h", "ok"), ("retour_block", "+6h", "ok"),
            ("block:3.2.2", "-1h", "skipped"),
            ("behaviour.aanbieder.retour_hours.median", "1", "ok"),
            ("behaviour.aanbieder.retour_hours.median", "17", "skipped"),
        ]

    def test_skipped_points_say_why(self, result: Sweep) -> None:
        reasons = {p.label: p.reason for p in result.points if p.status == "skipped"}
        assert reasons["-1h"].startswith("deadline[6] (3.1.4).at: ")
        assert "expected a deadline at or before its block" in reasons["-1h"]
        assert reasons["17"] == "p90 (16.0) must be >= median (17.0)"

    def test_baseline_value_reuses_the_baseline_runs(self, result: Sweep) -> None:
        zero = next(p for p in result.points if p.label == "0h")
        assert zero.experiment is result.baseline

    def test_every_point_runs_on_the_baseline_seeds(self, result: Sweep) -> None:
        for p in result.points:
            if p.experiment is not None:
                assert p.experiment.seeds == result.baseline.seeds

    def test_records_and_paired_difference(self, result: Sweep) -> None:
        rows = {(r["parameter"], r["label"]): r for r in result.records()}
        assert rows[("retour_block", "0h")]["diff_mean"] == 0.0
        early = rows[("retour_block", "-19h")]
        assert early["mean"] > rows[("retour_block", "0h")]["mean"]
        assert early["diff_ci_low"] <= early["diff_mean"] <= early["diff_ci_high"]
        assert rows[("block:3.2.2", "-1h")]["mean"] is None

    def test_tornado_low_and_high(self, result: Sweep) -> None:
        tornado = {r["parameter"]: r for r in result.tornado()}
        assert set(tornado) == {"retour_block", "behaviour.aanbieder.retour_hours.median"}
        assert (tornado["retour_block"]["low_label"], tornado["retour_block"]["high_label"]) == ("-19h", "+6h")
        assert result.tornado()[0]["swing"] >= result.tornado()[-1]["swing"]

    def test_written_files(self, result: Sweep, tmp_path: Path) -> None:
        result.write(tmp_path)
        data = json.loads((tmp_path / "sweep.json").read_text())
        assert data["kind"] == "sweep" and data["metric"] == "broken_pairs" and len(data["points"]) == 6
        assert [v["name"] for v in data["varies"]] == ["retour_block", "block:3.2.2",
                                                         "behaviour.aanbieder.retour_hours.median"]
        assert len(list(csv.DictReader((tmp_path / "sweep.csv").open()))) == 6
        reps = list(csv.DictReader((tmp_path / "sweep_replications.csv").open()))
        assert len(reps) == 2 * (1 + 4)  # baseline and the four points that ran
        assert (tmp_path / "baseline" / "summary.json").is_file()

    def test_unknown_metric(self, tiny: Scenario) -> None:
        with pytest.raises(ValueError, match="unknown metric 'gebroken'; known: messages, "):
            sweep(tiny, [], 1, metric="gebroken")
