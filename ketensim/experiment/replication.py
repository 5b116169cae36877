"""Replications of one scenario: the :class:`Experiment` and its summary with confidence intervals.

``replicate(scenario, n)`` runs replication ``i`` on seed ``spawn_seeds(root, n)[i]`` (see
:mod:`ketensim.experiment.seeds`) and keeps a condensed outcome per replication. The
:class:`Experiment` summarises every numeric summary field (mean, 95% t interval, min, max), the
share of replications in which an event happened at least once (Wilson interval), the breakdowns per
message pair and actor type, the injections and the hourly series; it writes them as CSV and JSON
(see :mod:`ketensim.experiment.fields`) and gives them as flat records for pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ketensim import __version__
from ketensim.experiment.engine import Task, default_workers, run_tasks
from ketensim.experiment.fields import counting_note
from ketensim.experiment.files import file_sha256, write_csv, write_json
from ketensim.experiment.outcome import BREAKDOWNS, SERIES, ReplicationOutcome, hour_grid
from ketensim.experiment.seeds import SEED_METHOD, spawn_seeds
from ketensim.experiment.stats import (
    ABS_TARGET,
    PROPORTION_TARGET,
    REL_TARGET,
    MeanSummary,
    ProportionSummary,
    summarize_mean,
    summarize_proportion,
)
from ketensim.outdir import write_marker
from ketensim.scenario.model import Scenario

__all__ = ["Experiment", "replicate", "EVENT_METRICS", "to_dataframe"]

EVENT_METRICS: tuple[str, ...] = (
    "broken_pairs",
    "forbidden_cross_release_answers",
    "unread_at_transition",
    "outcome_rejected_not_resent",
    "outcome_held_at_end",
    "rejected_by_xsd",
    "rejected_by_rules",
)
"""Metrics whose P(metric > 0) over replications is reported (key ``<metric>_gt_0``)."""


def to_dataframe(records: list[dict[str, Any]]) -> Any:
    """``pandas.DataFrame(records)``; pandas is optional and imported only here."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe() needs pandas, which ketensim does not install: `pip install pandas`; "
                          "records() returns the same rows as a list of dicts") from None
    return pd.DataFrame.from_records(records)


@dataclass(frozen=True)
class Experiment:
    """``n`` replications of one scenario on the seeds spawned from ``root_seed``."""

    scenario: Scenario
    root_seed: int
    seeds: tuple[int, ...]
    xml: bool
    outcomes: tuple[ReplicationOutcome, ...]
    label: str = ""

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def metric_names(self) -> list[str]:
        return list(self.outcomes[0].metrics) if self.outcomes else []

    @property
    def draw_names(self) -> list[str]:
        """The uncertain parameters drawn in every replication (empty when the scenario has none)."""
        return list(self.outcomes[0].draws) if self.outcomes else []

    def values(self, metric: str) -> list[float]:
        """The value of ``metric`` in every replication, in replication order."""
        if metric not in self.metric_names:
            raise KeyError(f"unknown metric {metric!r}; known: {', '.join(self.metric_names)}")
        return [o.metrics[metric] for o in self.outcomes]

    def summary(self) -> dict[str, MeanSummary]:
        """Every numeric summary field: mean, 95% t interval, sd, min, max, precision note."""
        return {m: summarize_mean(self.values(m), count=True) for m in self.metric_names}

    def proportions(self) -> dict[str, ProportionSummary]:
        """P(metric > 0) with a Wilson 95% interval, for each of :data:`EVENT_METRICS`."""
        out = {}
        for m in EVENT_METRICS:
            if m in self.metric_names:
                out[f"{m}_gt_0"] = summarize_proportion(sum(1 for v in self.values(m) if v > 0), self.n)
        return out

    def breakdowns(self) -> dict[str, dict[str, MeanSummary]]:
        """Per breakdown (``broken_by_pair`` ...) and key: the mean count over replications."""
        out: dict[str, dict[str, MeanSummary]] = {}
        for name in BREAKDOWNS:
            keys = sorted({k for o in self.outcomes for k in o.breakdowns.get(name, {})})
            out[name] = {k: summarize_mean([o.breakdowns.get(name, {}).get(k, 0) for o in self.outcomes], count=True)
                         for k in keys}
        return out

    def injections(self) -> list[dict[str, Any]]:
        """Per injection: its definition, the share of replications it took effect in, mean touches."""
        if not self.outcomes or not self.outcomes[0].injections:
            return []
        out = []
        for position, first in enumerate(self.outcomes[0].injections):
            reports = [o.injections[position] for o in self.outcomes]
            row: dict[str, Any] = {k: v for k, v in first.items()
                                   if isinstance(v, str) or k in ("index", "share")}
            took = sum(1 for r in reports if r.get("took_effect"))
            row["took_effect"] = summarize_proportion(took, self.n).as_dict()
            for key, value in first.items():
                if key in row or isinstance(value, (bool, str)) or not isinstance(value, (int, float)):
                    continue
                row[f"{key}_mean"] = summarize_mean([float(r.get(key, 0)) for r in reports]).mean
                row[f"{key}_max"] = max(float(r.get(key, 0)) for r in reports)
            out.append(row)
        return out

    def series(self) -> dict[str, list[Any]]:
        """Hourly series over the window: mean and 5th/95th percentile over replications."""
        start, hours = hour_grid(self.scenario)
        out: dict[str, list[Any]] = {
            "hour_utc": [(start + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
                         for h in range(hours)],
        }
        for name in SERIES:
            data = np.array([o.series[name] for o in self.outcomes], dtype=float)
            out[f"{name}_mean"] = [float(v) for v in data.mean(axis=0)]
            out[f"{name}_p05"] = [float(v) for v in np.percentile(data, 5, axis=0)]
            out[f"{name}_p95"] = [float(v) for v in np.percentile(data, 95, axis=0)]
        out["broken_cumulative_mean"] = [float(v) for v in np.cumsum(out["broken_mean"])]
        return out

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per replication (scenario, variant, index, seed, every parameter draw, every numeric field)."""
        return [{"scenario": self.scenario.id, "variant": self.label, "index": o.index, "seed": o.seed, **o.draws,
                 **o.metrics}
                for o in self.outcomes]

    def to_dataframe(self) -> Any:
        """:meth:`records` as a pandas DataFrame (needs pandas)."""
        return to_dataframe(self.records())

    def summary_dict(self) -> dict[str, Any]:
        """The content of ``summary.json``."""
        from ketensim.output import scenario_dict

        return {
            "kind": "replications",
            "ketensim_version": __version__,
            "scenario": self.scenario.id,
            "scenario_name": self.scenario.name,
            "scenario_file": Path(self.scenario.path).name,
            "scenario_sha256": file_sha256(self.scenario.path),
            "variant": self.label,
            "n": self.n,
            "root_seed": self.root_seed,
            "seed_method": SEED_METHOD,
            "seeds": list(self.seeds),
            "xml": self.xml,
            **counting_note(self.xml),
            "targets": {"relative": REL_TARGET, "absolute": ABS_TARGET, "proportion": PROPORTION_TARGET},
            "metrics": {k: v.as_dict() for k, v in self.summary().items()},
            "proportions": {k: v.as_dict() for k, v in self.proportions().items()},
            "breakdowns": {name: {k: v.as_dict() for k, v in rows.items()} for name, rows in self.breakdowns().items()},
            "injections": self.injections(),
            "resolved_scenario": scenario_dict(self.scenario),
        }

    def write(self, out: Path) -> list[Path]:
        """Write summary.json, summary.csv, replications.csv, breakdowns.csv, injections.csv, series.csv."""
        out.mkdir(parents=True, exist_ok=True)
        data = self.summary_dict()
        written = [write_json(out / "summary.json", data)]
        stat_cols = ["estimate", "ci_low", "ci_high", "min", "max", "n", "half_width", "target_half_width",
                     "precise_enough", "n_needed"]
        rows = []
        for name, m in data["metrics"].items():
            rows.append([name, "mean", m["mean"], m["ci_low"], m["ci_high"], m["min"], m["max"], m["n"],
                         m["half_width"], m["target_half_width"], m["precise_enough"], m["n_needed"]])
        for name, p in data["proportions"].items():
            rows.append([name, "proportion", p["p"], p["ci_low"], p["ci_high"], None, None, p["n"],
                         p["half_width"], p["target_half_width"], p["precise_enough"], p["n_needed"]])
        written.append(write_csv(out / "summary.csv", ["metric", "kind", *stat_cols], rows))
        records = self.records()
        columns = ["index", "seed", *self.draw_names, *self.metric_names]
        written.append(write_csv(out / "replications.csv", columns, ([r[c] for c in columns] for r in records)))
        written.append(write_csv(
            out / "breakdowns.csv", ["index", "seed", "breakdown", "key", "count"],
            ([o.index, o.seed, name, k, v] for o in self.outcomes for name in BREAKDOWNS
             for k, v in sorted(o.breakdowns.get(name, {}).items())),
        ))
        inj_cols = ["index", "seed", "injection", "kind", "took_effect", "actors_touched", "messages_touched"]
        written.append(write_csv(
            out / "injections.csv", inj_cols,
            ([o.index, o.seed, i.get("index"), i.get("kind"), bool(i.get("took_effect")), i.get("actors_touched"),
              i.get("messages_touched")] for o in self.outcomes for i in o.injections),
        ))
        series = self.series()
        names = list(series)
        written.append(write_csv(out / "series.csv", names, zip(*(series[c] for c in names))))
        write_marker(out, "replications")
        return written


def replicate(
    scenario: Scenario,
    n: int,
    *,
    root_seed: int = 1,
    workers: int | None = 1,
    xml: bool = False,
    progress: bool | None = None,
    executor: Any = None,
    label: str = "",
) -> Experiment:
    """Run ``n`` replications of ``scenario`` on seeds spawned from ``root_seed``.

    ``workers=None`` uses every local core; ``executor`` is where they run (``None``: this process or
    the local pool; see :func:`~ketensim.experiment.engine.run_tasks`). The result depends on neither.
    """
    seeds = spawn_seeds(root_seed, n)
    tasks: list[Task] = [("", i, seed, scenario, xml) for i, seed in enumerate(seeds)]
    outcomes = run_tasks(tasks, workers or default_workers(), progress=progress, executor=executor)[""]
    return Experiment(scenario=scenario, root_seed=root_seed, seeds=tuple(seeds), xml=xml,
                      outcomes=tuple(outcomes), label=label)
