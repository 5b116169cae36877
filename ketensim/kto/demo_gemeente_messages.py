"""The messages of the demo gemeente system, built with ketensim's own builders (pure functions, no I/O).

The demo gemeente (:mod:`ketensim.kto.demo_gemeente`) plays the gemeente side of a KTO rehearsal. This
module does its XML part, on top of :mod:`ketensim.kto.demo_messages` (the demo aanbieder's pieces):

* :func:`read_verzoek` reads what a 315 (verzoek om toewijzing) or 317 (verzoek om wijziging) asks;
* :func:`verzoek_case` turns a 315 into the :class:`~ketensim.kto.demo_messages.CaseData` of the
  toewijzing that grants it;
* :func:`toewijzing` builds a 301 (a new toewijzing, optionally answering a request with its
  ``ReferentieAanbieder``, or a ``wijziging``), :func:`antwoord` a 319 rejecting a request;
* :func:`payload_finding` says why a delivered payload fails its XSD (the gemeente answers ``StUF055``);
* :func:`answer_delivery` is the gemeente endpoint's answer to one delivery (Bv03, or a fault);
* :func:`retour_on_heen` builds the technical retour of a received heen in the heen's release: the
  mirrored 306/308/316/318 and, for a 323, the 325 declaratie-antwoord (fully granted).

Randomness comes only from the ``rng`` passed in.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from ketensim.exceptions import UnknownMessageType, UnsafeXML
from ketensim.kto import demo_messages as dm
from ketensim.kto import stuf
from ketensim.kto.demo_messages import CaseData, Entities, ReceivedHeen
from ketensim.kto.demo_xml import date_at, descendants, omvang_of, persoon_of, text_at
from ketensim.kto.ids import derived_uuid
from ketensim.population.products import Omvang
from ketensim.standards.builders import build, build_retour
from ketensim.standards.payload import Header, Persoon, ToewijzingBericht
from ketensim.standards.payload_factory import Mutatie, make_payload
from ketensim.standards.validation import detect, diagnose, is_valid, parse_xml

__all__ = [
    "Verzoek", "read_verzoek", "verzoek_case", "toewijzing", "antwoord", "retour_on_heen", "payload_finding",
    "AFGEWEZEN", "DeliveryAnswer", "answer_delivery",
]

AFGEWEZEN = "1"  # VerzoekAntwoord of a 319 that rejects the request


@dataclass(frozen=True)
class Verzoek:
    """What a 315 or 317 asks, as far as the gemeente needs it to answer.

    For a 315 the first ``AangevraagdProduct`` is read (ketensim's aanbieders ask one product per
    request); for a 317 the first ``TeWijzigenProduct`` (``toewijzingnummer``), and the client is only
    its BSN.
    """

    number: str  # 315 | 317
    standard: str
    aanbieder: str  # AGB code (the request's Afzender)
    gemeente: str  # CBS code (the request's Ontvanger)
    referentie: str  # ReferentieAanbieder
    bsn: str
    persoon: Persoon | None = None  # 315 only
    categorie: str | None = None  # 315 only
    code: str | None = None
    ingangsdatum: date | None = None
    einddatum: date | None = None
    omvang: Omvang | None = None
    toewijzingnummer: int | None = None  # 317 only


def _first(el: etree._Element, name: str) -> etree._Element | None:
    return next(descendants(el, name), None)


def read_verzoek(data: bytes) -> Verzoek:
    """Read a 315 or 317 payload (safely).

    Raises:
        UnsafeXML: The bytes are not safe, well-formed XML.
        UnknownMessageType: Not a message ketensim knows.
        ValueError: Not a 315/317, or it lacks its BSN or ReferentieAanbieder.
    """
    received = dm.read_heen(data)
    mt, header = received.mt, received.header
    if mt.number not in ("315", "317"):
        raise ValueError(f"{mt.code} {mt.release} is not a verzoek (315 or 317)")
    root = parse_xml(data, name="payload").getroot()
    client = _first(root, "Client")
    bsn = text_at(client, "Bsn")
    referentie_el = _first(root, "ReferentieAanbieder")
    referentie = referentie_el.text.strip() if referentie_el is not None and referentie_el.text else None
    if client is None or bsn is None or not referentie:
        raise ValueError(f"{mt.code} {mt.release}: no Client/Bsn or ReferentieAanbieder")
    common = dict(number=mt.number, standard=mt.standard, aanbieder=header.afzender, gemeente=header.ontvanger,
                  referentie=referentie, bsn=bsn)
    if mt.number == "317":
        nummer = _first(root, "ToewijzingNummer")
        text = (nummer.text or "").strip() if nummer is not None else ""
        return Verzoek(**common, toewijzingnummer=int(text) if text.isdigit() else None)
    product = _first(root, "AangevraagdProduct")
    return Verzoek(
        **common,
        persoon=persoon_of(client),
        categorie=text_at(product, "Product", "Categorie"),
        code=text_at(product, "Product", "Code"),
        ingangsdatum=date_at(product, "ToewijzingIngangsdatum"),
        einddatum=date_at(product, "ToewijzingEinddatum"),
        omvang=omvang_of(product) if product is not None else None,
    )


def verzoek_case(verzoek: Verzoek, toewijzingnummer: int, today: date) -> CaseData:
    """The toewijzing that grants 315 ``verzoek`` (its product, dates and omvang), numbered ``toewijzingnummer``.

    Raises:
        ValueError: ``verzoek`` is not a 315 with a product category.
    """
    if verzoek.number != "315" or verzoek.categorie is None:
        raise ValueError("only a 315 with an AangevraagdProduct can be granted as a new toewijzing")
    ingang = verzoek.ingangsdatum if verzoek.ingangsdatum is not None and verzoek.ingangsdatum >= today else today
    einde = verzoek.einddatum if verzoek.einddatum is not None and verzoek.einddatum >= ingang else None
    return CaseData(standard=verzoek.standard, gemeente=verzoek.gemeente, bsn=verzoek.bsn,
                    toewijzingnummer=toewijzingnummer, categorie=verzoek.categorie, code=verzoek.code,
                    ingangsdatum=ingang, einddatum=einde, omvang=verzoek.omvang, persoon=verzoek.persoon)


def _with_persoon(payload: ToewijzingBericht, ents: Entities) -> ToewijzingBericht:
    """Write the client as the aanbieder's request named it (when known)."""
    if ents.persoon is None:
        return payload
    clienten = tuple(dataclasses.replace(c, persoon=ents.persoon) for c in payload.clienten)
    return dataclasses.replace(payload, clienten=clienten)


def toewijzing(
    standard: str,
    release: str,
    ents: Entities,
    *,
    identificatie: str,
    dagtekening: date,
    rng: random.Random,
    referentie: str | None = None,
    mutatie: Mutatie = "nieuw",
) -> etree._Element:
    """A 301 for the toewijzing of ``ents``.

    Args:
        referentie: The ``ReferentieAanbieder`` of the 315/317 this 301 answers (None: on the gemeente's
            own initiative; then the product carries none).
        mutatie: ``nieuw``, ``wijziging`` (extended einddatum, reden 04) or ``intrekking`` (reden 05).
    """
    mt = dm.heen_type(standard, release, "301")
    payload = make_payload(mt, gemeente=ents.gemeente, aanbieder=ents.aanbieder, client=ents.client,
                           toewijzing=ents.toewijzing, identificatie=identificatie, dagtekening=dagtekening,
                           rng=rng, mutatie=mutatie, referentie=referentie)
    if referentie is None:  # make_payload draws a reference when omitted; an unsolicited 301 has none
        payload = dataclasses.replace(payload, clienten=tuple(
            dataclasses.replace(c, producten=tuple(dataclasses.replace(p, referentie_aanbieder=None)
                                                   for p in c.producten))
            for c in payload.clienten))
    return build(mt, _with_persoon(payload, ents))


def antwoord(
    standard: str,
    release: str,
    ents: Entities,
    *,
    referentie: str,
    identificatie: str,
    dagtekening: date,
    rng: random.Random,
    verzoek_antwoord: str = AFGEWEZEN,
) -> etree._Element:
    """A 319 antwoordbericht on the request ``referentie`` (default: rejected, with a drawn reason)."""
    mt = dm.heen_type(standard, release, "319")
    payload = make_payload(mt, gemeente=ents.gemeente, aanbieder=ents.aanbieder, client=ents.client,
                           toewijzing=ents.toewijzing, identificatie=identificatie, dagtekening=dagtekening,
                           rng=rng, referentie=referentie, verzoek_antwoord=verzoek_antwoord)
    return build(mt, payload)


@dataclass(frozen=True)
class _DeclaratieHeader:
    """The part of a 323 that :func:`build_retour` reads for a fully granted 325: header, no rejected lines."""

    header: Header
    clienten: tuple[()] = ()


def retour_on_heen(received: ReceivedHeen, *, identificatie: str, dagtekening: date) -> etree._Element:
    """The accepting retour on ``received`` in its release: 306/308/316/318 mirror it, a 323 gets a 325.

    The 325 grants the declaration in full (header code 0200-equivalent "volledig toegekend").
    """
    if received.mt.number != "323":
        return dm.retour_on(received, identificatie=identificatie, dagtekening=dagtekening)
    return build_retour(dm.retour_type(received.mt), _DeclaratieHeader(received.header),  # type: ignore[arg-type]
                        identificatie=identificatie, dagtekening=dagtekening)


def payload_finding(data: bytes) -> str | None:
    """Why ``data`` is not a valid iWmo/iJw message (unsafe, unknown, or failing its XSD); None when it is valid."""
    try:
        tree = parse_xml(data, name="payload")
        mt = detect(tree)
    except (UnsafeXML, UnknownMessageType) as err:
        return str(err)
    if is_valid(mt, tree):
        return None
    findings = diagnose(mt, tree)
    return f"{mt.code} {mt.release}: " + ("; ".join(str(f) for f in findings[:3]) or "voldoet niet aan het XSD")


@dataclass(frozen=True)
class DeliveryAnswer:
    """What the gemeente's ``OntvangAsynchroon`` endpoint answers one POST, and what it read."""

    status: int  # 200 (Bv03) or 500 (SOAP fault)
    body: bytes
    verdict: str  # "Bv03", or the code of the Fo03 (StUF055 for a payload failing its XSD, RIN001, IB009 …)
    envelope: stuf.Envelope | None  # None when the request could not be read
    reason: str = ""  # why it was refused


def answer_delivery(body: bytes, *, gemeente: stuf.Party, tijdstip: datetime,
                    attempt: Callable[[str], int] = lambda referentienummer: 1) -> DeliveryAnswer:
    """Answer one delivery to the gemeente's endpoint (a ``ggk_Di01``, ``ggk_Du01`` or ``Fo01``).

    A readable request whose payload passes its XSD (a Fo01 has none) gets a Bv03 naming it; a payload that
    fails gets a SOAP fault with Fo03 ``StUF055``; an unreadable envelope the :class:`~ketensim.kto.stuf.StufError`
    :func:`~ketensim.kto.stuf.parse_request` raised. The answer's own referentienummer is derived from the
    delivery and ``attempt(referentienummer)``, the number of this offer (no randomness: the endpoint runs in
    its own thread).
    """
    try:
        env = stuf.parse_request(body)
    except stuf.StufError as err:
        return DeliveryAnswer(500, stuf.build_fault(err, zender=gemeente, tijdstip=tijdstip), err.code, None,
                              err.toelichting)
    reference = derived_uuid(gemeente.organisatie, "antwoord", env.referentienummer, attempt(env.referentienummer))
    ontvanger = stuf.Party(env.zender_organisatie, env.zender_applicatie)
    finding = payload_finding(env.payload) if env.operation != "Fo01" else None
    if finding is not None:
        error = stuf.StufError.of("StUF055", f"{env.functie}: {finding}", "client", "/Envelope/Body//xmlBestand")
        fault = stuf.build_fault(error, cross_refnummer=env.referentienummer, zender=gemeente, ontvanger=ontvanger,
                                 referentienummer=reference, tijdstip=tijdstip)
        return DeliveryAnswer(500, fault, "StUF055", env, finding)
    bv03 = stuf.build_bv03(zender=gemeente, ontvanger=ontvanger, referentienummer=reference,
                           cross_refnummer=env.referentienummer, tijdstip=tijdstip)
    return DeliveryAnswer(200, bv03, "Bv03", env)
