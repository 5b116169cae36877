"""Traffic from the caseload: what gemeenten and aanbieders send, and when.

Volumes follow from the caseload size and its monthly turnover (``[population]``): new
toewijzingen (half of them requested first with a VOT 315, answered by a 301 or a 319), changes
(in 3.x half of them requested with a VOW 317), ends of care (307, often followed by a 301 that
brings the einddatum forward), starts of care (305) after a toewijzing, and a monthly declaration
(323 in 3.x, 303 in 2.x) per aanbieder, gemeente and law on a working day early in the month: the
``declaration_day``-th, or one each aanbieder draws per month from ``declaration_days``.
Events fall on working days, spread over the sender's working hours.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from ketensim.chain.caseload import Case
from ketensim.chain.message import Message
from ketensim.scenario.world_model import Population as PopulationSpec
from ketensim.chain.simcal import minute_of_day
from ketensim.chain.waves import schedule_waves
from ketensim.population.sampling import pick
from ketensim.standards.payload_factory import FIRST_323_DAY

if TYPE_CHECKING:
    from ketensim.chain.actors import SimParty
    from ketensim.chain.ports import ChainWorld

__all__ = ["Traffic", "poisson"]

_WORKING_DAYS_PER_MONTH = 21.0
_GRANT_SHARE = 0.85  # share of requests answered with a toewijzing rather than a 319
_ADJUST_AFTER_STOP = 0.5  # share of stops after which the gemeente sends a 301 with the new einddatum


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Traffic:
    """Generates the caseload's messages day by day and the follow-ups when a party reads one."""

    def __init__(self, world: ChainWorld, spec: PopulationSpec) -> None:
        self.world = world
        self.spec = spec
        # (agb, gemeentecode, standard) -> the started cases an aanbieder declares to a gemeente
        self.declaring: dict[tuple[str, str, str], list[Case]] = {}
        self._declaration_days: dict[tuple[str, str], int] = {}
        self._day_numbers = list(range(1, len(spec.declaration_days) + 1))
        self._cum = list(itertools.accumulate(spec.declaration_days))
        declaring = self.declaring
        for case in world.caseload.cases:  # what _declares does, inline: a national caseload has over a million
            if case.started and case.active:
                client = case.client
                key = (case.aanbieder.agb, client.gemeente.code, client.standard)
                members = declaring.get(key)
                if members is None:
                    declaring[key] = members = []
                members.append(case)

    def _declares(self, case: Case) -> None:
        client = case.client
        key = (case.aanbieder.agb, client.gemeente.code, client.standard)
        members = self.declaring.get(key)
        if members is None:  # not setdefault: that makes a list per case, for over a million cases
            self.declaring[key] = members = []
        members.append(case)

    def start(self) -> None:
        self.world.env.process(self._days())
        schedule_waves(self.world)  # the scenario's [[traffic]] rows, on top of the caseload's own

    def _days(self):  # type: ignore[no-untyped-def]
        env, calendar = self.world.env, self.world.calendar
        first = calendar.index(0.0) + (calendar.starts[calendar.index(0.0)] < 0.0)
        last = calendar.index(self.world.draaiboek.end - 1e-9)
        for i in range(first, last + 1):
            if calendar.starts[i] > env.now:
                yield env.timeout(calendar.starts[i] - env.now)
            self._plan_day(i)

    def _at_work(self, rng: random.Random, i: int, profile) -> float:  # type: ignore[no-untyped-def]
        start, end = minute_of_day(profile.work_start), minute_of_day(profile.work_end)
        return self.world.calendar.at(i, start + rng.uniform(0, end - start))

    def _plan_day(self, i: int) -> None:
        """Draw day ``i``'s caseload events; each gets a key from which all its randomness derives."""
        world, spec = self.world, self.spec
        calendar = world.calendar
        if not calendar.working[i]:
            return
        rng = world.rng(f"day{i}")
        behaviour = world.scenario.behaviour
        per_day = spec.clients / _WORKING_DAYS_PER_MONTH
        for j in range(poisson(rng, per_day * spec.new_per_month)):
            vot = rng.random() < spec.vot_share
            profile = behaviour.aanbieder if vot else behaviour.gemeente
            world.at(self._at_work(rng, i, profile), self._new_case, f"{i}n{j}", vot)
        for j in range(poisson(rng, per_day * spec.change_per_month)):
            world.at(self._at_work(rng, i, behaviour.gemeente), self._change, f"{i}c{j}")
        for j in range(poisson(rng, per_day * spec.end_per_month)):
            world.at(self._at_work(rng, i, behaviour.aanbieder), self._end, f"{i}e{j}")
        nth = self._working_day_of_month(i)
        if nth and nth <= (spec.declaration_day or len(spec.declaration_days)):
            month = calendar.dates[i].strftime("%Y-%m")
            for key in sorted(self.declaring):
                if self._declaration_day(key[0], month) == nth:
                    world.at(self._at_work(rng, i, behaviour.aanbieder), self._declare, key, f"{i}d{'.'.join(key)}")

    def _declaration_day(self, agb: str, month: str) -> int:
        """The working day of ``month`` on which aanbieder ``agb`` declares (drawn once, from its own key)."""
        spec = self.spec
        if spec.declaration_day:
            return spec.declaration_day
        day = self._declaration_days.get((agb, month))
        if day is None:
            rng = self.world.rng(f"declaration-day:{agb}:{month}")
            day = self._declaration_days[(agb, month)] = pick(rng, self._day_numbers, self._cum)
        return day

    def _working_day_of_month(self, i: int) -> int:
        calendar = self.world.calendar
        day = calendar.dates[i]
        n = 0
        while i >= 0 and calendar.dates[i].month == day.month:
            n += calendar.working[i]
            i -= 1
        return n if i >= 0 else 0  # the calendar starts mid-month: not a countable working day

    def _random_case(self, rng: random.Random) -> Case | None:
        cases = self.world.caseload.cases
        for _ in range(25):
            case = cases[rng.randrange(len(cases))]
            if case.active and case.started:
                return case
        return None

    # --- caseload events ----------------------------------------------------------------------
    def _new_case(self, key: str, vot: bool) -> None:
        world = self.world
        rng = world.rng(key)
        client = rng.choice(world.caseload.population.clients)
        start = world.calendar.date_of(world.env.now) + timedelta(days=rng.randint(1, 14))
        case = world.caseload.new_case(rng, client, start)
        gemeente, aanbieder = world.parties_of(case)
        if vot:
            aanbieder.send_heen("315", gemeente, case, "vot", key)
        else:
            gemeente.send_heen("301", aanbieder, case, "toewijzing", key)

    def _change(self, key: str) -> None:
        rng = self.world.rng(key)
        case = self._random_case(rng)
        if case is None:
            return
        gemeente, aanbieder = self.world.parties_of(case)
        if rng.random() < 0.5 and aanbieder.send_heen("317", gemeente, case, "vow", key) is not None:
            return
        gemeente.send_heen("301", aanbieder, case, "wijziging", key)

    def _end(self, key: str) -> None:
        case = self._random_case(self.world.rng(key))
        if case is None:
            return
        case.active = False
        gemeente, aanbieder = self.world.parties_of(case)
        aanbieder.send_heen("307", gemeente, case, "stop", key)

    def _declare(self, declarant: tuple[str, str, str], key: str) -> None:
        members = self.declaring.get(declarant, [])
        # the declaration covers the last closed month: name an active case that had care in all of it
        today = self.world.calendar.date_of(self.world.env.now)
        month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        population = self.world.caseload.population
        case = next((c for c in members
                     if c.active and c.ingangsdatum <= month_start and c.toewijzing(population).einddatum >= today),
                    None)
        if case is None:
            # ended cases are dropped now, not at every declaration: that scanned every case each month
            members[:] = [c for c in members if c.active]
            if not members:
                self.declaring.pop(declarant, None)
            return
        gemeente, aanbieder = self.world.parties_of(case)
        # care before 2021 is declared with the legacy 303, which 3.0 still carries (rule CS100)
        number = "303" if month_start < FIRST_323_DAY else "323"
        aanbieder.send_heen(number, gemeente, case, "declaratie", key)

    # --- follow-ups when a party reads a heen -------------------------------------------------
    def on_read(self, party: SimParty, msg: Message) -> None:
        """What reading ``msg`` sets in motion; its randomness derives from the message's key."""
        world = self.world
        now = world.env.now
        if msg.number == "301" and msg.intent == "toewijzing":
            hours = party.profile.start_hours.sample(world.rng(msg.key + ">start"))
            world.at(party.working_after(now, hours), self._start, msg)
        elif msg.number in ("315", "317"):
            world.expect_answer(msg)
            factor = world.faults.response_factor(party, msg, now)
            hours = party.profile.answer_hours.sample(world.rng(msg.key + ">answer")) * factor
            planned = party.working_after(now, hours)
            when = planned if factor > 1 else party.respond_by(msg, now, planned, ("301", "319"))
            world.at(when, self._answer, msg)
        elif msg.number == "307":
            rng = world.rng(msg.key + ">adjust")
            if rng.random() < _ADJUST_AFTER_STOP:
                world.at(party.working_after(now, party.profile.answer_hours.sample(rng)), self._adjust_after_stop, msg)

    def _start(self, toewijzing: Message) -> None:
        case = toewijzing.case
        if not case.started:
            case.started = True
            self._declares(case)
        toewijzing.receiver.send_heen("305", toewijzing.sender, case, "start", toewijzing.key + ">start",
                                      spoed=toewijzing.spoed)

    def _answer(self, request: Message) -> None:
        gemeente, aanbieder = request.receiver, request.sender
        if gemeente.answers_itself(request):
            return  # a vendor's system gives its own answer (see World.link_answer)
        key = request.key + ">answer"
        grant = self.world.rng(key + "?").random() < _GRANT_SHARE
        intent = "toewijzing" if request.number == "315" else "wijziging"
        self.world.answer(gemeente, aanbieder, request, "301" if grant else "319", intent, key)

    def _adjust_after_stop(self, stop: Message) -> None:
        stop.receiver.send_heen("301", stop.sender, stop.case, "einde", stop.key + ">adjust")
