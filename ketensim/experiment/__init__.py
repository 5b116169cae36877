"""Experiments: many replications of a scenario, comparisons on common random numbers, sweeps.

``replicate`` runs one scenario ``n`` times on independent seeds spawned from a root seed and
summarises every metric with a 95% interval; ``compare`` runs two scenarios on the same seeds and
gives paired differences; ``sweep`` varies one draaiboek instant or behaviour parameter at a time.
Replications run in this process, on a pool of local worker processes or on a Dask cluster
(:mod:`ketensim.experiment.executors`), with identical results.
Outputs are documented field by field in :data:`ketensim.experiment.fields.FIELDS`.

Names are imported lazily, so a worker process that only runs replications does not import scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and IDEs
    from ketensim.experiment.comparison import Comparison, compare
    from ketensim.experiment.fields import FIELDS
    from ketensim.experiment.replication import Experiment, replicate
    from ketensim.experiment.seeds import spawn_seeds
    from ketensim.experiment.sensitivity import Sweep, sweep
    from ketensim.experiment.variants import Vary, parse_vary

__all__ = [
    "Experiment",
    "Comparison",
    "Sweep",
    "Vary",
    "replicate",
    "compare",
    "sweep",
    "parse_vary",
    "spawn_seeds",
    "FIELDS",
]

_WHERE = {
    "Experiment": "replication",
    "replicate": "replication",
    "Comparison": "comparison",
    "compare": "comparison",
    "Sweep": "sensitivity",
    "sweep": "sensitivity",
    "Vary": "variants",
    "parse_vary": "variants",
    "spawn_seeds": "seeds",
    "FIELDS": "fields",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'ketensim.experiment' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ketensim.experiment.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
