"""Sample messages: a seeded set of valid heen messages with their retours, as XML bytes.

Used by ``ketensim generate`` and by tests. Everything derives from one seed: the population,
every payload, every retour decision; the same arguments give byte-identical output. Each
message is validated against its XSD before it is handed out, so a sample that does not
validate is a bug in ketensim, reported as :class:`~ketensim.exceptions.SchemaViolation`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree

from ketensim.exceptions import UnknownMessageType
from ketensim.population import build_population
from ketensim.standards.builders import build, build_retour
from ketensim.standards.catalogue import Catalogue, MessageType, get_catalogue
from ketensim.standards.payload import AntwoordBericht, DeclaratieBericht, Payload, VerzoekWijzigingBericht
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.releases import HEEN_OF
from ketensim.standards.validation import validate

__all__ = ["Sample", "sample_year", "heen_types", "generate_samples", "serialize", "retour_rejections"]

# the year each release was in production (go-live year), for gemeente lists and dates
_YEAR = {"2.1": 2017, "2.2": 2018, "2.3": 2019, "2.4": 2020, "3.0": 2021, "3.1": 2022, "3.2": 2023}

# retourcode of a rejected line, per retour (codes that exist in 2.x and in 3.x lists)
_REJECTION = {
    "302": "9063",
    "306": "9019",
    "308": "9019",
    "316": "9063",
    "318": "9063",
    "320": "9063",
    "304": "0611",
    "325": "0611",
}


@dataclass(frozen=True)
class Sample:
    """One generated message: file name, message type and serialized bytes."""

    filename: str
    message_type: MessageType
    data: bytes


def sample_year(release: str) -> int:
    """The year whose gemeenten and dates samples of ``release`` use."""
    return _YEAR.get(release, 2023)


def serialize(element: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, pretty printed."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def heen_types(standard: str, release: str, message: str = "all",
               catalogue: Catalogue | None = None) -> list[MessageType]:
    """The heen message types to generate: every one of the release, or the one ``message`` names.

    ``catalogue`` is the one to take them from (a scenario's, with its draft releases); by default the known one.

    A retour number selects its heen (the retour is generated with it).

    Raises:
        UnknownMessageType: Unknown standard, release or message.
    """
    catalogue = catalogue or get_catalogue()
    entries = catalogue.select(standard=standard, release=release)
    if not entries:
        known = sorted({(e.standard, e.release) for e in catalogue})
        raise UnknownMessageType(
            f"no messages for standard {standard!r} release {release!r}; known: "
            + ", ".join(f"{s} {r}" for s, r in known)
        )
    if message == "all":
        return [e for e in entries if e.role == "heen"]
    mt = catalogue.get(standard, release, message)
    return [catalogue.get(standard, release, HEEN_OF[mt.number])] if mt.role == "retour" else [mt]


def retour_rejections(mt_retour: MessageType, payload: Payload) -> dict[str, str]:
    """Reject every line of ``payload`` with the retour's rejection code (keys as build_retour wants)."""
    code = _REJECTION[mt_retour.number]
    if isinstance(payload, DeclaratieBericht):
        return {p.referentienummer: code for c in payload.clienten for p in c.prestaties}
    if isinstance(payload, AntwoordBericht):
        return {payload.referentie_aanbieder: code}
    if isinstance(payload, VerzoekWijzigingBericht):
        return {payload.bsn: code}
    return {c.persoon.bsn: code for c in payload.clienten}  # type: ignore[union-attr]


def generate_samples(
    standard: str, release: str, message: str = "all", count: int = 1, seed: int = 0,
    catalogue: Catalogue | None = None,
) -> Iterator[Sample]:
    """Generate ``count`` valid heen messages per selected type, each followed by its retour.

    Most retours accept the heen (header only); about one in five rejects its lines with a
    retourcode and one in ten is a technical rejection (0001). Files are named after the code
    and a running number: ``WMO301_0001.xml``, ``WMO302_0001.xml``.

    Raises:
        UnknownMessageType: Unknown standard, release or message.
        ValueError: ``count`` is below 1.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1 (got {count})")
    catalogue = catalogue or get_catalogue()
    types = heen_types(standard, release, message, catalogue)
    rng = random.Random(seed)
    year = sample_year(release)
    population = build_population(
        rng,
        year=year,
        n_clients=max(20, 2 * count),
        n_aanbieders=max(5, count // 4),
        jeugd_share=1.0 if standard == "ijw" else 0.0,
    )
    clients = population.clients
    for mt in types:
        mt_retour = catalogue.get(standard, release, mt.pair) if mt.pair else None
        for i in range(1, count + 1):
            client = rng.choice(clients)
            aanbieder = population.sample_aanbieder(rng, standard)
            dagtekening = date(year, 5, 1) + timedelta(days=rng.randrange(120))
            ingang = dagtekening - timedelta(days=rng.randint(65, 240))
            toewijzing = population.new_toewijzing(rng, client, aanbieder, ingang)
            payload = make_payload(
                mt,
                gemeente=client.gemeente,
                aanbieder=aanbieder,
                client=client,
                toewijzing=toewijzing,
                identificatie=f"{mt.number}{i:09d}",
                dagtekening=dagtekening,
                rng=rng,
                mutatie=rng.choices(("nieuw", "wijziging", "intrekking"), (8, 1, 1))[0],
                factuur=rng.random() < 0.3,
            )
            heen = build(mt, payload)
            validate(mt, heen)
            yield Sample(f"{mt.code}_{i:04d}.xml", mt, serialize(heen))
            if mt_retour is None:
                continue
            r = rng.random()
            kwargs: dict[str, object] = {}
            if r < 0.1:
                kwargs["retourcodes"] = ("0001",)
            elif r < 0.3:
                kwargs["afgekeurd"] = retour_rejections(mt_retour, payload)
            retour = build_retour(
                mt_retour,
                payload,
                identificatie=f"R{mt_retour.number}{i:08d}",
                dagtekening=dagtekening + timedelta(days=rng.randint(0, 3)),
                **kwargs,  # type: ignore[arg-type]
            )
            validate(mt_retour, retour)
            yield Sample(f"{mt_retour.code}_{i:04d}.xml", mt_retour, serialize(retour))
