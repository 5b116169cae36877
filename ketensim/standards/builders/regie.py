"""305 start and 307 stop zorg/ondersteuning ("regieberichten"), with their retours 306 and 308.

Both tell the gemeente what the aanbieder actually does with a toewijzing. 3.x identifies the
toewijzing by its number; 2.x also names the beschikking, the product (mandatory there) and the
aanbieder, and repeats ``StatusAanlevering`` at client level.
"""

from __future__ import annotations

from lxml import etree

from ketensim.standards.builders import _xml as x
from ketensim.standards.payload import RegieClient, StartBericht, StartProduct, StopBericht, StopProduct

__all__ = ["build_305", "build_307", "body_305", "body_307"]

_Sub = etree.SubElement


def _product_head(ctx: x.Context, el: x.Element, p: StartProduct | StopProduct) -> None:
    """The elements a StartProduct and a StopProduct share, up to Begindatum (and 2.x Aanbieder)."""
    m = ctx.m
    if ctx.v2 and p.beschikkingnummer is not None:
        _Sub(el, m["BeschikkingNummer"]).text = str(p.beschikkingnummer)
    if p.toewijzingnummer is not None:
        _Sub(el, m["ToewijzingNummer"]).text = str(p.toewijzingnummer)
    x.product(ctx, el, p.product)
    if p.toewijzing_ingangsdatum is not None:
        _Sub(el, m["ToewijzingIngangsdatum"]).text = p.toewijzing_ingangsdatum.isoformat()
    _Sub(el, m["Begindatum"]).text = p.begindatum.isoformat()
    if ctx.v2:
        _Sub(el, m["Aanbieder"]).text = p.aanbieder


def _product_tail(ctx: x.Context, el: x.Element, p: StartProduct | StopProduct, rc: str | None) -> None:
    _Sub(el, ctx.m["StatusAanlevering"]).text = p.status_aanlevering
    if rc:
        x.retour_codes(ctx, el, (rc,))


def _start_product(ctx: x.Context, parent: x.Element, p: StartProduct, rc: str | None) -> None:
    el = _Sub(parent, ctx.m["StartProduct"])
    _product_head(ctx, el, p)
    if ctx.v2 and p.omvang is not None:
        x.omvang(ctx, el, p.omvang)
    _product_tail(ctx, el, p, rc)


def _stop_product(ctx: x.Context, parent: x.Element, p: StopProduct, rc: str | None) -> None:
    m = ctx.m
    el = _Sub(parent, m["StopProduct"])
    _product_head(ctx, el, p)
    _Sub(el, m["RedenBeeindiging"]).text = p.reden_beeindiging
    _Sub(el, m["Einddatum"]).text = p.einddatum.isoformat()
    _product_tail(ctx, el, p, rc)


def _client(ctx: x.Context, parent: x.Element, c: RegieClient, rc: str | None, start: bool) -> None:
    m = ctx.m
    el = _Sub(parent, m["Client"])
    x.persoon(ctx, el, c.persoon, volledig=False)
    if ctx.v2:
        _Sub(el, m["StatusAanlevering"]).text = c.status_aanlevering
    if start:
        wrapper = _Sub(el, m["StartProducten"])
        for p in c.producten:
            _start_product(ctx, wrapper, p, rc)  # type: ignore[arg-type]
    else:
        wrapper = _Sub(el, m["StopProducten"])
        for p in c.producten:
            _stop_product(ctx, wrapper, p, rc)  # type: ignore[arg-type]
    if rc:
        x.retour_codes(ctx, el, (x.NO_REMARK,))


def _start_client(ctx: x.Context, parent: x.Element, c: RegieClient, rc: str | None) -> None:
    _client(ctx, parent, c, rc, start=True)


def _stop_client(ctx: x.Context, parent: x.Element, c: RegieClient, rc: str | None) -> None:
    _client(ctx, parent, c, rc, start=False)


def body_305(ctx: x.Context, root: x.Element, payload: StartBericht, marks: x.Marks | None) -> None:
    """Append the body of a 305 or of its 306 retour."""
    x.client_bodies(ctx, root, payload.clienten, lambda c: c.persoon.bsn, marks, _start_client)


def body_307(ctx: x.Context, root: x.Element, payload: StopBericht, marks: x.Marks | None) -> None:
    """Append the body of a 307 or of its 308 retour."""
    x.client_bodies(ctx, root, payload.clienten, lambda c: c.persoon.bsn, marks, _stop_client)


def build_305(ctx: x.Context, payload: StartBericht) -> x.Element:
    """Build a 305 start."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    body_305(ctx, root, payload, None)
    return root


def build_307(ctx: x.Context, payload: StopBericht) -> x.Element:
    """Build a 307 stop."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, ctx.mt.bericht_code)
    body_307(ctx, root, payload, None)
    return root
