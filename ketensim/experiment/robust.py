"""Is B better than A whatever the uncertain parameters turn out to be? And which parameter flips it?

A comparison runs A and B on the same replication seeds; with uncertain parameters (see
:mod:`ketensim.scenario.uncertain`) replication ``i`` of both also draws the same parameter values,
so each replication is one joint draw of seeds and parameters. Over those draws this module gives,
for the headline metric (``broken_pairs``):

* ``P(B better than A)``: the share of replications in which B is strictly better, with a 95%
  Wilson interval over the replications (ties count as not better);
* the verdict: *B better* if B is better in at least 95% of the draws, *A better* if B is worse in
  at least 95%, else *no robust difference* (none with fewer than 2 replications: ``too_few``); ``confirmed`` says whether the interval's lower bound
  also clears 95% (it cannot with fewer than ~73 replications);
* for each uncertain parameter: the single threshold that best splits the paired difference B − A
  (a one-split regression tree on the draws: the split that most reduces the squared error, with at
  least ``max(2, n // 10)`` replications on each side), the mean difference and the share of B
  better on each side, and whether the sign flips across it; and a table of the difference by
  quartile of the parameter's draws.

Without uncertain parameters the same figures are over seeds only, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ketensim.experiment.stats import ProportionSummary, summarize_proportion

__all__ = ["Robustness", "Split", "robustness", "ROBUST_SHARE"]

ROBUST_SHARE = 0.95
"""The share of draws in which one side must win for the verdict to be robust."""


@dataclass(frozen=True)
class Split:
    """The best single threshold of one parameter for the paired difference B − A."""

    parameter: str
    threshold: float
    below_n: int
    below_mean: float
    below_b_better: float
    above_n: int
    above_mean: float
    above_b_better: float
    gain: float
    """The share of the difference's variance the split explains (0..1)."""

    @property
    def flips(self) -> bool:
        """True if B is better on one side of the threshold and worse on the other (by the mean difference)."""
        return self.below_mean * self.above_mean < 0

    def record(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "threshold": self.threshold, "flips": self.flips, "gain": self.gain,
                "below_n": self.below_n, "below_diff_mean": self.below_mean, "below_p_b_better": self.below_b_better,
                "above_n": self.above_n, "above_diff_mean": self.above_mean, "above_p_b_better": self.above_b_better}


@dataclass(frozen=True)
class Robustness:
    """P(B better than A) over the joint uncertainty, the verdict and what flips it."""

    metric: str
    n: int
    parameters: tuple[str, ...]
    better: ProportionSummary
    worse: ProportionSummary
    verdict: str  # b_better | a_better | none | too_few (fewer than 2 replications)
    confirmed: bool
    splits: tuple[Split, ...]
    bins: tuple[dict[str, Any], ...]

    @property
    def over(self) -> str:
        """What the probability is over: ``seeds and parameters`` or ``seeds only``."""
        return "seeds and uncertain parameters" if self.parameters else "seeds only (no uncertain parameters)"

    def flipping(self) -> list[Split]:
        """The splits across which the sign of B − A flips, the most explaining first."""
        return [s for s in self.splits if s.flips]

    def record(self) -> dict[str, Any]:
        """The ``robust`` section of ``compare.json``."""
        return {
            "metric": self.metric, "n": self.n, "over": self.over, "parameters": list(self.parameters),
            "p_b_better": self.better.p, "p_b_better_ci_low": self.better.ci_low,
            "p_b_better_ci_high": self.better.ci_high, "p_b_worse": self.worse.p,
            "p_b_worse_ci_low": self.worse.ci_low, "p_b_worse_ci_high": self.worse.ci_high,
            "interval_method": "Wilson 95% over replications", "robust_share": ROBUST_SHARE,
            "verdict": self.verdict, "confirmed": self.confirmed,
            "splits": [s.record() for s in self.splits],
        }


def _better(diff: float, direction: str) -> bool:
    return diff < 0 if direction == "higher_is_worse" else diff > 0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _sse(values: list[float]) -> float:
    m = _mean(values)
    return sum((v - m) ** 2 for v in values)


def best_split(name: str, draws: list[float], diffs: list[float], direction: str) -> Split | None:
    """The threshold on ``draws`` that most reduces the squared error of ``diffs`` (None if no split helps)."""
    n = len(diffs)
    leaf = max(2, n // 10)
    order = sorted(range(n), key=lambda i: draws[i])
    xs = [draws[i] for i in order]
    ys = [diffs[i] for i in order]
    total = _sse(ys)
    best: tuple[float, int] | None = None
    for k in range(leaf, n - leaf + 1):
        if xs[k - 1] == xs[k]:
            continue
        gain = total - _sse(ys[:k]) - _sse(ys[k:])
        if best is None or gain > best[0] + 1e-12:
            best = (gain, k)
    if best is None or total == 0 or best[0] <= 0:
        return None
    gain, k = best
    below, above = ys[:k], ys[k:]
    return Split(
        parameter=name, threshold=(xs[k - 1] + xs[k]) / 2, below_n=k, below_mean=_mean(below),
        below_b_better=sum(_better(d, direction) for d in below) / k, above_n=n - k, above_mean=_mean(above),
        above_b_better=sum(_better(d, direction) for d in above) / (n - k), gain=gain / total,
    )


def quartile_bins(name: str, draws: list[float], diffs: list[float], direction: str) -> list[dict[str, Any]]:
    """The paired difference by quartile of the parameter's draws (halves below 8 replications)."""
    n = len(diffs)
    parts = 4 if n >= 8 else 2
    order = sorted(range(n), key=lambda i: draws[i])
    rows = []
    for b in range(parts):
        members = order[b * n // parts:(b + 1) * n // parts]
        if not members:
            continue
        ds = [diffs[i] for i in members]
        rows.append({"parameter": name, "bin": b + 1, "bins": parts, "low": draws[members[0]],
                     "high": draws[members[-1]], "n": len(ds), "diff_mean": _mean(ds),
                     "p_b_better": sum(_better(d, direction) for d in ds) / len(ds),
                     "p_b_worse": sum(_better(-d, direction) for d in ds) / len(ds)})
    return rows


def joint_draws(a: list[dict[str, float]], b: list[dict[str, float]]) -> dict[str, list[float]]:
    """Per uncertain parameter, its draw in every replication (``name (A)``/``name (B)`` where they differ).

    ``a`` and ``b`` are the draws of A's and B's replications, in the same order.
    """
    names = list(dict.fromkeys([*(a[0] if a else {}), *(b[0] if b else {})]))
    out: dict[str, list[float]] = {}
    for name in names:
        va, vb = [d.get(name) for d in a], [d.get(name) for d in b]
        if None in vb or va == vb:
            out[name] = [float(v) for v in va]  # type: ignore[arg-type]
        elif None in va:
            out[name] = [float(v) for v in vb]  # type: ignore[arg-type]
        else:
            out[f"{name} (A)"] = [float(v) for v in va]  # type: ignore[arg-type]
            out[f"{name} (B)"] = [float(v) for v in vb]  # type: ignore[arg-type]
    return out


def robustness(metric: str, direction: str, a: list[float], b: list[float], draws: dict[str, list[float]]) -> Robustness:
    """The robustness of the comparison of ``metric`` (replication values of A and B, same order as ``draws``)."""
    if direction not in ("higher_is_worse", "higher_is_better"):
        raise ValueError(f"{metric} has no better direction; expected a metric where higher is worse or better")
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    n = len(diffs)
    better = summarize_proportion(sum(_better(d, direction) for d in diffs), n)
    worse = summarize_proportion(sum(_better(-d, direction) for d in diffs), n)
    if n < 2:  # one draw says nothing about the others
        verdict, confirmed = "too_few", False
    elif better.p >= ROBUST_SHARE:
        verdict, confirmed = "b_better", better.ci_low >= ROBUST_SHARE
    elif worse.p >= ROBUST_SHARE:
        verdict, confirmed = "a_better", worse.ci_low >= ROBUST_SHARE
    else:
        verdict, confirmed = "none", False
    splits = [s for name, xs in draws.items() if (s := best_split(name, xs, diffs, direction)) is not None]
    splits.sort(key=lambda s: (not s.flips, -s.gain, s.parameter))
    bins = [row for name, xs in draws.items() for row in quartile_bins(name, xs, diffs, direction)]
    return Robustness(metric=metric, n=n, parameters=tuple(draws), better=better, worse=worse, verdict=verdict,
                      confirmed=confirmed, splits=tuple(splits), bins=tuple(bins))
