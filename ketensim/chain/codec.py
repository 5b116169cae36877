"""Turning a simulated message into XML: payload, build, serialize, validate.

This is the only place where the chain touches the standards package. In counting mode
(``xml=False``, for sweeps) nothing is built and every message counts as XSD-valid unless a fault
corrupts it.
"""

from __future__ import annotations

import random
from datetime import date

from lxml import etree

from ketensim.chain.caseload import Case
from ketensim.chain.message import Message
from ketensim.chain.simcal import SimCalendar
from ketensim.population import Population
from ketensim.standards.builders import build, build_retour
from ketensim.standards.catalogue import Catalogue, MessageType
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.releases import RELEASES
from ketensim.standards.validation import is_valid

__all__ = ["Codec"]

_MUTATIE = {"wijziging": "wijziging", "einde": "intrekking"}


class Codec:
    """Builds, serializes and validates the XML of simulated messages."""

    def __init__(self, catalogue: Catalogue, population: Population, calendar: SimCalendar, enabled: bool,
                 keep: bool) -> None:
        self.catalogue = catalogue
        self.calendar = calendar
        self.population = population
        self.enabled = enabled
        self.keep = keep
        self.kept: dict[str, bytes] = {}
        self._types: dict[tuple[str, str, str], MessageType] = {}

    def message_type(self, msg: Message) -> MessageType:
        key = (msg.standard, msg.release, msg.number)
        mt = self._types.get(key)
        if mt is None:
            mt = self._types[key] = self.catalogue.get(*key)
        return mt

    def encode(self, msg: Message, now: float, rng: random.Random, corrupt: bool) -> bool:
        """Build and validate ``msg`` at simulation time ``now``; True if it passes its XSD. Records its size."""
        if not self.enabled or msg.number in RELEASES[msg.release].ei_only:
            # counting mode, or a 2.0 / Jeugd-GGZ message that travelled as EI records without an XSD
            return not corrupt
        day = self.calendar.date_of(now)
        mt = self.message_type(msg)
        if msg.role == "heen":
            msg.payload = self._payload(mt, msg, msg.case, day, rng)
            element = build(mt, msg.payload)
        else:
            heen = msg.pair.heen
            assert heen is not None and heen.payload is not None
            element = build_retour(mt, heen.payload, identificatie=msg.identificatie, dagtekening=day)
            heen.payload = None  # the retour was the last message that needed it
        if corrupt:
            _corrupt(element)
        data = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
        msg.xml_bytes = len(data)
        if self.keep:
            self.kept[msg.message_id] = data
        return is_valid(mt, element)

    def _payload(self, mt: MessageType, msg: Message, case: Case, day: date, rng: random.Random) -> object:
        toewijzing = case.toewijzing(self.population)
        referentie = None
        if msg.answer_to is not None:
            referentie = f"R{msg.answer_to.seq:09d}"
        elif msg.number in ("315", "317"):
            referentie = f"R{msg.seq:09d}"
        extra: dict[str, object] = {}
        if msg.number == "301":
            extra["mutatie"] = _MUTATIE.get(msg.intent, "nieuw")
        if msg.number == "319":
            extra["verzoek_antwoord"] = "1"
        return make_payload(
            mt,
            gemeente=case.gemeente,
            aanbieder=case.aanbieder,
            client=case.client,
            toewijzing=toewijzing,
            identificatie=msg.identificatie,
            dagtekening=day,
            rng=rng,
            referentie=referentie,
            **extra,  # type: ignore[arg-type]
        )


def _corrupt(element: etree._Element) -> None:
    """Break the message the way a faulty export does: the BerichtCode of the header goes missing."""
    header = element[0]
    code = header[0]
    header.remove(code)
