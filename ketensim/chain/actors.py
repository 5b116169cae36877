"""Gemeenten and aanbieders as simulated parties: reading in, working, answering, sending.

A party's behaviour sits behind one small interface, :class:`~ketensim.chain.message.Party`: the chain hands it what the
hub delivers (``on_delivered``) and tells it when a hub refused one of its messages
(``on_rejected``). :class:`SimParty` is the simulated implementation; a KTO rehearsal
can put a vendor's own system behind the same interface for one party.

A simulated party reads its hub inbox on a schedule (webservice users poll every few minutes in
working time, portal users read in by hand once a working day, everyone reads in during the
portal window before the transition), processes in working time with Dutch public holidays,
answers every heen with a retour in the heen's release, and respects the procedural deadlines
if it is one of the compliant parties.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ketensim.chain.hubcheck import REFUSALS
from ketensim.chain.message import Message
from ketensim.scenario.world_model import ActorProfile
from ketensim.chain.simcal import minute_of_day

if TYPE_CHECKING:
    from ketensim.chain.caseload import Case
    from ketensim.chain.ports import ChainWorld

__all__ = ["SimParty"]


class SimParty:
    """A simulated gemeente or aanbieder."""

    external = False  # True for a party whose messages come from a vendor's system (see ketensim.kto.party)

    def answers_itself(self, request: Message) -> bool:
        """Whether someone outside the simulation gives the functional answer to ``request`` (never, here)."""
        return False

    def __init__(self, world: ChainWorld, kind: str, ident: str, profile: ActorProfile, seed: str) -> None:
        self.world = world
        self.kind = kind
        self.ident = ident
        self.key = f"{kind}:{ident}"
        self.profile = profile
        self.rng = random.Random(seed)
        self.compliant = self.rng.random() < profile.deadline_compliance
        self.portal_user = self.rng.random() < profile.portal_share
        self.poll_offset = self.rng.uniform(0, profile.poll_minutes)
        self.work_start = minute_of_day(profile.work_start)
        self.work_end = minute_of_day(profile.work_end)
        self.read_at = minute_of_day(profile.portal_read_at)
        draaiboek = world.draaiboek
        self.ready_at = draaiboek.go_live
        if self.rng.random() >= profile.ready_at_go_live:
            self.ready_at += profile.not_ready_hours.sample(self.rng) * 60.0
        injected = world.faults.not_ready_until(self)
        if injected is not None:
            self.ready_at = max(self.ready_at, injected)
        self.misses_window = world.faults.misses_portal_window(self)

    # --- time helpers (simulation minutes, see ketensim.chain.simcal) -------------------------
    def working_after(self, t: float, hours: float) -> float:
        return self.world.calendar.add_working(t, hours * 60.0, self.work_start, self.work_end)

    def next_working(self, t: float) -> float:
        return self.world.calendar.next_working(t, self.work_start, self.work_end)

    def _next_read(self, t: float) -> float:
        """When this party next reads its inbox at or after ``t`` in its normal routine."""
        calendar = self.world.calendar
        if self.portal_user:
            return calendar.next_daily(t, self.read_at)
        return calendar.next_poll(t, self.work_start + self.poll_offset, self.profile.poll_minutes, self.work_end)

    # --- receiving ----------------------------------------------------------------------------
    def on_delivered(self, msg: Message) -> None:
        world, dr = self.world, self.world.draaiboek
        visible = msg.delivered
        read = self._next_read(visible)
        if world.has_faults:
            suspended = world.faults.read_suspended_until(self, read)
            if suspended is not None:
                read = self._next_read(suspended)
        cutoff = dr.portal_cutoff[self.kind]
        if msg.release == dr.old:
            if not self.misses_window and visible < cutoff and read > dr.portal_open[self.kind]:
                read = min(read, max(visible, dr.portal_open[self.kind]))
            if read > cutoff:
                msg.pair.unread = True
                world.unread_at_transition(msg, self)
                return
        elif read < self.ready_at:
            read = self._next_read(self.ready_at)
        world.at(read, self._read, msg)

    def _read(self, msg: Message) -> None:
        world = self.world
        msg.read = world.env.now
        world.message_read(msg)
        if msg.role == "heen":
            self._schedule_retour(msg)
            world.traffic.on_read(self, msg)

    def _schedule_retour(self, heen: Message) -> None:
        world, p = self.world, self.profile
        now = world.env.now
        slow = heen.number in ("303", "323")
        hours = (p.answer_hours if slow else p.retour_hours).sample(world.rng(heen.key + "<retour"))
        factor = world.faults.response_factor(self, heen, now) if world.has_faults else 1.0
        planned = self.working_after(now, hours * factor)
        # a slowed party cannot hurry for the deadline: that is what the slowness means
        send = planned if factor > 1 else self.respond_by(heen, now, planned, (heen.retour_number,))
        world.at(send, self._send_retour, heen)

    def respond_by(self, heen: Message, now: float, planned: float, numbers: tuple[str, ...]) -> float:
        """When to answer ``heen`` with one of ``numbers``: as planned, or earlier to meet the draaiboek.

        A compliant party that reads an old-release heen in time makes sure its answer leaves no
        later than ``deadline_margin_minutes`` before the deadline (or block) of that answer, and
        within its working hours (stretched by ``overtime_minutes``): if no working time is left
        before that moment, it cannot hurry and answers as planned.
        """
        dr = self.world.draaiboek
        if heen.release != dr.old or not self.compliant:
            return planned
        due = dr.due(numbers, self.kind) - self.profile.deadline_margin_minutes
        if now >= due or planned <= due:
            return planned
        overtime = self.profile.overtime_minutes
        latest = self.world.calendar.last_working(due, max(180.0, self.work_start - overtime),
                                                  min(1440.0, self.work_end + overtime))
        return latest if latest is not None and latest >= now else planned

    def _send_retour(self, heen: Message) -> None:
        world = self.world
        now = world.env.now
        retour = world.new_message(heen.retour_number, heen.standard, "retour", self, heen.sender, heen.case, heen.pair,
                                   heen.key + "<retour")
        retour.release = heen.release
        if heen.release == world.draaiboek.old and now > world.draaiboek.deadline(retour.number, self.kind):
            heen.pair.late = True
        world.chain.submit(retour)

    # --- sending ------------------------------------------------------------------------------
    def send_heen(self, number: str, receiver: SimParty, case: Case, intent: str, key: str,
                  answer_to: Message | None = None, spoed: bool = False) -> Message | None:
        """Create a heen now and send it, hold it, or drop it if the release has no such message."""
        world = self.world
        release = world.draaiboek.release_at(world.env.now)
        actual = world.draaiboek.equivalent(number, release)
        if actual is None:
            return None
        msg = world.new_message(actual, case.standard, "heen", self, receiver, case, None, key)
        msg.release = release
        msg.intent, msg.answer_to, msg.spoed = intent, answer_to, spoed
        self.dispatch(msg)
        return msg

    def dispatch(self, msg: Message) -> None:
        """Send ``msg`` now unless a deadline (compliant parties) or readiness makes it wait."""
        world, dr = self.world, self.world.draaiboek
        now = world.env.now
        if now < dr.go_live:
            past = now > dr.deadline(msg.number, self.kind) or now >= dr.block(msg.number) or now >= dr.transition
            if past:
                if self.compliant and not world.faults.ignores_deadline(self, msg, now):
                    self._hold(msg, dr.go_live)
                    return
                msg.pair.late = True
        elif now < self.ready_at:
            self._hold(msg, self.ready_at)
            return
        release = dr.release_at(now)
        if release != msg.release:
            number = dr.equivalent(msg.number, release)
            if number is None or not world.answer_allowed(msg, release):
                world.drop(msg)
                return
            msg.number = number
        msg.release = release
        world.chain.submit(msg)

    def _hold(self, msg: Message, until: float) -> None:
        world = self.world
        msg.hub_result = "held"
        world.held += 1
        world.at(self.next_working(until), self._release_held, msg)

    def _release_held(self, msg: Message) -> None:
        self.world.held -= 1
        msg.hub_result = ""
        self.dispatch(msg)

    def on_rejected(self, msg: Message, verdict: str) -> None:
        world, dr = self.world, self.world.draaiboek
        now = world.env.now
        if msg.role == "retour":
            if verdict == "foutmelding":
                msg.pair.cause = "retour_foutmelding"
            else:
                msg.pair.cause = "retour_after_go_live" if now >= dr.go_live else "retour_blocked"
            return
        if verdict in REFUSALS:  # a technical refusal (XSD or business rules): repaired, then sent again
            when = self.working_after(now, world.faults.repair_hours())
        else:
            when = max(dr.go_live, self.ready_at)
        world.at(self.next_working(when), self._resend, msg)

    def on_bounced(self, msg: Message, until: float) -> None:
        # a retour is offered again as it is, in the heen's release: it may then hit the block
        if msg.role == "retour":
            self.world.at(until, self.world.chain.submit, msg)
        else:
            self.world.at(self.next_working(until), self.dispatch, msg)

    def _resend(self, old: Message) -> None:
        world = self.world
        msg = world.new_message(old.number, old.standard, "heen", self, old.receiver, old.case, None, old.key + "~")
        msg.intent, msg.answer_to, msg.spoed, msg.release = old.intent, old.answer_to, old.spoed, old.release
        msg.pair.resent_of, old.pair.resent_as = old.pair, msg.pair
        world.answer_resent(old, msg)
        self.dispatch(msg)


