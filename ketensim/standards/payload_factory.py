"""Build payloads from simulation entities (gemeente, aanbieder, client, toewijzing).

:func:`make_payload` returns the payload of any heen message type, filled so that it obeys
the rules an XSD cannot check: dates in order (a start or stop lies within the toewijzing, an
end date is not before its begin), the client's 11-proof BSN, one consistent ``Omvang`` unit
per product, declared amounts equal to volume x tariff, totals equal to debits minus credits,
and dates in a request later than its dagtekening. Randomness comes only from the ``rng``
passed in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from ketensim.population.aanbieders import Aanbieder
from ketensim.population.gemeenten import Gemeente
from ketensim.population.people import Client
from ketensim.population.products import Omvang, Toewijzing, products
from ketensim.standards.catalogue import MessageType
from ketensim.standards.payload import (
    AangevraagdProduct,
    AntwoordBericht,
    Beschikking,
    DeclaratieBericht,
    DeclaratieClient,
    Header,
    NieuwProduct,
    Payload,
    Persoon,
    Prestatie,
    ProductRef,
    RegieClient,
    Relatie,
    StartBericht,
    StartProduct,
    StopBericht,
    StopProduct,
    TeWijzigenProduct,
    ToegewezenProduct,
    ToewijzingBericht,
    ToewijzingClient,
    Verwijzer,
    VerzoekClient,
    VerzoekToewijzingBericht,
    VerzoekWijzigingBericht,
)

__all__ = ["make_payload", "declaratie_payload", "Mutatie", "new_referentie"]

Mutatie = Literal["nieuw", "wijziging", "intrekking"]

# stop reasons that mean an ordinary end in every release of the standard (their codes differ)
_REDEN_BEEINDIGING = {
    ("iwmo", "2"): ("19", "20", "31"),
    ("iwmo", "3"): ("19", "21", "22", "23", "31", "37", "38"),
    ("ijw", "2"): ("31", "32", "33", "34", "35"),
    ("ijw", "3"): ("31", "32", "33", "34", "35"),
}
# 2.x TypeVerwijzer has 01-08, 3.x drops 07; these exist in both
_VERWIJZER = {"iwmo": ("01", "01", "06", "02"), "ijw": ("01", "02", "02", "03", "04")}
_ARTS = {"03": "Jeugdarts", "04": "Medisch specialist", "05": "Gecertificeerde instelling"}
# the 323 declares care from 2021 on (rule CS100); earlier care went in the legacy 303
FIRST_323_DAY = date(2021, 1, 1)


def _verwijzer(vtype: str, gemeente: Gemeente, rng: random.Random) -> Verwijzer:
    """A verwijzer as the rules want it (CD066-CD068): a huisarts (02) by AGB code only, the other
    doctors (03-05) by name only, anyone else (gemeente 01, self-referral 06) by neither."""
    if vtype == "02":
        return Verwijzer(vtype, None, f"{rng.randrange(1_000_000, 100_000_000):08d}")
    if vtype in ("03", "04", "05"):
        return Verwijzer(vtype, f"{_ARTS[vtype]} {gemeente.naam}"[:64], None)
    return Verwijzer(vtype, None, None)


def new_referentie(rng: random.Random, prefix: str = "R") -> str:
    """A fresh reference (ReferentieAanbieder, ReferentieNummer): ``prefix`` + 16 hex digits."""
    return f"{prefix}{rng.getrandbits(64):016X}"


def _header(
    mt: MessageType, gemeente: Gemeente, aanbieder: Aanbieder, identificatie: str, dagtekening: date
) -> Header:
    if mt.direction == "G2A":
        return Header(gemeente.code, aanbieder.agb, identificatie, dagtekening)
    return Header(aanbieder.agb, gemeente.code, identificatie, dagtekening)


def _persoon(client: Client) -> Persoon:
    return Persoon(client.bsn, client.geboortedatum, client.geslacht, client.details.naam)


def _product(t: Toewijzing) -> ProductRef:
    return ProductRef(t.product.categorie, t.product.code)


def _toewijzing(
    client: Client,
    t: Toewijzing,
    dagtekening: date,
    mutatie: Mutatie,
    referentie: str | None,
    rng: random.Random,
) -> ToewijzingClient:
    einddatum, reden = t.einddatum, None
    if mutatie == "wijziging":  # extension of the period (verlenging)
        einddatum, reden = t.einddatum + timedelta(days=rng.randint(90, 365)), "04"
    elif mutatie == "intrekking":  # shortened to the day of the decision, never before the start
        einddatum, reden = max(t.ingangsdatum, min(dagtekening, t.einddatum)), "05"
    toegewezen = ToegewezenProduct(
        toewijzingnummer=t.toewijzingnummer,
        referentie_aanbieder=referentie,
        product=_product(t),
        aanbieder=t.agb,
        toewijzingsdatum=min(t.toewijzingsdatum, dagtekening),
        toewijzingstijd=t.toewijzingstijd,
        ingangsdatum=t.ingangsdatum,
        einddatum=einddatum,
        reden_wijziging=reden,
        omvang=t.omvang,
    )
    d = client.details
    relatie = None
    if d.relatie_naam is not None and d.relatie_soort is not None:
        relatie = Relatie(
            f"P{client.seed % 10**12:012d}",
            d.relatie_soort,
            d.relatie_geboortedatum,
            d.relatie_geslacht,
            d.relatie_naam,
            d.telefoon,
        )
    beschikking = Beschikking(t.beschikkingnummer, toegewezen.toewijzingsdatum, t.ingangsdatum, einddatum)
    return ToewijzingClient(_persoon(client), d.adres, d.telefoon, relatie, beschikking, (toegewezen,))


def _begindatum(t: Toewijzing, dagtekening: date, rng: random.Random) -> date:
    """Actual start of care: within the first week of the toewijzing, not after the message (TR134).

    A start reported before the toewijzing's ingangsdatum (the chain lets an aanbieder report a
    start as soon as it reads the toewijzing) is dated on the message's day.
    """
    start = t.ingangsdatum + timedelta(days=rng.randint(0, 7))
    return min(max(t.ingangsdatum, min(start, t.einddatum)), dagtekening)


def _month_before(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def declaratie_payload(
    header: Header,
    periode: tuple[date, date],
    items: Sequence[tuple[Client, Toewijzing]],
    rng: random.Random,
    *,
    factuur: bool = False,
    credit_share: float = 0.05,
    first_day: date = date.min,
) -> DeclaratieBericht:
    """A declaration over ``periode`` of the care each (client, toewijzing) received.

    Each toewijzing yields one debit prestatie for its delivered volume in the period (none
    if nothing was delivered). With probability ``credit_share``, the previous month is also
    corrected: its earlier debit (from an earlier declaration) is credited in full, the credit
    naming it in ``VorigReferentieNummer``, and declared again one unit lower. No correction
    reaches back before ``first_day``.

    Raises:
        ValueError: No toewijzing delivered anything in the period.
    """
    begin, end = periode
    by_bsn: dict[str, list[Prestatie]] = {}
    for client, t in items:
        volume = t.volume_between(begin, end)
        if volume <= 0:
            continue
        lines = by_bsn.setdefault(client.bsn, [])
        pb, pe = max(begin, t.ingangsdatum), min(end, t.einddatum)
        lines.append(_prestatie(t, new_referentie(rng, "P"), None, pb, pe, volume, "D"))
        prev_begin, prev_end = _month_before(begin)
        prev_volume = t.volume_between(prev_begin, prev_end)
        if prev_volume > 1 and prev_begin >= first_day and rng.random() < credit_share:
            # the credit names the line it cancels, declared in an earlier message (CD060, TR316)
            pb, pe = max(prev_begin, t.ingangsdatum), min(prev_end, t.einddatum)
            original = new_referentie(rng, "P")
            lines.append(_prestatie(t, new_referentie(rng, "P"), original, pb, pe, prev_volume, "C"))
            lines.append(_prestatie(t, new_referentie(rng, "P"), None, pb, pe, prev_volume - 1, "D"))
    if not by_bsn:
        raise ValueError(f"no toewijzing delivered care between {begin} and {end}; nothing to declare")
    clienten = tuple(DeclaratieClient(bsn, tuple(lines)) for bsn, lines in by_bsn.items())
    nummer = f"D{rng.getrandbits(40):010X}"
    return DeclaratieBericht(header, nummer, begin, end, clienten, factuur=factuur)


def _prestatie(
    t: Toewijzing, ref: str, vorig: str | None, begin: date, end: date, volume: int, dc: str
) -> Prestatie:
    return Prestatie(
        ref,
        vorig,
        t.toewijzingnummer,
        _product(t),
        begin,
        end,
        volume,
        t.omvang.eenheid,
        t.tarief,
        volume * t.tarief,
        dc,
    )


def _declaratie_periode(t: Toewijzing, dagtekening: date, first_day: date) -> tuple[date, date] | None:
    """Return the latest closed month before the dagtekening, from ``first_day`` on, in which the toewijzing delivered care."""
    begin, end = _month_before(dagtekening)
    while end >= t.ingangsdatum and begin >= first_day:
        if t.volume_between(begin, end) > 0:
            return begin, end
        begin, end = _month_before(begin)
    return None


def _minimal_declaratie(
    header: Header, client: Client, t: Toewijzing, rng: random.Random, factuur: bool, first_day: date
) -> DeclaratieBericht:
    """Declare one unit in the last closed month before the dagtekening (not before ``first_day``).

    Used when the simulation sends a declaration before the care model has delivered a whole
    unit in a closed month (a toewijzing that started days ago): the message stays valid and
    consistent (amount = 1 x tarief, one calendar month, nothing after the dagtekening) instead
    of failing the run. The prestatie covers the part of the month within the toewijzing, or the
    month's last day when the toewijzing started after it.
    """
    begin, end = _month_before(header.dagtekening)
    if begin < first_day:  # nothing closed yet since the first day: the first month it may declare
        begin, end = first_day, _month_before(first_day + timedelta(days=32))[1]
    pb, pe = max(begin, t.ingangsdatum), min(end, t.einddatum)
    if pb > pe:
        pb = pe = end if t.ingangsdatum > end else begin
    line = _prestatie(t, new_referentie(rng, "P"), None, pb, pe, 1, "D")
    nummer = f"D{rng.getrandbits(40):010X}"
    return DeclaratieBericht(
        header, nummer, begin, end, (DeclaratieClient(client.bsn, (line,)),), factuur=factuur
    )


def make_payload(
    mt: MessageType,
    *,
    gemeente: Gemeente,
    aanbieder: Aanbieder,
    client: Client,
    toewijzing: Toewijzing,
    identificatie: str,
    dagtekening: date,
    rng: random.Random,
    mutatie: Mutatie = "nieuw",
    referentie: str | None = None,
    factuur: bool = False,
    verzoek_antwoord: str | None = None,
) -> Payload:
    """Return the payload of heen message ``mt`` about ``client`` and ``toewijzing``.

    Args:
        mt: A heen message type (301, 303, 305, 307, 315, 317, 319, 323).
        gemeente: The gemeente (Afzender or Ontvanger per direction).
        aanbieder: The aanbieder (the other party).
        client: The client the message is about.
        toewijzing: The client's toewijzing the message concerns (for a 315: what is requested).
        identificatie: BerichtIdentificatie, 1..12 characters, unique per sender.
        dagtekening: Date of the message.
        rng: The run's random source.
        mutatie: 301 only: a new toewijzing, a ``wijziging`` (extended einddatum, reden 04) or
            an ``intrekking`` (einddatum brought back to the dagtekening, reden 05).
        referentie: ReferentieAanbieder: of the request (315/317) or of the request being
            answered (319, or a 301 answering a 315). Drawn from ``rng`` when omitted.
        factuur: 303 only: the factuur variant instead of the declaratie.
        verzoek_antwoord: 319 only: ``"1"`` rejected or ``"2"`` under investigation (drawn if omitted).

    Raises:
        ValueError: ``mt`` is a retour, or its number has no payload.
    """
    if mt.role != "heen":
        raise ValueError(
            f"{mt.code} {mt.release} is a retour; build it with build_retour from its heen payload"
        )
    header = _header(mt, gemeente, aanbieder, identificatie, dagtekening)
    number, t = mt.number, toewijzing
    family = mt.structure[0]
    if number == "301":
        return ToewijzingBericht(header, (_toewijzing(client, t, dagtekening, mutatie, referentie, rng),))
    if number == "305":
        product = StartProduct(
            t.toewijzingnummer,
            t.beschikkingnummer,
            _product(t),
            t.ingangsdatum,
            _begindatum(t, dagtekening, rng),
            t.agb,
            t.omvang,
            "1",
        )
        return StartBericht(header, (RegieClient(_persoon(client), "1", (product,)),))
    if number == "307":
        begin = _begindatum(t, dagtekening, rng)
        einde = max(begin, min(dagtekening, t.einddatum))
        reden_stop = rng.choice(_REDEN_BEEINDIGING[(t.standard, family)])
        stop = StopProduct(
            t.toewijzingnummer,
            t.beschikkingnummer,
            _product(t),
            t.ingangsdatum,
            begin,
            t.agb,
            reden_stop,
            einde,
            "1",
        )
        return StopBericht(header, (RegieClient(_persoon(client), "1", (stop,)),))
    if number == "315":
        verwijzer = _verwijzer(rng.choice(_VERWIJZER[t.standard]), gemeente, rng)
        ingang = max(t.ingangsdatum, dagtekening + timedelta(days=1))
        aangevraagd = AangevraagdProduct(
            referentie or new_referentie(rng),
            None,
            _product(t),
            None,
            ingang,
            max(ingang, t.einddatum),
            t.agb,
            t.omvang,
            None,
            verwijzer,
            "2",
            None,
        )
        gezag = "1" if t.standard == "ijw" else None
        return VerzoekToewijzingBericht(
            header, (VerzoekClient(_persoon(client), gezag, None, (aangevraagd,)),)
        )
    if number == "317":
        gewenst = max(t.ingangsdatum, dagtekening + timedelta(days=rng.randint(1, 14)))
        nieuwe_omvang = Omvang(t.omvang.volume + 1, t.omvang.eenheid, t.omvang.frequentie)
        te_wijzigen = TeWijzigenProduct(
            t.toewijzingnummer, gewenst, max(gewenst, t.einddatum), nieuwe_omvang, None
        )
        nieuw: tuple[NieuwProduct, ...] = ()
        if rng.random() < 0.3:
            extra = rng.choice(products(t.standard)[t.product.categorie])
            nieuw = (
                NieuwProduct(
                    ProductRef(extra.categorie, extra.code),
                    gewenst,
                    gewenst + timedelta(days=180),
                    t.omvang,
                    None,
                ),
            )
        return VerzoekWijzigingBericht(
            header,
            client.bsn,
            referentie or new_referentie(rng),
            rng.choice(("1", "2")),
            (),
            (te_wijzigen,),
            nieuw,
        )
    if number == "319":
        antwoord = verzoek_antwoord or rng.choice(("1", "2"))
        afwijzing = rng.choice(("1", "2", "3", "4", "6", "7")) if antwoord == "1" else None
        return AntwoordBericht(header, referentie or new_referentie(rng), antwoord, afwijzing, None)
    if number in ("323", "303"):
        first_day = FIRST_323_DAY if number == "323" else date.min
        periode = _declaratie_periode(t, dagtekening, first_day)
        is_factuur = factuur and number == "303"
        if periode is None:
            payload = _minimal_declaratie(header, client, t, rng, is_factuur, first_day)
        else:
            payload = declaratie_payload(
                header, periode, [(client, t)], rng, factuur=is_factuur, first_day=first_day
            )
        if number == "303" and mt.structure == "2.1":  # 2.1 declarations still carried the address
            payload = DeclaratieBericht(
                payload.header,
                payload.declaratienummer,
                payload.periode_begin,
                payload.periode_eind,
                tuple(DeclaratieClient(c.bsn, c.prestaties, client.details.adres) for c in payload.clienten),
                payload.factuur,
            )
        return payload
    raise ValueError(f"no payload for {mt.code} {mt.release}")
