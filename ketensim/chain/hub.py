"""VECOZO and the Inlichtingenbureau (GGk): the two hubs every message passes.

Aanbieders connect to VECOZO, gemeenten to the IB. A heen from an aanbieder travels
aanbieder → VECOZO → IB → gemeente, a toewijzing the other way. The sender's hub checks the
message against its XSD (a failure is a foutmelding to the sender; no retour follows), where
configured against the business rules (a violation is refused the same way, counted apart) and
against the draaiboek (a message type in its block window gets an IB103-style refusal; after
go-live only the new release is accepted). Each hub forwards at a limited rate, so a backlog
released at go-live takes time to drain, and the IB delivers to gemeenten in batches.
Routing is by AGB code and CBS gemeentecode: the receiver is resolved from the header fields.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ketensim.chain.message import Message
from ketensim.scenario.world_model import HubProfile

if TYPE_CHECKING:
    from ketensim.chain.ports import ChainWorld

__all__ = ["Hub", "Chain"]


class Hub:
    """One hub: a FIFO server with a capacity, a transit time and optional batch delivery.

    The queue is computed, not simulated: a message offered at ``t`` starts service when the
    hub is free and leaves ``transit_minutes`` after its service ends. Capacity is spent where
    the work is, at the sender's hub (it checks the message against its XSD and the draaiboek);
    the receiving hub only passes the envelope on (``transit_minutes``) and delivers in batches.
    A message therefore costs the event loop one event from acceptance to delivery.
    """

    def __init__(self, name: str, profile: HubProfile) -> None:
        self.name = name
        self.profile = profile
        self.service = 60.0 / profile.capacity_per_hour
        self.busy_until = 0.0
        self.checked = 0
        self.max_wait = 0.0

    def enqueue(self, now: float) -> float:
        """Accept a message at ``now``; return when it leaves the hub."""
        start = now if now > self.busy_until else self.busy_until
        self.busy_until = start + self.service
        self.checked += 1
        if start - now > self.max_wait:
            self.max_wait = start - now
        return self.busy_until + self.profile.transit_minutes

    def batch_time(self, t: float) -> float:
        """The next batch run at or after ``t`` (batches every ``batch_minutes`` since the window start)."""
        step = self.profile.batch_minutes
        return t if step <= 0 else math.ceil(t / step - 1e-9) * step


class Chain:
    """Routes messages between the parties through the two hubs and enforces the draaiboek."""

    def __init__(self, world: ChainWorld, vecozo: Hub, ib: Hub) -> None:
        self.world = world
        self.hubs = {"vecozo": vecozo, "ib": ib}

    def home_hub(self, kind: str) -> Hub:
        return self.hubs["vecozo" if kind == "aanbieder" else "ib"]

    def submit(self, msg: Message) -> None:
        """The sender offers ``msg`` to its own hub now."""
        world = self.world
        now = world.env.now
        hub = self.home_hub(msg.sender.kind)
        down = world.faults.hub_down_until(hub.name, now, msg) if world.has_faults else None
        if down is not None and down > now:
            # a vendor's system (KTO) talks to the hub itself: a down hub does not acknowledge its message
            if world.faults.outage_bounces(hub.name) or msg.sender.external:
                msg.sender.on_bounced(msg, down)
                return
            world.at(down, self.submit, msg)
            return
        msg.submitted = now
        corrupt = world.faults.corrupts(msg, world.rng(msg.key + "!corrupt")) if world.has_faults else ""
        refusal = world.codec.encode(msg, now, corrupt, hub.profile.rules)
        verdict = refusal or world.draaiboek.admits(msg.release, msg.number, now)
        msg.hub_result = verdict
        world.message_submitted(msg)
        if verdict != "accepted":
            msg.sender.on_rejected(msg, verdict)
            return
        other = self.hubs["ib" if hub.name == "vecozo" else "vecozo"]
        arrival = hub.enqueue(now) + other.profile.transit_minutes
        if world.has_faults:
            # a receiving hub that is down takes the hand-over when it is up again
            down = world.faults.hub_down_until(other.name, arrival, msg)
            if down is not None and down > arrival:
                arrival = down
        visible = other.batch_time(arrival)
        if world.draaiboek.batch_visible:
            visible = world.draaiboek.batch_visible_from(other.name, visible, world.calendar.date_of(visible))
        held = world.faults.batch_hold_until(other.name, visible, msg) if world.has_faults else None
        if held is not None and held > visible:
            visible = other.batch_time(held)
        world.at(visible, self._visible, msg)

    def _visible(self, msg: Message) -> None:
        msg.delivered = self.world.env.now
        msg.receiver.on_delivered(msg)
