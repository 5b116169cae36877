"""Comparisons on common random numbers: a scenario against itself differs by exactly zero."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ketensim.experiment import compare
from ketensim.experiment.comparison import Comparison, direction_of, paired_difference
from ketensim.experiment.fields import METRICS
from ketensim.experiment.variants import make_variant, parse_vary
from ketensim.scenario.model import Scenario


@pytest.fixture(scope="module")
def itself(tiny: Scenario) -> Comparison:
    return compare(tiny, tiny, 4, root_seed=3, workers=1, progress=False)


class TestSelfComparison:
    def test_every_metric_differs_by_exactly_zero(self, itself: Comparison) -> None:
        """Common random numbers: B − A is 0 on every seed, for every metric, with a zero-width interval."""
        diffs = itself.differences()
        assert set(diffs) == set(METRICS)
        for name, d in diffs.items():
            assert (d.difference.mean, d.difference.ci_low, d.difference.ci_high) == (0.0, 0.0, 0.0), name
            assert (d.difference.min, d.difference.max) == (0.0, 0.0), name
            assert d.p_b_higher == d.p_b_lower == 0.0, name
            assert d.p_b_worse is None or d.p_b_worse.k == 0, name
            assert d.mean_a == d.mean_b, name

    def test_both_sides_ran_on_the_same_seeds(self, itself: Comparison) -> None:
        assert itself.a.seeds == itself.b.seeds and itself.a.label == "A" and itself.b.label == "B"

    def test_written_files(self, itself: Comparison, tmp_path: Path) -> None:
        itself.write(tmp_path)
        data = json.loads((tmp_path / "compare.json").read_text())
        assert data["kind"] == "compare" and data["a"]["dir"] == "A" and data["n"] == 4
        rows = list(csv.DictReader((tmp_path / "compare.csv").open()))
        assert [r["metric"] for r in rows] == list(METRICS)
        assert {float(r["diff_mean"]) for r in rows} == {0.0}
        assert (tmp_path / "A" / "replications.csv").read_bytes() == (tmp_path / "B" / "replications.csv").read_bytes()

    def test_records_load_into_pandas(self, itself: Comparison) -> None:
        pytest.importorskip("pandas")
        df = itself.to_dataframe()
        assert len(df) == len(METRICS) and "diff_ci_low" in df.columns


class TestDifferentScenarios:
    def test_earlier_retour_block_breaks_more_pairs(self, tiny: Scenario) -> None:
        """Blocking retours 19 hours earlier (Wed 18:00, one hour after the heen block) breaks more pairs."""
        early = make_variant(tiny, parse_vary("retour_block=-19h", tiny), -19.0)
        c = compare(tiny, early, 3, root_seed=1, workers=1, progress=False)
        d = c.differences()["broken_pairs"]
        assert d.mean_b > d.mean_a
        assert d.p_b_worse is not None and d.p_b_worse.k >= 2
        assert d.difference.ci_low <= d.difference.mean <= d.difference.ci_high


class TestDirection:
    @pytest.mark.parametrize(("metric", "direction"), [
        ("broken_pairs", "higher_is_worse"),
        ("backlog_drain_hours", "higher_is_worse"),
        ("outcome_closed_in_time", "higher_is_better"),
        ("messages", "neutral"),
    ])
    def test_direction(self, metric: str, direction: str) -> None:
        assert direction_of(metric) == direction

    def test_p_b_worse_counts_strictly_worse_seeds(self) -> None:
        d = paired_difference("broken_pairs", [1, 1, 1, 1], [2, 1, 0, 3])
        assert d.p_b_worse is not None and d.p_b_worse.k == 2 and d.p_b_lower == 0.25
        assert paired_difference("messages", [1, 2], [2, 2]).p_b_worse is None
