"""The request cycle: 315 verzoek om toewijzing, 317 verzoek om wijziging, 319 antwoordbericht.

An aanbieder asks for a toewijzing (315, VOT) or a change to existing ones (317, VOW, 3.x
only); the gemeente answers with a 301 or, when it rejects or investigates, a 319 (3.x only)
that points back to the request through its ``ReferentieAanbieder``. Retours 316, 318 and 320
repeat the heen with retourcodes.
"""

from __future__ import annotations

from lxml import etree

from ketensim.standards.builders import _xml as x
from ketensim.standards.payload import (
    AangevraagdProduct,
    AntwoordBericht,
    VerzoekClient,
    VerzoekToewijzingBericht,
    VerzoekWijzigingBericht,
)

__all__ = ["build_315", "build_317", "build_319", "body_315", "body_317", "body_319"]

_Sub = etree.SubElement


def _aangevraagd(ctx: x.Context, parent: x.Element, p: AangevraagdProduct, rc: str | None) -> None:
    m, b = ctx.m, ctx.b
    el = _Sub(parent, m["Product" if ctx.v2 else "AangevraagdProduct"])
    _Sub(el, m["ReferentieAanbieder"]).text = p.referentie_aanbieder
    if p.beschikkingnummer is not None:
        _Sub(el, m["BeschikkingNummer"]).text = str(p.beschikkingnummer)
    x.product(ctx, el, p.product)
    if p.beschikking_ingangsdatum is not None:
        _Sub(el, m["BeschikkingIngangsdatum"]).text = p.beschikking_ingangsdatum.isoformat()
    _Sub(el, m["ToewijzingIngangsdatum"]).text = p.toewijzing_ingangsdatum.isoformat()
    if p.toewijzing_einddatum is not None:
        _Sub(el, m["ToewijzingEinddatum"]).text = p.toewijzing_einddatum.isoformat()
    if ctx.v2:
        _Sub(el, m["Aanbieder"]).text = p.aanbieder
    if p.omvang is not None:
        x.omvang(ctx, el, p.omvang)
    if not ctx.v2 and p.budget is not None:
        _Sub(el, m["Budget"]).text = str(p.budget)
    verwijzer = _Sub(el, m["Verwijzer"])
    _Sub(verwijzer, b["Type"]).text = p.verwijzer.type
    if p.verwijzer.naam:
        _Sub(verwijzer, b["Naam"]).text = p.verwijzer.naam
    if not ctx.v2 and p.verwijzer.zorgverlener_code:
        _Sub(verwijzer, b["ZorgverlenerCode"]).text = p.verwijzer.zorgverlener_code
    if p.raamcontract:
        _Sub(el, m["Raamcontract"]).text = p.raamcontract
    if not ctx.v2 and p.commentaar:
        _Sub(el, m["Commentaar"]).text = p.commentaar
    if rc:
        x.retour_codes(ctx, el, (rc,))


def _client_315(ctx: x.Context, parent: x.Element, c: VerzoekClient, rc: str | None) -> None:
    m = ctx.m
    el = _Sub(parent, m["Client"])
    x.persoon(ctx, el, c.persoon, volledig=False)
    if ctx.ijw and c.gezagsdrager_bekend:
        _Sub(el, m["GezagsdragerBekend"]).text = c.gezagsdrager_bekend
    if not ctx.v2:
        if c.commentaar:
            _Sub(el, m["Commentaar"]).text = c.commentaar
    wrapper = _Sub(el, m["Producten" if ctx.v2 else "AangevraagdeProducten"])
    for p in c.producten:
        _aangevraagd(ctx, wrapper, p, rc)
    if rc:
        x.retour_codes(ctx, el, (x.NO_REMARK,))


def body_315(
    ctx: x.Context, root: x.Element, payload: VerzoekToewijzingBericht, marks: x.Marks | None
) -> None:
    """Append the body of a 315 or of its 316 retour."""
    x.client_bodies(ctx, root, payload.clienten, lambda c: c.persoon.bsn, marks, _client_315)


def body_317(
    ctx: x.Context, root: x.Element, payload: VerzoekWijzigingBericht, marks: x.Marks | None
) -> None:
    """Append the body of a 317 or of its 318 retour (3.x only)."""
    rc = marks.code_for(payload.bsn) if marks is not None else None
    if marks is not None and rc is None:
        return
    m = ctx.m
    client = _Sub(root, m["Client"])
    _Sub(client, m["Bsn"]).text = payload.bsn
    verzoek = _Sub(client, m["Verzoek"])
    _Sub(verzoek, m["ReferentieAanbieder"]).text = payload.referentie_aanbieder
    _Sub(verzoek, m["RedenVerzoek"]).text = payload.reden_verzoek
    if payload.ongewijzigd:
        wrapper = _Sub(verzoek, m["OngewijzigdeProducten"])
        for nummer in payload.ongewijzigd:
            el = _Sub(wrapper, m["OngewijzigdProduct"])
            _Sub(el, m["ToewijzingNummer"]).text = str(nummer)
            if rc:
                x.retour_codes(ctx, el, (rc,))
    if payload.te_wijzigen:
        wrapper = _Sub(verzoek, m["TeWijzigenProducten"])
        for t in payload.te_wijzigen:
            el = _Sub(wrapper, m["TeWijzigenProduct"])
            _Sub(el, m["ToewijzingNummer"]).text = str(t.toewijzingnummer)
            _Sub(el, m["GewensteIngangsdatum"]).text = t.gewenste_ingangsdatum.isoformat()
            if t.einddatum is not None:
                _Sub(el, m["Einddatum"]).text = t.einddatum.isoformat()
            if t.omvang is not None:
                x.omvang(ctx, el, t.omvang)
            if t.budget is not None:
                _Sub(el, m["Budget"]).text = str(t.budget)
            if rc:
                x.retour_codes(ctx, el, (rc,))
    if payload.nieuw:
        wrapper = _Sub(verzoek, m["NieuweProducten"])
        for n in payload.nieuw:
            el = _Sub(wrapper, m["NieuwProduct"])
            x.product(ctx, el, n.product)
            _Sub(el, m["GewensteIngangsdatum"]).text = n.gewenste_ingangsdatum.isoformat()
            if n.einddatum is not None:
                _Sub(el, m["Einddatum"]).text = n.einddatum.isoformat()
            if n.omvang is not None:
                x.omvang(ctx, el, n.omvang)
            if n.budget is not None:
                _Sub(el, m["Budget"]).text = str(n.budget)
            if rc:
                x.retour_codes(ctx, el, (rc,))
    if rc:
        x.retour_codes(ctx, verzoek, (x.NO_REMARK,))
        x.retour_codes(ctx, client, (x.NO_REMARK,))


def body_319(ctx: x.Context, root: x.Element, payload: AntwoordBericht, marks: x.Marks | None) -> None:
    """Append the body of a 319 or of its 320 retour (marks are keyed by ``referentie_aanbieder``)."""
    rc = marks.code_for(payload.referentie_aanbieder) if marks is not None else None
    if marks is not None and rc is None:
        return
    m = ctx.m
    el = _Sub(root, m["Antwoord"])
    _Sub(el, m["ReferentieAanbieder"]).text = payload.referentie_aanbieder
    _Sub(el, m["VerzoekAntwoord"]).text = payload.verzoek_antwoord
    if payload.reden_afwijzing:
        _Sub(el, m["RedenAfwijzingVerzoek"]).text = payload.reden_afwijzing
    if ctx.ijw and payload.woonplaatsbeginsel:
        wpb = _Sub(el, m["Woonplaatsbeginsel"])
        _Sub(wpb, m["Gemeente"]).text = payload.woonplaatsbeginsel
        if rc:
            x.retour_codes(ctx, wpb, (x.NO_REMARK,))
    if rc:
        x.retour_codes(ctx, el, (rc,))


def build_315(ctx: x.Context, payload: VerzoekToewijzingBericht) -> x.Element:
    """Build a 315 verzoek om toewijzing."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    body_315(ctx, root, payload, None)
    return root


def build_317(ctx: x.Context, payload: VerzoekWijzigingBericht) -> x.Element:
    """Build a 317 verzoek om wijziging."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    body_317(ctx, root, payload, None)
    return root


def build_319(ctx: x.Context, payload: AntwoordBericht) -> x.Element:
    """Build a 319 antwoordbericht."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    body_319(ctx, root, payload, None)
    return root
