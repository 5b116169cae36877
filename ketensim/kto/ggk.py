"""The GGk's side of ``OntvangAsynchroon``: a gemeente system offers its messages as StUF ggk0210 over SOAP.

``POST /ggk0210/OntvangAsynchroon`` takes a ``ggk_Di01`` (heenbericht), ``ggk_Du01`` (retourbericht)
or ``Fo01`` (foutbericht) and answers a ``Bv03`` (HTTP 200) or a SOAP fault holding a ``Fo03`` (HTTP
500), as SOAP 1.1 over HTTP prescribes. ``GET /ggk0210/OntvangAsynchroon?wsdl`` serves the WSDL.
Choices where the facts are silent (kept here):

* the envelope's ``referentienummer`` is the message's traceer-ID in the session (statuses, report);
  a Du01's ``crossRefnummer`` names the Di01 it answers by the referentienummer ketensim delivered it
  with; the conversation of a Di01 is its own referentienummer;
* ``ontvanger/organisatie`` is the final receiver (an AGB code) and ``ontvanger/applicatie`` is ``GGk``;
* payload refusals carry the same codes as on the VECOZO side (``CC02`` payload fails its XSD, ...);
  envelope refusals are ``RIN001`` and ``IB009``; a sender that is not the session's gemeente ``IB213``.

The envelope checks are :mod:`ketensim.kto.stuf`'s; the message checks are the hub's
(:mod:`ketensim.kto.judge` and the chain). This module only translates.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketensim.kto import stuf
from ketensim.kto.ids import derived_uuid
from ketensim.kto.judge import Submission
from ketensim.kto.limits import read_body
from ketensim.kto.party import VendorParty
from ketensim.kto.session import Attempt, Session
from ketensim.standards.releases import HEEN_OF

__all__ = ["routes", "PATH", "GGK"]

PATH = "/ggk0210/OntvangAsynchroon"
GGK = stuf.Party("IB", "GGKWebservice")
_XML = "text/xml; charset=utf-8"


def _fault(error: stuf.StufError, cross: str = "") -> Response:
    return Response(stuf.build_fault(error, cross_refnummer=cross), status_code=500, media_type=_XML)


def _fault_of(attempt: Attempt) -> Response:
    first = attempt.meldingen[0]
    plek = "server" if attempt.status == 503 else "client"
    toelichting = "; ".join(f"{m.code} {m.toelichting}" + (f" ({m.plek})" if m.plek else "") for m in attempt.meldingen)
    error = stuf.StufError(first.code, first.omschrijving, toelichting, plek, first.plek)
    return _fault(error, attempt.traceer_id)


async def wsdl(request: Request) -> Response:
    if "wsdl" not in request.query_params:
        return Response("GET ?wsdl for the WSDL; messages are POSTed as SOAP 1.1", status_code=405,
                        media_type="text/plain; charset=utf-8")
    address = request.app.state.base_url + PATH  # the server's own address, never the caller's Host header
    return Response(stuf.wsdl(address), media_type=_XML)


async def receive(request: Request) -> Response:
    session: Session = request.app.state.session
    party: VendorParty = request.state.party
    arrival = request.app.state.clock.target(session.now)
    if party.kind != "gemeente":
        return _fault(stuf.StufError.of("BRS02", "alleen een gemeente biedt berichten aan via de GGk-koppeling"))
    async with request.app.state.pushes:
        body = await read_body(request, stuf.MAX_ENVELOPE_BYTES)
        response = await run_in_threadpool(_handle, session, party, body, arrival)
    request.app.state.after_input()
    return response


def _handle(session: Session, party: VendorParty, body: bytes, arrival: float) -> Response:
    """Read, check and hand on one envelope (in a worker thread: parsing 26 MB must not stall the server)."""
    try:
        env = stuf.parse_request(body)
    except stuf.StufError as error:
        refused = session.refuse(party, arrival, "", "", (error.melding(),))
        return _fault_of(refused) if refused.status == 409 else _fault(error)
    refusal = _envelope_refusal(session, party, env)
    if refusal is not None:
        refused = session.refuse(party, arrival, env.referentienummer, env.functie, (refusal.melding(),))
        return _fault_of(refused) if refused.status == 409 else _fault(refusal, env.referentienummer)
    if env.operation == "Fo01":
        note = stuf.StufError(env.fout_code or "StUF055", env.fout_omschrijving or "foutbericht van de gemeente",
                              env.fout_details or env.fout_omschrijving, env.fout_plek or "client")
        noted = session.refuse(party, arrival, env.referentienummer, "Fo01", (note.melding(),), 200)
        return _fault_of(noted) if noted.status == 409 else _receipt(session, env)
    attempt = session.submit(party, _submission(env), arrival)
    if attempt.status == 204:
        return _receipt(session, env)
    return _fault_of(attempt)


def _envelope_refusal(session: Session, party: VendorParty, env: stuf.Envelope) -> stuf.StufError | None:
    """What only the envelope can get wrong beyond its XSD: who sends, to whom, and Di01 vs Du01."""
    if env.zender_organisatie != party.ident:
        known = env.zender_organisatie in {g.code for g in session.world.caseload.gemeenten}
        return stuf.StufError.of("BRS02" if known else "IB213",
                                 f"zender {env.zender_organisatie} is niet de gemeente van deze sessie ({party.ident})",
                                 pad="/stuurgegevens/zender/organisatie")
    if env.operation == "Fo01":
        return None
    if env.ontvanger_applicatie != "GGk":
        return stuf.StufError.of("RIN001", f"ontvanger/applicatie is {env.ontvanger_applicatie!r}; verwacht 'GGk'",
                                 pad="/stuurgegevens/ontvanger/applicatie")
    number = env.functie[-3:]
    is_retour = number in HEEN_OF
    if is_retour != (env.operation == "ggk_Du01"):
        wanted = "ggk_Du01" if is_retour else "ggk_Di01"
        return stuf.StufError.of("IB234", f"{env.functie} hoort in een {wanted}, niet in een {env.operation}",
                                 pad="/stuurgegevens/functie")
    return None


def _submission(env: stuf.Envelope) -> Submission:
    retour = env.operation == "ggk_Du01"
    return Submission(
        traceer_id=env.referentienummer,
        conversatie_id=env.cross_refnummer if retour else env.referentienummer,
        als_antwoord_op=env.cross_refnummer if retour else "",
        afzender=env.zender_organisatie,
        geadresseerde=env.ontvanger_organisatie,
        berichtsubtype=env.functie,
        berichtversie=env.functie_versie,
        berichtsubversie=env.functie_subversie,
        payload=env.payload,
    )


def _receipt(session: Session, env: stuf.Envelope) -> Response:
    """The Bv03 on ``env``: stamped with the simulated now, like everything ketensim sends."""
    cross = env.referentienummer
    body = stuf.build_bv03(zender=GGK, ontvanger=stuf.Party(env.zender_organisatie, env.zender_applicatie),
                           referentienummer=derived_uuid("bv03", cross), cross_refnummer=cross,
                           tijdstip=session.local(session.now))
    return Response(body, media_type=_XML)


routes = [
    Route(PATH, receive, methods=["POST"]),
    Route(PATH, wsdl, methods=["GET"]),
]
