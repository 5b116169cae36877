"""Compare two scenarios on common random numbers: paired differences B − A per metric.

Both scenarios run on the same replication seeds, so replication ``i`` of A and of B see the same
population, the same caseload and the same behaviour draws wherever the scenarios agree; the
per-seed difference ``B_i − A_i`` then isolates the effect of what differs. Its mean gets a paired t
interval. ``P(B worse than A)`` is the share of seeds on which B is strictly worse (more broken pairs,
a longer backlog ...), with a Wilson interval; for metrics without a better direction (message counts)
only ``P(B higher)`` and ``P(B lower)`` are given. A scenario compared with itself gives a difference
of exactly zero on every metric.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketensim import __version__
from ketensim.experiment.engine import Task, default_workers, run_tasks
from ketensim.experiment.fields import counting_note
from ketensim.experiment.files import write_csv, write_json
from ketensim.experiment.replication import Experiment, to_dataframe
from ketensim.experiment.robust import Robustness, joint_draws, robustness
from ketensim.experiment.seeds import SEED_METHOD, spawn_seeds
from ketensim.experiment.stats import MeanSummary, ProportionSummary, summarize_mean, summarize_proportion
from ketensim.outdir import write_marker
from ketensim.scenario.model import Scenario

__all__ = [
    "Comparison",
    "MetricDifference",
    "compare",
    "paired_difference",
    "direction_of",
    "HIGHER_IS_WORSE",
    "HIGHER_IS_BETTER",
]

HIGHER_IS_WORSE: frozenset[str] = frozenset({
    "broken_pairs", "rejected_at_block", "rejected_by_xsd", "rejected_by_rules", "resent_after_go_live", "unread_at_transition",
    "spoed_cases", "forbidden_cross_release_answers", "mean_pair_latency_hours", "outcome_closed_after_deadline",
    "outcome_broken", "outcome_unread_at_transition", "outcome_rejected_resent", "outcome_rejected_not_resent",
    "outcome_held_at_end", "outcome_retour_refused", "answers_cross_release_forbidden", "answers_pending_at_end",
    "backlog_peak_after_go_live", "backlog_drain_hours",
})
"""Metrics where a higher value is a worse migration."""
HIGHER_IS_BETTER: frozenset[str] = frozenset({"outcome_closed_in_time", "backlog_drained"})
"""Metrics where a higher value is a better migration."""


def direction_of(metric: str) -> str:
    """``higher_is_worse``, ``higher_is_better`` or ``neutral``."""
    if metric in HIGHER_IS_WORSE:
        return "higher_is_worse"
    if metric in HIGHER_IS_BETTER:
        return "higher_is_better"
    return "neutral"


@dataclass(frozen=True)
class MetricDifference:
    """One metric of a comparison: both means, the paired difference B − A and how often B is worse."""

    metric: str
    direction: str
    mean_a: float
    mean_b: float
    difference: MeanSummary
    p_b_higher: float
    p_b_lower: float
    p_b_worse: ProportionSummary | None

    def record(self) -> dict[str, Any]:
        d, w = self.difference, self.p_b_worse
        return {
            "metric": self.metric, "direction": self.direction, "n": d.n, "mean_a": self.mean_a,
            "mean_b": self.mean_b, "diff_mean": d.mean, "diff_ci_low": d.ci_low, "diff_ci_high": d.ci_high,
            "diff_sd": d.sd, "diff_min": d.min, "diff_max": d.max, "p_b_higher": self.p_b_higher,
            "p_b_lower": self.p_b_lower, "p_b_worse": None if w is None else w.p,
            "p_b_worse_ci_low": None if w is None else w.ci_low, "p_b_worse_ci_high": None if w is None else w.ci_high,
        }


def paired_difference(metric: str, a: list[float], b: list[float]) -> MetricDifference:
    """The paired difference ``b − a`` of ``metric`` over replications on the same seeds."""
    n = len(a)
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    higher = sum(1 for d in diffs if d > 0)
    lower = sum(1 for d in diffs if d < 0)
    direction = direction_of(metric)
    worse = {"higher_is_worse": higher, "higher_is_better": lower}.get(direction)
    return MetricDifference(
        metric=metric, direction=direction, mean_a=summarize_mean(a).mean, mean_b=summarize_mean(b).mean,
        difference=summarize_mean(diffs), p_b_higher=higher / n, p_b_lower=lower / n,
        p_b_worse=None if worse is None else summarize_proportion(worse, n),
    )


@dataclass(frozen=True)
class Comparison:
    """Scenario A against scenario B, replicated on the same seeds."""

    a: Experiment
    b: Experiment

    def __post_init__(self) -> None:
        if self.a.seeds != self.b.seeds:
            raise ValueError("a comparison needs both experiments on the same seeds (common random numbers)")

    @property
    def n(self) -> int:
        return self.a.n

    def differences(self) -> dict[str, MetricDifference]:
        """Per metric present in both scenarios: the paired difference B − A."""
        metrics = [m for m in self.a.metric_names if m in set(self.b.metric_names)]
        return {m: paired_difference(m, self.a.values(m), self.b.values(m)) for m in metrics}

    def robustness(self, metric: str = "broken_pairs") -> Robustness:
        """P(B better than A) over seeds and uncertain parameters, the verdict and what flips it (see :mod:`.robust`)."""
        draws = joint_draws([o.draws for o in self.a.outcomes], [o.draws for o in self.b.outcomes])
        return robustness(metric, direction_of(metric), self.a.values(metric), self.b.values(metric), draws)

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per metric (see ``compare.csv`` in :mod:`ketensim.experiment.fields`)."""
        return [d.record() for d in self.differences().values()]

    def replication_records(self) -> list[dict[str, Any]]:
        """Every replication of A and then of B as flat dicts (``variant`` is ``A`` or ``B``)."""
        return self.a.records() + self.b.records()

    def to_dataframe(self) -> Any:
        """:meth:`records` as a pandas DataFrame (needs pandas)."""
        return to_dataframe(self.records())

    def summary_dict(self) -> dict[str, Any]:
        """The content of ``compare.json``."""

        def side(e: Experiment, folder: str) -> dict[str, Any]:
            return {"scenario": e.scenario.id, "scenario_name": e.scenario.name, "scenario_file": Path(e.scenario.path).name,
                    "dir": folder}

        return {
            "kind": "compare",
            "ketensim_version": __version__,
            "n": self.n,
            "root_seed": self.a.root_seed,
            "seed_method": SEED_METHOD,
            "seeds": list(self.a.seeds),
            "xml": self.a.xml,
            **counting_note(self.a.xml),
            "a": side(self.a, "A"),
            "b": side(self.b, "B"),
            "metrics": {r["metric"]: r for r in self.records()},
            "robust": self.robustness().record(),
        }

    def write(self, out: Path) -> list[Path]:
        """Write compare.json, compare.csv and the full replication outputs of A and B under A/ and B/."""
        out.mkdir(parents=True, exist_ok=True)
        written = self.a.write(out / "A") + self.b.write(out / "B")
        records = self.records()
        written.append(write_json(out / "compare.json", self.summary_dict()))
        columns = list(records[0]) if records else ["metric"]
        written.append(write_csv(out / "compare.csv", columns, ([r[c] for c in columns] for r in records)))
        bins = self.robustness().bins
        bin_columns = ["parameter", "bin", "bins", "low", "high", "n", "diff_mean", "p_b_better", "p_b_worse"]
        written.append(write_csv(out / "compare_robust.csv", bin_columns, ([r[c] for c in bin_columns] for r in bins)))
        write_marker(out, "compare")
        return written


def compare(
    a: Scenario,
    b: Scenario,
    n: int,
    *,
    root_seed: int = 1,
    workers: int | None = 1,
    xml: bool = False,
    progress: bool | None = None,
    executor: Any = None,
) -> Comparison:
    """Run ``a`` and ``b`` each ``n`` times on the same seeds (one pool for both) and compare them."""
    seeds = spawn_seeds(root_seed, n)
    tasks: list[Task] = [(key, i, seed, s, xml) for key, s in (("A", a), ("B", b)) for i, seed in enumerate(seeds)]
    results = run_tasks(tasks, workers or default_workers(), progress=progress, label="A and B", executor=executor)
    exp = {key: Experiment(scenario=s, root_seed=root_seed, seeds=tuple(seeds), xml=xml,
                           outcomes=tuple(results[key]), label=key) for key, s in (("A", a), ("B", b))}
    return Comparison(a=exp["A"], b=exp["B"])
