# cython: language_level=3, binding=True, boundscheck=False, wraparound=False, cdivision=True
"""The hot methods of :class:`ketensim.chain.keyed.KeyedRandom` in C: the same numbers, bit for bit.

A national run draws from millions of keyed streams; in Python a SplitMix64 step is eight
operations on arbitrary-precision integers. These functions are bound as methods of
``KeyedRandom`` (``binding=True`` makes them descriptors, like Python functions) and keep its state
where the Python methods keep it, in the ``_state`` attribute, so the two implementations can be
mixed on one stream. Each repeats its Python twin's arithmetic in IEEE doubles in the same order
(compiled without floating-point contraction, see ``hatch_build.py``), with the C library's
``log`` and ``exp`` that Python's ``math`` module calls; ``tests/chain/test_keyed.py`` compares
them draw for draw.
"""

from cpython.number cimport PyNumber_Index
from libc.math cimport exp, isfinite, log
from libc.stdint cimport uint64_t

import random as _random_module

cdef uint64_t _GOLDEN = 0x9E3779B97F4A7C15ULL
cdef double _TWO_53 = 9007199254740992.0
cdef double _NV_MAGICCONST = _random_module.NV_MAGICCONST


cdef inline uint64_t _next64(object self) except? 0:
    cdef uint64_t z = <uint64_t>self._state + _GOLDEN
    self._state = z
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline double _random(object self) except? -1.0:
    return <double>(_next64(self) >> 11) / _TWO_53


def random(self):
    """The next float in [0, 1): the top 53 bits of the next SplitMix64 word."""
    return _random(self)


def getrandbits(self, k):
    """An int of ``k`` random bits (as ``KeyedRandom.getrandbits``)."""
    cdef int bits = PyNumber_Index(k)  # a float count is a TypeError, as in Python, not truncated
    if bits < 0:
        raise ValueError("number of bits must be non-negative")
    if bits == 0:
        return 0
    if bits <= 64:
        return _next64(self) >> (64 - bits)
    out = 0
    cdef int have = 0
    while have < bits:
        out = (out << 64) | _next64(self)
        have += 64
    return out >> (have - bits)


def _randbelow(self, n):
    """A random int in [0, n), n > 0: ``random.Random._randbelow_with_getrandbits`` on this stream."""
    if not (0 < n < 0x8000000000000000):
        return _random_module.Random._randbelow_with_getrandbits(self, n)
    cdef uint64_t limit = n
    cdef int k = (<object>n).bit_length()
    cdef uint64_t r = _next64(self) >> (64 - k)
    while r >= limit:
        r = _next64(self) >> (64 - k)
    return r


cdef inline double _normal(object self, double mu, double sigma) except? -1.0:
    # random.Random.normalvariate (Kinderman and Monahan), operation for operation
    cdef double u1, u2, z, zz
    while True:
        u1 = _random(self)
        u2 = 1.0 - _random(self)
        z = _NV_MAGICCONST * (u1 - 0.5) / u2
        zz = z * z / 4.0
        if zz <= -log(u2):
            break
    return mu + z * sigma


cdef inline bint _plain(object x):
    # a number that Python's arithmetic turns into the same double as C does, giving a float back
    return type(x) is float or type(x) is int


def normalvariate(self, mu=0.0, sigma=1.0):
    """Normal distribution (as ``random.Random.normalvariate``); other number types go to Python's."""
    if _plain(mu) and _plain(sigma):
        return _normal(self, mu, sigma)
    return _random_module.Random.normalvariate(self, mu, sigma)


def lognormvariate(self, mu, sigma):
    """Log normal distribution (as ``random.Random.lognormvariate``); other number types go to Python's."""
    if not (_plain(mu) and _plain(sigma)):
        return _random_module.Random.lognormvariate(self, mu, sigma)
    cdef double x = _normal(self, mu, sigma)
    cdef double y = exp(x)
    if isfinite(x) and not isfinite(y):  # math.exp refuses an overflow rather than return inf
        raise OverflowError("math range error")
    return y


cdef inline bint _exact(object x):
    # a float, or an int that converts to a double exactly, with room for a difference of two of them
    return type(x) is float or (type(x) is int and -0x10000000000000 < x < 0x10000000000000)


def uniform(self, a, b):
    """A float in [a, b] (as ``random.Random.uniform``).

    For floats, and ints below 2**52 (the chain draws ``uniform(0, minutes)``), Python converts the
    int to the same double before each operation, so C's arithmetic is Python's; other bounds go to
    Python's ``uniform``.
    """
    if _exact(a) and _exact(b):
        return <double>a + (<double>b - <double>a) * _random(self)
    return _random_module.Random.uniform(self, a, b)
