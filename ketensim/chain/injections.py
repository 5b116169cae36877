"""The injection kinds: small :class:`Fault` strategies built from a scenario's ``[[injection]]`` rows.

Each kind overrides only the hooks it affects, inside its window, for its target (an actor type,
a share of those actors, a hub, a set of message numbers). A share of actors is exact (10 % of 20
gemeenten is two gemeenten), chosen by a draw keyed per actor; which messages a ``corrupt``
injection breaks is drawn per message from a stream keyed by that message. No injection draws
from a stream shared in event order, so what it targets does not depend on what happened before.
Every fault counts the actors and messages it actually changed, for the "took effect" report; an injection that changed nothing is
reported with ``took_effect: False``.

Which row keys each kind reads (anything else on the row is a scenario error, see
:func:`check_injections`):

================  ===========================================  ==================================
kind              target                                       ``[injection.params]``
================  ===========================================  ==================================
late_send         actor, share, messages (heen numbers)        none
slow_response     actor, share, messages (the heen answered)   ``factor`` (default 4)
batch_delay       hub (required), messages                     none
hub_outage        hub (required)                               ``mode``: bounce | queue
not_ready         actor, share; window must contain go-live    none
corrupt           actor, share (of messages), messages         ``repair_hours`` (default 4), ``check``: xsd | rules
portal_unread     actor, share                                 none
spoed             (cases arrive in the window)                 ``rate_per_day`` (default 5)
================  ===========================================  ==================================
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ketensim.chain.caseload import Case
from ketensim.chain.faults import Fault, FaultSet
from ketensim.exceptions import ScenarioError
from ketensim.scenario.model import Scenario
from ketensim.scenario.world_model import Injection
from ketensim.standards.releases import RETOUR_OF
from ketensim.timeline import SimClock

if TYPE_CHECKING:
    from ketensim.chain.message import Message, Party
    from ketensim.chain.ports import ChainWorld

__all__ = ["build_faults", "check_injections", "Injected", "INJECTION_TYPES", "ScenarioFaults"]

_HEEN = frozenset(RETOUR_OF)


class Injected(Fault):
    """A fault configured by one scenario injection: window, target, parameters."""

    kind = "injected"
    uses: frozenset[str] = frozenset({"actor", "share", "messages"})
    """Row keys this kind reads besides kind/start/end/note; others are a scenario error."""
    params: dict[str, tuple[float, float] | tuple[str, ...]] = {}
    """Allowed ``[injection.params]``: a (low, high) range for numbers or the allowed strings."""

    def __init__(self, spec: Injection, clock: SimClock, seed: int) -> None:
        super().__init__()
        self.spec = spec
        self.start = clock.to_sim(spec.start)
        self.end = clock.to_sim(spec.end)
        self.seed = seed
        self._member: dict[str, bool] = {}

    def active(self, now: float) -> bool:
        return self.start <= now < self.end

    def stream(self, *key: object) -> random.Random:
        """A random stream of this injection keyed by ``key`` (an actor, a message, ...)."""
        return random.Random(":".join([str(self.seed), f"injection{self.spec.index}", *map(str, key)]))

    def targets(self, party: Party) -> bool:
        """True if ``party`` is of the targeted type and drawn into the targeted share.

        The share is exact: of the ``n`` parties of a type, the ``round(share * n)`` with the lowest
        draw from their own keyed stream are targeted (10 % of 20 gemeenten is two gemeenten, not
        "each with probability 0.1"), so a what-if means the same on every seed.
        """
        if self.spec.actor is not None and party.kind != self.spec.actor:
            return False
        member = self._member.get(party.key)
        if member is None:
            world = party.world
            # parties are created one by one; the draw of the others does not need them to exist yet
            keys = [f"gemeente:{code}" for code in sorted(g.code for g in world.caseload.gemeenten)] \
                if party.kind == "gemeente" else \
                [f"aanbieder:{a.agb}" for a in sorted(world.caseload.population.aanbieders, key=lambda a: a.agb)]
            draws = sorted((self._draw(key), key) for key in keys)
            chosen = {key for _, key in draws[: math.floor(self.spec.share * len(keys) + 0.5)]}
            for key in keys:
                self._member[key] = key in chosen
            member = self._member.get(party.key, False)
        return member

    def _draw(self, key: str) -> float:
        return random.Random(f"{self.seed}:injection{self.spec.index}:{key}").random()

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
            "touched": sorted(self.touched_actors),
            "took_effect": bool(self.touched_actors or self.touched_messages),
        }


class LateSend(Injected):
    """A share of senders keep sending heenberichten after a procedural deadline (up to or past the block).

    Only compliant senders hold a heen at a deadline, so only they can be made late; a sender that
    ignores deadlines anyway is not touched. With a deadline on the block (2022: 30 March 17:00)
    a late heen is refused (IB103) and resent after go-live.
    """

    kind = "late_send"

    def ignores_deadline(self, party: Party, message: Message, now: float) -> bool:
        if self.active(now) and self.covers(message) and self.targets(party):
            self.touch(party, message)
            return True
        return False


class SlowResponse(Injected):
    """A share of receivers need ``factor`` times longer to answer a heen they read in the window."""

    kind = "slow_response"
    params = {"factor": (1.0, 100.0)}

    def response_factor(self, party: Party, message: Message, now: float) -> float:
        if self.active(now) and self.covers(message) and self.targets(party):
            self.touch(party, message)
            return float(self.spec.param("factor", 4.0))
        return 1.0


class BatchDelay(Injected):
    """A hub holds its deliveries to the receiving side until the end of the window."""

    kind = "batch_delay"
    uses = frozenset({"hub", "messages"})

    def batch_hold_until(self, hub: str, now: float, message: Message) -> float | None:
        if hub == self.spec.hub and self.active(now) and self.covers(message):
            self.touch(message.receiver, message)
            return self.end
        return None


class HubOutage(Injected):
    """A hub is down: the IB queues what it gets (guaranteed delivery); VECOZO bounces it (``mode``)."""

    kind = "hub_outage"
    uses = frozenset({"hub"})
    params = {"mode": ("bounce", "queue")}

    def hub_down_until(self, hub: str, now: float, message: Message) -> float | None:
        if hub == self.spec.hub and self.active(now):
            self.touch(message.sender, message)
            return self.end
        return None

    def outage_bounces(self, hub: str) -> bool:
        default = "bounce" if self.spec.hub == "vecozo" else "queue"
        return hub == self.spec.hub and self.spec.param("mode", default) == "bounce"


class NotReady(Injected):
    """A share of parties cannot use the new release from go-live until the end of the window.

    The window must contain go-live (the model has one readiness instant per party). A party
    drawn into the share holds what it would send and reads nothing in the new release until
    the window ends; it counts as touched only if the window reaches past go-live.
    """

    kind = "not_ready"
    uses = frozenset({"actor", "share"})

    def not_ready_until(self, party: Party) -> float | None:
        if self.end > party.world.draaiboek.go_live and self.targets(party):
            self.touch(party)
            return self.end
        return None


class Corrupt(Injected):
    """A share of messages leave their sender failing a hub check (params ``repair_hours``, default 4, and ``check``).

    ``check = "xsd"`` (the default) breaks the XSD; ``check = "rules"`` keeps the message XSD-valid
    but breaks a business rule, which only a hub that checks the rules (``[hubs.*] rules``) refuses.

    Without ``messages`` only heenberichten are corrupted: a refused heen is repaired and sent
    again (the repaired message is not corrupted again), while the simulated parties do not resend
    a refused retour. Whether a message is corrupted is drawn from a stream keyed by the message's
    stable name, so the choice does not depend on how many messages were checked before it.
    """

    kind = "corrupt"
    params = {"repair_hours": (0.0, 400.0), "check": ("xsd", "rules")}

    def covers(self, message: Message) -> bool:
        if self.spec.messages:
            return message.number in self.spec.messages
        return message.role == "heen"

    def corrupts(self, message: Message, rng: random.Random) -> str:
        if not self.active(message.sender.world.env.now) or not self.covers(message):
            return ""
        if self.spec.actor is not None and message.sender.kind != self.spec.actor:
            return ""
        first = message.pair.resent_of
        if first is not None and first.heen is not None and self.kind in first.heen.injections:
            return ""  # the sender repaired this one by hand
        if self.stream("corrupt", message.key).random() < self.spec.share:
            self.touch(message.sender, message)
            return str(self.spec.param("check", "xsd"))
        return ""

    def repair_hours(self) -> float:
        return float(self.spec.param("repair_hours", 4.0))


class PortalUnread(Injected):
    """A share of parties do not read in their inbox during the window before the transition.

    Their software is taken down for the migration and nobody reads the hub portal by hand in the
    draaiboek's read-in window, so old-release messages that reach them then stay unread on the
    hub. A message counts as touched if it was visible before the read-in window closed (so it
    would have been read in) and stayed unread because its receiver was drawn into the share.

    Both readers are stopped: :meth:`misses_portal_window` keeps a portal user from the read-in
    window, and :meth:`read_suspended_until` keeps a party that polls by webservice from reading
    within the injection's window.
    """

    kind = "portal_unread"
    uses = frozenset({"actor", "share"})

    def _overlaps_read_in(self, party: Party) -> bool:
        dr = party.world.draaiboek
        return self.start < dr.portal_cutoff[party.kind] and self.end > min(dr.portal_open[party.kind], dr.transition)

    def misses_portal_window(self, party: Party) -> bool:
        return self._overlaps_read_in(party) and self.targets(party)

    def read_suspended_until(self, party: Party, now: float) -> float | None:
        """If ``party`` does not read in at ``now``, when it reads again (hook for the chain's readers).

        Only reading before the transition is suspended (what is still in the old release); the
        new release is not this kind's business (see ``not_ready``).
        """
        if self.active(now) and now < party.world.draaiboek.portal_cutoff[party.kind] and self.targets(party):
            return self.end
        return None

    def processes(self, world: ChainWorld) -> list[Generator[Any, Any, None]]:
        return [self._attribute(world)]

    def _attribute(self, world: ChainWorld) -> Generator[Any, Any, None]:
        cutoff = world.draaiboek.portal_cutoff
        last = max(cutoff.values()) + 1.0
        if last >= world.draaiboek.end:
            return
        yield world.env.timeout(last - world.env.now)
        for m in world.messages:
            if (m.pair.unread and m.read < 0 and 0 <= m.delivered < cutoff[m.receiver.kind]
                    and self._overlaps_read_in(m.receiver) and self.targets(m.receiver)):
                self.touch(m.receiver, m)


class Spoed(Injected):
    """Urgent care started outside the traffic during the stop, caught up after go-live.

    Cases arrive at ``rate_per_day`` (param) during the window. Each is agreed by phone or
    ZorgMail; after go-live the gemeente sends a 301 with a retroactive ingangsdatum in the new
    release, and the aanbieder answers with a 305 as usual. The lag from the case to its catch-up
    301 is recorded. A spoed case is kept out of the caseload's pool of cases that the regular
    traffic draws from, so adding spoed does not change which cases the regular traffic picks.
    """

    kind = "spoed"
    uses = frozenset()
    params = {"rate_per_day": (0.001, 10000.0)}

    def __init__(self, spec: Injection, clock: SimClock, seed: int) -> None:
        super().__init__(spec, clock, seed)
        self.cases = 0
        self.lags_hours: list[float] = []

    def processes(self, world: ChainWorld) -> list[Generator[Any, Any, None]]:
        return [self._arrivals(world)]

    def _arrivals(self, world: ChainWorld) -> Generator[Any, Any, None]:
        rng = self.stream("spoed")
        rate = float(self.spec.param("rate_per_day", 5.0)) / 1440.0
        env = world.env
        if self.start > env.now:
            yield env.timeout(self.start - env.now)
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now >= self.end:
                return
            self._case(world, rng)

    def _case(self, world: ChainWorld, rng: random.Random) -> None:
        caseload = world.caseload
        client = rng.choice(caseload.population.clients)
        if caseload.merged:  # a client of a gemeente that merged is now a client of the one it joined
            client = caseload.current(client)
        start_day = world.clock.to_local(world.env.now).date()
        members = caseload.contracts[(client.gemeente.code, client.standard)]
        aanbieder = rng.choices(members, weights=[a.weight for a in members])[0]
        self.cases += 1
        # numbered on its own and not appended to caseload.cases (see the class docstring)
        case = Case(-self.cases, client, aanbieder, start_day, rng.getrandbits(64))
        gemeente, aanbieder_party = world.parties_of(case)
        self.touch(gemeente)
        arrived = world.env.now
        catch_up = gemeente.working_after(max(world.draaiboek.go_live, gemeente.ready_at), rng.uniform(0, 16))

        def send() -> None:
            msg = gemeente.send_heen("301", aanbieder_party, case, "toewijzing", f"spoed{self.spec.index}.{-case.seq}",
                                     spoed=True)
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



def check_injections(scenario: Scenario) -> None:
    """Raise :class:`ScenarioError` for an injection row that its kind cannot honour.

    The loader checks each key on its own (kind, window, share range, actor and hub names); this
    checks the combination: a key the kind ignores, a missing hub, an unknown or out-of-range
    parameter, a ``not_ready`` window that does not contain go-live.
    """
    for spec in scenario.injections:
        cls = INJECTION_TYPES[spec.kind]
        where = f"injection[{spec.index + 1}]"  # numbered from 1, as the file's rows are read

        def fail(key: str, problem: str) -> None:
            raise ScenarioError(scenario.path, f"{where}.{key}", problem)

        given = {"actor": spec.actor is not None, "hub": spec.hub is not None,
                 "share": spec.share != 1.0, "messages": bool(spec.messages)}
        for key, present in given.items():
            if present and key not in cls.uses:
                fail(key, f"{spec.kind} does not use {key}; "
                     f"expected only {', '.join(sorted(cls.uses)) or 'no target keys'} (and params) for {spec.kind}")
        if "hub" in cls.uses and spec.hub is None:
            fail("hub", f"missing; {spec.kind} needs hub = \"vecozo\" or \"ib\"")
        if spec.kind == "late_send":
            retours = [m for m in spec.messages if m not in _HEEN]
            if retours:
                fail("messages", f"{retours[0]} is not a heenbericht; late_send delays heenberichten only")
        for name, value in spec.params:
            allowed = cls.params.get(name)
            if allowed is None:
                known = ", ".join(sorted(cls.params)) or "none"
                fail(f"params.{name}", f"unknown parameter for {spec.kind}; expected one of: {known}")
            assert allowed is not None
            if isinstance(allowed[0], str):
                if value not in allowed:
                    fail(f"params.{name}", f"unknown value {value!r}; expected one of {', '.join(map(str, allowed))}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                fail(f"params.{name}", f"expected a number, got {value!r}")
            elif not allowed[0] <= value <= allowed[1]:  # type: ignore[operator]
                fail(f"params.{name}", f"{value} is out of range; expected a number between {allowed[0]} and {allowed[1]}")
        if spec.kind == "not_ready" and not spec.start <= scenario.go_live.at < spec.end:
            fail("start", f"the window {spec.start_text!r} .. {spec.end_text!r} does not contain go-live "
                 f"{scenario.go_live.at:%Y-%m-%d %H:%M}; expected start <= go_live < end (parties are unready from go-live)")


def build_faults(scenario: Scenario, seed: int) -> ScenarioFaults:
    """One fault object per injection of ``scenario`` (none: a FaultSet that changes nothing)."""
    check_injections(scenario)
    clock = SimClock(scenario.window_start)
    return ScenarioFaults(INJECTION_TYPES[spec.kind](spec, clock, seed) for spec in scenario.injections)
