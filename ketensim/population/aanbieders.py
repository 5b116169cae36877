"""Aanbieders: the care providers, each with a unique AGB code and a size.

No national count of AGB codes active in the traffic was found (domain facts §5.2); the
number of aanbieders is therefore a scenario parameter. Sizes follow a Pareto law: a few
large providers carry much of the caseload and many small ones carry little, as the growth
to thousands of small jeugdhulp providers after 2015 suggests. An aanbieder delivers under
iWmo, iJw or both, in a handful of product categories.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from faker import Faker

from ketensim.population.sampling import pick
from ketensim.population.identifiers import unique_agb_codes
from ketensim.population.people import shared_faker
from ketensim.population.products import categories

__all__ = ["Aanbieder", "new_aanbieders", "AanbiederSampler"]


@dataclass(frozen=True)
class Aanbieder:
    """A zorgaanbieder.

    Attributes:
        agb: Unique eight-digit AGB code (its routing key at VECOZO).
        naam: Organisation name (at most 35 characters, ``L.Organisatienaam``).
        standards: Standards it delivers under (``iwmo``, ``ijw``).
        categorieen: Product categories it delivers, per standard.
        weight: Relative size, used when a client is assigned an aanbieder.
    """

    agb: str
    naam: str
    standards: frozenset[str]
    categorieen: dict[str, tuple[str, ...]]
    weight: float

    def __hash__(self) -> int:  # the dict field is not hashable; the AGB code is the identity
        return hash(self.agb)


_FORMS = {
    "iwmo": ("Thuiszorg", "Zorggroep", "Stichting Welzijn", "Dagbesteding", "Thuishulp", "Zorgcentrum"),
    "ijw": ("Jeugdhulp", "Stichting Jeugdzorg", "Kindertherapie", "Gezinsbegeleiding", "Jeugd-GGZ"),
    "both": ("Zorgpartners", "Stichting Zorg en Welzijn", "Zorgcoöperatie"),
}


def _name(fake: Faker, kind: str, rng: random.Random) -> str:
    form = rng.choice(_FORMS[kind])
    place = fake.city() if rng.random() < 0.6 else fake.last_name()
    name = f"{form} {place}"
    return name if len(name) <= 35 else name[:35].rstrip()


def new_aanbieders(
    rng: random.Random, count: int, *, jeugd_share: float = 0.4, both_share: float = 0.15
) -> list[Aanbieder]:
    """Create ``count`` aanbieders with distinct AGB codes.

    Args:
        rng: The run's random source.
        count: Number of aanbieders.
        jeugd_share: Share delivering only under iJw.
        both_share: Share delivering under both laws; the rest deliver only under iWmo.
    """
    fake = shared_faker()
    fake.seed_instance(rng.getrandbits(64))
    wmo_cats = [c for c, _ in categories("iwmo")]
    jw_cats = [c for c, _ in categories("ijw") if c >= "40"]  # the 2015 categories 31-38 are legacy
    result = []
    for agb in unique_agb_codes(rng, count):
        r = rng.random()
        kind = "ijw" if r < jeugd_share else ("both" if r < jeugd_share + both_share else "iwmo")
        standards = frozenset({"iwmo", "ijw"} if kind == "both" else {kind})
        cats: dict[str, tuple[str, ...]] = {}
        if "iwmo" in standards:
            cats["iwmo"] = tuple(sorted(rng.sample(wmo_cats, rng.randint(1, 4))))
        if "ijw" in standards:
            cats["ijw"] = tuple(sorted(rng.sample(jw_cats, rng.randint(1, 4))))
        result.append(Aanbieder(agb, _name(fake, kind, rng), standards, cats, rng.paretovariate(1.16)))
    return result


class AanbiederSampler:
    """Draws an aanbieder for a client of one standard, weighted by aanbieder size."""

    def __init__(self, aanbieders: Sequence[Aanbieder]) -> None:
        self._by_standard: dict[str, tuple[tuple[Aanbieder, ...], list[float]]] = {}
        for standard in ("iwmo", "ijw"):
            members = tuple(a for a in aanbieders if standard in a.standards)
            self._by_standard[standard] = (members, list(itertools.accumulate(a.weight for a in members)))

    def one(self, rng: random.Random, standard: str) -> Aanbieder:
        """Draw one aanbieder that delivers under ``standard``."""
        members, cum = self._by_standard[standard]
        if not members:
            raise ValueError(f"no aanbieder delivers under {standard!r}")
        return pick(rng, members, cum)
