"""The narrow view of one run that parties, hubs, traffic and faults work through.

:class:`~ketensim.chain.world.World` wires a run together and satisfies :class:`ChainWorld`; the
modules it wires see only this protocol, so none of them imports ``world.py`` and the chain's modules
depend on each other in one direction: world → actors, hub, traffic, faults → ports, message.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ketensim.chain.message import Message, Pair, Party

if TYPE_CHECKING:
    import simpy

    from ketensim.chain.caseload import Case, Caseload
    from ketensim.chain.codec import Codec
    from ketensim.chain.draaiboek import SimDraaiboek
    from ketensim.chain.simcal import SimCalendar
    from ketensim.scenario.model import Scenario
    from ketensim.timeline import SimClock

__all__ = ["ChainWorld"]

class ChainWorld(Protocol):
    """What the chain's parts may read and call on the run they belong to."""

    scenario: Scenario
    seed: int
    env: simpy.Environment
    draaiboek: SimDraaiboek
    clock: SimClock
    calendar: SimCalendar
    caseload: Caseload
    faults: Any  # ketensim.chain.faults.Fault
    has_faults: bool
    codec: Codec
    chain: Any  # ketensim.chain.hub.Chain
    traffic: Any  # ketensim.chain.traffic.Traffic
    messages: list[Message]
    pairs: list[Pair]
    merged: list[tuple[str, str, float]]  # municipal mergers as they happen: (gemeente, joined, when)
    party_factory: Any  # makes every party (ketensim.chain.world.PartyFactory)
    in_flight: int
    held: int

    def rng(self, key: str) -> random.Random: ...

    def stream(self, name: str) -> random.Random: ...

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None: ...

    def parties_of(self, case: Case) -> tuple[Any, Any]: ...

    def every_party(self) -> list[Any]: ...

    def new_message(self, number: str, standard: str, role: str, sender: Party, receiver: Party, case: Case,
                    pair: Pair | None, key: str) -> Message: ...

    def message_submitted(self, msg: Message) -> None: ...

    def message_read(self, msg: Message) -> None: ...

    def unread_at_transition(self, msg: Message, party: Party) -> None: ...

    def drop(self, msg: Message) -> None: ...

    def expect_answer(self, request: Message) -> None: ...

    def answer(self, gemeente: Any, aanbieder: Any, request: Message, number: str, intent: str, key: str) -> None: ...

    def awaits_answer(self, request: Message) -> bool: ...

    def answer_allowed(self, msg: Message, release: str) -> bool: ...

    def answer_resent(self, old: Message, new: Message) -> None: ...
