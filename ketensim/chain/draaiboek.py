"""The draaiboek in simulation time: the instants actors and hubs consult while the chain runs.

Everything is converted once from the scenario's aware datetimes into minutes since the window
start, so the hot path compares floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ketensim.scenario.model import Scenario
from ketensim.standards.drafts import KNOWN, ReleaseTable
from ketensim.timeline import SimClock, localize

__all__ = ["SimDraaiboek", "equivalent_number"]

_NEVER = float("inf")
# the declaration changed number between 2.x (303/304) and 3.x (323/325)
_EQUIVALENT = {"303": "323", "323": "303", "304": "325", "325": "304"}


def equivalent_number(number: str, release: str, table: ReleaseTable = KNOWN) -> str | None:
    """The number that carries the same meaning in ``release`` (303 <-> 323), or None (e.g. removed by a draft)."""
    numbers = table.info(release).numbers
    if number in numbers:
        return number
    other = _EQUIVALENT.get(number)
    return other if other in numbers else None


@dataclass(frozen=True)
class SimDraaiboek:
    """Draaiboek instants in simulation minutes."""

    clock: SimClock
    end: float
    old: str
    new: str
    go_live: float
    transition: float
    blocks: dict[str, float]
    deadlines: dict[tuple[str, str], float]
    portal_cutoff: dict[str, float]  # receiver type -> end of its read-in window
    portal_open: dict[str, float]  # receiver type -> start of its read-in window
    batch_visible: dict[tuple[str, date], float]  # (hub, local day) -> visible from
    releases: ReleaseTable = KNOWN  # the known releases and the scenario's drafts
    _due: dict[tuple[tuple[str, ...], str], float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_scenario(cls, s: Scenario) -> SimDraaiboek:
        clock = SimClock(s.window_start)
        blocks = {}
        for number in s.releases.info(s.from_release).numbers:
            block = s.block_of(number)
            if block is not None:
                blocks[number] = clock.to_sim(block.at)
        deadlines = {}
        for number in s.releases.info(s.from_release).numbers:
            for actor in ("gemeente", "aanbieder"):
                d = s.deadline_of(number, actor)
                if d is not None:
                    deadlines[(number, actor)] = clock.to_sim(d.at)
        transition = clock.to_sim(s.transition_start)
        cutoff = {"gemeente": transition, "aanbieder": transition}
        opening = {"gemeente": transition, "aanbieder": transition}
        for window in s.portals:
            cutoff[window.actor] = max(cutoff[window.actor], clock.to_sim(window.end))
            opening[window.actor] = min(opening[window.actor], clock.to_sim(window.start))
        batch = {}
        for note in s.batches:
            visible = localize(datetime.combine(note.day, note.visible_from))
            batch[(note.hub, note.day)] = clock.to_sim(visible)
        return cls(
            clock=clock,
            end=clock.to_sim(s.window_end),
            old=s.from_release,
            new=s.to_release,
            go_live=clock.to_sim(s.go_live.at),
            transition=transition,
            blocks=blocks,
            deadlines=deadlines,
            portal_cutoff=cutoff,
            portal_open=opening,
            batch_visible=batch,
            releases=s.releases,
        )

    def equivalent(self, number: str, release: str) -> str | None:
        """:func:`equivalent_number` among this scenario's releases."""
        return equivalent_number(number, release, self.releases)

    def release_at(self, t: float) -> str:
        return self.new if t >= self.go_live else self.old

    def block(self, number: str) -> float:
        return self.blocks.get(number, _NEVER)

    def deadline(self, number: str, actor: str) -> float:
        return self.deadlines.get((number, actor), _NEVER)

    def due(self, numbers: tuple[str, ...], actor: str) -> float:
        """When ``actor`` must have sent one of ``numbers`` at the latest: its deadline or block, or the transition."""
        due = self._due.get((numbers, actor))
        if due is None:  # asked for every heen a compliant party reads: the answer never changes
            due = self._due[(numbers, actor)] = min(
                [self.transition] + [min(self.deadline(n, actor), self.block(n)) for n in numbers])
        return due

    def admits(self, release: str, number: str, t: float) -> str:
        """``accepted``, or why a hub refuses ``number`` in ``release`` at ``t``."""
        if release == self.old:
            if t >= self.go_live:
                return "rejected_release"
            if t >= self.transition or t >= self.block(number):
                return "rejected_block"
            return "accepted"
        if t < self.go_live:
            return "rejected_release"
        return "accepted"

    def batch_visible_from(self, hub: str, t: float, day: date) -> float:
        """When a message a hub delivers at ``t`` on local ``day`` becomes visible, given the batch notes."""
        visible = self.batch_visible.get((hub, day))
        return t if visible is None else max(t, visible)
