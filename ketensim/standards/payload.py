"""Payloads: the data of one message, independent of release and XML.

A payload says *what* a message tells (which client, which toewijzing, which dates and
amounts); the builders in :mod:`ketensim.standards.builders` decide *how* a release writes it.
One payload type serves a message number in every release: 2.x writes ``Clienten/Client+`` for
``clienten`` and 3.x writes the one ``Client`` (builders refuse a 3.x payload with more than one
client, except in the declaration). Fields a release does not have (``beschikking`` after 2.1,
``aanbieder`` per product in 3.x, ``gezagsdrager_bekend`` outside iJw 3.x) are simply not written.

Payloads are frozen dataclasses; build them with :func:`ketensim.standards.payload_factory.make_payload`
from simulation entities, or by hand in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ketensim.population.people import Adres, Naam
from ketensim.population.products import Omvang

__all__ = [
    "Header",
    "Persoon",
    "Relatie",
    "ProductRef",
    "Beschikking",
    "ToegewezenProduct",
    "ToewijzingClient",
    "ToewijzingBericht",
    "StartProduct",
    "StopProduct",
    "RegieClient",
    "StartBericht",
    "StopBericht",
    "Verwijzer",
    "AangevraagdProduct",
    "VerzoekClient",
    "VerzoekToewijzingBericht",
    "TeWijzigenProduct",
    "NieuwProduct",
    "VerzoekWijzigingBericht",
    "AntwoordBericht",
    "Prestatie",
    "DeclaratieClient",
    "DeclaratieBericht",
    "Payload",
]


@dataclass(frozen=True)
class Header:
    """Sender, receiver and identification of a heen message."""

    afzender: str  # CBS gemeentecode or AGB code, per direction
    ontvanger: str
    identificatie: str  # 1..12 characters, unique per sender
    dagtekening: date


@dataclass(frozen=True)
class Persoon:
    """The client as a message identifies it."""

    bsn: str
    geboortedatum: date
    geslacht: str
    naam: Naam


@dataclass(frozen=True)
class Relatie:
    """A person related to the client (301 ``Relatie``)."""

    nummer: str  # Persoonsid, 1..20 characters
    soort: str  # L.SoortRelatie
    geboortedatum: date | None
    geslacht: str | None
    naam: Naam
    telefoon: str | None


@dataclass(frozen=True)
class ProductRef:
    """``Product``: category and (optional in the XSD) product code."""

    categorie: str
    code: str | None


@dataclass(frozen=True)
class Beschikking:
    """The 2.1 beschikking a toewijzing rests on (dropped from the 301 in 2.2)."""

    nummer: int
    afgiftedatum: date
    ingangsdatum: date
    einddatum: date | None


@dataclass(frozen=True)
class ToegewezenProduct:
    """One assigned product (301 ``ToegewezenProduct``)."""

    toewijzingnummer: int
    referentie_aanbieder: str | None
    product: ProductRef
    aanbieder: str  # AGB code; written in 2.x only
    toewijzingsdatum: date
    toewijzingstijd: time
    ingangsdatum: date
    einddatum: date | None
    reden_wijziging: str | None
    omvang: Omvang | None
    budget: int | None = None  # 3.x only, cents
    commentaar: str | None = None  # 3.x only


@dataclass(frozen=True)
class ToewijzingClient:
    """A client in a 301 with address, one optional relation and the assigned products."""

    persoon: Persoon
    adres: Adres
    telefoon: str
    relatie: Relatie | None
    beschikking: Beschikking
    producten: tuple[ToegewezenProduct, ...]


@dataclass(frozen=True)
class ToewijzingBericht:
    """301: toewijzing (also wijziging and intrekking, through dates and ``reden_wijziging``)."""

    header: Header
    clienten: tuple[ToewijzingClient, ...]


@dataclass(frozen=True)
class StartProduct:
    """One started product (305 ``StartProduct``)."""

    toewijzingnummer: int | None
    beschikkingnummer: int | None  # 2.x only
    product: ProductRef
    toewijzing_ingangsdatum: date | None
    begindatum: date
    aanbieder: str  # 2.x only
    omvang: Omvang | None  # 2.x only
    status_aanlevering: str


@dataclass(frozen=True)
class StopProduct:
    """One stopped product (307 ``StopProduct``)."""

    toewijzingnummer: int | None
    beschikkingnummer: int | None
    product: ProductRef
    toewijzing_ingangsdatum: date | None
    begindatum: date
    aanbieder: str
    reden_beeindiging: str
    einddatum: date
    status_aanlevering: str


@dataclass(frozen=True)
class RegieClient:
    """A client in a 305 or 307; ``producten`` holds :class:`StartProduct` or :class:`StopProduct`."""

    persoon: Persoon
    status_aanlevering: str  # 2.x client level
    producten: tuple[StartProduct, ...] | tuple[StopProduct, ...]


@dataclass(frozen=True)
class StartBericht:
    """305: start zorg/ondersteuning."""

    header: Header
    clienten: tuple[RegieClient, ...]


@dataclass(frozen=True)
class StopBericht:
    """307: stop zorg/ondersteuning."""

    header: Header
    clienten: tuple[RegieClient, ...]


@dataclass(frozen=True)
class Verwijzer:
    """Who referred the client (``Verwijzer``); ``zorgverlener_code`` is 3.x only."""

    type: str
    naam: str | None
    zorgverlener_code: str | None


@dataclass(frozen=True)
class AangevraagdProduct:
    """One requested product (315 ``AangevraagdProduct``, 2.x ``Producten/Product``)."""

    referentie_aanbieder: str
    beschikkingnummer: int | None
    product: ProductRef
    beschikking_ingangsdatum: date | None
    toewijzing_ingangsdatum: date
    toewijzing_einddatum: date | None
    aanbieder: str  # 2.x only
    omvang: Omvang | None
    budget: int | None  # 3.x only
    verwijzer: Verwijzer
    raamcontract: str | None
    commentaar: str | None  # 3.x only


@dataclass(frozen=True)
class VerzoekClient:
    """A client in a 315."""

    persoon: Persoon
    gezagsdrager_bekend: str | None  # iJw only (L.JaNee)
    commentaar: str | None  # 3.x only
    producten: tuple[AangevraagdProduct, ...]


@dataclass(frozen=True)
class VerzoekToewijzingBericht:
    """315: verzoek om toewijzing (VOT)."""

    header: Header
    clienten: tuple[VerzoekClient, ...]


@dataclass(frozen=True)
class TeWijzigenProduct:
    """An existing toewijzing the aanbieder wants changed (317)."""

    toewijzingnummer: int
    gewenste_ingangsdatum: date
    einddatum: date | None
    omvang: Omvang | None
    budget: int | None


@dataclass(frozen=True)
class NieuwProduct:
    """A product the aanbieder wants added (317)."""

    product: ProductRef
    gewenste_ingangsdatum: date
    einddatum: date | None
    omvang: Omvang | None
    budget: int | None


@dataclass(frozen=True)
class VerzoekWijzigingBericht:
    """317: verzoek om wijziging (VOW); carries only the BSN of the client."""

    header: Header
    bsn: str
    referentie_aanbieder: str
    reden_verzoek: str
    ongewijzigd: tuple[int, ...]
    te_wijzigen: tuple[TeWijzigenProduct, ...]
    nieuw: tuple[NieuwProduct, ...]


@dataclass(frozen=True)
class AntwoordBericht:
    """319: the gemeente's answer on a 315/317, identified by the request's ``referentie_aanbieder``."""

    header: Header
    referentie_aanbieder: str
    verzoek_antwoord: str  # 1 rejected, 2 under investigation
    reden_afwijzing: str | None
    woonplaatsbeginsel: str | None  # iJw only: the gemeente responsible instead


@dataclass(frozen=True)
class Prestatie:
    """One declared delivery; ``bedrag = volume * tarief`` in cents, debit or credit."""

    referentienummer: str
    vorig_referentienummer: str | None
    toewijzingnummer: int
    product: ProductRef
    begindatum: date
    einddatum: date
    volume: int
    eenheid: str
    tarief: int
    bedrag: int
    debet_credit: str  # "D" or "C"


@dataclass(frozen=True)
class DeclaratieClient:
    """A client's prestaties in a declaration."""

    bsn: str
    prestaties: tuple[Prestatie, ...]
    adres: Adres | None = None  # written in a 2.1 303 only


@dataclass(frozen=True)
class DeclaratieBericht:
    """323 (3.x) or 303 (2.x, 3.0): a declaration over one period.

    ``factuur`` selects the factuur variant of a 303 (its own BerichtCode); 323 has none.
    """

    header: Header
    declaratienummer: str  # alphanumeric, 1..12
    periode_begin: date
    periode_eind: date
    clienten: tuple[DeclaratieClient, ...]
    factuur: bool = False

    @property
    def totaal(self) -> tuple[int, str]:
        """``(amount, "D"|"C")``: the sum of debits minus credits (rule TR358)."""
        net = sum(
            p.bedrag if p.debet_credit == "D" else -p.bedrag for c in self.clienten for p in c.prestaties
        )
        return (net, "D") if net >= 0 else (-net, "C")


Payload = (
    ToewijzingBericht
    | StartBericht
    | StopBericht
    | VerzoekToewijzingBericht
    | VerzoekWijzigingBericht
    | AntwoordBericht
    | DeclaratieBericht
)
"""Any heen payload."""
