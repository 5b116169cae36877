"""One rehearsal: a simulated chain with a vendor's system as one party, driven by that vendor's inputs.

The session owns the :class:`~ketensim.chain.world.World` (the engine of ``ketensim run``, unchanged),
the vendor's :class:`~ketensim.kto.party.VendorParty` and the :class:`~ketensim.kto.journal.Journal`.
Every input (a message offered, a receipt confirmed, the step clock moved) is applied at a simulated
instant: the world first processes every event before that instant, then the input, then the input is
journaled, and only then does the caller answer the vendor. Rebuilding a session from its journal
applies the same inputs at the same instants and reaches the same state.

All methods are thread-safe (one lock): HTTP handlers and the clock's pacer call them concurrently.
No method does network I/O; the interfaces in :mod:`ketensim.kto.vecozo` translate for them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ketensim.chain.injections import build_faults
from ketensim.chain.message import Message
from ketensim.chain.world import World
from ketensim.exceptions import KetensimError
from ketensim.kto.codes import Melding, melding
from ketensim.kto.ids import derived_uuid
from ketensim.kto.cases import VendorCases
from ketensim.kto.journal import Entry, Journal
from ketensim.kto.judge import Admitted, Context, Examined, Refused, Submission, examine, judge
from ketensim.kto.party import MailItem, VendorParty
from ketensim.scenario.loader import load_scenario_text
from ketensim.scenario.model import Scenario
from ketensim.scenario.world_sections import anchor_instants, resolve_expression
from ketensim.timeline import AMSTERDAM

__all__ = ["Session", "SessionSpec", "Attempt", "SessionError", "MAILBOX_PAGE"]

MAILBOX_PAGE = 250  # messages a mailbox listing returns at most (as VECOZO does)


class SessionError(KetensimError):
    """A rehearsal cannot be set up as asked (unknown party, start outside the window, ...)."""


@dataclass(frozen=True)
class SessionSpec:
    """What determines a rehearsal besides the vendors' inputs."""

    scenario_text: str
    scenario_name: str  # the file or bundled name it was loaded from (for messages only)
    seed: int
    parties: tuple[tuple[str, str], ...]  # (kind, code): aanbieder/AGB, gemeente/CBS; code "" lets ketensim choose
    start: str  # an instant or anchor expression; "" is the window start

    def meta(self) -> dict[str, str]:
        return {"scenario_text": self.scenario_text, "scenario_name": self.scenario_name, "seed": str(self.seed),
                "parties": json.dumps([list(p) for p in self.parties]), "start": self.start}

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> SessionSpec:
        parties = tuple((kind, code) for kind, code in json.loads(meta["parties"]))
        return cls(meta["scenario_text"], meta["scenario_name"], int(meta["seed"]), parties, meta["start"])


@dataclass(eq=False)
class Attempt:
    """One message the vendor offered: when, under which ids, and what the hub made of it."""

    party: VendorParty
    t: float
    traceer_id: str
    conversatie_id: str
    subtype: str
    status: int  # HTTP-style: 204 accepted, 422 refused, 503 hub down
    meldingen: tuple[Melding, ...] = ()
    msg: Message | None = None  # the message in the chain, when it entered it
    als_antwoord_op: str = ""
    digest: str = ""  # of the payload: an identical resend of an accepted message is answered as before


@dataclass(eq=False)
class _Index:
    """The session's look-ups of messages by the ids the vendor knows."""

    traceer: dict[str, Message] = field(default_factory=dict)
    traceer_of: dict[int, str] = field(default_factory=dict)  # message seq -> traceer-ID
    conversation_of: dict[int, str] = field(default_factory=dict)  # pair seq -> conversatie-ID
    attempts_by_traceer: dict[str, Attempt] = field(default_factory=dict)
    offered_seen: dict[str, int] = field(default_factory=dict)  # party key -> items indexed


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def start_instant(scenario: Scenario, text: str) -> datetime:
    """The hand-over instant of ``--start``: a local ISO date-time or an anchor expression."""
    if not text:
        return scenario.window_start
    anchors = anchor_instants({"window_start": scenario.window_start, "window_end": scenario.window_end,
                               "go_live": scenario.go_live.at}, list(scenario.phases), list(scenario.blocks))
    try:
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment
    except ValueError:
        try:
            moment = resolve_expression(text, anchors)
        except ValueError as err:
            raise SessionError(f"--start: {err}; or a local date-time such as 2022-03-28T09:00") from None
    if not scenario.window_start <= moment < scenario.window_end:
        raise SessionError(f"--start: {moment:%Y-%m-%d %H:%M} is outside the scenario window "
                           f"{scenario.window_start:%Y-%m-%d %H:%M} .. {scenario.window_end:%Y-%m-%d %H:%M}")
    return moment


class Session:
    """A rehearsal in progress (see the module docstring)."""

    def __init__(self, spec: SessionSpec, journal: Journal | None) -> None:
        self.spec = spec
        self.journal = journal
        self.lock = threading.RLock()
        self.scenario = load_scenario_text(spec.scenario_text, spec.scenario_name)
        if self.scenario.drafts:
            # the hub's judge and the demo systems read message types from the known catalogue only
            names = ", ".join(d.name for d in self.scenario.drafts)
            raise SessionError(f"{spec.scenario_name}: declares draft release {names} ([[release]]); a KTO rehearsal "
                               "needs releases ketensim knows (run the draft with `ketensim run` instead)")
        kinds = [kind for kind, _ in spec.parties]
        if not kinds or len(set(kinds)) != len(kinds):
            raise SessionError("--party: give one aanbieder, one gemeente, or one of each")
        self._wanted = dict(spec.parties)
        self.parties: dict[str, VendorParty] = {}  # "aanbieder:AGB" -> party, in --party order
        world = World(self.scenario, spec.seed, xml=True, keep_xml=self._keeps,
                      faults=build_faults(self.scenario, spec.seed), party_factory=self._make_party)
        self.world = world
        for kind, code in spec.parties:
            if not any(p.kind == kind for p in self.parties.values()):
                raise SessionError(f"--party {kind}:{code}: no such {kind} in scenario {self.scenario.id} with seed "
                                   f"{spec.seed}; leave the code out and ketensim picks one")
        order = [kind for kind, _ in spec.parties]
        self.parties = dict(sorted(self.parties.items(), key=lambda kv: order.index(kv[1].kind)))
        self.spec = replace(spec, parties=tuple((p.kind, p.ident) for p in self.parties.values()))
        self.attempts: list[Attempt] = []
        self.index = _Index()
        self.start = world.clock.to_sim(start_instant(self.scenario, spec.start))
        self.end = world.draaiboek.end
        world.start()
        # the stand-ins play the parties at full speed until the hand-over, then the vendors do
        world.run_until(self.start)
        for party in self.parties.values():
            party.hand_over()
        self.cases = VendorCases(world, self.parties, spec.seed)
        self._caseload = {key: self.cases.at_handover(party) for key, party in self.parties.items()}
        self._codes = {"gemeente": {g.code for g in world.caseload.gemeenten}, "aanbieder": set(world.aanbieders)}
        self._refused_heens: dict[tuple[int, str], list[Message]] = {}  # (case, receiver) -> refused vendor heens

    @property
    def party(self) -> VendorParty:
        """The first (for a one-vendor session: the only) vendor party."""
        return next(iter(self.parties.values()))

    def party_for(self, key: str) -> VendorParty:
        return self.parties[key]

    # --- setting up -----------------------------------------------------------------------------
    def _make_party(self, world: World, kind: str, ident: str, profile: Any, seed: str) -> Any:
        from ketensim.chain.actors import SimParty

        if kind in self._wanted and not any(p.kind == kind for p in self.parties.values()):
            wanted = self._wanted[kind] or self._pick(world, kind)
            if ident == wanted:
                party = VendorParty(world, kind, ident, profile, seed)
                self.parties[party.key] = party
                return party
        return SimParty(world, kind, ident, profile, seed)

    def _pick(self, world: World, kind: str) -> str:
        """The party with the most active cases (ties: the lowest code): a busy mailbox to rehearse with."""
        counts: dict[str, int] = {}
        for case in world.caseload.cases:
            code = case.aanbieder.agb if kind == "aanbieder" else case.gemeente.code
            counts[code] = counts.get(code, 0) + 1
        chosen = min(counts, key=lambda code: (-counts[code], code))
        self._wanted[kind] = chosen
        return chosen

    def _keeps(self, msg: Message) -> bool:
        return getattr(msg.receiver, "key", "") in self.parties

    @classmethod
    def create(cls, directory: Path, spec: SessionSpec) -> Session:
        """A new session journaled in ``directory``."""
        session = cls(spec, None)
        session.journal = Journal.create(directory, session.spec.meta())
        return session

    @classmethod
    def resume(cls, directory: Path) -> Session:
        """The session journaled in ``directory``, rebuilt by replaying its inputs."""
        journal = Journal.open(directory)
        session = cls(SessionSpec.from_meta(journal.meta()), None)
        for entry in journal.entries():
            session._apply(entry)
        # a paced clock moved on without inputs: go on from where the session was last noted to be
        position = journal.meta().get("position")
        if position is not None:
            session.world.run_until(float(position))
        session.journal = journal
        return session

    def note_position(self) -> None:
        """Record in the journal how far the chain has run (a resumed session goes on from there)."""
        with self.lock:
            if self.journal is not None:
                self.journal.set_meta("position", repr(self.now))

    # --- time -----------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.world.env.now

    @property
    def finished(self) -> bool:
        return self.world.env.now >= self.end

    def local(self, t: float) -> datetime:
        return self.world.clock.to_local(t)

    def iso(self, t: float) -> str:
        """Simulation minutes as ISO 8601 with the Europe/Amsterdam offset, to the second."""
        return self.local(t).isoformat(timespec="seconds")

    def advance(self, t: float, *, journal: bool = False) -> float:
        """Process the chain up to ``t`` (never backwards, never past the window end); the new now."""
        with self.lock:
            target = min(max(t, self.now), self.end)
            self.world.run_until(target)
            if journal and self.journal is not None:
                self.journal.append("advance", target, {})
            return self.now

    # --- inputs -----------------------------------------------------------------------------------
    def _apply(self, entry: Entry) -> None:
        self.world.run_until(entry.t)
        data = dict(entry.data)
        party = self.parties.get(data.pop("party", ""), None) if entry.kind != "advance" else None
        if entry.kind == "submit" and party is not None:
            self._submit(party, Submission(payload=entry.payload or b"", **data))
        elif entry.kind == "confirm" and party is not None:
            self._confirm(party, data["traceerId"])
        elif entry.kind == "refusal" and party is not None:
            self._refusal(party, data)
        elif entry.kind != "advance":
            raise SessionError(f"{self.journal.path if self.journal else 'journal'}: entry {entry.seq} has unknown "
                               f"kind {entry.kind!r}")

    def submit(self, party: VendorParty, sub: Submission, t: float) -> Attempt:
        """``party``'s system offers ``sub``, arriving at simulated ``t``; journaled before this returns.

        After the window has ended nothing is taken any more (status 409). An identical resend of a
        message that was accepted (its answer got lost) is answered as the first time, not refused.
        """
        examined = examine(sub, self._hub_rules(party))  # the costly, stateless part: outside the lock
        with self.lock:
            self.advance(t)
            traceer = sub.traceer_id.lower()
            if self.finished:
                return Attempt(party, self.now, traceer, sub.conversatie_id.lower(), sub.berichtsubtype, 409,
                               (melding("KS08", "het venster van het scenario is voorbij"),))
            earlier = self.index.attempts_by_traceer.get(traceer)
            if (earlier is not None and earlier.party is party and earlier.status == 204
                    and earlier.digest == _digest(sub.payload)):
                return earlier
            attempt = self._submit(party, sub, examined)
            if self.journal is not None:
                if attempt.msg is None:  # refused before the chain: the verdict is the input, not the bytes
                    self.journal.append("refusal", self.now, {**self._refusal_data(attempt), "party": party.key})
                else:
                    data = {k: v for k, v in sub.__dict__.items() if k != "payload"}
                    self.journal.append("submit", self.now, {**data, "party": party.key}, sub.payload)
            return attempt

    def confirm(self, party: VendorParty, traceer_id: str, t: float) -> bool | None:
        """``party`` confirms receipt of a message in its mailbox; False if there is no such message.

        None after the window has ended: nothing is taken any more.
        """
        with self.lock:
            self.advance(t)
            if self.finished:
                return None
            if not self._confirm(party, traceer_id):
                return False
            if self.journal is not None:
                self.journal.append("confirm", self.now, {"traceerId": traceer_id.lower(), "party": party.key})
            return True

    def refuse(self, party: VendorParty, t: float, traceer_id: str, subtype: str, meldingen: tuple[Melding, ...],
               status: int = 422) -> Attempt:
        """Record a message an interface refused before the hub could judge it (e.g. a bad StUF envelope).

        ``status`` 200 records a foutbericht (Fo01) the vendor sent: received, but not a message in the chain.
        """
        with self.lock:
            self.advance(t)
            if self.finished:
                return Attempt(party, self.now, traceer_id.lower(), "", subtype, 409,
                               (melding("KS08", "het venster van het scenario is voorbij"),))
            data = {"traceerId": traceer_id, "subtype": subtype, "status": status,
                    "meldingen": [m.as_dict() for m in meldingen]}
            attempt = self._refusal(party, data)
            if self.journal is not None:
                self.journal.append("refusal", self.now, {**data, "party": party.key})
            return attempt

    @staticmethod
    def _refusal_data(attempt: Attempt) -> dict[str, Any]:
        return {"traceerId": attempt.traceer_id, "subtype": attempt.subtype, "status": attempt.status,
                "conversatieId": attempt.conversatie_id, "alsAntwoordOp": attempt.als_antwoord_op,
                "meldingen": [m.as_dict() for m in attempt.meldingen]}

    def _refusal(self, party: VendorParty, data: dict[str, Any]) -> Attempt:
        meldingen = tuple(Melding(**m) for m in data["meldingen"])
        attempt = Attempt(party, self.now, data["traceerId"].lower(), data.get("conversatieId", ""), data["subtype"],
                          data["status"], meldingen, als_antwoord_op=data.get("alsAntwoordOp", ""))
        self.attempts.append(attempt)
        traceer = attempt.traceer_id
        if traceer and traceer not in self.index.attempts_by_traceer:
            self.index.attempts_by_traceer[traceer] = attempt
        return attempt

    def _confirm(self, party: VendorParty, traceer_id: str) -> bool:
        self._sync_offered()
        msg = self.index.traceer.get(traceer_id.lower())
        if msg is None or msg.seq not in party.mailbox:
            return False
        party.confirm(msg)
        return True

    def _context(self, party: VendorParty) -> Context:
        self._sync_offered()
        receivers = self._codes["gemeente" if party.kind == "aanbieder" else "aanbieder"]

        def heen(traceer: str) -> Message | None:
            msg = self.index.traceer.get(traceer)
            return msg if msg is not None and msg.receiver is party and msg.role == "heen" else None

        dr = self.world.draaiboek
        return Context(party.kind, party.ident, receivers.__contains__,
                       lambda t: t in self.index.attempts_by_traceer or t in self.index.traceer, heen,
                       lambda release, number: dr.admits(release, number, self.now), self._hub_rules(party))

    def _hub_rules(self, party: VendorParty) -> bool:
        """Whether the party's own hub applies the business rules (``[hubs.vecozo] rules``, ``[hubs.ib] rules``)."""
        behaviour = self.scenario.behaviour
        return (behaviour.vecozo if party.kind == "aanbieder" else behaviour.ib).rules

    def _submit(self, party: VendorParty, sub: Submission, examined: Examined | None = None) -> Attempt:
        now = self.now
        verdict = judge(sub, self._context(party), examined)
        traceer = sub.traceer_id.lower()
        attempt = Attempt(party, now, traceer, sub.conversatie_id.lower(), sub.berichtsubtype, 422,
                          als_antwoord_op=sub.als_antwoord_op.lower(), digest=_digest(sub.payload))
        self.attempts.append(attempt)
        if traceer and traceer not in self.index.attempts_by_traceer:
            self.index.attempts_by_traceer[traceer] = attempt
        if isinstance(verdict, Refused):
            attempt.meldingen = verdict.meldingen
            return attempt
        msg = self._enter(party, verdict, sub, traceer)
        attempt.msg = msg
        if msg.hub_result == "withdrawn":
            attempt.status = 503
            attempt.meldingen = (melding("KS07", "de hub is door een storing niet bereikbaar"),)
        elif msg.hub_result == "rejected_block":
            attempt.meldingen = (melding("IB103", f"{msg.code} is vanaf de technische blokkade niet meer toegestaan "
                                         f"in release {msg.release}", "/Bericht/Header/BerichtCode"),)
        elif msg.hub_result == "rejected_release":
            dr = self.world.draaiboek
            wanted = dr.new if now >= dr.go_live else dr.old
            attempt.meldingen = (melding("KS03", f"release {msg.release} aangeboden; op dit moment is alleen "
                                         f"release {wanted} toegestaan", "/Bericht"),)
        else:
            attempt.status = 204  # accepted, or waiting at a hub that is down (it takes it when up)
        return attempt

    def _enter(self, party: VendorParty, ok: Admitted, sub: Submission, traceer: str) -> Message:
        """Put an admitted message into the chain through the sender's hub (the chain's own judgement)."""
        world, mt = self.world, ok.mt
        if ok.heen is not None:
            heen = ok.heen
            receiver, case = heen.sender, heen.case
            request = None
        else:
            receiver = world.gemeenten[ok.receiver] if party.kind == "aanbieder" else world.aanbieders[ok.receiver]
            request = self._request_answered(party, ok)
            if request is not None and request.sender is receiver:
                case = request.case  # the answer to a 315/317 concerns the case of the request
            else:
                request = None
                case = self.cases.case_for(party, receiver, ok.bsn, mt.standard, ok.geboortedatum,
                                           world.calendar.date_of(self.now))
            heen = None
        msg = party.vendor_message(mt.number, mt.standard, mt.role, receiver, case, heen, mt.release, f"vendor:{traceer}")
        self.index.traceer[traceer] = msg
        self.index.traceer_of[msg.seq] = traceer
        if heen is None:
            self.index.conversation_of[msg.pair.seq] = sub.conversatie_id.lower()
        if mt.number == "301":
            # what the simulated aanbieder makes of it: a new toewijzing is followed by a 305 start
            new = request.number == "315" if request is not None else not case.started
            msg.intent = "toewijzing" if new else "wijziging"
        world.codec.supply(msg, sub.payload, ok.heen_header)
        world.chain.submit(msg)
        if msg.role == "heen" and msg.hub_result in ("rejected_block", "rejected_release"):
            self._refused_heens.setdefault((msg.case.seq, msg.receiver.key), []).append(msg)
        if msg.role == "heen" and msg.hub_result == "accepted":
            self._link_resend(msg)
            if request is not None:
                msg.answer_to = request
                world.link_answer(request, msg)
        return msg

    def _request_answered(self, party: VendorParty, ok: Admitted) -> Message | None:
        """The 315/317 a gemeente's 301 or 319 answers, named by its ReferentieAanbieder (ketensim's "R" + seq)."""
        if party.kind != "gemeente" or ok.mt.number not in ("301", "319"):
            return None
        ref = ok.referentie
        if len(ref) != 10 or not ref.startswith("R") or not ref[1:].isdigit():
            return None
        seq = int(ref[1:])
        messages = self.world.messages
        request = messages[seq - 1] if 0 < seq <= len(messages) else None
        if request is None or request.seq != seq or request.receiver is not party or request.number not in ("315", "317"):
            return None
        if request.read < 0 and request.seq in party.offered_seqs:
            party.expect(request)  # answered before its receipt was confirmed: the answer is due all the same
        return request if self.world.awaits_answer(request) else None

    def _link_resend(self, msg: Message) -> None:
        """A heen for the same case and counterparty that a hub refused earlier counts as resent by ``msg``."""
        for old in self._refused_heens.get((msg.case.seq, msg.receiver.key), ()):
            if old.pair.resent_as is None and self.world.draaiboek.equivalent(old.number, msg.release) == msg.number:
                old.pair.resent_as, msg.pair.resent_of = msg.pair, old.pair
                return

    def caseload(self, party: VendorParty) -> list[dict[str, Any]]:
        """``party``'s own caseload at the hand-over: what its system holds when the rehearsal starts."""
        return list(self._caseload[party.key])

    # --- what the vendor reads ------------------------------------------------------------------
    def _sync_offered(self) -> None:
        """Give every message that entered the mailbox since the last look its traceer-ID."""
        for party in self.parties.values():
            offered = party.offered
            for item in offered[self.index.offered_seen.get(party.key, 0):]:
                msg = item.msg
                if msg.seq not in self.index.traceer_of:
                    traceer = derived_uuid(self.spec.seed, "traceer", msg.seq)
                    self.index.traceer[traceer] = msg
                    self.index.traceer_of[msg.seq] = traceer
            self.index.offered_seen[party.key] = len(offered)

    def traceer_of(self, msg: Message) -> str:
        """The traceer-ID of ``msg``: the vendor's own, or the one ketensim derives for every other message."""
        return self.index.traceer_of.get(msg.seq) or derived_uuid(self.spec.seed, "traceer", msg.seq)

    def conversatie_of(self, msg: Message) -> str:
        pair_seq = msg.pair.seq
        return self.index.conversation_of.get(pair_seq) or derived_uuid(self.spec.seed, "conversatie", pair_seq)

    def mailbox(self, party: VendorParty, limit: int = MAILBOX_PAGE) -> list[MailItem]:
        """The oldest unconfirmed messages for ``party``, at most ``limit``."""
        with self.lock:
            self._sync_offered()
            return list(party.mailbox.values())[:limit]

    def message(self, traceer_id: str) -> Message | None:
        with self.lock:
            self._sync_offered()
            return self.index.traceer.get(traceer_id.lower())

    def payload(self, party: VendorParty, traceer_id: str) -> bytes | None:
        """The XML of a message delivered to ``party`` (also after it was confirmed)."""
        with self.lock:
            msg = self.message(traceer_id)
            if msg is None or msg.receiver is not party:
                return None
            return self.world.codec.kept.get(msg.message_id)
