"""One weighted draw, as ``random.Random.choices(items, cum_weights=cum)[0]`` makes it, without its overhead.

Building a national caseload draws a gemeente, an aanbieder and a contract a few hundred thousand
times; ``choices`` builds a one-element list for each. :func:`pick` consumes the same single
``random()`` and bisects the same way, so it returns exactly what ``choices`` would (a test checks
that), and existing seeds keep their results.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["pick"]

T = TypeVar("T")


def pick(rng: random.Random, items: Sequence[T], cum: Sequence[float]) -> T:
    """Draw one of ``items`` with cumulative weights ``cum`` (equal lengths, positive total)."""
    return items[bisect_right(cum, rng.random() * (cum[-1] + 0.0), 0, len(cum) - 1)]
