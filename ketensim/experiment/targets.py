"""Targets an instant must meet, and the sequential test that decides whether it does.

A target is written as text on the command line:

``P(broken_pairs > 0) <= 0.05``
    a **probability target**: the share of replications in which the metric exceeds a threshold
    (``>`` or ``>=``) must be at most (``<=``, ``<``) or at least (``>=``, ``>``) a probability, given
    as a fraction (``0.05``) or a percentage (``5%``). Decided with the exact Clopper-Pearson interval.
``broken_pairs <= 2``
    an **expected-value target**: the mean of the metric over replications must be at most (or at
    least) a value. Decided with the Student-t interval of the mean.

The sequential test (:func:`decide`) looks at the replications of one candidate after every batch.
It gives ``meets`` when the whole interval lies on the allowed side of the threshold, ``fails`` when
the whole interval lies on the forbidden side, and ``undecided`` otherwise (more replications are
needed, or the cap was hit). Because the same candidate is looked at up to ``looks`` times, each
look uses the interval at confidence ``1 - (1 - confidence) / looks`` (Bonferroni over the looks):
the chance that any look gives a wrong verdict stays at most ``1 - confidence``.

Every metric is a count or a duration, so the lower bound of a mean's interval is clamped at 0
(which never changes a verdict on a threshold above 0). When every replication of an
expected-value target has the same value, the t interval has no width
and decides at once; the verdict then rests on the replications run so far (at least one batch).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ketensim.experiment.fields import METRICS
from ketensim.experiment.stats import t_interval

__all__ = ["Target", "Evidence", "parse_target", "decide", "clopper_pearson", "MEETS", "FAILS", "UNDECIDED"]

MEETS, FAILS, UNDECIDED = "meets", "fails", "undecided"

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}
_PROB = re.compile(r"^P\(\s*([a-z_]+)\s*(>=|>)\s*(-?\d+(?:\.\d+)?)\s*\)\s*(<=|<|>=|>)\s*(\d+(?:\.\d+)?)\s*(%?)$")
_MEAN = re.compile(r"^([a-z_]+)\s*(<=|<|>=|>)\s*(-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Target:
    """A parsed target: ``kind`` is ``probability`` or ``mean``."""

    text: str
    kind: str
    metric: str
    op: str
    bound: float
    event_op: str = ">"
    event_value: float = 0.0

    def event(self, value: float) -> bool:
        """Whether one replication's ``value`` counts as the event of a probability target."""
        return _OPS[self.event_op](value, self.event_value)

    @property
    def upper(self) -> bool:
        """True when the target caps the estimate from above (``<=`` or ``<``)."""
        return self.op in ("<=", "<")

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "kind": self.kind, "metric": self.metric, "op": self.op, "bound": self.bound,
                "event_op": self.event_op if self.kind == "probability" else None,
                "event_value": self.event_value if self.kind == "probability" else None}


def parse_target(text: str) -> Target:
    """Parse ``P(metric > x) <= p`` or ``metric <= x``; raise ValueError saying what was expected."""
    clean = " ".join(text.split())
    prob = _PROB.match(clean)
    if prob:
        metric, event_op, event_value, op, number, percent = prob.groups()
        bound = float(number) / (100 if percent else 1)
        if not 0 <= bound <= 1:
            raise ValueError(f"{text!r}: probability {number}{percent} is outside 0..1 (or 0%..100%)")
        _check_metric(metric, text)
        return Target(clean, "probability", metric, op, bound, event_op, float(event_value))
    mean = _MEAN.match(clean)
    if mean:
        metric, op, number = mean.groups()
        _check_metric(metric, text)
        return Target(clean, "mean", metric, op, float(number))
    raise ValueError(f"{text!r} is not a target; expected 'P(METRIC > X) <= P' (e.g. 'P(broken_pairs > 0) <= 0.05' "
                     "or '<= 5%') or 'METRIC <= X' (e.g. 'broken_pairs <= 2'); also >=, <, >")


def _check_metric(metric: str, text: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"{text!r}: unknown metric {metric!r}; expected one of: {', '.join(METRICS)}")


def clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval of ``k`` successes out of ``n``."""
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"clopper_pearson needs 0 <= k <= n and n >= 1 (got k={k}, n={n})")
    from scipy.stats import beta  # imported here: scipy takes a second to import

    alpha = 1 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


@dataclass(frozen=True)
class Evidence:
    """What the replications of one candidate say about a target after the last look."""

    n: int
    estimate: float
    ci_low: float | None
    ci_high: float | None
    confidence: float
    verdict: str
    k: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "estimate": self.estimate, "k": self.k, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "look_confidence": self.confidence, "verdict": self.verdict}


def look_confidence(confidence: float, looks: int) -> float:
    """The confidence of each look so that all ``looks`` together keep ``confidence`` (Bonferroni)."""
    return 1 - (1 - confidence) / max(1, looks)


def decide(target: Target, values: Sequence[float], confidence: float, looks: int) -> Evidence:
    """The verdict on ``target`` from the replication values of one candidate (see the module docstring)."""
    n = len(values)
    level = look_confidence(confidence, looks)
    k: int | None = None
    if target.kind == "probability":
        k = sum(1 for v in values if target.event(v))
        estimate = k / n
        low, high = clopper_pearson(k, n, level)
    else:
        estimate, low, high = t_interval(values, level)
        if n < 2:
            return Evidence(n, estimate, None, None, level, UNDECIDED)
        low = max(0.0, low)  # every metric is a count or a duration: the bound never goes below 0
    ok = _OPS[target.op]
    if ok(high if target.upper else low, target.bound):
        verdict = MEETS
    elif not ok(low if target.upper else high, target.bound):
        verdict = FAILS
    else:
        verdict = UNDECIDED
    return Evidence(n, estimate, low, high, level, verdict, k)


def max_looks(batch: int, cap: int) -> int:
    """How often a candidate is looked at when it gets ``batch`` replications at a time up to ``cap``."""
    return math.ceil(cap / batch)
