"""One replication: a scenario and a seed wired into a SimPy world, run, and written to the ledger.

Randomness flows from the seed through named streams (``random.Random(f"{seed}:{name}")``): the
population, the traffic, every party and the faults each have their own, so adding an injection
that touches one party leaves every other party's draws unchanged.
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import simpy

from ketensim.chain.actors import SimParty
from ketensim.chain.agenda import Agenda
from ketensim.chain.caseload import Case, Caseload, build_caseload
from ketensim.chain.codec import Codec
from ketensim.chain.draaiboek import SimDraaiboek
from ketensim.chain.faults import Fault, FaultSet
from ketensim.chain.hub import Chain, Hub
from ketensim.chain.keyed import keyed
from ketensim.chain.message import Message, Pair
from ketensim.chain.municipal import regional_parties, schedule_mergers
from ketensim.chain.simcal import SimCalendar
from ketensim.chain.traffic import Traffic
from ketensim.chain.xmlwork import worker_processes
from ketensim.scenario.model import Scenario
from ketensim.scenario.world_model import ActorProfile

__all__ = ["World", "AnswerState", "PartyFactory"]

PartyFactory = Callable[["World", str, str, ActorProfile, str], SimParty]
"""Makes the party ``(world, kind, ident, profile, seed)``: :class:`SimParty` unless a rehearsal says otherwise."""

_SAMPLE_MINUTES = 15.0


@dataclass(slots=True, eq=False)
class AnswerState:
    """A functional answer being given to a request (315/317)."""

    request: Message
    answer: Message | None
    number: str  # of the answer, once the gemeente has chosen ("301" or "319")
    forbidden: bool = False
    outside: bool = False  # refused outside the berichtenverkeer (2.x has no 319)


@dataclass
class World:
    """The simulated chain of one replication."""

    scenario: Scenario
    seed: int
    xml: bool = True
    keep_xml: bool | Callable[[Message], bool] = False  # keep every document, or those a predicate picks
    faults: Fault = field(default_factory=FaultSet)
    xml_worker: bool = False  # do the XML work in a forked second process (see ketensim.chain.xmlwork)
    # makes every party; a KTO rehearsal puts a vendor's system behind one of them (see ketensim.kto.party)
    party_factory: PartyFactory = SimParty
    env: simpy.Environment = field(init=False)

    def __post_init__(self) -> None:
        s = self.scenario
        self._seed_colon = f"{self.seed}:"
        self.env = simpy.Environment()
        self.agenda = Agenda(self.env)  # the chain's own timed calls (see World.at)
        self.at = self.agenda.at  # type: ignore[method-assign]
        self.draaiboek = SimDraaiboek.from_scenario(s)
        self.clock = self.draaiboek.clock
        # processing scheduled after the window may run well past its end: keep a year of days
        self.calendar = SimCalendar(self.clock, s.window_start.date() - timedelta(days=1),
                                    s.window_end.date() + timedelta(days=400))
        year = s.population.year or s.window_start.year
        self.caseload: Caseload = build_caseload(self.stream("population"), s.population, year, s.window_start.date(),
                                                 s.standards)
        self.has_faults = not isinstance(self.faults, FaultSet) or bool(self.faults.faults)
        self.messages: list[Message] = []
        self.pairs: list[Pair] = []
        self.answers: list[AnswerState] = []
        self._answer_of: dict[int, AnswerState] = {}
        self._awaited: dict[int, AnswerState] = {}
        self._message_seq = itertools.count(1)
        self._pair_seq = itertools.count(1)
        self.in_flight = 0
        self.held = 0
        self.backlog: list[tuple[float, int]] = []
        make = self.party_factory
        self.gemeenten = {
            g.code: make(self, "gemeente", g.code, s.behaviour.gemeente, f"{self.seed}:gemeente:{g.code}")
            for g in self.caseload.gemeenten
        }
        self.aanbieders = {
            a.agb: make(self, "aanbieder", a.agb, s.behaviour.aanbieder, f"{self.seed}:aanbieder:{a.agb}")
            for a in self.caseload.population.aanbieders
        }
        # a regional organisation's members send some of their traffic through its one system
        self.regional = regional_parties(self)
        self.merged: list[tuple[str, str, float]] = []  # (gemeente, joined, when) as mergers happen
        self.chain = Chain(self, Hub("vecozo", s.behaviour.vecozo), Hub("ib", s.behaviour.ib))
        # message contents draw from their own stream, so counting mode (no XML) simulates the same chain;
        # the worker is forked last, when the population it shares with this process is complete
        self.codec = Codec(s.releases, self.caseload.population, self.calendar, enabled=self.xml,
                           keep=self.keep_xml, payload_rng=self.stream("payload"),
                           worker=worker_processes() if self.xml_worker else 0)
        self.traffic = Traffic(self, s.population)

    # --- plumbing -----------------------------------------------------------------------------
    def stream(self, name: str) -> random.Random:
        """The independent random stream ``name`` of this replication."""
        return random.Random(f"{self.seed}:{name}")

    def rng(self, key: str) -> random.Random:
        """A fresh random stream for one event or message, named by its stable ``key``.

        Deriving every draw of an event from its own key (not from a stream shared with other
        events) keeps two variants of a run aligned: a fault that adds, drops or moves one message
        changes the draws of that message and its follow-ups only.
        """
        return keyed(self._seed_colon, key)  # the stream of f"{seed}:{key}", without making that string

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` at simulation time ``t`` (now if ``t`` has passed), in SimPy's order of events.

        Every world answers this with its agenda's own ``at`` (bound in ``__post_init__``, one call
        less for each of the millions of calls a national run schedules); this method is its documentation.
        """
        self.agenda.at(t, fn, *args)

    def parties_of(self, case: Case) -> tuple[SimParty, SimParty]:
        if self.regional:
            party = self.regional.get((case.gemeente.code, case.standard))
            if party is not None:
                return party, self.aanbieders[case.aanbieder.agb]
        return self.gemeenten[case.gemeente.code], self.aanbieders[case.aanbieder.agb]

    def every_party(self) -> list[SimParty]:
        regional = list({id(p): p for p in self.regional.values()}.values())
        return list(self.gemeenten.values()) + regional + list(self.aanbieders.values())

    # --- ledger hooks -------------------------------------------------------------------------
    def new_message(self, number: str, standard: str, role: str, sender: SimParty, receiver: SimParty,
                    case: Case, pair: Pair | None, key: str) -> Message:
        if pair is None:
            pair = Pair(next(self._pair_seq))
            self.pairs.append(pair)
        msg = Message(next(self._message_seq), number, standard, role, sender, receiver, case, pair, self.env.now, key)
        if role == "heen":
            pair.heen = msg
        else:
            pair.retour = msg
        self.messages.append(msg)
        return msg

    def message_submitted(self, msg: Message) -> None:
        if msg.hub_result == "accepted":
            self.in_flight += 1

    def message_read(self, msg: Message) -> None:
        self.in_flight -= 1

    def unread_at_transition(self, msg: Message, party: SimParty) -> None:
        self.in_flight -= 1

    def drop(self, msg: Message) -> None:
        """Withdraw a held heen that may not be sent in the new release (a 319 on an old request)."""
        msg.hub_result = "withdrawn"
        if msg.pair.resent_of is not None:  # the refused original was not sent again after all
            msg.pair.resent_of.resent_as = None
        state = self._answer_of.get(msg.seq)
        if state is not None:
            state.forbidden = True

    def expect_answer(self, request: Message) -> None:
        """A gemeente has read ``request`` (315/317): a functional answer is now due."""
        state = AnswerState(request, None, "")
        self.answers.append(state)
        self._awaited[request.seq] = state

    def answer(self, gemeente: SimParty, aanbieder: SimParty, request: Message, number: str, intent: str,
               key: str) -> None:
        """The gemeente answers ``request`` with a 301 or a 319, if the standard lets it."""
        state = self._awaited.pop(request.seq, None)
        if state is None:
            return  # answered already (by a KTO vendor's gemeente, see link_answer)
        state.number = number
        release = self.draaiboek.release_at(self.env.now)
        if request.release != release and not self.scenario.answers.allows(number):
            state.forbidden = True  # given outside the berichtenverkeer (the scenario's [answers] rule)
            return
        msg = gemeente.send_heen(number, aanbieder, request.case, intent, key, answer_to=request)
        if msg is None:
            state.outside = True  # 2.x has no 319: a refusal goes outside the berichtenverkeer
            return
        state.answer, state.number = msg, msg.number
        self._answer_of[msg.seq] = state

    def awaits_answer(self, request: Message) -> bool:
        return request.seq in self._awaited

    def link_answer(self, request: Message, answer: Message) -> bool:
        """A vendor's gemeente answered ``request`` with ``answer`` (301 or 319); False if none was awaited."""
        state = self._awaited.pop(request.seq, None)
        if state is None:
            return False
        state.number, state.answer = answer.number, answer
        self._answer_of[answer.seq] = state
        if request.release != answer.release and not self.scenario.answers.allows(answer.number):
            state.forbidden = True  # the scenario's [answers] rule keeps it from crossing the release boundary
        return True

    def answer_allowed(self, msg: Message, release: str) -> bool:
        return (msg.answer_to is None or msg.answer_to.release == release
                or self.scenario.answers.allows(msg.number))

    def answer_resent(self, old: Message, new: Message) -> None:
        state = self._answer_of.pop(old.seq, None)
        if state is not None:
            state.answer = new
            self._answer_of[new.seq] = state

    # --- running ------------------------------------------------------------------------------
    def _sample_backlog(self):  # type: ignore[no-untyped-def]
        while True:
            self.backlog.append((self.env.now, self.in_flight + self.held))
            yield self.env.timeout(_SAMPLE_MINUTES)

    def start(self) -> None:
        """Set the traffic, the faults and the backlog sampler going (nothing has happened yet)."""
        self.traffic.start()
        schedule_mergers(self)
        for process in self.faults.processes(self):
            self.env.process(process)
        self.env.process(self._sample_backlog())

    def run_until(self, t: float) -> None:
        """Process every event before simulation time ``t`` (capped at the window end); ``now`` becomes ``t``.

        Events at ``t`` itself have not happened yet, so an input that arrives at ``t`` (a KTO
        vendor's message) comes before them, the same way whether the run got to ``t`` in one
        step or in many.
        """
        t = min(t, self.draaiboek.end)
        if t > self.env.now:
            self.agenda.run(t)

    def dispose(self) -> None:
        """Take the finished world apart, so that reference counting frees it at once.

        A world is one web of references (parties, their world, the scheduled calls, every
        message and its pair), so without this the garbage collector has to walk millions of
        objects to find it unreachable: a tenth of a national run in counting mode. Afterwards the
        world cannot be used; its frozen ledger (:func:`ketensim.chain.records.freeze`) holds no
        reference into it.
        """
        for pair in self.pairs:  # a message and its pair refer to each other
            pair.heen = pair.retour = pair.resent_as = pair.resent_of = None
        for party in self.every_party():
            vars(party).clear()
        self.env._queue.clear()
        self.agenda.clear()
        vars(self).clear()

    def run(self) -> None:
        """Run the replication to the end of the scenario window."""
        self.start()
        self.agenda.run(self.draaiboek.end)
