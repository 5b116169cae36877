# cython: language_level=3, binding=True, boundscheck=False, wraparound=False, cdivision=True
""":class:`ketensim.chain.keyed.KeyedRandom` in C: the same streams, bit for bit, without a Python object's overhead.

A national run makes a keyed stream for millions of events and draws a few numbers from each. In
Python that costs a BLAKE2b object, a 2.5 KB ``random.Random`` (its Mersenne Twister state is
never used) and eight arbitrary-precision operations per SplitMix64 step. Here a stream is a
:class:`Stream`: a 64-bit state and ``gauss_next``, seeded by :func:`keyed` from BLAKE2b-64 of its
key (RFC 7693, the same digest as ``hashlib.blake2b(key, digest_size=8)``), with the methods a run
calls most in C. ``keyed.py`` adds ``random.Random``'s other distributions (``choice``, ``randint``,
``gauss``, ...), which draw through these.

Each method repeats its Python twin's arithmetic in IEEE doubles in the same order (compiled
without floating-point contraction, see ``hatch_build.py``), with the C library's ``log`` and
``exp`` that Python's ``math`` module calls; ``tests/chain/test_keyed.py`` compares the two draw for
draw and the digest with ``hashlib``'s.
"""

cimport cython
from cpython.number cimport PyNumber_Index
from libc.math cimport exp, isfinite, log
from libc.stdint cimport uint64_t

import random as _random_module

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object text, Py_ssize_t *size) except NULL

cdef extern from *:
    """
    /* BLAKE2b with an 8-byte digest and no key, after RFC 7693's reference code. */
    #include <stdint.h>
    #include <string.h>

    static const uint64_t ks_iv[8] = {
        0x6A09E667F3BCC908ULL, 0xBB67AE8584CAA73BULL, 0x3C6EF372FE94F82BULL, 0xA54FF53A5F1D36F1ULL,
        0x510E527FADE682D1ULL, 0x9B05688C2B3E6C1FULL, 0x1F83D9ABFB41BD6BULL, 0x5BE0CD19137E2179ULL};

    static const uint8_t ks_sigma[12][16] = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

    #define KS_ROTR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
    #define KS_G(a, b, c, d, x, y) do {                              \\
        v[a] = v[a] + v[b] + (x); v[d] = KS_ROTR(v[d] ^ v[a], 32);   \\
        v[c] = v[c] + v[d];       v[b] = KS_ROTR(v[b] ^ v[c], 24);   \\
        v[a] = v[a] + v[b] + (y); v[d] = KS_ROTR(v[d] ^ v[a], 16);   \\
        v[c] = v[c] + v[d];       v[b] = KS_ROTR(v[b] ^ v[c], 63);   \\
    } while (0)

    #define KS_ROUND(r) do {                                             \
        KS_G(0, 4, 8, 12, m[ks_sigma[r][0]], m[ks_sigma[r][1]]);        \
        KS_G(1, 5, 9, 13, m[ks_sigma[r][2]], m[ks_sigma[r][3]]);        \
        KS_G(2, 6, 10, 14, m[ks_sigma[r][4]], m[ks_sigma[r][5]]);       \
        KS_G(3, 7, 11, 15, m[ks_sigma[r][6]], m[ks_sigma[r][7]]);       \
        KS_G(0, 5, 10, 15, m[ks_sigma[r][8]], m[ks_sigma[r][9]]);       \
        KS_G(1, 6, 11, 12, m[ks_sigma[r][10]], m[ks_sigma[r][11]]);     \
        KS_G(2, 7, 8, 13, m[ks_sigma[r][12]], m[ks_sigma[r][13]]);      \
        KS_G(3, 4, 9, 14, m[ks_sigma[r][14]], m[ks_sigma[r][15]]);      \
    } while (0)

    static void ks_compress(uint64_t h[8], const uint8_t block[128], uint64_t counter, int last) {
        uint64_t v[16], m[16];
        int i, j;
        for (i = 0; i < 8; i++) { v[i] = h[i]; v[i + 8] = ks_iv[i]; }
        v[12] ^= counter;  /* the high word of the 128-bit byte counter stays 0 */
        if (last) v[14] = ~v[14];
        for (i = 0; i < 16; i++) {
            m[i] = 0;
            for (j = 7; j >= 0; j--) m[i] = (m[i] << 8) | block[8 * i + j];  /* little-endian words */
        }
        /* every round spelled out, so that the message schedule is constant */
        KS_ROUND(0); KS_ROUND(1); KS_ROUND(2); KS_ROUND(3); KS_ROUND(4); KS_ROUND(5);
        KS_ROUND(6); KS_ROUND(7); KS_ROUND(8); KS_ROUND(9); KS_ROUND(10); KS_ROUND(11);
        for (i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
    }

    /* BLAKE2b-64 of the bytes a then b, read as a big-endian number (int.from_bytes(digest, "big")). */
    static uint64_t ks_blake2b64(const char *a, Py_ssize_t na, const char *b, Py_ssize_t nb) {
        uint64_t h[8], counter = 0, out = 0;
        uint8_t buf[128];
        size_t filled = 0;
        const char *part[2] = {a, b};
        Py_ssize_t size[2] = {na, nb};
        int i, p;
        Py_ssize_t k;
        for (i = 0; i < 8; i++) h[i] = ks_iv[i];
        h[0] ^= 0x01010000ULL ^ 8;  /* depth 1, fanout 1, no key, 8-byte digest */
        for (p = 0; p < 2; p++) {
            for (k = 0; k < size[p]; k++) {
                if (filled == 128) {  /* a full block is compressed only once more input follows */
                    counter += 128;
                    ks_compress(h, buf, counter, 0);
                    filled = 0;
                }
                buf[filled++] = (uint8_t)part[p][k];
            }
        }
        counter += filled;
        memset(buf + filled, 0, 128 - filled);
        ks_compress(h, buf, counter, 1);
        for (i = 0; i < 8; i++) out = (out << 8) | ((h[0] >> (8 * i)) & 0xFF);
        return out;
    }
    """
    uint64_t ks_blake2b64(const char *a, Py_ssize_t na, const char *b, Py_ssize_t nb)

cdef uint64_t _GOLDEN = 0x9E3779B97F4A7C15ULL
cdef double _TWO_53 = 9007199254740992.0
cdef double _NV_MAGICCONST = _random_module.NV_MAGICCONST
cdef object _MASK = (1 << 64) - 1
cdef object _Random = _random_module.Random


cdef inline uint64_t _digest(str a, str b) except? 0:
    cdef Py_ssize_t na, nb
    cdef const char *pa = PyUnicode_AsUTF8AndSize(a, &na)  # an ASCII key is its own UTF-8: no copy
    cdef const char *pb = PyUnicode_AsUTF8AndSize(b, &nb)
    return ks_blake2b64(pa, na, pb, nb)


def blake2b64(str text, str more=""):
    """``int.from_bytes(hashlib.blake2b((text + more).encode(), digest_size=8).digest(), "big")``."""
    return _digest(text, more)


@cython.no_gc  # holds a float or None besides its state: it can never be part of a reference cycle
cdef class Stream:
    """A SplitMix64 stream: ``random.Random``'s core methods on one 64-bit state."""

    cdef uint64_t state
    cdef public object gauss_next

    def __init__(self, seed=0):
        self.state = seed & _MASK
        self.gauss_next = None

    def seed(self, a=None, version=2):
        """A non-int seed is hashed with BLAKE2b, never with Python's ``hash`` (it changes per process)."""
        if not isinstance(a, int):
            self.state = _digest(str(a), "")
        else:
            self.state = a & _MASK
        self.gauss_next = None

    def getstate(self):
        return (self.state, self.gauss_next)

    def setstate(self, state):
        seed, self.gauss_next = state
        self.state = seed & _MASK  # a 64-bit word; a float is a TypeError

    cdef inline uint64_t _next64(self):
        cdef uint64_t z = self.state + _GOLDEN
        self.state = z
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
        return z ^ (z >> 31)

    cdef inline double _random(self):
        return <double>(self._next64() >> 11) / _TWO_53

    def random(self):
        """The next float in [0, 1): the top 53 bits of the next SplitMix64 word."""
        return self._random()

    def getrandbits(self, k):
        """An int of ``k`` random bits."""
        cdef int bits = PyNumber_Index(k)  # a float count is a TypeError, as in Python, not truncated
        if bits < 0:
            raise ValueError("number of bits must be non-negative")
        if bits == 0:
            return 0
        if bits <= 64:
            return self._next64() >> (64 - bits)
        out = 0
        cdef int have = 0
        while have < bits:
            out = (out << 64) | self._next64()
            have += 64
        return out >> (have - bits)

    def _randbelow(self, n):
        """A random int in [0, n), n > 0: ``random.Random._randbelow_with_getrandbits`` on this stream."""
        if not (0 < n < 0x8000000000000000):
            return _Random._randbelow_with_getrandbits(self, n)
        cdef uint64_t limit = n
        cdef int k = (<object>n).bit_length()
        cdef uint64_t r = self._next64() >> (64 - k)
        while r >= limit:
            r = self._next64() >> (64 - k)
        return r

    cdef inline double _normal(self, double mu, double sigma):
        # random.Random.normalvariate (Kinderman and Monahan), operation for operation
        cdef double u1, u2, z, zz
        while True:
            u1 = self._random()
            u2 = 1.0 - self._random()
            z = _NV_MAGICCONST * (u1 - 0.5) / u2
            zz = z * z / 4.0
            if zz <= -log(u2):
                break
        return mu + z * sigma

    def normalvariate(self, mu=0.0, sigma=1.0):
        """Normal distribution (as ``random.Random.normalvariate``); other number types go to Python's."""
        if _plain(mu) and _plain(sigma):
            return self._normal(mu, sigma)
        return _Random.normalvariate(self, mu, sigma)

    def lognormvariate(self, mu, sigma):
        """Log normal distribution (as ``random.Random.lognormvariate``); other number types go to Python's."""
        if not (_plain(mu) and _plain(sigma)):
            return _Random.lognormvariate(self, mu, sigma)
        cdef double x = self._normal(mu, sigma)
        cdef double y = exp(x)
        if isfinite(x) and not isfinite(y):  # math.exp refuses an overflow rather than return inf
            raise OverflowError("math range error")
        return y

    def uniform(self, a, b):
        """A float in [a, b] (as ``random.Random.uniform``).

        For floats, and ints below 2**52 (the chain draws ``uniform(0, minutes)``), Python converts
        the int to the same double before each operation, so C's arithmetic is Python's; other
        bounds go to Python's ``uniform``.
        """
        if _exact(a) and _exact(b):
            return <double>a + (<double>b - <double>a) * self._random()
        return _Random.uniform(self, a, b)


cdef inline bint _plain(object x):
    # a number that Python's arithmetic turns into the same double as C does, giving a float back
    return type(x) is float or type(x) is int


cdef inline bint _exact(object x):
    # a float, or an int that converts to a double exactly, with room for a difference of two of them
    return type(x) is float or (type(x) is int and -0x10000000000000 < x < 0x10000000000000)


cdef type _made = Stream


def make_streams_of(cls):
    """Let :func:`keyed` make instances of ``cls``, a subclass of :class:`Stream` without instance attributes."""
    global _made
    if not issubclass(cls, Stream) or cls.__basicsize__ != Stream.__basicsize__:
        raise TypeError(f"{cls!r} is not a Stream without instance attributes of its own")
    _made = cls


def keyed(str text, str more=""):
    """The stream named ``text + more``, seeded with the BLAKE2b-64 of its UTF-8 bytes."""
    cdef Stream stream = Stream.__new__(_made)
    stream.state = _digest(text, more)
    return stream
