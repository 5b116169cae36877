"""Summary statistics: t intervals against scipy and by coverage, Wilson against published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ketensim.experiment.stats import (
    n_needed,
    summarize_mean,
    summarize_proportion,
    t_interval,
    wilson_interval,
)

SAMPLE = [3.0, 0.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0]


class TestTInterval:
    def test_matches_scipy_for_a_fixed_sample(self) -> None:
        """The interval equals scipy's t.interval with the sample's standard error."""
        mean, low, high = t_interval(SAMPLE)
        want = stats.t.interval(0.95, len(SAMPLE) - 1, loc=np.mean(SAMPLE), scale=stats.sem(SAMPLE))
        assert mean == pytest.approx(3.6, abs=1e-12)
        assert (low, high) == pytest.approx(want, abs=1e-12)

    def test_matches_scipy_at_other_confidence(self) -> None:
        """The confidence level is honoured (90%)."""
        _, low, high = t_interval(SAMPLE, confidence=0.90)
        want = stats.t.interval(0.90, len(SAMPLE) - 1, loc=np.mean(SAMPLE), scale=stats.sem(SAMPLE))
        assert (low, high) == pytest.approx(want, abs=1e-12)

    def test_covers_the_true_mean_95_percent_of_the_time(self) -> None:
        """Over 4000 normal samples of 8, the interval covers the true mean 95% ± 1.2% of the time."""
        rng = np.random.default_rng(20240401)
        samples = rng.normal(loc=10.0, scale=3.0, size=(4000, 8))
        covered = sum(low <= 10.0 <= high for _, low, high in (t_interval(list(s)) for s in samples))
        assert abs(covered / 4000 - 0.95) < 0.012

    def test_one_value_or_equal_values_give_a_point(self) -> None:
        """No spread: the interval collapses to the mean (no NaN)."""
        assert t_interval([2.0]) == (2.0, 2.0, 2.0)
        assert t_interval([0.0] * 5) == (0.0, 0.0, 0.0)

    def test_no_values_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="at least one value"):
            t_interval([])


class TestWilson:
    @pytest.mark.parametrize(
        ("k", "n", "low", "high"),
        [
            (0, 10, 0.0, 0.2775),  # Newcombe (1998), table I: 0/10
            (1, 10, 0.0179, 0.4042),  # 1/10
            (5, 10, 0.2366, 0.7634),  # 5/10, symmetric
            (10, 10, 0.7225, 1.0),  # 10/10
            (81, 263, 0.2553, 0.3662),  # Newcombe's 81/263 example
        ],
    )
    def test_published_values(self, k: int, n: int, low: float, high: float) -> None:
        """Wilson score intervals match published four-decimal values."""
        assert wilson_interval(k, n) == pytest.approx((low, high), abs=5e-5)

    def test_stays_inside_zero_one(self) -> None:
        for k in range(0, 21):
            low, high = wilson_interval(k, 20)
            assert 0.0 <= low <= k / 20 <= high <= 1.0

    def test_bad_counts_are_errors(self) -> None:
        with pytest.raises(ValueError, match="successes must be in 0..5"):
            wilson_interval(6, 5)
        with pytest.raises(ValueError, match="n >= 1"):
            wilson_interval(0, 0)


class TestPrecisionNote:
    def test_mean_within_ten_percent_is_precise(self) -> None:
        s = summarize_mean([100.0, 101.0, 99.0, 100.0, 100.0])
        assert s.precise_enough and s.note == ""
        assert (s.min, s.max, s.n) == (99.0, 101.0, 5)

    def test_small_mean_uses_one_unit(self) -> None:
        """A mean of 0.3 pairs with a half-width of 0.4 pairs is precise enough (target: 1 pair)."""
        s = summarize_mean([0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
        assert s.target_half_width == 1.0 and s.precise_enough

    def test_wide_interval_says_how_many_replications(self) -> None:
        """n_needed ≈ n·(half-width/target)², and the note names it."""
        s = summarize_mean([0.0, 40.0, 10.0, 30.0, 20.0])
        assert not s.precise_enough
        assert s.n_needed == math.ceil(5 * (s.half_width / s.target_half_width) ** 2)
        assert f"about {s.n_needed} replications" in s.note

    def test_n_needed_never_below_n(self) -> None:
        assert n_needed(50, 0.1, 1.0) == 50
        assert n_needed(10, 2.0, 1.0) == 40

    def test_proportion_target_is_five_points(self) -> None:
        p = summarize_proportion(3, 10)
        assert p.p == 0.3 and not p.precise_enough and p.n_needed > 10
        assert "percentage points" in p.note
        assert summarize_proportion(0, 2000).precise_enough
