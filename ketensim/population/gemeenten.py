"""Gemeenten: the CBS municipalities of a scenario year, sized by their inhabitants.

The reference lists ``ketensim/data/gemeenten-YYYY.csv`` exist for 2017, 2018, 2021, 2022,
2023 and 2025 (see ``SOURCES.md``). A scenario year takes the list of the nearest year that has
one; on a tie the earlier list wins, because a migration in that year starts from the
municipal layout already in force.

Some lists lack inhabitant figures (2017 and 2022 entirely, 37 gemeenten in 2018). A missing
figure is taken from the nearest year whose list has the same CBS code with a figure (again
preferring the earlier year on a tie). A gemeente that has no figure in any year (they all
merged on 1 January 2019) gets the median of the figures known for that year's list, so it
neither dominates nor vanishes when gemeenten are sampled by size.
"""

from __future__ import annotations

import csv
import functools
import itertools
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ketensim.population.sampling import pick
from ketensim._resources import data_file

__all__ = ["Gemeente", "GEMEENTE_YEARS", "list_year", "load_gemeenten", "GemeenteSampler"]

GEMEENTE_YEARS: tuple[int, ...] = (2017, 2018, 2021, 2022, 2023, 2025)
"""Years for which a CBS gemeente list ships with ketensim."""


@dataclass(frozen=True)
class Gemeente:
    """One gemeente as the chain knows it.

    Attributes:
        code: CBS gemeentecode, four digits with leading zeros (``"0363"``).
        naam: Name as CBS writes it (``"Amsterdam"``).
        inwoners: Inhabitants on 1 January (filled as described in the module docstring).
        provincie: Province (CBS spelling, ``"Fryslân"``).
        inwoners_bron: Year whose list supplied ``inwoners``; ``None`` when the median was used.
    """

    code: str
    naam: str
    inwoners: int
    provincie: str
    inwoners_bron: int | None


def _by_distance(year: int) -> list[int]:
    """List years ordered by distance to ``year``, earlier first on a tie."""
    return sorted(GEMEENTE_YEARS, key=lambda y: (abs(y - year), y))


def list_year(year: int) -> int:
    """Return the year of the gemeente list used for scenario year ``year``."""
    return _by_distance(year)[0]


@functools.cache
def _read(year: int) -> tuple[tuple[str, str, int | None, str], ...]:
    with open(data_file(f"gemeenten-{year}.csv"), encoding="utf-8", newline="") as fh:
        return tuple(
            (row["code"], row["naam"], int(row["inwoners"]) if row["inwoners"] else None, row["provincie"])
            for row in csv.DictReader(fh)
        )


@functools.cache
def load_gemeenten(year: int) -> tuple[Gemeente, ...]:
    """Return every gemeente of scenario year ``year``, sorted by CBS code.

    Args:
        year: The scenario year (any year; the nearest list is used).
    """
    chosen = list_year(year)
    rows = _read(chosen)
    figures = {y: {code: n for code, _, n, _ in _read(y) if n is not None} for y in GEMEENTE_YEARS}
    known = [n for _, _, n, _ in rows if n is not None]
    fallback_pool = known or list(itertools.chain.from_iterable(f.values() for f in figures.values()))
    fallback = int(statistics.median(fallback_pool))
    result = []
    for code, naam, inwoners, provincie in rows:
        source: int | None = chosen if inwoners is not None else None
        if inwoners is None:
            for other in _by_distance(chosen):
                if code in figures[other]:
                    inwoners, source = figures[other][code], other
                    break
        result.append(Gemeente(code, naam, inwoners if inwoners is not None else fallback, provincie, source))
    return tuple(sorted(result, key=lambda g: g.code))


class GemeenteSampler:
    """Draws gemeenten with probability proportional to their inhabitants.

    Args:
        gemeenten: The gemeenten to draw from (e.g. :func:`load_gemeenten` of the scenario year).
    """

    def __init__(self, gemeenten: Sequence[Gemeente]) -> None:
        if not gemeenten:
            raise ValueError("gemeenten must not be empty")
        self.gemeenten: tuple[Gemeente, ...] = tuple(gemeenten)
        self._cum_weights = list(itertools.accumulate(g.inwoners for g in self.gemeenten))

    def sample(self, rng: random.Random, k: int = 1) -> list[Gemeente]:
        """Draw ``k`` gemeenten (with replacement), weighted by inhabitants."""
        return rng.choices(self.gemeenten, cum_weights=self._cum_weights, k=k)

    def one(self, rng: random.Random) -> Gemeente:
        """Draw one gemeente, weighted by inhabitants."""
        return pick(rng, self.gemeenten, self._cum_weights)
