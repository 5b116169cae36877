"""The Draaiboek as frozen data: phases, deadlines, blocks, portal windows, batch notes.

A :class:`Scenario` is one landelijke migratie (from one release to the next) plus the simulated
world around it (population, behaviour, injections; see :mod:`ketensim.scenario.world_model`).
All instants are aware datetimes in Europe/Amsterdam. Every timeline row carries where it comes
from: a ``source`` reference, or ``assumed=True`` with ``why`` where the sources lack it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from ketensim.scenario.uncertain import Uncertain
from ketensim.scenario.world_model import Behaviour, Injection, Population, Wave
from ketensim.standards.drafts import DraftRelease, ReleaseTable, release_table
from ketensim.standards.releases import HEEN_OF

__all__ = [
    "Provenance",
    "Phase",
    "GoLive",
    "Deadline",
    "Block",
    "PortalWindow",
    "BatchNote",
    "Milestone",
    "AnswerRules",
    "Scenario",
    "PHASE_NAMES",
    "HUBS",
    "ACTORS",
]

PHASE_NAMES: tuple[str, ...] = ("afsluiting", "transitie", "ingebruikname")
PHASE_LABELS: dict[str, str] = {
    "afsluiting": "afsluiting",
    "transitie": "transitie",
    "ingebruikname": "ingebruikname en nazorg",
}
HUBS: tuple[str, ...] = ("vecozo", "ib")
ACTORS: tuple[str, ...] = ("gemeente", "aanbieder")
Actor = Literal["gemeente", "aanbieder", "all"]


@dataclass(frozen=True)
class Provenance:
    """Where a row comes from: a source reference, or an assumption with its reason."""

    id: str = ""
    what: str = ""
    source: str = ""
    assumed: bool = False
    why: str = ""
    waarom: str = ""  # the reason of an assumed row in Dutch, for the Dutch report


@dataclass(frozen=True)
class Phase:
    """One of the three phases of a migration."""

    name: str
    start: datetime
    end: datetime
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.name]


@dataclass(frozen=True)
class GoLive:
    """The instant the new release goes live and is the only one accepted."""

    at: datetime
    by: tuple[str, ...]
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class Deadline:
    """A procedural deadline: parties are asked to send ``messages`` before ``at``. Hubs do not enforce it."""

    at: datetime
    actor: Actor
    messages: tuple[str, ...]
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class Block:
    """A technical block: from ``at`` the hubs refuse ``messages`` (IB103) until go-live, or for good."""

    at: datetime
    by: tuple[str, ...]
    messages: tuple[str, ...]
    phase_out: bool = False
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class PortalWindow:
    """A window in which one actor type must read in everything waiting on a hub's portal."""

    start: datetime
    end: datetime
    hub: str
    actor: Actor
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class BatchNote:
    """A hub's batch behaviour on one day: messages sent that day appear only from ``visible_from``."""

    hub: str
    day: date
    visible_from: time
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class Milestone:
    """Any other timeline row (a migration window, a chain test, a no-traffic weekend)."""

    start: datetime
    end: datetime | None
    by: tuple[str, ...]
    kind: Literal["procedural", "technical"]
    messages: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)


_ANSWER_RULE_ASSUMED = (
    "No source states which functional answers may cross this release boundary; ketensim assumes the "
    "rule S003 gives for 2.4 -> 3.0: a request of the old release may still be answered with a toewijzing "
    "(301) in the new release, but not with an antwoordbericht (319)."
)
_ANSWER_RULE_AANGENOMEN = (
    "Geen bron zegt welke functionele antwoorden deze releasegrens over mogen; ketensim neemt de regel aan die "
    "S003 geeft voor 2.4 -> 3.0: een verzoek in de oude release mag nog beantwoord worden met een toewijzing "
    "(301) in de nieuwe release, maar niet met een antwoordbericht (319)."
)


@dataclass(frozen=True)
class AnswerRules:
    """Which functional answers (301, 319) may answer an old-release request (315/317) in the new release.

    An answer not in ``cross_release`` that would have to go in the new release is forbidden: the
    gemeente communicates it outside the berichtenverkeer (``forbidden_cross_release_answers``);
    the request's own pair (315/316, 317/318) is not broken by it.
    """

    cross_release: tuple[str, ...] = ("301",)
    provenance: Provenance = field(
        default_factory=lambda: Provenance(id="answers", assumed=True, why=_ANSWER_RULE_ASSUMED,
                                           waarom=_ANSWER_RULE_AANGENOMEN))

    def allows(self, number: str) -> bool:
        return number in self.cross_release


@dataclass(frozen=True)
class Scenario:
    """One migration draaiboek and the simulated world around it, loaded and validated."""

    id: str
    name: str
    path: str
    standards: tuple[str, ...]
    from_release: str
    to_release: str
    window_start: datetime
    window_end: datetime
    phases: tuple[Phase, Phase, Phase]
    go_live: GoLive
    deadlines: tuple[Deadline, ...] = ()
    blocks: tuple[Block, ...] = ()
    portals: tuple[PortalWindow, ...] = ()
    batches: tuple[BatchNote, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    population: Population = field(default_factory=Population)
    behaviour: Behaviour = field(default_factory=Behaviour)
    injections: tuple[Injection, ...] = ()
    answers: AnswerRules = field(default_factory=AnswerRules)
    waves: tuple[Wave, ...] = ()
    """Extra traffic in windows (``[[traffic]]``), on top of the caseload's own."""
    drafts: tuple[DraftRelease, ...] = ()
    """Draft releases the scenario declares (``[[release]]``), derived from known ones (*afgeleid*)."""
    source: str = ""
    description: str = ""
    naam: str = ""
    """The name in Dutch, for the stuurgroep report (``name`` when empty)."""
    uncertain: tuple[Uncertain, ...] = ()
    """Parameters given as ranges (:mod:`ketensim.scenario.uncertain`); each holds its nominal value in place."""

    @property
    def dutch_name(self) -> str:
        """What the Dutch report calls this scenario."""
        return self.naam or self.name

    @property
    def releases(self) -> ReleaseTable:
        """The releases this scenario can name: the known ones and its own drafts."""
        return release_table(self.drafts)

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)

    def block_of(self, number: str) -> Block | None:
        """The earliest technical block that covers message ``number``, if any."""
        covering = [b for b in self.blocks if number in b.messages]
        return min(covering, key=lambda b: b.at) if covering else None

    def deadline_of(self, number: str, actor: str) -> Deadline | None:
        """The procedural deadline for ``number`` sent by ``actor`` (or by all), if any."""
        matching = [d for d in self.deadlines if number in d.messages and d.actor in (actor, "all")]
        return min(matching, key=lambda d: d.at) if matching else None

    def is_blocked(self, number: str, at: datetime) -> bool:
        """True if a hub refuses an old-release ``number`` at ``at`` (before go-live)."""
        block = self.block_of(number)
        return block is not None and at >= block.at

    def release_at(self, at: datetime) -> str:
        """The release the chain speaks at ``at``: the old one before go-live, the new one after."""
        return self.to_release if at >= self.go_live.at else self.from_release

    @property
    def transition_start(self) -> datetime:
        return self.phase("transitie").start

    def heen_numbers_blocked(self) -> tuple[str, ...]:
        return tuple(sorted({m for b in self.blocks for m in b.messages if m not in HEEN_OF}))
