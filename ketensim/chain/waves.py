"""Extra traffic in a window: the ``[[traffic]]`` rows of a scenario, sent on top of the caseload's own.

A wave names its sender (gemeente or aanbieder), its heenberichten and its volume: a share of the
cases with an active toewijzing when the run starts, or a count. Each case of the wave gets one
moment, drawn evenly over the sender's working time in the wave's window, at which its party sends
each message of the wave for that case. Every draw derives from the wave's id and the case's place
in the wave, so adding a wave changes nothing else in a run (the same seed gives the same caseload
traffic with and without it).

The 2021 migration uses waves for the toewijzing migratietabel (S003) and the period-13 303s; any
draaiboek can use one, for example a re-issue of all toewijzingen before go-live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketensim.chain.simcal import minute_of_day
from ketensim.scenario.world_model import Wave

if TYPE_CHECKING:
    from ketensim.chain.caseload import Case
    from ketensim.chain.ports import ChainWorld

__all__ = ["schedule_waves", "wave_size", "WAVE_INTENT"]

WAVE_INTENT = "golf:"
"""Prefix of the ``intent`` of a wave's messages (``golf:<id>``): no follow-up such as a 305 start."""


def wave_size(wave: Wave, active_cases: int) -> int:
    """How many cases the wave touches: its count, or its share of the active cases (rounded)."""
    return wave.count if wave.count else round(wave.share * active_cases)


def _working_minutes(world: ChainWorld, start: float, end: float, work_start: float, work_end: float) -> list[
        tuple[float, float]]:
    """The working intervals of [start, end) as (from, to) simulation minutes."""
    calendar = world.calendar
    out = []
    t = calendar.next_working(start, work_start, work_end)
    while t < end:
        day_end = min(end, calendar.at(calendar.index(t), work_end))
        out.append((t, day_end))
        t = calendar.next_working(day_end, work_start, work_end)
    return out


def schedule_waves(world: ChainWorld) -> None:
    """Schedule every message of every wave of the scenario (called once, when the traffic starts)."""
    scenario = world.scenario
    cases = [c for c in world.caseload.cases if c.active and c.started]
    clock = world.draaiboek.clock
    for wave in scenario.waves:
        profile = scenario.behaviour.actor(wave.actor)
        intervals = _working_minutes(world, clock.to_sim(wave.start), clock.to_sim(wave.end),
                                     minute_of_day(profile.work_start), minute_of_day(profile.work_end))
        total = sum(b - a for a, b in intervals)
        n = min(wave_size(wave, len(cases)), len(cases))
        if not intervals or total <= 0 or n == 0:
            continue
        chosen = world.rng(f"wave:{wave.id}:cases").sample(range(len(cases)), n)
        for j, index in enumerate(chosen):
            offset = world.rng(f"wave:{wave.id}:{j}").uniform(0, total)
            for a, b in intervals:
                if offset < b - a:
                    world.at(a + offset, _send, world, wave, cases[index], f"wave:{wave.id}:{j}")
                    break
                offset -= b - a


def _send(world: ChainWorld, wave: Wave, case: Case, key: str) -> None:
    gemeente, aanbieder = world.parties_of(case)
    sender, receiver = (gemeente, aanbieder) if wave.actor == "gemeente" else (aanbieder, gemeente)
    for number in wave.messages:
        sender.send_heen(number, receiver, case, WAVE_INTENT + wave.id, f"{key}:{number}")
