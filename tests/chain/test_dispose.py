"""A finished world is freed by reference counting, not left for the garbage collector to find."""

from __future__ import annotations

import gc
from collections import Counter

from ketensim.run import run_replication
from ketensim.scenario import load_scenario


def _garbage_after_a_run(scenario: str) -> Counter[str]:
    """The kinds of object the garbage collector finds unreachable after one replication."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # the run leaves the collector as it found it: off, so nothing is collected before we look
    try:
        result = run_replication(load_scenario(scenario), 1, xml=False)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert result.messages  # the frozen ledger survives the world
    return found


def test_no_message_pair_case_or_party_is_left_for_the_collector() -> None:
    found = _garbage_after_a_run("2022-3.0-3.1")
    assert not {"Message", "Pair", "Case", "Client", "SimParty", "World", "_Call"} & set(found), found
    assert sum(found.values()) < 200, found.most_common(10)
