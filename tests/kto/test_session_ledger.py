"""The vendor party keeps the ledger whole: stand-in work after the hand-over, a gemeente's new clients,
functional answers given before the receipt is confirmed (in-process sessions; the server adds only HTTP)."""

from __future__ import annotations

import dataclasses
import random
import uuid
from datetime import date

from ketensim._resources import scenario_path
from ketensim.chain.records import freeze
from ketensim.kto import demo_gemeente_messages as gm
from ketensim.kto import demo_messages as dm
from ketensim.kto.conformance import conformance
from ketensim.kto.judge import Submission
from ketensim.kto.session import Session, SessionSpec


def _session(name: str, kind: str, start: str, text: str | None = None) -> Session:
    text = text if text is not None else scenario_path(name).read_text(encoding="utf-8")
    return Session(SessionSpec(text, name, 1, ((kind, ""),), start), None)


def test_a_stand_in_resend_withdrawn_after_the_hand_over_leaves_the_ledger_whole():
    # refused heens of the stand-in are resent at go-live; the hand-over comes between refusal and resend
    text = scenario_path("whatif-corrupt").read_text(encoding="utf-8").replace(
        'start = "go_live"\nend = "go_live + 7d"', 'start = "heen_block - 5d"\nend = "go_live"').replace(
        "share = 0.01", "share = 0.2")
    session = _session("whatif-corrupt", "aanbieder", "2022-04-02T10:45", text)
    session.advance(session.end)
    freeze(session.world)  # raises ConservationError if a pair points to a withdrawn resend
    report = conformance(session)
    assert report["session"]["finished"]
    withdrawn = [m for m in session.world.messages if m.hub_result == "withdrawn" and m.pair.resent_of is not None]
    assert withdrawn, "the scenario should make the stand-in's resends end withdrawn"
    assert all(m.pair.resent_of.resent_as is None for m in withdrawn)


def _submit_301(session: Session, agb_case: dict, referentie: str | None = None, bsn: str | None = None,
                seed: int = 3) -> object:
    party = session.party
    rng = random.Random(seed)
    today = session.world.calendar.date_of(session.now)
    if referentie is None:
        ents = dm.new_client_entities(rng, standard=agb_case["standaard"], gemeente=party.ident,
                                      agb=agb_case["aanbieder"], dagtekening=today)
        if bsn is not None:  # a BSN the vendor's test data happens to share with someone else
            ents = dataclasses.replace(ents, client=dataclasses.replace(ents.client, bsn=bsn),
                                       toewijzing=dataclasses.replace(ents.toewijzing, bsn=bsn))
    else:
        ents = dm.case_entities(dm.case_from_clienten_entry(agb_case), agb_case["aanbieder"], rng, today)
    element = gm.toewijzing(agb_case["standaard"], "3.0", ents, identificatie="G00000000001", dagtekening=today,
                            rng=rng, referentie=referentie)
    payload = dm.to_bytes(element)
    # a fixed traceerId: the message's key is made from it, and the counterparty's draws from the key
    traceer = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    code = ("WMO" if agb_case["standaard"] == "iwmo" else "JW") + "301"
    sub = Submission(traceer, traceer, "", party.ident, agb_case["aanbieder"], code, "3", "0", payload)
    return session.submit(party, sub, session.now), ents


def test_a_gemeentes_toewijzing_for_a_new_client_is_started_by_the_simulated_aanbieder():
    session = _session("2022-3.0-3.1", "gemeente", "heen_block - 3d")
    entry = session.caseload(session.party)[0]
    attempt, ents = _submit_301(session, entry)
    assert attempt.status == 204, attempt.meldingen
    session.advance(session.end)  # the aanbieder's start time is drawn: it may take more than a week
    starts = [m for m in session.world.messages if m.number == "305" and m.case is attempt.msg.case]
    assert starts and starts[0].sender.ident == entry["aanbieder"]  # the 305 follows the vendor's 301


def test_a_functional_answer_sent_before_the_receipt_is_confirmed_still_counts():
    session = _session("2022-3.0-3.1", "gemeente", "heen_block - 3d")
    party = session.party
    session.advance(session.now + 24 * 60)  # requests arrive in the mailbox (before the heen block)
    requests = [i.msg for i in session.mailbox(party) if i.msg.number == "315" and i.msg.read < 0]
    assert requests, "a 315 should be waiting in the gemeente's mailbox"
    request = requests[0]
    entry = {"bsn": request.case.client.bsn, "standaard": request.standard, "gemeente": party.ident,
             "aanbieder": request.sender.ident, "toewijzingnummer": 1, "product": {"categorie": "10", "code": None},
             "ingangsdatum": date(2022, 4, 1).isoformat(), "einddatum": None, "gestart": False}
    attempt, _ = _submit_301(session, entry, referentie=f"R{request.seq:09d}")
    assert attempt.status == 204, attempt.meldingen
    assert attempt.msg.answer_to is request and attempt.msg.case is request.case
    session.advance(session.end)
    _, _, answers = freeze(session.world)
    mine = [a for a in answers if a.request_pair_id == request.pair.pair_id]
    assert [a.outcome for a in mine] == ["same_release"]


def test_a_new_client_with_a_bsn_the_population_has_elsewhere_keeps_its_own_gemeente_and_birth_date():
    """The simulated aanbieder's 305 for the vendor's new client is about that client, not about the
    population's client of another gemeente who happens to have the same BSN."""
    session = _session("2022-3.0-3.1", "gemeente", "heen_block - 3d")
    entry = session.caseload(session.party)[0]
    other = next(c for c in session.world.caseload.population.clients
                 if c.gemeente.code != session.party.ident and c.standard == entry["standaard"])
    attempt, ents = _submit_301(session, entry, bsn=other.bsn)
    assert attempt.status == 204, attempt.meldingen
    assert ents.client.geboortedatum != other.geboortedatum
    # a second case of the same person at another aanbieder is about the same client
    second = next(e for e in session.caseload(session.party) if e["aanbieder"] != entry["aanbieder"]
                  and e["standaard"] == entry["standaard"])
    again, _ = _submit_301(session, second, bsn=other.bsn, seed=4)
    assert again.status == 204, again.meldingen
    assert again.msg.case is not attempt.msg.case and again.msg.case.client is attempt.msg.case.client
    session.advance(session.end)
    [start] = [m for m in session.world.messages if m.number == "305" and m.case is attempt.msg.case]
    xml = session.world.codec.kept[start.message_id].decode()
    assert f">{other.bsn}<" in xml
    assert f">{session.party.ident}<" in xml and f">{other.gemeente.code}<" not in xml
    assert ents.client.geboortedatum.isoformat() in xml and other.geboortedatum.isoformat() not in xml
    # the population's own client keeps its own details in its own traffic
    assert session.world.codec._encoder.clients[other.bsn] is other
