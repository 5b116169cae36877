"""The messages of the demo aanbieder system, built with ketensim's own builders (pure functions, no I/O).

The demo vendor (:mod:`ketensim.kto.demo_vendor`) reads what the simulated gemeenten send it and
answers like a real aanbieder system would. This module does the XML part:

* :func:`read_heen` parses a received message: its type, its header and, for a 301, the
  toewijzingen it carries as :class:`CaseData` (one per ``ToegewezenProduct``);
* :func:`retour_on` builds the technical retour (302 on a 301, 320 on a 319 …) of a received heen
  in the heen's own release, repeating the heen's header;
* :func:`start`, :func:`stop`, :func:`declaratie` and :func:`verzoek` build the vendor's own heens
  (305, 307, 323 — or 303 in a 2.x release — and 315) from :class:`Entities`, which
  :func:`case_entities` makes from a case and :func:`new_client_entities` for a new client;
* :func:`break_payload` makes the one XSD-invalid payload the sloppy vendor sends.

Randomness comes only from the ``rng`` passed in.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lxml import etree

from ketensim.kto.demo_xml import child, children, date_at, descendants, omvang_of, persoon_of, text_at
from ketensim.population.aanbieders import Aanbieder
from ketensim.population.gemeenten import Gemeente, load_gemeenten
from ketensim.population.identifiers import new_bsn
from ketensim.population.people import Client, new_client
from ketensim.population.products import Omvang, Product, Toewijzing, ToewijzingNummers, new_toewijzing, products
from ketensim.standards.builders import build, build_retour
from ketensim.standards.catalogue import MessageType, get_catalogue
from ketensim.standards.payload import Header, Persoon, ProductRef, RegieClient, StartBericht, StopBericht
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.releases import LAW_PREFIX, RELEASES, RETOUR_OF
from ketensim.standards.validation import detect, parse_xml

__all__ = [
    "CaseData",
    "Entities",
    "ReceivedHeen",
    "IdentificatieCounter",
    "read_heen",
    "retour_type",
    "retour_on",
    "case_from_clienten_entry",
    "case_entities",
    "new_client_entities",
    "heen_type",
    "start",
    "stop",
    "declaratie",
    "verzoek",
    "break_payload",
    "to_bytes",
    "new_uuid",
    "bericht_metadata",
]

_DEMO_AANBIEDER_NAME = "Demo-aanbieder ketensim"
# the declaration changed number between 2.x (303) and 3.x (323)
_EQUIVALENT = {"303": "323", "323": "303"}
_KNOWN_FREQUENCIES = frozenset({"1", "2", "4", "6"})  # the ones Toewijzing.volume_through knows
_TWO_WEEKS = timedelta(days=14)  # a 315 asks for care starting two weeks after its dagtekening


@dataclass(frozen=True)
class CaseData:
    """One toewijzing of the vendor's caseload, as far as the vendor knows it.

    From a received 301 everything but the tariff is known; from a ``/kto/clienten`` entry only the
    BSN, gemeente, number, product and ingangsdatum (the rest is drawn by :func:`case_entities`).
    """

    standard: str  # iwmo | ijw
    gemeente: str  # CBS code
    bsn: str
    toewijzingnummer: int
    categorie: str
    code: str | None  # None: an aspecific toewijzing (category only)
    ingangsdatum: date
    einddatum: date | None = None
    omvang: Omvang | None = None
    persoon: Persoon | None = None  # the client as the gemeente wrote it in the 301
    reden_wijziging: str | None = None  # 301 only: None for a new toewijzing

    @property
    def key(self) -> tuple[str, str, int]:
        """Identity of the toewijzing: numbers are unique per gemeente and standard."""
        return (self.standard, self.gemeente, self.toewijzingnummer)


@dataclass(frozen=True)
class Entities:
    """What :func:`~ketensim.standards.payload_factory.make_payload` needs for one case."""

    gemeente: Gemeente
    aanbieder: Aanbieder
    client: Client
    toewijzing: Toewijzing
    product: ProductRef  # as the toewijzing names it (code None for an aspecific toewijzing)
    persoon: Persoon | None = None  # overrides the client's drawn name in 305/307


@dataclass(frozen=True)
class ReceivedHeen:
    """A message the vendor received: its type, header and (301) the toewijzingen it carries."""

    mt: MessageType
    header: Header
    cases: tuple[CaseData, ...] = ()


@dataclass(frozen=True)
class _HeaderOnly:
    """The part of a heen payload :func:`build_retour` reads for an accepting retour."""

    header: Header


class IdentificatieCounter:
    """BerichtIdentificatie values of one sender: ``prefix`` + 11 digits, unique per counter."""

    def __init__(self, prefix: str = "D", start: int = 1) -> None:
        if len(prefix) != 1:
            raise ValueError(f"prefix must be one character, got {prefix!r}")
        self._prefix = prefix
        self._next = start

    def next(self) -> str:
        value = f"{self._prefix}{self._next:011d}"
        if len(value) > 12:
            raise ValueError("identificatie counter exhausted (more than 11 digits)")
        self._next += 1
        return value


# --- reading -------------------------------------------------------------------------------------


def _cases_of_301(mt: MessageType, header: Header, root: etree._Element) -> tuple[CaseData, ...]:
    wrapper = child(root, "Clienten")
    clients = list(children(wrapper if wrapper is not None else root, "Client"))
    cases = []
    for client in clients:
        bsn = text_at(client, "Bsn")
        persoon = persoon_of(client)
        for product in descendants(client, "ToegewezenProduct"):
            nummer, categorie = text_at(product, "ToewijzingNummer"), text_at(product, "Product", "Categorie")
            ingang = date_at(product, "Ingangsdatum")
            if bsn is None or nummer is None or not nummer.isdigit() or categorie is None or ingang is None:
                continue  # the XSD makes these mandatory; a 2.1 product without a number cannot be followed up
            cases.append(
                CaseData(
                    standard=mt.standard,
                    gemeente=header.afzender,
                    bsn=bsn,
                    toewijzingnummer=int(nummer),
                    categorie=categorie,
                    code=text_at(product, "Product", "Code"),
                    ingangsdatum=ingang,
                    einddatum=date_at(product, "Einddatum"),
                    omvang=omvang_of(product),
                    persoon=persoon,
                    reden_wijziging=text_at(product, "RedenWijziging"),
                )
            )
    return tuple(cases)


def read_heen(data: bytes) -> ReceivedHeen:
    """Parse a received message (safely: no DTD, no entities) into its type, header and 301 cases.

    Raises:
        UnsafeXML: The bytes are not safe, well-formed XML.
        UnknownMessageType: The root's namespace is not a message ketensim knows.
        ValueError: The header lacks its sender, receiver or identification.
    """
    tree = parse_xml(data, name="payload")
    mt = detect(tree)
    root = tree.getroot()
    head = child(root, "Header")
    afzender, ontvanger = text_at(head, "Afzender"), text_at(head, "Ontvanger")
    ident = text_at(head, "BerichtIdentificatie", "Identificatie")
    dagtekening = date_at(head, "BerichtIdentificatie", "Dagtekening")
    if afzender is None or ontvanger is None or ident is None or dagtekening is None:
        raise ValueError(f"{mt.code} {mt.release}: header lacks Afzender, Ontvanger or BerichtIdentificatie")
    header = Header(afzender, ontvanger, ident, dagtekening)
    cases = _cases_of_301(mt, header, root) if mt.number == "301" else ()
    return ReceivedHeen(mt, header, cases)


# --- retours -------------------------------------------------------------------------------------


def retour_type(heen: MessageType) -> MessageType:
    """The technical retour of ``heen`` in the heen's own release (302 on a 301, 320 on a 319)."""
    if heen.role != "heen":
        raise ValueError(f"{heen.code} {heen.release} is not a heen message")
    return get_catalogue().get(heen.standard, heen.release, RETOUR_OF[heen.number])


def retour_on(received: ReceivedHeen, *, identificatie: str, dagtekening: date) -> etree._Element:
    """The accepting retour on ``received``: the heen's header (its BerichtIdentificatie too) plus ours."""
    return build_retour(
        retour_type(received.mt), _HeaderOnly(received.header), identificatie=identificatie, dagtekening=dagtekening
    )


# --- entities ------------------------------------------------------------------------------------


def case_from_clienten_entry(entry: Mapping[str, Any]) -> CaseData:
    """A case from one entry of ``GET /kto/clienten``.

    Raises:
        ValueError: A field is missing or malformed.
    """
    try:
        product = entry["product"]
        return CaseData(
            standard=str(entry["standaard"]),
            gemeente=str(entry["gemeente"]),
            bsn=str(entry["bsn"]),
            toewijzingnummer=int(entry["toewijzingnummer"]),
            categorie=str(product["categorie"]),
            code=str(product["code"]) if product.get("code") else None,
            ingangsdatum=date.fromisoformat(str(entry["ingangsdatum"])),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"malformed /kto/clienten entry {dict(entry)!r}: {err}") from None


def _gemeente(code: str, year: int) -> Gemeente:
    found = next((g for g in load_gemeenten(year) if g.code == code), None)
    return found if found is not None else Gemeente(code, f"Gemeente {code}", 0, "", None)


def _aanbieder(agb: str, standard: str, categorie: str) -> Aanbieder:
    return Aanbieder(agb, _DEMO_AANBIEDER_NAME, frozenset({standard}), {standard: (categorie,)}, 1.0)


def _toewijzing(rng: random.Random, case: CaseData, agb: str, peildatum: date) -> Toewijzing:
    """A toewijzing with the case's known facts; the unknown ones (tariff, and more for a clienten entry) drawn."""
    by_category = products(case.standard)
    known_category = case.categorie in by_category
    drawn = new_toewijzing(
        rng,
        standard=case.standard,
        gemeente=case.gemeente,
        agb=agb,
        bsn=case.bsn,
        nummers=ToewijzingNummers(rng),
        ingangsdatum=case.ingangsdatum,
        categorie=case.categorie if known_category else None,
    )
    if case.code is not None:
        product = Product(case.standard, case.categorie, case.code, "")
    elif known_category:  # an aspecific toewijzing is declared under one of its category's codes
        product = rng.choice(by_category[case.categorie])
    else:
        product = dataclasses.replace(drawn.product, categorie=case.categorie)
    einddatum = case.einddatum
    if einddatum is None or einddatum < case.ingangsdatum:
        # a caseload entry without an end: keep it running well past the rehearsal
        einddatum = max(drawn.einddatum, peildatum + (drawn.einddatum - drawn.ingangsdatum))
    omvang = case.omvang if case.omvang is not None and case.omvang.frequentie in _KNOWN_FREQUENCIES else drawn.omvang
    return dataclasses.replace(
        drawn,
        toewijzingnummer=case.toewijzingnummer,
        product=product,
        toewijzingsdatum=min(drawn.toewijzingsdatum, case.ingangsdatum),
        einddatum=einddatum,
        omvang=omvang,
    )


def case_entities(case: CaseData, agb: str, rng: random.Random, peildatum: date) -> Entities:
    """Gemeente, aanbieder, client and toewijzing for ``case``, what is unknown drawn from ``rng``.

    Args:
        case: The case.
        agb: The vendor's AGB code.
        rng: The vendor's random source.
        peildatum: Today in the simulation (the birth date of an unknown client is drawn against it).
    """
    gemeente = _gemeente(case.gemeente, peildatum.year)
    drawn = new_client(rng, bsn=case.bsn, standard=case.standard, gemeente=gemeente, peildatum=peildatum)
    if case.persoon is not None:
        drawn = Client(case.bsn, case.standard, gemeente, case.persoon.geboortedatum, case.persoon.geslacht, drawn.seed)
    return Entities(
        gemeente=gemeente,
        aanbieder=_aanbieder(agb, case.standard, case.categorie),
        client=drawn,
        toewijzing=_toewijzing(rng, case, agb, peildatum),
        product=ProductRef(case.categorie, case.code),
        persoon=case.persoon,
    )


def new_client_entities(
    rng: random.Random,
    *,
    standard: str,
    gemeente: str,
    agb: str,
    dagtekening: date,
    categorie: str | None = None,
) -> Entities:
    """A new client (a fresh 11-proof BSN) and the toewijzing a 315 asks for, starting in two weeks."""
    g = _gemeente(gemeente, dagtekening.year)
    client = new_client(rng, bsn=new_bsn(rng), standard=standard, gemeente=g, peildatum=dagtekening)
    if categorie is not None and categorie not in products(standard):
        categorie = None
    t = new_toewijzing(
        rng,
        standard=standard,
        gemeente=gemeente,
        agb=agb,
        bsn=client.bsn,
        nummers=ToewijzingNummers(rng),
        ingangsdatum=dagtekening + _TWO_WEEKS,
        categorie=categorie,
    )
    return Entities(g, _aanbieder(agb, standard, t.product.categorie), client, t,
                    ProductRef(t.product.categorie, t.product.code))


# --- heens ---------------------------------------------------------------------------------------


def heen_type(standard: str, release: str, number: str) -> MessageType:
    """The message type of heen ``number`` in ``release``; a 323 becomes a 303 in a 2.x release."""
    if number not in RELEASES[release].numbers and _EQUIVALENT.get(number) in RELEASES[release].numbers:
        number = _EQUIVALENT[number]
    return get_catalogue().get(standard, release, number)


def _payload(mt: MessageType, ents: Entities, identificatie: str, dagtekening: date, rng: random.Random) -> Any:
    return make_payload(
        mt,
        gemeente=ents.gemeente,
        aanbieder=ents.aanbieder,
        client=ents.client,
        toewijzing=ents.toewijzing,
        identificatie=identificatie,
        dagtekening=dagtekening,
        rng=rng,
    )


def _as_known(payload: StartBericht | StopBericht, ents: Entities) -> StartBericht | StopBericht:
    """Write the client and product as the gemeente's 301 named them (name, aspecific product)."""
    clienten = []
    for c in payload.clienten:
        persoon = ents.persoon if ents.persoon is not None else c.persoon
        producten = tuple(dataclasses.replace(p, product=ents.product) for p in c.producten)
        clienten.append(RegieClient(persoon, c.status_aanlevering, producten))  # type: ignore[arg-type]
    return dataclasses.replace(payload, clienten=tuple(clienten))


def start(
    standard: str, release: str, ents: Entities, *, identificatie: str, dagtekening: date, rng: random.Random
) -> etree._Element:
    """A 305 start zorg for the case of ``ents`` (Begindatum within its first week, not after today)."""
    mt = heen_type(standard, release, "305")
    return build(mt, _as_known(_payload(mt, ents, identificatie, dagtekening, rng), ents))


def stop(
    standard: str, release: str, ents: Entities, *, identificatie: str, dagtekening: date, rng: random.Random
) -> etree._Element:
    """A 307 stop zorg for the case of ``ents``, ending today (or at the toewijzing's end if earlier)."""
    mt = heen_type(standard, release, "307")
    return build(mt, _as_known(_payload(mt, ents, identificatie, dagtekening, rng), ents))


def declaratie(
    standard: str, release: str, ents: Entities, *, identificatie: str, dagtekening: date, rng: random.Random
) -> etree._Element:
    """A 323 (303 in 2.x) over the latest closed month in which the case delivered care."""
    mt = heen_type(standard, release, "323")
    return build(mt, _payload(mt, ents, identificatie, dagtekening, rng))


def verzoek(
    standard: str, release: str, ents: Entities, *, identificatie: str, dagtekening: date, rng: random.Random
) -> etree._Element:
    """A 315 verzoek om toewijzing for the client of ``ents`` (see :func:`new_client_entities`)."""
    mt = heen_type(standard, release, "315")
    return build(mt, _payload(mt, ents, identificatie, dagtekening, rng))


def break_payload(element: etree._Element) -> etree._Element:
    """A copy of a client message without its first ``Bsn``, a mandatory element: it fails the XSD.

    Raises:
        ValueError: The message has no ``Bsn`` (not a client message).
    """
    broken = etree.fromstring(etree.tostring(element))
    bsn = next(descendants(broken, "Bsn"), None)
    if bsn is None:
        raise ValueError("the message has no Bsn element to remove")
    bsn.getparent().remove(bsn)
    return broken


# --- transport -----------------------------------------------------------------------------------


def to_bytes(element: etree._Element) -> bytes:
    """The payload as sent: UTF-8 with an XML declaration, no BOM."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (traceer- and conversatie-IDs)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def bericht_metadata(
    mt: MessageType,
    *,
    afzender: str,
    geadresseerde: str,
    conversatie_id: str,
    traceer_id: str,
    als_antwoord_op: str = "",
) -> dict[str, Any]:
    """The ``berichtMetadata`` part of ``POST /berichten`` for a message of type ``mt``."""
    return {
        "routering": {
            "afzender": {"rol": "aanbieder", "code": afzender},
            "geadresseerden": [{"rol": "gemeente", "code": geadresseerde}],
            "berichtstroom": {
                "berichttype": LAW_PREFIX[mt.standard],
                "berichtsubtype": mt.code,
                "berichtversie": mt.bericht_versie,
                "berichtsubversie": mt.bericht_subversie,
                "actie": "",
            },
        },
        "referentie": {
            "conversatieId": conversatie_id,
            "traceerId": traceer_id,
            "alsAntwoordOp": als_antwoord_op,
            "referentieId": "",
        },
    }
