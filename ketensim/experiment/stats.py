"""Summary statistics over replications: means with t intervals, Wilson intervals, precision notes.

Every interval is a two-sided 95% interval by default.

* A metric's mean gets a Student-t interval ``mean ± t(0.975, n-1) · s/√n`` (s the sample standard
  deviation), which is exact for normal data and good for means of 30+ replications otherwise.
* A proportion (e.g. the share of replications with at least one broken pair) gets a Wilson score
  interval, which unlike ``p ± z·√(p(1-p)/n)`` stays inside [0, 1] and is sensible at p = 0 or 1.
* A paired difference (scenario B − A on the same seeds) is the t interval of the per-seed
  differences; with common random numbers it is much narrower than comparing two means.

The precision note answers "is n large enough?": a mean is precise enough when its half-width is at
most ``max(10% of |mean|, 1 unit)`` (one pair, one message, one hour), a proportion when its
half-width is at most 5 percentage points. Otherwise ``n_needed ≈ n · (half_width / target)²``
replications would reach the target (the half-width shrinks with √n).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "MeanSummary",
    "ProportionSummary",
    "summarize_mean",
    "summarize_proportion",
    "t_interval",
    "wilson_interval",
    "n_needed",
    "REL_TARGET",
    "ABS_TARGET",
    "PROPORTION_TARGET",
]

REL_TARGET = 0.10
"""A mean is precise enough when its half-width is at most this share of |mean| ..."""
ABS_TARGET = 1.0
"""... or at most this many units (one pair, one message, one hour), whichever is larger."""
PROPORTION_TARGET = 0.05
"""A proportion is precise enough when its half-width is at most 5 percentage points."""


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)`` of the Student-t interval; low = high = mean when n = 1 or all values agree."""
    n = len(values)
    if n == 0:
        raise ValueError("t_interval needs at least one value (got none)")
    mean = math.fsum(values) / n
    if n == 1:
        return mean, mean, mean
    sd = _sd(values, mean)
    if sd == 0.0:
        return mean, mean, mean
    from scipy.stats import t as student_t  # imported here: scipy takes a second to import

    half = float(student_t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n``."""
    if n < 1:
        raise ValueError(f"wilson_interval needs n >= 1 (got {n})")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in 0..{n} (got {successes})")
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def n_needed(n: int, half_width: float, target: float) -> int:
    """Replications needed to shrink ``half_width`` (seen with ``n``) to ``target``: ``⌈n·(hw/target)²⌉``."""
    if target <= 0:
        raise ValueError(f"target half-width must be > 0 (got {target})")
    return max(n, math.ceil(n * (half_width / target) ** 2 - 1e-9))


def _sd(values: Sequence[float], mean: float) -> float:
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


@dataclass(frozen=True)
class MeanSummary:
    """A metric over replications: its mean with a 95% t interval, spread and a precision note."""

    n: int
    mean: float
    ci_low: float | None
    ci_high: float | None
    sd: float
    min: float
    max: float
    half_width: float | None
    target_half_width: float
    precise_enough: bool
    n_needed: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def note(self) -> str:
        """One line for the terminal; empty when the interval is narrow enough."""
        if self.precise_enough:
            return ""
        if self.half_width is None:
            return "one replication: no interval; run more replications"
        return (f"interval ±{self.half_width:.3g} is wider than ±{self.target_half_width:.3g}; "
                f"about {self.n_needed} replications would narrow it")


@dataclass(frozen=True)
class ProportionSummary:
    """A share of replications (``k`` of ``n``) with its Wilson 95% interval and a precision note."""

    n: int
    k: int
    p: float
    ci_low: float | None
    ci_high: float | None
    half_width: float | None
    target_half_width: float
    precise_enough: bool
    n_needed: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def note(self) -> str:
        if self.precise_enough:
            return ""
        if self.half_width is None:
            return "one replication: no interval; run more replications"
        return (f"interval ±{100 * self.half_width:.1f} percentage points is wider than ±"
                f"{100 * self.target_half_width:.0f}; about {self.n_needed} replications would narrow it")


def summarize_mean(values: Sequence[float], confidence: float = 0.95, *, count: bool = False) -> MeanSummary:
    """Mean, t interval, sd, min, max and the precision note of ``values``.

    With fewer than two values there is no interval: ``ci_low``, ``ci_high`` and ``half_width`` are
    None. ``count=True`` (a metric that cannot be negative: a count or a duration) clamps the lower
    bound at 0; the half-width stays that of the t interval, so the precision note is not flattered.
    """
    n = len(values)
    mean, low, high = t_interval(values, confidence)
    sd = _sd(values, mean) if n > 1 else 0.0
    half = (high - low) / 2
    target = max(REL_TARGET * abs(mean), ABS_TARGET)
    precise = n > 1 and half <= target
    few = n < 2
    return MeanSummary(
        n=n, mean=mean, ci_low=None if few else (max(0.0, low) if count else low), ci_high=None if few else high,
        sd=sd, min=float(min(values)), max=float(max(values)),
        half_width=None if few else half, target_half_width=target, precise_enough=precise,
        n_needed=n_needed(n, half, target) if n > 1 else max(n, 30),
    )


def summarize_proportion(successes: int, n: int, confidence: float = 0.95) -> ProportionSummary:
    """The share ``successes / n`` with its Wilson interval and the precision note."""
    low, high = wilson_interval(successes, n, confidence)
    half = (high - low) / 2
    few = n < 2  # one replication: no interval is claimed (as for a mean)
    return ProportionSummary(
        n=n, k=successes, p=successes / n, ci_low=None if few else low, ci_high=None if few else high,
        half_width=None if few else half, target_half_width=PROPORTION_TARGET,
        precise_enough=not few and half <= PROPORTION_TARGET, n_needed=max(30, n) if few else n_needed(n, half, PROPORTION_TARGET),
    )
