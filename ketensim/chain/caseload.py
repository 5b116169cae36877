"""The caseload: which client receives which product from which aanbieder, paid by which gemeente.

A :class:`Case` is one toegewezen product. Every case belongs to a gemeente (the client's) and an
aanbieder that has a contract with that gemeente. The toewijzing details (product, numbers,
omvang) are drawn lazily from the case's own seed the first time a message needs them, so a
national caseload of hundreds of thousands of cases costs little until it sends messages.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ketensim.population.sampling import pick
from ketensim.chain.keyed import KeyedRandom
from ketensim.population import Population, build_population
from ketensim.population.aanbieders import Aanbieder
from ketensim.population.gemeenten import Gemeente, load_gemeenten
from ketensim.population.people import Client
from ketensim.population.products import Toewijzing
from ketensim.scenario.world_model import Population as PopulationSpec

__all__ = ["Case", "Caseload", "build_caseload"]


@dataclass(slots=True, eq=False)
class Case:
    """One toegewezen product of one client at one aanbieder."""

    seq: int
    client: Client
    aanbieder: Aanbieder
    ingangsdatum: date
    seed: int
    started: bool = False
    active: bool = True
    _toewijzing: Toewijzing | None = field(default=None, repr=False)

    @property
    def gemeente(self) -> Gemeente:
        return self.client.gemeente

    @property
    def standard(self) -> str:
        return self.client.standard

    def toewijzing(self, population: Population) -> Toewijzing:
        """The toewijzing of this case, drawn from the case's own seed on first use."""
        if self._toewijzing is None:
            self._toewijzing = population.new_toewijzing(
                KeyedRandom(self.seed), self.client, self.aanbieder, self.ingangsdatum
            )
        return self._toewijzing


@dataclass
class Caseload:
    """The population of a run and its cases, with the contracts between gemeenten and aanbieders."""

    population: Population
    gemeenten: tuple[Gemeente, ...]
    contracts: dict[tuple[str, str], tuple[Aanbieder, ...]]  # (gemeentecode, standard) -> aanbieders
    cases: list[Case]
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _cum: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    merged: dict[str, Gemeente] = field(default_factory=dict)  # gemeentecode -> the gemeente it joined
    _moved: dict[str, Client] = field(default_factory=dict)  # bsn -> the client in the gemeente it joined

    def current(self, client: Client) -> Client:
        """``client`` as a client of the gemeente its own joined, if that merged (the same object every time)."""
        into = self.merged.get(client.gemeente.code)
        if into is None:
            return client
        moved = self._moved.get(client.bsn)
        if moved is None:
            moved = self._moved[client.bsn] = replace(client, gemeente=into)
        return moved

    def new_case(self, rng: random.Random, client: Client, ingangsdatum: date, listed: bool = True) -> Case:
        """Open a new case for ``client`` at a contracted aanbieder of its gemeente (weighted by size).

        ``listed=False`` keeps the case out of the list that ordinary traffic draws changes and
        ends from, so an injection that opens cases (spoed) leaves the rest of the traffic alone.
        """
        if self.merged:
            client = self.current(client)
        key = (client.gemeente.code, client.standard)
        cum = self._cum.get(key)
        if cum is None:
            cum = self._cum[key] = list(itertools.accumulate(a.weight for a in self.contracts[key]))
        aanbieder = pick(rng, self.contracts[key], cum)
        case = self.open_case(client, aanbieder, ingangsdatum, rng.getrandbits(64))
        if listed:
            self.cases.append(case)
        return case

    def open_case(self, client: Client, aanbieder: Aanbieder, ingangsdatum: date, seed: int,
                  started: bool = False) -> Case:
        """A case of ``client`` at a given ``aanbieder``, outside the traffic's list (a KTO vendor's new client)."""
        return Case(next(self._seq), client, aanbieder, ingangsdatum, seed, started=started)


def _weighted_sample(rng: random.Random, items: tuple[Gemeente, ...], k: int,
                     cum: list[int] | None = None) -> list[Gemeente]:
    """``k`` distinct gemeenten drawn with probability proportional to inhabitants (successive draws)."""
    if k >= len(items):
        return sorted(items, key=lambda g: g.code)
    if cum is None:
        cum = list(itertools.accumulate(max(g.inwoners, 1) for g in items))
    chosen: dict[str, Gemeente] = {}
    while len(chosen) < k:
        g = pick(rng, items, cum)
        chosen.setdefault(g.code, g)
    return sorted(chosen.values(), key=lambda g: g.code)


def build_caseload(rng: random.Random, spec: PopulationSpec, year: int, start: date,
                   standards: tuple[str, ...] = ("iwmo", "ijw")) -> Caseload:
    """Draw gemeenten, aanbieders, clients and their active cases at the start of the window."""
    every = load_gemeenten(year)
    chosen = _weighted_sample(rng, every, min(spec.gemeenten, len(every)))
    # a scenario for one law only simulates that law's clients
    share = spec.ijw_share if set(standards) == {"iwmo", "ijw"} else (1.0 if standards == ("ijw",) else 0.0)
    population = build_population(
        rng,
        year=year,
        n_clients=spec.clients,
        n_aanbieders=spec.aanbieders,
        jeugd_share=share,
        gemeenten=tuple(g.code for g in chosen),
        peildatum=start,
    )
    contracts: dict[tuple[str, str], list[Aanbieder]] = {(g.code, s): [] for g in chosen for s in ("iwmo", "ijw")}
    cum = list(itertools.accumulate(max(g.inwoners, 1) for g in population.gemeenten))
    k = min(spec.gemeenten_per_aanbieder, len(chosen))
    for aanbieder in population.aanbieders:
        for gemeente in _weighted_sample(rng, population.gemeenten, k, cum):
            for standard in sorted(aanbieder.standards):
                contracts[(gemeente.code, standard)].append(aanbieder)
    for (code, standard), members in contracts.items():
        if not members:
            # every gemeente must be able to place a client of either law somewhere
            members.append(population.sample_aanbieder(rng, standard))
    frozen = {key: tuple(members) for key, members in contracts.items()}
    caseload = Caseload(population, population.gemeenten, frozen, [])
    caseload.cases = _active_cases(rng, caseload, population.clients, start)
    return caseload


def _active_cases(rng: random.Random, caseload: Caseload, clients: Sequence[Client], start: date) -> list[Case]:
    """Each client's active case, started up to a year before the window: ``new_case`` for each, in one loop.

    No gemeente has merged yet. The same draws in the same order as ``caseload.new_case(rng, client, start - timedelta(days=rng.randint(1,
    365)))`` (a test compares the two): ``randint(1, 365)`` is ``1 + _randbelow(365)``, and ``new_case``'s
    weighted draw and seed follow. A national caseload has one and a half million cases.
    """
    days = [start - timedelta(days=n) for n in range(366)]
    below, random_, bits = rng._randbelow, rng.random, rng.getrandbits  # type: ignore[attr-defined]
    contracts, cums, seq = caseload.contracts, caseload._cum, caseload._seq
    cases = []
    for client in clients:
        ingangsdatum = days[1 + below(365)]
        key = (client.gemeente.code, client.standard)
        members = contracts[key]
        cum = cums.get(key)
        if cum is None:
            cum = cums[key] = list(itertools.accumulate(a.weight for a in members))
        aanbieder = members[bisect_right(cum, random_() * (cum[-1] + 0.0), 0, len(cum) - 1)]  # pick()
        cases.append(Case(next(seq), client, aanbieder, ingangsdatum, bits(64), True))
    return cases
