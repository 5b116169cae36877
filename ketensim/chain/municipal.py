"""The municipal layout changing under the chain: mergers during the window and regional organisations.

A merger (``[[population.merger]]``) moves, at its instant, every client of the merging gemeente to
the gemeente it joins: their cases (whose toewijzing the new gemeente issues again, with its own
number), the declarations aanbieders send for them, and any new case opened for one of them later.
What the merging gemeente already had in its inbox it still reads in and answers; nothing new is
addressed to it. A regional organisation (``[[population.region]]``) runs one system for its
members' traffic under its laws: each member keeps its gemeentecode in the messages, but reads in,
keeps the deadlines and is ready at go-live as the region's system is (one set of behaviour draws).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketensim.scenario.world_model import Merger

if TYPE_CHECKING:
    from ketensim.chain.actors import SimParty
    from ketensim.chain.ports import ChainWorld

__all__ = ["regional_parties", "schedule_mergers"]


def regional_parties(world: ChainWorld) -> dict[tuple[str, str], SimParty]:
    """The party of each (gemeentecode, standard) whose traffic a regional organisation sends."""
    spec, profile = world.scenario.population, world.scenario.behaviour.gemeente
    parties: dict[tuple[str, str], SimParty] = {}
    for region in spec.regions:
        for code in region.gemeenten:
            party = world.party_factory(world, "gemeente", code, profile, f"{world.seed}:regio:{region.id}")
            for standard in region.standards:
                parties[(code, standard)] = party
    return parties


def schedule_mergers(world: ChainWorld) -> None:
    """Set every merger of the scenario to happen at its instant (at the start if it lies before the window)."""
    for merger in world.scenario.population.mergers:
        world.at(world.clock.to_sim(merger.at), merge, world, merger)


def merge(world: ChainWorld, merger: Merger) -> None:
    """``merger.gemeente`` joins ``merger.into`` now."""
    caseload = world.caseload
    into = next(g for g in caseload.gemeenten if g.code == merger.into)
    caseload.merged[merger.gemeente] = into
    for case in caseload.cases:
        if case.client.gemeente.code == merger.gemeente:
            case.client = caseload.current(case.client)
            case._toewijzing = None  # the joining gemeente issues the toewijzing again, under its own number
    declaring = world.traffic.declaring
    for key in [k for k in declaring if k[1] == merger.gemeente]:
        members = declaring.pop(key)
        declaring.setdefault((key[0], merger.into, key[2]), []).extend(members)
    world.merged.append((merger.gemeente, merger.into, world.env.now))

