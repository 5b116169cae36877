"""323 declaratie and 325 declaratie-antwoord (3.x).

The 325 is not a mirror of the 323: it has its own identification, refers to the declaration
through ``DeclaratieIdentificatie``/``XsdVersieDeclaratie``, always carries header retourcodes,
and repeats only rejected prestaties (rule TR342). A fully granted declaration is answered by
a header with retourcode 8001 and no ``DeclaratieAntwoord``; otherwise the header says 0200 and
the body lists the rejected prestaties, each with its own code, and the granted total.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from lxml import etree

from ketensim.standards.builders import _xml as x
from ketensim.standards.payload import DeclaratieBericht, Prestatie

__all__ = ["build_323", "build_325", "FULLY_GRANTED", "EURO"]

_Sub = etree.SubElement

FULLY_GRANTED = "8001"
EURO = "83"
"""Eenheid 83: the volume is an amount in euro (written in cents, equal to the declared amount)."""


def periode(ctx: x.Context, parent: x.Element, tag: str, begin: date, end: date) -> None:
    """Append a ``CDT_GeslotenPeriode``."""
    el = _Sub(parent, ctx.m[tag])
    _Sub(el, ctx.b["Begindatum"]).text = begin.isoformat()
    _Sub(el, ctx.b["Einddatum"]).text = end.isoformat()


def totaal(ctx: x.Context, parent: x.Element, tag: str, amount: int, dc: str) -> None:
    """Append a ``CDT_TotaalBedragMetDC``."""
    el = _Sub(parent, ctx.m[tag])
    _Sub(el, ctx.b["TotaalBedrag"]).text = str(amount)
    _Sub(el, ctx.b["DebetCredit"]).text = dc


def prestatie(ctx: x.Context, parent: x.Element, p: Prestatie, rc: str | None) -> None:
    """Append one ``Prestatie`` (the nine children the 323 and 325 share)."""
    m, b = ctx.m, ctx.b
    el = _Sub(parent, m["Prestatie"])
    ref = _Sub(el, m["ProductReferentie"])
    _Sub(ref, b["ReferentieNummer"]).text = p.referentienummer
    if p.vorig_referentienummer:
        _Sub(ref, b["VorigReferentieNummer"]).text = p.vorig_referentienummer
    _Sub(el, m["ToewijzingNummer"]).text = str(p.toewijzingnummer)
    _Sub(el, m["ProductCategorie"]).text = p.product.categorie
    _Sub(el, m["ProductCode"]).text = p.product.code or ""
    periode(ctx, el, "ProductPeriode", p.begindatum, p.einddatum)
    if p.eenheid == EURO:  # an amount in euro is declared as its volume, without a tariff (CS339, CD087)
        _Sub(el, m["GeleverdVolume"]).text = str(p.bedrag)
        _Sub(el, m["Eenheid"]).text = p.eenheid
    else:
        _Sub(el, m["GeleverdVolume"]).text = str(p.volume)
        _Sub(el, m["Eenheid"]).text = p.eenheid
        _Sub(el, m["ProductTarief"]).text = str(p.tarief)
    bedrag = _Sub(el, m["IngediendBedrag"])
    _Sub(bedrag, b["Bedrag"]).text = str(p.bedrag)
    _Sub(bedrag, b["DebetCredit"]).text = p.debet_credit
    if rc:
        x.retour_codes(ctx, el, (rc,))


def build_323(ctx: x.Context, payload: DeclaratieBericht) -> x.Element:
    """Build a 323 declaratie."""
    m = ctx.m
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    decl = _Sub(root, m["Declaratie"])
    _Sub(decl, m["DeclaratieNummer"]).text = payload.declaratienummer
    periode(ctx, decl, "DeclaratiePeriode", payload.periode_begin, payload.periode_eind)
    _Sub(decl, m["DeclaratieDagtekening"]).text = payload.header.dagtekening.isoformat()
    totaal(ctx, decl, "TotaalIngediendBedrag", *payload.totaal)
    clienten = _Sub(decl, m["Clienten"])
    for c in payload.clienten:
        client = _Sub(clienten, m["Client"])
        _Sub(client, m["Bsn"]).text = c.bsn
        prestaties = _Sub(client, m["Prestaties"])
        for p in c.prestaties:
            prestatie(ctx, prestaties, p, None)
    return root


def build_325(
    ctx: x.Context,
    declaratie: DeclaratieBericht,
    *,
    identificatie: str,
    dagtekening: date,
    afgekeurd: Mapping[str, str],
    declaratie_xsd_versie: tuple[str, str] | None = None,
    header_codes: tuple[str, ...] = (),
) -> x.Element:
    """Build the 325 answer on ``declaratie``.

    Args:
        ctx: Context of the 325 message type.
        declaratie: The 323 being answered.
        identificatie: Identification of this 325.
        dagtekening: Date of this 325.
        afgekeurd: ReferentieNummer of each rejected prestatie -> its retourcode.
        declaratie_xsd_versie: XsdVersie the 323 carried (default: this release's).
        header_codes: Header codes replacing the answer (e.g. ``("0001",)``: technical rejection).
    """
    m = ctx.m
    h = declaratie.header
    root = x.new_root(ctx)
    header = _Sub(root, m["Header"])
    _Sub(header, m["BerichtCode"]).text = ctx.mt.bericht_code
    _Sub(header, m["BerichtVersie"]).text = ctx.mt.bericht_versie
    _Sub(header, m["BerichtSubversie"]).text = ctx.mt.bericht_subversie
    _Sub(header, m["Afzender"]).text = h.ontvanger  # the gemeente answers the aanbieder
    _Sub(header, m["Ontvanger"]).text = h.afzender
    x.bericht_identificatie(ctx, header, "BerichtIdentificatie", identificatie, dagtekening)
    x.xsd_versie(ctx, header, "XsdVersie")
    x.bericht_identificatie(ctx, header, "DeclaratieIdentificatie", h.identificatie, h.dagtekening)
    versie = _Sub(header, m["XsdVersieDeclaratie"])
    basis, bericht = declaratie_xsd_versie or ctx.xsd_versie or ("1.0.0", "1.0.0")
    _Sub(versie, ctx.b["BasisschemaXsdVersie"]).text = basis
    _Sub(versie, ctx.b["BerichtXsdVersie"]).text = bericht
    rejected = [
        (c.bsn, [p for p in c.prestaties if p.referentienummer in afgekeurd]) for c in declaratie.clienten
    ]
    rejected = [(bsn, ps) for bsn, ps in rejected if ps]
    if header_codes:
        x.retour_codes(ctx, header, header_codes)
        return root
    if not rejected:
        x.retour_codes(ctx, header, (FULLY_GRANTED,))
        return root
    x.retour_codes(ctx, header, (x.NO_REMARK,))
    antwoord = _Sub(root, m["DeclaratieAntwoord"])
    _Sub(antwoord, m["DeclaratieNummer"]).text = declaratie.declaratienummer
    ingediend, dc = declaratie.totaal
    totaal(ctx, antwoord, "TotaalIngediendBedrag", ingediend, dc)
    net_rejected = sum(p.bedrag if p.debet_credit == "D" else -p.bedrag for _, ps in rejected for p in ps)
    granted = (ingediend if dc == "D" else -ingediend) - net_rejected
    totaal(ctx, antwoord, "TotaalToegekendBedrag", abs(granted), "D" if granted >= 0 else "C")
    clienten = _Sub(antwoord, m["Clienten"])
    for bsn, ps in rejected:
        client = _Sub(clienten, m["Client"])
        _Sub(client, m["Bsn"]).text = bsn
        prestaties = _Sub(client, m["Prestaties"])
        for p in ps:
            prestatie(ctx, prestaties, p, afgekeurd[p.referentienummer])
        x.retour_codes(ctx, client, (x.NO_REMARK,))
    x.retour_codes(ctx, antwoord, (x.NO_REMARK,))
    return root
