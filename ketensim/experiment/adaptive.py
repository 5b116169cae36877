"""Enough replications, no more: add replications in batches until every interval meets its target.

``-n auto`` runs a first batch, then adds batches until every interval the command reports is narrow
enough or a cap is reached, and says which happened (:class:`Stopping`). After each round it adds one
batch, or, when the half-widths say that many more replications are needed (``n·(hw/target)²``),
whole batches up to that estimate, at most doubling ``n`` per round (fewer rounds, fewer pool starts). Replication ``i`` always
runs on seed ``spawn_seeds(root, ·)[i]``, and that seed does not depend on how many replications are
spawned (see :mod:`ketensim.experiment.seeds`), so an experiment that stops at ``n`` is identical to
``-n n`` with the same root seed: the same seeds, outcomes, summaries and files.

What "narrow enough" means is a list of :class:`Precision` targets (``--precision``, repeatable):

``0.5`` or ``broken_pairs=0.5``
    the 95% interval of the mean of broken_pairs has a half-width of at most 0.5 (absolute, in the
    metric's own unit); a bare value is about ``broken_pairs`` (for ``sweep``: its ``--metric``).
``broken_pairs=10%``
    a half-width of at most 10% of the mean (relative).
``broken_pairs_gt_0=0.05`` (or ``=5%``)
    the interval of P(broken_pairs > 0) has a half-width of at most 5 percentage points (a proportion's
    target is always absolute).

Without ``--precision`` the targets are those of the precision notes: every reported mean within
``max(10% of |mean|, 1 unit)`` and P(broken pairs > 0) within 5 percentage points. For ``compare`` a
target is about the paired difference B − A of the metric; for ``sweep`` about the focus metric at the
baseline and at every point.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ketensim.experiment.comparison import Comparison, compare
from ketensim.experiment.engine import Task, default_workers, run_tasks
from ketensim.experiment.fields import METRICS
from ketensim.experiment.replication import EVENT_METRICS, Experiment, replicate
from ketensim.experiment.seeds import spawn_seeds
from ketensim.experiment.sensitivity import Sweep, sweep
from ketensim.experiment.stats import PROPORTION_TARGET, summarize_mean, summarize_proportion
from ketensim.experiment.variants import Vary
from ketensim.scenario.model import Scenario

__all__ = ["Auto", "Precision", "Stopping", "parse_precision", "grow", "replicate_auto", "compare_auto", "sweep_auto"]

_SPEC = re.compile(r"^(?:([a-z_0-9]+)\s*=\s*)?(\d+(?:\.\d+)?)\s*(%?)$")


@dataclass(frozen=True)
class Precision:
    """A half-width target for one interval (see the module docstring)."""

    metric: str
    value: float
    relative: bool = False
    text: str = ""

    @property
    def proportion(self) -> bool:
        return self.metric.endswith("_gt_0")

    def target(self, estimate: float) -> float:
        """The largest half-width allowed for an interval around ``estimate``."""
        return self.value * abs(estimate) if self.relative else self.value


def parse_precision(text: str, default_metric: str = "broken_pairs") -> Precision:
    """Parse ``[METRIC=]VALUE[%]``; raise ValueError saying what was expected."""
    match = _SPEC.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a precision; expected a half-width such as 0.5, 10% or "
                         "broken_pairs=0.5 (a metric, '=', a number, optionally %)")
    metric, number, percent = match.group(1) or default_metric, float(match.group(2)), match.group(3)
    events = [f"{m}_gt_0" for m in EVENT_METRICS]
    if metric not in METRICS and metric not in events:
        raise ValueError(f"{text!r}: unknown metric {metric!r}; expected one of: {', '.join([*METRICS, *events])}")
    if metric in events:  # a proportion: the half-width in probability, 5% = 0.05
        value = number / 100 if percent else number
        if not 0 < value <= 1:
            raise ValueError(f"{text!r}: a proportion's half-width must be in (0, 1] (e.g. 0.05 or 5%)")
        return Precision(metric, value, False, text)
    if number <= 0:
        raise ValueError(f"{text!r}: the half-width must be > 0")
    return Precision(metric, number / 100 if percent else number, bool(percent), text)


@dataclass(frozen=True)
class Auto:
    """The ``-n auto`` settings of a command: its precision targets, batch size and cap."""

    specs: tuple[Precision, ...]
    batch: int = 10
    cap: int = 1000

    def kwargs(self) -> dict[str, Any]:
        return {"batch": self.batch, "cap": self.cap}


@dataclass(frozen=True)
class Stopping:
    """Why adding replications stopped: every interval met its target (``precise``) or the ``cap`` was hit."""

    n: int
    batch: int
    cap: int
    reason: str  # precise | cap
    targets: tuple[str, ...]
    wide: tuple[str, ...]
    """Intervals still wider than their target when the cap stopped it: ``name: ±hw > ±target``."""

    def line(self) -> str:
        """One line for the terminal."""
        if self.reason == "precise" and self.targets == (DEFAULT_TARGETS,):
            return f"-n auto: stopped after {self.n} replications: every interval meets the default target of the notes"
        if self.reason == "precise":
            return (f"-n auto: stopped after {self.n} replications: every interval meets its --precision target "
                    f"({', '.join(self.targets)}); the precision notes compare with their default targets")
        return (f"-n auto: stopped at the cap of {self.cap} replications: {len(self.wide)} interval(s) still wider "
                f"than the target: {'; '.join(self.wide)}")

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "batch": self.batch, "max_replications": self.cap,
                "reason": self.reason, "targets": list(self.targets), "wide": list(self.wide)}


Interval = tuple[str, float | None, float | None, float]
"""``(name, estimate, half-width or None, target half-width)``."""


DEFAULT_TARGETS = "default targets of the precision notes"
"""What ``targets`` holds when no --precision was given."""


def _wide(intervals: Iterable[Interval], n: int) -> tuple[list[str], int]:
    """The intervals wider than their target, and about how many replications would narrow them all."""
    out, needed = [], n
    for name, _, half, target in intervals:
        if half is None or half > target + 1e-12:
            shown = "no interval" if half is None else f"±{half:.3g}"
            out.append(f"{name}: {shown} > ±{target:.3g}")
            if half is not None and target > 0:
                needed = max(needed, math.ceil(n * (half / target) ** 2))
    return out, needed


def _mean_interval(name: str, values: Sequence[float], spec: Precision | None) -> Interval:
    m = summarize_mean(values)
    target = m.target_half_width if spec is None else spec.target(m.mean)
    return name, m.mean, m.half_width, target


def _share_interval(name: str, values: Sequence[float], spec: Precision | None) -> Interval:
    p = summarize_proportion(sum(1 for v in values if v > 0), len(values))
    return name, p.p, p.half_width, PROPORTION_TARGET if spec is None else spec.target(p.p)


def _intervals(values_of: Callable[[str], Sequence[float]], specs: Sequence[Precision], metrics: Sequence[str],
               prefix: str = "") -> list[Interval]:
    """The intervals to check: the ``specs`` if given, else the default target of every reported metric."""
    if specs:
        out = []
        for spec in specs:
            if spec.proportion:
                out.append(_share_interval(prefix + spec.metric, values_of(spec.metric[:-len("_gt_0")]), spec))
            else:
                out.append(_mean_interval(prefix + spec.metric, values_of(spec.metric), spec))
        return out
    return [_mean_interval(prefix + m, values_of(m), None) for m in metrics]


def grow(experiments: Sequence[Experiment], upto: int, workers: int, progress: bool | None,
         executor: Any = None) -> list[Experiment]:
    """Each experiment extended to ``upto`` replications on the next seeds of its root seed (one pool for all).

    The same experiment object given twice (a sweep point that is the baseline) is run once and
    returned twice.
    """
    distinct: dict[int, Experiment] = {id(e): e for e in experiments}
    tasks: list[Task] = []
    for key, e in distinct.items():
        seeds = spawn_seeds(e.root_seed, upto)
        tasks += [(str(key), i, seeds[i], e.scenario, e.xml) for i in range(e.n, upto)]
    results = run_tasks(tasks, workers, progress=progress, label="more replications", executor=executor) if tasks else {}
    grown = {key: replace(e, seeds=tuple(spawn_seeds(e.root_seed, upto)),
                          outcomes=e.outcomes + tuple(results.get(str(key), [])))
             for key, e in distinct.items()}
    return [grown[id(e)] for e in experiments]


def _loop(first: Any, experiments_of: Callable[[Any], list[Experiment]], rebuild: Callable[[Any, list[Experiment]], Any],
          check: Callable[[Any], list[Interval]], specs: Sequence[Precision], batch: int, cap: int, workers: int,
          progress: bool | None, executor: Any = None) -> tuple[Any, Stopping]:
    result = first
    while True:
        n = experiments_of(result)[0].n
        wide, needed = _wide(check(result), n)
        if not wide or n >= cap:
            texts = tuple(s.text for s in specs) or (DEFAULT_TARGETS,)
            return result, Stopping(n, batch, cap, "precise" if not wide else "cap", texts, tuple(wide))
        result = rebuild(result, grow(experiments_of(result), next_n(n, needed, batch, cap), workers, progress,
                                               executor))


def next_n(n: int, needed: int, batch: int, cap: int) -> int:
    """The next size: one batch more, or whole batches towards the estimated need (at most double), capped."""
    ahead = batch * math.ceil(min(needed, 2 * n) / batch)
    return min(cap, max(n + batch, ahead))


def _check_batch(batch: int, cap: int) -> None:
    if batch < 2:
        raise ValueError(f"--batch {batch}: expected at least 2 (an interval needs two replications)")
    if cap < batch:
        raise ValueError(f"--max-replications {cap} is below --batch {batch}")


def replicate_auto(scenario: Scenario, specs: Sequence[Precision], metrics: Sequence[str], *, batch: int = 10,
                   cap: int = 1000, root_seed: int = 1, workers: int | None = 1, xml: bool = False,
                   progress: bool | None = None, executor: Any = None) -> tuple[Experiment, Stopping]:
    """:func:`replicate` with ``n`` chosen by the precision targets (``metrics``: the reported ones)."""
    _check_batch(batch, cap)
    used = workers or default_workers()
    first = replicate(scenario, batch, root_seed=root_seed, workers=used, xml=xml, progress=progress,
                      executor=executor)

    def check(e: Experiment) -> list[Interval]:
        out = _intervals(e.values, specs, metrics)
        if not specs and "broken_pairs" in e.metric_names:
            out.append(_share_interval("broken_pairs_gt_0", e.values("broken_pairs"), None))
        return out

    return _loop(first, lambda e: [e], lambda _, grown: grown[0], check, specs, batch, cap, used, progress,
                 executor)


def compare_auto(a: Scenario, b: Scenario, specs: Sequence[Precision], metrics: Sequence[str], *, batch: int = 10,
                 cap: int = 1000, root_seed: int = 1, workers: int | None = 1, xml: bool = False,
                 progress: bool | None = None, executor: Any = None) -> tuple[Comparison, Stopping]:
    """:func:`compare` with ``n`` chosen by the precision targets on the paired differences B − A."""
    _check_batch(batch, cap)
    used = workers or default_workers()
    first = compare(a, b, batch, root_seed=root_seed, workers=used, xml=xml, progress=progress,
                    executor=executor)

    def check(c: Comparison) -> list[Interval]:
        def diffs(m: str) -> list[float]:
            return [y - x for x, y in zip(c.a.values(m), c.b.values(m))]
        return _intervals(diffs, specs, metrics, prefix="B - A ")

    return _loop(first, lambda c: [c.a, c.b], lambda _, grown: Comparison(a=grown[0], b=grown[1]), check, specs,
                 batch, cap, used, progress, executor)


def sweep_auto(scenario: Scenario, varies: list[Vary], specs: Sequence[Precision], *, batch: int = 10,
               cap: int = 1000, root_seed: int = 1, workers: int | None = 1, xml: bool = False,
               progress: bool | None = None, metric: str = "broken_pairs",
               executor: Any = None) -> tuple[Sweep, Stopping]:
    """:func:`sweep` with ``n`` chosen by the precision targets on the focus metric at every point."""
    _check_batch(batch, cap)
    used = workers or default_workers()
    first = sweep(scenario, varies, batch, root_seed=root_seed, workers=used, xml=xml, progress=progress,
                  metric=metric, executor=executor)

    def experiments(s: Sweep) -> list[Experiment]:
        return [s.baseline, *(p.experiment for p in s.points if p.experiment is not None)]

    def rebuild(s: Sweep, grown: list[Experiment]) -> Sweep:
        it = iter(grown[1:])
        points = tuple(replace(p, experiment=next(it)) if p.experiment is not None else p for p in s.points)
        return replace(s, baseline=grown[0], points=points)

    def check(s: Sweep) -> list[Interval]:
        out = _intervals(s.baseline.values, specs, [metric], prefix="baseline ")
        for p in s.points:
            if p.experiment is not None:
                out += _intervals(p.experiment.values, specs, [metric], prefix=f"{p.parameter}={p.label} ")
        return out

    return _loop(first, experiments, rebuild, check, specs, batch, cap, used, progress, executor)

