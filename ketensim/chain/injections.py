"""The injection kinds: small :class:`Fault` strategies built from a scenario's ``[[injection]]`` rows.

Each kind overrides only the hooks it affects, inside its window, for its target (an actor type,
a share of those actors, a hub, a set of message numbers). Which actors belong to the share is
decided per actor from its own seeded stream, so it does not depend on the order of events.
Every fault counts the actors and messages it touched, for the "took effect" report.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ketensim.chain.faults import Fault, FaultSet
from ketensim.scenario.model import Scenario
from ketensim.scenario.world_model import Injection
from ketensim.timeline import SimClock

if TYPE_CHECKING:
    from ketensim.chain.actors import SimParty
    from ketensim.chain.message import Message
    from ketensim.chain.world import World

__all__ = ["build_faults", "Injected", "INJECTION_TYPES"]


class Injected(Fault):
    """A fault configured by one scenario injection: window, target, parameters."""

    kind = "injected"

    def __init__(self, spec: Injection, clock: SimClock, seed: int) -> None:
        super().__init__()
        self.spec = spec
        self.start = clock.to_sim(spec.start)
        self.end = clock.to_sim(spec.end)
        self.seed = seed
        self._member: dict[str, bool] = {}

    def active(self, now: float) -> bool:
        return self.start <= now < self.end

    def targets(self, party: SimParty) -> bool:
        """True if ``party`` is of the targeted type and drawn into the targeted share."""
        if self.spec.actor is not None and party.kind != self.spec.actor:
            return False
        member = self._member.get(party.key)
        if member is None:
            draw = random.Random(f"{self.seed}:injection{self.spec.index}:{party.key}").random()
            member = self._member[party.key] = draw < self.spec.share
        return member

    def covers(self, message: Message) -> bool:
        return not self.spec.messages or message.number in self.spec.messages

    def report(self) -> dict[str, Any]:
        return {
            "index": self.spec.index,
            "kind": self.kind,
            "start": self.spec.start_text,
            "end": self.spec.end_text,
            "actor": self.spec.actor or "",
            "hub": self.spec.hub or "",
            "share": self.spec.share,
            "messages": " ".join(self.spec.messages),
            "note": self.spec.note,
            "actors_touched": len(self.touched_actors),
            "messages_touched": self.touched_messages,
            "took_effect": bool(self.touched_actors or self.touched_messages),
        }


class LateSend(Injected):
    """A share of senders keep sending after a procedural deadline (up to or past the block)."""

    kind = "late_send"

    def ignores_deadline(self, party: SimParty, message: Message, now: float) -> bool:
        if self.active(now) and self.covers(message) and self.targets(party):
            self.touch(party, message)
            return True
        return False


class SlowResponse(Injected):
    """A share of receivers need ``factor`` times longer to answer (param ``factor``, default 4)."""

    kind = "slow_response"

    def response_factor(self, party: SimParty, message: Message, now: float) -> float:
        if self.active(now) and self.covers(message) and self.targets(party):
            self.touch(party, message)
            return float(self.spec.param("factor", 4.0))
        return 1.0


class BatchDelay(Injected):
    """A hub holds its deliveries to the receiving side until the end of the window."""

    kind = "batch_delay"

    def batch_hold_until(self, hub: str, now: float, message: Message) -> float | None:
        if hub == self.spec.hub and self.active(now) and self.covers(message):
            self.touch(message.receiver, message)
            return self.end
        return None


class HubOutage(Injected):
    """A hub is down: the IB queues what it gets (guaranteed delivery); VECOZO bounces it (``mode``)."""

    kind = "hub_outage"

    def hub_down_until(self, hub: str, now: float, message: Message) -> float | None:
        if hub == self.spec.hub and self.active(now):
            self.touch(message.sender, message)
            return self.end
        return None

    def outage_bounces(self, hub: str) -> bool:
        default = "bounce" if self.spec.hub == "vecozo" else "queue"
        return hub == self.spec.hub and self.spec.param("mode", default) == "bounce"


class NotReady(Injected):
    """A share of parties cannot use the new release until the end of the window."""

    kind = "not_ready"

    def not_ready_until(self, party: SimParty) -> float | None:
        if self.targets(party):
            self.touch(party)
            return self.end
        return None


class Corrupt(Injected):
    """A share of messages leave their sender failing the XSD (param ``repair_hours``, default 4)."""

    kind = "corrupt"

    def corrupts(self, message: Message, rng: random.Random) -> bool:
        if not self.active(message.sender.world.env.now) or not self.covers(message):
            return False
        if self.spec.actor is not None and message.sender.kind != self.spec.actor:
            return False
        if rng.random() < self.spec.share:
            self.touch(message.sender, message)
            return True
        return False

    def repair_hours(self) -> float:
        return float(self.spec.param("repair_hours", 4.0))


class PortalUnread(Injected):
    """A share of parties miss the portal read-in window before the transition."""

    kind = "portal_unread"

    def misses_portal_window(self, party: SimParty) -> bool:
        if self.targets(party):
            self.touch(party)
            return True
        return False


class Spoed(Injected):
    """Urgent care started outside the traffic during the stop, caught up after go-live.

    Cases arrive at ``rate_per_day`` (param) during the window. Each is agreed by phone or
    ZorgMail; after go-live the gemeente sends a 301 with a retroactive ingangsdatum in the new
    release, and the aanbieder answers with a 305 as usual. The lag from the case to its catch-up
    301 is recorded.
    """

    kind = "spoed"

    def __init__(self, spec: Injection, clock: SimClock, seed: int) -> None:
        super().__init__(spec, clock, seed)
        self.cases = 0
        self.lags_hours: list[float] = []

    def processes(self, world: World) -> list[Generator[Any, Any, None]]:
        return [self._arrivals(world)]

    def _arrivals(self, world: World) -> Generator[Any, Any, None]:
        rng = random.Random(f"{self.seed}:injection{self.spec.index}:spoed")
        rate = float(self.spec.param("rate_per_day", 5.0)) / 1440.0
        env = world.env
        if self.start > env.now:
            yield env.timeout(self.start - env.now)
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now >= self.end:
                return
            self._case(world, rng)

    def _case(self, world: World, rng: random.Random) -> None:
        client = rng.choice(world.caseload.population.clients)
        start_day = world.clock.to_local(world.env.now).date()
        case = world.caseload.new_case(rng, client, start_day)
        gemeente, aanbieder = world.parties_of(case)
        self.cases += 1
        self.touch(gemeente)
        arrived = world.env.now
        catch_up = gemeente._working_after(max(world.draaiboek.go_live, gemeente.ready_at), rng.uniform(0, 16))

        def send() -> None:
            msg = gemeente.send_heen("301", aanbieder, case, "toewijzing", spoed=True)
            if msg is not None:
                self.touch(message=msg)
                self.lags_hours.append((world.env.now - arrived) / 60.0)

        world.at(catch_up, send)

    def report(self) -> dict[str, Any]:
        out = super().report()
        out["spoed_cases"] = self.cases
        lags = sorted(self.lags_hours)
        out["catch_up_lag_hours_mean"] = round(sum(lags) / len(lags), 2) if lags else 0.0
        out["catch_up_lag_hours_max"] = round(lags[-1], 2) if lags else 0.0
        return out


INJECTION_TYPES: dict[str, type[Injected]] = {
    cls.kind: cls for cls in (LateSend, SlowResponse, BatchDelay, HubOutage, NotReady, Corrupt, PortalUnread, Spoed)
}


class ScenarioFaults(FaultSet):
    """The faults of one scenario, with the per-injection report."""

    @property
    def spoed_cases(self) -> int:
        return sum(f.cases for f in self.faults if isinstance(f, Spoed))

    def report(self) -> list[dict[str, Any]]:
        return [f.report() for f in self.faults if isinstance(f, Injected)]


def build_faults(scenario: Scenario, seed: int) -> ScenarioFaults:
    """One fault object per injection of ``scenario`` (none: a FaultSet that changes nothing)."""
    clock = SimClock(scenario.window_start)
    return ScenarioFaults(INJECTION_TYPES[spec.kind](spec, clock, seed) for spec in scenario.injections)
