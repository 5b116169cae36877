"""301 toewijzing and its 302 retour.

3.x writes one ``Client`` with ``ToegewezenProducten`` directly under it. 2.1 wraps clients in
``Clienten`` and puts the products under ``Client/Beschikking`` next to the ``BeschiktProducten``
(the decision the assignment rests on: here one beschikt product per assigned product, same
product and period). From 2.2 on, the toewijzing carries only the products assigned to the receiving
aanbieder, without beschikking data and without a per-product ``Aanbieder``.
"""

from __future__ import annotations

from lxml import etree

from ketensim.standards.builders import _xml as x
from ketensim.standards.payload import Relatie, ToegewezenProduct, ToewijzingBericht, ToewijzingClient

__all__ = ["build_301", "body_301"]

_Sub = etree.SubElement


def _relatie(ctx: x.Context, parent: x.Element, r: Relatie, rc: str | None) -> None:
    m = ctx.m
    el = _Sub(parent, m["Relatie"])
    _Sub(el, m["Nummer"]).text = r.nummer
    _Sub(el, m["Soort"]).text = r.soort
    if r.geboortedatum is not None:
        x.geboortedatum(ctx, el, r.geboortedatum)
    if r.geslacht is not None:
        _Sub(el, m["Geslacht"]).text = r.geslacht
    x.volledige_naam(ctx, el, r.naam)
    contact = _Sub(el, m["Contact"])
    # a relative is reached by phone: soort 02 (correspondence) needs no postcode, 01/03 would (CD034)
    _Sub(contact, m["Soort"]).text = "02"
    if r.telefoon:
        x.telefoon(ctx, contact, r.telefoon)
    if rc:
        x.retour_codes(ctx, contact, (x.NO_REMARK,))
        x.retour_codes(ctx, el, (x.NO_REMARK,))


def _product(ctx: x.Context, parent: x.Element, p: ToegewezenProduct, rc: str | None) -> None:
    m = ctx.m
    el = _Sub(parent, m["ToegewezenProduct"])
    _Sub(el, m["ToewijzingNummer"]).text = str(p.toewijzingnummer)
    if p.referentie_aanbieder:
        _Sub(el, m["ReferentieAanbieder"]).text = p.referentie_aanbieder
    x.product(ctx, el, p.product)
    if ctx.with_beschikking:  # from 2.2 the toewijzing holds only this aanbieder's products
        _Sub(el, m["Aanbieder"]).text = p.aanbieder
    _Sub(el, m["Toewijzingsdatum"]).text = p.toewijzingsdatum.isoformat()
    _Sub(el, m["Toewijzingstijd"]).text = p.toewijzingstijd.isoformat()
    _Sub(el, m["Ingangsdatum"]).text = p.ingangsdatum.isoformat()
    if p.einddatum is not None:
        _Sub(el, m["Einddatum"]).text = p.einddatum.isoformat()
    if p.reden_wijziging:
        _Sub(el, m["RedenWijziging"]).text = p.reden_wijziging
    if p.omvang is not None:
        x.omvang(ctx, el, p.omvang)
    if not ctx.v2:
        if p.budget is not None:
            _Sub(el, m["Budget"]).text = str(p.budget)
        if p.commentaar:
            _Sub(el, m["Commentaar"]).text = p.commentaar
    if rc:
        x.retour_codes(ctx, el, (rc,))


def _beschikking(ctx: x.Context, parent: x.Element, c: ToewijzingClient, rc: str | None) -> None:
    m = ctx.m
    b = c.beschikking
    el = _Sub(parent, m["Beschikking"])
    _Sub(el, m["BeschikkingNummer"]).text = str(b.nummer)
    _Sub(el, m["Afgiftedatum"]).text = b.afgiftedatum.isoformat()
    _Sub(el, m["Ingangsdatum"]).text = b.ingangsdatum.isoformat()
    if b.einddatum is not None:
        _Sub(el, m["Einddatum"]).text = b.einddatum.isoformat()
    beschikt = _Sub(el, m["BeschiktProducten"])
    for p in c.producten:
        bp = _Sub(beschikt, m["BeschiktProduct"])
        x.product(ctx, bp, p.product)
        _Sub(bp, m["Ingangsdatum"]).text = p.ingangsdatum.isoformat()
        if p.einddatum is not None:
            _Sub(bp, m["Einddatum"]).text = p.einddatum.isoformat()
        if p.omvang is not None:
            x.omvang(ctx, bp, p.omvang)
        if rc:
            x.retour_codes(ctx, bp, (x.NO_REMARK,))
    toegewezen = _Sub(el, m["ToegewezenProducten"])
    for p in c.producten:
        _product(ctx, toegewezen, p, rc)
    if rc:
        x.retour_codes(ctx, el, (x.NO_REMARK,))


def _client(ctx: x.Context, parent: x.Element, c: ToewijzingClient, rc: str | None) -> None:
    m = ctx.m
    el = _Sub(parent, m["Client"])
    x.persoon(ctx, el, c.persoon, volledig=True)
    if c.relatie is not None:
        _relatie(ctx, _Sub(el, m["Relaties"]), c.relatie, rc)
    contact = _Sub(_Sub(el, m["Contactgegevens"]), m["Contact"])
    _Sub(contact, m["Soort"]).text = "01"
    x.adres(ctx, contact, c.adres)
    x.telefoon(ctx, contact, c.telefoon)
    if rc:
        x.retour_codes(ctx, contact, (x.NO_REMARK,))
    if ctx.with_beschikking:
        _beschikking(ctx, el, c, rc)
    else:
        producten = _Sub(el, m["ToegewezenProducten"])
        for p in c.producten:
            _product(ctx, producten, p, rc)
    if rc:
        x.retour_codes(ctx, el, (x.NO_REMARK,))


def body_301(ctx: x.Context, root: x.Element, payload: ToewijzingBericht, marks: x.Marks | None) -> None:
    """Append the body of a 301 (``marks is None``) or of its 302 retour."""
    x.client_bodies(ctx, root, payload.clienten, lambda c: c.persoon.bsn, marks, _client)


def build_301(ctx: x.Context, payload: ToewijzingBericht) -> x.Element:
    """Build a 301 toewijzing."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    body_301(ctx, root, payload, None)
    return root
