"""Hooks through which injected faults change the chain, with do-nothing defaults.

Actors and hubs ask a :class:`FaultSet` questions ("how much slower does this party answer
now?", "is this hub down?") and never look at what kind of fault answers. Each injection kind is
a small :class:`Fault` subclass that overrides only the hooks it needs (see
:mod:`ketensim.chain.injections`); the base class answers "no effect" to everything.
"""

from __future__ import annotations

import random
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketensim.chain.message import Message, Party
    from ketensim.chain.ports import ChainWorld

__all__ = ["Fault", "FaultSet"]


class Fault:
    """An injection that changes nothing; subclasses override the hooks they affect."""

    kind = "none"

    def __init__(self) -> None:
        self.touched_actors: set[str] = set()
        self.touched_messages = 0

    def touch(self, party: Party | None = None, message: Message | None = None) -> None:
        """Record that this fault changed something (for the 'took effect' report)."""
        if party is not None:
            self.touched_actors.add(party.key)
        if message is not None:
            self.touched_messages += 1
            message.injections += (self.kind,)

    def ignores_deadline(self, party: Party, message: Message, now: float) -> bool:
        """True if ``party`` sends ``message`` although a procedural deadline has passed."""
        return False

    def response_factor(self, party: Party, message: Message, now: float) -> float:
        """Multiplier on the working time ``party`` needs to answer ``message``."""
        return 1.0

    def hub_down_until(self, hub: str, now: float, message: Message) -> float | None:
        """If ``hub`` is down when ``message`` arrives at ``now``, the sim time it comes back; else None."""
        return None

    def outage_bounces(self, hub: str) -> bool:
        """True if a down hub refuses messages (the sender retries later) rather than queueing them."""
        return False

    def batch_hold_until(self, hub: str, now: float, message: Message) -> float | None:
        """If ``hub`` holds the delivery of ``message`` at ``now``, the sim time it releases it; else None."""
        return None

    def not_ready_until(self, party: Party) -> float | None:
        """If ``party`` cannot use the new release at go-live, the sim time it can; else None."""
        return None

    def corrupts(self, message: Message, rng: random.Random) -> str:
        """What ``message`` leaves its sender failing: ``"xsd"``, ``"rules"`` (a business rule), or ``""`` (nothing)."""
        return ""

    def repair_hours(self) -> float:
        """Working hours a sender needs to repair a message refused by the XSD check."""
        return 4.0

    def misses_portal_window(self, party: Party) -> bool:
        """True if ``party`` does not read in during the portal read-in window before the transition."""
        return False

    def read_suspended_until(self, party: Party, now: float) -> float | None:
        """If ``party`` does not read in its inbox at ``now``, the sim time it reads again; else None."""
        return None

    def processes(self, world: ChainWorld) -> list[Generator[Any, Any, None]]:
        """SimPy processes this fault runs by itself (spoed cases arriving during the stop)."""
        return []


class FaultSet(Fault):
    """All injections of a run, combined; every hook asks each fault in turn."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        super().__init__()
        self.faults = list(faults)

    def ignores_deadline(self, party: Party, message: Message, now: float) -> bool:
        return any(f.ignores_deadline(party, message, now) for f in self.faults)

    def response_factor(self, party: Party, message: Message, now: float) -> float:
        factor = 1.0
        for f in self.faults:
            factor *= f.response_factor(party, message, now)
        return factor

    def hub_down_until(self, hub: str, now: float, message: Message) -> float | None:
        ends = [t for f in self.faults if (t := f.hub_down_until(hub, now, message)) is not None]
        return max(ends) if ends else None

    def outage_bounces(self, hub: str) -> bool:
        return any(f.outage_bounces(hub) for f in self.faults)

    def batch_hold_until(self, hub: str, now: float, message: Message) -> float | None:
        ends = [t for f in self.faults if (t := f.batch_hold_until(hub, now, message)) is not None]
        return max(ends) if ends else None

    def not_ready_until(self, party: Party) -> float | None:
        ends = [t for f in self.faults if (t := f.not_ready_until(party)) is not None]
        return max(ends) if ends else None

    def corrupts(self, message: Message, rng: random.Random) -> str:
        for f in self.faults:
            kind = f.corrupts(message, rng)
            if kind:
                return kind
        return ""

    def repair_hours(self) -> float:
        return max((f.repair_hours() for f in self.faults), default=4.0)

    def misses_portal_window(self, party: Party) -> bool:
        return any(f.misses_portal_window(party) for f in self.faults)

    def read_suspended_until(self, party: Party, now: float) -> float | None:
        ends = [t for f in self.faults if (t := f.read_suspended_until(party, now)) is not None]
        return max(ends) if ends else None

    def processes(self, world: ChainWorld) -> list[Generator[Any, Any, None]]:
        return [p for f in self.faults for p in f.processes(world)]
