"""Scenario variants for sensitivity sweeps: shifted draaiboek instants and changed parameters.

A ``--vary NAME=VALUES`` option names one thing to change and the values to try. NAME is one of

``heen_block`` / ``retour_block``
    the draaiboek instant at which heen (retour) traffic is blocked: the technical block(s) of heen
    (retour) messages at that instant move, and with them what coincides with that instant: the
    procedural deadlines of the same messages, the phase boundary (the transition starts when retour
    traffic stops) and milestones starting or ending there. VALUES are offsets (``-6h``, ``30m``, ``1d``).
``go_live``
    go-live, with the end of the transition / start of ingebruikname and milestones ending there.
``block:<id>`` / ``deadline:<id>`` / ``portal:<id>``
    one draaiboek row, by its ``id`` (``block:3.2.2``); only that row moves.
``behaviour.<actor or hub>.<field>[.median|.p90]`` / ``population.<field>``
    a behaviour or population parameter by dotted path into the scenario (``hubs.<hub>.<field>`` is
    accepted for ``behaviour.<hub>.<field>``, as in the scenario file). VALUES are numbers.

VALUES is ``lo:hi:step`` (both ends included), a comma list (``-6h,0h,6h``) or one value. Injection
windows written relative to a moved instant (``"retour_block - 2h"``) move with it. Every variant is
rebuilt with :func:`dataclasses.replace` and checked again with the draaiboek rules; a variant that
breaks a rule (a deadline after its block, a block after go-live, a share above 1) is skipped, and
its reason reported.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from ketensim.scenario import rules
from ketensim.scenario.model import Block, Deadline, Scenario
from ketensim.scenario.uncertain import with_values
from ketensim.scenario.world_model import Dist
from ketensim.scenario.world_sections import ANCHORS, anchor_instants
from ketensim.standards.releases import HEEN_OF, RETOUR_OF

__all__ = ["Vary", "parse_vary", "make_variant", "parameter_paths", "INSTANT_FORMS", "MAX_VALUES"]

INSTANT_FORMS: tuple[str, ...] = ("heen_block", "retour_block", "go_live", "block:<id>", "deadline:<id>",
                                  "portal:<id>")
MAX_VALUES = 100
"""At most this many values per --vary (a typo in a step should not start 10,000 runs)."""

_UNITS = {"m": 1 / 60, "h": 1.0, "d": 24.0}
_OFFSET = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*([mhd]?)$")
_BOUNDS: dict[str, tuple[float, float]] = {
    "deadline_compliance": (0, 1), "ready_at_go_live": (0, 1), "portal_share": (0, 1), "ijw_share": (0, 1),
    "vot_share": (0, 1), "deadline_margin_minutes": (0, 1440), "overtime_minutes": (0, 300), "poll_minutes": (1, 10080),
    "transit_minutes": (0, 1440), "batch_minutes": (0, 1440), "capacity_per_hour": (1, math.inf),
    "gemeenten": (1, math.inf), "aanbieders": (1, math.inf), "clients": (1, math.inf),
    "gemeenten_per_aanbieder": (1, math.inf), "new_per_month": (0, 5), "change_per_month": (0, 5),
    "end_per_month": (0, 5), "declaration_day": (0, 20),
}
"""Allowed ranges, as the scenario loader enforces them (every other number must be >= 0)."""


@dataclass(frozen=True)
class Vary:
    """One ``--vary``: what changes (``kind`` ``instant`` or ``parameter``), its values and the baseline."""

    name: str
    kind: str
    values: tuple[float, ...]
    labels: tuple[str, ...]
    baseline: float
    unit: str


def _fmt_hours(hours: float) -> str:
    if hours == 0:
        return "0h"
    if abs(hours * 60 - round(hours * 60)) < 1e-9 and hours != int(hours):
        return f"{round(hours * 60):+d}m"
    return f"{hours:+g}h"


def _offset_hours(text: str, name: str) -> float:
    match = _OFFSET.match(text.strip())
    if not match:
        raise ValueError(f"{name}: {text!r} is not an offset; expected a number with unit m, h or d "
                         "(e.g. 6h, -30m, 1d)")
    return float(match.group(1)) * _UNITS[match.group(2) or "h"]


def _float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a number") from None


def _values(spec: str, name: str, parse: Any) -> tuple[float, ...]:
    spec = spec.strip()
    if not spec:
        raise ValueError(f"{name}: no values; expected lo:hi:step, a comma list or one value")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ValueError(f"{name}: {spec!r} is not lo:hi:step")
        lo, hi, step = (parse(p, name) for p in parts)
        if step <= 0:
            raise ValueError(f"{name}: step {parts[2]!r} must be > 0")
        if hi < lo:
            raise ValueError(f"{name}: {parts[1]!r} is below {parts[0]!r}; expected lo <= hi")
        count = math.floor((hi - lo) / step + 1e-9) + 1
        if count > MAX_VALUES:
            raise ValueError(f"{name}: {spec!r} gives {count} values; at most {MAX_VALUES}")
        return tuple(round(lo + i * step, 9) for i in range(count))
    values = tuple(parse(p, name) for p in spec.split(","))
    if len(values) > MAX_VALUES:
        raise ValueError(f"{name}: {len(values)} values; at most {MAX_VALUES}")
    return values


def parameter_paths(s: Scenario) -> dict[str, float]:
    """Every numeric behaviour/population parameter by dotted path, with its value in ``s``."""
    out: dict[str, float] = {}

    def walk(prefix: str, obj: Any) -> None:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            path = f"{prefix}.{f.name}"
            if isinstance(value, Dist):
                out[f"{path}.median"] = value.median
                out[f"{path}.p90"] = value.p90 if value.p90 is not None else value.median
            elif dataclasses.is_dataclass(value):
                walk(path, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                out[path] = value

    walk("behaviour", s.behaviour)
    walk("population", s.population)
    out.pop("population.year", None)
    return out


def _row_ids(s: Scenario) -> dict[str, list[str]]:
    return {"block": [b.provenance.id for b in s.blocks if b.provenance.id],
            "deadline": [d.provenance.id for d in s.deadlines if d.provenance.id],
            "portal": [p.provenance.id for p in s.portals if p.provenance.id]}


def _canonical(name: str) -> str:
    return "behaviour." + name[len("hubs."):] if name.startswith("hubs.") else name


def parse_vary(text: str, s: Scenario) -> Vary:
    """Parse ``NAME=VALUES`` against scenario ``s``; raise ValueError naming what is wrong."""
    if "=" not in text:
        raise ValueError(f"{text!r}: expected NAME=VALUES, e.g. retour_block=0h:48h:6h")
    name, spec = (part.strip() for part in text.split("=", 1))
    kind, _, ident = name.partition(":")
    if name in ("heen_block", "retour_block", "go_live") or (ident and kind in ("block", "deadline", "portal")):
        if ident and ident not in _row_ids(s)[kind]:
            raise ValueError(f"{name}: no {kind} with id {ident!r} in {s.path}; "
                             f"known: {', '.join(_row_ids(s)[kind]) or 'none'}")
        values = _values(spec, name, _offset_hours)
        return Vary(name, "instant", values, tuple(_fmt_hours(v) for v in values), 0.0, "h")
    paths = parameter_paths(s)
    path = _canonical(name)
    if path not in paths:
        raise ValueError(f"unknown name {name!r}; expected a draaiboek instant ("
                         f"{', '.join(INSTANT_FORMS)}) or one of: {', '.join(paths)}")
    values = _values(spec, name, _float)
    return Vary(path, "parameter", values, tuple(f"{v:g}" for v in values), float(paths[path]), "")


def _with_parameter(s: Scenario, path: str, value: float) -> Scenario:
    leaf = path.split(".")[-1]
    lo, hi = _BOUNDS.get(leaf, (0.0, math.inf))
    if not lo <= value <= hi:
        raise ValueError(f"{path} = {value:g} is outside {lo:g}..{hi:g}")
    # a parameter set by a sweep is fixed: it no longer draws from its range
    return with_values(s, {path: value})


def _moves_with(d: Deadline, moved: list[Block], s: Scenario) -> bool:
    """A procedural deadline moves with its technical block(s) when it sits at the same instant."""
    blocks = [s.block_of(m) for m in d.messages]
    return all(b is not None and b in moved and d.at == b.at for b in blocks)


def _shift(s: Scenario, name: str, delta: timedelta) -> Scenario:
    kind, _, ident = name.partition(":")
    anchors = anchor_instants({"go_live": s.go_live.at, "window_start": s.window_start, "window_end": s.window_end},
                              list(s.phases), list(s.blocks))
    blocks, deadlines, portals = list(s.blocks), list(s.deadlines), list(s.portals)
    phases, milestones, go_live = list(s.phases), list(s.milestones), s.go_live
    old: Any = None
    if kind == "block":
        blocks = [replace(b, at=b.at + delta) if b.provenance.id == ident else b for b in blocks]
    elif kind == "deadline":
        deadlines = [replace(d, at=d.at + delta) if d.provenance.id == ident else d for d in deadlines]
    elif kind == "portal":
        portals = [replace(p, start=p.start + delta, end=p.end + delta) if p.provenance.id == ident else p
                   for p in portals]
    elif kind in ("heen_block", "retour_block"):
        old = anchors[kind]
        numbers = set(RETOUR_OF) if kind == "heen_block" else set(HEEN_OF)
        moved = [b for b in blocks if not b.phase_out and b.at == old and numbers & set(b.messages)]
        if not moved:
            raise ValueError(f"{s.path} has no {kind.replace('_', ' ')} to move")
        deadlines = [replace(d, at=d.at + delta) if _moves_with(d, moved, s) else d for d in deadlines]
        blocks = [replace(b, at=b.at + delta) if b in moved else b for b in blocks]
    else:  # go_live
        old = s.go_live.at
        go_live = replace(go_live, at=go_live.at + delta)
    if old is not None:
        phases = [replace(p, start=p.start + delta if p.start == old else p.start,
                          end=p.end + delta if p.end == old else p.end) for p in phases]
        milestones = [replace(m, start=m.start + delta if m.start == old else m.start,
                              end=m.end + delta if m.end is not None and m.end == old else m.end) for m in milestones]
    variant = replace(s, blocks=tuple(blocks), deadlines=tuple(deadlines), portals=tuple(portals),
                      phases=(phases[0], phases[1], phases[2]), milestones=tuple(milestones), go_live=go_live)
    return _reanchor(s, variant, anchors)


def _reanchor(s: Scenario, variant: Scenario, before: dict[str, Any]) -> Scenario:
    """Move injection windows written relative to an instant that moved."""
    after = anchor_instants({"go_live": variant.go_live.at, "window_start": variant.window_start,
                             "window_end": variant.window_end}, list(variant.phases), list(variant.blocks))
    changed = {name: after[name] - before[name] for name in ANCHORS if after[name] != before[name]}
    if not changed:
        return variant
    injections = []
    for inj in variant.injections:
        start_delta = changed.get(re.split(r"[\s+-]", inj.start_text.strip(), maxsplit=1)[0], timedelta(0))
        end_delta = changed.get(re.split(r"[\s+-]", inj.end_text.strip(), maxsplit=1)[0], timedelta(0))
        moved = replace(inj, start=inj.start + start_delta, end=inj.end + end_delta)
        if moved.end <= moved.start or moved.start < variant.window_start or moved.end > variant.window_end:
            raise ValueError(f"injection[{inj.index + 1}] ({inj.kind}, {inj.start_text} .. {inj.end_text}) would fall "
                             "outside the window or end before it starts")
        injections.append(moved)
    return replace(variant, injections=tuple(injections))


def make_variant(s: Scenario, vary: Vary, value: float) -> Scenario:
    """The variant of ``s`` with ``vary`` set to ``value``; raises ScenarioError/ValueError if impossible."""
    if vary.kind == "instant":
        try:
            variant = s if value == 0 else _shift(s, vary.name, timedelta(hours=value))
        except OverflowError:
            raise ValueError(f"{vary.name} moved by {value:g}h lies beyond any representable date") from None
    else:
        variant = _with_parameter(s, vary.name, value)
    rules.check(variant)
    return variant
