"""The VECOZO-style REST interface an aanbieder system already speaks: push, mailbox, search, statuses.

Field names and flow follow VECOZO's VSP-Koppeling (see README, "Rehearsing a migration as a vendor").
Where the public description is silent, ketensim chose, and keeps the choices here:

* a 204 on ``POST /berichten`` carries the ids in the response headers ``traceerId`` and
  ``conversatieId`` (a 204 has no body);
* a refusal is a problem body ``{"title", "status", "traceerId", "meldingen": [{code, omschrijving,
  toelichting, plek}]}``: 400 when the request itself is malformed, 422 when the hub refuses the
  message, 503 while the hub is down (a ``storing`` injection);
* statuses are ``Ontvangen``, ``AfgekeurdDoorDienst``, ``AanbiedenMislukt``, ``Bezorgd`` and
  ``OpgehaaldDoorOntvanger`` (the receiver confirmed receipt), each with the simulated instant.

This module only translates HTTP to :class:`~ketensim.kto.session.Session` calls and back.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ketensim.chain.message import Message
from ketensim.kto.ids import is_uuid4
from ketensim.kto.judge import Submission
from ketensim.kto.party import VendorParty
from ketensim.kto.limits import MAX_META_BYTES, MAX_PAYLOAD_BYTES, BadRequest, json_body, loads, read_body
from ketensim.kto.session import MAILBOX_PAGE, Session

__all__ = ["routes", "problem"]


def problem(status: int, title: str, meldingen: list[dict[str, str]] | None = None, traceer: str = "") -> JSONResponse:
    body: dict[str, Any] = {"title": title, "status": status, "meldingen": meldingen or []}
    if traceer:
        body["traceerId"] = traceer
    return JSONResponse(body, status_code=status)


def _ended() -> dict[str, str]:
    return {"code": "KS08", "omschrijving": "De repetitie is afgelopen",
            "toelichting": "het venster van het scenario is voorbij; het rapport is geschreven", "plek": ""}


def _rol(kind: str) -> str:
    return "aanbieder" if kind == "aanbieder" else "gemeente"


def _view(session: Session, msg: Message, offered: float) -> dict[str, Any]:
    """How a message in the vendor's mailbox is listed."""
    heen = msg.pair.heen if msg.role == "retour" else None
    return {
        "traceerId": session.traceer_of(msg),
        "conversatieId": session.conversatie_of(msg),
        "alsAntwoordOp": session.traceer_of(heen) if heen is not None else "",
        "routering": {
            "afzender": {"rol": _rol(msg.sender.kind), "code": msg.sender.ident},
            "geadresseerden": [{"rol": _rol(msg.receiver.kind), "code": msg.receiver.ident}],
            "berichtstroom": {"berichttype": msg.code[:-3], "berichtsubtype": msg.code,
                              "berichtversie": msg.release.split(".")[0], "berichtsubversie": msg.release.split(".")[1]},
        },
        "aangebodenOp": session.iso(offered),
        "grootte": msg.xml_bytes,
    }


def _submission(meta: Any, payload: bytes) -> Submission:
    """The routing metadata of a push, read defensively (wrong shapes become empty fields, judged later)."""
    if not isinstance(meta, dict):
        raise BadRequest("berichtMetadata is geen JSON-object")

    def get(obj: Any, *path: Any) -> str:
        for step in path:
            if isinstance(step, int):
                obj = obj[step] if isinstance(obj, list) and len(obj) > step else None
            else:
                obj = obj.get(step) if isinstance(obj, dict) else None
        return obj.strip()[:200] if isinstance(obj, str) else ("" if obj is None else str(obj)[:200])

    return Submission(
        traceer_id=get(meta, "referentie", "traceerId"),
        conversatie_id=get(meta, "referentie", "conversatieId"),
        als_antwoord_op=get(meta, "referentie", "alsAntwoordOp"),
        afzender=get(meta, "routering", "afzender", "code"),
        geadresseerde=get(meta, "routering", "geadresseerden", 0, "code"),
        berichtsubtype=get(meta, "routering", "berichtstroom", "berichtsubtype"),
        berichtversie=get(meta, "routering", "berichtstroom", "berichtversie"),
        berichtsubversie=get(meta, "routering", "berichtstroom", "berichtsubversie"),
        payload=payload,
    )


async def push(request: Request) -> Response:
    session: Session = request.app.state.session
    party: VendorParty = request.state.party
    if party.kind != "aanbieder":
        return problem(403, "Alleen voor aanbieders", [{"code": "IB002", "omschrijving": "Niet geautoriseerd",
                                                        "toelichting": "een gemeente biedt berichten aan via de "
                                                        "GGk-koppeling (StUF)", "plek": ""}])
    arrival = request.app.state.clock.target(session.now)
    async with request.app.state.pushes:
        await read_body(request, MAX_PAYLOAD_BYTES + MAX_META_BYTES + 65536)
        try:
            form = await request.form(max_files=2, max_fields=2, max_part_size=MAX_PAYLOAD_BYTES + 1)
        except Exception as err:  # noqa: BLE001 - the multipart parser's errors vary by cause
            raise BadRequest(f"geen geldige multipart/form-data: {err}") from None
        meta_part, payload_part = form.get("berichtMetadata"), form.get("payload")
        if meta_part is None or payload_part is None:
            raise BadRequest("verwacht de delen 'berichtMetadata' (JSON) en 'payload' (het bericht)")
        meta_raw = meta_part if isinstance(meta_part, str) else (await meta_part.read()).decode("utf-8", "replace")
        if len(meta_raw) > MAX_META_BYTES:
            raise BadRequest(f"berichtMetadata is groter dan {MAX_META_BYTES} bytes")
        payload = payload_part.encode("utf-8") if isinstance(payload_part, str) else await payload_part.read()
        await form.close()
        sub = _submission(loads(meta_raw, "berichtMetadata"), payload)
        attempt = await run_in_threadpool(session.submit, party, sub, arrival)
    request.app.state.after_input()
    if attempt.status == 204:
        msg = attempt.msg
        assert msg is not None
        return Response(status_code=204, headers={"traceerId": attempt.traceer_id,
                                                  "conversatieId": session.conversatie_of(msg)})
    title = {503: "Dienst tijdelijk niet beschikbaar", 409: "De repetitie is afgelopen"}.get(attempt.status,
                                                                                             "Bericht afgekeurd")
    return problem(attempt.status, title, [m.as_dict() for m in attempt.meldingen], attempt.traceer_id)


def _traceer(request: Request) -> str:
    value = request.path_params["traceer"]
    if not is_uuid4(value.lower()):
        raise BadRequest(f"{value[:60]!r} is geen traceerId (UUID versie 4)")
    return value.lower()


async def mailbox(request: Request) -> Response:
    session: Session = request.app.state.session
    party: VendorParty = request.state.party

    def listing() -> list[dict[str, Any]]:
        with session.lock:
            return [_view(session, i.msg, i.offered) for i in session.mailbox(party, MAILBOX_PAGE)]

    return JSONResponse(await run_in_threadpool(listing))


async def payload(request: Request) -> Response:
    session: Session = request.app.state.session
    data = await run_in_threadpool(session.payload, request.state.party, _traceer(request))
    if data is None:
        return problem(404, "Onbekend bericht", [{"code": "", "omschrijving": "Onbekend bericht",
                                                  "toelichting": "geen bericht met dit traceerId voor u", "plek": ""}])
    return Response(data, media_type="application/xml")


async def confirm(request: Request) -> Response:
    session: Session = request.app.state.session
    traceer = _traceer(request)
    arrival = request.app.state.clock.target(session.now)
    done = await run_in_threadpool(session.confirm, request.state.party, traceer, arrival)
    request.app.state.after_input()
    if done is None:
        return problem(409, "De repetitie is afgelopen", [_ended()])
    if not done:
        return problem(404, "Onbekend bericht", [{"code": "", "omschrijving": "Onbekend bericht",
                                                  "toelichting": "geen onbevestigd bericht met dit traceerId in uw "
                                                                 "postbus", "plek": ""}])
    return Response(status_code=204)


async def search(request: Request) -> Response:
    session: Session = request.app.state.session
    query = await json_body(request)
    flow = query.get("berichtstroom")
    if flow is not None and not isinstance(flow, dict):
        raise BadRequest("berichtstroom is geen JSON-object")
    subtype = query.get("berichtsubtype") or (flow.get("berichtsubtype") if isinstance(flow, dict) else None)
    conversatie, answer_to = query.get("conversatieId"), query.get("alsAntwoordOp")
    for name, value in (("berichtsubtype", subtype), ("conversatieId", conversatie), ("alsAntwoordOp", answer_to)):
        if value is not None and not isinstance(value, str):
            raise BadRequest(f"{name} is geen tekst")
    party: VendorParty = request.state.party

    def find() -> list[dict[str, Any]]:
        with session.lock:
            session.mailbox(party)
            found = []
            for item in party.offered:
                view = _view(session, item.msg, item.offered)
                if ((not subtype or view["routering"]["berichtstroom"]["berichtsubtype"] == subtype.upper())
                        and (not conversatie or view["conversatieId"] == conversatie.lower())
                        and (not answer_to or view["alsAntwoordOp"] == answer_to.lower())):
                    view["bevestigd"] = item.msg.seq in party.confirmed
                    found.append(view)
            return found[:MAILBOX_PAGE]

    return JSONResponse(await run_in_threadpool(find))


def _history(session: Session, party: VendorParty, traceer: str) -> list[dict[str, Any]]:
    """The statuses of one of ``party``'s messages (sent or received); none for anyone else's."""
    attempt = session.index.attempts_by_traceer.get(traceer)
    events: list[tuple[float, str, list[dict[str, str]]]] = []
    msg = session.index.traceer.get(traceer)
    if attempt is not None and attempt.party is party:
        events.append((attempt.t, "Ontvangen", []))
        meldingen = [m.as_dict() for m in attempt.meldingen]
        if attempt.status == 503:
            events.append((attempt.t, "AanbiedenMislukt", meldingen))
        elif attempt.status != 204:
            events.append((attempt.t, "AfgekeurdDoorDienst", meldingen))
        msg = attempt.msg if attempt.status == 204 else None
    elif msg is not None and msg.receiver is party:
        item = next((i for i in party.offered if i.msg is msg), None)
        if item is not None:
            events.append((item.offered, "Bezorgd", []))
        if msg.seq in party.confirmed:
            events.append((party.confirmed[msg.seq], "OpgehaaldDoorOntvanger", []))
        msg = None
    else:
        msg = None
    if msg is not None:
        if msg.delivered >= 0:
            events.append((msg.delivered, "Bezorgd", []))
        if msg.read >= 0:
            events.append((msg.read, "OpgehaaldDoorOntvanger", []))
    return [{"status": status, "tijdstip": session.iso(t), "meldingen": m} for t, status, m in events]


async def statuses(request: Request) -> Response:
    session: Session = request.app.state.session
    traceer = request.query_params.get("traceerId", "").lower()
    conversatie = request.query_params.get("conversatieId", "").lower()
    if bool(traceer) == bool(conversatie):
        raise BadRequest("geef precies één van traceerId en conversatieId")
    for value in (traceer, conversatie):
        if value and not is_uuid4(value):
            raise BadRequest(f"{value[:60]!r} is geen UUID versie 4")
    party: VendorParty = request.state.party

    def histories() -> list[dict[str, Any]]:
        with session.lock:
            session.mailbox(party)
            if traceer:
                ids = [traceer]
            else:
                ids = [a.traceer_id for a in session.attempts if a.conversatie_id == conversatie and a.party is party]
                ids += [session.traceer_of(i.msg) for i in party.offered
                        if session.conversatie_of(i.msg) == conversatie]
            result = [{"traceerId": t, "statussen": _history(session, party, t)} for t in dict.fromkeys(ids)]
            return [r for r in result if r["statussen"]]

    result = await run_in_threadpool(histories)
    if traceer and not result:
        return problem(404, "Onbekend bericht")
    return JSONResponse(result)


routes = [
    Route("/berichten", push, methods=["POST"]),
    Route("/berichten", mailbox, methods=["GET"]),
    Route("/berichten/zoeken", search, methods=["POST"]),
    Route("/berichten/{traceer}/payload", payload, methods=["GET"]),
    Route("/berichten/{traceer}", confirm, methods=["DELETE"]),
    Route("/berichtstatussen", statuses, methods=["GET"]),
]
