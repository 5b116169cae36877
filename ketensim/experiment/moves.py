"""Moves for ``ketensim optimize``: which draaiboek instant moves, and the grid of instants it may take.

A move names one instant of the draaiboek:

``heen_block``, ``retour_block``, ``go_live``, ``deadline:<id>``
    that instant, moved as ``sweep --vary`` moves it (see :mod:`ketensim.experiment.variants`: what
    coincides with it moves along, injection windows written relative to it follow).
``gap``
    the gap between the heen block and the retour block: the heen block moves and the retour block
    stays, so a later heen block is a smaller gap. The answer is stated as the gap as well.

The candidates lie on a grid of working time around the scenario's own instant (step 0):
``--step 1d`` (the default) keeps the clock time and moves by working days (Monday to Friday, Dutch
public holidays skipped), which is how draaiboek instants are usually placed (17:00 on a working
day); ``--step 4h`` moves by working hours of the office day (the earliest start and latest end of
the gemeente and aanbieder profiles), never into a night, weekend or holiday. Every candidate is
built with the same variant machinery as a sweep and checked with the draaiboek rules the scenario
validator enforces (a deadline after its block, a heen block after the retour block, a block at or
after go-live, instants outside the window); a candidate that breaks one is skipped with the reason.

The search assumes monotonicity: moving the instant one way (``riskier``) never makes the target
easier to meet. By default a later heen block, deadline or smaller gap is riskier, and an earlier
retour block or go-live is; ``--riskier`` overrides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ketensim.exceptions import ScenarioError
from ketensim.experiment.variants import Vary, make_variant
from ketensim.scenario.model import Scenario
from ketensim.scenario.world_sections import anchor_instants
from ketensim.timeline import AMSTERDAM, WorkCalendar, WorkingHours, localize

__all__ = ["Move", "Candidate", "parse_move", "parse_step", "candidates", "MOVES", "RISKIER"]

MOVES: tuple[str, ...] = ("heen_block", "retour_block", "go_live", "deadline:<id>", "gap")
RISKIER: dict[str, str] = {"heen_block": "later", "retour_block": "earlier", "go_live": "earlier", "deadline": "later",
                           "gap": "later"}
"""The default direction in which each move gets riskier (for ``gap``: the heen block moving later)."""
MAX_STEPS = 60
"""At most this many steps on each side of the scenario's instant."""

_STEP = re.compile(r"^(\d+)\s*([dh])$")


@dataclass(frozen=True)
class Move:
    """What moves: ``name`` as given, the ``vary`` name that moves it, the instant it has in the scenario."""

    name: str
    vary: str
    baseline: datetime
    riskier: str


@dataclass(frozen=True)
class Candidate:
    """One instant on the grid: its step from the scenario's instant, the variant or why it was skipped."""

    step: int
    at: datetime
    scenario: Scenario | None
    reason: str = ""

    @property
    def label(self) -> str:
        return f"{self.at.astimezone(AMSTERDAM):%a %d %b %Y %H:%M}"


def parse_move(name: str, s: Scenario, riskier: str | None = None) -> Move:
    """The :class:`Move` ``name`` means in scenario ``s``; raise ValueError naming what is wrong."""
    kind, _, ident = name.partition(":")
    anchors = anchor_instants({"go_live": s.go_live.at, "window_start": s.window_start, "window_end": s.window_end},
                              list(s.phases), list(s.blocks))
    if name in ("heen_block", "retour_block", "go_live", "gap"):
        vary = "heen_block" if name == "gap" else name
        baseline = anchors[vary]
    elif kind == "deadline" and ident:
        found = [d for d in s.deadlines if d.provenance.id == ident]
        if not found:
            known = ", ".join(d.provenance.id for d in s.deadlines if d.provenance.id) or "none"
            raise ValueError(f"{name}: no deadline with id {ident!r} in {s.path}; known: {known}")
        vary, baseline = name, found[0].at
    else:
        raise ValueError(f"unknown move {name!r}; expected one of: {', '.join(MOVES)}")
    return Move(name, vary, baseline, riskier or RISKIER[kind if kind == "deadline" else name])


def parse_step(text: str) -> tuple[int, str]:
    """``"1d"`` -> ``(1, "d")`` (working days), ``"4h"`` -> ``(4, "h")`` (working hours)."""
    match = _STEP.match(text.strip())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a step; expected a whole number of working days or hours, e.g. 1d or 4h")
    return int(match.group(1)), match.group(2)


def _office(s: Scenario) -> WorkCalendar:
    g, a = s.behaviour.gemeente, s.behaviour.aanbieder
    return WorkCalendar(WorkingHours(min(g.work_start, a.work_start), max(g.work_end, a.work_end)))


def _working_days(cal: WorkCalendar, start: datetime, count: int) -> datetime | None:
    """``start`` moved by ``count`` working days (negative: back), keeping its clock time."""
    local = start.astimezone(AMSTERDAM)
    day, wall = local.date(), local.time()
    step = 1 if count > 0 else -1
    for _ in range(abs(count)):
        day += timedelta(days=step)
        while not cal.is_working_day(day):
            day += timedelta(days=step)
    try:
        return localize(datetime.combine(day, wall))
    except ValueError:  # the clock time does not exist that day (summer time starts)
        return None


def _back_working_minutes(cal: WorkCalendar, moment: datetime, minutes: float) -> datetime:
    """The instant ``minutes`` of working time before ``moment`` (the mirror of ``add_working_minutes``)."""
    local = moment.astimezone(AMSTERDAM)
    remaining = timedelta(minutes=minutes)
    current = local
    if not cal.is_working_day(local.date()) or local.time() <= cal.hours.start:
        current = _previous_close(cal, local.date())
    elif local.time() > cal.hours.end:
        current = localize(datetime.combine(local.date(), cal.hours.end))
    while True:
        opening = localize(datetime.combine(current.date(), cal.hours.start))
        available = current.astimezone(timezone.utc) - opening.astimezone(timezone.utc)
        if remaining <= available:
            return (current.astimezone(timezone.utc) - remaining).astimezone(AMSTERDAM)
        remaining -= available
        current = _previous_close(cal, current.date())


def _previous_close(cal: WorkCalendar, day: date) -> datetime:
    """The end of the last working day before ``day``."""
    day -= timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return localize(datetime.combine(day, cal.hours.end))


def _instant(cal: WorkCalendar, base: datetime, k: int, size: int, unit: str) -> datetime | None:
    if k == 0:
        return base
    if unit == "d":
        return _working_days(cal, base, k * size)
    if k > 0:
        return cal.add_working_minutes(base, k * size * 60.0)
    return _back_working_minutes(cal, base, -k * size * 60.0)


def candidates(s: Scenario, move: Move, steps: int, step: tuple[int, str]) -> list[Candidate]:
    """Every instant from ``steps`` steps before to ``steps`` after the scenario's instant, safest first."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"--steps {steps}: expected 1 .. {MAX_STEPS} steps on each side")
    size, unit = step
    cal = _office(s)
    vary = Vary(move.vary, "instant", (), (), 0.0, "h")
    out: list[Candidate] = []
    seen: set[datetime] = set()
    for k in range(-steps, steps + 1):
        at = _instant(cal, move.baseline, k, size, unit)
        if at is None:
            continue
        at = at.astimezone(AMSTERDAM)
        if at in seen:
            continue
        seen.add(at)
        # the variant machinery adds its offset on the wall clock: give it the wall-clock difference
        offset = (at.replace(tzinfo=None) - move.baseline.astimezone(AMSTERDAM).replace(tzinfo=None))
        hours = offset.total_seconds() / 3600
        try:
            variant = make_variant(s, vary, hours)
        except ScenarioError as err:
            out.append(Candidate(k, at, None, f"{err.where}: {err.problem}" if err.where else err.problem))
            continue
        except ValueError as err:
            out.append(Candidate(k, at, None, str(err)))
            continue
        out.append(Candidate(k, at, variant))
    out.sort(key=lambda c: c.at, reverse=move.riskier == "earlier")
    return out


def office_hours(s: Scenario) -> tuple[time, time]:
    """The office day the working-hour grid uses."""
    cal = _office(s)
    return cal.hours.start, cal.hours.end
