"""The scripted reference gemeente system ("demo gemeente") of a KTO rehearsal.

:class:`DemoGemeente` talks to ``ketensim kto serve`` the way a gemeente system talks to the GGk: it
sends StUF ``ggk_Di01`` (heen) and ``ggk_Du01`` (retour) requests to ``POST /ggk0210/OntvangAsynchroon``
and receives either on its own ``OntvangAsynchroon`` endpoint (mode ``webservice``: a Starlette app in a
uvicorn thread, see :class:`GemeenteEndpoint`) or from the portal mailbox (mode ``portal``:
``GET /berichten``, ``GET /berichten/{id}/payload``, ``DELETE /berichten/{id}``).

Behaviour ``compliant``:

* answers every heen it receives (305, 307, 315, 317, 323) in the step it reads it, in the heen's release,
  with 306, 308, 316, 318 or a fully granted 325;
* answers a 315 or 317 functionally one step after reading it: with probability 0.85 a 301 carrying the
  request's ``ReferentieAanbieder`` (a 315: a new toewijzing of the requested product, dates and omvang;
  a 317 on a toewijzing it knows: that toewijzing as a wijziging, RedenWijziging 04), else a 319 with
  ``VerzoekAntwoord`` 1 (rejected); a 317 on a toewijzing it does not know always gets that 319;
* sends a 301 for a new client (:func:`~ketensim.kto.demo_messages.new_client_entities`) on the first
  working day it runs and then whenever three working days have passed, to the aanbieders of its
  caseload in turn (the category drawn from that aanbieder's caseload);
* holds every heen (301, 319) from its hold instant (the earliest of: the gemeente deadline for 301, the
  gemeente deadline for that number, the block of that number; deadlines with actor gemeente or all)
  until go-live and sends what it held in the new release from go-live on; heens always go in the
  release in force;
* retries whatever got a 503 in the next step (at most five offers), and resends a heen refused with
  IB103/KS03 after go-live in the new release;
* acknowledges every delivery with a Bv03 (webservice) or confirms every message it pulled (portal).

Behaviour ``sloppy`` is the same, except that it

* defers the 306 of every third 305 it receives in the old release (the 1st, 4th, 7th …) to the block
  of 306 (or go-live if 306 has no block) and then sends it in the 305's release; a 305 read when that
  instant has passed is answered at once;
* never holds a heen; a 301 or 319 that comes due between its hold instant and the block of its number
  is sent at that block, one due after the block at once, in the old release (refused IB103);
* sends its heens in the old release until a day after go-live (refused KS03);
* sends the first 301 it ever sends without its ``Bsn`` (fails the XSD: CC02);
* resends nothing that was refused (503 excepted).

Its endpoint (both behaviours) is :class:`~ketensim.kto.demo_gemeente_endpoint.GemeenteEndpoint`: a Bv03
for a delivery whose payload passes its XSD, a Fo03 ``StUF055`` for one that fails, 503 while
:meth:`DemoGemeente.down` is on; :attr:`DemoGemeente.deliveries` records every attempt. The shared parts
(the loop, the draaiboek view, retours and retries) are in :mod:`ketensim.kto.demo_common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import httpx
from lxml import etree

from ketensim.exceptions import KetensimError, UnknownMessageType, UnsafeXML
from ketensim.kto import demo_gemeente_messages as gm
from ketensim.kto import demo_messages as dm
from ketensim.kto import stuf
from ketensim.kto.demo_common import (
    MAILBOX_PAGE,
    MAX_PAGES,
    DemoSystem,
    DraaiboekView,
    PendingRetour,
    Posted,
    draaiboek_faults,
    instant,
    working_days_after,
)
from ketensim.kto.demo_gemeente_endpoint import Delivery, GemeenteEndpoint, Inbound
from ketensim.kto.demo_messages import CaseData, Entities
from ketensim.standards.catalogue import MessageType
from ketensim.standards.validation import validate

__all__ = ["DemoGemeente", "MODES", "Delivery", "GemeenteEndpoint", "gemeente_view"]

MODES: tuple[str, ...] = ("webservice", "portal")
APPLICATION = "DemoGemeente"  # zender/applicatie in every envelope it sends
_WORKING_DAYS_BETWEEN_301 = 3
_GRANT_SHARE = 0.85  # share of 315/317 requests answered with a 301 (the rest: a 319)
_SEND_PATH = "/ggk0210/OntvangAsynchroon"
Key = tuple[str, str, int]


def gemeente_view(klok: Mapping[str, Any]) -> DraaiboekView:
    """The draaiboek as ``GET /kto/klok`` tells it, with the deadlines binding gemeenten (actor gemeente/all)."""
    return DraaiboekView.from_klok(klok, side="gemeente")


@dataclass
class _Outgoing:
    """A heen (301 or 319) the gemeente means to send once it is due."""

    number: str
    standard: str
    agb: str
    ents: Entities
    not_before_step: int
    referentie: str | None = None  # ReferentieAanbieder of the request it answers
    mutatie: str = "nieuw"
    not_before: datetime | None = None
    attempts: int = 0


class DemoGemeente(DemoSystem):
    """A scripted gemeente system for a KTO rehearsal (see the module docstring for its behaviours).

    Args:
        base_url: Where ``ketensim kto serve`` listens.
        token: The session's bearer token.
        behaviour: ``compliant`` or ``sloppy``.
        seed: Seed of its one random source (referentienummers, identifiers, drawn clients, answers).
        mode: ``webservice`` (ketensim delivers to :attr:`endpoint_url`) or ``portal`` (it pulls).
        listen: Host and port of its endpoint (port 0: a free port).
        client: An :class:`httpx.Client` to use; it makes and closes its own when omitted.

    Attributes:
        log: Every request it offered: ``{"at", "traceerId" (its referentienummer), "alsAntwoordOp" (the
            crossRefnummer), "operation", "subtype", "release", "aanbieder", "status", "codes", "faults"}``.
            ``status`` is 200 (Bv03), 500 (Fo03; ``codes`` holds its code) or 503; ``faults`` are its
            deliberate mistakes: ``xsd``, ``late_retour``, and for a heen in the old release
            ``old_release``, ``after_block`` or ``after_deadline``. A compliant gemeente's entries have none.
        received: Every message it read: ``{"at", "traceerId", "subtype", "release", "alsAntwoordOp"}``.
    """

    who = "demo gemeente"
    deferred_heen = "305"
    refused_status = 500  # a Fo03 in a SOAP fault

    def __init__(self, base_url: str, token: str, behaviour: str = "compliant", seed: int = 1,
                 mode: str = "webservice", listen: tuple[str, int] = ("127.0.0.1", 0),
                 client: httpx.Client | None = None) -> None:
        if mode not in MODES:
            raise KetensimError(f"demo gemeente: mode must be one of {', '.join(MODES)}, got {mode!r}")
        super().__init__(base_url, token, behaviour, seed, client)
        self.mode = mode
        self.endpoint = GemeenteEndpoint(listen, self._party, self._simulated_now)
        self._ids = dm.IdentificatieCounter("G")
        self._cbs = ""
        self._now: datetime | None = None
        self._cases: dict[Key, CaseData] = {}
        self._agb_of: dict[Key, str] = {}
        self._entities: dict[Key, Entities] = {}
        self._counterparties: set[tuple[str, str]] = set()  # (standard, AGB)
        self._next_nummer = 0
        self._outbox: list[_Outgoing] = []
        self._last_301: date | None = None
        self._sent_301 = 0

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> DemoGemeente:
        """Start the endpoint (webservice mode; nothing to start in portal mode)."""
        if self.mode == "webservice":
            self.endpoint.start()
        return self

    def close(self) -> None:
        """Stop the endpoint and close the HTTP client if it made it."""
        self.endpoint.close()
        super().close()

    def __enter__(self) -> DemoGemeente:
        return self.start()

    @property
    def endpoint_url(self) -> str:
        """The URL to give the server as ``--deliver-to``, e.g. ``http://127.0.0.1:PORT/ontvang``."""
        return self.endpoint.url

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery its endpoint saw, one per referentienummer, with its attempts and answers."""
        return self.endpoint.deliveries

    def down(self, flag: bool = True) -> None:
        """Make the endpoint answer 503 (an outage) or serve again."""
        self.endpoint.down(flag)

    def _party(self) -> stuf.Party:
        return stuf.Party(self._cbs or "0000", APPLICATION)

    def _simulated_now(self) -> datetime | None:
        return self._now

    # --- HTTP ------------------------------------------------------------------------------------
    def _post(self, mt: MessageType, element: etree._Element, *, agb: str, now: datetime, faults: list[str],
              cross: str = "") -> Posted:
        """Offer ``element`` as a Di01 (heen) or Du01 (retour on ``cross``) and log the answer."""
        operation = "ggk_Du01" if cross else "ggk_Di01"
        referentienummer = dm.new_uuid(self.rng)
        body = stuf.build_request(
            operation, zender=self._party(), ontvanger=stuf.Party(agb, "GGk"), referentienummer=referentienummer,
            tijdstip=now, functie=mt.code, functie_versie=mt.bericht_versie, functie_subversie=mt.bericht_subversie,
            payload=dm.to_bytes(element), applicatie_versie="1", applicatie_subversie="0", cross_refnummer=cross)
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{stuf.SOAP_ACTIONS[operation]}"'}
        response = self._request("POST", _SEND_PATH, headers=headers, content=body)
        posted = self._posted(response)
        self.log.append({
            "at": now.isoformat(), "traceerId": referentienummer, "alsAntwoordOp": cross, "operation": operation,
            "subtype": mt.code, "release": mt.release, "aanbieder": agb, "status": posted.status,
            "codes": posted.codes, "faults": faults,
        })
        return posted

    def _posted(self, response: httpx.Response) -> Posted:
        if response.status_code == 503:
            return Posted(503)
        if response.status_code not in (200, 500):
            raise self._unexpected("POST", _SEND_PATH, response)
        try:
            answer = stuf.parse_response(response.content)
        except stuf.StufError as err:
            raise KetensimError(f"demo gemeente: POST {_SEND_PATH} answered no Bv03 or Fo03: {err}") from None
        if isinstance(answer, stuf.Bv03):
            return Posted(200)
        return Posted(500, [answer.code])

    # --- the rehearsal ---------------------------------------------------------------------------
    def _step_at(self, klok: Mapping[str, Any]) -> None:
        dr = gemeente_view(klok)
        now = instant(klok["nu"])
        if self._steps == 0:
            self._begin(klok)
        self._now = now
        self._steps += 1
        for inbound in self._inbound():
            self._handle(inbound, now, dr)
        self._send_late_retours(now)
        self._plan(now)
        self._send_due(now, dr)

    def _begin(self, klok: Mapping[str, Any]) -> None:
        partij = klok.get("partij") or {}
        if partij.get("soort") != "gemeente" or not partij.get("code"):
            raise KetensimError(f"demo gemeente: plays a gemeente, but the session's party is {partij.get('soort')!r}")
        self._cbs = str(partij["code"])
        self.start()
        entries = self._json("GET", "/kto/clienten")
        if not isinstance(entries, list):
            raise KetensimError("demo gemeente: GET /kto/clienten answered no list")
        for entry in entries:
            try:
                case, agb = dm.case_from_clienten_entry(entry), str(entry["aanbieder"])
            except (ValueError, KeyError, TypeError) as err:
                raise KetensimError(f"demo gemeente: GET /kto/clienten: {err}") from None
            self._remember(case, agb)
        known = [key[2] for key in self._cases]
        self._next_nummer = (max(known) if known else self.rng.randrange(1_000, 50_000_000)) + 1

    def _remember(self, case: CaseData, agb: str) -> None:
        self._cases[case.key] = case
        self._agb_of[case.key] = agb
        self._counterparties.add((case.standard, agb))

    # --- receiving -------------------------------------------------------------------------------
    def _inbound(self) -> list[Inbound]:
        if self.mode == "webservice":
            return self.endpoint.drain()
        return self._pull()

    def _pull(self) -> list[Inbound]:
        """Read the portal mailbox: every new message, each confirmed after it was fetched."""
        found: list[Inbound] = []
        for _ in range(MAX_PAGES):
            items = self._mailbox_page()
            for item in items:
                traceer_id = str(item["traceerId"])
                if traceer_id not in self._handled:
                    self._handled.add(traceer_id)
                    found.append(Inbound(traceer_id, self._payload(traceer_id), str(item.get("alsAntwoordOp") or "")))
                self._confirm(traceer_id)
            if len(items) < MAILBOX_PAGE:
                break
        return found

    def _handle(self, inbound: Inbound, now: datetime, dr: DraaiboekView) -> None:
        record = {"at": now.isoformat(), "traceerId": inbound.ref, "subtype": inbound.operation, "release": "",
                  "alsAntwoordOp": inbound.cross}
        self.received.append(record)
        if inbound.operation == "Fo01":
            return  # a refusal of one of its own messages: recorded, nothing to answer
        try:
            received = dm.read_heen(inbound.payload)
        except (UnsafeXML, UnknownMessageType, ValueError):
            return  # nothing to answer (portal mode; the endpoint refuses these with StUF055)
        mt = received.mt
        record.update(subtype=mt.code, release=mt.release)
        if mt.direction != "A2G" or mt.role != "heen":
            return  # a retour on one of its own heens
        self._counterparties.add((mt.standard, received.header.afzender))
        self._answer(PendingRetour(received, inbound.ref, now), now, dr)
        if mt.number in ("315", "317"):
            self._plan_answer(inbound.payload, now.date())

    # --- retours ---------------------------------------------------------------------------------
    def _post_retour(self, retour: PendingRetour, now: datetime) -> Posted:
        mt = dm.retour_type(retour.received.mt)
        element = gm.retour_on_heen(retour.received, identificatie=self._ids.next(), dagtekening=now.date())
        validate(mt, element)
        return self._post(mt, element, agb=retour.received.header.afzender, now=now, faults=list(retour.faults),
                          cross=retour.cross)

    # --- own heens -------------------------------------------------------------------------------
    def _plan_answer(self, payload: bytes, today: date) -> None:
        """Plan the functional answer on a 315/317, one step from now: a 301 (85 %) or a 319."""
        try:
            verzoek = gm.read_verzoek(payload)
        except (UnsafeXML, UnknownMessageType, ValueError):
            return
        grant = self.rng.random() < _GRANT_SHARE
        key = (verzoek.standard, self._cbs, verzoek.toewijzingnummer or 0)
        if verzoek.number == "315" and verzoek.categorie is not None:
            case = gm.verzoek_case(verzoek, self._new_nummer(), today)
            ents = dm.case_entities(case, verzoek.aanbieder, self.rng, today)
            if grant:  # only a granted request becomes a case of the gemeente
                self._remember(case, verzoek.aanbieder)
                self._entities[case.key] = ents
        elif verzoek.number == "317" and key in self._cases:
            ents = self._case_entities(key, today)
        else:
            grant = False
            ents = dm.new_client_entities(self.rng, standard=verzoek.standard, gemeente=self._cbs,
                                          agb=verzoek.aanbieder, dagtekening=today)
        mutatie = "nieuw" if verzoek.number == "315" else "wijziging"
        self._outbox.append(_Outgoing("301" if grant else "319", verzoek.standard, verzoek.aanbieder, ents,
                                      self._steps + 1, verzoek.referentie, mutatie))

    def _new_nummer(self) -> int:
        self._next_nummer += 1
        return self._next_nummer - 1

    def _case_entities(self, key: Key, today: date) -> Entities:
        ents = self._entities.get(key)
        if ents is None:
            ents = self._entities[key] = dm.case_entities(self._cases[key], self._agb_of[key], self.rng, today)
        return ents

    def _plan(self, now: datetime) -> None:
        today = now.date()
        if today.weekday() >= 5 or not self._counterparties:
            return
        if self._last_301 is not None and working_days_after(self._last_301, today) < _WORKING_DAYS_BETWEEN_301:
            return
        standard, agb = sorted(self._counterparties)[self._sent_301 % len(self._counterparties)]
        self._sent_301 += 1
        self._last_301 = today
        categories = sorted({c.categorie for k, c in self._cases.items() if self._agb_of[k] == agb
                             and c.standard == standard})
        ents = dm.new_client_entities(self.rng, standard=standard, gemeente=self._cbs, agb=agb, dagtekening=today,
                                      categorie=self.rng.choice(categories) if categories else None)
        ents = replace(ents, toewijzing=replace(ents.toewijzing, toewijzingnummer=self._new_nummer()))
        case = CaseData(standard, self._cbs, ents.client.bsn, ents.toewijzing.toewijzingnummer,
                        ents.product.categorie, ents.product.code, ents.toewijzing.ingangsdatum,
                        ents.toewijzing.einddatum, ents.toewijzing.omvang)
        self._remember(case, agb)
        self._entities[case.key] = ents
        self._outbox.append(_Outgoing("301", standard, agb, ents, self._steps))

    def _send_due(self, now: datetime, dr: DraaiboekView) -> None:
        waiting: list[_Outgoing] = []
        for out in self._outbox:
            due = out.not_before_step <= self._steps and (out.not_before is None or now >= out.not_before)
            if not due or self._postpone(out, now, dr):
                waiting.append(out)
                continue
            out.attempts += 1
            if self._retry(out, self._send_heen(out, now, dr), dr):
                waiting.append(out)
        self._outbox = waiting

    def _postpone(self, out: _Outgoing, now: datetime, dr: DraaiboekView) -> bool:
        """Whether ``out`` waits although due: held until go-live (compliant) or pushed to its block (sloppy)."""
        hold_from = dr.hold_from(out.number)
        if hold_from is None or not hold_from <= now < dr.go_live:
            return False
        if not self.sloppy:
            out.not_before = dr.go_live
            return True
        block = dr.block(out.number)
        if block is not None and now < block:
            out.not_before = block
            return True
        return False

    def _send_heen(self, out: _Outgoing, now: datetime, dr: DraaiboekView) -> Posted:
        release = self._release(now, dr)
        mt = dm.heen_type(out.standard, release, out.number)
        common = dict(identificatie=self._ids.next(), dagtekening=now.date(), rng=self.rng)
        if out.number == "301":
            element = gm.toewijzing(out.standard, release, out.ents, referentie=out.referentie,
                                    mutatie=out.mutatie, **common)  # type: ignore[arg-type]
        else:
            element = gm.antwoord(out.standard, release, out.ents, referentie=out.referentie or "",
                                  **common)  # type: ignore[arg-type]
        faults = draaiboek_faults(out.number, release, now, dr)
        if self.sloppy and not self._broke_one and out.number == "301":
            self._broke_one = True
            element = dm.break_payload(element)
            faults.insert(0, "xsd")
        else:
            validate(mt, element)
        return self._post(mt, element, agb=out.agb, now=now, faults=faults)
