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

Its endpoint (both behaviours) answers a delivery whose payload passes its XSD with a Bv03 naming it
(``crossRefnummer`` = the delivered referentienummer), one whose payload fails with a SOAP fault holding
a Fo03 ``StUF055``, an unreadable envelope with the fault ``parse_request`` gives (RIN001, IB009), and
anything with 503 while :meth:`DemoGemeente.down` is on; every attempt is recorded in
:attr:`DemoGemeente.deliveries`, and a repeat of an accepted delivery is acknowledged but not handled again.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketensim.exceptions import KetensimError, UnknownMessageType, UnsafeXML
from ketensim.kto import demo_gemeente_messages as gm
from ketensim.kto import demo_messages as dm
from ketensim.kto import stuf
from ketensim.kto.demo_messages import CaseData, Entities, ReceivedHeen
from ketensim.kto.demo_vendor import (
    BEHAVIOURS,
    DraaiboekView,
    _draaiboek_faults,
    _earliest,
    _instant,
    _numbers,
    _working_days_after,
)
from ketensim.standards.catalogue import MessageType
from ketensim.standards.releases import RETOUR_OF
from ketensim.standards.validation import validate

__all__ = ["DemoGemeente", "MODES", "Delivery", "GemeenteEndpoint", "gemeente_view"]

MODES: tuple[str, ...] = ("webservice", "portal")
APPLICATION = "DemoGemeente"  # zender/applicatie in every envelope it sends
MAILBOX_PAGE = 250
_MAX_PAGES = 40
_MAX_ATTEMPTS = 5
_SLOPPY_OLD_RELEASE = timedelta(days=1)
_WORKING_DAYS_BETWEEN_301 = 3
_GRANT_SHARE = 0.85  # share of 315/317 requests answered with a 301 (the rest: a 319)
_SEND_PATH = "/ggk0210/OntvangAsynchroon"
Key = tuple[str, str, int]


def gemeente_view(klok: Mapping[str, Any]) -> DraaiboekView:
    """The draaiboek as ``GET /kto/klok`` tells it, with the deadlines binding gemeenten (actor gemeente/all)."""
    view = DraaiboekView.from_klok(klok)
    try:
        deadlines = tuple((_instant(d["tijdstip"]), _numbers(d)) for d in klok.get("deadlines") or ()
                          if d.get("actor") in ("gemeente", "all"))
    except (KeyError, TypeError, ValueError) as err:
        raise KetensimError(f"demo gemeente: GET /kto/klok answered unexpected deadlines: {err}") from None
    return replace(view, deadlines=deadlines)


def _hold_from(dr: DraaiboekView, number: str) -> datetime | None:
    """From when a compliant gemeente holds heen ``number`` until go-live."""
    candidates = [at for at in (_earliest(dr.deadlines, "301"), _earliest(dr.deadlines, number), dr.block(number))
                  if at is not None]
    return min(candidates) if candidates else None


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


@dataclass
class _PendingRetour:
    """A retour sent after the step its heen was read in: deliberately late (sloppy), or after a 503."""

    received: ReceivedHeen
    cross: str  # the referentienummer (webservice) or traceerId (portal) ketensim gave the heen
    at: datetime
    not_before_step: int
    faults: list[str]
    attempts: int = 0


@dataclass
class _Posted:
    status: int  # 200 accepted (Bv03), 500 refused (Fo03), 503 unavailable
    codes: list[str] = field(default_factory=list)


class DemoGemeente:
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

    def __init__(self, base_url: str, token: str, behaviour: str = "compliant", seed: int = 1,
                 mode: str = "webservice", listen: tuple[str, int] = ("127.0.0.1", 0),
                 client: httpx.Client | None = None) -> None:
        if behaviour not in BEHAVIOURS:
            raise KetensimError(f"demo gemeente: behaviour must be one of {', '.join(BEHAVIOURS)}, got {behaviour!r}")
        if mode not in MODES:
            raise KetensimError(f"demo gemeente: mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.base_url = base_url.rstrip("/")
        self.behaviour, self.mode = behaviour, mode
        self.rng = random.Random(seed)
        self.log: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.endpoint = GemeenteEndpoint(listen, self._party, self._simulated_now)
        self._http = client if client is not None else httpx.Client(timeout=30.0)
        self._owns_http = client is None
        self._auth = {"Authorization": f"Bearer {token}"}
        self._ids = dm.IdentificatieCounter("G")
        self._cbs = ""
        self._now: datetime | None = None
        self._steps = 0
        self._cases: dict[Key, CaseData] = {}
        self._agb_of: dict[Key, str] = {}
        self._entities: dict[Key, Entities] = {}
        self._counterparties: set[tuple[str, str]] = set()  # (standard, AGB)
        self._next_nummer = 0
        self._outbox: list[_Outgoing] = []
        self._late: list[_PendingRetour] = []
        self._old_305s = 0
        self._broke_one = False
        self._last_301: date | None = None
        self._sent_301 = 0
        self._handled: set[str] = set()

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> DemoGemeente:
        """Start the endpoint (webservice mode; nothing to start in portal mode)."""
        if self.mode == "webservice":
            self.endpoint.start()
        return self

    def close(self) -> None:
        """Stop the endpoint and close the HTTP client if it made it."""
        self.endpoint.close()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> DemoGemeente:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    @property
    def sloppy(self) -> bool:
        return self.behaviour == "sloppy"

    def _party(self) -> stuf.Party:
        return stuf.Party(self._cbs or "0000", APPLICATION)

    def _simulated_now(self) -> datetime | None:
        return self._now

    # --- HTTP ------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, headers: Mapping[str, str] | None = None,
                 **kwargs: Any) -> httpx.Response:
        url = self.base_url + path
        try:
            response = self._http.request(method, url, headers={**self._auth, **(headers or {})}, **kwargs)
        except httpx.TransportError as err:
            reason = (str(err).splitlines() or [type(err).__name__])[0]
            raise KetensimError(f"demo gemeente: cannot reach {url}: {reason}") from None
        if response.status_code in (401, 403):
            raise KetensimError(f"demo gemeente: {method} {url} refused the token (HTTP {response.status_code})")
        return response

    def _unexpected(self, method: str, path: str, response: httpx.Response) -> KetensimError:
        body = " ".join(response.text.split())[:200]
        return KetensimError(f"demo gemeente: {method} {path} answered HTTP {response.status_code}: {body}")

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code != 200:
            raise self._unexpected(method, path, response)
        try:
            return response.json()
        except ValueError:
            raise KetensimError(f"demo gemeente: {method} {path} answered no JSON") from None

    def _post(self, mt: MessageType, element: etree._Element, *, agb: str, now: datetime, faults: list[str],
              cross: str = "") -> _Posted:
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

    def _posted(self, response: httpx.Response) -> _Posted:
        if response.status_code == 503:
            return _Posted(503)
        if response.status_code not in (200, 500):
            raise self._unexpected("POST", _SEND_PATH, response)
        try:
            answer = stuf.parse_response(response.content)
        except stuf.StufError as err:
            raise KetensimError(f"demo gemeente: POST {_SEND_PATH} answered no Bv03 or Fo03: {err}") from None
        if isinstance(answer, stuf.Bv03):
            return _Posted(200)
        return _Posted(500, [answer.code])

    # --- the rehearsal ---------------------------------------------------------------------------
    def step(self) -> None:
        """One cycle at the simulated instant the server stands at now."""
        self._step_at(self._json("GET", "/kto/klok"))

    def rehearse(self, step_minutes: float = 60, until: str | datetime | None = None, *,
                 pause: float = 1.0) -> list[dict[str, Any]]:
        """Rehearse until the session is ``klaar`` (or ``until``); return :attr:`log`.

        On a step-clock server each step is followed by ``POST /kto/klok`` to ``step_minutes`` later;
        on a paced server it sleeps ``pause`` wall seconds between steps instead.
        """
        if step_minutes <= 0:
            raise KetensimError(f"demo gemeente: step_minutes must be positive, got {step_minutes}")
        stop_at = _instant(until) if until is not None else None
        klok = self._json("GET", "/kto/klok")
        while True:
            self._step_at(klok)
            now = _instant(klok["nu"])
            if klok.get("klaar") or (stop_at is not None and now >= stop_at):
                return self.log
            if klok.get("snelheid") == "step":
                target = now + timedelta(minutes=step_minutes)
                klok = self._json("POST", "/kto/klok",
                                  json={"tot": (min(target, stop_at) if stop_at else target).isoformat()})
            else:
                time.sleep(pause)
                klok = self._json("GET", "/kto/klok")

    def _step_at(self, klok: Mapping[str, Any]) -> None:
        dr = gemeente_view(klok)
        now = _instant(klok["nu"])
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
        for _ in range(_MAX_PAGES):
            items = self._json("GET", "/berichten")
            if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("traceerId") for i in items):
                raise KetensimError("demo gemeente: GET /berichten answered no list of messages with a traceerId")
            for item in items:
                traceer_id = str(item["traceerId"])
                if traceer_id not in self._handled:
                    self._handled.add(traceer_id)
                    found.append(Inbound(traceer_id, self._payload(traceer_id), str(item.get("alsAntwoordOp") or "")))
                self._confirm(traceer_id)
            if len(items) < MAILBOX_PAGE:
                break
        return found

    def _payload(self, traceer_id: str) -> bytes:
        path = f"/berichten/{traceer_id}/payload"
        response = self._request("GET", path)
        if response.status_code != 200:
            raise self._unexpected("GET", path, response)
        return response.content

    def _confirm(self, traceer_id: str) -> None:
        path = f"/berichten/{traceer_id}"
        response = self._request("DELETE", path)
        if response.status_code not in (200, 204):
            raise self._unexpected("DELETE", path, response)

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
        self._answer(received, inbound.ref, now, dr)
        if mt.number in ("315", "317"):
            self._plan_answer(inbound.payload, now.date())

    # --- retours ---------------------------------------------------------------------------------
    def _answer(self, received: ReceivedHeen, cross: str, now: datetime, dr: DraaiboekView) -> None:
        mt = received.mt
        if self.sloppy and mt.number == "305" and mt.release == dr.old:
            self._old_305s += 1
            late_at = dr.block(RETOUR_OF["305"]) or dr.go_live
            if self._old_305s % 3 == 1 and now < late_at:  # the 1st, 4th, 7th ...
                self._late.append(_PendingRetour(received, cross, late_at, 0, ["late_retour"]))
                return
        self._send_retour(_PendingRetour(received, cross, now, 0, []), now)

    def _send_retour(self, retour: _PendingRetour, now: datetime) -> None:
        retour.attempts += 1
        mt = dm.retour_type(retour.received.mt)
        element = gm.retour_on_heen(retour.received, identificatie=self._ids.next(), dagtekening=now.date())
        validate(mt, element)
        posted = self._post(mt, element, agb=retour.received.header.afzender, now=now, faults=list(retour.faults),
                            cross=retour.cross)
        if posted.status == 503 and retour.attempts < _MAX_ATTEMPTS:
            retour.not_before_step = self._steps + 1
            self._late.append(retour)

    def _send_late_retours(self, now: datetime) -> None:
        due = [r for r in self._late if now >= r.at and self._steps >= r.not_before_step]
        self._late = [r for r in self._late if r not in due]
        for retour in due:
            self._send_retour(retour, now)

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
        if self._last_301 is not None and _working_days_after(self._last_301, today) < _WORKING_DAYS_BETWEEN_301:
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
        hold_from = _hold_from(dr, out.number)
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

    def _retry(self, out: _Outgoing, posted: _Posted, dr: DraaiboekView) -> bool:
        if out.attempts >= _MAX_ATTEMPTS:
            return False
        if posted.status == 503:
            out.not_before_step = self._steps + 1
            return True
        if not self.sloppy and posted.status == 500 and {"IB103", "KS03"} & set(posted.codes):
            out.not_before = max(dr.go_live, out.not_before or dr.go_live)
            return True
        return False

    def _release(self, now: datetime, dr: DraaiboekView) -> str:
        if self.sloppy and now < dr.go_live + _SLOPPY_OLD_RELEASE:
            return dr.old
        return dr.release_at(now)

    def _send_heen(self, out: _Outgoing, now: datetime, dr: DraaiboekView) -> _Posted:
        release = self._release(now, dr)
        mt = dm.heen_type(out.standard, release, out.number)
        common = dict(identificatie=self._ids.next(), dagtekening=now.date(), rng=self.rng)
        if out.number == "301":
            element = gm.toewijzing(out.standard, release, out.ents, referentie=out.referentie,
                                    mutatie=out.mutatie, **common)  # type: ignore[arg-type]
        else:
            element = gm.antwoord(out.standard, release, out.ents, referentie=out.referentie or "",
                                  **common)  # type: ignore[arg-type]
        faults = _draaiboek_faults(out.number, release, now, dr)
        if self.sloppy and not self._broke_one and out.number == "301":
            self._broke_one = True
            element = dm.break_payload(element)
            faults.insert(0, "xsd")
        else:
            validate(mt, element)
        return self._post(mt, element, agb=out.agb, now=now, faults=faults)


# --- the endpoint ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    """A message to handle in the next step: delivered to the endpoint, or pulled from the portal."""

    ref: str  # the referentienummer (webservice) or traceerId (portal) ketensim gave it
    payload: bytes
    cross: str = ""  # crossRefnummer / alsAntwoordOp: which of its own messages it answers
    operation: str = ""  # ggk_Di01, ggk_Du01 or Fo01 ("" from the portal)


@dataclass
class Delivery:
    """One message ketensim delivered to the endpoint, over all its attempts."""

    referentienummer: str
    operation: str
    functie: str
    zender: str
    cross_refnummer: str
    first_at: datetime  # wall clock, UTC
    simulated_at: datetime | None  # the simulated instant the gemeente stood at then
    attempts: int = 0
    answers: list[str] = field(default_factory=list)  # per attempt: "Bv03", "503", "StUF055" …

    @property
    def accepted(self) -> int:
        """How often it was answered with a Bv03 (more than once: ketensim delivered it twice)."""
        return self.answers.count("Bv03")


class GemeenteEndpoint:
    """The gemeente's own ``OntvangAsynchroon`` endpoint: a Starlette app run by uvicorn in a background thread.

    Thread-safe: the server thread records deliveries and queues what it accepted; :meth:`drain` hands
    the queue to the rehearsal's thread. A referentienummer accepted before is answered with a Bv03
    again but not queued twice. Requests that cannot be read at all are kept in :attr:`unreadable`.
    """

    PATH = "/ontvang"

    def __init__(self, listen: tuple[str, int], party: Callable[[], stuf.Party],
                 simulated_now: Callable[[], datetime | None]) -> None:
        self.listen = listen
        self.unreadable: list[str] = []
        self._party, self._simulated_now = party, simulated_now
        self._lock = threading.Lock()
        self._queue: queue.Queue[Inbound] = queue.Queue()
        self._deliveries: dict[str, Delivery] = {}
        self._down = False
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    @property
    def url(self) -> str:
        if not self._url:
            raise KetensimError("demo gemeente: the endpoint has not been started (call start())")
        return self._url

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return [replace(d, answers=list(d.answers)) for d in self._deliveries.values()]

    def down(self, flag: bool) -> None:
        with self._lock:
            self._down = flag

    def drain(self) -> list[Inbound]:
        found: list[Inbound] = []
        while True:
            try:
                found.append(self._queue.get_nowait())
            except queue.Empty:
                return found

    def app(self) -> Starlette:
        return Starlette(routes=[Route(self.PATH, self._ontvang, methods=["POST"])])

    async def _ontvang(self, request: Request) -> Response:
        status, body = self.answer(await request.body())
        return Response(body, status, media_type="text/xml; charset=utf-8")

    def answer(self, body: bytes) -> tuple[int, bytes]:
        """Record one POST and return its HTTP status and body (503 while down)."""
        tijdstip = self._simulated_now() or datetime.now(UTC)
        with self._lock:
            down = self._down
        answer = gm.answer_delivery(body, gemeente=self._party(), tijdstip=tijdstip, attempt=self._attempt)
        env = answer.envelope
        if env is None:
            with self._lock:
                self.unreadable.append(f"{answer.verdict}: {answer.reason}")
            return (503, b"") if down else (answer.status, answer.body)
        verdict = "503" if down else answer.verdict
        with self._lock:
            delivery = self._deliveries.setdefault(env.referentienummer, Delivery(
                env.referentienummer, env.operation, env.functie, env.zender_organisatie, env.cross_refnummer,
                datetime.now(UTC), self._simulated_now()))
            delivery.attempts += 1
            delivery.answers.append(verdict)
            first_acceptance = verdict == "Bv03" and delivery.accepted == 1
        if first_acceptance:
            self._queue.put(Inbound(env.referentienummer, env.payload, env.cross_refnummer, env.operation))
        return (503, b"") if down else (answer.status, answer.body)

    def _attempt(self, referentienummer: str) -> int:
        with self._lock:
            known = self._deliveries.get(referentienummer)
            return (known.attempts if known is not None else 0) + 1

    def start(self) -> None:
        """Serve on ``listen`` in a daemon thread (idempotent); wait until it accepts connections."""
        if self._server is not None:
            return
        host, port = self.listen
        config = uvicorn.Config(self.app(), host=host, port=port, log_level="warning", lifespan="off",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="demo-gemeente-endpoint", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                raise KetensimError(f"demo gemeente: the endpoint could not listen on {host}:{port}")
            time.sleep(0.01)
        bound = self._server.servers[0].sockets[0].getsockname()
        self._url = f"http://{host}:{bound[1]}{self.PATH}"

    def close(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server, self._thread, self._url = None, None, ""
