"""Upper bounds on the scenario parameters that set how much work a run is.

The reader checks each value's type and lower bound; these bounds keep what ``scenario check``
accepts runnable by ``run``: a population that fits in memory, a window of at most a year, hours
that stay inside the calendar, and a gemeente count and year the shipped CBS lists can honour
(nothing is silently cut down). Sweep variants are checked the same way (via
:func:`ketensim.scenario.rules.check`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import NoReturn

from ketensim.exceptions import ScenarioError
from ketensim.scenario.model import Scenario
from ketensim.scenario.world_model import MAX_HOURS, ActorProfile, Dist, HubProfile

__all__ = ["check_bounds", "MAX_CLIENTS", "MAX_AANBIEDERS", "MAX_WINDOW", "YEARS"]

MAX_CLIENTS = 2_000_000
"""A quarter above the real national caseload (``2022-national-full``: 1.56 million clients, which peaks
at the memory benchmarks/national_full.py prints); more would not fit a run in a few GB."""
MAX_AANBIEDERS = 20_000
"""Five times the national scenario's 4 000 aanbieders."""
MAX_WINDOW = timedelta(days=366)
"""A migration's window is weeks (the national scenario: ten); a year at most."""
YEARS = (2015, 2027)
"""Population years accepted: within two years of a shipped CBS gemeente list (2017 .. 2025)."""
MAX_HUB_CAPACITY = 10_000_000.0
"""Messages per hour a hub can forward at most (the default is 60 000)."""


def check_bounds(s: Scenario) -> None:
    """Raise :class:`ScenarioError` for the first parameter of ``s`` above its bound."""
    from ketensim.population.gemeenten import GEMEENTE_YEARS, load_gemeenten

    def fail(where: str, problem: str) -> NoReturn:
        raise ScenarioError(s.path, where, problem)

    if s.window_end - s.window_start > MAX_WINDOW:
        days = (s.window_end - s.window_start).days
        fail("window.end", f"the window is {days} days long; expected at most {MAX_WINDOW.days} days (a migration "
             "takes weeks)")
    p = s.population
    year = p.year if p.year is not None else s.window_start.year
    if not YEARS[0] <= year <= YEARS[1]:
        where = "population.year" if p.year is not None else "window.start"
        fail(where, f"year {year} has no CBS gemeente list near it; expected a year {YEARS[0]}..{YEARS[1]} (lists "
             f"ship for {', '.join(map(str, GEMEENTE_YEARS))})")
    available = len(load_gemeenten(year))
    if p.gemeenten > available:
        fail("population.gemeenten", f"{p.gemeenten} gemeenten, but the list for {year} has {available}; expected "
             f"at most {available}")
    for key, value, bound in (("clients", p.clients, MAX_CLIENTS), ("aanbieders", p.aanbieders, MAX_AANBIEDERS)):
        if value > bound:
            fail(f"population.{key}", f"{value} is out of range; expected at most {bound:,} (a run of this size "
                 "would not fit in memory or time)")
    for kind in ("gemeente", "aanbieder"):
        _actor(s.behaviour.actor(kind), f"behaviour.{kind}", fail)
    for hub in ("vecozo", "ib"):
        _hub(s.behaviour.hub(hub), f"hubs.{hub}", fail)


_Fail = Callable[[str, str], NoReturn]


def _actor(profile: ActorProfile, where: str, fail: _Fail) -> None:
    for name in ("retour_hours", "answer_hours", "start_hours", "not_ready_hours"):
        dist: Dist = getattr(profile, name)
        for part, value in (("median", dist.median), ("p90", dist.p90)):
            if value is not None and value > MAX_HOURS:
                fail(f"{where}.{name}" + (f".{part}" if dist.p90 is not None else ""),
                     f"{value:g} hours is out of range; expected at most {MAX_HOURS:g} (a year)")


def _hub(profile: HubProfile, where: str, fail: _Fail) -> None:
    if profile.capacity_per_hour > MAX_HUB_CAPACITY:
        fail(f"{where}.capacity_per_hour", f"{profile.capacity_per_hour:g} is out of range; expected at most "
             f"{MAX_HUB_CAPACITY:,.0f} messages per hour")
