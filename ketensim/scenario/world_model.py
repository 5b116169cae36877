"""The simulated world around a draaiboek: population size, behaviour profiles and injections.

These are the ``[population]``, ``[behaviour.*]``, ``[hubs.*]`` and ``[[injection]]`` sections of a
scenario file. Every default lives here, documented next to the field, so a scenario only states
what it changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

__all__ = ["Dist", "ActorProfile", "HubProfile", "Behaviour", "Population", "Merger", "Region", "Injection", "Wave",
           "MAX_HOURS"]

MAX_HOURS = 8760.0
"""Longest duration a behaviour distribution draws, in hours (a year); scenario values are bounded by it."""

_WHEN_SET = {"recorded_when_set": True}  # result files record the field only when it is not its default
_Z90 = 1.2815515655446004  # standard normal quantile at 0.9


@dataclass(frozen=True)
class Dist:
    """A duration in hours: fixed, or lognormal given by its median and 90th percentile."""

    median: float
    p90: float | None = None

    def __post_init__(self) -> None:
        if self.median < 0:
            raise ValueError(f"median must be >= 0 hours (got {self.median})")
        if self.p90 is not None and self.p90 < self.median:
            raise ValueError(f"p90 ({self.p90}) must be >= median ({self.median})")
        # the lognormal's parameters, worked out once (a national run draws over a million durations)
        drawn = not self.is_fixed and self.median != 0
        object.__setattr__(self, "_mu", math.log(self.median) if drawn else None)
        object.__setattr__(self, "_sigma", math.log(self.p90 / self.median) / _Z90 if drawn else 0.0)  # type: ignore[operator]

    @property
    def is_fixed(self) -> bool:
        return self.p90 is None or self.p90 == self.median

    def sample(self, rng: Any) -> float:
        """Draw hours from ``rng`` (a ``random.Random``); a fixed Dist draws nothing."""
        mu = self._mu  # type: ignore[attr-defined]
        if mu is None:
            return min(self.median, MAX_HOURS)
        # the lognormal tail is unbounded: a draw beyond a year would only push work past any window
        try:
            return min(rng.lognormvariate(mu, self._sigma), MAX_HOURS)  # type: ignore[attr-defined]
        except OverflowError:  # beyond a double (a tiny median under a large p90): beyond a year too
            return MAX_HOURS

    def scaled(self, factor: float) -> Dist:
        return Dist(self.median * factor, None if self.p90 is None else self.p90 * factor)


@dataclass(frozen=True)
class ActorProfile:
    """How one actor type (gemeente or aanbieder) behaves."""

    retour_hours: Dist = Dist(2.0, 16.0)
    """Working hours from reading a heen in to sending its technical retour (OP090: within 3 days)."""
    answer_hours: Dist = Dist(16.0, 40.0)
    """Working hours from a request (315/317) or declaratie (323/303) to its functional answer."""
    deadline_compliance: float = 0.95
    """Share of actors that respect the procedural deadlines: they hold heenberichten due after a
    deadline until go-live, and send a retour on an old-release heen read in before the retour
    deadline no later than ``deadline_margin_minutes`` before that deadline."""
    deadline_margin_minutes: float = 30.0
    """How early before a retour deadline a compliant actor makes sure its retour is out."""
    overtime_minutes: float = 0.0
    """How far outside its working hours (before ``work_start``, after ``work_end``) a compliant actor
    works to hurry a retour or answer before a deadline. ASSUMED default 0: no source describes
    overtime around a migration, so a party hurries only within its working hours."""
    start_hours: Dist = Dist(16.0, 40.0)
    """Working hours from receiving a toewijzing (301) to sending the start of care (305; OP271: 5 days)."""
    ready_at_go_live: float = 1.0
    """Share of actors whose software speaks the new release at go-live."""
    not_ready_hours: Dist = Dist(24.0, 72.0)
    """Wall-clock hours after go-live until a not-ready actor can use the new release."""
    poll_minutes: float = 60.0
    """Minutes between two reads of the hub inbox, in working time (webservice users)."""
    portal_share: float = 0.2
    """Share of actors that read in through the hub's portal by hand, once per working day."""
    portal_read_at: time = time(9, 0)
    """When portal users read in on a working day (and in any portal read-in window)."""
    work_start: time = time(8, 30)
    work_end: time = time(17, 0)


@dataclass(frozen=True)
class HubProfile:
    """How one hub (VECOZO or IB/GGk) forwards traffic."""

    transit_minutes: float = 2.0
    """Minutes a message spends in the hub before it is offered to the other side."""
    batch_minutes: float = 0.0
    """If > 0, deliveries to the receiving side happen in batches every this many minutes."""
    capacity_per_hour: float = 60000.0
    """Messages the hub can check and forward per hour; a backlog drains at this rate."""
    rules: bool = False
    """Whether the hub checks the business rules (TR/CD/CS) after the XSD on submission; a violation is
    a technical refusal like an XSD failure. VECOZO does by default (the rule set runs on submission there)."""


def _default_gemeente() -> ActorProfile:
    return ActorProfile(retour_hours=Dist(3.0, 20.0), answer_hours=Dist(24.0, 60.0), poll_minutes=60.0)


def _default_aanbieder() -> ActorProfile:
    return ActorProfile(retour_hours=Dist(2.0, 16.0), answer_hours=Dist(8.0, 24.0), portal_share=0.3)


@dataclass(frozen=True)
class Behaviour:
    """Behaviour profiles per actor type and per hub."""

    gemeente: ActorProfile = field(default_factory=_default_gemeente)
    aanbieder: ActorProfile = field(default_factory=_default_aanbieder)
    vecozo: HubProfile = field(default_factory=lambda: HubProfile(rules=True))
    ib: HubProfile = field(default_factory=lambda: HubProfile(transit_minutes=5.0, batch_minutes=15.0))

    def actor(self, kind: str) -> ActorProfile:
        return self.gemeente if kind == "gemeente" else self.aanbieder

    def hub(self, name: str) -> HubProfile:
        return self.vecozo if name == "vecozo" else self.ib


@dataclass(frozen=True)
class Merger:
    """A municipal merger during the window (``[[population.merger]]``): ``gemeente`` joins ``into`` at ``at``.

    From that instant the clients of ``gemeente`` are clients of ``into``: their cases, new toewijzingen
    and declarations go to and from ``into``; what ``gemeente`` already had in its inbox it still reads in.
    """

    gemeente: str
    into: str
    at: datetime
    at_text: str
    source: str = ""


@dataclass(frozen=True)
class Region:
    """A regional organisation that sends for several gemeenten under one or both laws (``[[population.region]]``).

    The member gemeenten keep their own gemeentecode in every message, but their traffic under
    ``standards`` runs through one system: one read-in routine, one deadline discipline, one
    readiness at go-live (the behaviour draws of the region, not of each gemeente).
    """

    id: str
    naam: str
    gemeenten: tuple[str, ...]
    standards: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True)
class Population:
    """Size and turnover of the simulated caseload.

    Volumes follow from the caseload: per active client per month a share gets a new
    toewijzing, a wijziging or an end of care; aanbieders declare monthly per gemeente.
    """

    year: int | None = None
    """Year of the CBS gemeente list; defaults to the year the scenario window starts."""
    gemeenten: int = 12
    """Number of gemeenten simulated, drawn weighted by inhabitants (at most the year's count)."""
    aanbieders: int = 60
    clients: int = 2000
    """Clients with an active toewijzing at the start of the window."""
    ijw_share: float = 0.45
    """Share of clients under the Jeugdwet (iJw); the rest is Wmo (iWmo)."""
    gemeenten_per_aanbieder: int = 3
    """Gemeenten each aanbieder has a contract with."""
    new_per_month: float = 0.05
    """New toewijzingen per active client per month (half start with a VOT 315 from the aanbieder)."""
    vot_share: float = 0.5
    """Share of new toewijzingen that start with a verzoek om toewijzing (315)."""
    change_per_month: float = 0.02
    """Wijzigingen (301 wijziging, in 3.x half of them requested with a 317) per client per month."""
    end_per_month: float = 0.04
    """Ends of care (307 stop, followed by a 301 with an einddatum) per client per month."""
    declaration_day: int = 0
    """If > 0: the working day of the month on which every aanbieder sends its monthly declaratie
    (323 / 303). 0 (the default) spreads the day over aanbieders by ``declaration_days``."""
    declaration_days: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0)
    """Weights of working days 1, 2, ... of the month: each aanbieder draws its declaration day per
    month from them. ASSUMED default: evenly over the first five working days. No source gives when
    aanbieders declare; the 3.0 monthly declaration period only says a month is declared after it ends
    (S003 "Declareren"), and a fixed day for all aanbieders was itself unsourced."""
    mergers: tuple[Merger, ...] = field(default=(), metadata=_WHEN_SET)
    """Municipal mergers during the window; they need every gemeente of the year's list simulated."""
    regions: tuple[Region, ...] = field(default=(), metadata=_WHEN_SET)
    """Regional organisations sending for their member gemeenten; they too need every gemeente simulated."""
    use: str = field(default="", metadata=_WHEN_SET)
    """The population file the section was read from (``use = "national-2022"``), empty when written out."""


@dataclass(frozen=True)
class Injection:
    """A fault or spoed stream over a window, as written in the scenario (see ketensim.faults)."""

    kind: str
    start: datetime
    end: datetime
    start_text: str
    end_text: str
    actor: str | None = None
    share: float = 1.0
    hub: str | None = None
    messages: tuple[str, ...] = ()
    params: tuple[tuple[str, Any], ...] = ()
    note: str = ""
    index: int = 0
    toelichting: str = ""
    """The note in Dutch, for the stuurgroep report (``note`` when empty)."""

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Wave:
    """Extra traffic in a window (``[[traffic]]``): a migration wave, a re-issue, a last declaration round.

    ``actor`` sends each of ``messages`` for ``count`` cases (or ``share`` of the cases with an active
    toewijzing when the run starts), spread evenly over its working time in [start, end). ``release``
    is the rule the wave follows: ``old`` (it must be done before go-live), ``new`` (only after it),
    or ``any`` (in whichever release is current; a held message goes in the new one).
    """

    id: str
    what: str
    messages: tuple[str, ...]
    actor: str
    start: datetime
    end: datetime
    start_text: str
    end_text: str
    share: float = 0.0
    count: int = 0
    release: str = "any"
    source: str = ""
    assumed: bool = False
    why: str = ""
    waarom: str = ""  # the Dutch reason of an assumed wave
