"""Pure XML builders: payload in, :mod:`lxml` element out. No I/O, no validation.

:func:`build` writes any heen message of any release; :func:`build_retour` writes the retour of
a heen (or the 325 answer on a 323). Dispatch is on the message number; release differences
(``Clienten`` wrapper, ``XsdVersie``, beschikking data, element names) are read from the
cached per-type :class:`~ketensim.standards.builders._xml.Context`.

Example:
    ``heen_type = get_catalogue().get("iwmo", "3.1", "301")`` and a payload from
    :func:`~ketensim.standards.payload_factory.make_payload` give the 301 with
    ``build(heen_type, payload)``; ``build_retour(get_catalogue().get("iwmo", "3.1", "302"),
    payload, identificatie="R1", dagtekening=date(2022, 6, 2))`` gives its accepted 302.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from lxml import etree

from ketensim.exceptions import UnknownMessageType
from ketensim.standards.builders import _xml as x
from ketensim.standards.builders.declaratie import build_323, build_325
from ketensim.standards.builders.factuur import build_303, build_304
from ketensim.standards.builders.regie import body_305, body_307, build_305, build_307
from ketensim.standards.builders.toewijzing import body_301, build_301
from ketensim.standards.builders.verzoek import body_315, body_317, body_319, build_315, build_317, build_319
from ketensim.standards.catalogue import MessageType
from ketensim.standards.payload import Payload

__all__ = ["build", "build_retour", "has_builder", "Marks"]

Marks = x.Marks

_HEEN: dict[str, Callable[[x.Context, Any], etree._Element]] = {
    "301": build_301,
    "303": build_303,
    "305": build_305,
    "307": build_307,
    "315": build_315,
    "317": build_317,
    "319": build_319,
    "323": build_323,
}

# retour number -> body writer of its heen (the retour repeats the heen's body with codes)
_MIRROR: dict[str, Callable[[x.Context, etree._Element, Any, x.Marks | None], None]] = {
    "302": body_301,
    "306": body_305,
    "308": body_307,
    "316": body_315,
    "318": body_317,
    "320": body_319,
}

_SPECIAL_RETOUR = frozenset({"304", "325"})


def has_builder(mt: MessageType) -> bool:
    """Return whether ketensim can build messages of type ``mt``."""
    return mt.number in _HEEN or mt.number in _MIRROR or mt.number in _SPECIAL_RETOUR


def build(mt: MessageType, payload: Payload) -> etree._Element:
    """Build the heen message ``mt`` from ``payload``.

    Args:
        mt: A heen message type from the catalogue.
        payload: The matching payload (e.g. :class:`~ketensim.standards.payload.ToewijzingBericht` for 301).

    Raises:
        UnknownMessageType: ``mt`` is a retour or has no builder.
        ValueError: The payload does not fit the release (e.g. two clients in a 3.x 301).
    """
    try:
        builder = _HEEN[mt.number]
    except KeyError:
        raise UnknownMessageType(
            f"{mt.code} {mt.release} is not a heen message with a builder; use build_retour for retours"
        ) from None
    return builder(x.context(mt), payload)


def build_retour(
    mt_retour: MessageType,
    heen_payload: Payload,
    *,
    identificatie: str,
    dagtekening: date,
    retourcodes: Sequence[str] = (),
    afgekeurd: Mapping[str, str] | None = None,
) -> etree._Element:
    """Build the retour ``mt_retour`` on a heen built from ``heen_payload``.

    The header repeats the heen's header (Afzender and Ontvanger unchanged, the heen's
    BerichtIdentificatie and XsdVersie) and adds this retour's ``IdentificatieRetour``,
    ``DagtekeningRetour`` and (3.x) ``XsdVersieRetour``. With neither ``retourcodes`` nor
    ``afgekeurd`` the retour is header-only: the heen is accepted.

    Args:
        mt_retour: The retour message type (302, 306 … 320, 304, or 325).
        heen_payload: The payload of the heen being answered.
        identificatie: Identification of the retour (1..12 characters).
        dagtekening: Date of the retour.
        retourcodes: Header-level codes, e.g. ``("0001",)`` for a technical rejection. For a
            325/304 they replace the answer body.
        afgekeurd: Rejected parts -> retourcode (WJ001). Keys are BSNs (client messages),
            the ReferentieAanbieder (320) or prestatie ReferentieNummers (325/304). Those
            parts are repeated with the code; their enclosing classes get 0200.

    Raises:
        UnknownMessageType: ``mt_retour`` is not a retour with a builder.
    """
    ctx = x.context(mt_retour)
    number = mt_retour.number
    if number in ("325", "304"):
        build_answer = build_325 if number == "325" else build_304
        return build_answer(
            ctx,
            heen_payload,  # type: ignore[arg-type]
            identificatie=identificatie,
            dagtekening=dagtekening,
            afgekeurd=dict(afgekeurd or {}),
            header_codes=tuple(retourcodes),
        )
    try:
        body = _MIRROR[number]
    except KeyError:
        raise UnknownMessageType(
            f"{mt_retour.code} {mt_retour.release} is not a retour with a builder"
        ) from None
    root = x.new_root(ctx)
    x.retour_header(ctx, root, heen_payload.header, identificatie, dagtekening, tuple(retourcodes))
    if afgekeurd:
        body(ctx, root, heen_payload, x.Marks(dict(afgekeurd)))
    return root
