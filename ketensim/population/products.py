"""Products, their units and tariffs, and the Toewijzing that assigns one to a client.

Product categories come from ``productcategorieen.csv`` (iWmo 01–18, iJw 31–38 and 40–55) and
iWmo product codes from the national list WMO021 (``productcodes-wmo.csv``). No national iJw
product code list was found (see ``SOURCES.md``); because the 3.x declaration requires a
``ProductCode``, iJw products get codes built like the Wmo ones (category followed by ``J``
and two digits, e.g. ``45J01``). Those codes are synthetic and marked as such in
:attr:`Product.synthetic_code`.

Each category has one way of measuring the care (its :class:`UnitProfile`): which ``Eenheid``
and ``Frequentie`` a toewijzing uses, a plausible volume range and a tariff range in euro
cents. Only units and frequencies that exist in every release are used (Eenheid 01, 04, 14,
16, 82, 83; Frequentie 1, 2, 4, 6), so one toewijzing can be expressed in 2.x and in 3.x.
"""

from __future__ import annotations

import csv
import functools
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta

from ketensim._resources import data_file

__all__ = [
    "Product",
    "Omvang",
    "UnitProfile",
    "Toewijzing",
    "ToewijzingNummers",
    "categories",
    "products",
    "unit_profile",
    "new_toewijzing",
]


@dataclass(frozen=True)
class Product:
    """A product of a standard: category (``Categorie``) and code (``Code``)."""

    standard: str
    categorie: str
    code: str
    omschrijving: str
    synthetic_code: bool = False


@dataclass(frozen=True)
class Omvang:
    """The ``Omvang`` of a toewijzing: ``volume`` units of ``eenheid`` per ``frequentie``."""

    volume: int
    eenheid: str
    frequentie: str


@dataclass(frozen=True)
class UnitProfile:
    """How a product category is measured, with plausible volumes and tariffs (cents)."""

    eenheid: str
    frequentie: str
    volume: tuple[int, int]
    tarief: tuple[int, int]


_P = UnitProfile
# minute 01, hour 04, etmaal 14, dagdeel 16, stuks 82, euro 83; per day 1, week 2, month 4, total 6
# Frequentie -> (numerator, denominator) of "periods per day": per day, week, month (avg 30.4375 d)
_PER_DAY_DENOMINATOR: dict[str, tuple[int, int]] = {"1": (1, 1), "2": (1, 7), "4": (10_000, 304_375)}

_PROFILES: dict[str, UnitProfile] = {
    "01": _P("04", "2", (2, 6), (2600, 3900)),  # huishouden: hours per week
    "02": _P("04", "2", (1, 8), (5200, 7400)),  # begeleiding
    "03": _P("01", "2", (30, 300), (80, 110)),  # persoonlijke verzorging: minutes per week
    "04": _P("14", "4", (1, 8), (9000, 19000)),  # kortdurend verblijf: etmalen per month
    "05": _P("82", "4", (1, 1), (20000, 90000)),  # woondiensten: one service per month
    "06": _P("04", "4", (2, 16), (4200, 7000)),
    "07": _P("16", "2", (1, 6), (3600, 6400)),  # dagbesteding: dagdelen per week
    "08": _P("82", "2", (2, 10), (800, 2500)),  # vervoer: rides per week
    "09": _P("16", "2", (1, 4), (2000, 4000)),
    "10": _P("83", "6", (500, 5000), (100, 100)),  # maatwerk: euros in total, tariff 1 euro
    "11": _P("82", "6", (1, 1), (50000, 400000)),  # wheelchair: one piece
    "12": _P("82", "6", (1, 1), (100000, 900000)),
    "13": _P("83", "6", (1000, 30000), (100, 100)),  # home adaptation: euros
    "14": _P("82", "6", (1, 3), (5000, 80000)),
    "15": _P("14", "4", (20, 31), (9000, 18000)),  # beschermd wonen
    "16": _P("14", "4", (5, 31), (7000, 15000)),
    "17": _P("14", "6", (1, 14), (8000, 16000)),
    "18": _P("04", "2", (2, 10), (5000, 8000)),
    "31": _P("04", "2", (1, 4), (6500, 9500)),
    "32": _P("04", "2", (1, 6), (7000, 11000)),
    "33": _P("16", "2", (1, 6), (5000, 9000)),
    "34": _P("04", "2", (1, 6), (7000, 11000)),
    "35": _P("14", "4", (28, 31), (3000, 6000)),  # pleegzorg
    "36": _P("14", "4", (20, 31), (15000, 30000)),
    "37": _P("14", "4", (28, 31), (30000, 60000)),
    "38": _P("14", "4", (20, 31), (15000, 40000)),
    "40": _P("01", "2", (30, 300), (80, 120)),
    "41": _P("16", "2", (2, 8), (6000, 11000)),
    "42": _P("82", "2", (2, 10), (1000, 3000)),
    "43": _P("14", "4", (20, 31), (20000, 45000)),
    "44": _P("14", "4", (20, 31), (12000, 25000)),
    "45": _P("01", "4", (120, 1200), (110, 180)),  # ambulant: minutes per month
    "46": _P("14", "6", (1, 28), (25000, 50000)),
    "47": _P("82", "4", (1, 1), (90000, 160000)),  # jeugdreclassering: one measure per month
    "48": _P("82", "4", (1, 1), (120000, 200000)),
    "49": _P("82", "6", (1, 1), (50000, 150000)),
    "50": _P("83", "6", (1000, 20000), (100, 100)),
    "51": _P("82", "6", (1, 1), (50000, 150000)),
    "52": _P("01", "4", (60, 1200), (150, 220)),
    "53": _P("01", "4", (30, 300), (150, 220)),
    "54": _P("01", "4", (60, 1200), (150, 220)),
    "55": _P("14", "4", (20, 31), (20000, 50000)),
}


@functools.cache
def categories(standard: str) -> tuple[tuple[str, str], ...]:
    """Return ``(code, naam)`` of every product category of ``standard`` (``iwmo``/``ijw``)."""
    with open(data_file("productcategorieen.csv"), encoding="utf-8", newline="") as fh:
        rows = [(r["code"], r["naam"]) for r in csv.DictReader(fh) if r["standaard"] == standard]
    if not rows:
        raise ValueError(f"standard must be 'iwmo' or 'ijw' (got {standard!r})")
    return tuple(rows)


@functools.cache
def products(standard: str) -> dict[str, tuple[Product, ...]]:
    """Return the products of ``standard`` grouped by category code."""
    grouped: dict[str, list[Product]] = defaultdict(list)
    if standard == "iwmo":
        with open(data_file("productcodes-wmo.csv"), encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                grouped[r["categorie"]].append(Product("iwmo", r["categorie"], r["code"], r["omschrijving"]))
    for code, naam in categories(standard):
        if code not in grouped:  # every iJw category, and a Wmo category without codes
            grouped[code] = [
                Product(
                    standard, code, f"{code}J{n:02d}", f"{naam} (synthetic code {n})", synthetic_code=True
                )
                for n in range(1, 4)
            ]
    return {k: tuple(v) for k, v in sorted(grouped.items())}


def unit_profile(categorie: str) -> UnitProfile:
    """Return how products of ``categorie`` are measured."""
    try:
        return _PROFILES[categorie]
    except KeyError:
        raise ValueError(f"unknown product category {categorie!r}; known: {sorted(_PROFILES)}") from None


class ToewijzingNummers:
    """Hands out ``ToewijzingNummer`` values, unique per gemeente (rule since 3.0).

    Each gemeente's sequence starts at a random offset, as if its back office had been issuing
    numbers for years; numbers then increase by one.

    Args:
        rng: The run's random source (used once per gemeente for the offset).
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next: dict[str, int] = {}

    def next(self, gemeente: str) -> int:
        """Return the next unused toewijzingnummer of ``gemeente``."""
        current = self._next.get(gemeente)
        if current is None:
            current = self._rng.randrange(1_000, 50_000_000)
        self._next[gemeente] = current + 1
        return current


@dataclass(frozen=True)
class Toewijzing:
    """One toegewezen product: a gemeente assigns a product to a client at one aanbieder.

    Dates obey the rules the XSD cannot check: ``toewijzingsdatum <= ingangsdatum <=
    einddatum``. ``tarief`` is in euro cents per ``omvang.eenheid``.
    """

    standard: str
    gemeente: str
    agb: str
    bsn: str
    toewijzingnummer: int
    beschikkingnummer: int
    product: Product
    toewijzingsdatum: date
    toewijzingstijd: time
    ingangsdatum: date
    einddatum: date
    omvang: Omvang
    tarief: int

    def volume_through(self, day: date) -> int:
        """Units delivered from ``ingangsdatum`` through ``day`` when care follows the omvang.

        Cumulative, so the volumes of consecutive declaration periods add up exactly, and a
        'total within the period' (Frequentie 6) toewijzing delivers its volume by the end.
        """
        if day < self.ingangsdatum:
            return 0
        day = min(day, self.einddatum)
        elapsed = (day - self.ingangsdatum).days + 1
        volume, frequentie = self.omvang.volume, self.omvang.frequentie
        if frequentie == "6":  # rounded up, so the first period of a one-off product delivers it
            return -(-volume * elapsed // ((self.einddatum - self.ingangsdatum).days + 1))
        num, den = _PER_DAY_DENOMINATOR[frequentie]
        return (2 * volume * elapsed * num + den) // (2 * den)  # rounded half up

    def volume_between(self, begin: date, end: date) -> int:
        """Units delivered from ``begin`` through ``end`` (both inclusive, clipped to the toewijzing)."""
        if end < begin:
            return 0
        return self.volume_through(end) - self.volume_through(begin - timedelta(days=1))

    @property
    def budget(self) -> int:
        """Amount in cents that the whole toewijzing costs (capped to the XSD's ``Budget``)."""
        return min(99_999_999, self.volume_through(self.einddatum) * self.tarief)


def new_toewijzing(
    rng: random.Random,
    *,
    standard: str,
    gemeente: str,
    agb: str,
    bsn: str,
    nummers: ToewijzingNummers,
    ingangsdatum: date,
    categorie: str | None = None,
    allowed_categories: tuple[str, ...] = (),
) -> Toewijzing:
    """Create a toewijzing starting at ``ingangsdatum``.

    Args:
        rng: The run's random source.
        standard: ``iwmo`` or ``ijw``; products come from that standard's lists.
        gemeente: CBS code of the assigning gemeente (numbers are unique per gemeente).
        agb: AGB code of the aanbieder.
        bsn: BSN of the client.
        nummers: The run's toewijzingnummer allocator.
        ingangsdatum: First day of the assignment; the decision was taken 0–14 days earlier.
        categorie: Force a product category; otherwise one of ``allowed_categories`` (or of
            every category of the standard) is drawn.
        allowed_categories: Categories the aanbieder delivers.
    """
    by_category = products(standard)
    if categorie is None:
        categorie = rng.choice(allowed_categories or tuple(by_category))
    product = rng.choice(by_category[categorie])
    profile = unit_profile(categorie)
    omvang = Omvang(rng.randint(*profile.volume), profile.eenheid, profile.frequentie)
    tarief = rng.randint(*profile.tarief)
    toewijzingsdatum = ingangsdatum - timedelta(days=rng.randint(0, 14))
    # assignments run for 3 to 24 months; an open end would make a 'total' frequency undefined
    einddatum = ingangsdatum + timedelta(days=rng.randint(90, 730))
    return Toewijzing(
        standard=standard,
        gemeente=gemeente,
        agb=agb,
        bsn=bsn,
        toewijzingnummer=nummers.next(gemeente),
        beschikkingnummer=rng.randrange(100_000, 999_999_999),
        product=product,
        toewijzingsdatum=toewijzingsdatum,
        toewijzingstijd=time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)),
        ingangsdatum=ingangsdatum,
        einddatum=einddatum,
        omvang=omvang,
        tarief=tarief,
    )
