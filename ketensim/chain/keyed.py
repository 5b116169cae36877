"""Cheap random streams named by a key: one per event or message.

Every event of a run draws from a stream of its own, named by the event's stable key, so a
fault that adds or moves one message leaves the draws of all others unchanged. A run makes
tens of thousands of such streams and draws only a few numbers from each, so seeding a Mersenne
Twister (about 600 words of state) per stream would cost more than the draws. :class:`KeyedRandom`
has ``random.Random``'s methods and distributions on a SplitMix64 core (Steele, Lea and Flood,
2014), seeded from a BLAKE2b hash of the key.

In the installed package a stream is compiled (:mod:`ketensim.chain._splitmix`, built at install
like the rules' screen): a 64-bit state with SplitMix64 and the distributions a run calls most
(``random``, ``getrandbits``, ``_randbelow`` behind ``choice`` and ``randint``, ``uniform``,
``normalvariate``, ``lognormvariate``) in C, seeded by a BLAKE2b in C, and ``random.Random``'s other
methods borrowed as they are. It draws the same numbers bit for bit as :class:`PythonKeyedRandom`,
the class in Python alone (a test draws both side by side), at a tenth of the cost of making one;
:data:`COMPILED` says which is in use. Either way :func:`keyed` makes the stream of a key.
"""

from __future__ import annotations

import hashlib
import random
from types import FunctionType

__all__ = ["KeyedRandom", "PythonKeyedRandom", "keyed", "COMPILED"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_TWO_53 = float(1 << 53)


class KeyedRandom(random.Random):
    """``random.Random`` driven by SplitMix64 from a 64-bit seed."""

    def __init__(self, seed: int = 0) -> None:  # noqa: D107 - see class docstring
        self._state = seed & _MASK
        self.gauss_next = None

    def seed(self, a: object = None, version: int = 2) -> None:
        if not isinstance(a, int):  # never Python's hash(): it changes with PYTHONHASHSEED
            a = int.from_bytes(hashlib.blake2b(str(a).encode(), digest_size=8).digest(), "big")
        self._state = a & _MASK
        self.gauss_next = None

    def _next64(self) -> int:
        self._state = z = (self._state + _GOLDEN) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next64() >> 11) / _TWO_53

    def getrandbits(self, k: int) -> int:
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        if k <= 64:
            return self._next64() >> (64 - k) if k else 0
        bits, out = 0, 0
        while bits < k:
            out = (out << 64) | self._next64()
            bits += 64
        return out >> (bits - k)

    def getstate(self) -> tuple[int, object]:
        return (self._state, self.gauss_next)

    def setstate(self, state: tuple[int, object]) -> None:  # type: ignore[override]
        seed, self.gauss_next = state
        self._state = seed & _MASK  # a 64-bit word, as the compiled methods need it (a float is a TypeError)


PythonKeyedRandom = KeyedRandom
"""The class in Python alone: the reference the compiled class is tested against."""


def _python_keyed(text: str, more: str = "") -> KeyedRandom:
    """The stream named ``text + more`` (include the run's seed in it)."""
    digest = hashlib.blake2b((text + more).encode(), digest_size=8).digest()
    return PythonKeyedRandom(int.from_bytes(digest, "big"))


try:
    from ketensim.chain import _splitmix
except ImportError:  # installed with KETENSIM_NO_COMPILE=1, or a source tree that was never built
    _splitmix = None

COMPILED = _splitmix is not None
"""Whether the compiled streams are in use (the same numbers either way, faster)."""

keyed = _python_keyed

if _splitmix is not None:
    # its own name, so that pickle finds it (KeyedRandom is now the compiled class below)
    PythonKeyedRandom.__name__ = PythonKeyedRandom.__qualname__ = "PythonKeyedRandom"

    # random.Random's other methods (choice, randint, gauss, sample, pickling ...) are Python that
    # draws through random(), getrandbits() and _randbelow(): they work on the compiled core as they are
    _BORROWED = {name: value for name, value in vars(random.Random).items()
                 if isinstance(value, FunctionType) and name not in vars(_splitmix.Stream)
                 and name not in ("__init__", "__init_subclass__")}

    KeyedRandom = type("KeyedRandom", (_splitmix.Stream,), {  # type: ignore[misc]
        **_BORROWED, "__slots__": (), "__module__": __name__, "VERSION": random.Random.VERSION,
        "__doc__": "A SplitMix64 stream seeded from a 64-bit int, compiled (see ketensim.chain._splitmix)."})
    _splitmix.make_streams_of(KeyedRandom)
    keyed = _splitmix.keyed  # type: ignore[assignment]
