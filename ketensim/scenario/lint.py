"""Warnings about a draaiboek that is valid but questionable: moments nobody is at work.

A deadline, block or go-live on a Saturday, Sunday or Dutch public holiday (Algemene
termijnenwet, see :func:`ketensim.timeline.dutch_holidays`) is legal, and some real draaiboeken
have one (the 2017 and 2018 declaration stops on a Sunday 23:00), but the standards team should
see it. A retour deadline that leaves no working time after the heen block cannot be met by a
party that works office hours: the heenberichten sent just before the block are then answered
too late. ``ketensim scenario check`` prints these as warnings and still exits 0.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ketensim.scenario.model import Scenario
from ketensim.standards.releases import HEEN_OF
from ketensim.timeline import dutch_holidays

__all__ = ["scenario_warnings"]

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _row(kind: str, index: int, ident: str) -> str:
    return f"{kind}[{index + 1}] ({ident})" if ident else f"{kind}[{index + 1}]"


def _off_day(moment: datetime) -> str:
    """``"a Sunday"`` or ``"a Dutch public holiday"`` if nobody works office hours that day, else ``""``."""
    day = moment.date()
    if day in dutch_holidays(day.year):
        return f"a Dutch public holiday ({_DAY_NAMES[day.weekday()]} {day:%d %b %Y})"
    if day.weekday() >= 5:
        return f"a {_DAY_NAMES[day.weekday()]}"
    return ""


def _working_minutes(s: Scenario, actor: str, start: datetime, end: datetime) -> float:
    """Working minutes of ``actor`` ("gemeente", "aanbieder" or "all": the longer) between two instants."""
    kinds = ("gemeente", "aanbieder") if actor == "all" else (actor,)
    best = 0.0
    for kind in kinds:
        profile = s.behaviour.actor(kind)
        total = 0.0
        day = start.date()
        while day <= end.date():
            if day.weekday() < 5 and day not in dutch_holidays(day.year):
                open_ = datetime.combine(day, profile.work_start, start.tzinfo)
                close = datetime.combine(day, profile.work_end, start.tzinfo)
                lo, hi = max(start, open_), min(end, close)
                total += max(0.0, (hi - lo).total_seconds() / 60.0)
            day += timedelta(days=1)
        best = max(best, total)
    return best


def scenario_warnings(s: Scenario) -> list[str]:
    """One line per warning, ``<file>: <row>: <what>``, in timeline order of the rows."""
    out: list[str] = []
    moments = [("go_live.at", s.go_live.at)]
    moments += [(f"{_row('deadline', i, d.provenance.id)}.at", d.at) for i, d in enumerate(s.deadlines)]
    moments += [(f"{_row('block', i, b.provenance.id)}.at", b.at) for i, b in enumerate(s.blocks)]
    for where, moment in moments:
        off = _off_day(moment)
        if off:
            out.append(f"{s.path}: {where}: {moment:%a %Y-%m-%d %H:%M} falls on {off}; parties that work office "
                       "hours cannot act then (expected a working day, or a source that says so)")
    for i, d in enumerate(s.deadlines):
        for retour in d.messages:
            heen = HEEN_OF.get(retour)
            block = s.block_of(heen) if heen else None
            if block is None or block.at >= d.at:
                continue
            if _working_minutes(s, d.actor, block.at, d.at) <= 0:
                out.append(f"{s.path}: {_row('deadline', i, d.provenance.id)}.at: no working time of the "
                           f"{d.actor if d.actor != 'all' else 'parties'} between the block of {heen} at "
                           f"{block.at:%a %Y-%m-%d %H:%M} and this {retour} deadline {d.at:%a %Y-%m-%d %H:%M}; "
                           "a party that works office hours cannot answer the last heenberichten in time")
                break
    return out
