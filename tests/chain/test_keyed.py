"""Keyed random streams: deterministic per key, independent across keys, well distributed."""

from __future__ import annotations

import statistics

from ketensim.chain.keyed import KeyedRandom, keyed


def test_same_key_same_stream_other_key_other_stream() -> None:
    assert [keyed("1:a").random() for _ in range(3)] == [keyed("1:a").random() for _ in range(3)]
    a, b = keyed("1:a"), keyed("1:b")
    assert [a.random() for _ in range(5)] != [b.random() for _ in range(5)]


def test_uniform_and_normal_moments() -> None:
    r = keyed("moments")
    xs = [r.random() for _ in range(200_000)]
    assert 0.0 <= min(xs) and max(xs) < 1.0
    assert abs(statistics.fmean(xs) - 0.5) < 0.005
    assert abs(statistics.pvariance(xs) - 1 / 12) < 0.002
    zs = [r.normalvariate(0, 1) for _ in range(100_000)]
    assert abs(statistics.fmean(zs)) < 0.02 and abs(statistics.pstdev(zs) - 1) < 0.02


def test_distribution_methods_of_random_work() -> None:
    r = KeyedRandom(7)
    assert 1 <= r.randint(1, 14) <= 14
    assert r.choice("abc") in "abc"
    assert r.choices([1, 2], cum_weights=[1, 2])[0] in (1, 2)
    assert 0 <= r.getrandbits(64) < 2**64 and 0 <= r.getrandbits(100) < 2**100
    state = r.getstate()
    first = r.random()
    r.setstate(state)
    assert r.random() == first
