# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
""":class:`ketensim.chain.agenda.Agenda` in C: the chain's timed calls on a heap of C structs.

The Python agenda keeps its calls as tuples in per-minute buckets, sorted a minute at a time, so
that no call pays for a pop from a large heap of tuples. Here a call is a struct ``(t, eid, slot)``
on a binary heap ordered by ``(t, eid)``, compared as a double and an integer; ``fn`` and its
arguments wait in two lists at ``slot`` (where the garbage collector sees them), and freed slots
are reused. The loop is the Python one, line for line: the smaller of the two heads, SimPy's
``(t, priority, eid)`` against the agenda's ``(t, NORMAL, eid)``, so the order is SimPy's own
(``tests/chain/test_agenda.py`` runs both agendas against SimPy's loop).
"""

from libc.stdlib cimport free, malloc, realloc

from simpy.core import NORMAL, URGENT

from ketensim.chain.simpy_events import process_first_event

cdef struct Call:
    double t
    long long eid
    Py_ssize_t slot

cdef double _INF = float("inf")
cdef long long _NORMAL = NORMAL


cdef inline bint _before(Call *a, Call *b) noexcept nogil:
    return a.t < b.t or (a.t == b.t and a.eid < b.eid)


cdef void *_doubled(void *items, Py_ssize_t *capacity, size_t item) except NULL:
    """``items`` reallocated to twice its ``capacity`` (updated); the old block stays valid on failure."""
    cdef void *grown = realloc(items, 2 * capacity[0] * item)
    if grown == NULL:
        raise MemoryError()
    capacity[0] *= 2
    return grown


cdef class Agenda:
    """Timed calls ``fn(*args)`` of one :class:`simpy.Environment` (see :class:`ketensim.chain.agenda.PythonAgenda`)."""

    cdef readonly object env
    cdef Call *heap
    cdef Py_ssize_t size, capacity
    cdef Py_ssize_t *spare  # free slots of fns and args
    cdef Py_ssize_t spares, spare_capacity
    cdef list fns, args

    def __cinit__(self, env):
        self.env = env
        self.capacity = self.spare_capacity = 1024
        self.heap = <Call *> malloc(self.capacity * sizeof(Call))
        self.spare = <Py_ssize_t *> malloc(self.spare_capacity * sizeof(Py_ssize_t))
        if self.heap == NULL or self.spare == NULL:
            raise MemoryError()
        self.size = self.spares = 0
        self.fns = []
        self.args = []

    def __dealloc__(self):
        free(self.heap)
        free(self.spare)

    def __len__(self):
        return self.size

    def at(self, t, fn, *args):
        """Call ``fn(*args)`` at simulation time ``t`` (now if ``t`` has passed, or is not a number)."""
        env = self.env
        now = env._now
        if not t > now:  # as World.at always did: a NaN runs now too, a t equal to now becomes now itself
            t = now
        cdef Call call
        call.t = t
        call.eid = next(env._eid)
        if self.spares:
            self.spares -= 1
            call.slot = self.spare[self.spares]
            self.fns[call.slot] = fn
            self.args[call.slot] = args
        else:
            call.slot = len(self.fns)
            self.fns.append(fn)
            self.args.append(args)
        self._push(call)

    cdef int _push(self, Call call) except -1:
        if self.size == self.capacity:
            self.heap = <Call *> _doubled(self.heap, &self.capacity, sizeof(Call))
        cdef Call *heap = self.heap
        cdef Py_ssize_t i = self.size, parent
        self.size += 1
        while i > 0:
            parent = (i - 1) >> 1
            if not _before(&call, &heap[parent]):
                break
            heap[i] = heap[parent]
            i = parent
        heap[i] = call
        return 0

    cdef Py_ssize_t _pop(self) except -1:
        """Take the first call off the heap; its slot."""
        cdef Call *heap = self.heap
        cdef Py_ssize_t slot = heap[0].slot
        self.size -= 1
        cdef Py_ssize_t n = self.size, i = 0, child
        cdef Call last = heap[n]
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and _before(&heap[child + 1], &heap[child]):
                child += 1
            if not _before(&heap[child], &last):
                break
            heap[i] = heap[child]
            i = child
        if n:
            heap[i] = last
        if self.spares == self.spare_capacity:
            self.spare = <Py_ssize_t *> _doubled(self.spare, &self.spare_capacity, sizeof(Py_ssize_t))
        self.spare[self.spares] = slot
        self.spares += 1
        return slot

    def run(self, until):
        """``env.run(until=until)``: every event before ``until``, SimPy's and the agenda's, in SimPy's order.

        The stop is the URGENT entry at ``until`` that ``run`` would schedule, with the id it would
        take; a failed, undefused SimPy event ends the run with a copy of its exception, as SimPy does.
        """
        env = self.env
        if until <= env._now:
            raise ValueError(f"until ({until}) must be greater than the current simulation time")
        cdef list queue = env._queue
        stop = (env._now + (until - env._now), URGENT, next(env._eid))
        until = stop[0]
        cdef double end = until, t, first_t
        cdef long long eid
        cdef Py_ssize_t slot
        cdef list fns = self.fns, args = self.args
        while True:
            if self.size:
                t, eid = self.heap[0].t, self.heap[0].eid
            else:
                t, eid = _INF, -1
            if queue:
                first = queue[0]
                first_t = first[0]
                if first_t < t or (first_t == t and (first[1] < _NORMAL or (first[1] == _NORMAL and first[2] < eid))):
                    if not first < stop:
                        break
                    process_first_event(env)
                    continue
            if t >= end:
                break
            slot = self._pop()
            fn, call_args = fns[slot], args[slot]
            fns[slot] = args[slot] = None
            env._now = t
            fn(*call_args)
        env._now = until

    def clear(self):
        self.size = self.spares = 0
        self.fns.clear()
        self.args.clear()
