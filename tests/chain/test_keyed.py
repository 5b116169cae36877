"""Keyed random streams: deterministic per key, independent across keys, well distributed."""

from __future__ import annotations

import os
import random
import statistics

import pytest

from ketensim.chain.keyed import COMPILED, KeyedRandom, PythonKeyedRandom, keyed


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


def _pair(seed: int) -> tuple[KeyedRandom, PythonKeyedRandom]:
    return KeyedRandom(seed), PythonKeyedRandom(seed)


@pytest.mark.skipif(not COMPILED and bool(os.environ.get("KETENSIM_NO_COMPILE") or os.environ.get("KETENSIM_NO_SCREEN")),
                    reason="built without the C extensions on purpose")
def test_the_compiled_methods_are_in_use() -> None:
    assert COMPILED and KeyedRandom is not PythonKeyedRandom


@pytest.mark.parametrize("seed", [0, 1, 2**63, 2**64 - 1, 0x9E3779B97F4A7C15, 123456789])
def test_compiled_and_python_draw_the_same_numbers(seed: int) -> None:
    """Every method a run uses, interleaved on one stream, bit for bit (also when the state wraps around)."""
    fast, slow = _pair(seed)
    master = random.Random(seed)  # picks the calls, so both streams see the same mix
    for _ in range(20_000):
        which = master.randrange(11)
        if which == 0:
            got, want = fast.random(), slow.random()
        elif which == 1:
            k = master.choice((0, 1, 7, 31, 53, 63, 64, 65, 100, 128, 200))
            got, want = fast.getrandbits(k), slow.getrandbits(k)
        elif which == 2:
            n = master.choice((1, 2, 3, 7, 365, 1000, 2**31 + 5, 2**62 + 1, 2**63 - 1, 2**63, 2**70 + 3))
            got, want = fast.randrange(n), slow.randrange(n)
        elif which == 3:
            got, want = fast.randint(1, 365), slow.randint(1, 365)
        elif which == 4:
            got, want = fast.choice("abcdefghij"), slow.choice("abcdefghij")
        elif which == 5:
            a, b = master.choice(((0.0, 480.0), (2.5, -1.0), (0, 10), (1, 2.5), (0, 480.0), (-7, 3),
                                  (2**60, 2**60 + 7), (0, 2**53 + 1), (True, 3.5)))
            got, want = fast.uniform(a, b), slow.uniform(a, b)
        elif which == 6:
            mu, sigma = master.choice(((0.0, 1.0), (1.5, 0.8), (-3.0, 2.0), (2, 1)))
            got, want = fast.normalvariate(mu, sigma), slow.normalvariate(mu, sigma)
        elif which == 7:
            mu, sigma = master.uniform(-2, 4), master.uniform(0.01, 2)
            got, want = fast.lognormvariate(mu, sigma), slow.lognormvariate(mu, sigma)
        elif which == 8:
            got, want = fast.triangular(18, 100, 80), slow.triangular(18, 100, 80)
        elif which == 9:
            got, want = fast.sample(range(1000), 5), slow.sample(range(1000), 5)
        else:
            got, want = fast.gauss(0, 1), slow.gauss(0, 1)
        assert got == want and type(got) is type(want), (which, got, want)
    assert fast.getstate() == slow.getstate()


def test_compiled_methods_refuse_what_python_refuses() -> None:
    fast, slow = _pair(5)
    for method, args in (("getrandbits", (-1,)), ("randrange", (0,)), ("choice", ("",))):
        with pytest.raises((ValueError, IndexError)) as python_error:
            getattr(slow, method)(*args)
        with pytest.raises(python_error.type):
            getattr(fast, method)(*args)


def test_compiled_methods_refuse_and_convert_as_python_does() -> None:
    """Odd arguments: the same exception, or the same number of the same type, from both."""
    from decimal import Decimal

    import numpy

    for call in (lambda r: r.getrandbits(2.0), lambda r: r.lognormvariate(800, 1.0),
                 lambda r: r.lognormvariate(800.0, 0.5), lambda r: r.normalvariate(Decimal(1), 1.0)):
        fast, slow = _pair(11)
        with pytest.raises(Exception) as python_error:
            call(slow)
        with pytest.raises(python_error.type):
            call(fast)
    for call in (lambda r: r.normalvariate(numpy.float64(1.0), 2.0), lambda r: r.lognormvariate(numpy.float64(0.5), 1),
                 lambda r: r.lognormvariate(-800.0, 1.0), lambda r: r.lognormvariate(float("nan"), 1.0)):
        fast, slow = _pair(11)
        got, want = call(fast), call(slow)
        assert type(got) is type(want) and (got == want or got != got and want != want), (got, want)
        assert fast.getstate() == slow.getstate()


@pytest.mark.parametrize("state", [-1, 2**64 + 5, 2**80])
def test_a_state_outside_64_bits_is_taken_modulo_2_64_by_both(state: int) -> None:
    fast, slow = _pair(0)
    fast.setstate((state, None))
    slow.setstate((state, None))
    assert [fast.random() for _ in range(5)] == [slow.random() for _ in range(5)]


def test_both_classes_pickle_and_copy() -> None:
    import copy
    import pickle

    for cls in {KeyedRandom, PythonKeyedRandom}:
        r = cls(77)
        r.random()
        for make in (lambda: pickle.loads(pickle.dumps(r)), lambda: copy.deepcopy(r)):
            twin = make()
            assert type(twin) is cls and twin.getstate() == r.getstate() and twin.random() == r.random()


def test_a_key_in_two_parts_is_the_key_joined() -> None:
    from ketensim.chain.keyed import _python_keyed

    for make in (keyed, _python_keyed):
        assert make("7:", "12n3<retour").getstate() == make("7:12n3<retour").getstate()
        assert make("7:", "12n3<retour").getstate() != make("7:", "12n3<retour~").getstate()


def test_the_compiled_and_python_streams_of_a_key_are_the_same() -> None:
    """The C BLAKE2b seeds as hashlib's does: keys of every length around the 128-byte block, non-ASCII too."""
    from ketensim.chain.keyed import _python_keyed

    master = random.Random(3)
    for length in [*range(0, 300), 1000, 4096]:
        text = "".join(chr(master.choice((master.randrange(32, 127), master.randrange(128, 0x2FFF))))
                       for _ in range(length))
        cut = master.randrange(length + 1)
        fast, slow = keyed(text[:cut], text[cut:]), _python_keyed(text)
        assert type(fast) is KeyedRandom and fast.getstate() == slow.getstate(), length
        assert fast.random() == slow.random()


@pytest.mark.skipif(not COMPILED, reason="the C BLAKE2b is part of the compiled streams")
def test_the_c_blake2b_is_hashlibs() -> None:
    import hashlib

    from ketensim.chain._splitmix import blake2b64

    for text in ("", "a", "x" * 127, "x" * 128, "x" * 129, "x" * 256, "x" * 257, "1:12n3<retour>start", "é€😀"):
        want = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        assert blake2b64(text) == want and blake2b64(text[:1], text[1:]) == want, text
    with pytest.raises(UnicodeEncodeError):
        blake2b64("\ud800")
