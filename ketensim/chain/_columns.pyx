# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Two columns of the frozen ledger in C: ISO time stamps and ids, the same strings as the Python ones.

A national ledger formats six million times and three million ids; :mod:`ketensim.chain.records`
does it in Python when this module is not built. Each string is written straight into a new
ASCII ``str``. The arithmetic is Python's: ``int(origin + t * 60.0 + 0.0005)`` in doubles, in that
order (compiled without floating-point contraction, see ``hatch_build.py``), truncated.
``tests/chain/test_records.py`` compares both ways.
"""

from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.string cimport memcpy

cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void *PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    bint PyUnicode_IS_COMPACT_ASCII(object text)
    double PyFloat_AsDouble(object number) except? -1.0


def stamps(list times, double origin, list hours, Py_ssize_t first):
    """``[hours[s // 3600 - first] + "MM:SSZ" if t >= 0 else "" ...]`` with ``s = int(origin + t * 60.0 + 0.0005)``.

    ``hours`` holds the ASCII prefix (``2022-03-31T11:``) of every hour from ``first`` on up to the latest time.
    """
    cdef Py_ssize_t n = len(times), i, h, count = len(hours), size
    cdef double t
    cdef long long s
    cdef int rest
    cdef char *out
    cdef list result = [""] * n
    for i in range(n):
        t = PyFloat_AsDouble(times[i])
        if not t >= 0:
            continue
        s = <long long>(origin + t * 60.0 + 0.0005)
        h = s // 3600 - first
        if h < 0 or h >= count:
            raise IndexError(f"no hour prefix for the time {t} (hour {h} of {count})")
        prefix = hours[h]
        if not PyUnicode_IS_COMPACT_ASCII(prefix):
            raise ValueError(f"hour prefix {prefix!r} is not ASCII")
        size = PyUnicode_GET_LENGTH(prefix)
        stamp = PyUnicode_New(size + 6, 127)
        out = <char *> PyUnicode_DATA(stamp)
        memcpy(out, PyUnicode_DATA(prefix), size)
        rest = s % 3600
        out[size] = c'0' + rest // 600
        out[size + 1] = c'0' + rest // 60 % 10
        out[size + 2] = c':'
        out[size + 3] = c'0' + rest % 60 // 10
        out[size + 4] = c'0' + rest % 10
        out[size + 5] = c'Z'
        result[i] = stamp
    return result


def ids(str letter, list seqs):
    """``[f"{letter}{seq:07d}" for seq in seqs]`` for sequence numbers that are not negative."""
    cdef Py_ssize_t n = len(seqs), i, k, digits
    cdef long long seq, rest
    cdef char buffer[32]
    cdef char *out
    cdef Py_ssize_t lead_size
    cdef const char *lead = PyUnicode_AsUTF8AndSize(letter, &lead_size)
    if lead_size > 8 or not PyUnicode_IS_COMPACT_ASCII(letter):
        raise ValueError(f"an id prefix is a few ASCII letters, not {letter!r}")
    cdef list result = [None] * n
    for i in range(n):
        seq = seqs[i]
        if seq < 0:
            raise ValueError(f"a sequence number is not negative, not {seq}")
        digits = 0
        rest = seq
        while rest or digits < 7:
            buffer[digits] = c'0' + rest % 10
            rest //= 10
            digits += 1
        text = PyUnicode_New(lead_size + digits, 127)
        out = <char *> PyUnicode_DATA(text)
        memcpy(out, lead, lead_size)
        for k in range(digits):
            out[lead_size + k] = buffer[digits - 1 - k]
        result[i] = text
    return result
