"""The caseload at the start of a run: one active case per client, drawn as Caseload.new_case draws it."""

from __future__ import annotations

from ketensim.chain.caseload import build_caseload


def test_the_initial_cases_are_new_case_for_each_client() -> None:
    """build_caseload's one loop draws what Caseload.new_case draws, client after client."""
    import itertools
    import random
    from dataclasses import replace
    from datetime import date, timedelta

    from ketensim.chain.caseload import _active_cases
    from ketensim.scenario import load_scenario

    spec = replace(load_scenario("2022-national").population, clients=3000, aanbieders=60)
    start = date(2022, 1, 3)
    caseload = build_caseload(random.Random("7:population"), spec, 2022, start)
    fast = _active_cases(random.Random(11), replace(caseload, cases=[], _cum={}, _seq=itertools.count(1)),
                         caseload.population.clients, start)
    plain = replace(caseload, cases=[], _cum={}, _seq=itertools.count(1))
    rng = random.Random(11)
    for client in caseload.population.clients:
        plain.new_case(rng, client, start - timedelta(days=rng.randint(1, 365))).started = True

    def fields(case):
        return case.seq, case.client, case.aanbieder.agb, case.ingangsdatum, case.seed, case.started, case.active

    assert [fields(c) for c in fast] == [fields(c) for c in plain.cases]
    assert len({c.aanbieder.agb for c in fast}) > 10 and len({c.ingangsdatum for c in fast}) > 300
