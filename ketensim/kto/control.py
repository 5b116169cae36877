"""The rehearsal's own endpoints: the clock, the live conformance report, the vendor's caseload, health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ketensim.kto.conformance import conformance
from ketensim.kto.party import VendorParty
from ketensim.kto.limits import BadRequest, json_body
from ketensim.kto.session import Session
from ketensim.timeline import AMSTERDAM

__all__ = ["routes", "clock_view"]


def clock_view(session: Session, party: VendorParty, speed_text: str) -> dict[str, Any]:
    """What ``GET /kto/klok`` says: the simulated now and the draaiboek instants that bind the party."""
    s, clock, dr = session.scenario, session.world.clock, session.world.draaiboek
    return {
        "nu": session.iso(session.now),
        "snelheid": speed_text if speed_text == "step" else float(speed_text),
        "einde": session.iso(session.end),
        "klaar": session.finished,
        "overdracht": session.iso(party.handover_at),
        "ingebruikname": session.iso(dr.go_live),
        "oude_release": dr.old,
        "nieuwe_release": dr.new,
        "partij": {"soort": party.kind, "code": party.ident},
        "blokkades": [{"id": b.provenance.id, "tijdstip": session.iso(clock.to_sim(b.at)), "berichten": list(b.messages)}
                      for b in s.blocks],
        "deadlines": [{"id": d.provenance.id, "tijdstip": session.iso(clock.to_sim(d.at)), "actor": d.actor,
                       "berichten": list(d.messages)} for d in s.deadlines],
    }


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def get_clock(request: Request) -> Response:
    state = request.app.state
    return JSONResponse(clock_view(state.session, request.state.party, state.clock.speed_text))


async def move_clock(request: Request) -> Response:
    state = request.app.state
    session: Session = state.session
    if state.clock.paced:
        return JSONResponse({"title": "De klok loopt vanzelf", "status": 409, "meldingen": [],
                             "detail": "alleen een sessie met --speed step laat zich verzetten"}, status_code=409)
    body = await json_body(request)
    text = body.get("tot")
    if not isinstance(text, str):
        raise BadRequest("verwacht {\"tot\": \"<ISO 8601-tijdstip>\"}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{text[:60]!r} is geen ISO 8601-tijdstip") from None
    try:
        moment = moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment
        target = session.world.clock.to_sim(moment)
    except (OverflowError, ValueError):
        raise BadRequest(f"{text[:60]!r} ligt buiten elk bruikbaar tijdvak") from None
    if target < session.now - 1e-9:
        raise BadRequest(f"{text} ligt vóór de gesimuleerde tijd {session.iso(session.now)}; de klok gaat niet terug")
    await run_in_threadpool(session.advance, target, journal=True)
    await run_in_threadpool(state.settle)  # deliveries due by now are made before the clock answers
    state.after_input()
    return JSONResponse(clock_view(session, request.state.party, state.clock.speed_text))


async def report(request: Request) -> Response:
    session: Session = request.app.state.session
    return JSONResponse(await run_in_threadpool(conformance, session, request.state.party))


async def caseload(request: Request) -> Response:
    session: Session = request.app.state.session
    return JSONResponse(await run_in_threadpool(session.caseload, request.state.party))


routes = [
    Route("/kto/gezondheid", health, methods=["GET"]),
    Route("/kto/klok", get_clock, methods=["GET"]),
    Route("/kto/klok", move_clock, methods=["POST"]),
    Route("/kto/rapport", report, methods=["GET"]),
    Route("/kto/clienten", caseload, methods=["GET"]),
]
