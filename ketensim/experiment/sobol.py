"""What drives the outcome: variance-based (Sobol) global sensitivity over the uncertain parameters.

Where the one-at-a-time sweep (:mod:`ketensim.experiment.sensitivity`) moves one thing around the
baseline, this module asks how much of the spread of the headline metric each uncertain parameter
(:mod:`ketensim.scenario.uncertain`) explains when all of them vary together over their ranges:

* ``S1`` (first order): the share of the metric's variance explained by the parameter alone;
* ``ST`` (total): the share it explains including every interaction with the others.

The sample is SALib's Saltelli scheme on a scrambled Sobol' sequence in the unit cube (seeded by the
root seed): ``N (D + 2)`` parameter sets for ``D`` parameters, each mapped to parameter values through
the inverse distribution function of its range, exactly as replications draw them. Every set runs on
one common replication seed (the first seed of the root seed), so the simulation's own randomness is
held fixed and the indices measure the parameters; the indices and their 95% intervals (bootstrap
over the sample, SALib's ``conf``) come from ``SALib.analyze.sobol``. SALib is imported only here.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ketensim import __version__
from ketensim.exceptions import KetensimError
from ketensim.experiment.engine import Task, default_workers, run_tasks
from ketensim.experiment.fields import METRICS
from ketensim.experiment.files import write_csv, write_json
from ketensim.experiment.replication import Experiment
from ketensim.experiment.seeds import SEED_METHOD, spawn_seeds
from ketensim.outdir import write_marker
from ketensim.scenario.model import Scenario
from ketensim.scenario.uncertain import with_values

__all__ = ["SobolResult", "SobolIndex", "sobol", "NoUncertainty", "SAMPLE_METHOD", "SMALL_N", "require_uncertain"]

SAMPLE_METHOD = "SALib.sample.sobol.sample(problem, N, calc_second_order=False, scramble=True, seed=root_seed)"
"""How the parameter sets are drawn, recorded in sobol.json."""


class NoUncertainty(KetensimError, ValueError):
    """Raised when a global sensitivity analysis is asked of a scenario without uncertain parameters."""


SMALL_N = 64
"""Below this sample size (N) the indices are rough: their intervals are wide and an estimate can fall
below 0 or above 1 by chance. The CLI and the report say so."""


@dataclass(frozen=True)
class SobolIndex:
    """The first-order and total Sobol index of one parameter, each with the half-width of its 95% interval."""

    parameter: str
    describe: str
    s1: float | None
    s1_conf: float | None
    st: float | None
    st_conf: float | None

    def record(self) -> dict[str, Any]:
        def low(v: float | None, c: float | None) -> float | None:
            return None if v is None or c is None else v - c

        def high(v: float | None, c: float | None) -> float | None:
            return None if v is None or c is None else v + c

        return {"parameter": self.parameter, "range": self.describe, "S1": self.s1, "S1_conf": self.s1_conf,
                "S1_ci_low": low(self.s1, self.s1_conf), "S1_ci_high": high(self.s1, self.s1_conf), "ST": self.st,
                "ST_conf": self.st_conf, "ST_ci_low": low(self.st, self.st_conf),
                "ST_ci_high": high(self.st, self.st_conf)}


@dataclass(frozen=True)
class SobolResult:
    """The indices of every uncertain parameter, and the runs they come from."""

    runs: Experiment
    base_n: int
    metric: str
    indices: tuple[SobolIndex, ...]
    variance: float

    def ranked(self) -> list[SobolIndex]:
        """The indices, the largest total index first."""
        return sorted(self.indices, key=lambda i: (-(i.st if i.st is not None else -1), i.parameter))

    def summary_dict(self) -> dict[str, Any]:
        """The content of ``sobol.json``."""
        values = self.runs.values(self.metric)
        return {
            "kind": "sensitivity", "ketensim_version": __version__, "scenario": self.runs.scenario.id,
            "scenario_name": self.runs.scenario.name, "scenario_file": Path(self.runs.scenario.path).name,
            "metric": self.metric, "base_n": self.base_n, "parameters": len(self.indices), "runs": self.runs.n,
            "root_seed": self.runs.root_seed, "seed": self.runs.seeds[0], "seed_method": SEED_METHOD,
            "sample_method": SAMPLE_METHOD, "interval": "95% bootstrap over the sample (SALib conf)",
            "xml": self.runs.xml, "mean": sum(values) / len(values), "variance": self.variance,
            "indices": [i.record() for i in self.ranked()], "dir": "runs",
        }

    def write(self, out: Path) -> list[Path]:
        """Write sobol.json, sobol.csv and the runs (with each run's parameter values) under runs/."""
        out.mkdir(parents=True, exist_ok=True)
        written = self.runs.write(out / "runs")
        written.append(write_json(out / "sobol.json", self.summary_dict()))
        rows = [i.record() for i in self.ranked()]
        columns = list(rows[0])
        written.append(write_csv(out / "sobol.csv", columns, ([r[c] for c in columns] for r in rows)))
        write_marker(out, "sensitivity")
        return written


def require_uncertain(scenario: Scenario) -> None:
    """Raise :class:`NoUncertainty` unless ``scenario`` has at least one uncertain parameter."""
    if not scenario.uncertain:
        raise NoUncertainty(f"{scenario.path}: no uncertain parameters; expected at least one number given as a range, "
                            "e.g. deadline_compliance = { low = 0.85, high = 0.99 }")


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def sobol(
    scenario: Scenario,
    base_n: int,
    *,
    root_seed: int = 1,
    workers: int | None = 1,
    xml: bool = False,
    metric: str = "broken_pairs",
    progress: bool | None = None,
) -> SobolResult:
    """Sobol indices of ``metric`` over the uncertain parameters of ``scenario`` from ``base_n (D + 2)`` runs."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    require_uncertain(scenario)
    params = scenario.uncertain
    problem = {"num_vars": len(params), "names": [u.path for u in params], "bounds": [[0.0, 1.0]] * len(params)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about N not a power of two; the CLI requires one
        units = sample.sample(problem, base_n, calc_second_order=False, scramble=True, seed=root_seed)
    seed = spawn_seeds(root_seed, 1)[0]
    sets = [{u.path: (int(v) if u.whole else v) for u, v in ((u, u.value(float(x))) for u, x in zip(params, row))}
            for row in units]
    tasks: list[Task] = [("sobol", i, seed, with_values(scenario, values), xml) for i, values in enumerate(sets)]
    outcomes = run_tasks(tasks, workers or default_workers(), progress=progress, label="sobol")["sobol"]
    outcomes = [replace(o, draws=sets[o.index]) for o in outcomes]
    runs = Experiment(scenario=scenario, root_seed=root_seed, seeds=(seed,) * len(sets), xml=xml,
                      outcomes=tuple(outcomes), label="sobol")
    y = np.array(runs.values(metric), dtype=float)
    variance = float(y.var())
    if variance == 0:
        indices = tuple(SobolIndex(u.path, u.describe(), None, None, None, None) for u in params)
    else:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            found = analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=root_seed,
                                    print_to_console=False)
        indices = tuple(SobolIndex(u.path, u.describe(), _finite(found["S1"][k]), _finite(found["S1_conf"][k]),
                                   _finite(found["ST"][k]), _finite(found["ST_conf"][k])) for k, u in enumerate(params))
    return SobolResult(runs=runs, base_n=base_n, metric=metric, indices=indices, variance=variance)
