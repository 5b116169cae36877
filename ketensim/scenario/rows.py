"""The draaiboek as one chronological list of rows, as an analyst reads it.

``ketensim scenario show`` prints these rows, ``scenario plot`` draws them and the stuurgroep
report lists them. Each row says in which phase it falls, what happens, when (weekday, date,
time), who acts, which messages, whether it is procedural or technical, and its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketensim.scenario.model import PHASE_LABELS, Provenance, Scenario
from ketensim.timeline import AMSTERDAM, format_local, localize

__all__ = ["TimelineRow", "timeline_rows", "phase_at"]

_ACTOR_LABEL = {"gemeente": "gemeenten", "aanbieder": "aanbieders", "all": "alle partijen"}
_PARTY_LABEL = {"vecozo": "VECOZO", "ib": "IB", "ketenbureau": "Ketenbureau", "zin": "ZIN",
                "gemeente": "gemeenten", "aanbieder": "aanbieders"}


@dataclass(frozen=True)
class TimelineRow:
    """One line of the draaiboek timeline."""

    phase: str
    category: str  # phase | deadline | block | portal | batch | milestone | go-live
    what: str
    start: datetime
    end: datetime | None
    actor: str
    messages: tuple[str, ...]
    kind: str  # procedural | technical
    provenance: Provenance

    @property
    def when(self) -> str:
        text = format_local(self.start)
        if self.end is not None:
            same_day = self.end.astimezone(AMSTERDAM).date() == self.start.astimezone(AMSTERDAM).date()
            text += f"-{self.end.astimezone(AMSTERDAM):%H:%M}" if same_day else f" → {format_local(self.end)}"
        return text

    @property
    def origin(self) -> str:
        if self.provenance.assumed:
            return "assumed"
        return "sourced"


def phase_at(s: Scenario, moment: datetime) -> str:
    """The phase label a row at ``moment`` belongs to (rows before the afsluiting close the old release too)."""
    if moment <= s.phase("transitie").start:
        return PHASE_LABELS["afsluiting"]
    if moment < s.go_live.at:
        return PHASE_LABELS["transitie"]
    return PHASE_LABELS["ingebruikname"]


def _parties(names: tuple[str, ...]) -> str:
    return ", ".join(_PARTY_LABEL.get(n, n) for n in names)


def timeline_rows(s: Scenario) -> list[TimelineRow]:
    """Every row of the scenario's draaiboek, in chronological order."""
    rows: list[TimelineRow] = []
    for p in s.phases:
        rows.append(TimelineRow(p.label, "phase", f"Fase {p.label}", p.start, p.end, "alle partijen", (),
                                "procedural", p.provenance))
    for d in s.deadlines:
        rows.append(TimelineRow(phase_at(s, d.at), "deadline", d.provenance.what or "Uiterste verzendmoment", d.at,
                                None, _ACTOR_LABEL[d.actor], d.messages, "procedural", d.provenance))
    for b in s.blocks:
        rows.append(TimelineRow(phase_at(s, b.at), "block", b.provenance.what or "Technische blokkade", b.at,
                                None if b.phase_out else s.go_live.at, _parties(b.by), b.messages, "technical",
                                b.provenance))
    for w in s.portals:
        rows.append(TimelineRow(phase_at(s, w.start), "portal", w.provenance.what or "Portaal inlezen", w.start, w.end,
                                _ACTOR_LABEL[w.actor], (), "procedural", w.provenance))
    for n in s.batches:
        moment = localize(datetime.combine(n.day, n.visible_from))
        rows.append(TimelineRow(phase_at(s, moment), "batch", n.provenance.what or "Batchverwerking", moment, None,
                                _parties((n.hub,)), (), "technical", n.provenance))
    for m in s.milestones:
        rows.append(TimelineRow(phase_at(s, m.start), "milestone", m.provenance.what, m.start, m.end, _parties(m.by),
                                m.messages, m.kind, m.provenance))
    g = s.go_live
    rows.append(TimelineRow(phase_at(s, g.at), "go-live", g.provenance.what or f"{s.to_release} live", g.at, None,
                            _parties(g.by), (), "technical", g.provenance))
    order = {"phase": 0, "deadline": 1, "block": 2, "portal": 3, "batch": 4, "milestone": 5, "go-live": 6}
    rows.sort(key=lambda r: (r.start, order[r.category], r.provenance.id))
    return rows
