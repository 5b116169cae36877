"""The scripted reference aanbieder system ("demo vendor") of a KTO rehearsal.

:class:`DemoVendor` talks to ``ketensim kto serve`` over the VECOZO-style REST interface exactly as a
vendor's aanbieder system would: it reads its mailbox, answers the heens it receives, confirms what it
read, and sends its own heens. Tests and ``ketensim kto demo-vendor`` use it to rehearse a whole
migration, either as a system that follows the draaiboek (``compliant``) or as one that makes the
mistakes a KTO should catch (``sloppy``). Everything it sends is recorded in :attr:`DemoVendor.log`,
so a test can compare the server's findings with the vendor's actions.

Behaviour ``compliant``:

* answers every 301 with a 302 and every 319 with a 320 in the step it reads them, in the heen's release;
* sends a 305 for each new toewijzing in a 301 (no ``RedenWijziging``, number not known yet) one step
  after reading it (its Begindatum: within the toewijzing's first week, not after the dagtekening
  unless the toewijzing itself starts later); sends a 307 one step after a 301 that withdraws
  (``RedenWijziging`` 05) a toewijzing it started;
* sends a 315 for a new client (fresh BSN) on the first working day it runs and then whenever three
  working days have passed since the last one, to the gemeenten of its caseload in turn;
* on the first working day of a month sends one 323 per gemeente, for one started case of that gemeente;
* holds every heen from its number's hold instant (the earliest of: the aanbieders' deadline for 305,
  the aanbieders' deadline for that number, the block of that number) until go-live, and sends what it
  held in the new release from go-live on; heens always go in the release in force (old before
  ``ingebruikname``, new from then on);
* retries a message refused with 503 in the next step, and resends a heen refused with IB103/KS03 after
  go-live in the new release;
* confirms every message it fetched.

Behaviour ``sloppy`` is the same, except that it

* defers the 302 of every third 301 it receives in the old release (the 1st, 4th, 7th …) to the block
  of 302 (or go-live if 302 has no block), then sends it in the heen's release (refused IB103, or KS03
  after go-live); a 301 read when that instant has passed is answered at once;
* never holds a heen; a 305 that comes due between its hold instant and the block of 305 is sent at
  that block, in the old release (refused IB103);
* sends its heens in the old release until a day after go-live (refused KS03);
* sends the first heen it ever sends without its ``Bsn`` (fails the XSD: CC02);
* resends nothing that was refused (503 excepted).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from lxml import etree

from ketensim.exceptions import KetensimError, UnknownMessageType, UnsafeXML
from ketensim.kto import demo_messages as dm
from ketensim.kto.demo_common import (
    BEHAVIOURS,
    MAILBOX_PAGE,
    MAX_PAGES,
    Behaviour,
    DemoSystem,
    DraaiboekView,
    PendingRetour,
    Posted,
    draaiboek_faults,
    instant,
    working_days_after,
)
from ketensim.kto.demo_messages import CaseData, Entities
from ketensim.standards.catalogue import MessageType
from ketensim.standards.releases import RETOUR_OF
from ketensim.standards.validation import validate

__all__ = ["DemoVendor", "Behaviour", "BEHAVIOURS", "DraaiboekView"]

_WORKING_DAYS_BETWEEN_315 = 3
_INTREKKING = "05"  # RedenWijziging of a 301 that withdraws the toewijzing

Builder = Callable[..., etree._Element]
_BUILDERS: dict[str, Builder] = {"305": dm.start, "307": dm.stop, "315": dm.verzoek, "323": dm.declaratie}


@dataclass
class _Outgoing:
    """A heen the vendor means to send once it is due."""

    number: str  # 305, 307, 315 or 323
    standard: str
    gemeente: str
    case_key: tuple[str, str, int] | None  # None for a 315 (a new client)
    ents: Entities | None  # fixed for a 315; drawn at sending time for a case
    not_before_step: int
    not_before: datetime | None = None
    attempts: int = 0


class DemoVendor(DemoSystem):
    """A scripted aanbieder system for a KTO rehearsal (see the module docstring for its behaviours).

    Args:
        base_url: Where ``ketensim kto serve`` listens, e.g. ``http://127.0.0.1:8080``.
        token: The session's bearer token.
        behaviour: ``compliant`` or ``sloppy``.
        seed: Seed of the vendor's one random source (identifiers, drawn client data).
        client: An :class:`httpx.Client` to use (e.g. one bound to an ASGI app in tests); the vendor
            makes and closes its own when omitted.

    Attributes:
        log: Every message it offered: ``{"at", "traceerId", "conversatieId", "alsAntwoordOp",
            "subtype", "release", "status", "codes", "faults"}``. ``status`` is the HTTP status (204
            accepted; 422, 400 or 503 refused), ``codes`` the refusal codes, ``faults`` the deliberate
            mistakes in it: ``xsd`` (payload without its Bsn), ``late_retour`` (a retour held back on
            purpose), and for a heen in the old release ``old_release`` (at/after go-live),
            ``after_block`` (at/after its number's block) or ``after_deadline`` (at/after its hold
            instant, before the block: accepted by the hubs, a procedural violation).
            ``new_release_early`` exists for completeness; neither behaviour makes it. A compliant
            vendor's entries have no faults.
        received: Every message it read: ``{"at", "traceerId", "subtype", "release", "alsAntwoordOp"}``
            (``subtype`` is ``""`` for a payload it could not read).
    """

    who = "demo vendor"
    deferred_heen = "301"

    def __init__(
        self,
        base_url: str,
        token: str,
        behaviour: str = "compliant",
        seed: int = 1,
        client: httpx.Client | None = None,
    ) -> None:
        super().__init__(base_url, token, behaviour, seed, client)
        self._ids = dm.IdentificatieCounter()
        self._agb = ""
        self._cases: dict[tuple[str, str, int], CaseData] = {}
        self._entities: dict[tuple[str, str, int], Entities] = {}
        self._started: set[tuple[str, str, int]] = set()
        self._counterparties: set[tuple[str, str]] = set()  # (standard, gemeente)
        self._outbox: list[_Outgoing] = []
        self._last_315: date | None = None
        self._sent_315 = 0
        self._declared: set[tuple[int, int]] = set()

    # --- HTTP ------------------------------------------------------------------------------------
    def _post(
        self,
        mt: MessageType,
        payload: bytes,
        *,
        gemeente: str,
        now: datetime,
        faults: list[str],
        conversatie_id: str | None = None,
        als_antwoord_op: str = "",
    ) -> Posted:
        traceer_id = dm.new_uuid(self.rng)
        conversatie_id = conversatie_id or dm.new_uuid(self.rng)
        meta = dm.bericht_metadata(mt, afzender=self._agb, geadresseerde=gemeente, conversatie_id=conversatie_id,
                                   traceer_id=traceer_id, als_antwoord_op=als_antwoord_op)
        files = {
            "berichtMetadata": (None, json.dumps(meta), "application/json"),
            "payload": ("bericht.xml", payload, "application/xml"),
        }
        response = self._request("POST", "/berichten", files=files)
        posted = Posted(response.status_code)
        if response.status_code not in (204, 400, 422, 503):
            raise self._unexpected("POST", "/berichten", response)
        if response.status_code != 204:
            try:
                meldingen = response.json().get("meldingen") or []
                posted.codes = [str(m.get("code", "")) for m in meldingen]
            except (ValueError, AttributeError):
                posted.codes = []
        self.log.append({
            "at": now.isoformat(), "traceerId": traceer_id, "conversatieId": conversatie_id,
            "alsAntwoordOp": als_antwoord_op, "subtype": mt.code, "release": mt.release,
            "status": posted.status, "codes": posted.codes, "faults": faults,
        })
        return posted

    # --- the rehearsal ---------------------------------------------------------------------------
    def _step_at(self, klok: Mapping[str, Any]) -> None:
        dr = DraaiboekView.from_klok(klok)
        now = instant(klok["nu"])
        if self._steps == 0:
            self._begin(klok)
        self._steps += 1
        self._read_mailbox(now, dr)
        self._send_late_retours(now)
        self._plan(now)
        self._send_due(now, dr)

    def _begin(self, klok: Mapping[str, Any]) -> None:
        partij = klok.get("partij") or {}
        if partij.get("soort") != "aanbieder" or not partij.get("code"):
            raise KetensimError(
                f"demo vendor: plays an aanbieder, but the session's party is {partij.get('soort')!r}"
            )
        self._agb = str(partij["code"])
        entries = self._json("GET", "/kto/clienten")
        if not isinstance(entries, list):
            raise KetensimError("demo vendor: GET /kto/clienten answered no list")
        for entry in entries:
            try:
                case = dm.case_from_clienten_entry(entry)
            except ValueError as err:
                raise KetensimError(f"demo vendor: GET /kto/clienten: {err}") from None
            self._cases[case.key] = case
            self._counterparties.add((case.standard, case.gemeente))
            if entry.get("gestart"):
                self._started.add(case.key)

    # --- reading ---------------------------------------------------------------------------------
    def _read_mailbox(self, now: datetime, dr: DraaiboekView) -> None:
        for _ in range(MAX_PAGES):
            items = self._mailbox_page()
            fresh = [item for item in items if str(item["traceerId"]) not in self._handled]
            payloads = [(item, self._payload(str(item["traceerId"]))) for item in fresh]
            for item, data in payloads:
                self._handled.add(str(item["traceerId"]))
                self._handle(item, data, now, dr)
            for item in items:
                self._confirm(str(item["traceerId"]))
            if len(items) < MAILBOX_PAGE:
                return

    def _handle(self, item: Mapping[str, Any], data: bytes, now: datetime, dr: DraaiboekView) -> None:
        record = {"at": now.isoformat(), "traceerId": str(item["traceerId"]), "subtype": "", "release": "",
                  "alsAntwoordOp": str(item.get("alsAntwoordOp") or "")}
        self.received.append(record)
        try:
            received = dm.read_heen(data)
        except (UnsafeXML, UnknownMessageType, ValueError):
            return  # nothing to answer; it is still confirmed
        mt = received.mt
        record.update(subtype=mt.code, release=mt.release)
        if mt.direction != "G2A" or mt.role != "heen":
            return  # a retour on one of its own heens: read and confirmed, nothing to answer
        # only a heen's header names the gemeente as Afzender (a retour repeats the heen's header)
        self._counterparties.add((mt.standard, received.header.afzender))
        if mt.number == "301":
            self._follow_up(received.cases)
        if mt.number in RETOUR_OF:
            self._answer(PendingRetour(received, record["traceerId"], now,
                                       conversatie_id=str(item.get("conversatieId") or "")), now, dr)

    def _follow_up(self, cases: tuple[CaseData, ...]) -> None:
        """Plan the 305 of a new toewijzing and the 307 of a withdrawn one it started."""
        for case in cases:
            known = case.key in self._cases
            self._cases[case.key] = case
            self._entities.pop(case.key, None)  # the 301 brought new facts
            if case.reden_wijziging is None and not known:
                self._queue("305", case)
            elif case.reden_wijziging == _INTREKKING and case.key in self._started:
                self._queue("307", case)

    def _queue(self, number: str, case: CaseData) -> None:
        """Send ``number`` for ``case`` one step from now (as ketensim's own aanbieders start after reading)."""
        self._outbox.append(_Outgoing(number, case.standard, case.gemeente, case.key, None, self._steps + 1))

    # --- retours ---------------------------------------------------------------------------------
    def _post_retour(self, retour: PendingRetour, now: datetime) -> Posted:
        mt = dm.retour_type(retour.received.mt)
        element = dm.retour_on(retour.received, identificatie=self._ids.next(), dagtekening=now.date())
        validate(mt, element)
        return self._post(mt, dm.to_bytes(element), gemeente=retour.received.header.afzender, now=now,
                          faults=list(retour.faults), conversatie_id=retour.conversatie_id,
                          als_antwoord_op=retour.cross)

    # --- own heens -------------------------------------------------------------------------------
    def _plan(self, now: datetime) -> None:
        today = now.date()
        if today.weekday() >= 5:
            return
        if self._last_315 is None or working_days_after(self._last_315, today) >= _WORKING_DAYS_BETWEEN_315:
            self._plan_315(today)
        if _is_first_working_day(today) and (today.year, today.month) not in self._declared:
            self._declared.add((today.year, today.month))
            self._plan_323s(today)

    def _plan_315(self, today: date) -> None:
        counterparties = sorted(self._counterparties)
        if not counterparties:
            return  # no gemeente known to ask
        standard, gemeente = counterparties[self._sent_315 % len(counterparties)]
        self._sent_315 += 1
        self._last_315 = today
        categories = sorted({c.categorie for c in self._cases.values() if c.standard == standard})
        ents = dm.new_client_entities(self.rng, standard=standard, gemeente=gemeente, agb=self._agb,
                                      dagtekening=today, categorie=self.rng.choice(categories) if categories else None)
        self._outbox.append(_Outgoing("315", standard, gemeente, None, ents, self._steps))

    def _plan_323s(self, today: date) -> None:
        by_gemeente: dict[str, tuple[str, str, int]] = {}
        for key in sorted(self._started):
            case = self._cases.get(key)
            if case is not None and case.ingangsdatum < today:
                by_gemeente.setdefault(case.gemeente, key)
        for gemeente, key in sorted(by_gemeente.items()):
            self._outbox.append(_Outgoing("323", key[0], gemeente, key, None, self._steps))

    def _due(self, out: _Outgoing, now: datetime) -> bool:
        if out.not_before_step > self._steps:
            return False
        return out.not_before is None or now >= out.not_before

    def _send_due(self, now: datetime, dr: DraaiboekView) -> None:
        waiting: list[_Outgoing] = []
        for out in self._outbox:
            if not self._due(out, now) or self._postpone(out, now, dr):
                waiting.append(out)
                continue
            out.attempts += 1
            posted = self._send_heen(out, now, dr)
            if self._retry(out, posted, dr):
                waiting.append(out)
            elif posted.status == 204 and out.number == "305" and out.case_key is not None:
                self._started.add(out.case_key)
        self._outbox = waiting

    def _postpone(self, out: _Outgoing, now: datetime, dr: DraaiboekView) -> bool:
        """Whether ``out`` waits although due: held (compliant) or pushed past the block (sloppy 305)."""
        hold_from = dr.hold_from(out.number)
        if hold_from is None or not hold_from <= now < dr.go_live:
            return False
        if not self.sloppy:
            return True
        block = dr.block(out.number)
        if out.number == "305" and block is not None and now < block:
            out.not_before = block
            return True
        return False

    def _case_entities(self, key: tuple[str, str, int], today: date) -> Entities:
        ents = self._entities.get(key)
        if ents is None:
            ents = self._entities[key] = dm.case_entities(self._cases[key], self._agb, self.rng, today)
        return ents

    def _send_heen(self, out: _Outgoing, now: datetime, dr: DraaiboekView) -> Posted:
        release = self._release(now, dr)
        mt = dm.heen_type(out.standard, release, out.number)
        ents = out.ents if out.case_key is None else self._case_entities(out.case_key, now.date())
        assert ents is not None
        element = _BUILDERS[out.number](out.standard, release, ents, identificatie=self._ids.next(),
                                        dagtekening=now.date(), rng=self.rng)
        faults = draaiboek_faults(out.number, release, now, dr)
        if self.sloppy and not self._broke_one:
            self._broke_one = True
            element = dm.break_payload(element)
            faults.insert(0, "xsd")
        else:
            validate(mt, element)
        return self._post(mt, dm.to_bytes(element), gemeente=out.gemeente, now=now, faults=faults)


def _is_first_working_day(day: date) -> bool:
    first = day.replace(day=1)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    return day == first
