"""The synthetic population of one run: gemeenten, aanbieders and clients.

Everything is drawn from the one :class:`random.Random` the run hands in, in a fixed order,
so the same seed and parameters give the same population on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from ketensim.population.aanbieders import Aanbieder, AanbiederSampler, new_aanbieders
from ketensim.population.gemeenten import Gemeente, GemeenteSampler, load_gemeenten
from ketensim.population.identifiers import unique_bsns
from ketensim.population.people import Client, new_client
from ketensim.population.products import Toewijzing, ToewijzingNummers, new_toewijzing

__all__ = ["Population", "build_population"]


@dataclass(frozen=True)
class Population:
    """Gemeenten, aanbieders and clients of one run, with weighted samplers.

    Attributes:
        year: Scenario year (selects the gemeente list).
        peildatum: Reference date for ages.
        gemeenten: Every gemeente of the year's list.
        aanbieders: The aanbieders.
        clients: The clients, each belonging to one gemeente and one standard.
    """

    year: int
    peildatum: date
    gemeenten: tuple[Gemeente, ...]
    aanbieders: tuple[Aanbieder, ...]
    clients: tuple[Client, ...]
    gemeente_sampler: GemeenteSampler = field(repr=False, compare=False)
    aanbieder_sampler: AanbiederSampler = field(repr=False, compare=False)
    nummers: ToewijzingNummers = field(repr=False, compare=False)

    def sample_gemeente(self, rng: random.Random) -> Gemeente:
        """Draw a gemeente weighted by inhabitants."""
        return self.gemeente_sampler.one(rng)

    def sample_aanbieder(self, rng: random.Random, standard: str) -> Aanbieder:
        """Draw an aanbieder delivering under ``standard``, weighted by size."""
        return self.aanbieder_sampler.one(rng, standard)

    def new_toewijzing(
        self, rng: random.Random, client: Client, aanbieder: Aanbieder, ingangsdatum: date
    ) -> Toewijzing:
        """Assign ``client`` a product of ``aanbieder`` from ``ingangsdatum`` (unique number per gemeente)."""
        return new_toewijzing(
            rng,
            standard=client.standard,
            gemeente=client.gemeente.code,
            agb=aanbieder.agb,
            bsn=client.bsn,
            nummers=self.nummers,
            ingangsdatum=ingangsdatum,
            allowed_categories=aanbieder.categorieen.get(client.standard, ()),
        )


def build_population(
    rng: random.Random,
    *,
    year: int,
    n_clients: int,
    n_aanbieders: int,
    jeugd_share: float = 0.35,
    gemeenten: tuple[str, ...] | None = None,
    peildatum: date | None = None,
) -> Population:
    """Draw the population of one run.

    Args:
        rng: The run's random source; the only randomness used.
        year: Scenario year; the gemeente list of the nearest year is used.
        n_clients: Number of clients.
        n_aanbieders: Number of aanbieders.
        jeugd_share: Share of clients under iJw (the rest under iWmo). The default follows the
            ratio of about 0.45 million jeugdigen with jeugdhulp to 1.1 million Wmo clients.
        gemeenten: Restrict to these CBS codes (all of the year's list if ``None``).
        peildatum: Reference date for ages (1 January of ``year`` by default).

    Raises:
        ValueError: If a count is negative, a share is outside [0, 1] or a gemeente code is unknown.
    """
    if n_clients < 0 or n_aanbieders < 1:
        raise ValueError(f"n_clients ({n_clients}) must be >= 0 and n_aanbieders ({n_aanbieders}) >= 1")
    if not 0.0 <= jeugd_share <= 1.0:
        raise ValueError(f"jeugd_share must be between 0 and 1 (got {jeugd_share})")
    peildatum = peildatum or date(year, 1, 1)
    all_gemeenten = load_gemeenten(year)
    if gemeenten is not None:
        wanted = set(gemeenten)
        chosen = tuple(g for g in all_gemeenten if g.code in wanted)
        missing = wanted - {g.code for g in chosen}
        if missing:
            raise ValueError(f"unknown gemeente codes for {year}: {sorted(missing)}")
        all_gemeenten = chosen
    aanbieders = tuple(new_aanbieders(rng, n_aanbieders))
    if not any("ijw" in a.standards for a in aanbieders) or not any(
        "iwmo" in a.standards for a in aanbieders
    ):
        # a tiny run could draw providers of one law only; make the first one serve both
        first = aanbieders[0]
        both = new_aanbieders(random.Random(rng.getrandbits(64)), 1, jeugd_share=0.0, both_share=1.0)[0]
        aanbieders = (
            Aanbieder(first.agb, both.naam, both.standards, both.categorieen, first.weight),
            *aanbieders[1:],
        )
    sampler = GemeenteSampler(all_gemeenten)
    homes = sampler.sample(rng, n_clients)
    bsns = unique_bsns(rng, n_clients)
    jeugd = [rng.random() < jeugd_share for _ in range(n_clients)]
    clients = tuple(
        new_client(rng, bsn=bsn, standard="ijw" if j else "iwmo", gemeente=g, peildatum=peildatum)
        for bsn, g, j in zip(bsns, homes, jeugd, strict=True)
    )
    return Population(
        year=year,
        peildatum=peildatum,
        gemeenten=all_gemeenten,
        aanbieders=aanbieders,
        clients=clients,
        gemeente_sampler=sampler,
        aanbieder_sampler=AanbiederSampler(aanbieders),
        nummers=ToewijzingNummers(rng),
    )
