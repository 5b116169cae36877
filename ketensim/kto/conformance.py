"""The conformance report of a rehearsal, as data: requirements, pairs, refusals, protocol errors, timeline.

:func:`conformance` reads a session (live or finished) and returns one JSON-ready dict; the HTML and
JUnit renderings (:mod:`ketensim.kto.report_files`) only present it. Keys are English (as in every
ketensim result file); values a person reads (verdicts, descriptions) are Dutch.

A requirement is a draaiboek row that binds the vendor's party: each deadline for its kind, each
technical block, each read-in window of its portal, and go-live (switching release at go-live).
Its verdict is ``voldaan`` or ``niet voldaan`` once its instant has passed (``nog open`` before),
with the messages that violated it.
"""

from __future__ import annotations

from typing import Any

from ketensim.chain.message import Message, Pair
from ketensim.chain.records import freeze
from ketensim.kto.codes import CODE_TABLE_VERSION
from ketensim.kto.party import VendorParty
from ketensim.kto.session import Attempt, Session
from ketensim.ledger import PairRecord

__all__ = ["conformance", "session_report", "PAIR_CLASSES", "GOOD_CLASSES"]

PAIR_CLASSES: dict[str, str] = {
    "closed_in_time": "op tijd gesloten",
    "closed_after_deadline": "gesloten na de procedurele deadline",
    "broken": "gebroken berichtpaar",
    "rejected_resent": "geweigerd en opnieuw verstuurd in de nieuwe release",
    "rejected_not_resent": "geweigerd en niet opnieuw verstuurd",
    "retour_missing": "retourbericht ontbreekt",
    "retour_wrong_release": "retourbericht in de verkeerde release",
    "retour_refused": "retourbericht geweigerd",
    "unread_at_transition": "ongelezen bij de transitie",
    "held_at_end": "vastgehouden aan het eind",
    "open_at_end": "nog open aan het einde van het venster (de tegenpartij antwoordt later)",
    "in_progress": "loopt nog",
}
GOOD_CLASSES = frozenset({"closed_in_time", "rejected_resent", "open_at_end", "in_progress"})
_VERDICT = {True: "voldaan", False: "niet voldaan", None: "nog open"}


def _msg_ref(session: Session, msg: Message) -> dict[str, Any]:
    return {"traceerId": session.traceer_of(msg), "code": msg.code, "release": msg.release, "role": msg.role,
            "pair_id": msg.pair.pair_id,
            "submitted": session.iso(msg.submitted) if msg.submitted >= 0 else "",
            "delivered": session.iso(msg.delivered) if msg.delivered >= 0 else "",
            "result": msg.hub_result or "queued"}


def _attempt_ref(session: Session, a: Attempt) -> dict[str, Any]:
    msg = a.msg
    return {"traceerId": a.traceer_id, "subtype": a.subtype, "at": session.iso(a.t), "status": a.status,
            "meldingen": [m.as_dict() for m in a.meldingen], "pair_id": msg.pair.pair_id if msg is not None else "",
            "release": msg.release if msg is not None else "", "role": msg.role if msg is not None else ""}


def _requirements(session: Session, party: VendorParty) -> list[dict[str, Any]]:
    s, dr, now = session.scenario, session.world.draaiboek, session.now
    clock = session.world.clock
    attempts = [a for a in session.attempts if a.party is party]
    entered = [a for a in attempts if a.msg is not None]
    rows = []

    def row(ident: str, kind: str, what: str, at: float, violations: list[dict[str, Any]]) -> None:
        passed = False if violations else (True if now >= at else None)
        rows.append({"id": ident, "kind": kind, "what": what, "at": session.iso(at), "verdict": _VERDICT[passed],
                     "met": passed, "violations": violations})

    for d in s.deadlines:
        if d.actor not in (party.kind, "all"):
            continue
        at = clock.to_sim(d.at)
        late = [_attempt_ref(session, a) for a in entered
                if a.msg.number in d.messages and a.msg.release == dr.old and a.t > at]
        # an old-release heen delivered to the vendor must be answered by the deadline of its retour
        for item in party.offered:
            heen = item.msg
            if heen.role != "heen" or heen.release != dr.old or heen.retour_number not in d.messages:
                continue
            retour = heen.pair.retour
            answered_at = retour.created if retour is not None and retour.sender is party else None
            if item.offered <= at and (answered_at is None and now > at or answered_at is not None and answered_at > at):
                late.append({"traceerId": session.traceer_of(heen), "code": heen.code, "release": heen.release,
                             "role": "heen", "pair_id": heen.pair.pair_id, "at": session.iso(item.offered),
                             "problem": "niet op tijd beantwoord" if answered_at is None else "te laat beantwoord"})
        row(d.provenance.id or f"deadline {','.join(d.messages)}", "deadline", d.provenance.what, at, late)
    for b in s.blocks:
        at = clock.to_sim(b.at)
        refused = [_attempt_ref(session, a) for a in attempts if a.t >= at
                   and a.subtype[-3:] in b.messages and any(m.code == "IB103" for m in a.meldingen)]
        row(b.provenance.id or f"blokkade {','.join(b.messages)}", "block", b.provenance.what, at, refused)
    for w in s.portals:
        if w.actor != party.kind:
            continue
        end = dr.portal_cutoff[party.kind]  # the ledger's instant: the latest window end, never before the transition
        unread = [{"traceerId": session.traceer_of(i.msg), "code": i.msg.code, "release": i.msg.release,
                   "role": i.msg.role, "pair_id": i.msg.pair.pair_id, "at": session.iso(i.offered),
                   "problem": "niet ingelezen vóór het einde van het inleesvenster"}
                  for i in party.offered if i.msg.release == dr.old and i.offered < end
                  and party.confirmed.get(i.msg.seq, float("inf")) > end and (now >= end)]
        row(w.provenance.id or "inleesvenster", "portal", w.provenance.what, end, unread)
    wrong = [_attempt_ref(session, a) for a in attempts if any(m.code == "KS03" for m in a.meldingen)]
    row(s.go_live.provenance.id or "go-live", "go_live", s.go_live.provenance.what + " (vanaf dan alleen de nieuwe release)",
        dr.go_live, wrong)
    return rows


def _class(session: Session, party: VendorParty, p: PairRecord, retour_attempts: dict[str, list[Attempt]]) -> str:
    outcome = p.outcome
    if outcome in ("closed_in_time", "closed_after_deadline", "rejected_resent", "unread_at_transition",
                   "held_at_end", "retour_refused"):
        return outcome
    attempts = retour_attempts.get(p.pair_id, [])
    if any(m.code == "KS06" for a in attempts for m in a.meldingen):
        return "retour_wrong_release"
    if outcome == "rejected_not_resent":
        return outcome if session.finished else "in_progress"
    if outcome == "broken":
        if p.cause == "heen_unread":  # broken because nobody read the heen in: the reader's failing, shown as such
            return "unread_at_transition"
        if p.cause == "no_retour" and not session.finished and session.now < session.world.draaiboek.transition:
            return "in_progress"
        return "broken" if p.cause != "no_retour" or p.receiver != party.ident else "retour_missing"
    if outcome == "open_at_end":
        if not session.finished:
            return "in_progress"
        # the vendor owed this retour; a counterparty's answer still due at the window end is the horizon
        return "retour_missing" if p.receiver == party.ident else "open_at_end"
    return outcome


def _vendor_fault(session: Session, party: VendorParty, cls: str, cause: str, pair: Pair) -> bool:
    """Whether the vendor's own system owed what went wrong (not the counterparty, not the stand-in)."""
    heen, retour, dr = pair.heen, pair.retour, session.world.draaiboek
    assert heen is not None
    vendor_heen = heen.sender is party and heen.created >= party.handover_at
    if cls in GOOD_CLASSES:
        return False
    if cls in ("rejected_resent", "rejected_not_resent", "held_at_end"):
        return vendor_heen
    if cls == "closed_after_deadline":
        late_retour = (retour is not None and retour.sender is party
                       and retour.submitted > dr.deadline(retour.number, party.kind))
        return (vendor_heen and heen.submitted > dr.deadline(heen.number, party.kind)) or late_retour
    if cls == "unread_at_transition":
        unread = heen if cause == "heen_unread" else retour
        return unread is not None and unread.receiver is party
    return heen.receiver is party  # broken, retour missing, refused or in the wrong release: the vendor owed it


def conformance(session: Session, party: VendorParty | None = None) -> dict[str, Any]:
    """The conformance report of ``party`` (default: the session's first) at the session's current instant."""
    party = party or session.party
    with session.lock:
        session.mailbox(party)  # every delivered message has its traceer-ID
        dr = session.world.draaiboek
        _, pairs, _ = freeze(session.world)
        attempts = [a for a in session.attempts if a.party is party]
        ours = {a.msg.pair.pair_id for a in attempts if a.msg is not None}
        ours |= {i.msg.pair.pair_id for i in party.offered}
        by_heen: dict[str, list[Attempt]] = {}
        for a in attempts:
            heen = session.index.traceer.get(a.als_antwoord_op) if a.als_antwoord_op else None
            if heen is not None and a.status != 204:
                by_heen.setdefault(heen.pair.pair_id, []).append(a)
        pair_rows, classes = [], {name: 0 for name in PAIR_CLASSES}
        working = {pair.pair_id: pair for pair in session.world.pairs}
        for p in pairs:
            if p.pair_id not in ours:
                continue
            cls = _class(session, party, p, by_heen)
            classes[cls] += 1
            fault = _vendor_fault(session, party, cls, p.cause, working[p.pair_id])
            pair_rows.append({"pair_id": p.pair_id, "pair": p.pair, "standard": p.standard, "release": p.release,
                              "vendor_role": "verzender" if p.sender == party.ident else "ontvanger",
                              "counterparty": p.receiver if p.sender == party.ident else p.sender,
                              "class": cls, "class_text": PAIR_CLASSES[cls], "outcome": p.outcome, "cause": p.cause,
                              "needs_attention": fault,
                              "heen_submitted": p.heen_submitted, "retour_submitted": p.retour_submitted,
                              "resent_as": p.resent_as, "resent_of": p.resent_of,
                              "refused_retours": [_attempt_ref(session, a) for a in by_heen.get(p.pair_id, [])]})
        refused = [_attempt_ref(session, a) for a in attempts if a.status not in (204, 200, 503)]
        hub_down = [_attempt_ref(session, a) for a in attempts if a.status == 503]
        foutberichten = [_attempt_ref(session, a) for a in attempts if a.status == 200]
        unconfirmed = [{"traceerId": session.traceer_of(i.msg), "code": i.msg.code, "offered": session.iso(i.offered),
                        "problem": "ontvangst niet bevestigd"} for i in party.mailbox.values()]
        duplicates = [_attempt_ref(session, a) for a in attempts if any(m.code == "CC08" for m in a.meldingen)]
        timeline = sorted(
            [{"at": session.iso(a.t), "t": a.t, "event": "verzonden", "subtype": a.subtype, "status": a.status}
             for a in attempts]
            + [{"at": session.iso(i.offered), "t": i.offered, "event": "ontvangen", "subtype": i.msg.code,
                "status": 0} for i in party.offered]
            + [{"at": session.iso(t), "t": t, "event": "bevestigd", "subtype": "", "status": 0}
               for t in party.confirmed.values()],
            key=lambda e: (e["t"], e["event"]))
        requirements = _requirements(session, party)
        failed = [r for r in requirements if r["met"] is False]
        bad_pairs = sum(row["needs_attention"] for row in pair_rows)
        return {
            "session": {"scenario": session.scenario.id, "scenario_name": session.scenario.name,
                        "seed": session.spec.seed, "party": {"kind": party.kind, "code": party.ident},
                        "handover": session.iso(party.handover_at), "now": session.iso(session.now),
                        "end": session.iso(session.end), "finished": session.finished,
                        "old_release": dr.old, "new_release": dr.new, "go_live": session.iso(dr.go_live),
                        "code_table": CODE_TABLE_VERSION},
            "summary": {"requirements": len(requirements), "requirements_met": sum(r["met"] is True for r in requirements),
                        "requirements_failed": len(failed), "requirements_open": sum(r["met"] is None for r in requirements),
                        "pairs": len(pair_rows), "pair_classes": classes, "pairs_needing_attention": bad_pairs,
                        "messages_sent": len(attempts), "messages_refused": len(refused),
                        "messages_received": len(party.offered), "messages_unconfirmed": len(unconfirmed),
                        "conform": not failed and bad_pairs == 0 and not refused and not unconfirmed},
            "requirements": requirements,
            "pairs": pair_rows,
            "refused": refused,
            "protocol_errors": {"unconfirmed": unconfirmed, "duplicate_ids": duplicates},
            "hub_unavailable": hub_down,
            "error_messages_sent": foutberichten,
            "timeline": [{k: v for k, v in e.items() if k != "t"} for e in timeline],
        }


def session_report(session: Session) -> dict[str, Any]:
    """The report of a whole session: the party's report, or with two vendors, one section per party."""
    if len(session.parties) == 1:
        return conformance(session, session.party)
    sections = [conformance(session, party) for party in session.parties.values()]
    a, b = session.parties.values()
    between = [p for p in sections[0]["pairs"] if p["counterparty"] == b.ident]
    first = sections[0]["session"]
    return {
        "session": {k: v for k, v in first.items() if k != "party"} | {
            "parties": [{"kind": p.kind, "code": p.ident} for p in session.parties.values()]},
        "summary": {"conform": all(s["summary"]["conform"] for s in sections),
                    "requirements_failed": sum(s["summary"]["requirements_failed"] for s in sections),
                    "pairs_between": len(between)},
        "parties": sections,
        "between": between,
    }
