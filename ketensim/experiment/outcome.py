"""What an experiment keeps of one replication: its numbers, breakdowns, injections and hourly series.

A full :class:`~ketensim.run.RunResult` holds every message of a run; an experiment of 200
replications keeps only a :class:`ReplicationOutcome` per replication, small enough to send back from
a worker process: the numeric summary fields, the breakdown dicts, the per-injection report and three
hourly series over the scenario window (messages offered to a hub, peak backlog, pairs broken).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from ketensim.scenario.model import Scenario

__all__ = ["ReplicationOutcome", "condense", "run_one", "hour_grid", "BREAKDOWNS", "SERIES"]

BREAKDOWNS: tuple[str, ...] = ("broken_by_pair", "broken_by_actor_type", "broken_by_cause", "forbidden_answers_by_pair",
                               "messages_by_code")
"""The dict-valued summary fields kept per replication."""
SERIES: tuple[str, ...] = ("messages", "backlog", "broken")
"""Hourly series: messages offered to a hub, the peak backlog in the hour, pairs that broke."""


@dataclass(frozen=True)
class ReplicationOutcome:
    """The condensed result of one replication (see the module docstring)."""

    index: int
    seed: int
    metrics: dict[str, float]
    breakdowns: dict[str, dict[str, int]]
    injections: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, list[int]] = field(default_factory=dict)
    draws: dict[str, float] = field(default_factory=dict)
    """The value of each uncertain parameter in this replication (by dotted name)."""


class _Message(Protocol):
    @property
    def submitted(self) -> str: ...


class _Pair(Protocol):
    @property
    def pair_id(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def heen_submitted(self) -> str: ...
    @property
    def retour_submitted(self) -> str: ...


class _Answer(Protocol):
    @property
    def answer_pair_id(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def outcome(self) -> str: ...


def hour_grid(s: Scenario) -> tuple[datetime, int]:
    """The UTC start of hour 0 and the number of hours of the scenario window."""
    start = s.window_start.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    end = s.window_end.astimezone(timezone.utc)
    hours = int((end - start).total_seconds() // 3600) + (1 if (end - start).total_seconds() % 3600 else 0)
    return start, max(hours, 1)


class _Hours:
    """Maps ``2022-03-31T11:05:00Z`` stamps to hour indexes, caching by the hour prefix."""

    def __init__(self, start: datetime, hours: int) -> None:
        self.start = start
        self.hours = hours
        self._cache: dict[str, int] = {}

    def __call__(self, stamp: str) -> int | None:
        if not stamp:
            return None
        key = stamp[:13]
        index = self._cache.get(key)
        if index is None:
            moment = datetime.fromisoformat(key + ":00:00+00:00")
            index = self._cache[key] = int((moment - self.start) // timedelta(hours=1))
        return index if 0 <= index < self.hours else None


def _broken_at(p: _Pair) -> str:
    """When a pair broke: when its retour went out (and was refused), else when its heen went out."""
    return p.retour_submitted or p.heen_submitted


def condense(
    index: int,
    seed: int,
    summary: dict[str, Any],
    messages: Iterable[_Message],
    pairs: Sequence[_Pair],
    answers: Iterable[_Answer],
    backlog: Iterable[tuple[str, int]],
    injections: list[dict[str, Any]],
    scenario: Scenario,
) -> ReplicationOutcome:
    """Keep what an experiment needs of one run (records may come from a run or from its CSV files)."""
    start, hours = hour_grid(scenario)
    hour_of = _Hours(start, hours)
    volume = [0] * hours
    peak = [0] * hours
    broken = [0] * hours
    for m in messages:
        h = hour_of(m.submitted)
        if h is not None:
            volume[h] += 1
    for stamp, n in backlog:
        h = hour_of(stamp)
        if h is not None and int(n) > peak[h]:
            peak[h] = int(n)
    for p in pairs:
        if p.outcome == "broken":
            h = hour_of(_broken_at(p))
            if h is not None:
                broken[h] += 1
    metrics = {k: v for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    breakdowns = {k: {str(key): int(v) for key, v in dict(summary.get(k) or {}).items()} for k in BREAKDOWNS}
    return ReplicationOutcome(
        index=index, seed=seed, metrics=metrics, breakdowns=breakdowns, injections=[dict(i) for i in injections],
        series={"messages": volume, "backlog": peak, "broken": broken},
    )


def run_one(task: tuple[str, int, int, Scenario, bool]) -> tuple[str, ReplicationOutcome]:
    """Run replication ``index`` with ``seed`` of ``scenario`` (a worker-process entry point)."""
    from ketensim.run import run_replication

    key, index, seed, scenario, xml = task
    # replications already share the cores between them: no second process for the XML work
    r = run_replication(scenario, seed, xml=xml, xml_worker=False)
    outcome = condense(index, seed, r.summary, r.messages, r.pairs, r.answers, r.backlog, r.injections, scenario)
    return key, replace(outcome, draws=r.draws) if r.draws else outcome
