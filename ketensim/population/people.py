"""Clients: a cheap identity drawn from the run's random source, and lazy personal details.

A national run has hundreds of thousands of clients, but most of them only ever appear as a
BSN in a counter. So a :class:`Client` holds what every message needs and costs a handful of
random draws (BSN, gemeente, birth date, gender), plus a ``seed``. Names and an address are
built from that seed with Faker (``nl_NL``) the first time :attr:`Client.details` is read:
deterministic, independent of the order in which clients are looked at, and paid for only by
clients that reach a message that carries them.

Values obey the standard where the XSD is silent or loose: ``Voorletters`` are ASCII letters
only (the 2.x pattern admits no accents after the first letter), ``Straatnaam`` fits its 24
characters, the postcode is a real Dutch shape, and a partner name exists exactly when the
naamgebruik refers to one.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker
from faker.providers.person.nl_NL import Provider as _NlPersons

from ketensim.population.gemeenten import Gemeente
from ketensim.population.identifiers import new_postcode

__all__ = ["Naam", "Adres", "ClientDetails", "Client", "new_client", "details_for"]


@dataclass(frozen=True)
class Naam:
    """A full Dutch name (``VolledigeNaam``); ``naamgebruik`` follows the standard's 1–4."""

    voornamen: str
    voorletters: str
    voorvoegsel: str | None
    achternaam: str
    partner_voorvoegsel: str | None
    partnernaam: str | None
    naamgebruik: str


@dataclass(frozen=True)
class Adres:
    """A Dutch address (``Adres``)."""

    straat: str
    huisnummer: int
    huisletter: str | None
    toevoeging: str | None
    postcode: str
    plaats: str


@dataclass(frozen=True)
class ClientDetails:
    """The personal details of a client, built lazily (see the module docstring).

    ``relatie`` is the one related person the toewijzing names: a parent for a jeugdige, the
    partner (if any) for a Wmo client.
    """

    naam: Naam
    adres: Adres
    telefoon: str
    relatie_soort: str | None
    relatie_naam: Naam | None
    relatie_geboortedatum: date | None
    relatie_geslacht: str | None


@dataclass(frozen=True, slots=True)
class Client:
    """A client of one gemeente under one standard (``iwmo`` or ``ijw``).

    Attributes:
        bsn: Burgerservicenummer, valid under the 11-proof.
        standard: ``iwmo`` (Wmo-ondersteuning) or ``ijw`` (jeugdhulp).
        gemeente: The gemeente responsible for the client.
        geboortedatum: Date of birth.
        geslacht: ``L.Geslacht``: ``1`` male, ``2`` female, ``0`` unknown.
        seed: Seed of the client's personal details.

    Slots, not a ``__dict__``: a national population holds one and a half million clients, and a
    dict each was two thirds of their memory.
    """

    bsn: str
    standard: str
    gemeente: Gemeente
    geboortedatum: date
    geslacht: str
    seed: int
    _details: ClientDetails | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def details(self) -> ClientDetails:
        """Names, address and related person; built on first use, always the same per seed."""
        details = self._details
        if details is None:
            details = details_for(self)
            _SET_DETAILS(self, details)
        return details


_new_object = object.__new__
_SET_DETAILS = Client._details.__set__  # type: ignore[attr-defined]
# a slot's own setter: what Client(...) ends in, without the frozen dataclass's checked setattr per field
_SETTERS = tuple(getattr(Client, name).__set__ for name in ("bsn", "standard", "gemeente", "geboortedatum",
                                                            "geslacht", "seed", "_details"))


def new_client(rng: random.Random, *, bsn: str, standard: str, gemeente: Gemeente, peildatum: date) -> Client:
    """Draw the cheap identity of one client.

    Ages follow the caseload of each law: Wmo clients are adults and mostly elderly, jeugdigen
    are 0–17 years old on ``peildatum``.
    """
    if standard == "ijw":
        age_days = 30 + int(rng.random() * (18 * 365 - 30))
    else:
        # a triangular shape with its mode at 80 years matches a Wmo caseload dominated by the elderly
        age_days = int(rng.triangular(18, 100, 80) * 365.25)
    r = rng.random()
    geslacht = "0" if r < 0.004 else ("1" if r < 0.48 else "2")
    client = _new_object(Client)
    set_bsn, set_standard, set_gemeente, set_geboortedatum, set_geslacht, set_seed, set_details = _SETTERS
    set_bsn(client, bsn)
    set_standard(client, standard)
    set_gemeente(client, gemeente)
    set_geboortedatum(client, date.fromordinal(peildatum.toordinal() - age_days))
    set_geslacht(client, geslacht)
    set_seed(client, rng.getrandbits(64))
    set_details(client, None)
    return client


# Faker's nl_NL surname list also holds medieval nobility ("Aelftrud van Wessex") and inverted
# forms ("Bourgondië, van"). Keep names that are an optional lower-case voorvoegsel followed
# by one (possibly hyphenated) word, and split them into the two fields the standard has.
@functools.cache
def _surnames() -> tuple[tuple[str | None, str], ...]:
    result = []
    for name in dict.fromkeys(_NlPersons.last_names):
        if "," in name:
            continue
        words = name.split()
        prefix = [w for w in words[:-1] if w[0].islower() or w[0] == "'"]
        if len(prefix) != len(words) - 1 or len(words[-1]) < 2 or not words[-1][0].isupper():
            continue
        voorvoegsel = " ".join(prefix) or None
        if voorvoegsel is not None and len(voorvoegsel) > 10:
            continue
        result.append((voorvoegsel, words[-1]))
    return tuple(result)


@functools.cache
def _first_names() -> dict[str, tuple[str, ...]]:
    male = tuple(dict.fromkeys(n for n in _NlPersons.first_names_male if " " not in n))
    female = tuple(dict.fromkeys(n for n in _NlPersons.first_names_female if " " not in n))
    return {"1": male, "2": female, "0": male + female}


@functools.cache
def shared_faker() -> Faker:
    """The process's one ``nl_NL`` Faker; callers re-seed it before every use.

    Creating a Faker costs about 0.3 s, so it is made once; because every use starts with
    ``seed_instance``, what it produces depends only on that seed, never on earlier calls.
    """
    return Faker("nl_NL")


def _ascii_initial(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name[0]).encode("ascii", "ignore").decode()
    return folded.upper() if folded.isalpha() else "X"


def _naam(
    rng: random.Random, geslacht: str, *, adult: bool, surname: tuple[str | None, str] | None = None
) -> Naam:
    firsts = _first_names()[geslacht]
    count = 1 if rng.random() < 0.55 else (2 if rng.random() < 0.8 else 3)
    voornamen = [rng.choice(firsts) for _ in range(count)]
    voorvoegsel, achternaam = surname or rng.choice(_surnames())
    partner_voorvoegsel = partnernaam = None
    naamgebruik = "1"
    if adult and rng.random() < 0.45:
        partner_voorvoegsel, partnernaam = rng.choice(_surnames())
        naamgebruik = rng.choices(("1", "2", "3", "4"), weights=(60, 15, 10, 15))[0]
    return Naam(
        voornamen=" ".join(voornamen),
        voorletters="".join(_ascii_initial(v) for v in voornamen)[:6],
        voorvoegsel=voorvoegsel,
        achternaam=achternaam,
        partner_voorvoegsel=partner_voorvoegsel,
        partnernaam=partnernaam,
        naamgebruik=naamgebruik,
    )


def _street(fake: Faker) -> str:
    for _ in range(5):
        street = fake.street_name()
        if len(street) <= 24:
            return street
    return street[:24].rstrip()


def details_for(client: Client) -> ClientDetails:
    """Build the personal details of ``client`` from its seed (see :attr:`Client.details`)."""
    fake = shared_faker()
    fake.seed_instance(client.seed)
    rng: random.Random = fake.random
    adult = client.standard != "ijw"
    naam = _naam(rng, client.geslacht, adult=adult)
    r = rng.random()
    adres = Adres(
        straat=_street(fake),
        huisnummer=int(rng.paretovariate(1.2)) if r < 0.7 else rng.randint(1, 250),
        huisletter=rng.choice("ABCD") if r > 0.95 else None,
        toevoeging=rng.choice(("1", "2", "3", "HS", "bis")) if 0.9 < r <= 0.95 else None,
        postcode=new_postcode(rng),
        plaats=client.gemeente.naam,
    )
    if adres.huisnummer > 99999:
        adres = Adres(
            adres.straat,
            rng.randint(1, 250),
            adres.huisletter,
            adres.toevoeging,
            adres.postcode,
            adres.plaats,
        )
    telefoon = "06" + "".join(rng.choice("0123456789") for _ in range(8))
    relatie_soort = relatie_naam = relatie_geboortedatum = relatie_geslacht = None
    if not adult:
        # a jeugdige's toewijzing names a parent, who shares the child's surname
        relatie_soort, relatie_geslacht = "10", rng.choice(("1", "2"))
        relatie_naam = _naam(rng, relatie_geslacht, adult=False, surname=(naam.voorvoegsel, naam.achternaam))
        relatie_geboortedatum = client.geboortedatum - timedelta(days=rng.randint(20 * 365, 45 * 365))
    elif naam.partnernaam is not None:
        relatie_soort, relatie_geslacht = "12", rng.choice(("1", "2"))
        relatie_naam = _naam(
            rng, relatie_geslacht, adult=False, surname=(naam.partner_voorvoegsel, naam.partnernaam)
        )
        relatie_geboortedatum = client.geboortedatum + timedelta(days=rng.randint(-3000, 3000))
    return ClientDetails(
        naam, adres, telefoon, relatie_soort, relatie_naam, relatie_geboortedatum, relatie_geslacht
    )
