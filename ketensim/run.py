"""Run one replication of a scenario: the library entry point behind ``ketensim run``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ketensim import __version__
from ketensim.chain.faults import Fault, FaultSet
from ketensim.chain.records import freeze
from ketensim.chain.world import World
from ketensim.ledger import AnswerRecord, MessageRecord, PairRecord
from ketensim.metrics import backlog_figures, summarize
from ketensim.scenario.model import Scenario

__all__ = ["RunResult", "run_replication"]


@dataclass(frozen=True)
class RunResult:
    """Everything one replication produced: the ledger, the summary and the backlog series."""

    scenario: Scenario
    seed: int
    version: str
    xml: bool
    messages: list[MessageRecord]
    pairs: list[PairRecord]
    answers: list[AnswerRecord]
    summary: dict[str, Any]
    backlog: list[tuple[str, int]]
    injections: list[dict[str, Any]]
    hubs: dict[str, dict[str, float]]
    xml_documents: dict[str, bytes] = field(default_factory=dict, repr=False)
    wall_seconds: float = 0.0


def run_replication(scenario: Scenario, seed: int, *, xml: bool = True, keep_xml: bool = False,
                    faults: Fault | None = None) -> RunResult:
    """Build the world of ``scenario`` with ``seed``, run it to the end of the window, freeze the ledger."""
    started = time.perf_counter()
    if faults is None:
        from ketensim.chain.injections import build_faults

        faults = build_faults(scenario, seed)
    world = World(scenario, seed, xml=xml, keep_xml=keep_xml, faults=faults)
    world.run()
    messages, pairs, answers = freeze(world)
    summary = summarize(messages, pairs, answers)
    dr = world.draaiboek
    summary.update(backlog_figures(world.backlog, dr.clock.to_sim(scenario.phase("afsluiting").start), dr.go_live,
                                   end=dr.end))
    summary["spoed_cases"] = getattr(faults, "spoed_cases", 0)
    injections = faults.report() if hasattr(faults, "report") else []
    hubs = {
        name: {"checked": hub.checked, "max_wait_minutes": round(hub.max_wait, 3)}
        for name, hub in world.chain.hubs.items()
    }
    backlog = [(dr.clock.to_utc(t).strftime("%Y-%m-%dT%H:%M:%SZ"), n) for t, n in world.backlog]
    return RunResult(
        scenario=scenario, seed=seed, version=__version__, xml=xml, messages=messages, pairs=pairs, answers=answers,
        summary=summary, backlog=backlog, injections=injections, hubs=hubs, xml_documents=world.codec.kept,
        wall_seconds=time.perf_counter() - started,
    )
