"""303 declaratie/factuur and its 304 retour (2.1–2.4, and 3.0 until 31 March 2022).

No 303/304 schema survives; ketensim's own XSDs shape them after the 3.2 declaratie 323 (see
the catalogue's fidelity note), so the prestaties are written exactly as in
:mod:`~ketensim.standards.builders.declaratie`. Differences: 2.x headers have no
``XsdVersie``, ``ToewijzingNummer`` is optional before 3.0 (written when known), 2.1 clients
may carry their address, and one message number has two BerichtCodes: declaratie (first) and
factuur (second), chosen by :attr:`DeclaratieBericht.factuur`.

The 304 is a mirror retour: accepted declarations get a header with 8001 ("fully granted");
otherwise the declaration is repeated with only the rejected prestaties, each with its code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from lxml import etree

from ketensim.standards.builders import _xml as x
from ketensim.standards.builders.declaratie import FULLY_GRANTED, periode, prestatie, totaal
from ketensim.standards.payload import DeclaratieBericht, DeclaratieClient

__all__ = ["build_303", "build_304"]

_Sub = etree.SubElement


def _code(ctx: x.Context, factuur: bool) -> str:
    codes = ctx.mt.bericht_codes
    return codes[1] if factuur and len(codes) > 1 else codes[0]


def _declaratie(
    ctx: x.Context,
    root: x.Element,
    payload: DeclaratieBericht,
    clients: Sequence[DeclaratieClient],
    afgekeurd: Mapping[str, str] | None,
) -> None:
    m = ctx.m
    decl = _Sub(root, m["Declaratie"])
    _Sub(decl, m["DeclaratieNummer"]).text = payload.declaratienummer
    periode(ctx, decl, "DeclaratiePeriode", payload.periode_begin, payload.periode_eind)
    _Sub(decl, m["DeclaratieDagtekening"]).text = payload.header.dagtekening.isoformat()
    totaal(ctx, decl, "TotaalIngediendBedrag", *payload.totaal)
    clienten = _Sub(decl, m["Clienten"])
    for c in clients:
        client = _Sub(clienten, m["Client"])
        _Sub(client, m["Bsn"]).text = c.bsn
        if ctx.with_beschikking and c.adres is not None:  # 2.1 still sent the address
            x.adres(ctx, client, c.adres)
        prestaties = _Sub(client, m["Prestaties"])
        for p in c.prestaties:
            if afgekeurd is None:
                prestatie(ctx, prestaties, p, None)
            elif p.referentienummer in afgekeurd:
                prestatie(ctx, prestaties, p, afgekeurd[p.referentienummer])
        if afgekeurd is not None:
            x.retour_codes(ctx, client, (x.NO_REMARK,))
    if afgekeurd is not None:
        x.retour_codes(ctx, decl, (x.NO_REMARK,))


def build_303(ctx: x.Context, payload: DeclaratieBericht) -> x.Element:
    """Build a 303 declaratie or factuur."""
    root = x.new_root(ctx)
    x.header_start(ctx, root, payload.header, _code(ctx, payload.factuur))
    _declaratie(ctx, root, payload, payload.clienten, None)
    return root


def build_304(
    ctx: x.Context,
    declaratie: DeclaratieBericht,
    *,
    identificatie: str,
    dagtekening: date,
    afgekeurd: Mapping[str, str],
    header_codes: Sequence[str] = (),
) -> x.Element:
    """Build the 304 retour on a 303.

    Args:
        ctx: Context of the 304 message type.
        declaratie: The 303 being answered.
        identificatie: Identification of this 304.
        dagtekening: Date of this 304.
        afgekeurd: ReferentieNummer of each rejected prestatie -> its retourcode.
        header_codes: Header codes replacing the answer (e.g. ``("0001",)``: technical rejection).
    """
    root = x.new_root(ctx)
    rejected = [
        DeclaratieClient(c.bsn, tuple(p for p in c.prestaties if p.referentienummer in afgekeurd), c.adres)
        for c in declaratie.clienten
    ]
    rejected = [c for c in rejected if c.prestaties]
    codes = tuple(header_codes) or (() if rejected else (FULLY_GRANTED,))
    x.retour_header(
        ctx,
        root,
        declaratie.header,
        identificatie,
        dagtekening,
        codes,
        bericht_code=_code(ctx, declaratie.factuur),
    )
    if rejected and not header_codes:
        _declaratie(ctx, root, declaratie, rejected, afgekeurd)
    return root
