"""Replication seeds: independent integer seeds spawned from one root seed.

Replication ``i`` of an experiment with root seed ``R`` runs with::

    numpy.random.SeedSequence(R).spawn(n)[i].generate_state(1, numpy.uint64)[0]

``SeedSequence.spawn`` gives children whose streams are statistically independent of each other
(NumPy's recommended way to seed parallel work), and child ``i`` does not depend on ``n``: the first
20 seeds of a 200-replication experiment are the seeds of the 20-replication one with the same
root. Each replication then derives all its randomness from its integer seed through named streams
(``random.Random(f"{seed}:{name}")``), so two scenarios run on the same seed list share their
random numbers (common random numbers).
"""

from __future__ import annotations

import numpy as np

__all__ = ["spawn_seeds", "SEED_METHOD"]

SEED_METHOD = "numpy.random.SeedSequence(root).spawn(n)[i].generate_state(1, numpy.uint64)[0]"
"""How replication seeds are derived, recorded in every summary for reproducibility."""


def spawn_seeds(root: int, n: int) -> list[int]:
    """The ``n`` replication seeds of root seed ``root`` (a non-negative integer)."""
    if root < 0:
        raise ValueError(f"root seed must be >= 0 (got {root})")
    if n < 1:
        raise ValueError(f"number of replications must be >= 1 (got {n})")
    return [int(child.generate_state(1, np.uint64)[0]) for child in np.random.SeedSequence(root).spawn(n)]
