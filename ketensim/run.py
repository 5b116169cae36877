"""Run one replication of a scenario: the library entry point behind ``ketensim run``."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from ketensim import __version__
from ketensim.chain.faults import Fault
from ketensim.chain.records import freeze
from ketensim.chain.world import World
from ketensim.chain.xmlwork import worker_available
from ketensim.ledger import AnswerRecord, MessageRecord, PairRecord
from ketensim.lifetime import usable_cores
from ketensim.metrics import backlog_figures, summarize
from ketensim.progress import run_progress
from ketensim.scenario.model import Scenario
from ketensim.scenario.uncertain import draw

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
    xml_worker: bool = False  # the XML work ran in a second process
    draws: dict[str, float] = field(default_factory=dict)
    """The value each uncertain parameter drew in this replication (``scenario`` keeps the ranges)."""


def run_replication(scenario: Scenario, seed: int, *, xml: bool = True, keep_xml: bool = False,
                    faults: Fault | None = None, xml_worker: bool | None = None, progress: bool = False) -> RunResult:
    """Build the world of ``scenario`` with ``seed``, run it to the end of the window, freeze the ledger.

    ``xml_worker`` puts the XML work in a second process (:mod:`ketensim.chain.xmlwork`); ``None``
    does so when XML is on and this process may use two cores and fork. Results do not depend on it.
    ``progress`` shows the simulated day and the messages so far on stderr (:mod:`ketensim.progress`).
    """
    started = time.perf_counter()
    ranged = scenario
    scenario, draws = draw(ranged, seed)  # the values this seed draws for the uncertain parameters
    if faults is None:
        from ketensim.chain.injections import build_faults

        faults = build_faults(scenario, seed)
    if xml_worker is None:
        xml_worker = xml and usable_cores() >= 2 and worker_available()
    with _no_collections():
        result = _replicate(scenario, seed, started, xml, keep_xml, faults, xml_worker, progress)
    return replace(result, scenario=ranged, draws=draws)  # the ranges, not this seed's values; and the draws


def _replicate(scenario: Scenario, seed: int, started: float, xml: bool, keep_xml: bool, faults: Fault,
               xml_worker: bool, progress: bool) -> RunResult:
    world = World(scenario, seed, xml=xml, keep_xml=keep_xml, faults=faults, xml_worker=xml_worker and xml)
    try:
        with run_progress(world, progress):
            world.run()
            messages, pairs, answers = freeze(world)
    finally:
        world.codec.close()  # a worker still running after a failure
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
    result = RunResult(
        scenario=scenario, seed=seed, version=__version__, xml=xml, messages=messages, pairs=pairs, answers=answers,
        summary=summary, backlog=backlog, injections=injections, hubs=hubs, xml_documents=world.codec.kept,
        wall_seconds=0.0, xml_worker=world.codec.used_worker,
    )
    world.dispose()
    return replace(result, wall_seconds=time.perf_counter() - started)


@contextmanager
def _no_collections() -> Iterator[None]:
    """Pause the cyclic garbage collector while the world is built and run and its ledger frozen and summed up.

    A run allocates millions of small objects that live until it ends (clients, cases, messages,
    pairs, scheduled calls, records), and the collector would walk them again and again: that cost
    15 % of a national run in counting mode, and a tenth more when the population was built with it on. Reference counting still frees everything else at once;
    the few reference cycles of a run (a message and its pair) are collected after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
