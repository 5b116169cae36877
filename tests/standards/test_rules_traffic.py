"""Generated traffic breaks no business rule: every 3.x message type of both standards, random data.

Messages are built the way the chain and ``ketensim generate`` build them: from the synthetic
population, a toewijzing that started a random time before the message, a random dagtekening in
the years the release was in production, and for the 325 a random choice of rejected prestaties.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketensim.population import build_population
from ketensim.standards.builders import build, build_retour
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.payload import DeclaratieBericht
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.rules import RULE_RELEASES, applies, check
from ketensim.standards.validation import is_valid

CATALOGUE = get_catalogue()
HEEN = [
    mt
    for mt in CATALOGUE
    if mt.release in RULE_RELEASES and mt.role == "heen" and applies(mt)
]
# the years each release was in production; a 3.0 323 starts in February 2021, because in January
# 2021 only December 2020 was closed, and care before 2021 went in the legacy 303 (CS100)
FIRST_DAY = {"3.0": date(2021, 1, 4), "3.1": date(2022, 4, 4), "3.2": date(2023, 4, 3)}
LAST_DAY = {"3.0": date(2022, 4, 3), "3.1": date(2023, 4, 2), "3.2": date(2025, 12, 31)}
# a population per release, drawn (like the chain's) for the year the release went live
POPULATIONS = {
    release: build_population(random.Random(4), year=day.year, n_clients=300, n_aanbieders=12, jeugd_share=0.5)
    for release, day in FIRST_DAY.items()
}


def _dagtekening(mt, offset: int) -> date:
    first = FIRST_DAY[mt.release]
    if mt.number == "323" and mt.release == "3.0":
        first = date(2021, 2, 1)
    span = (LAST_DAY[mt.release] - first).days
    return first + timedelta(days=offset % (span + 1))


def test_every_3x_heen_type_is_covered():
    """Both standards, three releases, seven heen messages each (the 303 of 3.0 has no rules)."""
    assert len(HEEN) == 2 * 3 * 7


@pytest.mark.parametrize("mt", HEEN, ids=lambda mt: f"{mt.standard}-{mt.release}-{mt.code}")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    offset=st.integers(0, 10_000),
    age=st.integers(-60, 900),  # negative: a toewijzing that starts after the message
    mutatie=st.sampled_from(["nieuw", "wijziging", "intrekking"]),
    rejected=st.floats(0.0, 1.0),
)
def test_generated_messages_break_no_rule(mt, seed, offset, age, mutatie, rejected):
    """A heen (and a 325 on a 323) built from random population data has no rule finding."""
    rng = random.Random(seed)
    population = POPULATIONS[mt.release]
    dagtekening = _dagtekening(mt, offset)
    client = rng.choice([c for c in population.clients if c.standard == mt.standard])
    aanbieder = population.sample_aanbieder(rng, mt.standard)
    toewijzing = population.new_toewijzing(rng, client, aanbieder, dagtekening - timedelta(days=age))
    payload = make_payload(
        mt,
        gemeente=client.gemeente,
        aanbieder=aanbieder,
        client=client,
        toewijzing=toewijzing,
        identificatie=f"X{seed % 10**9}",
        dagtekening=dagtekening,
        rng=rng,
        mutatie=mutatie,
    )
    heen = build(mt, payload)
    assert is_valid(mt, heen)
    assert check(heen, mt) == []
    if isinstance(payload, DeclaratieBericht):
        mt_325 = CATALOGUE.get(mt.standard, mt.release, "325")
        lines = [p for c in payload.clienten for p in c.prestaties]
        afgekeurd = {p.referentienummer: "0611" for p in lines if rng.random() < rejected}
        answer = build_retour(
            mt_325, payload, identificatie="A1", dagtekening=dagtekening + timedelta(days=3), afgekeurd=afgekeurd
        )
        assert is_valid(mt_325, answer)
        assert check(answer, mt_325) == []


@pytest.mark.parametrize("standard", ["iwmo", "ijw"])
@pytest.mark.parametrize("release", RULE_RELEASES)
def test_generate_writes_no_rule_violation(standard: str, release: str) -> None:
    """``ketensim generate`` output of every 3.x message type breaks no rule."""
    from ketensim.standards.samples import generate_samples

    findings = [
        (s.filename, f.code) for s in generate_samples(standard, release, "all", 12, seed=3) for f in check(s.data)
    ]
    assert findings == []
