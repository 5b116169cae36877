"""Reading the world sections of a scenario: ``[population]``, ``[behaviour.*]``, ``[hubs.*]``, ``[[injection]]``.

Injection windows are absolute local times or expressions relative to a draaiboek instant, such
as ``"heen_block - 2h"`` or ``"go_live + 1d"`` (units ``m``, ``h``, ``d``; days are calendar days).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from collections.abc import Callable
from typing import Any

from ketensim.scenario.model import ACTORS, HUBS, Block, Phase
from ketensim.scenario.reader import Table, describe
from ketensim.scenario.population_section import read_population
from ketensim.scenario.uncertain import is_spec
from ketensim.scenario.world_model import ActorProfile, Behaviour, Dist, HubProfile, Injection, Wave
from ketensim.standards.drafts import KNOWN, ReleaseTable
from ketensim.standards.releases import HEEN_OF, RETOUR_OF
from ketensim.timeline import AMSTERDAM, localize

__all__ = ["read_population", "read_behaviour", "read_injections", "read_waves", "anchor_instants", "INJECTION_KINDS",
           "ANCHORS"]

INJECTION_KINDS: tuple[str, ...] = (
    "late_send",
    "slow_response",
    "batch_delay",
    "hub_outage",
    "not_ready",
    "corrupt",
    "portal_unread",
    "spoed",
)
ANCHORS: tuple[str, ...] = (
    "window_start",
    "window_end",
    "afsluiting_start",
    "transitie_start",
    "heen_block",
    "retour_block",
    "go_live",
)
_EXPR = re.compile(r"^\s*([a-z_]+)\s*((?:[+-]\s*\d+(?:\.\d+)?\s*[mhd]\s*)*)$")
_TERM = re.compile(r"([+-])\s*(\d+(?:\.\d+)?)\s*([mhd])")
_UNIT = {"m": 1.0, "h": 60.0, "d": 1440.0}
_HEEN = frozenset(RETOUR_OF)
_RETOUR = frozenset(HEEN_OF)


def _dist(t: Table, key: str, default: Dist) -> Dist:
    if not t.has(key):
        t.raw(key, None)
        return default
    value = t.raw(key)
    if t.uncertain is not None and is_spec(value):
        value = {"median": value}  # uncertain fixed hours: the median is the uncertain number
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            t.fail(key, f"{value} is not a finite number; expected hours like 2.5")
        if value < 0:
            t.fail(key, f"{value} is negative; expected hours >= 0")
        return Dist(float(value))
    sub = t.child(value, f"{t.where}.{key}")
    median = sub.number("median", lo=0)
    p90 = sub.number("p90", None, lo=0)
    sub.finish()
    if p90 is not None and p90 < median:
        sub.fail("p90", f"{p90} is below the median {median}; expected p90 >= median")
    return Dist(float(median), None if p90 is None else float(p90))


def _actor_profile(t: Table | None, base: ActorProfile) -> ActorProfile:
    if t is None:
        return base
    profile = ActorProfile(
        retour_hours=_dist(t, "retour_hours", base.retour_hours),
        answer_hours=_dist(t, "answer_hours", base.answer_hours),
        deadline_compliance=t.number("deadline_compliance", base.deadline_compliance, lo=0, hi=1),
        deadline_margin_minutes=t.number("deadline_margin_minutes", base.deadline_margin_minutes, lo=0, hi=1440),
        overtime_minutes=t.number("overtime_minutes", base.overtime_minutes, lo=0, hi=300),
        start_hours=_dist(t, "start_hours", base.start_hours),
        ready_at_go_live=t.number("ready_at_go_live", base.ready_at_go_live, lo=0, hi=1),
        not_ready_hours=_dist(t, "not_ready_hours", base.not_ready_hours),
        poll_minutes=t.number("poll_minutes", base.poll_minutes, lo=1, hi=10080),
        portal_share=t.number("portal_share", base.portal_share, lo=0, hi=1),
        portal_read_at=t.clock("portal_read_at", base.portal_read_at),
        work_start=t.clock("work_start", base.work_start),
        work_end=t.clock("work_end", base.work_end),
    )
    if profile.work_end <= profile.work_start:
        t.fail("work_end", f"{profile.work_end} is not after work_start {profile.work_start}; expected a later time")
    t.finish()
    return profile


def _hub_profile(t: Table | None, base: HubProfile) -> HubProfile:
    if t is None:
        return base
    profile = HubProfile(
        transit_minutes=t.number("transit_minutes", base.transit_minutes, lo=0, hi=1440),
        batch_minutes=t.number("batch_minutes", base.batch_minutes, lo=0, hi=1440),
        capacity_per_hour=t.number("capacity_per_hour", base.capacity_per_hour, lo=1),
        rules=t.bool("rules", base.rules),
    )
    t.finish()
    return profile


def read_behaviour(root: Table, collect: Callable[..., Any] | None = None) -> Behaviour:
    """``[behaviour.*]`` and ``[hubs.*]``; with ``collect`` (the loader's error collector) each of the four
    profiles is read on its own, so an error in one does not hide the errors of the others."""
    call = collect or (lambda read, *args: read(*args))
    base = Behaviour()
    parts: dict[str, Any] = {}
    t = root.sub("behaviour", required=False)
    if t is not None:
        for actor in ("gemeente", "aanbieder"):
            parts[actor] = call(lambda a=actor: _actor_profile(t.sub(a, required=False), getattr(base, a)))
        t.finish()
    h = root.sub("hubs", required=False)
    if h is not None:
        for hub in ("vecozo", "ib"):
            parts[hub] = call(lambda n=hub: _hub_profile(h.sub(n, required=False), getattr(base, n)))
        h.finish()
    return replace(base, **{k: v for k, v in parts.items() if v is not None})


def anchor_instants(head: dict[str, datetime], phases: list[Phase], blocks: list[Block]) -> dict[str, datetime]:
    """The named draaiboek instants that injection windows may refer to."""
    by_name = {p.name: p for p in phases}
    heen = [b.at for b in blocks if not b.phase_out and any(m in _HEEN for m in b.messages)]
    retour = [b.at for b in blocks if not b.phase_out and any(m in _RETOUR for m in b.messages)]
    transition = by_name["transitie"].start
    return {
        "window_start": head["window_start"],
        "window_end": head["window_end"],
        "afsluiting_start": by_name["afsluiting"].start,
        "transitie_start": transition,
        "heen_block": min(heen) if heen else transition,
        "retour_block": min(retour) if retour else transition,
        "go_live": head["go_live"],
    }


def resolve_expression(value: str, anchors: dict[str, datetime]) -> datetime:
    """The instant of a time expression such as ``"heen_block - 3d"`` (raises ValueError with the reason)."""
    match = _EXPR.match(value)
    if not match or match.group(1) not in anchors:
        raise ValueError(f"{value!r} is not a time expression; expected <anchor> [+|- N m|h|d]... with anchor one of "
                         + ", ".join(ANCHORS))
    terms = [((1 if sign == "+" else -1) * float(n), unit) for sign, n, unit in _TERM.findall(match.group(2))]
    days = sum(n for n, unit in terms if unit == "d")
    minutes = sum(n * _UNIT[unit] for n, unit in terms if unit != "d")
    # days move the wall clock (go_live + 1d is 13:00 the next day, also across a summer-time
    # switch); hours and minutes are real elapsed time
    try:
        base = localize(anchors[match.group(1)].replace(tzinfo=None) + timedelta(days=days))
        return (base.astimezone(timezone.utc) + timedelta(minutes=minutes)).astimezone(AMSTERDAM)
    except (OverflowError, ValueError):
        raise ValueError(f"{value!r} lies beyond any representable date; expected an offset of days or hours "
                         "inside the scenario window") from None


def _when(t: Table, key: str, anchors: dict[str, datetime]) -> tuple[datetime, str]:
    value = t.raw(key)
    if isinstance(value, datetime):
        return t.instant(key), value.isoformat(sep=" ", timespec="minutes")
    if not isinstance(value, str):
        t.fail(key, f"expected a local date-time or an expression like \"go_live + 1d\", got {describe(value)}")
    try:
        return resolve_expression(value, anchors), value.strip()
    except ValueError as err:
        t.fail(key, str(err))
        raise  # not reached: fail raises


def _window(t: Table, anchors: dict[str, datetime], head: dict[str, datetime]) -> tuple[datetime, str, datetime, str]:
    """A row's ``start`` and ``end`` (instants or anchor expressions): ordered and inside the scenario window."""
    start, start_text = _when(t, "start", anchors)
    end, end_text = _when(t, "end", anchors)
    if end <= start:
        t.fail("end", f"{end_text!r} ({end:%Y-%m-%d %H:%M}) is not after start {start_text!r}; expected end > start")
    for key, moment in (("start", start), ("end", end)):
        if not head["window_start"] <= moment <= head["window_end"]:
            t.fail(key, f"{moment:%Y-%m-%d %H:%M} is outside the scenario window "
                   f"{head['window_start']:%Y-%m-%d %H:%M} .. {head['window_end']:%Y-%m-%d %H:%M}")
    return start, start_text, end, end_text


def read_injections(root: Table, head: dict[str, datetime], phases: list[Phase], blocks: list[Block],
                    releases: tuple[str, str], table: ReleaseTable = KNOWN) -> tuple[Injection, ...]:
    anchors = anchor_instants(head, phases, blocks)
    known_numbers = table.info(releases[0]).numbers | table.info(releases[1]).numbers
    out = []
    for index, t in enumerate(root.rows("injection")):
        kind = t.str("kind", choices=INJECTION_KINDS)
        start, start_text, end, end_text = _window(t, anchors, head)
        actor = t.str("actor", None, choices=ACTORS)
        hub = t.str("hub", None, choices=HUBS)
        messages = t.numbers("messages", ())
        for number in messages:
            if number not in known_numbers:
                t.fail("messages", f"message {number} does not exist in release {releases[0]} or {releases[1]}; "
                       f"expected one of {', '.join(sorted(known_numbers))}")
        share = t.number("share", 1.0, lo=0, hi=1)
        note = t.str("note", "")
        toelichting = t.str("toelichting", "")
        params_table = t.sub("params", required=False)
        params: dict[str, Any] = {}
        if params_table is not None:
            for key, value in params_table.data.items():
                if not isinstance(value, (int, float, str, bool)):
                    params_table.fail(key, f"expected a number, string or boolean, got {describe(value)}")
                params[key] = value
        t.finish()
        out.append(Injection(kind=kind, start=start, end=end, start_text=start_text, end_text=end_text, actor=actor,
                             share=float(share), hub=hub, messages=messages, params=tuple(sorted(params.items())),
                             note=note, index=index, toelichting=toelichting))
    return tuple(out)


def read_waves(root: Table, head: dict[str, datetime], phases: list[Phase], blocks: list[Block],
               releases: tuple[str, str], table: ReleaseTable = KNOWN) -> tuple[Wave, ...]:
    """The ``[[traffic]]`` rows: extra traffic in a window, with its volume, release rule and provenance."""
    anchors = anchor_instants(head, phases, blocks)
    go_live = head["go_live"]
    out = []
    for t in root.rows("traffic"):
        ident = t.str("id")
        actor = t.str("actor", choices=ACTORS)
        messages = t.numbers("messages")
        release = t.str("release", "any", choices=("old", "new", "any"))
        start, start_text, end, end_text = _window(t, anchors, head)
        if release == "old" and end > go_live:
            t.fail("end", f"{end:%Y-%m-%d %H:%M} is after go-live {go_live:%Y-%m-%d %H:%M}; expected a wave in the "
                   "old release (release = \"old\") to end before go-live")
        if release == "new" and start < go_live:
            t.fail("start", f"{start:%Y-%m-%d %H:%M} is before go-live {go_live:%Y-%m-%d %H:%M}; expected a wave in "
                   "the new release (release = \"new\") to start at or after go-live")
        wanted = {"old": (releases[0],), "new": (releases[1],), "any": releases}[release]
        for number in messages:
            if number not in _HEEN:
                t.fail("messages", f"message {number} is not a heenbericht; expected heen numbers like \"301\" (the "
                       "retours follow by themselves)")
            for rel in wanted:
                if number not in table.info(rel).numbers:
                    t.fail("messages", f"message {number} does not exist in release {rel}; expected a message of the "
                           f"release(s) the wave is sent in ({', '.join(wanted)})")
        share = t.number("share", 0.0, lo=0, hi=1)
        count = t.integer("count", 0, lo=0)
        if bool(share) == bool(count):
            t.fail("share", "expected exactly one of share (of the cases, 0..1) or count (a number of cases) above 0")
        assumed = t.bool("assumed", False)
        source, why = t.str("source", ""), t.str("why", "")
        if assumed and not why:
            t.fail("why", "missing; an assumed row must say why it is assumed")
        if not assumed and not source:
            t.fail("source", "missing; every row needs a source, or assumed = true with a why")
        out.append(Wave(id=ident, what=t.str("what", ""), messages=messages, actor=actor, start=start, end=end,
                        start_text=start_text, end_text=end_text, share=float(share), count=count, release=release,
                        source=source, assumed=assumed, why=why, waarom=t.str("waarom", "")))
        t.finish()
    return tuple(out)
