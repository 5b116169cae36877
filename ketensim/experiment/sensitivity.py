"""One-at-a-time sensitivity: vary one draaiboek instant or parameter at a time around the baseline.

Every point of a sweep is a variant of the baseline scenario (see :mod:`ketensim.experiment.variants`)
run ``n`` times on the same seeds as the baseline (common random numbers), so the difference from the
baseline at each point is a paired difference. Variants equal to the baseline (offset 0, or the value
the scenario already has) reuse the baseline runs. The tornado summarises each parameter by the mean
of the focus metric at the lowest and the highest value tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketensim import __version__
from ketensim.exceptions import ScenarioError
from ketensim.experiment.comparison import paired_difference
from ketensim.experiment.engine import Task, default_workers, run_tasks
from ketensim.experiment.fields import METRICS, counting_note
from ketensim.experiment.files import write_csv, write_json
from ketensim.experiment.replication import Experiment, to_dataframe
from ketensim.experiment.seeds import SEED_METHOD, spawn_seeds
from ketensim.experiment.stats import summarize_mean, summarize_proportion
from ketensim.experiment.variants import Vary, make_variant
from ketensim.outdir import write_marker
from ketensim.scenario.model import Scenario

__all__ = ["Sweep", "SweepPoint", "sweep"]


@dataclass(frozen=True)
class SweepPoint:
    """One value of one varied parameter: its experiment, or why it was skipped."""

    parameter: str
    kind: str
    value: float
    label: str
    status: str  # ok | skipped
    reason: str
    experiment: Experiment | None


@dataclass(frozen=True)
class Sweep:
    """A baseline experiment and the points of every ``--vary``."""

    baseline: Experiment
    varies: tuple[Vary, ...]
    points: tuple[SweepPoint, ...]
    metric: str = "broken_pairs"

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per point (see ``sweep.csv`` in :mod:`ketensim.experiment.fields`)."""
        base = self.baseline
        out = []
        for p in self.points:
            row: dict[str, Any] = {"parameter": p.parameter, "kind": p.kind, "value": p.value, "label": p.label,
                                   "status": p.status, "reason": p.reason, "metric": self.metric}
            e = p.experiment
            if e is None:
                row.update(dict.fromkeys(("n", "mean", "ci_low", "ci_high", "min", "max", "p_gt_0", "p_gt_0_ci_low",
                                          "p_gt_0_ci_high", "diff_mean", "diff_ci_low", "diff_ci_high",
                                          "p_worse_than_baseline")))
                out.append(row)
                continue
            values = e.values(self.metric)
            m = summarize_mean(values, count=True)
            share = summarize_proportion(sum(1 for v in values if v > 0), e.n)
            diff = paired_difference(self.metric, base.values(self.metric), values)
            row.update({"n": e.n, "mean": m.mean, "ci_low": m.ci_low, "ci_high": m.ci_high, "min": m.min,
                        "max": m.max, "p_gt_0": share.p, "p_gt_0_ci_low": share.ci_low,
                        "p_gt_0_ci_high": share.ci_high, "diff_mean": diff.difference.mean,
                        "diff_ci_low": diff.difference.ci_low, "diff_ci_high": diff.difference.ci_high,
                        "p_worse_than_baseline": None if diff.p_b_worse is None else diff.p_b_worse.p})
            out.append(row)
        return out

    def to_dataframe(self) -> Any:
        """:meth:`records` as a pandas DataFrame (needs pandas)."""
        return to_dataframe(self.records())

    def replication_records(self) -> list[dict[str, Any]]:
        """Every replication of the baseline and of every run point, as flat dicts."""
        rows = [{"parameter": "", "value": None, "label": "baseline", **r} for r in self.baseline.records()]
        for p in self.points:
            if p.experiment is not None:
                rows += [{"parameter": p.parameter, "value": p.value, "label": p.label, **r}
                         for r in p.experiment.records()]
        return rows

    def tornado(self) -> list[dict[str, Any]]:
        """Per parameter: the focus metric's mean at its lowest and highest run value, vs the baseline."""
        base = summarize_mean(self.baseline.values(self.metric)).mean
        rows: list[dict[str, Any]] = []
        for v in self.varies:
            run = sorted((p for p in self.points if p.parameter == v.name and p.experiment is not None),
                         key=lambda p: p.value)
            if not run:
                continue
            low, high = run[0], run[-1]
            assert low.experiment is not None and high.experiment is not None
            low_mean = summarize_mean(low.experiment.values(self.metric)).mean
            high_mean = summarize_mean(high.experiment.values(self.metric)).mean
            rows.append({"parameter": v.name, "kind": v.kind, "baseline_value": v.baseline, "baseline_mean": base,
                         "low_value": low.value, "low_label": low.label, "low_mean": low_mean,
                         "high_value": high.value, "high_label": high.label, "high_mean": high_mean,
                         "swing": abs(high_mean - low_mean)})
        rows.sort(key=lambda r: -r["swing"])
        return rows

    def summary_dict(self) -> dict[str, Any]:
        """The content of ``sweep.json``."""
        base = summarize_mean(self.baseline.values(self.metric), count=True)
        return {
            "kind": "sweep",
            "ketensim_version": __version__,
            "scenario": self.baseline.scenario.id,
            "scenario_name": self.baseline.scenario.name,
            "scenario_file": Path(self.baseline.scenario.path).name,
            "metric": self.metric,
            "n": self.baseline.n,
            "root_seed": self.baseline.root_seed,
            "seed_method": SEED_METHOD,
            "seeds": list(self.baseline.seeds),
            "xml": self.baseline.xml,
            **counting_note(self.baseline.xml),
            "baseline": {"dir": "baseline", **base.as_dict()},
            "varies": [{"name": v.name, "kind": v.kind, "values": list(v.values), "labels": list(v.labels),
                        "baseline": v.baseline, "unit": v.unit} for v in self.varies],
            "points": self.records(),
            "tornado": self.tornado(),
        }

    def write(self, out: Path) -> list[Path]:
        """Write sweep.json, sweep.csv, sweep_replications.csv and the baseline's outputs under baseline/."""
        out.mkdir(parents=True, exist_ok=True)
        written = self.baseline.write(out / "baseline")
        written.append(write_json(out / "sweep.json", self.summary_dict()))
        records = self.records()
        columns = list(records[0]) if records else ["parameter"]
        written.append(write_csv(out / "sweep.csv", columns, ([r[c] for c in columns] for r in records)))
        reps = self.replication_records()
        columns = ["parameter", "value", "label", "index", "seed", *self.baseline.draw_names,
                   *self.baseline.metric_names]
        written.append(write_csv(out / "sweep_replications.csv", columns, ([r.get(c) for c in columns] for r in reps)))
        write_marker(out, "sweep")
        return written


def sweep(
    scenario: Scenario,
    varies: list[Vary],
    n: int,
    *,
    root_seed: int = 1,
    workers: int | None = 1,
    xml: bool = False,
    progress: bool | None = None,
    executor: Any = None,
    metric: str = "broken_pairs",
) -> Sweep:
    """Run the baseline and every possible variant ``n`` times on the same seeds; skip impossible ones."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    seeds = spawn_seeds(root_seed, n)
    planned: list[tuple[Vary, float, str, Scenario | None, str]] = []
    keys: dict[Scenario, str] = {scenario: "baseline"}
    for vary in varies:
        for value, label in zip(vary.values, vary.labels):
            try:
                variant = make_variant(scenario, vary, value)
            except ScenarioError as err:
                planned.append((vary, value, label, None, f"{err.where}: {err.problem}" if err.where else err.problem))
                continue
            except ValueError as err:
                planned.append((vary, value, label, None, str(err)))
                continue
            key = keys.setdefault(variant, f"{vary.name}={label}")
            planned.append((vary, value, label, variant, key))
    tasks: list[Task] = [(key, i, seed, s, xml) for s, key in keys.items() for i, seed in enumerate(seeds)]
    results = run_tasks(tasks, workers or default_workers(), progress=progress, label="sweep", executor=executor)
    experiments = {key: Experiment(scenario=s, root_seed=root_seed, seeds=tuple(seeds), xml=xml,
                                   outcomes=tuple(results[key]), label=key) for s, key in keys.items()}
    baseline = experiments["baseline"]
    points = []
    for vary, value, label, ran, key_or_reason in planned:
        if ran is None:
            points.append(SweepPoint(vary.name, vary.kind, value, label, "skipped", key_or_reason, None))
        else:
            points.append(SweepPoint(vary.name, vary.kind, value, label, "ok", "", experiments[key_or_reason]))
    return Sweep(baseline=baseline, varies=tuple(varies), points=tuple(points), metric=metric)
