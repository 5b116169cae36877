"""pick() is choices(cum_weights=...)[0] draw for draw, so seeds keep their results."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, strategies as st

from ketensim.chain.keyed import KeyedRandom
from ketensim.population.sampling import pick


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=40).filter(lambda w: sum(w) > 0),
       st.integers(min_value=0, max_value=2**64 - 1))
def test_pick_draws_exactly_what_choices_draws(weights: list[int], seed: int) -> None:
    items = list(range(len(weights)))
    cum = list(itertools.accumulate(weights))
    for make in (random.Random, KeyedRandom):
        a, b = make(seed), make(seed)
        assert [pick(a, items, cum) for _ in range(30)] == [b.choices(items, cum_weights=cum)[0] for _ in range(30)]


def test_pick_never_draws_a_zero_weight_item() -> None:
    rng = random.Random(5)
    assert {pick(rng, "abc", [0, 5, 5]) for _ in range(2000)} == {"b"}
